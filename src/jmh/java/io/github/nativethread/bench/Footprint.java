// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a live thread costs the process, native ({@code NativeThread.builder()}) against
 * {@code java.lang.Thread}, both at {@link NativeThread#minStackSize()}: resident memory and
 * mappings per parked thread (from /proc/self/status and /proc/self/maps before and after starting
 * {@value #LIVE} of them), and how many can live at once (started until one fails, up to
 * {@value #CAP} or {@value #CEILING_S} s), with the limit that stopped them. Every count runs in a
 * child JVM of its own (this java, this class path), which halts when done; the parent kills one
 * that overruns its time. Linux only.
 */
final class Footprint implements Measurement {
    static final int LIVE = 10_000, CAP = 40_000, CEILING_S = 120;
    private static final String[] KINDS = {"native", "java"};

    @Override
    public String name() {
        return "Footprint";
    }

    @Override
    public void run(Report report) throws Exception {
        if (!Files.isReadable(Paths.get("/proc/self/maps"))) return;
        for (String kind : KINDS) {
            Map<String, String> f = child(120, "footprint", kind, String.valueOf(LIVE));
            double rss = Double.parseDouble(f.get("rss-kib")) / LIVE, maps = Double.parseDouble(f.get("maps")) / LIVE;
            report.add("Footprint.rssPerThread." + kind, rss, Double.NaN, "KiB", LIVE + " parked threads at "
                    + f.get("stack") + " bytes, VmRSS");
            report.add("Footprint.mapsPerThread." + kind, maps, Double.NaN, "mappings", "/proc/self/maps lines");
        }
        for (String kind : KINDS) {
            Map<String, String> f = child(CEILING_S + 60, "ceiling", kind, String.valueOf(CAP), String.valueOf(CEILING_S));
            report.add(new Report.Row("Footprint.ceiling." + kind, Double.parseDouble(f.getOrDefault("count", "0")),
                    Double.NaN, "threads", true, f.get("stopped")));
        }
        report.anchor("Footprint.rssPerThread.native", "Footprint.rssPerThread.java");
        report.anchor("Footprint.mapsPerThread.native", "Footprint.mapsPerThread.java");
        report.anchor("Footprint.ceiling.native", "Footprint.ceiling.java");
    }

    /**
     * Runs {@code main(args)} in a child JVM, at most {@code seconds}; its "key value" lines (the
     * last of each key). A ceiling child may die of the limit it reaches: at vm.max_map_count a
     * mapping the JVM itself needs (heap, malloc arena) fails before the next thread's, and HotSpot
     * aborts; then its last "count" stands, and "stopped" says how it died.
     */
    private static Map<String, String> child(int seconds, String... args) throws Exception {
        Path dir = Files.createTempDirectory("footprint-");
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + dir.resolve("hs_err.log")));
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add(Footprint.class.getName());
        cmd.addAll(List.of(args));
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) throw new IllegalStateException("child overran " + seconds + " s: " + cmd);
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            Map<String, String> facts = new HashMap<>();
            for (String l : lines) {
                int sp = l.indexOf(' ');
                if (sp > 0) facts.put(l.substring(0, sp), l.substring(sp + 1));
            }
            if (p.exitValue() != 0 && args[0].equals("ceiling") && facts.containsKey("count")) {
                String why = lines.stream().filter(l -> l.contains("failed")).findFirst().orElse("exit status " + p.exitValue());
                facts.put("stopped", "the JVM died (" + why.replaceFirst("^.*warning: (INFO: )?", "") + ") with "
                        + facts.get("maps") + " mappings (vm.max_map_count " + maxMapCount() + ")");
                return facts;
            }
            if (p.exitValue() != 0 || !facts.containsKey("done")) {
                throw new IllegalStateException("child failed (" + p.exitValue() + "): " + String.join("\n", lines));
            }
            return facts;
        } finally {
            p.destroyForcibly();
            p.waitFor();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    private static long maxMapCount() throws IOException {
        return Long.parseLong(Files.readAllLines(Paths.get("/proc/sys/vm/max_map_count")).get(0).trim());
    }

    // ---- the child JVM ------------------------------------------------------------------------

    /** footprint KIND N | ceiling KIND CAP SECONDS; prints "key value" lines, then "done ", and halts. */
    public static void main(String[] args) throws Exception {
        long stack = NativeThread.minStackSize();
        boolean java = args[1].equals("java");
        CountDownLatch release = new CountDownLatch(1);
        try {
            if (args[0].equals("footprint")) footprint(java, stack, Integer.parseInt(args[2]), release);
            else ceiling(java, stack, Integer.parseInt(args[2]), Long.parseLong(args[3]), release);
            System.out.println("done ");
        } finally {
            release.countDown();
            System.out.flush();
            Runtime.getRuntime().halt(0);  // every thread goes with the process
        }
    }

    private static void footprint(boolean java, long stack, int n, CountDownLatch release) throws Exception {
        for (int i = 0; i < 200; i++) start(java, stack, i, () -> {}).join();  // classes, code, malloc arenas
        System.gc();
        long rss0 = statusKb("VmRSS"), maps0 = mappings();
        CountDownLatch started = new CountDownLatch(n);
        for (int i = 0; i < n; i++) start(java, stack, i, () -> park(started, release));
        started.await();
        long rss1 = statusKb("VmRSS"), maps1 = mappings();
        System.out.println("stack " + stack);
        System.out.println("rss-kib " + (rss1 - rss0));
        System.out.println("maps " + (maps1 - maps0));
    }

    private static void ceiling(boolean java, long stack, int cap, long seconds, CountDownLatch release) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch never = new CountDownLatch(Integer.MAX_VALUE);
        int count = 0;
        String stopped;
        while (true) {
            if (count == cap) {
                stopped = "the cap";
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                stopped = "the time bound, " + seconds + " s";
                break;
            }
            try {
                start(java, stack, count, () -> park(never, release));
                count++;
                System.out.println("count " + count);  // stands if the JVM dies
                if (count % 256 == 0) System.out.println("maps " + mappings());
            } catch (Throwable e) {  // ThreadError, or OutOfMemoryError ("unable to create native thread")
                stopped = e.toString() + "; " + limits(count);
                break;
            }
        }
        System.out.println("count " + count);
        System.out.println("stopped " + stopped.replace('\n', ' '));
    }

    /** The limits the process is at or near when a thread could not start. */
    private static String limits(int count) throws IOException {
        long maps = mappings(), maxMaps = maxMapCount();
        long threads = statusKb("Threads");
        long threadsMax = Long.parseLong(Files.readAllLines(Paths.get("/proc/sys/kernel/threads-max")).get(0).trim());
        String nproc = "?";
        for (String l : Files.readAllLines(Paths.get("/proc/self/limits"))) {
            if (l.startsWith("Max processes")) nproc = l.substring("Max processes".length()).trim().split("\\s+")[0];
        }
        List<String> at = new ArrayList<>();
        if (maps >= maxMaps - 1000) at.add("vm.max_map_count");
        if (threads >= threadsMax - 100) at.add("kernel.threads-max");
        if (!nproc.equals("unlimited") && threads >= Long.parseLong(nproc) - 100) at.add("RLIMIT_NPROC (of this user)");
        return String.format(Locale.ROOT, "at %s: %d mappings (vm.max_map_count %d), %d threads (threads-max %d, "
                + "RLIMIT_NPROC %s), VmRSS %d MiB", at.isEmpty() ? "no limit known (memory?)" : String.join(", ", at),
                maps, maxMaps, threads, threadsMax, nproc, statusKb("VmRSS") / 1024);
    }

    private interface Joinable {
        void join() throws InterruptedException;
    }

    private static Joinable start(boolean java, long stack, int i, Runnable body) {
        if (java) {
            Thread t = new Thread(null, body, "fp-" + i, stack);
            t.setDaemon(true);
            t.start();
            return t::join;
        }
        return NativeThread.builder().stackSize(stack).name("fp-" + i).start(body)::join;
    }

    /** Both kinds park the same way, in a Java wait: only the thread itself differs. */
    private static void park(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A field of /proc/self/status (in kB for the Vm* ones). */
    private static long statusKb(String field) throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (l.startsWith(field + ":")) return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }

    private static long mappings() throws IOException {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/self/maps"))) {
            return lines.count();
        }
    }
}
