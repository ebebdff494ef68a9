// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and the other measurements, then prints one table with each result
 * beside its anchors, and writes {@code results.json} and the charts into {@code -Dbench.out}.
 * Usage: BenchMain [regex], where the regex picks benchmarks by {@code Class.method} (found
 * anywhere in it: {@code Lock} picks every lock benchmark).
 */
public final class BenchMain {
    /** Benchmarks run by one JMH thread (each class picks its own mode and unit). */
    private static final List<Class<?>> SINGLE = List.of(HandoffBench.class, ThreadBench.class,
            ThreadingBench.class);
    /** The uncontended pairs and the id lookups, a few nanoseconds each, whose targets are a few
     *  percent either way: each JVM fork lays out the compiled code its own way (±5% between
     *  forks; a fork of {@code getNativeId} once read 1.6 times the others), so they run in 3. */
    private static final List<Class<?>> FEW_NANOS = List.of(LockBench.class, IdBench.class);
    /** Benchmarks run by each of these numbers of threads at once, in throughput mode. */
    private static final List<Class<?>> CONTENDED = List.of(ContendedBench.class);
    private static final int[] THREADS = {1, 2, 4, 8, 16};
    private static final List<Measurement> MEASUREMENTS =
            List.of(new InterruptLatency(), new Overshoot(), new Footprint(), new StartJoin());

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Pattern filter = Pattern.compile(args.length > 0 ? args[0] : "");
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        Report report = new Report();

        jmh(report, FEW_NANOS, filter, 3, 1, 3, 5);
        jmh(report, SINGLE, filter, 1, 1, 3, 5);
        for (int threads : THREADS) jmh(report, CONTENDED, filter, 2, threads, 2, 5);
        contendedChart(report);
        for (Measurement m : MEASUREMENTS) {
            if (filter.matcher(m.name()).find()) m.run(report);
        }

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        facts.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        facts.put("filter", filter.pattern());
        report.print(String.format("nativethread benchmarks — Java %s, %s, %s CPUs (↑: higher is better)",
                facts.get("java"), facts.get("os"), facts.get("cpus")));
        report.writeJson(out.resolve("results.json"), facts);
        List<Path> pngs = Charts.write(report, out, facts.get("java"));
        System.out.println();
        System.out.println("wrote " + out.resolve("results.json"));
        for (Path png : pngs) System.out.println("wrote " + png);
    }

    /** Whether {@code m} is a benchmark that BenchMain runs in class {@code c}. */
    private static boolean isBenchmark(Class<?> c, Method m) {
        return m.isAnnotationPresent(Benchmark.class)
                && (c != ContendedBench.class || ContendedBench.PAIRS.contains(m.getName()));
    }

    /** Throughput over thread count, one line per contended benchmark that ran. */
    private static void contendedChart(Report report) {
        List<Report.Series> lines = new ArrayList<>();
        for (Class<?> c : CONTENDED) {
            for (Method m : c.getMethods()) {
                if (!isBenchmark(c, m)) continue;
                List<double[]> points = new ArrayList<>();
                for (int threads : THREADS) {
                    Report.Row row = report.row(c.getSimpleName() + "." + m.getName() + "@" + threads);
                    if (row != null) points.add(new double[] {threads, row.score});
                }
                if (points.isEmpty()) continue;
                lines.add(new Report.Series(m.getName(), points.stream().mapToDouble(p -> p[0]).toArray(),
                        points.stream().mapToDouble(p -> p[1]).toArray()));
            }
        }
        if (!lines.isEmpty()) {
            report.chart(new Report.Chart("Contended lock throughput", "threads", "acquire+release pairs per us, all threads",
                    false, lines));
        }
    }

    /**
     * Runs the {@code @Benchmark} methods of {@code classes} that the filter picks, in
     * {@code forks} JVMs with {@code threads} threads, and adds their rows; a row's name carries
     * {@code @threads} when {@code threads > 1} or the benchmark is contended, and
     * {@code @param,...} for JMH params.
     */
    private static void jmh(Report report, List<Class<?>> classes, Pattern filter, int forks, int threads,
            int warmups, int measurements) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(forks).threads(threads)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
                .measurementIterations(measurements).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Dbench.anchors=" + System.getProperty("bench.anchors"));
        if (Runtime.version().feature() >= 22) options.jvmArgsAppend("--enable-native-access=ALL-UNNAMED");
        boolean contended = classes == CONTENDED;
        options.mode(contended ? Mode.Throughput : Mode.AverageTime);
        if (contended) options.timeUnit(TimeUnit.MICROSECONDS);
        int picked = 0;
        for (Class<?> c : classes) {
            for (Method m : c.getMethods()) {
                String name = c.getSimpleName() + "." + m.getName();
                if (isBenchmark(c, m) && filter.matcher(name).find()) {
                    options.include("^" + Pattern.quote(c.getName() + "." + m.getName()) + "$");
                    picked++;
                }
            }
        }
        if (picked == 0) return;
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace(BenchMain.class.getPackageName() + ".", "");
            List<String> suffix = new ArrayList<>();
            if (contended) suffix.add(String.valueOf(threads));
            for (String key : r.getParams().getParamsKeys()) suffix.add(r.getParams().getParam(key));
            if (!suffix.isEmpty()) name += "@" + String.join(",", suffix);
            Result<?> p = r.getPrimaryResult();
            report.add(new Report.Row(name, p.getScore(), p.getScoreError(), p.getScoreUnit(),
                    r.getParams().getMode() == Mode.Throughput, ""));
        }
    }
}
