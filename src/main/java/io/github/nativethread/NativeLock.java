// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * CPython's {@code _thread.lock}: a lock without an owner. Any thread may release it, and the
 * thread that holds it waits like any other if it acquires it again.
 *
 * <p>The lock is two 32-bit words of native memory (C's {@code nt_lock}): whether it is locked,
 * and whether threads wait for it. Taking a free lock is a single compare-and-swap in Java, even
 * with waiters queued, and releasing it a single exchange, as cheap as {@link
 * java.util.concurrent.locks.ReentrantLock}; only a thread that must wait, or a release that must
 * wake one, calls into the C layer, which parks and wakes threads (after CPython's {@code PyMutex}).
 * Timed waits measure the monotonic clock of {@link System#nanoTime()} and never return early. The
 * words live in a direct buffer, so their memory is freed when the lock becomes unreachable,
 * locked or not.
 *
 * <p>Virtual threads (JDK 21+) wait without blocking their carrier: a virtual thread that must wait
 * queues in the same queue as the platform threads (same order, same handoff) and parks like a
 * {@link java.util.concurrent.locks.ReentrantLock} waiter, so waiting virtual threads never starve
 * the scheduler of carriers.
 *
 * <p>As a {@link Lock}: {@link #lock()}/{@link #unlock()} are {@code acquire()}/{@code release()};
 * {@link #lockInterruptibly()} and {@link #tryLock(long, TimeUnit)} notice {@link Thread#interrupt()}
 * within 20 ms (a native wait cannot be interrupted by it, so they wait in slices);
 * {@link #newCondition()} is not supported, because a condition needs an owner.
 */
public final class NativeLock extends WordLock {
    /** A held lock, released by {@link #close()}: the {@code with lock:} statement of Java. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** A new unlocked lock. */
    public NativeLock() {}

    /** Releases the lock; any thread may. @throws ThreadError "release unlocked lock" */
    @Override
    public void release() {
        releaseWord();
        if (Signals.tripped) Signals.checkSignals();
    }

    /** In the main thread, a checkpoint for signal handlers; its waits can be interrupted. */
    @Override
    boolean acquireNanos(long nanos) {
        if (Signals.tripped) Signals.checkSignals();
        return take(nanos);
    }

    /** {@code io.github.nativethread.NativeLock@1b6d3586[locked]} or {@code [unlocked]}. */
    @Override
    public String toString() {
        return super.toString() + (locked() ? "[locked]" : "[unlocked]");
    }
}
