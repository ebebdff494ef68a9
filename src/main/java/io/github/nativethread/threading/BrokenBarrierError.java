// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

/** CPython's {@code threading.BrokenBarrierError}: the {@link Barrier} is broken or was reset. */
public class BrokenBarrierError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error without a message. */
    public BrokenBarrierError() {
        super();
    }

    /**
     * An error with a message.
     *
     * @param message what broke the barrier
     */
    public BrokenBarrierError(String message) {
        super(message);
    }
}
