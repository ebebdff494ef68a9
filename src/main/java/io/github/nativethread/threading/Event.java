// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import io.github.nativethread.Signals;
import io.github.nativethread.internal.Timeouts;
import java.time.Duration;

/**
 * CPython's {@code threading.Event}: a flag that threads can wait for. {@link #set()} wakes every
 * waiter; {@link #await()} returns at once while the flag is set. Built on a {@link Condition}
 * over a {@link NativeLock}, so its waits have the condition's properties (never early, safe for
 * virtual threads, interruptible in the main thread by {@code interruptMain}).
 */
public final class Event {
    private final Condition cond = new Condition(new NativeLock());
    private volatile boolean flag;

    /** A new event, not set. */
    public Event() {}

    /** {@return whether the flag is set} */
    public boolean isSet() {
        return flag;
    }

    /** Sets the flag and wakes every waiter; later waits return at once until {@link #clear()}. */
    public void set() {
        try (NativeLock.Hold h = cond.hold()) {
            flag = true;
            cond.signalAll();
        }
    }

    /** Clears the flag: later waits block until {@link #set()}. */
    public void clear() {
        try (NativeLock.Hold h = cond.hold()) {
            flag = false;
        }
    }

    /**
     * Waits until the flag is set.
     *
     * @return true
     */
    public boolean await() {
        return awaitNanos(-1);
    }

    /**
     * Waits at most {@code timeout} <em>seconds</em> (-1: no limit) until the flag is set;
     * {@link #await(Duration)} is the same in Java's unit.
     *
     * @param timeout seconds; -1 for no limit
     * @return true unless it timed out (having waited at least {@code timeout}); also true when the
     *     flag was set and cleared again before this waiter woke
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, or one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX}
     */
    public boolean await(double timeout) {
        return awaitNanos(Timeouts.waitTimeout(timeout));
    }

    /**
     * Waits at most {@code timeout} until the flag is set: {@link #await(double)} in Java's unit
     * (converted exactly to nanoseconds; for no limit use {@link #await()}).
     *
     * @param timeout the longest wait
     * @return true unless it timed out, having waited at least {@code timeout}
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX} seconds
     */
    public boolean await(Duration timeout) {
        return awaitNanos(Timeouts.durationTimeout(timeout));
    }

    private boolean awaitNanos(long nanos) {
        Signals.checkSignals();  // a checkpoint in the main thread, even when there is no wait
        if (flag) return true;
        try (NativeLock.Hold h = cond.hold()) {
            return flag || cond.awaitNanos(nanos);
        }
    }

    @Override
    public String toString() {
        return super.toString() + (flag ? "[set]" : "[unset]");
    }
}
