// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The usage examples of the threading layer, as tests: each reads as the documentation's example,
 * with its waits bounded (a generous {@link #BOUND}) so that a lost wake-up fails instead of hanging.
 */
class ThreadingExamplesTest {
    /** Seconds: far more than anything here takes; only a hang reaches it. */
    static final double BOUND = 30.0;

    /** A worker waits for an event; the thread that started it sets it. */
    @Test
    void aWorkerWaitsUntilTheStarterSetsAnEvent() {
        Event ready = new Event();
        AtomicReference<String> seen = new AtomicReference<>();
        String[] data = new String[1];

        OsThread worker = new OsThread(() -> {
            ready.await();              // blocks until set()
            seen.set(data[0]);          // everything before set() is visible here
        }, "worker");
        worker.start();

        data[0] = "the data";
        ready.set();                    // wakes the worker

        assertTrue(worker.join(BOUND));
        assertEquals("the data", seen.get());
        assertTrue(ready.isSet());
    }

    /** signalAll() wakes every waiter; each returns true from await() and holds the lock in turn. */
    @Test
    void signalAllWakesEveryWaiterEachHoldingTheLockInTurn() {
        int n = 8;
        Condition cond = new Condition();
        int[] waiting = {0};            // guarded by cond's lock
        boolean[] go = {false};         // guarded by cond's lock
        AtomicInteger inside = new AtomicInteger();
        List<String> woken = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();

        List<OsThread> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            OsThread t = new OsThread(() -> {
                try (NativeLock.Hold h = cond.hold()) {
                    waiting[0]++;
                    while (!go[0]) {
                        if (!cond.await(BOUND)) failures.add("await timed out");  // true: signalled
                    }
                    // the lock is ours again: no other waiter is in here
                    if (inside.incrementAndGet() != 1) failures.add("two threads held the lock");
                    woken.add(Thread.currentThread().getName());
                    inside.decrementAndGet();
                }
            }, "waiter-" + i);
            t.start();
            waiters.add(t);
        }

        // once we hold the lock and see all n counted, all n are in await() (it released the lock)
        long deadline = System.nanoTime() + (long) (BOUND * 1e9);
        while (true) {
            try (NativeLock.Hold h = cond.hold()) {
                if (waiting[0] == n) {
                    go[0] = true;
                    cond.signalAll();
                    break;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the waiters never all waited");
            Thread.yield();
        }

        for (OsThread t : waiters) assertTrue(t.join(BOUND), t + " still waits");
        assertEquals(List.of(), failures);
        assertEquals(n, woken.size());
    }

    /** A loop in a thread, stopped cooperatively: the event is both the stop flag and the pause. */
    @Test
    void aLoopStoppedCooperativelyByAnEvent() {
        Event stop = new Event();
        Event busy = new Event();                // set after a few rounds, for the test only
        AtomicLong rounds = new AtomicLong();

        OsThread poller = new OsThread(() -> {
            while (!stop.await(0.01)) {          // a 10 ms pause, ended at once by stop.set()
                if (rounds.incrementAndGet() == 3) busy.set();   // one round of work
            }
        }, "poller");
        poller.start();
        assertTrue(busy.await(BOUND), "the poller never ran");

        stop.set();                              // ask it to stop...
        assertTrue(poller.join(5.0));            // ...and wait, bounded, until it has
        assertFalse(poller.isAlive());
        assertTrue(rounds.get() >= 3);
    }

    /** The same with the flag tested first: {@code while (!stop.isSet()) { work }}. */
    @Test
    void aLoopThatChecksTheEventBetweenWorkItems() {
        Event stop = new Event();
        Semaphore work = new Semaphore(0);
        AtomicInteger done = new AtomicInteger();

        OsThread worker = new OsThread(() -> {
            while (!stop.isSet()) {
                if (work.acquire(0.05)) done.incrementAndGet();  // one item, or a timeout to look again
            }
        }, "worker");
        worker.start();

        work.release(5);
        long deadline = System.nanoTime() + (long) (BOUND * 1e9);
        while (done.get() < 5) {
            assertTrue(System.nanoTime() < deadline, "the worker did " + done.get() + " of 5 items");
            Thread.yield();
        }
        stop.set();
        assertTrue(worker.join(BOUND));
        assertEquals(5, done.get());
    }

    /** activeCount() counts the OsThreads that are alive: up while they run, back down after. */
    @Test
    void activeCountGoesUpAndBackDown() {
        awaitLeftoversEnded();
        int before = OsThread.activeCount();
        Event release = new Event();
        List<OsThread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            OsThread t = new OsThread(release::await, "counted-" + i);
            t.start();                    // alive from here on
            threads.add(t);
            assertEquals(before + i + 1, OsThread.activeCount());
        }
        assertTrue(OsThread.enumerate().containsAll(threads));

        release.set();
        for (OsThread t : threads) assertTrue(t.join(BOUND));  // run() has returned: not alive any more
        assertEquals(before, OsThread.activeCount());
        for (OsThread t : threads) assertFalse(OsThread.enumerate().contains(t));
    }

    /** OsThreads of earlier tests that are still ending would change the count under this test:
     *  give them a while (not an assertion: a test may leave one running for good). */
    private static void awaitLeftoversEnded() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (OsThread t : OsThread.enumerate()) t.join(Math.max(0, (deadline - System.nanoTime()) / 1e9));
    }

    /** A subclass overriding run(), and a Timer that is due and one that is cancelled. */
    @Test
    void aSubclassAndTimers() {
        AtomicBoolean ran = new AtomicBoolean();
        OsThread sub = new OsThread() {
            @Override
            public void run() {
                ran.set(true);
            }
        };
        sub.start();
        assertTrue(sub.join(BOUND));
        assertTrue(ran.get());

        Event fired = new Event();
        Timer due = new Timer(0.05, fired::set);
        AtomicBoolean cancelledRan = new AtomicBoolean();
        Timer cancelled = new Timer(BOUND, () -> cancelledRan.set(true));
        long t0 = System.nanoTime();
        due.start();
        cancelled.start();
        cancelled.cancel();
        assertTrue(fired.await(BOUND));
        assertTrue(System.nanoTime() - t0 >= 50_000_000L, "fired before its interval");
        assertTrue(due.join(BOUND));
        assertTrue(cancelled.join(BOUND), "a cancelled timer's thread ends promptly");
        assertFalse(cancelledRan.get());
    }
}
