package io.github.nativethread;

import io.github.nativethread.internal.Timeouts;

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
     * Waits at most {@code timeoutSeconds} (-1: no limit) for the thread to end.
     *
     * @param timeoutSeconds the longest wait in seconds, or -1 for no limit
     * @return true when the thread has ended
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, or one above
     *     {@link NativeThread#TIMEOUT_MAX}
     * @throws ThreadError "Cannot join current thread" when called by the thread itself
     */
    public boolean join(double timeoutSeconds) {
        return joinNanos(Timeouts.waitTimeout(timeoutSeconds));
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
