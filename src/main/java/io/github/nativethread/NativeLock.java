package io.github.nativethread;

import io.github.nativethread.internal.Native;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * CPython's {@code _thread.lock}: a lock without an owner. Any thread may release it, and the
 * thread that holds it waits like any other if it acquires it again.
 *
 * <p>The lock is one 32-bit word of native memory. Taking a free lock and releasing one that
 * nobody waits for is a single compare-and-swap in Java, as cheap as {@link
 * java.util.concurrent.locks.ReentrantLock}; only a thread that must wait calls into the C layer,
 * which parks it (after CPython's {@code PyMutex}). Timed waits measure the monotonic clock of
 * {@link System#nanoTime()} and never return early. The word lives in a direct buffer, so its memory
 * is freed when the lock becomes unreachable, locked or not.
 *
 * <p>As a {@link Lock}: {@link #lock()}/{@link #unlock()} are {@code acquire()}/{@code release()};
 * {@link #lockInterruptibly()} and {@link #tryLock(long, TimeUnit)} notice {@link Thread#interrupt()}
 * within 20 ms (a native wait cannot be interrupted by it, so they wait in slices);
 * {@link #newCondition()} is not supported, because a condition needs an owner.
 */
public final class NativeLock implements Lock {
    /** A held lock, released by {@link #close()}: the {@code with lock:} statement of Java. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int LOCKED = 1;  // NT_LOCK_LOCKED; NT_LOCK_PARKED (2) is the C layer's

    private final ByteBuffer word = ByteBuffer.allocateDirect(8).alignedSlice(4);
    private final long address = Native.address(word);

    /** A new unlocked lock. */
    public NativeLock() {}

    /** Waits as long as needed; returns true. */
    public boolean acquire() {
        return acquireNanos(-1);
    }

    /** {@code blocking=false}: takes the lock only if it is free now. */
    public boolean acquire(boolean blocking) {
        return acquireNanos(blocking ? -1 : 0);
    }

    /**
     * Takes the lock, waiting at most {@code timeout} seconds (-1: no limit).
     *
     * @return true if acquired; false after waiting at least {@code timeout}
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, one above
     *     {@link NativeThread#TIMEOUT_MAX}, or a timeout with {@code blocking=false}
     */
    public boolean acquire(boolean blocking, double timeout) {
        return acquireNanos(Timeouts.lockTimeout(blocking, timeout));
    }

    /** {@code acquire(true, timeout)}. */
    public boolean acquire(double timeout) {
        return acquire(true, timeout);
    }

    /** Acquires and returns a {@link Hold} whose {@code close()} releases: {@code try (var h = lock.hold()) {...}}. */
    public Hold hold() {
        acquire();
        return this::release;
    }

    /** Releases the lock; any thread may. @throws ThreadError "release unlocked lock" */
    public void release() {
        if (!WORD.compareAndSet(word, 0, LOCKED, 0)) {
            Native.lockRelease(address);  // waiters to wake, or not locked at all
            Reference.reachabilityFence(word);
        }
    }

    /** Is the lock held by some thread? */
    public boolean locked() {
        return ((int) WORD.getVolatile(word, 0) & LOCKED) != 0;
    }

    /** -1: no limit; 0: do not wait. In the main thread, waits run pending signal handlers. */
    boolean acquireNanos(long nanos) {
        if (WORD.compareAndSet(word, 0, 0, LOCKED)) return true;
        return nanos == 0 ? tryTake() : acquireSlow(nanos);
    }

    private boolean tryTake() {
        int v;
        while (((v = (int) WORD.getVolatile(word, 0)) & LOCKED) == 0) {
            if (WORD.compareAndSet(word, 0, v, v | LOCKED)) return true;
        }
        return false;
    }

    private boolean acquireSlow(long nanos) {
        long waker = Signals.wakerOfCurrentThread();
        long start = System.nanoTime();
        for (;;) {
            if (waker != 0) Signals.checkSignals();  // pending handlers run first; may throw
            long left = nanos;
            if (nanos > 0) {
                left = nanos - (System.nanoTime() - start);
                if (left <= 0) return tryTake();
            }
            int result = Native.lockAcquire(address, left, waker);
            Reference.reachabilityFence(word);
            if (result == Native.OK) return true;
            // TIMEOUT: the loop confirms the deadline by System.nanoTime(); INTERRUPTED: handlers run
        }
    }

    @Override
    public void lock() {
        acquire();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        Timeouts.acquireInterruptibly(this::acquireNanos, -1);
    }

    @Override
    public boolean tryLock() {
        return acquire(false);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return Timeouts.acquireInterruptibly(this::acquireNanos, Math.max(0, unit.toNanos(time)));
    }

    @Override
    public void unlock() {
        release();
    }

    /** Not supported: a {@link Condition} needs an owner, and this lock has none. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("NativeLock has no owner, so it has no conditions");
    }

    /** {@code io.github.nativethread.NativeLock@1b6d3586[locked]} or {@code [unlocked]}. */
    @Override
    public String toString() {
        return super.toString() + (locked() ? "[locked]" : "[unlocked]");
    }
}
