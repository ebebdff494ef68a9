// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Native;
import io.github.nativethread.internal.StackFloor;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPython's {@code _thread} module for Java: real OS threads with exact stack sizes and OS names,
 * kernel thread ids, ownerless native locks, and an interrupt of the main thread.
 *
 * <p>Threads started here are {@code java.lang.Thread}s as seen from Java (attached to the JVM:
 * {@code Thread.currentThread()}, {@code ThreadLocal} and thread dumps work) and real OS threads
 * with the requested stack. A thread's <em>ident</em> is its {@code java.lang.Thread} id
 * ({@code Thread.getId()}): nonzero, unique among live threads (and never reused within a JVM).
 */
public final class NativeThread {
    /** Largest timeout in seconds that waits accept: 9223372036.0 on POSIX, 4294967.0 on Windows. */
    public static final double TIMEOUT_MAX = Native.TIMEOUT_MAX;

    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicLong NUMBER = new AtomicLong();
    private static final AtomicLong STACK_SIZE = new AtomicLong();
    /** The kernel id of each platform thread that asked for it (it is fixed for the thread's life). */
    private static final ThreadLocal<Long> NATIVE_ID = ThreadLocal.withInitial(Native::nativeId);

    private NativeThread() {}

    /**
     * Starts a daemon OS thread with the current {@link #stackSize()} that runs {@code function};
     * returns its ident.
     *
     * @param function what the thread runs
     * @return the thread's ident
     * @throws NullPointerException if {@code function} is null
     * @throws ThreadError "can't start new thread: &lt;reason&gt;" if the OS or the JVM refuses
     */
    public static long startNewThread(Runnable function) {
        return builder().start(function).ident();
    }

    /**
     * Like {@link #startNewThread}, returning a handle to join (a daemon thread).
     *
     * @param function what the thread runs
     * @return the handle of the started thread
     */
    public static ThreadHandle startJoinableThread(Runnable function) {
        return builder().start(function);
    }

    /**
     * Like {@link #startJoinableThread(Runnable)}; a non-daemon thread keeps the JVM alive until it
     * ends.
     *
     * @param function what the thread runs
     * @param daemon false for a thread that keeps the JVM alive
     * @return the handle of the started thread
     */
    public static ThreadHandle startJoinableThread(Runnable function, boolean daemon) {
        return builder().daemon(daemon).start(function);
    }

    /** {@return options for one thread: stack size, name, daemon} */
    public static Builder builder() {
        return new Builder();
    }

    /** Per-thread options. Defaults: {@link #stackSize()} at start, name "NativeThread-N", daemon. */
    public static final class Builder {
        private Long stackSize;
        private String name;
        private boolean daemon = true;

        private Builder() {}

        /**
         * 0 (platform default) or at least {@link #minStackSize()} bytes, rounded up to the page size.
         * The stack is given back to the OS when the thread has ended; another start is not needed.
         *
         * @param size the stack size in bytes
         * @return this builder
         */
        public Builder stackSize(long size) {
            this.stackSize = checkStackSize(size);
            return this;
        }

        /**
         * The thread's Java name; its OS name is this truncated to the platform's limit.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = checkName(name);
            return this;
        }

        /**
         * Whether the thread is a daemon (the default): a non-daemon thread keeps the JVM alive.
         *
         * @param daemon false for a thread that keeps the JVM alive
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Starts the thread; returns once it runs and is attached to the JVM.
         *
         * @param function what the thread runs
         * @return the handle of the started thread
         * @throws NullPointerException if {@code function} is null
         * @throws ThreadError "can't start new thread: &lt;reason&gt;" if the OS or the JVM refuses
         */
        public ThreadHandle start(Runnable function) {
            Objects.requireNonNull(function, "function");
            long size = stackSize != null ? stackSize : NativeThread.stackSize();
            String threadName = name != null ? name : "NativeThread-" + NUMBER.incrementAndGet();
            ThreadStart start = new ThreadStart(function);
            long[] ids = new long[2];
            RUNNING.incrementAndGet();
            try {
                Native.startThread(start, size, threadName, threadName.getBytes(StandardCharsets.UTF_8), daemon, ids);
            } catch (RuntimeException | Error e) {
                RUNNING.decrementAndGet();
                throw e;
            }
            return new ThreadHandle(ids[0], ids[1], start);
        }
    }

    static void threadEnded() {
        RUNNING.decrementAndGet();
    }

    /**
     * The library version: the project version the jar was built as (its
     * {@code Implementation-Version}); the native library reports the same, checked when it is loaded.
     *
     * @return the version, such as {@code 0.1.0}
     */
    public static String version() {
        return Native.VERSION;
    }

    /** {@return the nonzero id of the calling thread: its {@code java.lang.Thread} id} */
    @SuppressWarnings("deprecation")  // Thread.threadId() is JDK 19+
    public static long getIdent() {
        return Thread.currentThread().getId();
    }

    /**
     * The kernel's id of the calling thread (gettid, pthread_threadid_np, GetCurrentThreadId). In a
     * virtual thread it is the id of the carrier thread running it at that instant, which can change
     * at any wait. A platform thread's id never changes, so it is asked of the OS once per thread
     * and then read from a thread-local; a virtual thread asks each time.
     *
     * @return the kernel's thread id
     */
    public static long getNativeId() {
        return VirtualThreads.isVirtual(Thread.currentThread()) ? Native.nativeId() : NATIVE_ID.get();
    }

    /** {@return the ident of the main thread: the JVM's {@code main} thread (see {@link Signals})} */
    public static long mainThreadIdent() {
        return Signals.mainThreadIdent();
    }

    /** {@return the stack size for new threads; 0 = the platform's default} */
    public static long stackSize() {
        return STACK_SIZE.get();
    }

    /**
     * Sets the stack size for new threads and returns the previous one.
     *
     * @param size 0 (platform default) or at least {@link #minStackSize()}
     * @return the previous stack size
     * @throws IllegalArgumentException "size not valid: N bytes" otherwise; the setting is unchanged
     */
    public static long stackSize(long size) {
        return STACK_SIZE.getAndSet(checkStackSize(size));
    }

    /** {@return the smallest stack size this platform and this JVM run Java code on (at least 32768)} */
    public static long minStackSize() {
        return StackFloor.MIN_STACK_SIZE;
    }

    /** {@return the real stack size of the calling thread, as the OS reports it (0 if unknown)} */
    public static long currentStackSize() {
        return Native.currentStackSize();
    }

    /** {@return the number of threads started by this library that are still running} */
    public static int count() {
        return RUNNING.get();
    }

    /**
     * Sets the OS name of the calling thread (what {@code top -H}, {@code gdb} and
     * {@code /proc/self/task/<tid>/comm} show), truncated to the platform's limit (15 bytes on Linux)
     * without splitting a character. The Java name is not changed. In a virtual thread this names
     * the carrier thread running it at that instant.
     *
     * @param name the new OS name
     * @throws IllegalArgumentException if it contains a NUL character
     */
    public static void setName(String name) {
        Native.setName(checkName(name).getBytes(StandardCharsets.UTF_8));
    }

    /** {@return the OS name of the calling thread} */
    public static String getName() {
        return new String(Native.getName(), StandardCharsets.UTF_8);
    }

    /** {@return a new unlocked lock} */
    public static NativeLock allocateLock() {
        return new NativeLock();
    }

    /** {@code interruptMain(Signals.SIGINT)}. */
    public static void interruptMain() {
        interruptMain(Signals.SIGINT);
    }

    /**
     * Simulates signal {@code signum} arriving in the main thread: its handler runs there, at once
     * when called from the main thread, else soon (see {@link Signals}). No OS signal is sent.
     *
     * @param signum the signal number
     * @throws IllegalArgumentException "signal number out of range" unless 1 ≤ signum &lt; NSIG
     */
    public static void interruptMain(int signum) {
        Signals.interruptMain(signum);
    }

    /** Throws {@link ThreadExit}: the calling thread ends silently. */
    public static void exit() {
        throw new ThreadExit();
    }

    private static long checkStackSize(long size) {
        if (size != 0 && size < minStackSize()) {
            throw new IllegalArgumentException("size not valid: " + size + " bytes (the minimum is "
                    + minStackSize() + " bytes, or 0 for the platform default)");
        }
        return size;
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.indexOf('\0') >= 0) throw new IllegalArgumentException("embedded null character in name: " + name.replace("\0", "\\0"));
        return name;
    }
}
