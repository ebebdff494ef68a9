// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.threading.Bunch.assertWaitedAtLeast;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeThread;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * A port of CPython's Lib/test/lock_tests.py {@code EventTests} (3.11-3.14) to {@link Event}.
 *
 * <p>Not ported: {@code test_reset_internal_locks} (CPython's after-fork re-initialisation of the
 * internal Condition; Java has no fork and the contract no such method) and {@code test_repr}
 * (the contract does not specify {@code Event.toString()}).
 */
class EventTest {
    static final int N = 5;

    // test_is_set
    @Test
    void isSet() {
        Event evt = new Event();
        assertFalse(evt.isSet());
        evt.set();
        assertTrue(evt.isSet());
        evt.set();
        assertTrue(evt.isSet());
        evt.clear();
        assertFalse(evt.isSet());
        evt.clear();
        assertFalse(evt.isSet());
    }

    // _check_notify: every waiter is woken by set(), and a second await() on a set event returns at once
    private static void checkNotify(Event evt) {
        ConcurrentLinkedQueue<Boolean> results1 = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Boolean> results2 = new ConcurrentLinkedQueue<>();
        Bunch b = new Bunch(N, () -> {
            results1.add(evt.await());
            results2.add(evt.await());
        });
        // CPython sleeps here "to let them block"; we wait until each one is blocked in Event.await
        b.awaitAllBlockedIn("Event.await");
        assertEquals(0, results1.size());
        evt.set();
        b.waitForFinished();
        assertEquals(Collections.nCopies(N, true), new ArrayList<>(results1));
        assertEquals(Collections.nCopies(N, true), new ArrayList<>(results2));
    }

    // test_notify
    @Test
    void notifyWakesEveryWaiter() {
        Event evt = new Event();
        checkNotify(evt);
        // another time, after an explicit clear()
        evt.set();
        evt.clear();
        checkNotify(evt);
    }

    // test_timeout
    @Test
    void timeout() {
        Event evt = new Event();
        ConcurrentLinkedQueue<Boolean> results1 = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<long[]> results2 = new ConcurrentLinkedQueue<>();  // {result, waited ns}
        Bunch.Body f = () -> {
            results1.add(evt.await(0.0));
            long t1 = System.nanoTime();
            boolean r = evt.await(0.5);
            long t2 = System.nanoTime();
            results2.add(new long[] {r ? 1 : 0, t2 - t1});
        };
        new Bunch(N, f).waitForFinished();
        assertEquals(Collections.nCopies(N, false), new ArrayList<>(results1));
        assertEquals(N, results2.size());
        for (long[] r : results2) {
            assertEquals(0, r[0], "await(0.5) on an event never set returned true");
            assertWaitedAtLeast(0.5, r[1]);
        }
        // the event is set
        results1.clear();
        results2.clear();
        evt.set();
        new Bunch(N, f).waitForFinished();
        assertEquals(Collections.nCopies(N, true), new ArrayList<>(results1));
        assertEquals(N, results2.size());
        for (long[] r : results2) {
            assertEquals(1, r[0]);
            assertTrue(r[1] < Bunch.SANE_UPPER_NS, "await(0.5) on a set event waited " + r[1] + " ns");
        }
    }

    // test_set_and_clear (bpo-13502): await(t) is true when the event was set and cleared again
    // before the waiter woke
    @Test
    void setAndClear() {
        Event evt = new Event();
        ConcurrentLinkedQueue<Boolean> results = new ConcurrentLinkedQueue<>();
        // CPython waits 1 s with a 0.25 s head start; here the waiters wait 30 s (a missed set()
        // fails after 30 s) and the set+clear comes once each of them is seen blocked in its wait
        Bunch b = new Bunch(N, () -> results.add(evt.await(30)));
        // blocked in the wait of the Event's Condition (Event is built on one): a registered waiter
        // that the set() must reach, not a thread still on its way in
        b.awaitAllBlockedIn("Event.await", "Condition$Waiter.await");
        evt.set();
        evt.clear();
        b.waitForFinished();
        assertEquals(Collections.nCopies(N, true), new ArrayList<>(results));
        assertFalse(evt.isSet());
    }

    // beyond CPython: a waiter that arrives after a set+clear waits again (the flag is what counts)
    @Test
    void aWaiterArrivingAfterClearTimesOut() {
        Event evt = new Event();
        evt.set();
        evt.clear();
        long t0 = System.nanoTime();
        assertFalse(evt.await(0.05));
        assertWaitedAtLeast(0.05, System.nanoTime() - t0);
    }

    // beyond CPython: await() on a set event returns at once, in the calling thread too
    @Test
    void awaitOnASetEventReturnsAtOnce() {
        Event evt = new Event();
        evt.set();
        assertTrue(evt.await());
        assertTrue(evt.await(0));
        assertTrue(evt.await(NativeThread.TIMEOUT_MAX));
        assertTrue(evt.await(-1));
    }
}
