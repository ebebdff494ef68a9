// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import io.github.nativethread.Signals;
import io.github.nativethread.internal.Timeouts;
import java.time.Duration;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * CPython's {@code threading.Semaphore}: a counter that {@link #acquire()} decrements, waiting while
 * it is zero, and {@link #release()} increments.
 *
 * <p>Taking a permit that is there and releasing one that nobody waits for are each one
 * compare-and-swap; threads that must wait do so on a {@link Condition} over a {@link NativeLock},
 * so waits have its properties (woken in FIFO order, never early, safe for virtual threads,
 * interruptible in the main thread by {@code interruptMain}). As in CPython, a thread that arrives
 * while a released permit is there may take it before the waiter that release woke; that waiter
 * then waits again.
 */
public class Semaphore {
    private static final VarHandle VALUE, WAITING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            VALUE = lookup.findVarHandle(Semaphore.class, "value", int.class);
            WAITING = lookup.findVarHandle(Semaphore.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Condition cond = new Condition(new NativeLock());
    private volatile int value;
    /** Threads between announcing a wait and leaving it: releases wake them only when nonzero. */
    private volatile int waiting;

    /** A semaphore with value 1. */
    public Semaphore() {
        this(1);
    }

    /**
     * A semaphore with value {@code value}.
     *
     * @param value the initial number of permits, at least 0
     * @throws IllegalArgumentException "semaphore initial value must be &gt;= 0" if {@code value} is negative
     */
    public Semaphore(int value) {
        if (value < 0) throw new IllegalArgumentException("semaphore initial value must be >= 0: " + value);
        this.value = value;
    }

    /**
     * Takes a permit, waiting as long as needed.
     *
     * @return true
     */
    public boolean acquire() {
        return acquireNanos(-1);
    }

    /**
     * {@code blocking=false}: takes a permit only if one is there now.
     *
     * @param blocking false to take a permit only if one is there now
     * @return true if taken
     */
    public boolean acquire(boolean blocking) {
        return acquireNanos(blocking ? -1 : 0);
    }

    /**
     * Takes a permit, waiting at most {@code timeout} <em>seconds</em> (-1: no limit); the rules of
     * {@link NativeLock#acquire(boolean, double)}. {@link #acquire(Duration)} is the same in Java's unit.
     *
     * @param blocking false: take a permit only if one is there now (then {@code timeout} must be -1)
     * @param timeout seconds; -1 for no limit
     * @return true if taken; false once at least {@code timeout} has passed
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX}, or a timeout with
     *     {@code blocking=false}
     */
    public boolean acquire(boolean blocking, double timeout) {
        return acquireNanos(Timeouts.lockTimeout(blocking, timeout));
    }

    /**
     * {@code acquire(true, timeout)}: waits at most {@code timeout} <em>seconds</em> (-1: no limit).
     *
     * @param timeout seconds; -1 for no limit
     * @return true if taken
     */
    public boolean acquire(double timeout) {
        return acquire(true, timeout);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}: {@link #acquire(double)} in Java's unit
     * (converted exactly to nanoseconds; {@link Duration#ZERO}: only if one is there now; for no
     * limit use {@link #acquire()}).
     *
     * @param timeout the longest wait
     * @return true if taken; false once at least {@code timeout} has passed
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX} seconds
     */
    public boolean acquire(Duration timeout) {
        return acquireNanos(Timeouts.durationTimeout(timeout));
    }

    /**
     * Acquires and returns a hold whose {@code close()} releases: Python's {@code with sem:}.
     *
     * @return the hold, to close
     */
    public NativeLock.Hold hold() {
        acquire();
        return this::release;
    }

    /** Gives one permit back, waking a waiter if there is one. */
    public void release() {
        release(1);
    }

    /**
     * Gives {@code n} permits back, waking up to {@code n} waiters.
     *
     * @param n the number of permits, at least 1
     * @throws IllegalArgumentException "n must be one or more" if {@code n} &lt; 1, or if the value
     *     would exceed its bound (see {@link BoundedSemaphore}); the value is unchanged then
     */
    public void release(int n) {
        if (n < 1) throw new IllegalArgumentException("n must be one or more: " + n);
        int v;
        do {
            v = value;
            if (n > bound() - v) throw new IllegalArgumentException(tooMany(v, n));
        } while (!VALUE.compareAndSet(this, v, v + n));
        if (waiting == 0) return;  // a waiter announces itself before it looks at value
        Throwable thrown = cond.acquireFully();  // the wake-up must happen whatever a handler does
        try {
            cond.signal(n);
        } catch (Throwable e) {
            thrown = Condition.chain(thrown, e);
        }
        try {
            cond.release();
        } catch (Throwable e) {
            thrown = Condition.chain(thrown, e);
        }
        if (thrown != null) throw Condition.rethrow(thrown);
    }

    /** {@return the permits there now (CPython's {@code _value}); a snapshot} */
    public int availablePermits() {
        return value;
    }

    /** The largest value {@link #release(int)} may reach. */
    int bound() {
        return Integer.MAX_VALUE;
    }

    /** The message of a release that would exceed {@link #bound()}. */
    String tooMany(int value, int n) {
        return "Semaphore value would overflow: " + value + " + " + n + " > " + Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        return super.toString() + "[value=" + value + ", waiting=" + waiting + "]";
    }

    private boolean tryTake() {
        int v;
        while ((v = value) > 0) {
            if (VALUE.compareAndSet(this, v, v - 1)) return true;
        }
        return false;
    }

    private boolean acquireNanos(long nanos) {
        Signals.checkSignals();  // a checkpoint in the main thread, even when there is no wait
        if (tryTake()) return true;
        if (nanos == 0) return false;
        long start = System.nanoTime();
        // A permit is taken only outside the lock: a handler's exception (main thread) from the
        // lock's checkpoints then never comes after a permit was taken.
        for (;;) {
            long left = -1;
            if (nanos > 0) {
                left = nanos - (System.nanoTime() - start);
                if (left <= 0) return tryTake();
            }
            try (NativeLock.Hold h = cond.hold()) {
                WAITING.getAndAdd(this, 1);
                try {
                    if (value == 0) cond.awaitNanos(left);
                } finally {
                    WAITING.getAndAdd(this, -1);
                }
            }
            if (tryTake()) return true;
        }
    }
}
