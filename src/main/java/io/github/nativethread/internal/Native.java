// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import java.nio.ByteBuffer;

/**
 * The JNI bridge to the C layer (native/src/jni/glue.c). Arguments are validated by the callers;
 * the glue turns C error codes into {@code ThreadError}. Not part of the public API.
 */
public final class Native {
    /** Results of the lock calls: the C layer's NT_OK, NT_TIMEOUT, NT_INTERRUPTED, NT_QUEUED. */
    public static final int OK = 0, TIMEOUT = -1, INTERRUPTED = -2, QUEUED = -6;

    static {
        NativeLibrary.load();
    }

    /** The library's platform facts, read once. */
    public static final long PAGE_SIZE, OS_MIN_STACK, NAME_MAX, HOTSPOT_STACK_BASE;
    public static final int NSIG;
    public static final double TIMEOUT_MAX = timeoutMax();

    static {
        long[] p = platform();
        PAGE_SIZE = p[0];
        OS_MIN_STACK = p[1];
        NAME_MAX = p[2];
        HOTSPOT_STACK_BASE = p[3];
        NSIG = (int) p[4];
    }

    private Native() {}

    private static native long[] platform();

    private static native double timeoutMax();

    /** The platform's number of a signal named like "SIGINT", or -1. */
    public static native int signalNumber(String name);

    /** Results of {@link #signalUse}: the C layer's NT_SIGNAL_FREE, NT_SIGNAL_UNCATCHABLE, NT_SIGNAL_RESERVED. */
    public static final int SIGNAL_FREE = 0, SIGNAL_UNCATCHABLE = 1, SIGNAL_RESERVED = 2;
    /** {@link #signalUse} flag: the C layer's NT_JVM_REDUCED_SIGNAL_USAGE (the JVM runs with -Xrs). */
    public static final int JVM_REDUCED_SIGNAL_USAGE = 1;

    /**
     * nt_signal_use: may the OS deliveries of {@code signum} be taken from the JVM on this platform?
     * Returns a SIGNAL_* result; when it is not SIGNAL_FREE, {@code why[0]} is the reason.
     */
    public static native int signalUse(int signum, int jvmFlags, String[] why);

    /** The project version: the Java side's, which the loaded library's was checked to equal. */
    public static final String VERSION = NativeLibrary.VERSION;

    /** The version compiled into the library (CMake's NT_VERSION); the loader compares it with VERSION. */
    static native String version();

    /** How the library was found: the property that named it, the jar (extracted into which directory), or
     *  java.library.path. */
    public static String loadedFrom() {
        return NativeLibrary.origin();
    }

    /** This platform's key, the jar's {@code natives/<key>/} directory: linux_64, linux_musl_64, osx_arm64, ... */
    public static String platformKey() {
        return NativeLibrary.platform();
    }

    /** Path of the loaded library file, as the OS's loader reports it. */
    public static native String libraryPath();

    /**
     * Starts a detached OS thread that attaches to the JVM as a thread named {@code javaName} (the
     * OS name is {@code utf8Name}) and calls {@code start.run()}; returns once it has attached, with {@code out[0]} = its java.lang.Thread id, {@code out[1]} = its
     * kernel thread id. Throws ThreadError("can't start new thread: ...") on failure.
     */
    public static native void startThread(Runnable start, long stackSize, String javaName, byte[] utf8Name,
            boolean daemon, long[] out);

    public static native long nativeId();

    public static native long currentStackSize();

    /** Sets the calling thread's OS name (UTF-8 without NUL bytes; truncated by the C layer). */
    public static native void setName(byte[] utf8Name);

    public static native byte[] getName();

    /** Address of a direct buffer's memory. */
    public static native long address(ByteBuffer direct);

    /**
     * nt_lock_acquire: timeoutNanos -1 = forever, 0 = do not wait; waker 0 = not interruptible.
     * Returns its result and a chosen wait's key together: see {@link #result} and {@link #chosen}.
     */
    public static native long lockAcquire(long lock, long timeoutNanos, long waker);

    /**
     * nt_lock_release; throws ThreadError("release unlocked lock"). Returns the key of the
     * {@link #lockWaitNew Java wait} the release chose (its thread must be unparked), else 0.
     */
    public static native long lockRelease(long lock);

    /** nt_lock_wake, once Java has released the lock itself; returns what {@link #lockRelease} does. */
    public static native long lockWake(long lock);

    /** The result code (OK, TIMEOUT, INTERRUPTED) in what {@link #lockAcquire} or
     *  {@link #lockWaitEnd} returned: its low byte. */
    public static int result(long packed) {
        return (byte) packed;
    }

    /**
     * The key of the Java wait that {@link #lockAcquire} or {@link #lockWaitEnd} chose to wake, as
     * {@link #lockRelease} returns it, else 0: the rest of what they returned. (A waiter that a
     * release woke wakes the next one when it is done, if a release came meanwhile and left the
     * lock free.)
     */
    public static long chosen(long packed) {
        return packed >> 8;
    }

    /** nt_lock_queued: waits queued on the lock now. */
    public static native int lockQueued(long lock);

    /**
     * A lock wait that does not block the OS thread (nt_lock_wait), for a virtual thread: a
     * release that chooses it returns {@code key} from {@link #lockRelease}. Free it with
     * {@link #lockWaitFree} once ended.
     */
    public static native long lockWaitNew(long key);

    /** nt_lock_wait_begin: OK (taken) or QUEUED. */
    public static native int lockWaitBegin(long lock, long wait);

    /** nt_lock_wait_end: OK (taken) or TIMEOUT (not taken, no longer queued), and a chosen
     *  wait's key, as {@link #lockAcquire} returns them. */
    public static native long lockWaitEnd(long lock, long wait);

    public static native void lockWaitFree(long wait);

    public static native long newWaker();

    public static native void wake(long waker);
}
