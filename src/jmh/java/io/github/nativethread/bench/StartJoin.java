// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;

/**
 * Thread start+join in a plain loop, outside JMH: {@value #ROUNDS} native rounds alternating with
 * {@value #ROUNDS} {@code java.lang.Thread} rounds in this JVM, and each kind's rounds back to back
 * (what JMH's ThreadBench does), with the process CPU time those cost. Each thread keeps running
 * after join returns (it still detaches from the JVM and exits), so a round overlaps the end of
 * the one before: alternating, each kind pays for the other's end. Both kinds use their default
 * stack size, as ThreadBench does. The median of {@value #REPS} repetitions; error: their spread
 * (max - min) / 2. Last, each kind's whole round: start, join, then until the kernel has let the
 * thread go (/proc/self/task has no more entries than before the start; Linux), which no overlap
 * with the next round can hide. And the floor of a native round, in C without the library
 * (Anchors): a new pthread that attaches, detaches and is joined, round after round, in wall and in
 * process CPU time; and its parts: a bare pthread_create+pthread_join, an attach+detach repeated on
 * one OS thread, an attach alone.
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
        double[][] gone = new double[2][REPS];
        Path task = Paths.get("/proc/self/task");
        if (Files.isDirectory(task)) {
            for (int r = 0; r < REPS; r++) {
                for (int kind = 0; kind < 2; kind++) gone[kind][r] = untilGone(task, kind == 0) / 1e3 / ROUNDS;
            }
        }
        // the wall time of a pthread round; of an attach+detach, and its attach alone; wall and CPU
        // time of a pthread round that attaches and detaches, and its attach alone
        double[][] floor = new double[6][REPS];
        long[] took = new long[3];
        for (int r = 0; r < REPS; r++) {
            check("pthread_create+join", Anchors.pthreadRounds(ROUNDS, took));
            floor[0][r] = took[0] / 1e3 / ROUNDS;
            check("AttachCurrentThread+DetachCurrentThread", Anchors.attachRounds(ROUNDS, false, took));
            floor[1][r] = took[0] / 1e3 / ROUNDS;
            floor[2][r] = took[2] / 1e3 / ROUNDS;
            check("pthread_create+attach+detach+join", Anchors.attachRounds(ROUNDS, true, took));
            floor[3][r] = took[0] / 1e3 / ROUNDS;
            floor[4][r] = took[1] / 1e3 / ROUNDS;
            floor[5][r] = took[2] / 1e3 / ROUNDS;
        }
        String[] kinds = {"native", "java"};
        for (int kind = 0; kind < 2; kind++) {
            add(report, "StartJoin.alternating." + kinds[kind], alternating[kind], "us/op",
                    "a round of each kind in turn, " + ROUNDS + " of each");
            add(report, "StartJoin.alone." + kinds[kind], alone[kind], "us/op", ROUNDS + " rounds back to back");
            add(report, "StartJoin.cpu." + kinds[kind], cpu[kind], "us/op",
                    "process CPU time per round back to back, every thread of the JVM");
            if (gone[kind][0] > 0) {
                add(report, "StartJoin.untilGone." + kinds[kind], gone[kind], "us/op",
                        "start, join, and until the kernel has no more tasks than before");
            }
        }
        add(report, "StartJoin.floor.pthread", floor[0], "us/op", "bare pthread_create+pthread_join in C, default stack");
        add(report, "StartJoin.floor.attach", floor[1], "us/op", "AttachCurrentThread+DetachCurrentThread, one OS thread");
        add(report, "StartJoin.floor.attachAlone", floor[2], "us/op", "the AttachCurrentThread of the above alone");
        add(report, "StartJoin.floor.native", floor[3], "us/op",
                "a new pthread that attaches and detaches, joined: a native round without the library");
        add(report, "StartJoin.floor.cpu", floor[4], "us/op", "process CPU time of the above, per round");
        add(report, "StartJoin.floor.freshAttach", floor[5], "us/op", "the AttachCurrentThread of a new pthread alone");
        report.anchor("StartJoin.floor.native", "StartJoin.alone.java");
        report.anchor("StartJoin.floor.cpu", "StartJoin.cpu.java");
        report.anchor("StartJoin.alternating.native", "StartJoin.alternating.java");
        report.anchor("StartJoin.alone.native", "StartJoin.alone.java");
        report.anchor("StartJoin.cpu.native", "StartJoin.cpu.java");
        report.anchor("StartJoin.untilGone.native", "StartJoin.untilGone.java");
    }

    /** Nanoseconds for {@value #ROUNDS} rounds, each until the thread has left /proc/self/task. */
    private static long untilGone(Path task, boolean nativeKind) throws Exception {
        long total = 0;
        for (int i = 0; i < ROUNDS; i++) {
            int before = tasks(task);
            long t0 = System.nanoTime();
            if (nativeKind) nativeRound(); else javaRound();
            // bounded: a JVM thread of its own (a compiler thread) may start meanwhile and stay
            while (tasks(task) > before && System.nanoTime() - t0 < 10_000_000) Thread.onSpinWait();
            total += System.nanoTime() - t0;
        }
        return total;
    }

    /** The number of tasks (threads) of this process: the directory's links, minus . and .. */
    private static int tasks(Path task) throws IOException {
        return (Integer) Files.getAttribute(task, "unix:nlink") - 2;
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

    private static void check(String what, int result) {
        if (result != 0) throw new IllegalStateException(what + " failed in C with " + result);
    }

    private static void add(Report report, String name, double[] reps, String unit, String note) {
        double[] sorted = reps.clone();
        Arrays.sort(sorted);
        report.add(name, sorted[sorted.length / 2], (sorted[sorted.length - 1] - sorted[0]) / 2, unit,
                note + String.format(Locale.ROOT, " (reps %s)", Arrays.toString(Arrays.stream(reps)
                        .map(v -> Math.round(v * 10) / 10.0).toArray())));
    }
}
