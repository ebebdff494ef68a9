// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static io.github.nativethread.threading.OsThreadFacts.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.NoThreadLeftBehind;
import io.github.nativethread.ThreadError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Timer}: CPython's {@code test_threading.TimerTests} and what {@code threading.Timer}
 * promises (run after the interval unless cancelled first; a cancelled timer ends promptly), with
 * time measured by {@code System.nanoTime()}: only "waited at least" and generous upper bounds.
 *
 * <p>Not ported: test_init_immutable_default_args (Java's Timer takes a Runnable: no args or
 * kwargs to share between timers).
 */
class TimerTest {

    @RegisterExtension
    final NoThreadLeftBehind threadCount = new NoThreadLeftBehind();

    /** The function runs once, in the timer's own thread, no earlier than the interval after
     *  start(). */
    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.3})
    void runsTheFunctionAfterTheInterval(double interval) throws InterruptedException {
        AtomicLong ranAt = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Thread> ranIn = new AtomicReference<>();
        AtomicLong identInside = new AtomicLong();
        CountDownLatch ran = new CountDownLatch(1);
        Timer timer = new Timer(interval, () -> {
            ranAt.set(System.nanoTime());
            calls.incrementAndGet();
            ranIn.set(Thread.currentThread());
            identInside.set(NativeThread.getIdent());
            ran.countDown();
        });
        long t0 = System.nanoTime();
        timer.start();
        assertTrue(ran.await(60, TimeUnit.SECONDS), "the function never ran");
        long waited = ranAt.get() - t0;
        assertTrue(waited >= (long) (interval * 1e9), "ran after " + waited + " ns, before the interval " + interval + " s");
        assertTrue(waited < TimeUnit.SECONDS.toNanos(30), "ran only after " + waited + " ns");
        join(timer);
        assertEquals(1, calls.get());
        assertNotSame(Thread.currentThread(), ranIn.get());
        assertEquals(timer.ident(), identInside.get(), "ran in the timer's thread");
        assertEquals(timer.getName(), ranIn.get().getName());
    }

    @Test
    void aZeroIntervalRunsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        Timer timer = new Timer(0, calls::incrementAndGet);
        timer.start();
        join(timer);
        assertEquals(1, calls.get());
    }

    /** Cancelled before it fires: the function never runs and the thread ends promptly, long
     *  before the interval. */
    @Test
    void cancelBeforeItFiresEndsTheThreadPromptly() {
        AtomicInteger calls = new AtomicInteger();
        Timer timer = new Timer(3600, calls::incrementAndGet);
        timer.start();
        assertTrue(timer.isAlive());
        assertFalse(timer.join(0.05), "a one-hour timer ended by itself");
        long t0 = System.nanoTime();
        timer.cancel();
        assertTrue(timer.join(LONG_TIMEOUT_S), "a cancelled timer did not end");
        long took = System.nanoTime() - t0;
        assertTrue(took < TimeUnit.SECONDS.toNanos(30), "ending took " + took + " ns");
        assertEquals(0, calls.get(), "a cancelled timer ran its function");
        assertFalse(timer.isAlive());
        timer.cancel();  // again: harmless
    }

    /** Cancelled right after start(), maybe before its thread even ran: never runs the function. */
    @Test
    void cancelRightAfterStart() {
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            Timer timer = new Timer(3600, calls::incrementAndGet);
            timer.start();
            timer.cancel();
            join(timer);
        }
        assertEquals(0, calls.get());
    }

    /** Cancelled before start(): the function never runs; the thread ends at once. */
    @Test
    void cancelBeforeStart() {
        AtomicInteger calls = new AtomicInteger();
        Timer timer = new Timer(3600, calls::incrementAndGet);
        timer.cancel();
        timer.start();
        join(timer);
        assertEquals(0, calls.get());
    }

    /** After the function ran, cancel() changes nothing and throws nothing, however often. */
    @Test
    void cancelAfterItRanIsHarmless() {
        AtomicInteger calls = new AtomicInteger();
        Timer timer = new Timer(0.01, calls::incrementAndGet);
        timer.start();
        join(timer);
        timer.cancel();
        timer.cancel();
        assertEquals(1, calls.get());
        assertFalse(timer.isAlive());
    }

    /** cancel() while the function runs does not stop it; cancel() from inside the function is
     *  harmless too. */
    @Test
    void cancelWhileTheFunctionRuns() {
        NativeLock inside = new NativeLock();
        inside.acquire();
        NativeLock gate = new NativeLock();
        gate.acquire();
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<Timer> self = new AtomicReference<>();
        Timer timer = new Timer(0, () -> {
            self.get().cancel();
            inside.release();
            if (gate.acquire(LONG_TIMEOUT_S)) finished.incrementAndGet();
        });
        self.set(timer);
        timer.start();
        assertTrue(inside.acquire(LONG_TIMEOUT_S), "the function never ran");
        timer.cancel();
        gate.release();
        join(timer);
        assertEquals(1, finished.get());
    }

    /** The interval is validated like a timeout: NaN, negative (other than -1), or above
     *  TIMEOUT_MAX → IllegalArgumentException, at construction. */
    @Test
    void theIntervalIsValidatedLikeATimeout() {
        for (double bad : new double[] {Double.NaN, -2, -0.5, -1e-9, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
            NativeThread.TIMEOUT_MAX * 2}) {
            assertThrows(IllegalArgumentException.class, () -> new Timer(bad, () -> {}), "interval " + bad);
        }
        // the largest allowed interval is allowed, and such a timer can be cancelled
        Timer longest = new Timer(NativeThread.TIMEOUT_MAX, () -> {});
        longest.start();
        longest.cancel();
        join(longest);
    }

    /** -1 is "no limit" for every timeout of this library, so a Timer(-1) waits until cancelled
     *  (CPython's Timer with a negative interval fires at once: its Event.wait(-1) does not wait). */
    @Test
    void anIntervalOfMinusOneWaitsUntilCancelled() {
        AtomicInteger calls = new AtomicInteger();
        Timer timer = new Timer(-1, calls::incrementAndGet);
        timer.start();
        assertFalse(timer.join(0.2), "a Timer(-1) ended by itself");
        timer.cancel();
        join(timer);
        assertEquals(0, calls.get());
    }

    /** Java's convention: a null function is refused at once. */
    @Test
    void aNullFunctionIsRefused() {
        assertThrows(NullPointerException.class, () -> new Timer(1, null));
    }

    /** A Timer is an OsThread: name, daemon inheritance, start-once, toString, ident. */
    @Test
    void aTimerIsAnOsThread() {
        Timer timer = new Timer(3600, () -> {});
        assertTrue(timer instanceof OsThread);
        assertTrue(timer.getName().startsWith("OsThread-"), timer.getName());
        assertEquals(Thread.currentThread().isDaemon(), timer.isDaemon());
        timer.setDaemon(true);
        timer.setName("my-timer");
        assertTrue(timer.toString().contains("my-timer") && timer.toString().contains("initial"), timer.toString());
        assertEquals(0, timer.ident());
        timer.start();
        try {
            assertNotEquals(0, timer.ident());
            assertTrue(OsThread.enumerate().contains(timer));
            assertTrue(timer.toString().contains("started") && timer.toString().contains("daemon"), timer.toString());
            ThreadError e = assertThrows(ThreadError.class, timer::start);
            assertEquals("threads can only be started once", e.getMessage());
            e = assertThrows(ThreadError.class, () -> timer.setDaemon(false));
            assertEquals("cannot set daemon status of active thread", e.getMessage());
        } finally {
            timer.cancel();
        }
        join(timer);
        assertTrue(timer.toString().contains("stopped"), timer.toString());
        assertFalse(OsThread.enumerate().contains(timer));
    }

    /** An exception from the function goes to the timer thread's uncaught-exception handler. */
    @Test
    void anExceptionFromTheFunctionGoesToTheHandler() {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        RuntimeException boom = new IllegalStateException("timer function failed");
        AtomicReference<Throwable> handled = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();
        Timer timer = new Timer(0, () -> {
            throw boom;
        });
        timer.setName("failing-timer");
        try {
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
                thread.set(t.getName());
                handled.set(e);
            });
            timer.start();
            join(timer);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertSame(boom, handled.get());
        assertEquals("failing-timer", thread.get());
    }

    /** Many timers at once, all fire, each after its own interval; cancelled ones never do. */
    @Test
    void manyTimers() throws InterruptedException {
        int n = 20;
        long[] firedAt = new long[n];
        CountDownLatch fired = new CountDownLatch(n / 2);
        AtomicInteger cancelledRan = new AtomicInteger();
        List<Timer> timers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int k = i;
            boolean cancelIt = i % 2 == 1;
            Timer timer = new Timer(cancelIt ? 3600 : 0.01 * i, () -> {
                if (cancelIt) {
                    cancelledRan.incrementAndGet();
                } else {
                    firedAt[k] = System.nanoTime();
                    fired.countDown();
                }
            });
            timer.setDaemon(true);
            timers.add(timer);
            timer.start();
        }
        for (int i = 1; i < n; i += 2) timers.get(i).cancel();
        assertTrue(fired.await(60, TimeUnit.SECONDS), "not every timer fired");
        for (Timer t : timers) join(t);
        for (int i = 0; i < n; i += 2) {
            long waited = firedAt[i] - t0;
            assertTrue(waited >= (long) (0.01 * i * 1e9), "timer " + i + " fired after " + waited + " ns");
        }
        assertEquals(0, cancelledRan.get());
    }
}
