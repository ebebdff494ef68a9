// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.Signals;
import io.github.nativethread.ThreadError;
import io.github.nativethread.internal.Timeouts;
import java.time.Duration;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * CPython's {@code threading.Condition}: a condition variable over a {@link NativeRLock} (the
 * default) or a {@link NativeLock}. Python's {@code wait}/{@code wait_for}/{@code notify}/
 * {@code notify_all} are {@link #await}/{@link #awaitFor}/{@link #signal}/{@link #signalAll}.
 *
 * <p>As in CPython, each waiter blocks on a {@link NativeLock} of its own, which a signal releases;
 * so a wait is an ownerless-lock wait: timed waits never end early by {@link System#nanoTime()}, a
 * virtual thread waits without blocking its carrier, and in the main thread a wait is a checkpoint
 * of {@link Signals}: {@code interruptMain} wakes it, the handler runs, and its exception ends the
 * wait after the lock has been re-acquired (if the handler returns, the wait goes on). Waiters are
 * signalled in the order they began waiting; a waiter whose wait ends (timeout or exception) is
 * never counted by a later signal, which goes to the next waiter instead.
 *
 * <p>Waiting or signalling requires holding the lock; for a {@link NativeLock}, which has no owner,
 * "holding" means it is locked.
 */
public final class Condition {
    private final NativeLock lock;     // exactly one of lock and rlock
    private final NativeRLock rlock;
    /** Waiters in the order they began waiting. Concurrent: over a NativeLock, "held" means locked, so
     *  a thread that does not hold it may signal while the holder adds itself. */
    private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();

    /** A condition over a new {@link NativeRLock}. */
    public Condition() {
        this(new NativeRLock());
    }

    /**
     * A condition over {@code lock}.
     *
     * @param lock the lock that waiters hold
     */
    public Condition(NativeRLock lock) {
        this.rlock = Objects.requireNonNull(lock, "lock");
        this.lock = null;
    }

    /**
     * A condition over {@code lock}, which has no owner: held means locked.
     *
     * @param lock the lock that waiters hold
     */
    public Condition(NativeLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.rlock = null;
    }

    /**
     * The underlying lock's {@code acquire()}.
     *
     * @return true
     */
    public boolean acquire() {
        return rlock != null ? rlock.acquire() : lock.acquire();
    }

    /**
     * The underlying lock's {@code acquire(blocking)}.
     *
     * @param blocking false to take the lock only if it is free now
     * @return true if acquired
     */
    public boolean acquire(boolean blocking) {
        return rlock != null ? rlock.acquire(blocking) : lock.acquire(blocking);
    }

    /**
     * The underlying lock's {@code acquire(blocking, timeout)}.
     *
     * @param blocking false to take the lock only if it is free now (then {@code timeout} must be -1)
     * @param timeout the longest wait in seconds, or -1 for no limit
     * @return true if acquired
     */
    public boolean acquire(boolean blocking, double timeout) {
        return rlock != null ? rlock.acquire(blocking, timeout) : lock.acquire(blocking, timeout);
    }

    /**
     * The underlying lock's {@code acquire(timeout)}.
     *
     * @param timeout the longest wait in seconds, or -1 for no limit
     * @return true if acquired
     */
    public boolean acquire(double timeout) {
        return rlock != null ? rlock.acquire(timeout) : lock.acquire(timeout);
    }

    /** The underlying lock's {@code release()}. */
    public void release() {
        if (rlock != null) rlock.release(); else lock.release();
    }

    /**
     * The underlying lock's {@code hold()}: {@code try (NativeLock.Hold h = cond.hold()) { ... }}.
     *
     * @return the hold, to close
     */
    public NativeLock.Hold hold() {
        return rlock != null ? rlock.hold() : lock.hold();
    }

    /**
     * Releases the lock (all recursion levels of a {@link NativeRLock}), waits until signalled,
     * and re-acquires it (restoring the levels) before returning or throwing.
     *
     * @return true
     * @throws ThreadError "cannot wait on un-acquired lock" unless the caller holds the lock
     */
    public boolean await() {
        return awaitNanos(-1);
    }

    /**
     * {@link #await()} for at most {@code timeout} <em>seconds</em> (-1: no limit);
     * {@link #await(Duration)} is the same in Java's unit.
     *
     * @param timeout seconds; -1 for no limit
     * @return false when it timed out, having waited at least {@code timeout}
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, or one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX}
     * @throws ThreadError "cannot wait on un-acquired lock" unless the caller holds the lock
     */
    public boolean await(double timeout) {
        return awaitNanos(Timeouts.waitTimeout(timeout));
    }

    /**
     * {@link #await()} for at most {@code timeout}: {@link #await(double)} in Java's unit
     * (converted exactly to nanoseconds; for no limit use {@link #await()}).
     *
     * @param timeout the longest wait
     * @return false when it timed out, having waited at least {@code timeout}
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link io.github.nativethread.NativeThread#TIMEOUT_MAX} seconds
     * @throws ThreadError "cannot wait on un-acquired lock" unless the caller holds the lock
     */
    public boolean await(Duration timeout) {
        return awaitNanos(Timeouts.durationTimeout(timeout));
    }

    /**
     * Python's {@code wait_for}: awaits until {@code predicate} is true, evaluating it with the
     * lock held, first before any wait.
     *
     * @param predicate what to wait for
     * @return the predicate's last value
     */
    public boolean awaitFor(BooleanSupplier predicate) {
        return awaitFor(predicate, -1);
    }

    /**
     * {@link #awaitFor(BooleanSupplier)} for at most {@code timeout} seconds (-1: no limit), counted
     * from the call.
     *
     * @param predicate what to wait for
     * @param timeout the longest wait in seconds, or -1 for no limit
     * @return the predicate's last value (false only once {@code timeout} has passed)
     */
    public boolean awaitFor(BooleanSupplier predicate, double timeout) {
        Objects.requireNonNull(predicate, "predicate");
        long nanos = Timeouts.waitTimeout(timeout);
        Signals.checkSignals();  // a checkpoint in the main thread, even when the predicate holds at once
        return awaitForNanos(predicate, nanos);
    }

    /** The wait of {@link #awaitFor(BooleanSupplier, double)}: {@code nanos} -1 for no limit. */
    boolean awaitForNanos(BooleanSupplier predicate, long nanos) {
        long start = System.nanoTime();
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = -1;
            if (nanos >= 0) {
                left = nanos - (System.nanoTime() - start);
                if (left <= 0) break;
            }
            awaitNanos(left);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /** Wakes the longest-waiting waiter, if any. @throws ThreadError unless the caller holds the lock */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiters, longest-waiting first. In the main thread, a handler's exception
     * from a checkpoint on the way is thrown once all of them have been woken.
     *
     * @param n the most waiters to wake
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws ThreadError "cannot notify on un-acquired lock" unless the caller holds the lock
     */
    public void signal(int n) {
        if (n < 0) throw new IllegalArgumentException("n must be non-negative: " + n);
        if (!isHeld()) throw new ThreadError("cannot notify on un-acquired lock");
        Throwable thrown = null;
        Waiter w;
        while (n > 0 && (w = waiters.poll()) != null) {
            if (!w.claim()) continue;  // its wait has ended: the signal goes to the next one
            n--;
            try {
                w.lock.release();
            } catch (Throwable e) {  // a handler's, from the release's checkpoint: released anyway
                thrown = chain(thrown, e);
            }
        }
        if (thrown != null) throw rethrow(thrown);
    }

    /** Wakes every waiter. @throws ThreadError unless the caller holds the lock */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    /** {@code Condition(io.github.nativethread.NativeRLock@1b6d3586[unlocked], waiters=0)}. */
    @Override
    public String toString() {
        return "Condition(" + (rlock != null ? rlock : lock) + ", waiters=" + waiters.size() + ")";
    }

    private boolean isHeld() {
        return rlock != null ? rlock.isOwned() : lock.locked();
    }

    /** The wait of {@link #await(double)}: {@code nanos} -1 for no limit. True if signalled. */
    boolean awaitNanos(long nanos) {
        if (!isHeld()) throw new ThreadError("cannot wait on un-acquired lock");
        Signals.checkSignals();  // handlers already pending run while nothing has changed
        long start = System.nanoTime();
        Waiter w = new Waiter();  // (its lock taken: a checkpoint too, still before any change)
        waiters.add(w);
        Throwable thrown = null;
        int levels = 0;
        boolean signalled = false;
        try {
            // Release every level. A handler's exception comes from a release's checkpoint, after
            // that release: keep releasing, and skip the wait.
            int count = rlock != null ? rlock.recursionCount() : 1;
            for (; levels < count; levels++) {
                try {
                    release();
                } catch (Throwable e) {
                    thrown = chain(thrown, e);
                }
            }
            if (thrown == null) signalled = w.await(nanos, start);
        } catch (Throwable e) {  // a handler's, or an Error: ends the wait
            thrown = chain(thrown, e);
        }
        // Re-acquire every level, whatever happens: a handler's exception comes from an acquire's
        // checkpoint before it took the lock, so that acquire is tried again.
        for (int i = 0; i < levels; ) {
            try {
                acquire();
                i++;
            } catch (Throwable e) {
                thrown = chain(thrown, e);
            }
        }
        if (!signalled && w.cancel()) {
            waiters.remove(w);
        } else {
            signalled = true;  // also when a signal claimed it as the wait ended: that counts
        }
        if (thrown == null) return signalled;
        if (signalled) {
            try {
                signal(1);  // leaving with an exception: its signal goes on to the next waiter
            } catch (Throwable e) {
                thrown = chain(thrown, e);
            }
        }
        throw rethrow(thrown);
    }

    /**
     * {@link #acquire()} that completes even when a handler throws at its checkpoint in the main
     * thread: such an exception is returned, to be thrown once the caller's work is done.
     */
    Throwable acquireFully() {
        Throwable thrown = null;
        for (;;) {
            try {
                acquire();
                return thrown;
            } catch (Throwable e) {
                thrown = chain(thrown, e);
            }
        }
    }

    /** The first exception, with later ones suppressed in it. */
    static Throwable chain(Throwable first, Throwable next) {
        if (first == null) return next;
        if (first != next) first.addSuppressed(next);
        return first;
    }

    /** Throws {@code t} as it is (an unchecked exception or an Error, as handlers throw). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) throw (RuntimeException) t;
        if (t instanceof Error) throw (Error) t;
        throw new IllegalStateException(t);  // unreachable: nothing here throws checked exceptions
    }

    /** One wait: a lock of its own, released by the signal that claims it. */
    private static final class Waiter {
        private static final int WAITING = 0, SIGNALLED = 1, CANCELLED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final NativeLock lock = new NativeLock();
        @SuppressWarnings("unused")  // through STATE
        private volatile int state;

        Waiter() {
            lock.acquire();  // a new lock: taken at once; the signal's release lets await take it
        }

        /** By a signal: true if the waiter was still waiting, and now must be woken. */
        boolean claim() {
            return STATE.compareAndSet(this, WAITING, SIGNALLED);
        }

        /** By the waiter when its wait ends unsignalled: false if a signal claimed it first. */
        boolean cancel() {
            return STATE.compareAndSet(this, WAITING, CANCELLED);
        }

        /** Waits for the signal's release; true if it came. Never returns false early. */
        boolean await(long nanos, long start) {
            if (nanos < 0) return lock.acquire();
            for (;;) {
                long left = nanos - (System.nanoTime() - start);
                if (left <= 0) return lock.acquire(false);
                if (lock.acquire(Math.min(left / 1e9, NativeThread.TIMEOUT_MAX))) return true;
            }
        }
    }
}
