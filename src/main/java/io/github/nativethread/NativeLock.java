// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Native;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

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
public final class NativeLock extends BaseLock {
    /** A held lock, released by {@link #close()}: the {@code with lock:} statement of Java. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** Byte offsets of nt_lock's words: {@code locked} (0 or 1) and {@code flags}. */
    private static final int LOCKED_AT = 0, FLAGS_AT = 4;
    private static final int PARKED = 2, WAKING = 4;  // NT_LOCK_PARKED, NT_LOCK_WAKING: flags
    /** Yields before a virtual thread queues (nt_lock_acquire's spin, CPython's MAX_SPIN_COUNT). */
    private static final int SPIN_LIMIT = 40;

    /** The waits of virtual threads, by the key their native wait carries. */
    private static final Map<Long, VirtualWait> VIRTUAL_WAITS = new ConcurrentHashMap<>();
    private static final AtomicLong VIRTUAL_KEYS = new AtomicLong();

    private final ByteBuffer state = ByteBuffer.allocateDirect(12).alignedSlice(4);
    private final long address = Native.address(state);

    /** A new unlocked lock. */
    public NativeLock() {}

    /** Releases the lock; any thread may. @throws ThreadError "release unlocked lock" */
    @Override
    public void release() {
        if (mustWake()) {
            wake(Native.lockRelease(address));  // wakes a waiter, or hands it the lock; or throws
        } else {
            if ((int) WORD.getAndSet(state, LOCKED_AT, 0) == 0) throw new ThreadError("release unlocked lock");
            // A waiter that set PARKED before the exchange is seen now; one after it finds the lock
            // free (nt_lock_release does the same).
            if (mustWake()) wake(Native.lockWake(address));
        }
        Reference.reachabilityFence(state);
        if (Signals.tripped) Signals.checkSignals();
    }

    /** Whether waiters may be queued and none that a release woke is yet to run (WAKING). */
    private boolean mustWake() {
        return ((int) WORD.getVolatile(state, FLAGS_AT) & (PARKED | WAKING)) == PARKED;
    }

    /** Unparks the virtual thread whose wait a release chose, if it chose one. */
    private static void wake(long chosen) {
        if (chosen != 0) VirtualWait.wake(chosen);
    }

    @Override
    public boolean locked() {
        return (int) WORD.getVolatile(state, LOCKED_AT) != 0;
    }

    /**
     * How many threads are waiting for the lock now (queued, past a short spin); a snapshot, for
     * monitoring and tests, as {@link java.util.concurrent.locks.ReentrantLock#getQueueLength()}.
     *
     * @return the number of waiting threads
     */
    public int getQueueLength() {
        int n = Native.lockQueued(address);
        Reference.reachabilityFence(state);
        return n;
    }

    /** In the main thread, a checkpoint for signal handlers; its waits can be interrupted. */
    @Override
    boolean acquireNanos(long nanos) {
        if (Signals.tripped) Signals.checkSignals();
        return take(nanos);
    }

    /** {@link #acquireNanos} without the checkpoint on entry. */
    boolean take(long nanos) {
        return tryTake() || nanos != 0 && acquireSlow(nanos);
    }

    /** Takes the lock if it is free, waiters queued or not. */
    private boolean tryTake() {
        return WORD.compareAndSet(state, LOCKED_AT, 0, 1);
    }

    private boolean acquireSlow(long nanos) {
        long start = System.nanoTime();
        if (VirtualThreads.isVirtual(Thread.currentThread())) return acquireVirtual(nanos, start);
        long waker = Signals.wakerOfCurrentThread();
        for (;;) {
            if (waker != 0) Signals.checkSignals();  // pending handlers run first; may throw
            long left = nanos;
            if (nanos > 0) {
                left = nanos - (System.nanoTime() - start);
                if (left <= 0) return tryTake();
            }
            int result = Native.lockAcquire(address, left, waker);
            Reference.reachabilityFence(state);
            if (result == Native.OK) return true;
            // TIMEOUT: the loop confirms the deadline by System.nanoTime(); INTERRUPTED: handlers run
        }
    }

    /**
     * A virtual thread must not block its carrier in C: it queues a native wait that blocks
     * nothing, in the same queue as the platform threads' waits, and parks the Java way until the
     * release that chooses it unparks it. (It is never the main thread: no signal checkpoints.)
     */
    private boolean acquireVirtual(long nanos, long start) {
        for (int spins = 0; spins < SPIN_LIMIT; spins++) {
            if (tryTake()) return true;
            if (((int) WORD.getVolatile(state, FLAGS_AT) & PARKED) != 0
                    || (nanos > 0 && System.nanoTime() - start >= nanos)) {
                break;
            }
            Thread.yield();
        }
        VirtualWait w = new VirtualWait(this);
        try {
            for (;;) {
                if (Native.lockWaitBegin(address, w.wait) == Native.OK) return true;
                try {
                    w.park(nanos, start);
                } catch (Throwable e) {  // the wait must end before its memory goes
                    if (Native.lockWaitEnd(address, w.wait) == Native.OK) release();
                    throw e;
                }
                if (Native.lockWaitEnd(address, w.wait) == Native.OK) return true;
                if (nanos >= 0 && System.nanoTime() - start >= nanos) return false;
            }
        } finally {
            w.close();
            Reference.reachabilityFence(state);
        }
    }

    /** A virtual thread's wait: its native half, and what the release that chooses it sets. */
    private static final class VirtualWait {
        final Thread thread = Thread.currentThread();
        final long key = VIRTUAL_KEYS.incrementAndGet();
        final long wait;
        final Object blocker;
        volatile boolean woken;

        VirtualWait(Object blocker) {
            this.blocker = blocker;
            this.wait = Native.lockWaitNew(key);
            VIRTUAL_WAITS.put(key, this);
        }

        /** Called by a release that chose the wait with {@code key}. */
        static void wake(long key) {
            VirtualWait w = VIRTUAL_WAITS.get(key);
            if (w == null) return;  // it gave up meanwhile, and took the lock or passed it on
            w.woken = true;
            LockSupport.unpark(w.thread);
        }

        /** Parks until woken or {@code nanos} (-1: no limit) after {@code start}. Like
         *  {@link #acquire()}, not ended by {@link Thread#interrupt()}, whose status it keeps. */
        void park(long nanos, long start) {
            boolean interrupted = false;
            while (!woken) {
                if (nanos < 0) {
                    LockSupport.park(blocker);
                } else {
                    long left = nanos - (System.nanoTime() - start);
                    if (left <= 0) break;
                    LockSupport.parkNanos(blocker, left);
                }
                interrupted |= Thread.interrupted();
            }
            woken = false;
            if (interrupted) thread.interrupt();
        }

        void close() {
            VIRTUAL_WAITS.remove(key);
            Native.lockWaitFree(wait);
        }
    }

    /** {@code io.github.nativethread.NativeLock@1b6d3586[locked]} or {@code [unlocked]}. */
    @Override
    public String toString() {
        return super.toString() + (locked() ? "[locked]" : "[unlocked]");
    }
}
