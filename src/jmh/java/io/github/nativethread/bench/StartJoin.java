// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Thread start+join in a plain loop, outside JMH: {@value #ROUNDS} native rounds alternating with
 * {@value #ROUNDS} {@code java.lang.Thread} rounds in this JVM, and each kind's rounds back to back
 * (what JMH's ThreadBench does), with the process CPU time those cost. Each thread keeps running
 * after join returns (it still detaches from the JVM and exits), so a round overlaps the end of
 * the one before: alternating, each kind pays for the other's end. Both kinds use their default
 * stack size, as ThreadBench does. The median of {@value #REPS} repetitions; error: their spread
 * (max - min) / 2.
 */
final class StartJoin implements Measurement {
    static final int ROUNDS = 2000, REPS = 5;
    private static final Runnable NOTHING = () -> {};

    @Override
    public String name() {
        return "StartJoin";
    }

    @Override
    public void run(Report report) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][] alternating = new double[2][REPS], alone = new double[2][REPS], cpu = new double[2][REPS];
        for (int i = 0; i < ROUNDS; i++) {  // warm up
            nativeRound();
            javaRound();
        }
        for (int r = 0; r < REPS; r++) {
            long tn = 0, tj = 0;
            for (int i = 0; i < ROUNDS; i++) {
                tn += nativeRound();
                tj += javaRound();
            }
            alternating[0][r] = tn / 1e3 / ROUNDS;
            alternating[1][r] = tj / 1e3 / ROUNDS;
            for (int kind = 0; kind < 2; kind++) {
                long t = 0, cpu0 = os.getProcessCpuTime();
                for (int i = 0; i < ROUNDS; i++) t += kind == 0 ? nativeRound() : javaRound();
                cpu[kind][r] = (os.getProcessCpuTime() - cpu0) / 1e3 / ROUNDS;
                alone[kind][r] = t / 1e3 / ROUNDS;
            }
        }
        String[] kinds = {"native", "java"};
        for (int kind = 0; kind < 2; kind++) {
            add(report, "StartJoin.alternating." + kinds[kind], alternating[kind], "us/op",
                    "a round of each kind in turn, " + ROUNDS + " of each");
            add(report, "StartJoin.alone." + kinds[kind], alone[kind], "us/op", ROUNDS + " rounds back to back");
            add(report, "StartJoin.cpu." + kinds[kind], cpu[kind], "us/op",
                    "process CPU time per round back to back, every thread of the JVM");
        }
        report.anchor("StartJoin.alternating.native", "StartJoin.alternating.java");
        report.anchor("StartJoin.alone.native", "StartJoin.alone.java");
        report.anchor("StartJoin.cpu.native", "StartJoin.cpu.java");
    }

    private static long nativeRound() {
        long t0 = System.nanoTime();
        NativeThread.startJoinableThread(NOTHING).join();
        return System.nanoTime() - t0;
    }

    private static long javaRound() throws InterruptedException {
        long t0 = System.nanoTime();
        Thread t = new Thread(NOTHING);
        t.start();
        t.join();
        return System.nanoTime() - t0;
    }

    private static void add(Report report, String name, double[] reps, String unit, String note) {
        double[] sorted = reps.clone();
        Arrays.sort(sorted);
        report.add(name, sorted[sorted.length / 2], (sorted[sorted.length - 1] - sorted[0]) / 2, unit,
                note + String.format(Locale.ROOT, " (reps %s)", Arrays.toString(Arrays.stream(reps)
                        .map(v -> Math.round(v * 10) / 10.0).toArray())));
    }
}
