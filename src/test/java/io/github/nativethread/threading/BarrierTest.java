// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.threading.Bunch.assertWaitedAtLeast;
import static io.github.nativethread.threading.Bunch.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A port of CPython's Lib/test/lock_tests.py {@code BarrierTests} (3.11-3.14) to {@link Barrier}.
 *
 * <p>Differences: CPython's barrier has a default timeout of 2 s; this one 30 s, so a slow machine
 * does not break it (the tests that override it show the override works: they end in well under
 * 30 s). In {@code test_timeout}/{@code test_default_timeout} CPython's late thread sleeps 1 s;
 * here it waits until the barrier is broken, which is what the sleep stands for.
 *
 * <p>Not ported: {@code test_repr} (the contract does not specify {@code Barrier.toString()}).
 */
class BarrierTest {
    static final int N = 5;
    static final double DEFAULT_TIMEOUT = 30.0;

    private Barrier barrier;

    @BeforeEach
    void setUp() {
        barrier = new Barrier(N, null, DEFAULT_TIMEOUT);
    }

    @AfterEach
    void tearDown() {
        // frees any thread a failed test left waiting
        barrier.abort();
    }

    /** run_threads: f in N-1 new threads and in this one. */
    private static void runThreads(Bunch.Body f) {
        Bunch b = new Bunch(N - 1, f);
        try {
            f.run();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            b.waitForFinished();
        }
    }

    // multipass: the parties go through the barrier in lockstep
    private void multipass(AtomicInteger before, AtomicInteger after, int passes) {
        int m = barrier.parties();
        assertEquals(N, m);
        for (int i = 0; i < passes; i++) {
            before.incrementAndGet();
            assertEquals(i * m, after.get());
            barrier.await();
            after.incrementAndGet();
            assertEquals((i + 1) * m, before.get());
            barrier.await();
        }
        assertEquals(0, barrier.nWaiting());
        assertFalse(barrier.isBroken());
    }

    // test_barrier
    @Test
    void barrier() {
        AtomicInteger before = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        runThreads(() -> multipass(before, after, 1));
    }

    // test_barrier_10
    @Test
    void barrier10() {
        AtomicInteger before = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        runThreads(() -> multipass(before, after, 10));
    }

    // test_wait_return: the indexes of one round are 0..N-1, each once
    @Test
    void waitReturn() {
        ConcurrentLinkedQueue<Integer> results = new ConcurrentLinkedQueue<>();
        runThreads(() -> results.add(barrier.await()));
        List<Integer> sorted = new ArrayList<>(results);
        Collections.sort(sorted);
        assertEquals(List.of(0, 1, 2, 3, 4), sorted);
    }

    // test_action
    @Test
    void action() {
        AtomicInteger results = new AtomicInteger();
        Barrier barrier = new Barrier(N, results::incrementAndGet);
        runThreads(() -> {
            barrier.await();
            assertEquals(1, results.get());
        });
    }

    // test_action, over several rounds: exactly one party of each round runs the action, before
    // any party of that round is released
    @Test
    void actionOnlyOnce() {
        AtomicInteger runs = new AtomicInteger();
        ConcurrentLinkedQueue<String> runners = new ConcurrentLinkedQueue<>();
        Barrier barrier = new Barrier(N, () -> {
            runs.incrementAndGet();
            runners.add(Thread.currentThread().getName());
        });
        int rounds = 5;
        runThreads(() -> {
            for (int i = 0; i < rounds; i++) {
                barrier.await();
                // no party of the next round can run the action before this one has arrived
                assertEquals(i + 1, runs.get());
            }
        });
        assertEquals(rounds, runs.get());
        assertEquals(rounds, runners.size());
        assertFalse(barrier.isBroken());
    }

    // test_abort
    @Test
    void abort() {
        AtomicInteger results1 = new AtomicInteger();
        AtomicInteger results2 = new AtomicInteger();
        runThreads(() -> {
            try {
                int i = barrier.await();
                if (i == N / 2) throw new IllegalStateException("this party aborts");
                barrier.await();
                results1.incrementAndGet();
            } catch (BrokenBarrierError e) {
                results2.incrementAndGet();
            } catch (IllegalStateException e) {
                barrier.abort();
            }
        });
        assertEquals(0, results1.get());
        assertEquals(N - 1, results2.get());
        assertTrue(barrier.isBroken());
        // every later await throws until reset()
        assertThrows(BrokenBarrierError.class, () -> barrier.await());
        assertThrows(BrokenBarrierError.class, () -> barrier.await(1.0));
    }

    // test_reset: reset() frees the waiting threads
    @Test
    void reset() {
        AtomicInteger results1 = new AtomicInteger();
        AtomicInteger results2 = new AtomicInteger();
        AtomicInteger results3 = new AtomicInteger();
        runThreads(() -> {
            int i = barrier.await();
            if (i == N / 2) {
                // wait until the other threads are all in the barrier
                awaitTrue("the others waiting", () -> barrier.nWaiting() == N - 1);
                barrier.reset();
            } else {
                try {
                    barrier.await();
                    results1.incrementAndGet();
                } catch (BrokenBarrierError e) {
                    results2.incrementAndGet();
                }
            }
            // now, pass the barrier again
            barrier.await();
            results3.incrementAndGet();
        });
        assertEquals(0, results1.get());
        assertEquals(N - 1, results2.get());
        assertEquals(N, results3.get());
        assertFalse(barrier.isBroken());
    }

    // test_abort_and_reset: a barrier can be reset after being broken
    @Test
    void abortAndReset() {
        AtomicInteger results1 = new AtomicInteger();
        AtomicInteger results2 = new AtomicInteger();
        AtomicInteger results3 = new AtomicInteger();
        Barrier barrier2 = new Barrier(N);
        runThreads(() -> {
            try {
                int i = barrier.await();
                if (i == N / 2) throw new IllegalStateException("this party aborts");
                barrier.await();
                results1.incrementAndGet();
            } catch (BrokenBarrierError e) {
                results2.incrementAndGet();
            } catch (IllegalStateException e) {
                barrier.abort();
            }
            // synchronise and reset the barrier: first so that everyone has left it, and after so
            // that no one enters it before the reset
            if (barrier2.await() == N / 2) barrier.reset();
            barrier2.await();
            barrier.await();
            results3.incrementAndGet();
        });
        assertEquals(0, results1.get());
        assertEquals(N - 1, results2.get());
        assertEquals(N, results3.get());
        assertFalse(barrier.isBroken());
    }

    // test_timeout: a given timeout overrides the default (30 s here) and breaks the barrier
    @Test
    void timeout() {
        Barrier start = new Barrier(N);
        ConcurrentLinkedQueue<Long> waited = new ConcurrentLinkedQueue<>();
        runThreads(() -> {
            int i = start.await();
            if (i == N / 2) {
                // one thread is late (CPython: sleeps 1 s): it comes once the others have timed out
                awaitTrue("the barrier broken", barrier::isBroken);
                assertThrows(BrokenBarrierError.class, () -> barrier.await(0.5));
            } else {
                long t0 = System.nanoTime();
                assertThrows(BrokenBarrierError.class, () -> barrier.await(0.5));
                waited.add(System.nanoTime() - t0);
            }
        });
        assertTrue(barrier.isBroken());
        assertEquals(N - 1, waited.size());
        // the one that timed out waited at least 0.5 s; the others were freed when it broke the barrier
        assertWaitedAtLeast(0.5, Collections.max(waited));
        for (long w : waited) assertTrue(w < Bunch.SANE_UPPER_NS, "waited " + w + " ns");
    }

    // test_default_timeout: the barrier's own timeout applies to await()
    @Test
    void defaultTimeout() {
        // a barrier with a low default timeout; CPython passes it once first to pick the late thread,
        // here a barrier without a timeout does that, so slow thread start-up cannot break it early
        Barrier barrier = new Barrier(N, null, 0.3);
        Barrier start = new Barrier(N);
        ConcurrentLinkedQueue<Long> waited = new ConcurrentLinkedQueue<>();
        try {
            runThreads(() -> {
                int i = start.await();
                if (i == N / 2) {
                    awaitTrue("the barrier broken", barrier::isBroken);
                    assertThrows(BrokenBarrierError.class, barrier::await);
                } else {
                    long t0 = System.nanoTime();
                    assertThrows(BrokenBarrierError.class, barrier::await);
                    waited.add(System.nanoTime() - t0);
                }
            });
        } finally {
            barrier.abort();
        }
        assertEquals(N - 1, waited.size());
        assertWaitedAtLeast(0.3, Collections.max(waited));
    }

    // test_single_thread
    @Test
    void singleThread() {
        AtomicInteger runs = new AtomicInteger();
        Barrier b = new Barrier(1);
        assertEquals(0, b.await());
        assertEquals(0, b.await());
        Barrier withAction = new Barrier(1, runs::incrementAndGet);
        assertEquals(0, withAction.await());
        assertEquals(0, withAction.await(1.0));
        assertEquals(2, runs.get());
        assertEquals(1, withAction.parties());
        assertEquals(0, withAction.nWaiting());
    }

    // beyond CPython's tests (its Barrier semantics): an action that throws breaks the barrier; the
    // party that ran it gets its exception, the others BrokenBarrierError; reset() mends it
    @Test
    void actionThatThrowsBreaksTheBarrier() {
        class Boom extends RuntimeException {}
        AtomicInteger calls = new AtomicInteger();
        Barrier barrier = new Barrier(N, () -> {
            if (calls.incrementAndGet() == 1) throw new Boom();
        });
        AtomicInteger booms = new AtomicInteger();
        AtomicInteger broken = new AtomicInteger();
        AtomicInteger passed = new AtomicInteger();
        Barrier sync = new Barrier(N);
        try {
            runThreads(() -> {
                try {
                    barrier.await();
                } catch (Boom e) {
                    booms.incrementAndGet();
                } catch (BrokenBarrierError e) {
                    broken.incrementAndGet();
                }
                if (sync.await() == 0) {
                    assertTrue(barrier.isBroken());
                    barrier.reset();
                }
                sync.await();
                barrier.await();
                passed.incrementAndGet();
            });
        } finally {
            barrier.abort();
        }
        assertEquals(1, booms.get());
        assertEquals(N - 1, broken.get());
        assertEquals(N, passed.get());
        assertEquals(2, calls.get());
    }

    // beyond CPython's tests: nWaiting() counts the parties waiting in the current round
    @Test
    void nWaitingCountsTheWaiters() {
        Barrier barrier = new Barrier(3);
        ConcurrentLinkedQueue<Integer> indexes = new ConcurrentLinkedQueue<>();
        Bunch b = new Bunch(2, () -> indexes.add(barrier.await(Bunch.LONG_TIMEOUT_S)));
        awaitTrue(() -> "2 waiting (" + barrier.nWaiting() + ")", () -> barrier.nWaiting() == 2);
        assertEquals(3, barrier.parties());
        assertFalse(barrier.isBroken());
        indexes.add(barrier.await(Bunch.LONG_TIMEOUT_S));
        b.waitForFinished();
        assertEquals(0, barrier.nWaiting());
        List<Integer> sorted = new ArrayList<>(indexes);
        Collections.sort(sorted);
        assertEquals(List.of(0, 1, 2), sorted);
    }
}
