// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.threading.MainThreadProbe.awaitBlockedIn;
import static io.github.nativethread.threading.MainThreadProbe.awaitTrue;
import static io.github.nativethread.threading.MainThreadProbe.blockedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.nativethread.KeyboardInterrupt;
import io.github.nativethread.MainThreadWatchdog;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.Signals;
import io.github.nativethread.ThreadHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code interruptMain} reaching a main thread blocked in the threading layer (API-threading.md: "In
 * the main thread every blocking call here is a checkpoint of Signals like NativeLock.acquire:
 * interruptMain wakes it, the handler runs; its exception ends the wait (a Condition re-acquires its
 * lock first), and if it returns, the wait goes on with the time left").
 *
 * <p>Like the core's InterruptMainTest, these run in the JVM's main thread (surefire runs tests
 * there), bounded by {@link MainThreadWatchdog}. Each blocking call is one {@link Wait} scenario; a
 * helper thread interrupts main once main is seen blocked inside the call ({@link MainThreadProbe}).
 * A helper that fails raises SIGTERM in main, whose handler rethrows its failure: nothing hangs.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SAME_THREAD)
@ExtendWith(MainThreadWatchdog.class)
class ThreadingInterruptMainTest {
    /** A signal besides SIGINT and SIGTERM that every platform has. */
    static final int OTHER = Signals.SIGUSR1 > 0 ? Signals.SIGUSR1 : Signals.SIGABRT;
    /** Raised in main by a helper thread that failed. */
    static final int HELPER_FAILED = Signals.SIGTERM;
    /** The timeout of timed waits that are meant to end by their event, not by it. */
    static final double LONG = 60.0;
    /** The timeout of timed waits that are meant to time out. */
    static final double SHORT = 0.5;
    /** An interrupted wait must end well before this. */
    static final long PROMPT_NS = TimeUnit.SECONDS.toNanos(10);

    private Signals.SignalHandler savedInt, savedTerm, savedOther;
    /** Threads a handler of this test ran in. */
    private final List<Thread> ranIn = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> helperFailure = new AtomicReference<>();
    private final List<ThreadHandle> helpers = new ArrayList<>();
    private Thread main;

    @BeforeEach
    void save() {
        main = Thread.currentThread();
        assertEquals("main", main.getName());
        assertEquals(NativeThread.mainThreadIdent(), NativeThread.getIdent(), "not the library's main thread");
        savedInt = Signals.getSignal(Signals.SIGINT);
        savedTerm = Signals.getSignal(HELPER_FAILED);
        savedOther = Signals.getSignal(OTHER);
        Signals.signal(HELPER_FAILED, signum -> {
            throw new AssertionError("a helper thread failed", helperFailure.get());
        });
    }

    @AfterEach
    void restore() {
        try {
            for (ThreadHandle h : helpers) assertTrue(h.join(LONG), "a helper thread did not end");
            Signals.checkSignals();  // nothing may stay pending for the next test
        } catch (KeyboardInterrupt | IllegalStateException leftover) {
            // a late interrupt of the test that just ended
        } finally {
            Signals.signal(Signals.SIGINT, savedInt);
            Signals.signal(HELPER_FAILED, savedTerm);
            Signals.signal(OTHER, savedOther);
        }
        if (helperFailure.get() != null) throw new AssertionError("a helper thread failed", helperFailure.get());
        for (Thread t : ranIn) assertSame(main, t, "a handler ran off the main thread");
    }

    // ---- the waits --------------------------------------------------------------------------

    /** One blocking call of the layer, made fresh for one test: main blocks in {@link #block()}. */
    abstract static class Wait {
        /** The method main is blocked in (its frame in a class of the layer). */
        final String method;
        /** Takes a timeout: {@link #timeout} is used; -1 otherwise. */
        final boolean timed;
        double timeout = LONG;

        Wait(String method, boolean timed) {
            this.method = method;
            this.timed = timed;
        }

        /** The wait, in main: true when its event came, false when it timed out. */
        abstract boolean block();

        /** In a helper thread: the event that ends the wait. */
        abstract void happen();

        /** In main, after the wait ended with a handler's exception: the state is consistent and
         *  the object still works. */
        abstract void afterException();

        /** In main, after {@link #block()} returned false. */
        void afterTimeout() {}

        /** In main, after {@link #block()} returned true. */
        void afterCompleted() {}

        /** In main: ends whatever the scenario started. */
        void close() {}
    }

    static Stream<Named<Supplier<Wait>>> waits() {
        return Stream.of(
                Named.of("Event.await()", () -> new EventWait(false)),
                Named.of("Event.await(t)", () -> new EventWait(true)),
                Named.of("Condition(NativeRLock, held twice).await()", () -> new ConditionWait(true, false, false)),
                Named.of("Condition(NativeLock).await(t)", () -> new ConditionWait(false, true, false)),
                Named.of("Condition(NativeRLock, held twice).awaitFor(p)", () -> new ConditionWait(true, false, true)),
                Named.of("Condition(NativeLock).awaitFor(p, t)", () -> new ConditionWait(false, true, true)),
                Named.of("Semaphore.acquire()", () -> new SemaphoreWait(false)),
                Named.of("Semaphore.acquire(t)", () -> new SemaphoreWait(true)),
                Named.of("Barrier.await()", () -> new BarrierWait(false)),
                Named.of("Barrier.await(t)", () -> new BarrierWait(true)),
                Named.of("OsThread.join()", () -> new JoinWait(false)),
                Named.of("OsThread.join(t)", () -> new JoinWait(true)),
                Named.of("Timer join()", () -> new TimerWait(false)),
                Named.of("Timer join(t)", () -> new TimerWait(true)));
    }

    /** The timed ones: their names end in "t)" (made without calling the suppliers, which start threads). */
    static Stream<Named<Supplier<Wait>>> timedWaits() {
        return waits().filter(n -> n.getName().endsWith("t)"));
    }

    static final class EventWait extends Wait {
        final Event event = new Event();

        EventWait(boolean timed) {
            super("await", timed);
        }

        @Override
        boolean block() {
            return timed ? event.await(timeout) : event.await();
        }

        @Override
        void happen() {
            event.set();
        }

        @Override
        void afterException() {
            assertFalse(event.isSet());
            assertFalse(event.await(0.0));
            ThreadHandle setter = NativeThread.startJoinableThread(event::set);
            assertTrue(event.await(LONG), "a later set() still ends a wait");
            assertTrue(setter.join(LONG));
        }

        @Override
        void afterCompleted() {
            assertTrue(event.isSet());
        }
    }

    /** Over a NativeRLock held twice by main (recursion level 2 restored), or over a NativeLock. */
    static final class ConditionWait extends Wait {
        final NativeRLock rlock;
        final NativeLock lock;
        final Condition cond;
        final boolean predicate;
        volatile boolean ready;

        ConditionWait(boolean reentrant, boolean timed, boolean predicate) {
            super(predicate ? "awaitFor" : "await", timed);
            this.predicate = predicate;
            rlock = reentrant ? new NativeRLock() : null;
            lock = reentrant ? null : new NativeLock();
            cond = reentrant ? new Condition(rlock) : new Condition(lock);
            if (reentrant) {
                rlock.acquire();
                rlock.acquire();
            } else {
                lock.acquire();
            }
        }

        @Override
        boolean block() {
            if (predicate) return timed ? cond.awaitFor(() -> ready, timeout) : cond.awaitFor(() -> ready);
            return timed ? cond.await(timeout) : cond.await();
        }

        @Override
        void happen() {
            try (NativeLock.Hold h = cond.hold()) {
                ready = true;
                cond.signal();
            }
        }

        /** The lock is main's again, at its recursion level. */
        void assertHeldByMain() {
            if (rlock != null) {
                assertTrue(rlock.isOwned(), "the condition's lock is main's again");
                assertEquals(2, rlock.recursionCount(), "recursion level restored");
            } else {
                assertTrue(lock.locked(), "the condition's lock is held again");
            }
        }

        @Override
        void afterException() {
            assertHeldByMain();
            assertASignalReachesARealWaiter(cond, rlock != null ? 2 : 1);
            assertHeldByMain();
        }

        @Override
        void afterTimeout() {
            assertHeldByMain();
        }

        @Override
        void afterCompleted() {
            assertHeldByMain();
        }

        @Override
        void close() {
            if (rlock != null) {
                while (rlock.isOwned()) rlock.release();
            } else if (lock.locked()) {
                lock.release();
            }
        }
    }

    /**
     * Main holds {@code cond}'s lock {@code levels} times. No waiter of main's interrupted wait is
     * left queued: a real waiter queued after it is the one that one {@code signal()} wakes (a
     * ghost at the head of the queue would take the signal, and the real waiter would time out).
     */
    static void assertASignalReachesARealWaiter(Condition cond, int levels) {
        for (int i = 0; i < levels; i++) cond.release();
        AtomicBoolean waiting = new AtomicBoolean();
        AtomicReference<Boolean> woken = new AtomicReference<>();
        OsThread waiter = new OsThread(() -> {
            try (NativeLock.Hold h = cond.hold()) {
                waiting.set(true);
                woken.set(cond.await(20.0));
            }
        }, "real-waiter");
        waiter.start();
        // the waiter sets the flag under the lock, and only its await releases the lock
        awaitTrue("the real waiter waits", () -> {
            cond.acquire();
            if (waiting.get()) return true;
            cond.release();
            return false;
        });
        long t0 = System.nanoTime();
        cond.signal();
        cond.release();
        assertTrue(waiter.join(LONG));
        assertEquals(Boolean.TRUE, woken.get(), "signal() woke a left-over waiter instead of the real one");
        assertTrue(System.nanoTime() - t0 < PROMPT_NS, "the real waiter woke only at its timeout");
        for (int i = 0; i < levels; i++) cond.acquire();
    }

    static final class SemaphoreWait extends Wait {
        final Semaphore sem = new Semaphore(0);

        SemaphoreWait(boolean timed) {
            super("acquire", timed);
        }

        @Override
        boolean block() {
            return timed ? sem.acquire(timeout) : sem.acquire();
        }

        @Override
        void happen() {
            sem.release();
        }

        @Override
        void afterException() {
            assertFalse(sem.acquire(false), "the interrupted acquire made no permit");
            // nothing of main's wait is left: a release reaches a real waiter at once
            AtomicReference<Thread> waiterThread = new AtomicReference<>();
            AtomicReference<Boolean> got = new AtomicReference<>();
            OsThread waiter = new OsThread(() -> {
                waiterThread.set(Thread.currentThread());
                got.set(sem.acquire(20.0));
            }, "real-waiter");
            waiter.start();
            awaitTrue("the real waiter started", () -> waiterThread.get() != null);
            awaitBlockedIn(waiterThread.get(), "acquire");
            long t0 = System.nanoTime();
            sem.release();
            assertTrue(waiter.join(LONG));
            assertEquals(Boolean.TRUE, got.get());
            assertTrue(System.nanoTime() - t0 < PROMPT_NS, "the real waiter got the permit only at its timeout");
            assertFalse(sem.acquire(false));
        }

        @Override
        void afterCompleted() {
            assertFalse(sem.acquire(false), "main took the one permit");
        }
    }

    /** Two parties: main, and (for the event) a helper. */
    static final class BarrierWait extends Wait {
        final Barrier barrier = new Barrier(2);

        BarrierWait(boolean timed) {
            super("await", timed);
        }

        @Override
        boolean block() {
            if (!timed) {
                barrier.await();
                return true;
            }
            try {
                barrier.await(timeout);
                return true;
            } catch (BrokenBarrierError timedOut) {
                return false;
            }
        }

        @Override
        void happen() {
            barrier.await(LONG);
        }

        /** CPython: an exception from the wait (KeyboardInterrupt) leaves Barrier.wait through its
         *  finally, which takes the party back out ({@code _count -= 1}); only a timeout, abort() and
         *  a failing action break the barrier. */
        @Override
        void afterException() {
            assertFalse(barrier.isBroken(), "an interrupted await does not break the barrier");
            assertEquals(0, barrier.nWaiting(), "the interrupted party is out of the round");
            AtomicInteger helperIndex = new AtomicInteger(-1);
            ThreadHandle other = NativeThread.startJoinableThread(() -> helperIndex.set(barrier.await(LONG)));
            int mine = barrier.await(LONG);
            assertTrue(other.join(LONG));
            assertEquals(Set.of(0, 1), Set.of(mine, helperIndex.get()), "a full round after the interrupted one");
        }

        @Override
        void afterTimeout() {
            assertTrue(barrier.isBroken(), "a timed-out await breaks the barrier");
        }
    }

    static final class JoinWait extends Wait {
        final Event gate = new Event();
        final OsThread thread = new OsThread(gate::await, "gated");

        JoinWait(boolean timed) {
            super("join", timed);
            thread.start();
        }

        @Override
        boolean block() {
            if (!timed) {
                thread.join();
                return true;
            }
            return thread.join(timeout);
        }

        @Override
        void happen() {
            gate.set();
        }

        @Override
        void afterException() {
            assertTrue(thread.isAlive());
            gate.set();
            assertTrue(thread.join(LONG));
            assertFalse(thread.isAlive());
        }

        @Override
        void afterTimeout() {
            assertTrue(thread.isAlive());
        }

        @Override
        void afterCompleted() {
            assertFalse(thread.isAlive());
        }

        @Override
        void close() {
            gate.set();
            assertTrue(thread.join(LONG));
        }
    }

    /** A timer due in a minute; its event is cancel(), which ends its thread promptly. */
    static final class TimerWait extends Wait {
        final AtomicInteger ran = new AtomicInteger();
        final Timer timer = new Timer(60.0, ran::incrementAndGet);

        TimerWait(boolean timed) {
            super("join", timed);
            timer.start();
        }

        @Override
        boolean block() {
            if (!timed) {
                timer.join();
                return true;
            }
            return timer.join(timeout);
        }

        @Override
        void happen() {
            timer.cancel();
        }

        @Override
        void afterException() {
            assertTrue(timer.isAlive());
            timer.cancel();
            assertTrue(timer.join(LONG));
            assertEquals(0, ran.get());
        }

        @Override
        void afterTimeout() {
            assertTrue(timer.isAlive());
        }

        @Override
        void afterCompleted() {
            assertFalse(timer.isAlive());
            assertEquals(0, ran.get(), "a cancelled timer did not run its function");
        }

        @Override
        void close() {
            timer.cancel();
            assertTrue(timer.join(LONG));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Signals.SignalHandler raising(RuntimeException e) {
        return signum -> {
            ranIn.add(Thread.currentThread());
            throw e;
        };
    }

    private Signals.SignalHandler counting(AtomicInteger runs) {
        return signum -> {
            ranIn.add(Thread.currentThread());
            runs.incrementAndGet();
        };
    }

    /** Runs {@code body} in a helper thread; if it fails, main is interrupted with its failure. */
    private void helper(Runnable body) {
        helpers.add(NativeThread.startJoinableThread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                helperFailure.compareAndSet(null, t);
                NativeThread.interruptMain(HELPER_FAILED);
            }
        }));
    }

    /** A helper that interrupts main with {@code signum} once main is blocked in {@code w}. */
    private void interruptWhenBlocked(Wait w, int signum) {
        helper(() -> {
            awaitBlockedIn(main, w.method);
            NativeThread.interruptMain(signum);
        });
    }

    /** Makes {@code signum} pending from another thread, joined with Thread.join (no checkpoint). */
    private static void makePending(int signum) throws InterruptedException {
        Thread t = new Thread(() -> NativeThread.interruptMain(signum));
        t.start();
        t.join();
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    // ---- the tests --------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void theDefaultSigintHandlerEndsTheWaitWithKeyboardInterrupt(Supplier<Wait> scenario) {
        Wait w = scenario.get();
        try {
            interruptWhenBlocked(w, Signals.SIGINT);
            long t0 = System.nanoTime();
            assertThrows(KeyboardInterrupt.class, w::block);
            assertTrue(System.nanoTime() - t0 < PROMPT_NS, "interrupted after " + secondsSince(t0) + " s");
            w.afterException();
        } finally {
            w.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void aRaisingHandlerRunsInMainAndItsExceptionEndsTheWait(Supplier<Wait> scenario) {
        IllegalStateException mine = new IllegalStateException("handled");
        Signals.signal(OTHER, raising(mine));
        Wait w = scenario.get();
        try {
            interruptWhenBlocked(w, OTHER);
            long t0 = System.nanoTime();
            assertSame(mine, assertThrows(IllegalStateException.class, w::block));
            assertTrue(System.nanoTime() - t0 < PROMPT_NS, "interrupted after " + secondsSince(t0) + " s");
            assertEquals(List.of(main), ranIn, "the handler ran once, in main");
            w.afterException();
        } finally {
            w.close();
        }
    }

    /** The handler returns: the wait goes on, and ends by its event only (no spurious return). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void aReturningHandlerLetsTheWaitGoOnUntilItsEvent(Supplier<Wait> scenario) {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        Wait w = scenario.get();
        AtomicBoolean returned = new AtomicBoolean();
        AtomicBoolean happened = new AtomicBoolean();
        try {
            helper(() -> {
                awaitBlockedIn(main, w.method);
                NativeThread.interruptMain(OTHER);
                awaitTrue("the handler ran", () -> runs.get() == 1);
                // main goes back to waiting (or, wrongly, returns): only then the event
                awaitTrue("main waits again", () -> returned.get() || blockedIn(main, w.method));
                happened.set(true);
                w.happen();
            });
            boolean result = w.block();
            returned.set(true);
            assertTrue(happened.get(), "the wait returned (" + result + ") before its event, after the handler");
            assertTrue(result);
            assertEquals(1, runs.get());
            w.afterCompleted();
        } finally {
            w.close();
        }
    }

    /** The handler returns: a timed wait still ends at its deadline, not earlier, not much later. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("timedWaits")
    void aReturningHandlerKeepsTheDeadlineOfATimedWait(Supplier<Wait> scenario) {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        Wait w = scenario.get();
        w.timeout = 1.0;
        try {
            helper(() -> {
                awaitBlockedIn(main, w.method);
                NativeThread.interruptMain(OTHER);
            });
            long t0 = System.nanoTime();
            boolean result = w.block();
            double waited = secondsSince(t0);
            assertFalse(result, "timed out");
            assertTrue(waited >= w.timeout, "a timed-out wait of " + w.timeout + " s returned after " + waited + " s");
            assertTrue(waited < w.timeout + 10, "waited " + waited + " s");
            assertEquals(1, runs.get(), "the handler ran during the wait");
            w.afterTimeout();
        } finally {
            w.close();
        }
    }

    /** A signal pending when main enters the wait is handled at its start: a raising handler ends
     *  it at once (main never blocks), and leaves the same state as an interrupt while blocked. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("waits")
    void aHandlerPendingBeforeTheWaitRunsAtItsStart(Supplier<Wait> scenario) throws Exception {
        IllegalStateException mine = new IllegalStateException("pending");
        Signals.signal(OTHER, raising(mine));
        Wait w = scenario.get();
        try {
            makePending(OTHER);
            assertTrue(ranIn.isEmpty(), "pending, not run in the other thread");
            long t0 = System.nanoTime();
            assertSame(mine, assertThrows(IllegalStateException.class, w::block));
            assertTrue(System.nanoTime() - t0 < PROMPT_NS, "handled after " + secondsSince(t0) + " s");
            assertEquals(List.of(main), ranIn);
            w.afterException();
        } finally {
            w.close();
        }
    }

    /** A returning handler pending at the start runs there, and the timed wait then runs its course. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("timedWaits")
    void aReturningHandlerPendingBeforeATimedWaitRunsThenTheWaitTimesOut(Supplier<Wait> scenario) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        Wait w = scenario.get();
        w.timeout = 0.2;
        try {
            makePending(OTHER);
            assertEquals(0, runs.get());
            long t0 = System.nanoTime();
            boolean result = w.block();
            double waited = secondsSince(t0);
            assertEquals(1, runs.get());
            assertFalse(result);
            assertTrue(waited >= w.timeout, "returned after " + waited + " s");
            w.afterTimeout();
        } finally {
            w.close();
        }
    }

    /** "In the main thread every blocking call here is a checkpoint of Signals like
     *  NativeLock.acquire", which is one also when it need not wait (the core's
     *  everyAcquireReleaseAndJoinIsACheckpoint): a pending handler runs at a call that returns at
     *  once, not at some later, unrelated wait. */
    @Test
    void aBlockingCallThatNeedNotWaitIsStillACheckpoint() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        Event set = new Event();
        set.set();
        Semaphore sem = new Semaphore(100);
        Barrier alone = new Barrier(1);
        OsThread ended = new OsThread(() -> {});
        ended.start();
        ended.join();
        Condition cond = new Condition();
        List<Named<Runnable>> calls = List.of(
                Named.of("Event.await() of a set event", set::await),
                Named.of("Event.await(t) of a set event", () -> set.await(1.0)),
                Named.of("Semaphore.acquire() with permits", sem::acquire),
                Named.of("Semaphore.acquire(t) with permits", () -> sem.acquire(1.0)),
                Named.of("Barrier(1).await()", alone::await),
                Named.of("OsThread.join() of an ended thread", ended::join),
                Named.of("OsThread.join(t) of an ended thread", () -> ended.join(1.0)),
                Named.of("Condition.acquire() of a free lock", cond::acquire),
                Named.of("Condition.awaitFor(p) with p true", () -> cond.awaitFor(() -> true)));
        List<String> missed = new ArrayList<>();
        for (Named<Runnable> call : calls) {
            int before = runs.get();
            makePending(OTHER);
            assertEquals(before, runs.get(), "pending until the next checkpoint");
            call.getPayload().run();
            if (runs.get() != before + 1) {
                missed.add(call.getName());
                Signals.checkSignals();
            }
        }
        cond.release();
        assertTrue(missed.isEmpty(), "no checkpoint at: " + missed);
    }

    /** The exception ends the wait only once the lock is main's again, even when another thread
     *  holds the lock while main's handler runs. */
    @Test
    void anInterruptedConditionWaitReacquiresTheLockBeforeTheExceptionArrives() {
        IllegalStateException mine = new IllegalStateException("handled");
        Signals.signal(OTHER, raising(mine));
        NativeRLock lock = new NativeRLock();
        Condition cond = new Condition(lock);
        AtomicBoolean releasedByHelper = new AtomicBoolean();
        lock.acquire();
        lock.acquire();
        lock.acquire();
        helper(() -> {
            cond.acquire();  // main's await released all three levels
            try {
                NativeThread.interruptMain(OTHER);
                awaitTrue("the handler ran", () -> !ranIn.isEmpty());
                awaitBlockedIn(main, "await");  // re-acquiring the lock held here
            } finally {
                releasedByHelper.set(true);
                cond.release();
            }
        });
        assertSame(mine, assertThrows(IllegalStateException.class, cond::await));
        assertTrue(releasedByHelper.get(), "the exception arrived while another thread held the lock");
        assertTrue(lock.isOwned());
        assertEquals(3, lock.recursionCount());
        for (int i = 0; i < 3; i++) lock.release();
        assertFalse(lock.locked());
    }

    /** Barrier(3): one party waits, main is interrupted in its await. As in CPython, main's party
     *  leaves the round (nWaiting 1), the barrier is not broken, and the round completes with two
     *  other awaits, main's second one among them; the indices are 0, 1, 2. */
    @Test
    void anInterruptedPartyLeavesTheRoundWithoutBreakingTheBarrier() {
        Barrier barrier = new Barrier(3);
        AtomicInteger firstIndex = new AtomicInteger(-1);
        AtomicInteger lastIndex = new AtomicInteger(-1);
        OsThread first = new OsThread(() -> firstIndex.set(barrier.await(LONG)), "first-party");
        first.start();
        awaitTrue("the first party waits", () -> barrier.nWaiting() == 1);
        helper(() -> {
            awaitTrue("main waits too", () -> barrier.nWaiting() == 2);
            awaitBlockedIn(main, "await");
            NativeThread.interruptMain();
        });
        assertThrows(KeyboardInterrupt.class, barrier::await);
        assertFalse(barrier.isBroken(), "an interrupted await broke the barrier");
        assertEquals(1, barrier.nWaiting(), "main's party is out, the first one still waits");
        assertTrue(first.isAlive());
        OsThread last = new OsThread(() -> lastIndex.set(barrier.await(LONG)), "last-party");
        last.start();
        int mine = barrier.await(LONG);
        assertTrue(first.join(LONG));
        assertTrue(last.join(LONG));
        Set<Integer> indices = new TreeSet<>(List.of(firstIndex.get(), mine, lastIndex.get()));
        assertEquals(Set.of(0, 1, 2), indices);
        assertEquals(0, barrier.nWaiting());
        assertFalse(barrier.isBroken());
    }

    /** Many interrupts during one Condition wait with a returning handler: no signal is lost and no
     *  spurious wake-up happens; one signal() ends it. */
    @Test
    void manyInterruptsDuringAConditionWaitNeitherEndItNorLoseItsSignal() {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        NativeLock lock = new NativeLock();
        Condition cond = new Condition(lock);
        AtomicBoolean signalled = new AtomicBoolean();
        lock.acquire();
        helper(() -> {
            for (int i = 1; i <= 20; i++) {
                awaitBlockedIn(main, "await");
                NativeThread.interruptMain(OTHER);
                int expected = i;
                awaitTrue("handler run " + i, () -> runs.get() >= expected);
            }
            awaitBlockedIn(main, "await");
            try (NativeLock.Hold h = cond.hold()) {
                signalled.set(true);
                cond.signal();
            }
        });
        assertTrue(cond.await(LONG));
        assertTrue(signalled.get(), "woke before the signal");
        assertEquals(20, runs.get());
        assertTrue(lock.locked());
        lock.release();
    }

    /** Sanity of the probe itself: a thread in a plain Java computation is not "blocked". */
    @Test
    void theProbeSeesOnlyWaitsOfTheLayer() {
        assertFalse(blockedIn(Thread.currentThread(), "await"));
        Event e = new Event();
        AtomicReference<Thread> t = new AtomicReference<>();
        OsThread waiter = new OsThread(() -> {
            t.set(Thread.currentThread());
            e.await();
        });
        waiter.start();
        awaitTrue("started", () -> t.get() != null);
        awaitBlockedIn(t.get(), "await");
        assertFalse(blockedIn(t.get(), "join"));
        e.set();
        assertTrue(waiter.join(LONG));
        if (waiter.isAlive()) fail("still alive");
    }
}
