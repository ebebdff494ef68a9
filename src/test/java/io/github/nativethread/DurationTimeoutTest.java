// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.internal.Timeouts;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Java-habit timeouts: {@code acquire(Duration)} on both locks and {@code join(Duration)} on a
 * handle follow the rules of the seconds overloads (bad input, never early), in Java's unit.
 */
public class DurationTimeoutTest {
    static final Duration TOO_LARGE = Duration.ofSeconds((long) NativeThread.TIMEOUT_MAX + 1);

    static void assertIae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Every bad Duration a timed wait must refuse, naming the value; null is an NPE. */
    public static void assertRefusesBadDurations(Predicate<Duration> wait) {
        assertThrows(NullPointerException.class, () -> wait.test(null));
        assertIae("timeout value must be a non-negative number: PT-0.000000001S",
                () -> wait.test(Duration.ofNanos(-1)));
        assertIae("timeout value must be a non-negative number: PT-1S", () -> wait.test(Duration.ofSeconds(-1)));
        assertIae("timeout value is too large: " + TOO_LARGE, () -> wait.test(TOO_LARGE));
        assertIae("timeout value is too large", () -> wait.test(TOO_LARGE.minusNanos(999_999_999)));
        assertIae("timeout value is too large", () -> wait.test(Duration.ofSeconds(Long.MAX_VALUE)));
        assertIae("timeout value is too large", () -> wait.test(ChronoUnit.FOREVER.getDuration()));
    }

    /** A wait of {@code d} that times out returns false, having waited at least {@code d}. */
    public static void assertNeverEarly(Duration d, Predicate<Duration> wait) {
        long t0 = System.nanoTime();
        assertFalse(wait.test(d));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= d.toNanos(), () -> "returned after " + waited + " ns, before " + d);
    }

    @Test
    void conversionIsExactAndAgreesWithSeconds() {
        assertEquals(0, Timeouts.durationTimeout(Duration.ZERO));
        assertEquals(1, Timeouts.durationTimeout(Duration.ofNanos(1)));
        assertEquals(1_999_999_999, Timeouts.durationTimeout(Duration.ofSeconds(1, 999_999_999)));
        assertEquals(Timeouts.waitTimeout(0.25), Timeouts.durationTimeout(Duration.ofMillis(250)));
        assertEquals(Timeouts.waitTimeout(3), Timeouts.durationTimeout(Duration.ofSeconds(3)));
        assertEquals(Timeouts.waitTimeout(NativeThread.TIMEOUT_MAX),
                Timeouts.durationTimeout(Duration.ofSeconds((long) NativeThread.TIMEOUT_MAX)));
    }

    @Test
    void badDurationsAreRefusedAndTheLockIsLeftAlone() {
        for (BaseLock l : new BaseLock[] {new NativeLock(), new NativeRLock()}) {
            assertRefusesBadDurations(l::acquire);
            assertFalse(l.locked());
            assertTrue(l.acquire(Duration.ofSeconds((long) NativeThread.TIMEOUT_MAX)));  // the largest is accepted
            l.release();
            assertFalse(l.locked());
        }
    }

    @Test
    void timedAcquireOfAHeldLockIsNeverEarly() {
        NativeLock lock = new NativeLock();
        lock.acquire();
        assertNeverEarly(Duration.ofMillis(30), lock::acquire);
        assertNeverEarly(Duration.ofNanos(1_234_567), lock::acquire);
        assertFalse(lock.acquire(Duration.ZERO));  // ZERO: only if free now
        lock.release();
        assertTrue(lock.acquire(Duration.ZERO));
        lock.release();

        NativeRLock rlock = new NativeRLock();
        ThreadHandle holder = NativeThread.startJoinableThread(rlock::acquire);  // ends owning it
        assertTrue(holder.join(Duration.ofSeconds((long) LONG_TIMEOUT_S)));
        assertNeverEarly(Duration.ofMillis(30), rlock::acquire);
    }

    @Test
    void durationAndSecondsWaitAlike() {
        NativeLock lock = new NativeLock();
        lock.acquire();
        long t0 = System.nanoTime();
        assertFalse(lock.acquire(0.02));
        long seconds = System.nanoTime() - t0;
        t0 = System.nanoTime();
        assertFalse(lock.acquire(Duration.ofMillis(20)));
        long duration = System.nanoTime() - t0;
        assertTrue(seconds >= 20_000_000 && duration >= 20_000_000, seconds + " / " + duration);
        ThreadHandle releaser = NativeThread.startJoinableThread(() -> {
            ThreadHelpers.awaitTrue("a waiter", () -> lock.getQueueLength() > 0);
            lock.release();
        });
        assertTrue(lock.acquire(Duration.ofSeconds((long) LONG_TIMEOUT_S)));  // a release ends the wait: true
        ThreadHelpers.join(releaser);
        lock.release();
    }

    @Test
    void joinWithADuration() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle t = NativeThread.startJoinableThread(() -> {
            gate.acquire();
            gate.release();
        });
        try {
            assertRefusesBadDurations(t::join);
            assertNeverEarly(Duration.ofMillis(30), t::join);
            assertFalse(t.join(Duration.ZERO));
        } finally {
            gate.release();
        }
        assertTrue(t.join(Duration.ofSeconds((long) LONG_TIMEOUT_S)));
        assertTrue(t.join(Duration.ZERO));  // ended: true at once, as often as asked
    }

    @Test
    void joiningItselfWithADurationIsAnError() {
        ThreadError[] seen = new ThreadError[1];
        ThreadHandle[] self = new ThreadHandle[1];
        NativeLock ready = new NativeLock();
        ready.acquire();
        self[0] = NativeThread.startJoinableThread(() -> {
            ready.acquire();
            seen[0] = assertThrows(ThreadError.class, () -> self[0].join(Duration.ofSeconds(1)));
        });
        ready.release();
        ThreadHelpers.join(self[0]);
        assertEquals("Cannot join current thread", seen[0].getMessage());
    }
}
