package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import org.openjdk.jmh.annotations.Benchmark;

/** The calling thread's kernel id, by way of lookup. */
public class IdBench {
    @Benchmark
    public long getNativeId() {
        return NativeThread.getNativeId();
    }

    @Benchmark
    public long getIdent() {
        return NativeThread.getIdent();
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
