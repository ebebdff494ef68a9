package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.nativethread.NativeThread;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Helpers for the {@link OsThread} and {@link Timer} tests: bounded waits, and the kernel's and the
 * JVM's own view of a thread (/proc, thread dumps, how deep Java code recurses), read without the
 * library. (The core's test helpers are package-private in {@code io.github.nativethread}; these
 * are the few this package needs.)
 */
final class OsThreadFacts {
    /** Generous bound for anything that should take milliseconds: only a hang reaches it. */
    static final double LONG_TIMEOUT_S = 60;
    static final long LONG_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    static final long KIB = 1024, MIB = 1024 * 1024;

    private OsThreadFacts() {}

    /** Joins with a generous bound: a thread that hangs fails the test instead of hanging it. */
    static void join(OsThread t) {
        assertTrue(t.join(LONG_TIMEOUT_S), () -> t + " did not end within " + LONG_TIMEOUT_S + " s");
        assertFalse(t.isAlive(), () -> t + ": isAlive() after a join that returned true");
    }

    /** Waits (polling, with a generous bound) until {@code condition} holds. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LONG_TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail("timed out waiting until " + what);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    static void rethrow(Throwable t) {
        if (t == null) return;
        if (t instanceof Error) throw (Error) t;
        if (t instanceof RuntimeException) throw (RuntimeException) t;
        throw new AssertionError("failed in the thread", t);
    }

    /** Runs {@code r} with System.err captured and no default uncaught-exception handler; returns
     *  what was printed. Both are restored afterwards. */
    static String captureStderr(Runnable r) {
        PrintStream savedErr = System.err;
        Thread.UncaughtExceptionHandler savedHandler = Thread.getDefaultUncaughtExceptionHandler();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Thread.setDefaultUncaughtExceptionHandler(null);
            System.setErr(capture);
            r.run();
        } finally {
            System.setErr(savedErr);
            Thread.setDefaultUncaughtExceptionHandler(savedHandler);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    // ---- /proc: the kernel's view -------------------------------------------------------------

    /** The calling thread's kernel id, from the /proc/thread-self link ("<pid>/task/<tid>"). */
    static long procTid() {
        try {
            String link = Files.readSymbolicLink(Paths.get("/proc/thread-self")).toString();
            String[] parts = link.split("/");
            assertEquals(3, parts.length, link);
            assertEquals("task", parts[1], link);
            assertEquals(ProcessHandle.current().pid(), Long.parseLong(parts[0]), "pid in " + link);
            return Long.parseLong(parts[2]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The calling thread's name as the kernel has it (/proc/thread-self/comm), raw bytes. */
    static byte[] procComm() {
        return comm(Paths.get("/proc/thread-self/comm"));
    }

    /** Thread {@code tid}'s name as the kernel has it (/proc/self/task/tid/comm), raw bytes. */
    static byte[] procComm(long tid) {
        return comm(Paths.get("/proc/self/task/" + tid + "/comm"));
    }

    private static byte[] comm(Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            assertTrue(bytes.length > 0 && bytes[bytes.length - 1] == '\n', () -> path + ": " + Arrays.toString(bytes));
            return Arrays.copyOf(bytes, bytes.length - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Does the kernel list thread {@code tid} in this process? */
    static boolean osThreadExists(long tid) {
        return Files.exists(Paths.get("/proc/self/task/" + tid));
    }

    /** {@code name} as Linux keeps it: at most 15 bytes of UTF-8, never half a character. */
    static byte[] linuxComm(String name) {
        byte[] all = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(all.length, 15);
        while (n > 0 && n < all.length && (all[n] & 0xC0) == 0x80) n--;  // don't cut a character
        return Arrays.copyOf(all, n);
    }

    /**
     * The user stack pointer of thread {@code tid} of this process while it is blocked in a system
     * call, from /proc/self/task/tid/syscall ("nr arg1 ... arg6 sp pc", or "-1 sp pc"); waits until
     * the thread is blocked. Null if this kernel does not show it.
     */
    static Long blockedStackPointer(long tid) {
        Path path = Paths.get("/proc/self/task/" + tid + "/syscall");
        long deadline = System.nanoTime() + LONG_TIMEOUT_NS;
        while (true) {
            String line;
            try {
                line = new String(Files.readAllBytes(path), StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                return null;
            }
            String[] f = line.split(" ");
            if (f.length >= 3 && !f[0].equals("running")) return Long.decode(f[f.length - 2]);
            if (System.nanoTime() - deadline > 0) fail("thread " + tid + " never blocked: " + line);
            Thread.onSpinWait();
        }
    }

    /** One line of /proc/self/maps. */
    static final class Mapping {
        final long start, end;
        final String perms;
        final String line;

        Mapping(String line) {
            this.line = line;
            String[] f = line.split("\\s+");
            String[] range = f[0].split("-");
            start = Long.parseUnsignedLong(range[0], 16);
            end = Long.parseUnsignedLong(range[1], 16);
            perms = f[1];
        }

        long size() {
            return end - start;
        }

        @Override
        public String toString() {
            return line;
        }
    }

    static List<Mapping> procMaps() {
        try {
            List<Mapping> maps = new ArrayList<>();
            for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) maps.add(new Mapping(line));
            return maps;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the JVM's view ---------------------------------------------------------------------

    /** The JVM's own thread dump (what {@code jcmd <pid> Thread.print} shows), or null if this JVM has
     *  no DiagnosticCommand MBean. */
    static String jvmThreadDump() {
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            if (!ManagementFactory.getPlatformMBeanServer().isRegistered(name)) return null;
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(name, "threadPrint",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new AssertionError("threadPrint failed", e);
        }
    }

    /** How deep a plain recursive method gets in the calling thread before StackOverflowError. */
    static int recursionDepth() {
        return Recursion.depth();
    }

    private static final class Recursion {
        private static int depth;

        private Recursion() {}

        private static void recurse() {
            depth++;
            recurse();
        }

        /** Not thread-safe beyond the lock: callers run one such thread at a time. */
        static synchronized int depth() {
            depth = 0;
            try {
                recurse();
            } catch (StackOverflowError expected) {
                // the point
            }
            return depth;
        }
    }

    // ---- child JVMs ----------------------------------------------------------------------------

    /** The options of {@code -Dnativethread.test.jvmArgs} (separated by spaces), forwarded to children. */
    static List<String> extraJvmArgs() {
        List<String> extra = new ArrayList<>();
        for (String a : System.getProperty("nativethread.test.jvmArgs", "").trim().split("\\s+")) {
            if (!a.isEmpty()) extra.add(a);
        }
        return extra;
    }

    /** A child JVM on this test class path running {@code mainClass}, its output (stdout and stderr
     *  merged) read line by line. */
    static final class Child {
        final Process process;
        private final BufferedReader out;
        final List<String> lines = new ArrayList<>();

        Child(Class<?> mainClass, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(extraJvmArgs());
            cmd.add(mainClass.getName());
            cmd.addAll(Arrays.asList(args));
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            builder.environment().remove("_JAVA_SR_SIGNUM");
            process = builder.start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads lines until one equals {@code line}. */
        void awaitLine(String line) throws IOException {
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
                if (l.equals(line)) return;
            }
            throw new AssertionError("child ended before printing '" + line + "': " + lines);
        }

        /** Writes a line to the child's stdin. */
        void send(String line) throws IOException {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write(line + "\n");
            in.flush();
        }

        /** Reads the rest of the output and returns the exit code; fails if the child printed a JNI
         *  check warning (-Xcheck:jni) or did not end within 60 s. */
        int finish() throws Exception {
            for (String l; (l = out.readLine()) != null; ) lines.add(l);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not end");
            assertFalse(lines.stream().anyMatch(l -> l.contains("WARNING in native method")),
                    () -> "the child JVM printed a JNI warning: " + lines);
            return process.exitValue();
        }
    }

    /** NativeThread.count(): threads of the library still running. */
    static int nativeCount() {
        return NativeThread.count();
    }
}
