// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.threading.Bunch.assertWaitedAtLeast;
import static io.github.nativethread.threading.Bunch.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeLock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A port of CPython's Lib/test/lock_tests.py {@code BaseSemaphoreTests} (3.11-3.14), run for
 * {@link Semaphore} by {@link SemaphoreTest} and for {@link BoundedSemaphore} by
 * {@link BoundedSemaphoreTest}, as CPython runs it for both.
 *
 * <p>Not ported: {@code test_repr} (the contract does not specify {@code toString()}).
 */
abstract class SemaphoreTestBase {
    /** A semaphore of the class under test with the given initial value. */
    abstract Semaphore semtype(int value);

    /** A semaphore of the class under test with its default initial value (1). */
    abstract Semaphore semtype();

    /** How many permits can be taken now, without waiting; they are given back. */
    static int available(Semaphore sem) {
        int n = 0;
        while (sem.acquire(false)) n++;
        for (int i = 0; i < n; i++) sem.release();
        return n;
    }

    // test_constructor
    @Test
    void constructor() {
        assertThrows(IllegalArgumentException.class, () -> semtype(-1));
        assertThrows(IllegalArgumentException.class, () -> semtype(Integer.MIN_VALUE));
        assertEquals(0, available(semtype(0)));
        assertEquals(3, available(semtype(3)));
    }

    // test_acquire
    @Test
    void acquire() {
        Semaphore sem = semtype(1);
        assertTrue(sem.acquire());
        sem.release();
        sem = semtype(2);
        assertTrue(sem.acquire());
        assertTrue(sem.acquire());
        sem.release();
        sem.release();
        assertEquals(2, available(sem));
    }

    // test_acquire_destroy: a semaphore dropped while acquired is just garbage
    @Test
    void acquireDestroy() {
        Semaphore sem = semtype();
        sem.acquire();
        sem = null;
        System.gc();
    }

    /** A phase number read by a worker right after an acquire returned. */
    private static final class Phases {
        volatile int phase;
        final ConcurrentLinkedQueue<Integer> results1 = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Integer> results2 = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Boolean> semResults = new ConcurrentLinkedQueue<>();

        int total() {
            return results1.size() + results2.size();
        }

        List<Integer> sortedAll() {
            List<Integer> l = new ArrayList<>(results1);
            l.addAll(results2);
            Collections.sort(l);
            return l;
        }
    }

    private static List<Integer> phases(int zeros, int ones, int twos) {
        List<Integer> l = new ArrayList<>(Collections.nCopies(zeros, 0));
        l.addAll(Collections.nCopies(ones, 1));
        l.addAll(Collections.nCopies(twos, 2));
        return l;
    }

    /** test_acquire_contended and test_multirelease: 10 workers acquire twice each from a
     *  semaphore with 6 permits left; the rest come from releases of 7, then 6, then 1. */
    private void acquireContended(boolean multirelease) {
        Semaphore sem = semtype(7);
        sem.acquire();
        Phases p = new Phases();
        Bunch b = new Bunch(10, () -> {
            p.semResults.add(sem.acquire());
            p.results1.add(p.phase);
            p.semResults.add(sem.acquire());
            p.results2.add(p.phase);
        });
        b.waitForStarted();
        awaitTrue(() -> "6 acquired (" + p.total() + ")", () -> p.total() >= 6);
        assertEquals(phases(6, 0, 0), p.sortedAll());
        p.phase = 1;
        if (multirelease) {
            sem.release(7);
        } else {
            for (int i = 0; i < 7; i++) sem.release();
        }
        awaitTrue(() -> "13 acquired (" + p.total() + ")", () -> p.total() >= 13);
        assertEquals(phases(6, 7, 0), p.sortedAll());
        p.phase = 2;
        if (multirelease) {
            sem.release(6);
        } else {
            for (int i = 0; i < 6; i++) sem.release();
        }
        awaitTrue(() -> "19 acquired (" + p.total() + ")", () -> p.total() >= 19);
        assertEquals(phases(6, 7, 6), p.sortedAll());
        // the semaphore is still taken
        assertFalse(sem.acquire(false));
        // final release, to let the last thread finish
        sem.release();
        b.waitForFinished();
        assertEquals(Collections.nCopies(20, true), new ArrayList<>(p.semResults));
    }

    // test_acquire_contended
    @Test
    void acquireContended() {
        acquireContended(false);
    }

    // test_multirelease
    @Test
    void multirelease() {
        acquireContended(true);
    }

    // test_try_acquire
    @Test
    void tryAcquire() {
        Semaphore sem = semtype(2);
        assertTrue(sem.acquire(false));
        assertTrue(sem.acquire(false));
        assertFalse(sem.acquire(false));
        sem.release();
        assertTrue(sem.acquire(false));
    }

    // test_try_acquire_contended
    @Test
    void tryAcquireContended() {
        Semaphore sem = semtype(4);
        sem.acquire();
        ConcurrentLinkedQueue<Boolean> results = new ConcurrentLinkedQueue<>();
        new Bunch(5, () -> {
            results.add(sem.acquire(false));
            results.add(sem.acquire(false));
        }).waitForFinished();
        // results are not in any particular order
        List<Boolean> sorted = new ArrayList<>(results);
        Collections.sort(sorted);
        List<Boolean> want = new ArrayList<>(Collections.nCopies(7, false));
        want.addAll(Collections.nCopies(3, true));
        assertEquals(want, sorted);
    }

    // test_acquire_timeout
    @Test
    void acquireTimeout() {
        Semaphore sem = semtype(2);
        assertThrows(IllegalArgumentException.class, () -> sem.acquire(false, 1.0));
        assertTrue(sem.acquire(0.005));
        assertTrue(sem.acquire(true, 0.005));
        assertFalse(sem.acquire(0.005));
        sem.release();
        assertTrue(sem.acquire(0.005));
        long t = System.nanoTime();
        assertFalse(sem.acquire(0.5));
        assertWaitedAtLeast(0.5, System.nanoTime() - t);
        t = System.nanoTime();
        assertFalse(sem.acquire(true, 0.0));
        assertTrue(System.nanoTime() - t < Bunch.SANE_UPPER_NS);
    }

    // test_default_value: the default initial value is 1
    @Test
    void defaultValue() {
        Semaphore sem = semtype();
        sem.acquire();
        Bunch b = new Bunch(1, () -> {
            sem.acquire();
            sem.release();
        });
        // CPython sleeps 10 ms; here: until the worker is seen blocked in acquire()
        b.awaitAllBlockedIn("Semaphore.acquire");
        assertEquals(0, b.finished());
        sem.release();
        b.waitForFinished();
        assertEquals(1, available(sem));
    }

    // test_with (hold() is the with statement)
    @Test
    void with() {
        Semaphore sem = semtype(2);
        class Boom extends RuntimeException {}
        Runnable body = () -> {
            try (NativeLock.Hold h = sem.hold()) {
                assertTrue(sem.acquire(false));
                sem.release();
                try (NativeLock.Hold h2 = sem.hold()) {
                    assertFalse(sem.acquire(false));
                }
            }
        };
        body.run();
        assertTrue(sem.acquire(false));
        sem.release();
        assertThrows(Boom.class, () -> {
            try (NativeLock.Hold h = sem.hold()) {
                try (NativeLock.Hold h2 = sem.hold()) {
                    assertFalse(sem.acquire(false));
                    throw new Boom();
                }
            }
        });
        assertTrue(sem.acquire(false));
        sem.release();
        assertEquals(2, available(sem));
    }

    // beyond CPython: release(n) wakes exactly n waiters
    @Test
    void releaseNWakesN() {
        Semaphore sem = semtype(5);
        for (int i = 0; i < 5; i++) sem.acquire();
        AtomicInteger passed = new AtomicInteger();
        Bunch b = new Bunch(5, () -> {
            sem.acquire();
            passed.incrementAndGet();
        });
        b.awaitAllBlockedIn("Semaphore.acquire");
        assertEquals(0, passed.get());
        sem.release(3);
        awaitTrue("3 passed", () -> passed.get() >= 3);
        // nothing more should pass: a short grace to let a wrongly woken fourth show itself
        Bunch.pause(50);
        assertEquals(3, passed.get());
        sem.release(2);
        b.waitForFinished();
        assertEquals(5, passed.get());
        assertEquals(0, available(sem));
    }

    // beyond CPython: the contract's FIFO wake order of waiters (each worker starts waiting only
    // once the one before is seen blocked in acquire())
    @Test
    void waitersAreWokenInFifoOrder() {
        Semaphore sem = semtype(1);
        sem.acquire();
        ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
        List<Bunch> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int index = i;
            Bunch w = new Bunch(1, () -> {
                sem.acquire();
                order.add(index);
            });
            // blocked in the wait of the Semaphore's Condition: a registered waiter, queued
            w.awaitAllBlockedIn("Semaphore.acquire", "Condition$Waiter.await");
            workers.add(w);
        }
        for (int i = 0; i < 4; i++) {
            sem.release();
            int want = i + 1;
            awaitTrue("a worker passed", () -> order.size() == want);
        }
        for (Bunch w : workers) w.waitForFinished();
        assertEquals(List.of(0, 1, 2, 3), new ArrayList<>(order));
    }
}
