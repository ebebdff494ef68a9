// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/**
 * Raised in the main thread by {@link Signals#DEFAULT_INT_HANDLER}, the initial SIGINT handler:
 * what {@code NativeThread.interruptMain()} (or Ctrl-C, when routed) ends a main-thread wait with.
 */
public class KeyboardInterrupt extends Error {
    private static final long serialVersionUID = 1L;

    /** A {@code KeyboardInterrupt} with the message "KeyboardInterrupt". */
    public KeyboardInterrupt() {
        super("KeyboardInterrupt");
    }
}
