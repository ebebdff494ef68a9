// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link MainThreadRuleTest}: the library first used off the main thread,
 * by a java.lang.Thread ("main-alive", "main-gone") or by a library thread named "main" in the
 * thread group "main" that makes the program's first contended acquire ("impostor").
 */
public final class MainThreadChild {
    private MainThreadChild() {}

    @SuppressWarnings("deprecation")
    public static void main(String[] args) throws Exception {
        Thread main = Thread.currentThread();
        Runnable body = () -> {
            if (args[0].equals("main-gone")) {
                try {
                    main.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            if (args[0].equals("impostor")) {  // the first use of Signals: a contended acquire
                NativeLock held = new NativeLock();
                held.acquire();
                held.acquire(0.01);
            }
            System.out.println("main " + main.getId() + " worker " + NativeThread.getIdent()
                    + " mainThreadIdent " + NativeThread.mainThreadIdent());
            // handlers run only in the thread taken as main
            Signals.signal(InterruptMainTest.OTHER, signum -> System.out.println("handler in " + Thread.currentThread().getName()));
            NativeThread.interruptMain(InterruptMainTest.OTHER);
            Signals.checkSignals();
        };
        if (args[0].equals("impostor")) {
            CountDownLatch done = new CountDownLatch(1);  // no library wait in main: it stays unused there
            NativeThread.builder().name("main").start(() -> {
                try {
                    body.run();
                } finally {
                    done.countDown();
                }
            });
            done.await();
            return;
        }
        Thread worker = new Thread(body, "worker");
        worker.start();
        if (args[0].equals("main-alive")) worker.join();
    }
}
