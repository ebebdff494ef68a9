// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Start a thread that does nothing and join it, with {@code liveThreads} other threads parked
 * meanwhile. Those are {@code java.lang.Thread}s for both benchmarks, so both see the same
 * background: the JVM's thread list (which start and attach both add to), glibc's list of stacks
 * and the kernel's tasks; a native thread is a JVM thread like any other once attached.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ThreadBench {
    private static final Runnable NOTHING = () -> {};

    @Param({"0", "1000", "10000"})
    public int liveThreads;

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> parked = new ArrayList<>();

    @Setup(Level.Trial)
    public void park() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(liveThreads);
        for (int i = 0; i < liveThreads; i++) {
            Thread t = new Thread(null, () -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "parked-" + i, NativeThread.minStackSize());
            t.setDaemon(true);
            t.start();
            parked.add(t);
        }
        started.await();
    }

    @TearDown(Level.Trial)
    public void unpark() throws InterruptedException {
        release.countDown();
        for (Thread t : parked) t.join();
    }

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
