// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.condition.OS;

/**
 * Ports of CPython's InterruptMainTests (test_thread.py) and test_threadsignals.py. Surefire runs
 * the tests in the JVM's main thread, which is the library's main thread; so they run in it, not
 * in a thread of their own (junit-platform.properties), bounded by {@link MainThreadWatchdog}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SAME_THREAD)
@ExtendWith(MainThreadWatchdog.class)
class InterruptMainTest {
    /** A signal besides SIGINT and SIGTERM that every platform has. */
    static final int OTHER = Signals.SIGUSR1 > 0 ? Signals.SIGUSR1 : Signals.SIGABRT;
    private Signals.SignalHandler savedInt, savedTerm, savedOther;
    /** Threads a handler ran in. */
    private final List<Thread> ranIn = new CopyOnWriteArrayList<>();

    @BeforeEach
    void save() {
        assertEquals("main", Thread.currentThread().getName());
        savedInt = Signals.getSignal(Signals.SIGINT);
        savedTerm = Signals.getSignal(Signals.SIGTERM);
        savedOther = Signals.getSignal(OTHER);
    }

    @AfterEach
    void restore() {
        try {
            Signals.checkSignals();  // nothing may stay pending for the next test
        } catch (KeyboardInterrupt | IllegalStateException leftover) {
            // a late interrupt of the test that just ended
        }
        Signals.signal(Signals.SIGINT, savedInt);
        Signals.signal(Signals.SIGTERM, savedTerm);
        Signals.signal(OTHER, savedOther);
        for (Thread t : ranIn) assertSame(Thread.currentThread(), t, "a handler ran off the main thread");
    }

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

    /** Starts a thread that waits until main is parked in a native wait, then runs {@code action}. */
    private ThreadHandle whenMainBlocks(Runnable action) {
        Thread main = Thread.currentThread();
        return NativeThread.startJoinableThread(() -> {
            try {
                ThreadHelpers.awaitParked(main);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            action.run();
        });
    }

    /** Runs {@code body} in a java.lang.Thread and joins it with Thread.join(), which (unlike a
     *  library wait) is no checkpoint: pending handlers stay pending. */
    private static void inJavaThread(Runnable body) throws InterruptedException {
        Thread t = new Thread(body);
        t.start();
        t.join();
    }

    @Test
    void initialTable() {
        assertSame(Signals.DEFAULT_INT_HANDLER, savedInt);
        for (int s = 1; s < Signals.NSIG; s++) {
            if (s != Signals.SIGINT) assertSame(Signals.SIG_DFL, Signals.getSignal(s), "signal " + s);
        }
        assertEquals("SIG_DFL", Signals.SIG_DFL.toString());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxSignalNumbers() {
        assertEquals(2, Signals.SIGINT);
        assertEquals(15, Signals.SIGTERM);
        assertEquals(10, Signals.SIGUSR1);
        assertEquals(12, Signals.SIGUSR2);
        assertEquals(65, Signals.NSIG);
        assertEquals(-1, Signals.SIGBREAK);
    }

    @Test
    void signalReturnsThePreviousHandler() {
        Signals.SignalHandler mine = signum -> {};
        assertSame(Signals.SIG_DFL, Signals.signal(OTHER, mine));
        assertSame(mine, Signals.signal(OTHER, Signals.SIG_IGN));
        assertSame(Signals.SIG_IGN, Signals.getSignal(OTHER));
    }

    @Test
    void fromTheMainThreadTheHandlerRunsImmediately() {
        assertThrows(KeyboardInterrupt.class, NativeThread::interruptMain);
        assertThrows(KeyboardInterrupt.class, () -> NativeThread.interruptMain(Signals.SIGINT));
    }

    @Test
    void handlerExceptionsPropagateForSigintAndSigterm() {
        for (int signum : new int[] {Signals.SIGINT, Signals.SIGTERM}) {
            IllegalStateException mine = new IllegalStateException("handled " + signum);
            Signals.signal(signum, raising(mine));
            assertSame(mine, assertThrows(IllegalStateException.class, () -> NativeThread.interruptMain(signum)));
        }
    }

    @Test
    void sigIgnAndSigDflDoNothing() {
        for (Signals.SignalHandler h : new Signals.SignalHandler[] {Signals.SIG_IGN, Signals.SIG_DFL}) {
            Signals.signal(Signals.SIGINT, h);
            NativeThread.interruptMain();
            NativeThread.interruptMain(Signals.SIGINT);
            Signals.checkSignals();
        }
    }

    @Test
    void fromASubthreadWhileMainIsBlockedInAcquire() throws Exception {
        NativeLock lock = new NativeLock();
        lock.acquire();
        ThreadHandle t = whenMainBlocks(NativeThread::interruptMain);
        long t0 = System.nanoTime();
        assertThrows(KeyboardInterrupt.class, () -> lock.acquire(60.0));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
        assertTrue(lock.locked());  // still held by us: the wait ended without taking it
        t.join();
        lock.release();
    }

    @Test
    void aRaisingHandlerEndsABlockedAcquireEarly() throws Exception {
        IllegalStateException mine = new IllegalStateException("stop");
        Signals.signal(OTHER, raising(mine));
        NativeLock lock = new NativeLock();
        lock.acquire();
        ThreadHandle t = whenMainBlocks(() -> NativeThread.interruptMain(OTHER));
        long t0 = System.nanoTime();
        assertSame(mine, assertThrows(IllegalStateException.class, () -> lock.acquire(60.0)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
        t.join();
        assertEquals(1, ranIn.size());
    }

    @Test
    void aReturningHandlerLetsTheAcquireGoOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        NativeLock lock = new NativeLock();
        lock.acquire();
        ThreadHandle t = whenMainBlocks(() -> {
            NativeThread.interruptMain(OTHER);
            // the handler runs in main, which then waits again; release once it has run
            while (runs.get() == 0) Thread.onSpinWait();
            lock.release();
        });
        assertTrue(lock.acquire(60.0));
        assertEquals(1, runs.get());
        t.join();
        lock.release();
    }

    @Test
    void manyInterruptsDuringATimedAcquireKeepItsDeadline() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        NativeLock lock = new NativeLock();
        lock.acquire();
        ThreadHandle t = whenMainBlocks(() -> {
            for (int i = 0; i < 40; i++) {
                NativeThread.interruptMain(OTHER);
                try {
                    Thread.sleep(5);  // spread the interrupts over the wait
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        });
        long t0 = System.nanoTime();
        boolean got = lock.acquire(0.5);
        double waited = (System.nanoTime() - t0) / 1e9;
        t.join();
        assertFalse(got);
        assertTrue(waited >= 0.3 && waited < 2.0, "waited " + waited + " s");
        assertTrue(runs.get() > 0);
        lock.release();
    }

    @Test
    void rlockAcquireIsInterruptible() throws Exception {
        NativeRLock lock = new NativeRLock();
        ThreadHandle holder = NativeThread.startJoinableThread(lock::acquire);  // held by a thread that ends
        holder.join();
        ThreadHandle t = whenMainBlocks(NativeThread::interruptMain);
        assertThrows(KeyboardInterrupt.class, () -> lock.acquire(60.0));
        assertFalse(lock.isOwned());
        t.join();
    }

    @Test
    void joinIsInterruptible() throws Exception {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle worker = NativeThread.startJoinableThread(() -> {
            gate.acquire();
            gate.release();
        });
        ThreadHandle t = whenMainBlocks(NativeThread::interruptMain);
        assertThrows(KeyboardInterrupt.class, worker::join);
        assertFalse(worker.isDone());
        gate.release();
        worker.join();
        t.join();
    }

    @Test
    void aSignalPendingBeforeTheWaitRunsAtItsStart() throws Exception {
        IllegalStateException mine = new IllegalStateException("pending");
        Signals.signal(OTHER, raising(mine));
        NativeLock lock = new NativeLock();
        lock.acquire();
        inJavaThread(() -> NativeThread.interruptMain(OTHER));
        assertTrue(ranIn.isEmpty());  // pending, not run in the other thread
        assertSame(mine, assertThrows(IllegalStateException.class, () -> lock.acquire(60.0)));
        lock.release();
    }

    /** CPython runs handlers between bytecodes; here every acquire, release and join of the main
     *  thread is a checkpoint, also when it need not wait: an interrupt that arrives while main
     *  computes does not linger until some later, unrelated wait. */
    @Test
    void everyAcquireReleaseAndJoinIsACheckpoint() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        NativeLock lock = new NativeLock();
        NativeRLock rlock = new NativeRLock();
        ThreadHandle ended = NativeThread.startJoinableThread(() -> {});
        ended.join();
        rlock.acquire();
        List<Runnable> checkpoints = List.of(lock::acquire, lock::release, () -> lock.acquire(false), lock::release,
                () -> lock.acquire(1.0), lock::release, rlock::acquire, rlock::release, ended::join,
                () -> ended.join(1.0), lock::lock, lock::unlock, lock::tryLock, lock::unlock);
        for (int i = 0; i < checkpoints.size(); i++) {
            inJavaThread(() -> NativeThread.interruptMain(OTHER));
            assertEquals(i, runs.get(), "pending until the next checkpoint");
            checkpoints.get(i).run();
            assertEquals(i + 1, runs.get(), "checkpoint " + i + " ran the handler");
        }
        rlock.release();
        assertFalse(lock.locked());
        assertFalse(rlock.locked());
    }

    /** The handler runs before an acquire takes the lock, and after a release has released it: an
     *  exception from it leaves the lock as if the acquire had not been called / as released. */
    @Test
    void aHandlerThatThrowsAtACheckpointLeavesTheLockConsistent() throws Exception {
        RuntimeException mine = new IllegalStateException("at the checkpoint");
        Signals.signal(OTHER, raising(mine));
        NativeLock lock = new NativeLock();
        inJavaThread(() -> NativeThread.interruptMain(OTHER));
        assertSame(mine, assertThrows(IllegalStateException.class, lock::acquire));
        assertFalse(lock.locked(), "the acquire did not take it");
        lock.acquire();
        inJavaThread(() -> NativeThread.interruptMain(OTHER));
        assertSame(mine, assertThrows(IllegalStateException.class, lock::release));
        assertFalse(lock.locked(), "the release released it");
    }

    /** The reviewer's stale interrupt: a watchdog interrupts main while it computes; main's next
     *  library call handles it, not a wait minutes later. */
    @Test
    void anInterruptWhileMainComputesIsHandledAtItsNextLibraryCall() throws Exception {
        NativeLock work = new NativeLock();
        inJavaThread(NativeThread::interruptMain);  // arrives while main "computes"
        assertThrows(KeyboardInterrupt.class, work::acquire);
        assertFalse(work.locked());
        work.acquire();
        long start = System.nanoTime();
        assertFalse(work.acquire(0.05), "nothing pending any more: a plain timed wait");
        assertTrue(System.nanoTime() - start >= 50_000_000L);
        work.release();
    }

    @Test
    void checkSignalsRunsPendingHandlersOnlyInMain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Signals.signal(OTHER, counting(runs));
        inJavaThread(() -> {
            NativeThread.interruptMain(OTHER);
            Signals.checkSignals();  // not the main thread: nothing
        });
        assertEquals(0, runs.get());
        Signals.checkSignals();
        assertEquals(1, runs.get());
        Signals.checkSignals();
        assertEquals(1, runs.get());
    }

    @Test
    void pendingHandlersRunInSignalNumberOrder() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        Signals.signal(Signals.SIGTERM, signum -> order.add(signum));
        Signals.signal(OTHER, signum -> order.add(signum));
        inJavaThread(() -> {
            NativeThread.interruptMain(Signals.SIGTERM);
            NativeThread.interruptMain(OTHER);
        });
        Signals.checkSignals();
        assertEquals(Math.min(Signals.SIGTERM, OTHER), order.get(0).intValue());
        assertEquals(2, order.size());
    }

    @Test
    void otherThreadsWaitsAreNotInterrupted() throws Exception {
        NativeLock lock = new NativeLock();
        lock.acquire();
        boolean[] got = new boolean[1];
        ThreadHandle waiter = NativeThread.startJoinableThread(() -> got[0] = lock.acquire(0.3));
        Signals.signal(OTHER, signum -> ranIn.add(Thread.currentThread()));
        inJavaThread(() -> NativeThread.interruptMain(OTHER));
        waiter.join();
        assertFalse(got[0]);
        Signals.checkSignals();
        assertEquals(1, ranIn.size());
        lock.release();
    }
}
