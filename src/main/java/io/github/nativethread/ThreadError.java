package io.github.nativethread;

/** CPython's {@code _thread.error} (a {@code RuntimeError}): a thread or lock operation failed. */
public class ThreadError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ThreadError(String message) {
        super(message);
    }

    public ThreadError(String message, Throwable cause) {
        super(message, cause);
    }
}
