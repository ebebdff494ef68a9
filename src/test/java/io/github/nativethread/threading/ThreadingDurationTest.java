// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.DurationTimeoutTest.assertNeverEarly;
import static io.github.nativethread.DurationTimeoutTest.assertRefusesBadDurations;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.NativeLock;
import io.github.nativethread.ThreadError;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Duration overloads of the threading layer's timed waits: the seconds overloads' rules. */
class ThreadingDurationTest {
    static final Duration SHORT = Duration.ofMillis(30);
    static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void eventAwait() {
        Event evt = new Event();
        assertRefusesBadDurations(evt::await);
        assertNeverEarly(SHORT, evt::await);
        assertFalse(evt.await(Duration.ZERO));
        evt.set();
        assertTrue(evt.await(Duration.ZERO));
        assertTrue(evt.await(LONG));
    }

    @Test
    void conditionAwait() {
        Condition cond = new Condition();
        assertThrows(ThreadError.class, () -> cond.await(SHORT));  // not holding the lock
        try (NativeLock.Hold h = cond.hold()) {
            assertRefusesBadDurations(cond::await);
            assertNeverEarly(SHORT, cond::await);
            assertFalse(cond.await(Duration.ZERO));
        }
    }

    @Test
    void semaphoreAcquire() {
        Semaphore sem = new Semaphore(0);
        assertRefusesBadDurations(sem::acquire);
        assertNeverEarly(SHORT, sem::acquire);
        assertFalse(sem.acquire(Duration.ZERO));
        sem.release();
        assertTrue(sem.acquire(Duration.ZERO));
        sem.release();
        assertTrue(sem.acquire(LONG));
    }

    @Test
    void osThreadJoin() {
        OsThread notStarted = new OsThread(() -> {});
        assertThrows(ThreadError.class, () -> notStarted.join(SHORT));
        NativeLock gate = new NativeLock();
        gate.acquire();
        OsThread t = new OsThread(() -> {
            gate.acquire();
            gate.release();
        });
        t.start();
        try {
            assertRefusesBadDurations(t::join);
            assertNeverEarly(SHORT, t::join);
            assertTrue(t.isAlive());
        } finally {
            gate.release();
        }
        assertTrue(t.join(LONG));
        assertFalse(t.isAlive());
    }
}
