// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Bounds tests that must run in the JVM's main thread, where JUnit's timeout can only interrupt the
 * thread, which does not end a native wait. Once a test has run for {@link #STUCK_SECONDS}, a
 * watchdog raises a signal of its own in the main thread every second ({@code interruptMain}, whose
 * wake-up ends any library wait there; its handler throws) and interrupts it (for Java waits), so a
 * lost wake-up fails the test in seconds instead of hanging the suite.
 *
 * <p>Public for the main-thread tests of {@code io.github.nativethread.threading}.
 */
public final class MainThreadWatchdog implements InvocationInterceptor {
    public static final long STUCK_SECONDS = 30;
    /** A signal the tests do not use themselves, on every platform. */
    public static final int SIGNAL = Signals.SIGALRM > 0 ? Signals.SIGALRM : Signals.SIGBREAK;

    public MainThreadWatchdog() {}

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
            ExtensionContext extension) throws Throwable {
        Thread main = Thread.currentThread();
        String test = extension.getDisplayName();
        Object lock = new Object();
        boolean[] finished = {false};
        Thread dog = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
            synchronized (lock) {
                try {
                    for (long left; !finished[0]; ) {
                        left = deadline - System.nanoTime();
                        if (left > 0) {
                            TimeUnit.NANOSECONDS.timedWait(lock, left);
                            continue;
                        }
                        // only now, so that the test sees the table it set up
                        Signals.signal(SIGNAL, signum -> {
                            throw new AssertionError(test + " is stuck after " + STUCK_SECONDS
                                    + " s: a lost wake-up or a deadlock");
                        });
                        NativeThread.interruptMain(SIGNAL);
                        main.interrupt();
                        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "main-thread-watchdog");
        dog.setDaemon(true);
        dog.start();
        try {
            invocation.proceed();
        } finally {
            synchronized (lock) {  // the dog acts only while holding it: no interrupt after this
                finished[0] = true;
                lock.notifyAll();
            }
            Thread.interrupted();
            dog.join();
            Signals.signal(SIGNAL, Signals.SIG_DFL);  // a late one stays unhandled
        }
    }
}
