// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Reference points: a raw JNI no-op, a raw JNI gettid, JNA's syscall(SYS_gettid), and a native
 *  start+join without the library (the OS's thread, the JVM's attach and detach). */
final class Anchors {
    static {
        System.load(System.getProperty("bench.anchors"));  // built by ./build.sh bench
    }

    private Anchors() {}

    static native void noop();

    static native long gettid();

    /** {@code rounds} bare {@code pthread_create}+{@code pthread_join} of a thread that does
     *  nothing; {@code out}: wall and process CPU nanoseconds. @return 0, or the errno */
    static native int pthreadRounds(int rounds, long[] out);

    /** {@code rounds} {@code AttachCurrentThread}+{@code DetachCurrentThread} on one OS thread,
     *  or each on a new one ({@code fresh}, created and joined); {@code out}: wall and process CPU
     *  nanoseconds, and the wall nanoseconds of the attaches alone. @return 0, or the JNI error or
     *  errno */
    static native int attachRounds(int rounds, boolean fresh, long[] out);

    interface LibC extends Library {
        long syscall(long number);
    }

    static final LibC LIBC = Native.load("c", LibC.class);
    static final long SYS_GETTID = System.getProperty("os.arch").equals("aarch64") ? 178 : 186;
}
