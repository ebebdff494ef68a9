// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Timeouts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * What {@link NativeLock} and {@link NativeRLock} share: CPython's acquire overloads and
 * {@link Lock} on top of one timed acquire and a release.
 */
abstract class BaseLock implements Lock {
    BaseLock() {}

    /** Takes the lock, waiting at most {@code nanos} (-1: no limit, 0: not at all). */
    abstract boolean acquireNanos(long nanos);

    /** Releases the lock. */
    public abstract void release();

    /** {@return whether the lock is held by some thread} */
    public abstract boolean locked();

    /**
     * Waits as long as needed.
     *
     * @return true
     */
    public boolean acquire() {
        return acquireNanos(-1);
    }

    /**
     * {@code blocking=false}: takes the lock only if that needs no waiting.
     *
     * @param blocking false to take the lock only if it is free now
     * @return true if acquired
     */
    public boolean acquire(boolean blocking) {
        return acquireNanos(blocking ? -1 : 0);
    }

    /**
     * Takes the lock, waiting at most {@code timeout} <em>seconds</em> (-1: no limit), as CPython's
     * {@code acquire(blocking, timeout)}; {@link #acquire(Duration)} is the same in Java's unit. A
     * timed acquire that returns false has waited at least {@code timeout}, as measured by
     * {@link System#nanoTime()}.
     *
     * @param blocking false: take the lock only if it is free now (then {@code timeout} must be -1)
     * @param timeout seconds; -1 for no limit
     * @return true if acquired
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, one above
     *     {@link NativeThread#TIMEOUT_MAX}, or a timeout with {@code blocking=false}; the lock is
     *     not touched then
     */
    public boolean acquire(boolean blocking, double timeout) {
        return acquireNanos(Timeouts.lockTimeout(blocking, timeout));
    }

    /**
     * {@code acquire(true, timeout)}: waits at most {@code timeout} <em>seconds</em> (-1: no limit);
     * {@code acquire(250)} waits 250 s. See {@link #acquire(Duration)}.
     *
     * @param timeout seconds; -1 for no limit
     * @return true if acquired
     * @throws IllegalArgumentException as {@link #acquire(boolean, double)}
     */
    public boolean acquire(double timeout) {
        return acquire(true, timeout);
    }

    /**
     * Takes the lock, waiting at most {@code timeout}: {@link #acquire(double)} in Java's unit. An
     * acquire that returns false has waited at least {@code timeout} (converted exactly to
     * nanoseconds), as measured by {@link System#nanoTime()}; {@link Duration#ZERO} takes the lock
     * only if it is free now. For no limit use {@link #acquire()}.
     *
     * @param timeout the longest wait
     * @return true if acquired
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link NativeThread#TIMEOUT_MAX} seconds; the lock is not touched then
     */
    public boolean acquire(Duration timeout) {
        return acquireNanos(Timeouts.durationTimeout(timeout));
    }

    /** Acquires and returns a {@link NativeLock.Hold} whose {@code close()} releases:
     *  {@code try (NativeLock.Hold h = lock.hold()) { ... }}, Python's {@code with lock:}.
     *  @return the hold, to close */
    public NativeLock.Hold hold() {
        acquire();
        return this::release;
    }

    /** {@code acquire()}. */
    @Override
    public void lock() {
        acquire();
    }

    /** Waits like {@code acquire()} but throws when the thread is interrupted; a native wait cannot
     *  be ended by {@link Thread#interrupt()}, so it waits in slices and notices within 20 ms. */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        Timeouts.acquireInterruptibly(this::acquireNanos, -1);
    }

    /** {@code acquire(false)}. */
    @Override
    public boolean tryLock() {
        return acquire(false);
    }

    /** A timed acquire that also ends when the thread is interrupted (noticed within 20 ms). */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return Timeouts.acquireInterruptibly(this::acquireNanos, Math.max(0, unit.toNanos(time)));
    }

    /** {@code release()}. */
    @Override
    public void unlock() {
        release();
    }

    /** Not supported: throws {@link UnsupportedOperationException}. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support conditions");
    }
}
