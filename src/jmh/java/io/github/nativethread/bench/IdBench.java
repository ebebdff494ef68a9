// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** The calling thread's kernel id, by way of lookup. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdBench {
    /** What a per-thread cache in Java costs at best: the anchor of getNativeId. */
    private static final ThreadLocal<Long> CACHED = ThreadLocal.withInitial(() -> 42L);

    @Benchmark
    public long getNativeId() {
        return NativeThread.getNativeId();
    }

    @Benchmark
    public long getIdent() {
        return NativeThread.getIdent();
    }

    @Benchmark
    public long threadLocal() {
        return CACHED.get();
    }

    @Benchmark
    public long jniGettid() {
        return Anchors.gettid();
    }

    @Benchmark
    public void jniNoop() {
        Anchors.noop();
    }

    @Benchmark
    public long jnaGettid() {
        return Anchors.LIBC.syscall(Anchors.SYS_GETTID);
    }
}
