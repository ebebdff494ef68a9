// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/** CPython's {@code _thread.error} (a {@code RuntimeError}): a thread or lock operation failed. */
public class ThreadError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with a message.
     *
     * @param message what failed and why
     */
    public ThreadError(String message) {
        super(message);
    }

    /**
     * An error with a message and a cause.
     *
     * @param message what failed and why
     * @param cause the underlying failure
     */
    public ThreadError(String message, Throwable cause) {
        super(message, cause);
    }
}
