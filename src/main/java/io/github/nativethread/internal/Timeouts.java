// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Validation and conversion of timeouts, in seconds with CPython's rules and messages, and as a
 * {@link Duration} with the same limits: one place for the core and the {@code threading} layer.
 */
public final class Timeouts {
    /** Longest a {@code lockInterruptibly}/{@code tryLock(time, unit)} wait goes without looking at
     *  {@link Thread#interrupted()}: a native wait cannot be ended by {@link Thread#interrupt()}. */
    public static final long INTERRUPT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Timeouts() {}

    /** {@code acquire(blocking, timeout)}: nanoseconds to wait, -1 for no limit, 0 for none. */
    public static long lockTimeout(boolean blocking, double timeout) {
        if (Double.isNaN(timeout)) throw new IllegalArgumentException("Invalid value NaN (not a number)");
        if (!blocking && timeout != -1) {
            throw new IllegalArgumentException("can't specify a timeout for a non-blocking call: " + timeout);
        }
        if (!blocking) return 0;
        return waitTimeout(timeout);
    }

    /** A blocking wait's timeout: -1 = no limit, else 0..TIMEOUT_MAX seconds, rounded up to ns. */
    public static long waitTimeout(double timeout) {
        if (Double.isNaN(timeout)) throw new IllegalArgumentException("Invalid value NaN (not a number)");
        if (timeout == -1) return -1;
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout value must be a non-negative number: " + timeout);
        }
        if (timeout > Native.TIMEOUT_MAX) {
            throw new IllegalArgumentException("timeout value is too large: " + timeout
                    + " (TIMEOUT_MAX is " + Native.TIMEOUT_MAX + ")");
        }
        return (long) Math.ceil(timeout * 1e9);  // never early: round up
    }

    /**
     * A {@link Duration} timeout: the rules of {@link #waitTimeout(double)} in Java's unit, converted
     * exactly to nanoseconds. There is no "no limit" value: a negative duration is an error.
     *
     * @throws NullPointerException for null
     * @throws IllegalArgumentException for a negative duration or one above {@code TIMEOUT_MAX}
     *     seconds, naming the value
     */
    public static long durationTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout value must be a non-negative number: " + timeout);
        }
        if (timeout.compareTo(maxDuration()) > 0) {
            throw new IllegalArgumentException("timeout value is too large: " + timeout
                    + " (TIMEOUT_MAX is " + Native.TIMEOUT_MAX + " s)");
        }
        return timeout.toNanos();  // exact: TIMEOUT_MAX seconds fit in a long of nanoseconds
    }

    /** {@code TIMEOUT_MAX} seconds as a Duration, rounded down to the nanosecond. */
    private static Duration maxDuration() {
        long whole = (long) Native.TIMEOUT_MAX;
        return Duration.ofSeconds(whole, (long) Math.floor((Native.TIMEOUT_MAX - whole) * 1e9));
    }

    /** An acquire that waits {@code nanos} (-1: no limit) and gives up when the thread is interrupted. */
    public interface TimedAcquire {
        boolean acquire(long nanos);
    }

    /** {@link java.util.concurrent.locks.Lock}'s interruptible waits over a native wait. */
    public static boolean acquireInterruptibly(TimedAcquire lock, long nanos) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        long start = System.nanoTime();
        for (;;) {
            long slice = INTERRUPT_POLL_NANOS;
            if (nanos >= 0) {
                long left = nanos - (System.nanoTime() - start);
                if (left <= 0) return lock.acquire(0);
                slice = Math.min(slice, left);
            }
            if (lock.acquire(slice)) return true;
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }
}
