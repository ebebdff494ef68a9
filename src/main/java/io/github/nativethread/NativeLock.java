package io.github.nativethread;

import io.github.nativethread.internal.Native;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
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
public final class NativeLock extends BaseLock {
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

    /** Releases the lock; any thread may. @throws ThreadError "release unlocked lock" */
    @Override
    public void release() {
        if (!WORD.compareAndSet(word, 0, LOCKED, 0)) {
            Native.lockRelease(address);  // waiters to wake, or not locked at all
            Reference.reachabilityFence(word);
        }
    }

    @Override
    public boolean locked() {
        return ((int) WORD.getVolatile(word, 0) & LOCKED) != 0;
    }

    /** In the main thread, waits run pending signal handlers and can be interrupted. */
    @Override
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

    /** {@code io.github.nativethread.NativeLock@1b6d3586[locked]} or {@code [unlocked]}. */
    @Override
    public String toString() {
        return super.toString() + (locked() ? "[locked]" : "[unlocked]");
    }
}
