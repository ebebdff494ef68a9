// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.internal.Timeouts;
import java.util.Objects;

/**
 * CPython's {@code threading.Timer}: an {@link OsThread} that, once started, runs a function after
 * an interval unless {@link #cancel()} was called first. It waits on an {@link Event}, so the wait
 * is never early and a cancelled timer's thread ends at once.
 */
public class Timer extends OsThread {
    private final double interval;
    private final Runnable function;
    private final Event finished = new Event();

    /**
     * A timer that runs {@code function} {@code interval} seconds after {@link #start()}.
     *
     * @param interval the delay in seconds (-1: never runs, until cancelled)
     * @param function what the timer runs
     * @throws IllegalArgumentException for an interval that is not a valid timeout: NaN, negative
     *     other than -1 (no limit: never runs), above {@link io.github.nativethread.NativeThread#TIMEOUT_MAX}
     * @throws NullPointerException if {@code function} is null
     */
    public Timer(double interval, Runnable function) {
        Timeouts.waitTimeout(interval);
        this.interval = interval;
        this.function = Objects.requireNonNull(function, "function");
    }

    /** Stops the timer if its function has not begun; its thread then ends at once. */
    public void cancel() {
        finished.set();
    }

    /** Waits the interval, then runs the function unless cancelled. */
    @Override
    public void run() {
        finished.await(interval);
        if (!finished.isSet()) function.run();
        finished.set();
    }
}
