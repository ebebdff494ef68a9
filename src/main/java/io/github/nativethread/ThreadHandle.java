// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Timeouts;
import java.time.Duration;

/**
 * CPython's {@code _ThreadHandle}: a thread started by {@link NativeThread}. Everything the
 * thread did happens-before {@link #join()} returns, a {@link #join(double)} that returns true,
 * and an {@link #isDone()} that returns true.
 */
public final class ThreadHandle {
    private final long ident;
    private final long nativeId;
    private final ThreadStart start;

    ThreadHandle(long ident, long nativeId, ThreadStart start) {
        this.ident = ident;
        this.nativeId = nativeId;
        this.start = start;
    }

    /** {@return the thread's {@link NativeThread#getIdent() ident}} */
    public long ident() {
        return ident;
    }

    /** {@return the thread's kernel id ({@link NativeThread#getNativeId()} in it)} */
    public long nativeId() {
        return nativeId;
    }

    /** Waits until the thread has ended. @throws ThreadError when called by the thread itself */
    public void join() {
        joinNanos(-1);
    }

    /**
     * Waits at most {@code timeoutSeconds} <em>seconds</em> (-1: no limit) for the thread to end;
     * {@link #join(Duration)} is the same in Java's unit.
     *
     * @param timeoutSeconds seconds; -1 for no limit
     * @return true when the thread has ended
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, or one above
     *     {@link NativeThread#TIMEOUT_MAX}
     * @throws ThreadError "Cannot join current thread" when called by the thread itself
     */
    public boolean join(double timeoutSeconds) {
        return joinNanos(Timeouts.waitTimeout(timeoutSeconds));
    }

    /**
     * Waits at most {@code timeout} for the thread to end: {@link #join(double)} in Java's unit. A
     * join that returns false has waited at least {@code timeout} (converted exactly to
     * nanoseconds). For no limit use {@link #join()}.
     *
     * @param timeout the longest wait
     * @return true when the thread has ended
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link NativeThread#TIMEOUT_MAX} seconds
     * @throws ThreadError "Cannot join current thread" when called by the thread itself
     */
    public boolean join(Duration timeout) {
        return joinNanos(Timeouts.durationTimeout(timeout));
    }

    /** In the main thread, a checkpoint for signal handlers, as a lock's acquire. */
    private boolean joinNanos(long nanos) {
        if (Signals.tripped) Signals.checkSignals();
        if (start.finished) return true;
        if (ident == NativeThread.getIdent()) throw new ThreadError("Cannot join current thread");
        if (!start.done.take(nanos)) return false;
        start.done.release();
        return true;
    }

    /** {@return whether the thread's function has ended} */
    public boolean isDone() {
        return start.finished;
    }

    @Override
    public String toString() {
        return "ThreadHandle[ident=" + ident + ", nativeId=" + nativeId + (isDone() ? ", done]" : ", running]");
    }
}
