// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** Start a thread that does nothing and join it. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadBench {
    private static final Runnable NOTHING = () -> {};

    @Benchmark
    public void nativeThread() {
        NativeThread.startJoinableThread(NOTHING).join();
    }

    @Benchmark
    public void javaThread() throws InterruptedException {
        Thread t = new Thread(NOTHING);
        t.start();
        t.join();
    }
}
