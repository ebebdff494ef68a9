// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How late a timed acquire that cannot succeed returns: System.nanoTime() around the call, minus
 * the timeout. NativeLock in the JVM's main thread (whose waits a waker can interrupt) and in
 * another thread, against Semaphore(0).tryAcquire and ReentrantLock.tryLock (held by another
 * thread). The kinds take turns sample by sample, so that the machine's noise hits them alike;
 * compare the rows of one run, not runs.
 */
final class Overshoot implements Measurement {
    private static final String[] KINDS = {"nativeLock", "nativeLockWorker", "semaphore", "reentrantLock"};
    private static final int NATIVE_MAIN = 0, NATIVE_WORKER = 1, SEMAPHORE = 2, REENTRANT = 3;
    /** Short waits first, until the JIT has compiled every kind's path: interpreted, a timed
     *  acquire returns tens of us later, and NativeLock's later than the others'. */
    private static final int WARMUP_ROUNDS = 10_000;
    private static final long WARMUP_TIMEOUT_NS = 20_000;
    /** Timeouts and rounds: 300 x 10 ms + 1000 x 1 ms for each kind; about 25 s in all. */
    private static final long[] TIMEOUT_NS = {10_000_000, 1_000_000};
    private static final int[] ROUNDS = {300, 1000};
    private static final int BUCKETS = 40;

    private final NativeLock nativeLock = new NativeLock();
    private final Semaphore semaphore = new Semaphore(0);
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private ExecutorService worker;

    @Override
    public String name() {
        return "Overshoot.timedAcquire";
    }

    @Override
    public void run(Report report) throws Exception {
        if (NativeThread.mainThreadIdent() != NativeThread.getIdent()) return;  // nativeLock's row is the main thread's
        nativeLock.acquire();
        CountDownLatch held = new CountDownLatch(1), done = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            reentrantLock.lock();
            held.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                reentrantLock.unlock();
            }
        }, "overshoot-holder");
        holder.setDaemon(true);
        holder.start();
        held.await();
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "overshoot-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            sample(WARMUP_TIMEOUT_NS, WARMUP_ROUNDS);
            for (int t = 0; t < TIMEOUT_NS.length; t++) add(report, TIMEOUT_NS[t], sample(TIMEOUT_NS[t], ROUNDS[t]));
        } finally {
            worker.shutdownNow();
            done.countDown();
            holder.join();
            nativeLock.release();
        }
        for (String kind : new String[] {"nativeLock", "nativeLockWorker"}) {
            report.anchor("Overshoot." + kind, "Overshoot.semaphore", "Overshoot.reentrantLock");
        }
    }

    /** Overshoots in microseconds, [kind][round]; round r starts at kind r % KINDS.length. */
    private double[][] sample(long timeoutNs, int rounds) throws Exception {
        double[][] us = new double[KINDS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < KINDS.length; j++) {
                int kind = (r + j) % KINDS.length;
                long waited = kind == NATIVE_WORKER
                        ? worker.submit(() -> waitOnce(kind, timeoutNs)).get()
                        : waitOnce(kind, timeoutNs);
                us[kind][r] = (waited - timeoutNs) / 1e3;
            }
        }
        return us;
    }

    /** How long one timed acquire of kind took, in ns; it must time out. */
    private long waitOnce(int kind, long timeoutNs) throws InterruptedException {
        long t0 = System.nanoTime();
        boolean got;
        switch (kind) {
            case NATIVE_MAIN:
            case NATIVE_WORKER:
                got = nativeLock.acquire(Duration.ofNanos(timeoutNs));
                break;
            case SEMAPHORE:
                got = semaphore.tryAcquire(timeoutNs, TimeUnit.NANOSECONDS);
                break;
            case REENTRANT:
                got = reentrantLock.tryLock(timeoutNs, TimeUnit.NANOSECONDS);
                break;
            default:
                throw new IllegalArgumentException("kind " + kind);
        }
        long waited = System.nanoTime() - t0;
        if (got) throw new AssertionError(KINDS[kind] + " acquired what is held");
        return waited;
    }

    /** One row per kind (median overshoot; p99, max and early returns in the note), one histogram. */
    private static void add(Report report, long timeoutNs, double[][] us) {
        String at = "@" + timeoutNs / 1_000_000 + "ms";
        double hi = 0, lo = 0;
        for (double[] s : us) {
            Arrays.sort(s);
            hi = Math.max(hi, s[s.length * 9 / 10]);
            lo = Math.min(lo, s[0]);
        }
        for (int k = 0; k < KINDS.length; k++) {
            double[] s = us[k];
            long early = Arrays.stream(s).filter(v -> v < 0).count();
            report.add("Overshoot." + KINDS[k] + at, s[s.length / 2], Double.NaN, "us median",
                    String.format(Locale.ROOT, "%s: p99 %.0f, max %.0f us, %d early of %d",
                            k == NATIVE_WORKER ? "another thread" : "main thread",
                            s[s.length * 99 / 100], s[s.length - 1], early, s.length));
        }
        // Buckets of a round width covering every kind's p90 (and any early return); the last
        // bucket also counts everything above it.
        double width = niceWidth((hi - lo) / BUCKETS);
        double start = Math.floor(lo / width) * width;
        int n = (int) Math.ceil((hi - start) / width) + 1;
        List<Report.Series> series = new ArrayList<>();
        for (int k = 0; k < KINDS.length; k++) {
            double[] x = new double[n], y = new double[n];
            for (int b = 0; b < n; b++) x[b] = start + b * width;
            for (double v : us[k]) y[Math.min(n - 1, (int) Math.floor((v - start) / width))]++;
            series.add(new Report.Series(KINDS[k], x, y));
        }
        report.chart(new Report.Chart("Timed acquire overshoot " + timeoutNs / 1_000_000 + " ms",
                String.format(Locale.ROOT, "overshoot, us (bucket start, %.0f us wide; the last: and above)", width),
                "samples", true, series));
    }

    /** The smallest of 1, 2, 5 x 10^k at least {@code w}. */
    private static double niceWidth(double w) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(w, 1))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= w) return m * p;
        }
        return 10 * p;
    }
}
