// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import static io.github.nativethread.stress.StressChild.check;
import static io.github.nativethread.stress.StressChild.numbers;
import static io.github.nativethread.stress.StressChild.result;

import io.github.nativethread.KeyboardInterrupt;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.Signals;
import io.github.nativethread.ThreadHandle;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 5: an interruptMain storm against the main thread in contended waits. The main thread
 * loops on {@code acquire()} of a lock that two holder threads keep taking, holding 20–80 µs and
 * releasing, and catches {@link KeyboardInterrupt}; after each of its own acquisitions it waits until
 * a holder has the lock again, so that each acquire waits. A storm thread sends N {@code interruptMain()} in bursts of
 * 1–4 back-to-back calls; after each burst it waits until a handler run has started after the
 * burst's last call began (a pending signal is delivered once, so the calls of a burst may coalesce
 * into one run). Checked: every burst is followed by a run (within 5 s, else the main thread is
 * reported stuck), runs ≤ sends, no handler runs off the main thread, every run ends the main
 * thread's acquire with KeyboardInterrupt, and the lock's plain counter is exact (an interrupted
 * acquire did not take the lock).
 */
final class StormScenario {
    private StormScenario() {}

    /** Written by the storm thread before each interruptMain() call. */
    private static volatile int sending;
    private static volatile boolean stop;
    private static volatile boolean holdersStop;
    /** The interruptMain() after which no handler ran within 5 s, or 0. */
    private static volatile int undelivered;
    /** Plain: only the lock protects it. */
    private static long counter;

    static void storm(StressChild.Params p, List<String> failures) {
        int n = p.i("n");
        Thread main = Thread.currentThread();
        if (NativeThread.mainThreadIdent() != NativeThread.getIdent()) {
            failures.add("not run in the JVM's main thread");
            return;
        }
        // Handler log, written by the main thread only, published by `runs`.
        int[] seen = new int[n + 1];
        long[] startedAt = new long[n + 1];
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger offMain = new AtomicInteger();
        Signals.signal(Signals.SIGINT, signum -> {
            long now = System.nanoTime();
            if (Thread.currentThread() != main) {
                offMain.incrementAndGet();
            } else {
                int k = runs.get();
                if (k < seen.length) {
                    seen[k] = sending;
                    startedAt[k] = now;
                }
                runs.set(k + 1);
            }
            throw new KeyboardInterrupt();
        });

        NativeLock lock = new NativeLock();
        AtomicLong holderAcquires = new AtomicLong();
        ThreadHandle[] holders = new ThreadHandle[2];
        for (int h = 0; h < holders.length; h++) {
            holders[h] = NativeThread.builder().name("holder-" + h).start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!holdersStop) {
                    lock.acquire();
                    counter++;
                    holderAcquires.incrementAndGet();
                    LockSupport.parkNanos(rnd.nextInt(20_000, 80_000));
                    lock.release();
                }
            });
        }

        int bursts = (int) Math.ceil(n / 2.5) + 1;
        double[] latencyUs = new double[bursts];
        int[] burstCount = {0};
        AtomicInteger sent = new AtomicInteger();
        ThreadHandle storm = NativeThread.builder().name("storm").start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            int checked = 0;
            while (sent.get() < n) {
                int k = Math.min(1 + rnd.nextInt(4), n - sent.get());
                long burstStart = 0;
                for (int j = 0; j < k; j++) {
                    burstStart = System.nanoTime();
                    sending = sent.get() + 1;
                    NativeThread.interruptMain();
                    sent.incrementAndGet();
                }
                int last = sent.get();
                long deadline = burstStart + TimeUnit.SECONDS.toNanos(5);
                for (;;) {
                    int r = runs.get();
                    boolean found = false;
                    for (; checked < Math.min(r, seen.length); checked++) {
                        if (seen[checked] >= last) {
                            if (burstCount[0] < latencyUs.length) {
                                latencyUs[burstCount[0]] = (startedAt[checked] - burstStart) / 1e3;
                            }
                            checked++;
                            found = true;
                            break;
                        }
                    }
                    if (found) break;
                    if (System.nanoTime() - deadline > 0) {
                        StressChild.phase = "no handler run within 5 s after interruptMain #" + last
                                + " (main thread stuck?)";
                        undelivered = last;
                        stop = true;  // a main thread that still loops ends; a stuck one: the watchdog reports
                        return;
                    }
                    LockSupport.parkNanos(20_000);
                }
                burstCount[0]++;
            }
            stop = true;
        });
        StressChild.WATCHED.add(Thread.currentThread());

        StressChild.phase = "storm of " + n + " interruptMain() against the main thread's acquire()";
        long t0 = System.nanoTime();
        long mainAcquires = 0, caught = 0;
        while (!stop) {
            try {
                lock.acquire();
                counter++;
                mainAcquires++;
                lock.release();
            } catch (KeyboardInterrupt expected) {
                caught++;
            }
            // Let a holder take the lock first, so that the next acquire waits (instead of barging
            // in again on the fast path, which is no checkpoint).
            while (!lock.locked() && !stop) Thread.yield();
        }
        long elapsed = System.nanoTime() - t0;
        storm.join();
        // A signal left pending now (sent in the instant before an earlier run began) runs here.
        AtomicInteger late = new AtomicInteger();
        Signals.signal(Signals.SIGINT, signum -> late.incrementAndGet());
        Signals.checkSignals();
        holdersStop = true;
        StressChild.phase = "stopping the holders";
        for (ThreadHandle h : holders) h.join();
        Signals.signal(Signals.SIGINT, Signals.DEFAULT_INT_HANDLER);

        int runCount = runs.get();
        int b = burstCount[0];
        double[] lat = Arrays.copyOf(latencyUs, Math.min(b, latencyUs.length));
        Arrays.sort(lat);
        long total = mainAcquires + holderAcquires.get();
        result(sent.get() + " sent in " + b + " bursts, " + runCount + " handler runs (" + (sent.get() - runCount)
                + " coalesced), " + (undelivered == 0 ? "every burst delivered, " : "a burst NOT delivered, ")
                + offMain.get() + " off main");
        numbers(String.format("%.1f s; KeyboardInterrupt caught %d; late runs %d; main acquired %d, holders %d,"
                        + " counter %d (%s); burst -> handler start: median %.0f us, p99 %.0f us, max %.0f us",
                elapsed / 1e9, caught, late.get(), mainAcquires, holderAcquires.get(), counter,
                counter == total ? "exact" : "MISMATCH", pct(lat, 50), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1]));
        check(failures, undelivered == 0, "no handler run within 5 s after interruptMain #" + undelivered);
        check(failures, sent.get() == n, "only " + sent.get() + " of " + n + " sent");
        check(failures, offMain.get() == 0, offMain.get() + " handler runs off the main thread");
        check(failures, runCount <= n, runCount + " handler runs for " + n + " interrupts");
        check(failures, runCount >= b, runCount + " handler runs < " + b + " bursts");
        check(failures, caught == runCount, "KeyboardInterrupt caught " + caught + " != " + runCount + " handler runs");
        check(failures, counter == total, "counter " + counter + " != " + total + " acquisitions");
    }

    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }
}
