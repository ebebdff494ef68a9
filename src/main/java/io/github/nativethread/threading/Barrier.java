// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import io.github.nativethread.internal.Timeouts;

/**
 * CPython's {@code threading.Barrier}: {@code parties} threads wait in {@link #await()} until all
 * have arrived; then one of them runs the action, and all are released together. The barrier is
 * cyclic: it fills, drains, and fills again. A timeout, {@link #abort()} or an exception from the
 * action breaks it: every waiter and every later {@code await} throws {@link BrokenBarrierError}
 * until {@link #reset()}.
 *
 * <p>Built on a {@link Condition} over a {@link NativeLock}, as CPython's; its waits have the
 * condition's properties (never early, safe for virtual threads, interruptible in the main thread
 * by {@code interruptMain}: the handler's exception leaves the barrier as a timeout would not, with
 * the other parties still waiting, as in CPython).
 */
public final class Barrier {
    private static final int FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2;

    private final Condition cond = new Condition(new NativeLock());
    private final int parties;
    private final Runnable action;
    private final long timeoutNanos;
    // guarded by cond's lock; volatile for the snapshot readers nWaiting() and isBroken()
    private volatile int state = FILLING;
    private volatile int count;
    private String brokenBy;

    /**
     * A barrier for {@code parties} threads, without action or default timeout.
     *
     * @param parties the number of threads that must arrive, at least 1
     */
    public Barrier(int parties) {
        this(parties, null, -1);
    }

    /**
     * A barrier for {@code parties} threads; {@code action} (null: none) runs once per round.
     *
     * @param parties the number of threads that must arrive, at least 1
     * @param action what the last party to arrive runs, or null
     */
    public Barrier(int parties, Runnable action) {
        this(parties, action, -1);
    }

    /**
     * A barrier for {@code parties} threads; {@code action} (null: none) runs once per round, in one
     * of the parties, before any is released; {@code timeout} seconds (-1: none) is the default of
     * {@link #await()}.
     *
     * @param parties the number of threads that must arrive, at least 1
     * @param action what the last party to arrive runs, or null
     * @param timeout the default timeout of {@link #await()} in seconds, or -1 for none
     * @throws IllegalArgumentException if {@code parties} &lt; 1, or for a bad timeout (the rules of
     *     {@link Condition#await(double)})
     */
    public Barrier(int parties, Runnable action, double timeout) {
        if (parties < 1) throw new IllegalArgumentException("parties must be >= 1: " + parties);
        this.parties = parties;
        this.action = action;
        this.timeoutNanos = Timeouts.waitTimeout(timeout);
    }

    /**
     * {@link #await(double)} with the barrier's default timeout.
     *
     * @return an index unique among the parties of this round, 0 … parties-1
     */
    public int await() {
        return awaitNanos(timeoutNanos);
    }

    /**
     * Waits until all parties have arrived, or at most {@code timeout} seconds (-1: no limit).
     *
     * @param timeout the longest wait in seconds, or -1 for no limit
     * @return an index unique among the parties of this round, 0 … parties-1
     * @throws BrokenBarrierError if the barrier is or becomes broken or reset while waiting, or this
     *     wait timed out (which breaks it)
     */
    public int await(double timeout) {
        return awaitNanos(Timeouts.waitTimeout(timeout));
    }

    private int awaitNanos(long nanos) {
        try (NativeLock.Hold h = cond.hold()) {
            enter();  // waits while the barrier drains
            int index = count++;
            try {
                if (index + 1 == parties) {
                    trip();
                } else {
                    waitForTrip(nanos);
                }
                return index;
            } finally {
                count--;
                exit();
            }
        }
    }

    /** Waits while the previous round drains or a reset completes. */
    private void enter() {
        while (state == DRAINING || state == RESETTING) cond.awaitNanos(-1);
        if (state == BROKEN) throw broken();
    }

    /** The last party: runs the action, then releases the others. */
    private void trip() {
        if (action != null) {
            try {
                action.run();
            } catch (Throwable e) {
                breakBarrier("the barrier's action threw " + e);
                throw e;
            }
        }
        state = DRAINING;
        cond.signalAll();
    }

    private void waitForTrip(long nanos) {
        if (!cond.awaitForNanos(() -> state != FILLING, nanos)) {
            breakBarrier("a party's wait timed out");
            throw broken();
        }
        if (state < 0) throw broken();
    }

    /** The last party out of a draining or reset round lets the next round in. */
    private void exit() {
        if (count == 0 && (state == DRAINING || state == RESETTING)) {
            state = FILLING;
            cond.signalAll();
        }
    }

    private void breakBarrier(String why) {
        state = BROKEN;
        brokenBy = why;
        cond.signalAll();
    }

    private BrokenBarrierError broken() {
        return new BrokenBarrierError(state == RESETTING ? "the barrier was reset while waiting"
                : "the barrier is broken: " + brokenBy + "; reset() repairs it");
    }

    /**
     * Returns the barrier to its initial state; threads waiting in it now get
     * {@link BrokenBarrierError}.
     */
    public void reset() {
        try (NativeLock.Hold h = cond.hold()) {
            if (count > 0) {
                if (state == FILLING || state == BROKEN) state = RESETTING;  // the last one out ends it
            } else {
                state = FILLING;
            }
            cond.signalAll();
        }
    }

    /** Breaks the barrier: waiting and later {@code await}s throw {@link BrokenBarrierError}. */
    public void abort() {
        try (NativeLock.Hold h = cond.hold()) {
            breakBarrier("abort() was called");
        }
    }

    /** {@return the number of threads needed to trip the barrier} */
    public int parties() {
        return parties;
    }

    /** {@return the number of threads waiting in the barrier now (a snapshot)} */
    public int nWaiting() {
        return state == FILLING ? count : 0;
    }

    /** {@return whether the barrier is broken} */
    public boolean isBroken() {
        return state == BROKEN;
    }

    @Override
    public String toString() {
        return super.toString() + (isBroken() ? "[broken]" : "[waiters=" + nWaiting() + "/" + parties + "]");
    }
}
