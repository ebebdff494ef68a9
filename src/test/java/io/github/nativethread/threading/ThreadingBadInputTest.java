// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.threading.Bunch.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadError;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input to Event, Condition, Semaphore, BoundedSemaphore and Barrier gets the contract's
 * exception with a message naming the value, and leaves the object as it was.
 */
class ThreadingBadInputTest {
    /** Bad blocking timeouts, with what the message must contain (besides the value itself). */
    static final double[] BAD_TIMEOUTS = {
        Double.NaN, -2, -1.5, -1e-9, Double.NEGATIVE_INFINITY,
        NativeThread.TIMEOUT_MAX * 2, Math.nextUp(NativeThread.TIMEOUT_MAX), Double.POSITIVE_INFINITY,
    };

    static String ruleFor(double timeout) {
        if (Double.isNaN(timeout)) return "NaN";
        if (timeout < 0) return "timeout value must be a non-negative number";
        return "timeout value is too large";
    }

    static void assertIae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(message),
                () -> "message \"" + e.getMessage() + "\" does not contain \"" + message + "\"");
    }

    /** Every bad blocking timeout makes {@code call} throw IllegalArgumentException naming the
     *  value and the rule broken. */
    static void assertBadTimeoutsRefused(String what, DoubleConsumer call) {
        for (double t : BAD_TIMEOUTS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(t),
                    () -> what + " accepted timeout " + t);
            String m = e.getMessage();
            assertTrue(m != null && m.contains(ruleFor(t)), () -> what + "(" + t + "): message \"" + m + "\"");
            assertTrue(m.contains(String.valueOf(t)), () -> what + "(" + t + "): message \"" + m + "\" does not name the value");
        }
    }

    /** A non-blocking call with a timeout other than -1 is refused, naming the timeout. */
    static void assertNonBlockingTimeoutRefused(String what, DoubleConsumer nonBlocking) {
        for (double t : new double[] {0.0, 1.0, 0.5, NativeThread.TIMEOUT_MAX}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nonBlocking.accept(t),
                    () -> what + " accepted a non-blocking call with timeout " + t);
            String m = e.getMessage();
            assertTrue(m != null && m.contains("can't specify a timeout for a non-blocking call"),
                    () -> what + ": message \"" + m + "\"");
            assertTrue(m.contains(String.valueOf(t)), () -> what + ": message \"" + m + "\" does not name " + t);
        }
    }

    // ---- Event -------------------------------------------------------------------------------

    @Test
    void eventTimeouts() {
        Event evt = new Event();
        assertBadTimeoutsRefused("Event.await", evt::await);
        assertFalse(evt.isSet());
        // the largest is accepted (the event is set, so it returns at once)
        evt.set();
        assertTrue(evt.await(NativeThread.TIMEOUT_MAX));
    }

    // ---- Condition ---------------------------------------------------------------------------

    @Test
    void conditionAcquireTimeouts() {
        for (Condition cond : new Condition[] {new Condition(), new Condition(new NativeLock())}) {
            assertBadTimeoutsRefused("Condition.acquire", cond::acquire);
            assertBadTimeoutsRefused("Condition.acquire(true, t)", t -> cond.acquire(true, t));
            assertNonBlockingTimeoutRefused("Condition.acquire(false, t)", t -> cond.acquire(false, t));
            assertTrue(cond.acquire(false));  // nothing was taken by the refused calls
            cond.release();
        }
    }

    /** A condition whose lock is held by this thread; a bad-timeout await must leave it held at
     *  the same level, and must leave no waiter behind (a later signal(1) reaches a real waiter). */
    @Test
    void conditionAwaitTimeouts() {
        NativeRLock rlock = new NativeRLock();
        Condition cond = new Condition(rlock);
        rlock.acquire();
        rlock.acquire();
        assertBadTimeoutsRefused("Condition.await", cond::await);
        assertBadTimeoutsRefused("Condition.awaitFor", t -> cond.awaitFor(() -> false, t));
        assertEquals(2, rlock.recursionCount());
        assertTrue(rlock.isOwned());
        rlock.release();
        rlock.release();
        assertSignalReachesANewWaiter(cond);

        NativeLock lock = new NativeLock();
        Condition plain = new Condition(lock);
        lock.acquire();
        assertBadTimeoutsRefused("Condition(NativeLock).await", plain::await);
        assertBadTimeoutsRefused("Condition(NativeLock).awaitFor", t -> plain.awaitFor(() -> false, t));
        assertTrue(lock.locked());
        lock.release();
        assertSignalReachesANewWaiter(plain);
    }

    /** One worker waits; a single signal() must wake it (no stale waiter absorbs it). */
    private static void assertSignalReachesANewWaiter(Condition cond) {
        AtomicInteger ready = new AtomicInteger();
        AtomicBoolean woken = new AtomicBoolean();
        Bunch b = new Bunch(1, () -> {
            cond.acquire();
            ready.incrementAndGet();
            woken.set(cond.await(Bunch.LONG_TIMEOUT_S));
            cond.release();
        });
        awaitTrue("worker waiting", () -> ready.get() == 1);
        cond.acquire();
        cond.signal();
        cond.release();
        b.waitForFinished();
        assertTrue(woken.get(), "signal() did not reach the waiter");
    }

    @Test
    void conditionWithoutTheLock() {
        Condition cond = new Condition();
        Condition plain = new Condition(new NativeLock());
        for (Condition c : new Condition[] {cond, plain}) {
            assertThreadError("cannot wait on un-acquired lock", c::await);
            assertThreadError("cannot wait on un-acquired lock", () -> c.await(1.0));
            // (a predicate already true returns before any wait, without the check, as in CPython)
            assertThreadError("cannot wait on un-acquired lock", () -> c.awaitFor(() -> false));
            assertThreadError("cannot wait on un-acquired lock", () -> c.awaitFor(() -> false, 1.0));
            assertThreadError("cannot notify on un-acquired lock", c::signal);
            assertThreadError("cannot notify on un-acquired lock", () -> c.signal(1));
            assertThreadError("cannot notify on un-acquired lock", c::signalAll);
        }
        // an RLock held by another thread is not held by this one
        NativeRLock rlock = new NativeRLock();
        Condition other = new Condition(rlock);
        Bunch holder = new Bunch(1, rlock::acquire, true);
        try {
            awaitTrue("the other thread holds the lock", rlock::locked);
            assertThreadError("cannot wait on un-acquired lock", other::await);
            assertThreadError("cannot wait on un-acquired lock", () -> other.await(0.01));
            assertThreadError("cannot notify on un-acquired lock", other::signal);
            assertThreadError("cannot notify on un-acquired lock", other::signalAll);
        } finally {
            holder.doFinish();
        }
        holder.waitForFinished();
    }

    static void assertThreadError(String message, Executable call) {
        ThreadError e = assertThrows(ThreadError.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void conditionSignalCount() {
        Condition cond = new Condition();
        cond.acquire();
        assertThrows(IllegalArgumentException.class, () -> cond.signal(-1));
        assertThrows(IllegalArgumentException.class, () -> cond.signal(Integer.MIN_VALUE));
        cond.signal(0);  // fine: wakes none
        cond.release();
    }

    @Test
    void conditionNulls() {
        assertThrows(NullPointerException.class, () -> new Condition((NativeLock) null));
        assertThrows(NullPointerException.class, () -> new Condition((NativeRLock) null));
        Condition cond = new Condition();
        cond.acquire();
        assertThrows(NullPointerException.class, () -> cond.awaitFor(null));
        assertThrows(NullPointerException.class, () -> cond.awaitFor((BooleanSupplier) null, 1.0));
        cond.release();
    }

    // ---- Semaphore and BoundedSemaphore ------------------------------------------------------

    @Test
    void semaphoreInitialValue() {
        for (int bad : new int[] {-1, -100, Integer.MIN_VALUE}) {
            assertIae("semaphore initial value must be >= 0", () -> new Semaphore(bad));
            assertIae("semaphore initial value must be >= 0", () -> new BoundedSemaphore(bad));
        }
    }

    @Test
    void semaphoreTimeouts() {
        for (Semaphore sem : new Semaphore[] {new Semaphore(2), new BoundedSemaphore(2)}) {
            String name = sem.getClass().getSimpleName();
            assertBadTimeoutsRefused(name + ".acquire", sem::acquire);
            assertBadTimeoutsRefused(name + ".acquire(true, t)", t -> sem.acquire(true, t));
            // refused even with permits free: nothing is taken
            assertNonBlockingTimeoutRefused(name + ".acquire(false, t)", t -> sem.acquire(false, t));
            assertEquals(2, SemaphoreTestBase.available(sem), name);
        }
    }

    @Test
    void semaphoreReleaseCount() {
        for (Semaphore sem : new Semaphore[] {new Semaphore(0), new BoundedSemaphore(2)}) {
            if (sem instanceof BoundedSemaphore) {
                sem.acquire();
                sem.acquire();
            }
            for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertIae("n must be one or more", () -> sem.release(bad));
            }
            assertEquals(0, SemaphoreTestBase.available(sem), sem.getClass().getSimpleName());
        }
    }

    @Test
    void boundedSemaphoreOverRelease() {
        BoundedSemaphore sem = new BoundedSemaphore(2);
        assertIae("Semaphore released too many times", sem::release);
        assertIae("Semaphore released too many times", () -> sem.release(1));
        assertEquals(2, SemaphoreTestBase.available(sem));
        sem.acquire();
        assertIae("Semaphore released too many times", () -> sem.release(2));
        assertEquals(1, SemaphoreTestBase.available(sem));  // unchanged: not even one of the two
        sem.release();
        assertIae("Semaphore released too many times", sem::release);
        assertEquals(2, SemaphoreTestBase.available(sem));
        BoundedSemaphore zero = new BoundedSemaphore(0);
        assertIae("Semaphore released too many times", zero::release);
        assertEquals(0, SemaphoreTestBase.available(zero));
    }

    // ---- Barrier -----------------------------------------------------------------------------

    @Test
    void barrierParties() {
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> new Barrier(bad));
            assertThrows(IllegalArgumentException.class, () -> new Barrier(bad, null));
            assertThrows(IllegalArgumentException.class, () -> new Barrier(bad, null, 1.0));
        }
    }

    @Test
    void barrierTimeouts() {
        assertBadTimeoutsRefused("new Barrier(2, null, t)", t -> new Barrier(2, null, t));
        Barrier barrier = new Barrier(2);
        assertBadTimeoutsRefused("Barrier.await", barrier::await);
        // a refused await neither breaks the barrier nor counts as a party
        assertFalse(barrier.isBroken());
        assertEquals(0, barrier.nWaiting());
        AtomicInteger index = new AtomicInteger(-1);
        Bunch b = new Bunch(1, () -> index.set(barrier.await(Bunch.LONG_TIMEOUT_S)));
        int mine = barrier.await(Bunch.LONG_TIMEOUT_S);
        b.waitForFinished();
        assertEquals(1, mine + index.get());  // 0 and 1: a round of exactly two
        // Barrier(1): a bad timeout is refused before the party counts (else the round would pass)
        AtomicInteger runs = new AtomicInteger();
        Barrier single = new Barrier(1, runs::incrementAndGet);
        assertBadTimeoutsRefused("Barrier(1).await", single::await);
        assertEquals(0, runs.get());
        assertFalse(single.isBroken());
    }
}
