// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/**
 * CPython's {@code _thread.RLock}: a re-entrant lock with an owner, on the same lock as a
 * {@link NativeLock}.
 * The owner may acquire it again; each acquire needs a release by the owner. Waits behave as in
 * {@link NativeLock} (monotonic, never early; in the main thread interruptible by
 * {@link NativeThread#interruptMain()}). {@link #newCondition()} is not supported.
 */
public final class NativeRLock extends WordLock {
    // Written only by the thread holding the lock; a thread that reads them sees either its own
    // writes or another thread's, never a stale value naming itself (as in ReentrantLock).
    private Thread owner;
    private int count;

    /** A new unlocked lock. */
    public NativeRLock() {}

    /** In the main thread, a checkpoint for signal handlers, as {@link NativeLock}'s. */
    @Override
    boolean acquireNanos(long nanos) {
        if (Signals.tripped) Signals.checkSignals();
        Thread me = Thread.currentThread();
        // the free lock first, as ReentrantLock: the common case pays no look at the owner
        if (!tryTake()) {
            if (owner == me) {
                if (count == Integer.MAX_VALUE) throw new IllegalArgumentException("Internal lock count overflowed");
                count++;
                return true;
            }
            if (nanos == 0 || !acquireSlow(nanos)) return false;
        }
        owner = me;
        count = 1;
        return true;
    }

    /** Releases one level; the lock is free when the count reaches zero.
     *  @throws ThreadError "cannot release un-acquired lock" unless the caller owns it */
    @Override
    public void release() {
        if (owner != Thread.currentThread()) throw new ThreadError("cannot release un-acquired lock");
        if (--count == 0) {
            owner = null;
            releaseWord();
        }
        if (Signals.tripped) Signals.checkSignals();
    }

    /** {@return whether the calling thread holds it} ({@code _is_owned}) */
    public boolean isOwned() {
        return owner == Thread.currentThread();
    }

    /** {@return how many times the calling thread holds it; 0 if it does not} ({@code _recursion_count}) */
    public int recursionCount() {
        return isOwned() ? count : 0;
    }

    /** {@code ...NativeRLock@1b6d3586[locked by main, count 2]} or {@code [unlocked]}. */
    @Override
    public String toString() {
        Thread o = owner;
        int c = count;
        return super.toString() + (o != null && locked() ? "[locked by " + o.getName() + ", count " + c + "]"
                : locked() ? "[locked]" : "[unlocked]");
    }
}
