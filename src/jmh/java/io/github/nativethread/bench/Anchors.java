// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Reference points: a raw JNI no-op, a raw JNI gettid, and JNA's syscall(SYS_gettid). */
final class Anchors {
    static {
        System.load(System.getProperty("bench.anchors"));  // built by ./build.sh bench
    }

    private Anchors() {}

    static native void noop();

    static native long gettid();

    interface LibC extends Library {
        long syscall(long number);
    }

    static final LibC LIBC = Native.load("c", LibC.class);
    static final long SYS_GETTID = System.getProperty("os.arch").equals("aarch64") ? 178 : 186;
}
