// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Helpers for the thread tests: running code in a native thread and getting its result or its
 * failure back, bounded waits, reading the kernel's view of threads from /proc and the JVM's own
 * view (thread dumps, recursion depth), independently of the library. Public for the tests of
 * {@code io.github.nativethread.threading}.
 */
public final class ThreadHelpers {
    /** Generous bound for anything that should take milliseconds: only a hang reaches it. */
    public static final double LONG_TIMEOUT_S = 60;
    public static final long LONG_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    public static final long KIB = 1024, MIB = 1024 * 1024;

    private ThreadHelpers() {}

    /**
     * The user stack pointer of thread {@code tid} of this process while it is blocked in a system
     * call, from /proc/self/task/tid/syscall ("nr arg1 ... arg6 sp pc", or "-1 sp pc"); waits until
     * the thread is blocked. Null if this kernel does not show it; skips the test under an emulator.
     */
    public static Long blockedStackPointer(long tid) {
        assumeTrue(Doctor.EMULATOR == null, () -> "under " + Doctor.EMULATOR
                + " /proc/<pid>/task/<tid>/syscall shows the emulator's stack pointer, not the program's");
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

    /** Runs {@code body} in a thread started by {@code builder}, joins it and returns its result;
     *  an exception or assertion failure in the thread is rethrown here. */
    static <T> T callIn(NativeThread.Builder builder, Callable<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadHandle handle = builder.start(() -> {
            try {
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        join(handle);
        rethrow(failure.get());
        return result.get();
    }

    static <T> T callIn(Callable<T> body) {
        return callIn(NativeThread.builder(), body);
    }

    /** Joins with a generous bound: a thread that hangs fails the test instead of hanging it. */
    static void join(ThreadHandle handle) {
        assertTrue(handle.join(LONG_TIMEOUT_S), () -> handle + " did not end within " + LONG_TIMEOUT_S + " s");
        assertTrue(handle.isDone());
    }

    public static void rethrow(Throwable t) {
        if (t == null) return;
        if (t instanceof Error) throw (Error) t;
        if (t instanceof RuntimeException) throw (RuntimeException) t;
        throw new AssertionError("failed in the thread", t);
    }

    /** Waits (polling, with a generous bound) until {@code condition} holds. */
    public static void awaitTrue(String what, BooleanSupplier condition) {
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

    /** Waits until every thread a test started has ended: count() is back to (at most) what it was
     *  before the test. Threads without a handle (startNewThread) end a little after their last
     *  action that a test can wait for. */
    static void awaitThreadsEnded(int countBefore) {
        awaitTrue("NativeThread.count() <= " + countBefore + " (it is " + NativeThread.count() + ")",
                () -> NativeThread.count() <= countBefore);
    }

    /** Waits until the library's count of running threads is back to {@code expected}. */
    static void awaitCount(int expected) {
        awaitTrue("NativeThread.count() == " + expected + " (it is " + NativeThread.count() + ")",
                () -> NativeThread.count() == expected);
    }

    /** Runs {@code r} with System.err captured and no default uncaught-exception handler; returns
     *  what was printed. Both are restored afterwards. */
    public static String captureStderr(Runnable r) {
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

    // ---- /proc: the kernel's view, read without the library ----------------------------------

    /** The calling thread's kernel id, from the /proc/thread-self link ("<pid>/task/<tid>"). */
    public static long procTid() {
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
    public static byte[] procComm() {
        return comm(Paths.get("/proc/thread-self/comm"));
    }

    /** Thread {@code tid}'s name as the kernel has it (/proc/self/task/tid/comm), raw bytes. */
    public static byte[] procComm(long tid) {
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

    /** Does the kernel still list thread {@code tid} in this process? */
    public static boolean osThreadExists(long tid) {
        return Files.exists(Paths.get("/proc/self/task/" + tid));
    }

    /** The kernel's page size for this process's mappings (from /proc/self/smaps). */
    static long kernelPageSize() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/smaps"))) {
                if (line.startsWith("KernelPageSize:")) {
                    String[] f = line.trim().split("\\s+");
                    assertEquals("kB", f[2], line);
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no KernelPageSize in /proc/self/smaps");
    }

    /** A field of /proc/self/status in kB, e.g. "VmRSS" (resident) or "VmSize" (address space). */
    static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (!line.startsWith(field + ":")) continue;
                String[] f = line.substring(field.length() + 1).trim().split("\\s+");
                assertEquals("kB", f[1], line);
                return Long.parseLong(f[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no " + field + " in /proc/self/status");
    }

    /** The number of memory mappings of this process: lines of /proc/self/maps. */
    static long procMappings() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/self/maps"))) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JVM's own thread dump (what {@code jcmd <pid> Thread.print} shows), or null if this JVM has
     *  no DiagnosticCommand MBean. */
    public static String jvmThreadDump() {
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            if (!ManagementFactory.getPlatformMBeanServer().isRegistered(name)) return null;
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(name, "threadPrint",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new AssertionError("threadPrint failed", e);
        }
    }

    /** How deep a plain recursive method gets in the calling thread before StackOverflowError,
     *  which it catches: the thread goes on afterwards. The deepest of three tries: a try that ran
     *  (partly) interpreted or in a less optimised tier has bigger frames and stops far earlier. */
    public static int recursionDepth() {
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
            int deepest = 0;
            for (int i = 0; i < 3; i++) {
                depth = 0;
                try {
                    recurse();
                } catch (StackOverflowError expected) {
                    // the point
                }
                deepest = Math.max(deepest, depth);
            }
            assertNotNull(Thread.currentThread());
            assertFalse(deepest == 0);
            return deepest;
        }
    }

    /** Starts a virtual thread (JDK 21+; the tests compile for an older release, hence reflection). */
    public static Thread startVirtual(Runnable body) {
        try {
            Method start = Thread.class.getMethod("startVirtualThread", Runnable.class);
            return (Thread) start.invoke(null, body);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no virtual threads on Java " + Runtime.version(), e);
        }
    }

    /** The {@code java} of the running JVM, to start child JVMs with. */
    static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Feature release of the running JVM (11, 17, 25...). */
    static int javaFeature() {
        return Runtime.version().feature();
    }

    /** Waits until {@code t} is parked in a native wait: its Java state says RUNNABLE in native code
     *  only, so look for the lockAcquire frame at the top of its stack. */
    static void awaitParked(Thread t) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            StackTraceElement[] stack = t.getStackTrace();
            if (stack.length > 0 && stack[0].getMethodName().equals("lockAcquire")) return;
            Thread.sleep(1);
        }
        throw new AssertionError("thread never blocked: " + t);
    }
}
