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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock that {@link NativeLock} and {@link NativeRLock} are: C's {@code nt_lock}, two 32-bit
 * words in a direct buffer ({@code locked}, 0 or 1, and {@code flags}), taken and released in Java
 * while nobody has to wait or be woken, and parked on in the C layer's parking lot otherwise. Both
 * extend it (rather than {@code NativeRLock} wrapping a {@code NativeLock}), so that the words are
 * one load away from the code that takes them.
 */
abstract class WordLock extends BaseLock {
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** Byte offsets of nt_lock's words: {@code locked} (0 or 1) and {@code flags}. */
    private static final int LOCKED_AT = 0, FLAGS_AT = 4;
    private static final int PARKED = 2, WAKING = 4;  // NT_LOCK_PARKED, NT_LOCK_WAKING: flags
    /** Yields before a virtual thread queues (nt_lock_acquire's spin, CPython's MAX_SPIN_COUNT). */
    private static final int SPIN_LIMIT = 40;

    /** The waits of virtual threads, by the key their native wait carries. */
    private static final Map<Long, VirtualWait> VIRTUAL_WAITS = new ConcurrentHashMap<>();
    private static final AtomicLong VIRTUAL_KEYS = new AtomicLong();

    private final ByteBuffer state = newWords();
    private final long address = Native.address(state);

    WordLock() {}

    /** The two words, 4-byte aligned as the VarHandle's atomic accesses need. */
    private static ByteBuffer newWords() {
        ByteBuffer words = ByteBuffer.allocateDirect(8);
        // malloc'd memory always is; a slice, a second buffer object per lock, only where it is not
        return words.alignmentOffset(0, 4) == 0 ? words : ByteBuffer.allocateDirect(12).alignedSlice(4);
    }

    /** Releases the lock, without the signal checkpoint. @throws ThreadError "release unlocked lock" */
    final void releaseWord() {
        if (mustWake()) {
            // through C while still locked: a waiter starved long enough is handed the lock
            wake(Native.lockRelease(address));  // wakes a waiter, or hands it the lock; or throws
        } else {
            if ((int) WORD.getAndSet(state, LOCKED_AT, 0) == 0) throw new ThreadError("release unlocked lock");
            // A waiter that set PARKED before the exchange is seen now; one after it finds the lock
            // free (nt_lock_release does the same).
            if (mustWake()) wake(Native.lockWake(address));
        }
        Reference.reachabilityFence(state);
    }

    /** Whether waiters may be queued and none that a release woke is still racing for the lock
     *  (WAKING). */
    private boolean mustWake() {
        return ((int) WORD.getVolatile(state, FLAGS_AT) & (PARKED | WAKING)) == PARKED;
    }

    /** Unparks the virtual thread whose wait a release (or a woken waiter) chose, if it chose one. */
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

    /** Takes the lock, waiting at most {@code nanos} (-1: no limit, 0: not at all); no checkpoint. */
    final boolean take(long nanos) {
        return tryTake() || nanos != 0 && acquireSlow(nanos);
    }

    /** Takes the lock if it is free, waiters queued or not. */
    final boolean tryTake() {
        return WORD.compareAndSet(state, LOCKED_AT, 0, 1);
    }

    final boolean acquireSlow(long nanos) {
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
            long packed = Native.lockAcquire(address, left, waker);
            wake(Native.chosen(packed));
            int result = Native.result(packed);
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
                    if (waitEnd(w.wait)) releaseWord();
                    throw e;
                }
                if (waitEnd(w.wait)) return true;
                if (nanos >= 0 && System.nanoTime() - start >= nanos) return false;
            }
        } finally {
            w.close();
            Reference.reachabilityFence(state);
        }
    }

    /** Ends a virtual thread's native wait; whether it took the lock. */
    private boolean waitEnd(long wait) {
        long packed = Native.lockWaitEnd(address, wait);
        wake(Native.chosen(packed));
        return Native.result(packed) == Native.OK;
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
}
