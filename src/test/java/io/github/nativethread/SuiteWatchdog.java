// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The backstop of the per-test timeouts: registered for every test class (junit-platform.properties,
 * META-INF/services), it halts a test JVM that is still running {@link #LIMIT_MINUTES} minutes after
 * the first class started (the suite takes about a minute, two under qemu), after printing every
 * thread's stack. A wake-up lost in many tests at once makes test after test wait out its timeout;
 * this bounds the whole run.
 */
public final class SuiteWatchdog implements BeforeAllCallback {
    static final long LIMIT_MINUTES = 10;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread dog = new Thread(() -> {
            try {
                TimeUnit.MINUTES.sleep(LIMIT_MINUTES);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("nativethread tests: the test JVM is still running after " + LIMIT_MINUTES
                    + " minutes (the suite takes about one): a lost wake-up or a deadlock. Halting; the stacks:");
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                System.err.println("\"" + e.getKey().getName() + "\" " + e.getKey().getState());
                for (StackTraceElement frame : e.getValue()) System.err.println("\tat " + frame);
            }
            System.err.flush();
            Runtime.getRuntime().halt(3);
        }, "suite-watchdog");
        dog.setDaemon(true);
        dog.start();
    }
}
