// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import static io.github.nativethread.stress.StressChild.check;
import static io.github.nativethread.stress.StressChild.numbers;
import static io.github.nativethread.stress.StressChild.result;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadError;
import io.github.nativethread.ThreadHandle;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 4: exact counts. Worker threads (started by the library) share a plain counter that only
 * a lock protects and run a mix of operations (op = (i + worker) % 4, so the kinds overlap in time):
 * <ul>
 * <li>NativeLock: 0 blocking {@code acquire()}, 1 timed {@code acquire(0.001)}, 2 non-blocking
 *     {@code acquire(false)}, 3 hand-over: {@code acquire()}, increment, and a releaser thread
 *     releases the lock (cross-thread release).
 * <li>NativeRLock: the same first three, each re-entered once with the same kind of acquire
 *     (which must succeed at once), and 3: {@code hold()} plus two re-entries (depth 3); a meddler
 *     thread keeps calling {@code release()} without owning it, which must always be refused.
 * </ul>
 * The counter must equal the number of successful critical sections; a timed acquire that fails
 * must have waited at least its 1 ms.
 */
final class LockScenarios {
    private LockScenarios() {}

    /** The shared state; {@code counter} is a plain field: only the lock protects it. */
    private static final class Shared {
        int counter;
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        /** The critical section: a read-modify-write with a window for a racing thread. */
        void critical() {
            int c = counter;
            if ((c & 15) == 0) Thread.onSpinWait();
            counter = c + 1;
        }

        void error(String e) {
            if (errors.size() < 5) errors.add(e);
        }
    }

    /** Per-worker tallies, added up after the join. */
    private static final class Tally {
        long blocking, timedOk, timedOut, early, tryOk, tryFail, handedOver, reentryFailures;

        long successes() {
            return blocking + timedOk + tryOk + handedOver;
        }

        void add(Tally t) {
            blocking += t.blocking;
            timedOk += t.timedOk;
            timedOut += t.timedOut;
            early += t.early;
            tryOk += t.tryOk;
            tryFail += t.tryFail;
            handedOver += t.handedOver;
            reentryFailures += t.reentryFailures;
        }
    }

    private static final long MS = 1_000_000;

    static void counts(StressChild.Params p, List<String> failures) {
        String kind = p.s("lock");
        int threads = p.i("threads");
        int ops = p.i("ops");
        int perThread = ops / threads;
        Shared shared = new Shared();
        Tally[] tallies = new Tally[threads];
        ThreadHandle[] workers = new ThreadHandle[threads];
        boolean rlock = kind.equals("rlock");
        NativeLock lock = new NativeLock();
        NativeRLock rl = new NativeRLock();
        // NativeLock: the hand-over's releaser; ready is a binary semaphore, released only by the
        // lock's holder, so it is always locked when released.
        NativeLock ready = new NativeLock();
        ready.acquire();
        AtomicLong released = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong meddled = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ThreadHandle helper;
        if (rlock) {
            helper = NativeThread.builder().name("meddler").start(() -> {
                while (!stop.get()) {
                    try {
                        rl.release();
                        meddled.incrementAndGet();
                    } catch (ThreadError expected) {
                        refused.incrementAndGet();
                    }
                    LockSupport.parkNanos(50_000);
                }
            });
        } else {
            helper = NativeThread.builder().name("releaser").start(() -> {
                for (;;) {
                    ready.acquire();
                    if (stop.get()) return;
                    lock.release();
                    released.incrementAndGet();
                }
            });
        }
        StressChild.phase = threads + " workers, " + ops + " ops on " + kind;
        long t0 = System.nanoTime();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Tally t = tallies[w] = new Tally();
            workers[w] = NativeThread.builder().name("worker-" + w).start(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        if (rlock) rlockOp(rl, (i + worker) & 3, shared, t);
                        else lockOp(lock, ready, (i + worker) & 3, shared, t);
                    }
                } catch (Throwable e) {
                    shared.error("worker " + worker + ": " + e);
                }
            });
        }
        for (ThreadHandle w : workers) w.join();
        long elapsed = System.nanoTime() - t0;
        StressChild.phase = "stopping the " + (rlock ? "meddler" : "releaser");
        if (!rlock) {
            while (lock.locked()) Thread.onSpinWait();  // the last hand-over has been released
        }
        stop.set(true);
        if (!rlock) ready.release();
        helper.join();

        Tally sum = new Tally();
        for (Tally t : tallies) sum.add(t);
        long expectedBlocking = 0, expectedHandOver = 0;
        for (int w = 0; w < threads; w++) {
            for (int i = 0; i < perThread; i++) {
                int op = (i + w) & 3;
                if (op == 0) expectedBlocking++;
                if (op == 3) expectedHandOver++;
            }
        }
        long total = (long) perThread * threads;
        result("counter " + shared.counter + " = " + sum.successes() + " critical sections: "
                + (shared.counter == sum.successes() ? "exact" : "MISMATCH"));
        numbers(String.format("%d ops in %.2f s (%.0f ns/op); blocking %d, timed ok %d / timed out %d (early %d),"
                        + " try ok %d / busy %d, %s",
                total, elapsed / 1e9, elapsed / (double) total, sum.blocking, sum.timedOk, sum.timedOut, sum.early,
                sum.tryOk, sum.tryFail,
                rlock ? String.format("depth-3 holds %d, re-entry failures %d, foreign releases refused %d / accepted %d",
                                sum.handedOver, sum.reentryFailures, refused.get(), meddled.get())
                        : String.format("hand-overs %d, released by the releaser %d", sum.handedOver, released.get())));
        check(failures, shared.errors.isEmpty(), "errors: " + shared.errors);
        check(failures, shared.counter == sum.successes(),
                "counter " + shared.counter + " != " + sum.successes() + " successful critical sections");
        check(failures, sum.blocking == expectedBlocking, "blocking acquires " + sum.blocking + " != " + expectedBlocking);
        check(failures, sum.handedOver == expectedHandOver, (rlock ? "depth-3 holds " : "hand-overs ")
                + sum.handedOver + " != " + expectedHandOver);
        check(failures, sum.timedOk + sum.timedOut + sum.tryOk + sum.tryFail + sum.blocking + sum.handedOver == total,
                "operations do not add up to " + total);
        check(failures, sum.early == 0, sum.early + " timed acquires gave up before 1 ms");
        if (rlock) {
            check(failures, sum.reentryFailures == 0, sum.reentryFailures + " re-entries failed");
            check(failures, meddled.get() == 0, meddled.get() + " releases by a non-owner were accepted");
            check(failures, !rl.locked(), "the RLock is still locked");
        } else {
            check(failures, released.get() == sum.handedOver, "releaser released " + released.get() + " of "
                    + sum.handedOver + " hand-overs");
            check(failures, !lock.locked(), "the lock is still locked");
        }
    }

    private static void lockOp(NativeLock lock, NativeLock ready, int op, Shared s, Tally t) {
        switch (op) {
            case 0:
                lock.acquire();
                s.critical();
                lock.release();
                t.blocking++;
                break;
            case 1: {
                long t0 = System.nanoTime();
                if (lock.acquire(0.001)) {
                    s.critical();
                    lock.release();
                    t.timedOk++;
                } else {
                    t.timedOut++;
                    if (System.nanoTime() - t0 < MS) t.early++;
                }
                break;
            }
            case 2:
                if (lock.acquire(false)) {
                    s.critical();
                    lock.release();
                    t.tryOk++;
                } else {
                    t.tryFail++;
                }
                break;
            default:
                lock.acquire();
                s.critical();
                t.handedOver++;
                ready.release();  // the releaser releases the lock
                break;
        }
    }

    private static void rlockOp(NativeRLock rl, int op, Shared s, Tally t) {
        switch (op) {
            case 0:
                rl.acquire();
                if (!rl.acquire()) t.reentryFailures++;
                inside(rl, 2, s, t);
                rl.release();
                rl.release();
                t.blocking++;
                break;
            case 1: {
                long t0 = System.nanoTime();
                if (rl.acquire(0.001)) {
                    long t1 = System.nanoTime();
                    if (!rl.acquire(0.001) || System.nanoTime() - t1 > 500 * MS) t.reentryFailures++;
                    inside(rl, 2, s, t);
                    rl.release();
                    rl.release();
                    t.timedOk++;
                } else {
                    t.timedOut++;
                    if (System.nanoTime() - t0 < MS) t.early++;
                }
                break;
            }
            case 2:
                if (rl.acquire(false)) {
                    if (!rl.acquire(false)) t.reentryFailures++;
                    inside(rl, 2, s, t);
                    rl.release();
                    rl.release();
                    t.tryOk++;
                } else {
                    t.tryFail++;
                }
                break;
            default:
                try (NativeLock.Hold h = rl.hold()) {
                    rl.acquire();
                    if (!rl.acquire(false)) t.reentryFailures++;
                    inside(rl, 3, s, t);
                    rl.release();
                    rl.release();
                }
                if (rl.isOwned()) t.reentryFailures++;
                t.handedOver++;
                break;
        }
        if (rl.isOwned() || rl.recursionCount() != 0) t.reentryFailures++;
    }

    private static void inside(NativeRLock rl, int depth, Shared s, Tally t) {
        if (!rl.isOwned() || rl.recursionCount() != depth) t.reentryFailures++;
        s.critical();
    }
}
