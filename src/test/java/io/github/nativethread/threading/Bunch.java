// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

/**
 * CPython's {@code lock_tests.Bunch}: {@code n} native threads (started with
 * {@link NativeThread#startJoinableThread}) running the same body. A failure in a body (an
 * exception or a failed assertion) is kept and rethrown by {@link #waitForFinished()}, so
 * assertions may be written inside the threads.
 *
 * <p>Also the waits these tests share. Every wait is bounded by {@link #LONG_TIMEOUT_S}: a lost
 * wake-up fails the test instead of hanging it.
 */
final class Bunch {
    /** Generous bound for anything that should take milliseconds: only a hang reaches it. */
    static final double LONG_TIMEOUT_S = 60;
    static final long LONG_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** Upper bound for a timed wait that ends by its timeout: only insanity reaches it. */
    static final long SANE_UPPER_NS = TimeUnit.SECONDS.toNanos(30);

    /** A thread body; may throw anything (it is collected). */
    @FunctionalInterface
    interface Body {
        void run() throws Throwable;
    }

    private final int n;
    private final List<ThreadHandle> handles = new ArrayList<>();
    private final AtomicReferenceArray<Thread> threads;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final CountDownLatch canExit;

    /** Starts {@code n} threads running {@code body}. */
    Bunch(int n, Body body) {
        this(n, body, false);
    }

    /** With {@code waitBeforeExit}, the threads do not end until {@link #doFinish()}. */
    Bunch(int n, Body body, boolean waitBeforeExit) {
        this.n = n;
        this.threads = new AtomicReferenceArray<>(n);
        this.canExit = new CountDownLatch(waitBeforeExit ? 1 : 0);
        for (int i = 0; i < n; i++) {
            int index = i;
            handles.add(NativeThread.startJoinableThread(() -> {
                threads.set(index, Thread.currentThread());
                started.incrementAndGet();
                try {
                    body.run();
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    finished.incrementAndGet();
                    try {
                        if (!canExit.await(LONG_TIMEOUT_NS, TimeUnit.NANOSECONDS)) {
                            failures.add(new AssertionError("doFinish() never called"));
                        }
                    } catch (InterruptedException e) {
                        failures.add(e);
                    }
                }
            }));
        }
    }

    int started() {
        return started.get();
    }

    int finished() {
        return finished.get();
    }

    /** The bunch's threads (each set once it has started). */
    List<Thread> threads() {
        List<Thread> list = new ArrayList<>();
        for (int i = 0; i < n; i++) list.add(threads.get(i));
        return list;
    }

    void waitForStarted() {
        awaitTrue(() -> "all " + n + " threads started (" + started.get() + ")", () -> started.get() == n);
    }

    /** Waits until every thread has ended, then rethrows the first failure of a body (the others
     *  attached as suppressed). */
    void waitForFinished() {
        for (ThreadHandle h : handles) {
            assertTrue(h.join(LONG_TIMEOUT_S), () -> "a thread of the bunch did not end within "
                    + LONG_TIMEOUT_S + " s; finished " + finished.get() + "/" + n + "; failures " + failures);
        }
        rethrowFailures();
    }

    void doFinish() {
        canExit.countDown();
    }

    void rethrowFailures() {
        Throwable first = null;
        for (Throwable t : failures) {
            if (first == null) first = t;
            else if (t != first) first.addSuppressed(t);
        }
        if (first == null) return;
        if (first instanceof Error) throw (Error) first;
        if (first instanceof RuntimeException) throw (RuntimeException) first;
        throw new AssertionError("failed in a thread of the bunch", first);
    }

    // ---- waits shared by the tests ---------------------------------------------------------

    interface Description {
        String get();
    }

    /** Polls (1 ms apart, bounded by {@link #LONG_TIMEOUT_NS}) until {@code condition} holds: a
     *  wait for progress of other threads, not a sleep standing in for synchronisation. */
    static void awaitTrue(Description what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LONG_TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail("timed out waiting until " + what.get());
            pause(1);
        }
    }

    static void awaitTrue(String what, BooleanSupplier condition) {
        awaitTrue(() -> what, condition);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Waits until thread {@code t} is blocked inside the given methods (each {@code "Class.method"},
     * simple class name, all of them on its stack).
     *
     * <p>"Blocked": the library waits in native code, where Java reports the thread as
     * {@code RUNNABLE}; so a thread counts as blocked when its state is WAITING/TIMED_WAITING/BLOCKED
     * (a Java wait) or its top frame is a native method of the library (io.github.nativethread),
     * and the same holds in {@value #STABLE_SAMPLES} samples 2 ms apart (a non-blocking native call
     * passes in microseconds). This is an observation of the stack, used where CPython sleeps "to
     * let the threads block"; tests use it only where a wrong guess cannot make them pass wrongly.
     */
    static void awaitBlockedIn(Thread t, String... frames) {
        long deadline = System.nanoTime() + LONG_TIMEOUT_NS;
        int stable = 0;
        while (stable < STABLE_SAMPLES) {
            if (System.nanoTime() - deadline > 0) {
                fail("thread " + t + " never blocked in " + Arrays.toString(frames) + "; stack: "
                        + (t == null ? "-" : Arrays.toString(t.getStackTrace())));
            }
            stable = t != null && isBlockedIn(t, frames) ? stable + 1 : 0;
            pause(2);
        }
    }

    static final int STABLE_SAMPLES = 3;

    static boolean isBlockedIn(Thread t, String... frames) {
        Thread.State state = t.getState();
        StackTraceElement[] stack = t.getStackTrace();
        if (stack.length == 0) return false;
        boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                || state == Thread.State.BLOCKED
                || (state == Thread.State.RUNNABLE && stack[0].isNativeMethod()
                        && stack[0].getClassName().startsWith("io.github.nativethread."));
        if (!waiting) return false;
        for (String frame : frames) {
            boolean found = false;
            for (StackTraceElement e : stack) {
                String cls = e.getClassName();
                String simple = cls.substring(cls.lastIndexOf('.') + 1);
                if ((simple + "." + e.getMethodName()).equals(frame)) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    /** Waits until every thread of the bunch is blocked inside {@code frames}. */
    void awaitAllBlockedIn(String... frames) {
        waitForStarted();
        for (Thread t : threads()) awaitBlockedIn(t, frames);
    }

    /** A timed wait that reported a timeout waited at least {@code timeoutSeconds} by
     *  {@code System.nanoTime()}, and not insanely long. */
    static void assertWaitedAtLeast(double timeoutSeconds, long waitedNanos) {
        long least = (long) Math.ceil(timeoutSeconds * 1e9);
        assertTrue(waitedNanos >= least, () -> "waited " + waitedNanos + " ns, less than the timeout " + timeoutSeconds + " s");
        assertTrue(waitedNanos < least + SANE_UPPER_NS, () -> "waited " + waitedNanos + " ns for a timeout of " + timeoutSeconds + " s");
    }
}
