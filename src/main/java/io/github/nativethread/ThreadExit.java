// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/**
 * Thrown by {@link NativeThread#exit()}: ends the current thread silently, like CPython's
 * {@code SystemExit} raised in a thread. An {@link Error}, so {@code catch (Exception e)} does not
 * swallow it.
 */
public class ThreadExit extends Error {
    private static final long serialVersionUID = 1L;

    /** A {@code ThreadExit} with the message "thread exit". */
    public ThreadExit() {
        super("thread exit");
    }
}
