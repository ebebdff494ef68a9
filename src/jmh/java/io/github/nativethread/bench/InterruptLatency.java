// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.KeyboardInterrupt;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time from interruptMain() in a helper thread to the main thread's blocked acquire throwing
 * KeyboardInterrupt. Runs in this JVM's main thread, as handlers only run there (JMH runs its
 * benchmarks in other threads).
 */
final class InterruptLatency implements Measurement {
    @Override
    public String name() {
        return "InterruptLatency.interruptMain";
    }

    @Override
    public void run(Report report) throws Exception {
        if (NativeThread.mainThreadIdent() != NativeThread.getIdent()) return;
        int warmup = 2_000, runs = 20_000;
        double[] micros = new double[runs];
        NativeLock lock = new NativeLock();
        lock.acquire();
        Thread main = Thread.currentThread();
        AtomicLong sentAt = new AtomicLong();
        for (int i = 0; i < warmup + runs; i++) {
            Helper helper = new Helper(main, sentAt);
            helper.start();
            long caught;
            try {
                lock.acquire(60.0);
                throw new AssertionError("acquire was not interrupted");
            } catch (KeyboardInterrupt expected) {
                caught = System.nanoTime();
            }
            helper.join();
            if (i >= warmup) micros[i - warmup] = (caught - sentAt.get()) / 1e3;
        }
        Arrays.sort(micros);
        report.add(name(), micros[runs / 2], Double.NaN, "us median", String.format(Locale.ROOT,
                "acquire throws KeyboardInterrupt: p90 %.1f, p99 %.1f, max %.1f us (%d runs)",
                micros[runs * 9 / 10], micros[runs * 99 / 100], micros[runs - 1], runs));
    }

    /** Waits until main is parked in the native wait, then interrupts it. */
    private static final class Helper extends Thread {
        private final Thread main;
        private final AtomicLong sentAt;

        Helper(Thread main, AtomicLong sentAt) {
            this.main = main;
            this.sentAt = sentAt;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!parked(main)) Thread.onSpinWait();
            sentAt.set(System.nanoTime());
            NativeThread.interruptMain();
        }

        private static boolean parked(Thread t) {
            StackTraceElement[] stack = t.getStackTrace();
            return stack.length > 0 && stack[0].getMethodName().equals("lockAcquire");
        }
    }
}
