// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./build.sh stress [--quick] [--only REGEX]}: runs each stress scenario in its own child JVM
 * ({@link StressChild}), each bounded by a watchdog in the child and a kill timeout here, and prints
 * one table: scenario, parameters, JVM, wall time, verdict, result and measured numbers. Exits 1 if
 * any scenario fails. Each child's whole output is kept in {@code target/stress/NN-name.log}.
 */
public final class StressMain {
    /** Margin between a child's own watchdog and the kill here (JVM start-up on a busy machine, the
     *  dump); {@code -Dstress.killMargin=S} changes it (a negative one tests the kill). */
    private static final int KILL_MARGIN_S = Integer.getInteger("stress.killMargin", 30);

    private StressMain() {}

    /** A java executable and its version. */
    static final class Jvm {
        final String java;
        final String version;
        final int feature;

        Jvm(String java, String version) {
            this.java = java;
            this.version = version;
            this.feature = feature(version);
        }

        static int feature(String version) {
            String v = version.startsWith("1.") ? version.substring(2) : version;
            return Integer.parseInt(v.split("[^0-9]", 2)[0]);
        }
    }

    /** One child JVM: one row of the table. */
    static final class Case {
        final String name;
        final String params;
        final Jvm jvm;
        final List<String> flags;
        final List<String> args;
        final int stuckS;
        String skipped;
        // outcome
        String verdict = "FAIL";
        String reason = "";
        String result = "";
        String numbers = "";
        double seconds;
        Path log;

        Case(String name, String params, Jvm jvm, List<String> flags, int stuckS, String... args) {
            this.name = name;
            this.params = params;
            this.jvm = jvm;
            this.flags = flags;
            this.stuckS = stuckS;
            this.args = Arrays.asList(args);
        }
    }

    public static void main(String[] argv) throws Exception {
        boolean quick = false;
        Pattern only = null;
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--quick")) quick = true;
            else if (argv[i].equals("--only") && i + 1 < argv.length) only = Pattern.compile(argv[++i]);
            else {
                System.err.println("usage: StressMain [--quick] [--only REGEX]");
                System.exit(2);
            }
        }
        Path logs = Paths.get(System.getProperty("stress.logs", "target/stress"));
        Files.createDirectories(logs);
        Jvm self = new Jvm(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.version"));
        Jvm vt = self.feature >= 21 ? self : findJdk(21);

        List<Case> cases = plan(quick, self, vt);
        if (only != null) {
            List<Case> chosen = new ArrayList<>();
            for (Case c : cases) if (only.matcher(c.name).find()) chosen.add(c);
            cases = chosen;
        }
        System.out.printf("nativethread stress (%s): %d child JVMs, %d CPUs, logs in %s%n", quick ? "quick" : "full",
                cases.size(), Runtime.getRuntime().availableProcessors(), logs);
        long t0 = System.nanoTime();
        int i = 0;
        for (Case c : cases) {
            i++;
            String slug = (c.name + " " + c.params).replaceAll("[^A-Za-z0-9=]+", "-").replace("=", "");
            c.log = logs.resolve(slug.substring(0, Math.min(slug.length(), 60)) + ".log");
            if (c.skipped != null) {
                System.out.printf("[%d/%d] %s %s: %s%n", i, cases.size(), c.name, c.params, c.skipped);
                continue;
            }
            System.out.printf("[%d/%d] %s %s: %s (%s) %s%n", i, cases.size(), c.name, c.params, c.jvm.java,
                    c.jvm.version, String.join(" ", c.flags));
            run(c);
            System.out.printf("        %s in %.1f s%s%n", c.verdict, c.seconds, c.verdict.equals("ok") ? "" : ": " + c.reason);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        printTable(cases, quick, wall);
        boolean failed = false;
        for (Case c : cases) failed |= c.verdict.equals("FAIL");
        System.exit(failed ? 1 : 0);
    }

    private static List<Case> plan(boolean quick, Jvm self, Jvm vt) {
        List<Case> cases = new ArrayList<>();
        // the heap fixed and resident from the start, so that RSS changes are the threads' and the library's
        List<String> memory = Arrays.asList("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");
        int live = quick ? 5_000 : 10_000;  // HotSpot's attach gets slower with each live thread
        cases.add(new Case("1 live-threads", "n=" + live + " stack=minStackSize", self, memory,
                quick ? 120 : 180, "live", "n=" + live));
        int churn = quick ? 20_000 : 200_000;
        cases.add(new Case("2 churn", "n=" + churn + " window=4 stack=min/default", self, memory,
                quick ? 120 : 400, "churn", "n=" + churn, "window=4"));
        int burst = quick ? 2_000 : 10_000;
        cases.add(new Case("3 burst-no-restart", "n=" + burst + " stack=minStackSize", self, memory,
                quick ? 90 : 180, "burst", "n=" + burst));
        int ops = quick ? 100_000 : 1_000_000;
        for (String lock : new String[] {"lock", "rlock"}) {
            for (int threads : new int[] {2, 4, 8}) {
                cases.add(new Case("4 counts-" + lock, "threads=" + threads + " ops=" + ops, self,
                        new ArrayList<>(), quick ? 90 : 240, "counts", "lock=" + lock, "threads=" + threads, "ops=" + ops));
            }
        }
        int storm = quick ? 10_000 : 100_000;
        cases.add(new Case("5 interrupt-storm", "n=" + storm + " bursts 1-4, 2 holders", self, new ArrayList<>(),
                quick ? 90 : 240, "storm", "n=" + storm));
        int each = quick ? 20 : 100;
        String[][] vtCases = {
            {"lock", "A holds 50 ms, B lock()"},
            {"rlock", "A holds 50 ms, B lock()"},
            {"join", "A joins native waiting on B"},
            {"count", "1000 vthreads x " + each},
            {"count-yield", "1000 vthreads x " + each + ", yield in lock"},
        };
        for (String[] v : vtCases) {
            for (int parallelism : new int[] {1, 2}) {
                List<String> flags = new ArrayList<>();
                flags.add("-Djdk.virtualThreadScheduler.parallelism=" + parallelism);
                Case c = new Case("6 vt-" + v[0], v[1] + ", parallelism=" + parallelism, vt, flags, quick ? 5 : 10,
                        "vt", "case=" + v[0], "vthreads=1000", "each=" + each);
                if (vt == null) c.skipped = "skipped: no JDK 21+ (looked at the running JDK and /usr/lib/jvm)";
                cases.add(c);
            }
        }
        if (!Files.isDirectory(Paths.get("/proc/self/task"))) {
            for (Case c : cases) {
                if (c.name.startsWith("1 ") || c.name.startsWith("2 ") || c.name.startsWith("3 ")) {
                    c.skipped = "skipped: needs Linux /proc";
                }
            }
        }
        return cases;
    }

    private static void run(Case c) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(c.jvm.java);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Xss1m");  // as surefire runs the tests
        if (c.jvm.feature >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(c.flags);
        cmd.add(StressChild.class.getName());
        cmd.addAll(c.args);
        cmd.add("stuck=" + c.stuckS);
        Files.write(c.log, (String.join(" ", cmd) + "\n").getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(c.log.toFile())).start();
        int limit = Math.max(1, c.stuckS + KILL_MARGIN_S);
        boolean ended = process.waitFor(limit, TimeUnit.SECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        c.seconds = (System.nanoTime() - t0) / 1e9;
        List<String> lines = Files.readAllLines(c.log, StandardCharsets.UTF_8);
        String verdict = null;
        for (String l : lines) {
            if (l.startsWith("@result ")) c.result = l.substring(8);
            else if (l.startsWith("@numbers ")) c.numbers = l.substring(9);
            else if (l.startsWith("@verdict ")) verdict = l.substring(9);
        }
        if (!ended) {
            c.reason = "stuck after " + limit + " s (killed)";
        } else if (verdict == null) {
            c.reason = "exit code " + process.exitValue() + ", no verdict; last line: "
                    + (lines.isEmpty() ? "" : lines.get(lines.size() - 1));
        } else if (verdict.equals("ok")) {
            if (process.exitValue() == 0) c.verdict = "ok";
            else c.reason = "verdict ok but exit code " + process.exitValue();
        } else {
            c.reason = verdict.replaceFirst("^FAIL ?", "");
        }
    }

    /** The newest JDK of at least {@code feature} in /usr/lib/jvm (by its release file), or null. */
    static Jvm findJdk(int feature) {
        Jvm best = null;
        try (Stream<Path> dirs = Files.list(Paths.get("/usr/lib/jvm"))) {
            for (Path dir : (Iterable<Path>) dirs.sorted()::iterator) {
                Path java = dir.resolve("bin/java");
                Path release = dir.resolve("release");
                if (!Files.isExecutable(java) || !Files.isRegularFile(release) || Files.isSymbolicLink(dir)) continue;
                for (String l : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                    if (!l.startsWith("JAVA_VERSION=")) continue;
                    Jvm j = new Jvm(java.toString(), l.substring(13).replace("\"", ""));
                    if (j.feature >= feature && (best == null || j.feature > best.feature)) best = j;
                }
            }
        } catch (IOException | RuntimeException e) {
            return best;
        }
        return best;
    }

    private static void printTable(List<Case> cases, boolean quick, double wall) {
        int wName = 10, wParams = 10;
        for (Case c : cases) {
            wName = Math.max(wName, c.name.length());
            wParams = Math.max(wParams, c.params.length());
        }
        String head = "%-" + wName + "s  %-" + wParams + "s  %-4s %7s  %-7s  %s%n";
        String indent = String.format("%" + (wName + wParams + 27) + "s", "");
        System.out.println();
        System.out.printf(head, "scenario", "parameters", "jvm", "time", "verdict", "result / numbers");
        int ok = 0, fail = 0, skipped = 0;
        for (Case c : cases) {
            String verdict = c.skipped != null ? "skipped" : c.verdict;
            String jvm = c.jvm == null ? "-" : Integer.toString(c.jvm.feature);
            String time = c.skipped != null ? "-" : String.format(Locale.ROOT, "%.1f s", c.seconds);
            String first = c.skipped != null ? c.skipped : c.result.isEmpty() ? "-" : c.result;
            System.out.printf(head, c.name, c.params, jvm, time, verdict, first);
            for (String l : wrap(c.numbers, 90)) System.out.println(indent + l);
            if (c.skipped == null && !c.verdict.equals("ok")) {
                for (String l : wrap("FAIL: " + c.reason, 90)) System.out.println(indent + l);
                System.out.println(indent + "log: " + c.log);
            }
            if (c.skipped != null) skipped++;
            else if (c.verdict.equals("ok")) ok++;
            else fail++;
        }
        System.out.printf("%n%d ok, %d FAIL, %d skipped; %s run, wall time %d:%02d%n", ok, fail, skipped,
                quick ? "quick" : "full", (int) wall / 60, (int) wall % 60);
    }

    /** Splits {@code text} after "; " or ", " so that lines stay near {@code width}. */
    private static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) return out;
        StringBuilder line = new StringBuilder();
        for (String part : text.split("(?<=[;,] )")) {
            if (line.length() > 0 && line.length() + part.length() > width) {
                out.add(line.toString().trim());
                line.setLength(0);
            }
            line.append(part);
        }
        if (line.length() > 0) out.add(line.toString().trim());
        return out;
    }
}
