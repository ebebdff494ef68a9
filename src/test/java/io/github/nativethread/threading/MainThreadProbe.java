// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Where a thread is: the threading tests need to know that a thread is blocked inside a wait of
 * this package before they interrupt it, without sleeping for a guessed while.
 */
final class MainThreadProbe {
    /** Bound of every poll here; below {@code MainThreadWatchdog.STUCK_SECONDS}. */
    static final long POLL_BOUND_S = 20;
    private static final Set<String> LAYER = Set.of("OsThread", "Event", "Condition", "Semaphore",
            "BoundedSemaphore", "Barrier", "Timer");

    private MainThreadProbe() {}

    /**
     * Is {@code t} blocked inside {@code method} of a class of the threading layer? Its stack has
     * such a frame and its top frame is a native method: the library's native wait (a thread parked
     * the Java way has a native {@code Unsafe.park} at the top too). While a signal handler runs,
     * or anything else in Java, the top frame is not native.
     */
    static boolean blockedIn(Thread t, String method) {
        StackTraceElement[] stack = t.getStackTrace();
        if (stack.length == 0 || !stack[0].isNativeMethod()) return false;
        for (StackTraceElement f : stack) {
            if (f.getMethodName().equals(method) && inLayer(f)) return true;
        }
        return false;
    }

    private static boolean inLayer(StackTraceElement f) {
        String c = f.getClassName();
        String pkg = "io.github.nativethread.threading.";
        if (!c.startsWith(pkg)) return false;
        String simple = c.substring(pkg.length());
        int nested = simple.indexOf('$');
        return LAYER.contains(nested < 0 ? simple : simple.substring(0, nested));
    }

    /** Polls (every millisecond, at most {@link #POLL_BOUND_S}) until {@link #blockedIn}. */
    static void awaitBlockedIn(Thread t, String method) {
        awaitTrue(() -> t.getName() + " blocked in " + method + ": " + Arrays.toString(t.getStackTrace()),
                () -> blockedIn(t, method));
    }

    /** Polls (every millisecond, at most {@link #POLL_BOUND_S}) until {@code condition} holds. */
    static void awaitTrue(java.util.function.Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(POLL_BOUND_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + POLL_BOUND_S + " s: " + what.get());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what.get(), e);
            }
        }
    }

    static void awaitTrue(String what, BooleanSupplier condition) {
        awaitTrue(() -> what, condition);
    }
}
