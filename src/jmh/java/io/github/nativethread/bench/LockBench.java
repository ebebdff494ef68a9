// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** An uncontended acquire+release pair, by lock kind; a re-entrant lock also entered twice. */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LockBench {
    final NativeLock nativeLock = new NativeLock();
    final NativeRLock nativeRLock = new NativeRLock();
    final ReentrantLock reentrantLock = new ReentrantLock();
    final Semaphore semaphore = new Semaphore(1);
    final Object monitor = new Object();
    /** A {@link NativeLock} seen through {@link Lock}, the way code written for the JDK uses it. */
    final Lock nativeAsLock = new NativeLock();
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
    public int nativeRLockReentered() {
        nativeRLock.acquire();
        try {
            nativeRLock.acquire();
            try {
                return ++counter;
            } finally {
                nativeRLock.release();
            }
        } finally {
            nativeRLock.release();
        }
    }

    @Benchmark
    public int nativeLockAsLock() {
        nativeAsLock.lock();
        try {
            return ++counter;
        } finally {
            nativeAsLock.unlock();
        }
    }

    @Benchmark
    public int reentrantLockReentered() {
        reentrantLock.lock();
        try {
            reentrantLock.lock();
            try {
                return ++counter;
            } finally {
                reentrantLock.unlock();
            }
        } finally {
            reentrantLock.unlock();
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
