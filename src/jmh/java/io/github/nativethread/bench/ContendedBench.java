// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Every benchmark thread takes the same lock, bumps a shared counter and releases it: throughput
 * of the whole group. BenchMain runs it with 1, 2, 4, 8 and 16 threads.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ContendedBench {
    final NativeLock nativeLock = new NativeLock();
    final NativeRLock nativeRLock = new NativeRLock();
    final ReentrantLock reentrantLock = new ReentrantLock();
    final Semaphore semaphore = new Semaphore(1);
    final Object monitor = new Object();
    int counter;

    @Benchmark
    public int nativeLock() {
        nativeLock.acquire();
        try {
            return ++counter;
        } finally {
            nativeLock.release();
        }
    }

    @Benchmark
    public int nativeRLock() {
        nativeRLock.acquire();
        try {
            return ++counter;
        } finally {
            nativeRLock.release();
        }
    }

    @Benchmark
    public int reentrantLock() {
        reentrantLock.lock();
        try {
            return ++counter;
        } finally {
            reentrantLock.unlock();
        }
    }

    @Benchmark
    public int semaphore() throws InterruptedException {
        semaphore.acquire();
        try {
            return ++counter;
        } finally {
            semaphore.release();
        }
    }

    @Benchmark
    public int synchronizedBlock() {
        synchronized (monitor) {
            return ++counter;
        }
    }
}
