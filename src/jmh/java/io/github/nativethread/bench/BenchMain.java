// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.KeyboardInterrupt;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and the interrupt-latency measurement, then prints one table with each
 * result beside its anchor. Usage: BenchMain [benchmark regex].
 */
public final class BenchMain {
    /** benchmark, then the anchors it is compared with. */
    private static final String[][] ANCHORS = {
        {"LockBench.nativeLock", "LockBench.reentrantLock"},
        {"LockBench.nativeRLock", "LockBench.reentrantLock"},
        {"LockBench.semaphore", "LockBench.reentrantLock"},
        {"LockBench.synchronizedBlock", "LockBench.reentrantLock"},
        {"IdBench.getNativeId", "IdBench.jnaGettid", "IdBench.jniGettid", "IdBench.jniNoop"},
        {"IdBench.jniGettid", "IdBench.jnaGettid"},
        {"ThreadBench.nativeThread", "ThreadBench.javaThread"},
        {"ThreadingBench.eventRoundTrip", "ThreadingBench.latchRoundTrip"},
        {"ThreadingBench.conditionPingPong", "ThreadingBench.jdkConditionPingPong"},
        {"ThreadingBench.semaphore", "ThreadingBench.jdkSemaphore"},
    };

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        String include = args.length > 0 ? args[0] : "io.github.nativethread.bench.*Bench.*";
        ChainedOptionsBuilder options = new OptionsBuilder().include(include)
                .mode(Mode.AverageTime)
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Dbench.anchors=" + System.getProperty("bench.anchors"));
        if (Runtime.version().feature() >= 22) options.jvmArgsAppend("--enable-native-access=ALL-UNNAMED");
        Collection<RunResult> results = new Runner(options.build()).run();

        Map<String, double[]> scores = new HashMap<>();
        Map<String, String> units = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("io.github.nativethread.bench.", "");
            scores.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
            units.put(name, r.getPrimaryResult().getScoreUnit());
        }
        double[] latency = interruptLatency();

        System.out.println();
        System.out.printf("nativethread benchmarks — Java %s (%s), %s %s, %d CPUs%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-36s %12s %10s %-9s  %s%n", "benchmark", "score", "± error", "unit", "vs anchor");
        List<String> names = new ArrayList<>(scores.keySet());
        names.sort(null);
        for (String name : names) {
            double[] s = scores.get(name);
            StringBuilder ratio = new StringBuilder();
            for (String[] a : ANCHORS) {
                if (!a[0].equals(name)) continue;
                for (int i = 1; i < a.length; i++) {
                    if (!scores.containsKey(a[i])) continue;
                    if (ratio.length() > 0) ratio.append(", ");
                    ratio.append(String.format("%.2fx %s", s[0] / scores.get(a[i])[0], a[i].replaceFirst(".*\\.", "")));
                }
            }
            System.out.printf("%-36s %12.3f %10.3f %-9s  %s%n", name, s[0], s[1], units.get(name), ratio);
        }
        if (latency != null) {
            System.out.printf("%-36s %12.1f %10s %-9s  p90 %.1f, p99 %.1f, max %.1f (%d runs)%n",
                    "interruptMain→acquire throws", latency[0], "median", "us", latency[1], latency[2], latency[3],
                    (int) latency[4]);
        }
    }

    /**
     * Time from interruptMain() in a helper thread to the main thread's blocked acquire throwing
     * KeyboardInterrupt. Runs in this JVM's main thread, as handlers only run there (JMH runs its
     * benchmarks in other threads). Null if this is not the main thread.
     */
    static double[] interruptLatency() throws Exception {
        if (NativeThread.mainThreadIdent() != NativeThread.getIdent()) return null;
        int warmup = 2_000, runs = 20_000;
        double[] micros = new double[runs];
        NativeLock lock = new NativeLock();
        lock.acquire();
        Thread main = Thread.currentThread();
        AtomicLong sentAt = new AtomicLong();
        for (int i = 0; i < warmup + runs; i++) {
            NativeThreadHelper helper = new NativeThreadHelper(main, sentAt);
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
        return new double[] {micros[runs / 2], micros[runs * 9 / 10], micros[runs * 99 / 100], micros[runs - 1], runs};
    }

    /** Waits until main is parked in the native wait, then interrupts it. */
    private static final class NativeThreadHelper extends Thread {
        private final Thread main;
        private final AtomicLong sentAt;

        NativeThreadHelper(Thread main, AtomicLong sentAt) {
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
