// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Ports of CPython's Lib/test/lock_tests.py: BaseLockTests (for both locks) and LockTests. */
class LockTest {
    static List<Supplier<BaseLock>> locks() {
        List<Supplier<BaseLock>> l = new ArrayList<>();
        l.add(NativeLock::new);
        l.add(NativeRLock::new);
        return l;
    }

    /** Starts n threads running body and returns their handles. */
    static List<ThreadHandle> bunch(int n, Runnable body) {
        List<ThreadHandle> handles = new ArrayList<>();
        for (int i = 0; i < n; i++) handles.add(NativeThread.startJoinableThread(body));
        return handles;
    }

    static void joinAll(List<ThreadHandle> handles) {
        for (ThreadHandle h : handles) assertTrue(h.join(60.0), "a thread did not end");
    }

    @ParameterizedTest
    @MethodSource("locks")
    void acquireRelease(Supplier<BaseLock> factory) {
        BaseLock lock = factory.get();
        assertFalse(lock.locked());
        assertTrue(lock.toString().endsWith("[unlocked]"), lock.toString());
        assertTrue(lock.acquire());
        assertTrue(lock.locked());
        assertTrue(lock.toString().contains("locked"), lock.toString());
        lock.release();
        assertFalse(lock.locked());
    }

    @ParameterizedTest
    @MethodSource("locks")
    void tryAcquire(Supplier<BaseLock> factory) {
        BaseLock lock = factory.get();
        assertTrue(lock.acquire(false));
        lock.release();
    }

    @ParameterizedTest
    @MethodSource("locks")
    void tryAcquireContended(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        lock.acquire();
        boolean[] got = new boolean[1];
        NativeThread.startJoinableThread(() -> got[0] = lock.acquire(false)).join();
        assertFalse(got[0]);
        lock.release();
    }

    @ParameterizedTest
    @MethodSource("locks")
    void acquireContended(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        lock.acquire();
        AtomicInteger done = new AtomicInteger();
        List<ThreadHandle> handles = bunch(5, () -> {
            lock.acquire();
            lock.release();
            done.incrementAndGet();
        });
        assertEquals(0, done.get());
        lock.release();
        joinAll(handles);
        assertEquals(5, done.get());
    }

    @ParameterizedTest
    @MethodSource("locks")
    void withStatement(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        try (NativeLock.Hold h = lock.hold()) {
            assertTrue(lock.locked());
        }
        assertFalse(lock.locked());
        assertThrows(IllegalStateException.class, () -> {
            try (NativeLock.Hold h = lock.hold()) {
                throw new IllegalStateException("inside");
            }
        });
        assertFalse(lock.locked());
    }

    @ParameterizedTest
    @MethodSource("locks")
    void threadLeak(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        int before = NativeThread.count();
        for (int i = 0; i < 10; i++) {
            joinAll(bunch(3, () -> {
                lock.acquire();
                lock.release();
            }));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (NativeThread.count() != before && System.nanoTime() < until) Thread.sleep(1);
        assertEquals(before, NativeThread.count());
    }

    @ParameterizedTest
    @MethodSource("locks")
    void timeoutNeverEndsEarly(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        lock.acquire();
        AtomicReference<String> failure = new AtomicReference<>();
        NativeThread.startJoinableThread(() -> {
            for (double timeout : new double[] {0.0, 1e-9, 0.001, 0.01, 0.1}) {
                long t0 = System.nanoTime();
                boolean got = lock.acquire(timeout);
                long waited = System.nanoTime() - t0;
                if (got) failure.set("acquired a held lock");
                if (waited < (long) Math.ceil(timeout * 1e9)) failure.set("waited " + waited + " ns for " + timeout);
                if (waited > (long) (timeout * 1e9) + 5_000_000_000L) failure.set("waited far too long: " + waited);
            }
        }).join();
        assertEquals(null, failure.get());
        lock.release();
    }

    @ParameterizedTest
    @MethodSource("locks")
    void stateAfterTimeout(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        CountDownLatch held = new CountDownLatch(1);
        NativeLock letGo = new NativeLock();
        letGo.acquire();
        ThreadHandle holder = NativeThread.startJoinableThread(() -> {
            lock.acquire();
            held.countDown();
            letGo.acquire();
            lock.release();
        });
        held.await();
        assertFalse(lock.acquire(0.01));
        letGo.release();
        holder.join();
        assertFalse(lock.locked());
        assertTrue(lock.acquire(0.01));
        lock.release();
    }

    @ParameterizedTest
    @MethodSource("locks")
    void lockInterfaceMethods(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        lock.lock();
        assertTrue(lock.locked());
        lock.unlock();
        assertTrue(lock.tryLock());
        lock.unlock();
        assertTrue(lock.tryLock(10, TimeUnit.MILLISECONDS));
        lock.unlock();
        lock.lockInterruptibly();
        lock.unlock();
        assertThrows(UnsupportedOperationException.class, lock::newCondition);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, lock::lockInterruptibly);
        assertFalse(Thread.interrupted());
    }

    @ParameterizedTest
    @MethodSource("locks")
    void lockInterruptiblyNoticesThreadInterrupt(Supplier<BaseLock> factory) throws Exception {
        BaseLock lock = factory.get();
        lock.acquire();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                lock.lockInterruptibly();
                outcome.set(new AssertionError("acquired"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.start();
        ThreadHelpers.awaitParked(t);
        t.interrupt();
        t.join(30_000);
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertTrue(lock.locked());
        lock.release();
    }

    // ---- LockTests: NativeLock only (no owner) ----

    @Test
    void reacquireByTheHolderWaitsForAnotherThreadsRelease() throws Exception {
        NativeLock lock = new NativeLock();
        CountDownLatch second = new CountDownLatch(1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            waiter.set(Thread.currentThread());
            lock.acquire();
            second.countDown();
            lock.acquire();  // waits on itself until main releases
            lock.release();
        });
        second.await();
        while (waiter.get() == null) Thread.onSpinWait();
        ThreadHelpers.awaitParked(waiter.get());
        assertFalse(h.isDone());
        lock.release();
        h.join();
        assertFalse(lock.locked());
    }

    @Test
    void releaseFromADifferentThread() throws Exception {
        NativeLock lock = new NativeLock();
        lock.acquire();
        NativeThread.startJoinableThread(lock::release).join();
        assertFalse(lock.locked());
        NativeThread.startJoinableThread(lock::acquire).join();
        assertTrue(lock.locked());
        lock.release();
    }

    @Test
    void releaseUnlocked() {
        NativeLock lock = new NativeLock();
        lock.acquire();
        lock.release();
        ThreadError e = assertThrows(ThreadError.class, lock::release);
        assertEquals("release unlocked lock", e.getMessage());
        assertFalse(lock.locked());
    }

    @Test
    void mutualExclusionUnderContention() throws Exception {
        NativeLock lock = new NativeLock();
        int[] counter = new int[1];
        joinAll(bunch(4, () -> {
            for (int i = 0; i < 100_000; i++) {
                lock.acquire();
                counter[0]++;
                lock.release();
            }
        }));
        lock.acquire();
        assertEquals(400_000, counter[0]);
        lock.release();
    }

    @Test
    void timedWaitersNeverHang() throws Exception {
        NativeLock lock = new NativeLock();
        AtomicInteger acquired = new AtomicInteger();
        joinAll(bunch(4, () -> {
            for (int i = 0; i < 5_000; i++) {
                if (lock.acquire(0.0001)) {
                    acquired.incrementAndGet();
                    lock.release();
                }
            }
            lock.acquire();
            lock.release();
        }));
        assertFalse(lock.locked());
        assertTrue(acquired.get() > 0);
    }

    @Test
    void unreachableLocksAreFreedEvenWhenLocked() throws Exception {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow(AssertionError::new);
        List<NativeLock> locks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            NativeLock l = new NativeLock();
            if (i % 2 == 0) l.acquire();
            locks.add(l);
        }
        assertTrue(direct.getCount() >= 10_000, "direct buffers: " + direct.getCount());
        locks.clear();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (direct.getCount() > 1000 && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(direct.getCount() <= 1000, "direct buffers left: " + direct.getCount());
    }
}
