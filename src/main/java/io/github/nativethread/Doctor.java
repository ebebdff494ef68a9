// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Native;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code java -jar nativethread.jar}: a self-check. Every {@code PASS}/{@code FAIL} line compares
 * what it measured (through the public API, and where the OS shows it, through {@code /proc}) with
 * what it expected; the exit status is 1 when any check failed. A client of the public API, run by
 * the jar's {@code Main-Class}: package-private, so it adds nothing to the API.
 *
 * <p>{@code -Dnativethread.doctor.expectStackSize=N} makes the stack checks expect N bytes
 * whatever was asked for: an impossible expectation, to see the failure path (exit status 1).
 */
final class Doctor {
    /** System property: the stack size the stack checks expect instead of the size asked for. */
    static final String EXPECT_STACK_SIZE = "nativethread.doctor.expectStackSize";

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    /** The user-mode emulator this JVM runs under (e.g. /usr/bin/qemu-aarch64-static), or null. */
    static final String EMULATOR = emulator();

    private final PrintStream out;
    private int passed;
    private int failed;

    private Doctor(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Doctor doctor = new Doctor(System.out);
        doctor.run();
        System.out.flush();
        System.exit(doctor.failed == 0 ? 0 : 1);
    }

    private void run() throws Exception {
        int threadsBefore = NativeThread.count();
        out.println("nativethread doctor");
        row("version", NativeThread.version());
        row("platform", Native.platformKey() + " (" + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", " + System.getProperty("os.arch") + ")");
        row("JVM", System.getProperty("java.version") + ", " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.vendor") + ")");
        String library = Native.libraryPath();
        row("library", library + " (" + Native.loadedFrom() + ")");
        row("TIMEOUT_MAX", plain(NativeThread.TIMEOUT_MAX) + " s");
        row("minStackSize", NativeThread.minStackSize() + " bytes (page " + Native.PAGE_SIZE + ")");
        row("main thread", "ident " + NativeThread.mainThreadIdent() + ", native id " + NativeThread.getNativeId()
                + ", stack " + NativeThread.currentStackSize() + " bytes");
        long[] dflt = inThread(NativeThread.builder().name("doctor-default"), () -> NativeThread.currentStackSize());
        row("default stack", dflt[0] + " bytes (stackSize(0): the OS default)");
        if (EMULATOR != null) row("emulator", EMULATOR);
        out.println();

        if (LINUX) checkLibraryMapped(library);
        checkMainThreadId();
        checkStacks();
        checkThreadIdAndNames();
        checkTimedAcquire();
        checkInterruptMain();
        checkLocks();
        long end = System.nanoTime() + 5_000_000_000L;  // an ending thread leaves count() a moment later
        while (NativeThread.count() != threadsBefore && System.nanoTime() - end < 0) Thread.sleep(1);
        check(NativeThread.count() == threadsBefore, "count() = " + NativeThread.count()
                + " after every doctor thread was joined, expected " + threadsBefore);

        out.println();
        out.println(failed == 0 ? "all " + passed + " checks passed"
                : failed + " of " + (passed + failed) + " checks FAILED");
    }

    // ---- checks ------------------------------------------------------------------------------

    private void checkLibraryMapped(String library) throws IOException {
        String real = new File(library).getCanonicalPath();
        // " (deleted)": the loader removes its extracted copy once loaded; the mapping stays
        boolean mapped = Files.readAllLines(Paths.get("/proc/self/maps")).stream()
                .anyMatch(l -> l.endsWith(" " + real) || l.endsWith(" " + real + " (deleted)"));
        check(mapped, "library: /proc/self/maps " + (mapped ? "maps " : "does not map ") + real
                + ", the file the OS loader reports");
    }

    private void checkMainThreadId() throws IOException {
        long id = NativeThread.getNativeId();
        if (LINUX) {
            long tid = procTid();
            check(id == tid, "main thread: getNativeId() = " + id + ", kernel tid " + tid + " (/proc/thread-self)");
        } else {
            check(id > 0, "main thread: getNativeId() = " + id + ", expected > 0");
        }
    }

    /** Exact stacks: what the thread reports, the kernel's mappings, and how deep Java recursion gets. */
    private void checkStacks() throws Exception {
        Long forced = Long.getLong(EXPECT_STACK_SIZE);
        long[] sizes = {NativeThread.minStackSize(), 256 * 1024, 1024 * 1024, 8 * 1024 * 1024};
        for (int i = 0; i < 5; i++) recursionDepth();  // warm up: the same compiled code in every thread
        long[] depths = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            long size = sizes[i];
            long expected = forced != null ? forced : size;
            String what = "stack " + kib(size) + ": ";
            NativeLock gate = new NativeLock();
            gate.acquire();
            long[] seen = new long[3];
            ThreadHandle t = NativeThread.builder().stackSize(size).name("doctor-" + kib(size).replace(" ", ""))
                    .start(() -> {
                        seen[0] = NativeThread.currentStackSize();
                        seen[1] = recursionDepth();
                        gate.acquire();  // blocked: the kernel shows its stack pointer
                        gate.release();
                    });
            String maps;
            try {
                maps = LINUX && EMULATOR == null ? stackInMaps(t.nativeId(), expected) : null;
            } finally {
                gate.release();
            }
            t.join();
            depths[i] = seen[1];
            check(seen[0] == expected, what + "currentStackSize() = " + seen[0] + " in the thread, expected " + expected);
            if (maps != null) check(maps.startsWith("ok "), what + maps.substring(maps.indexOf(' ') + 1));
        }
        if (LINUX && EMULATOR != null) {
            out.println("SKIP  stacks in /proc/self/maps: under " + EMULATOR + " a thread's /proc/.../syscall"
                    + " shows the emulator's stack pointer, not the program's");
        }
        boolean grows = true;
        StringBuilder line = new StringBuilder("recursion depth grows with the stack:");
        for (int i = 0; i < sizes.length; i++) {
            if (i > 0 && depths[i] <= depths[i - 1]) grows = false;
            line.append(i > 0 ? ", " : " ").append(kib(sizes[i])).append(' ').append(depths[i]);
        }
        check(grows, line.toString());
    }

    /**
     * The kernel's view of a blocked thread's stack: its stack pointer (/proc/self/task/tid/syscall)
     * lies in a read-write mapping; below it, at the bottom of the stack, HotSpot's guard zones are
     * PROT_NONE. The stack is exact when such a PROT_NONE mapping begins {@code expected} bytes
     * below the top (the bottom of the stack: anything below is not the thread's). "ok ..." or
     * "bad ..."; null if /proc does not tell.
     */
    private static String stackInMaps(long tid, long expected) throws Exception {
        Path syscall = Paths.get("/proc/self/task/" + tid + "/syscall");
        long sp = -1;
        long end = System.nanoTime() + 10_000_000_000L;
        while (sp < 0) {
            String[] f;
            try {
                f = new String(Files.readAllBytes(syscall), StandardCharsets.US_ASCII).trim().split(" ");
            } catch (IOException e) {
                return null;  // not shown here (e.g. ptrace restrictions)
            }
            if (f.length >= 3 && !f[0].equals("running")) sp = Long.decode(f[f.length - 2]);
            else if (System.nanoTime() - end > 0) return "bad: the thread never blocked";
            else Thread.sleep(1);
        }
        List<long[]> maps = new ArrayList<>();  // start, end, 1 if rw / 0 if PROT_NONE / -1 else
        for (String l : Files.readAllLines(Paths.get("/proc/self/maps"))) {
            String[] f = l.split("\\s+");
            String[] r = f[0].split("-");
            maps.add(new long[] {Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16),
                f[1].startsWith("rw") ? 1 : f[1].startsWith("---") ? 0 : -1});
        }
        int at = -1;
        for (int i = 0; i < maps.size(); i++) if (maps.get(i)[0] <= sp && sp < maps.get(i)[1]) at = i;
        if (at < 0 || maps.get(at)[2] != 1) return "bad: the stack pointer 0x" + Long.toHexString(sp) + " is in no rw mapping";
        long top = maps.get(at)[1];
        List<Long> boundaries = new ArrayList<>();  // distances from the top to each mapping's start
        for (int i = at; i >= 0; i--) {
            long[] m = maps.get(i);
            if (i < at && (m[1] != maps.get(i + 1)[0] || m[2] != 0)) break;  // contiguous PROT_NONE only
            boundaries.add(top - m[0]);
        }
        boolean ok = boundaries.indexOf(expected) > 0;  // a PROT_NONE mapping begins there
        return (ok ? "ok " : "bad ") + "/proc/self/maps: rw for " + boundaries.get(0)
                + " bytes below the stack top, then PROT_NONE down to " + boundaries.subList(1, boundaries.size())
                + "; expected a PROT_NONE mapping beginning at " + expected;
    }

    /**
     * qemu-user answers /proc/self/exe with the emulated program, but not /proc/thread-self/exe:
     * there the kernel names the emulator itself.
     */
    private static String emulator() {
        if (!LINUX) return null;
        try {
            Path program = Paths.get("/proc/self/exe").toRealPath();
            Path process = Paths.get("/proc/thread-self/exe").toRealPath();
            return program.equals(process) ? null : process.toString();
        } catch (IOException e) {
            return null;  // no /proc/thread-self (Linux before 3.17): not told
        }
    }

    private void checkThreadIdAndNames() throws Exception {
        String name = "doctor-names-check";  // 18 bytes: the OS keeps 15 on Linux
        String osName = truncate(name, (int) Native.NAME_MAX);
        AtomicReference<String[]> seen = new AtomicReference<>();
        long[] ids = new long[2];
        ThreadHandle t = NativeThread.builder().name(name).start(() -> {
            String[] s = new String[6];
            s[0] = Thread.currentThread().getName();
            s[1] = NativeThread.getName();
            s[2] = LINUX ? procComm() : null;
            NativeThread.setName("doctor-renamed");
            s[3] = NativeThread.getName();
            s[4] = LINUX ? procComm() : null;
            ids[0] = NativeThread.getNativeId();
            try {
                ids[1] = LINUX ? procTid() : ids[0];
            } catch (IOException e) {
                ids[1] = -1;
            }
            seen.set(s);
        });
        t.join();
        String[] s = seen.get();
        long mainId = NativeThread.getNativeId();
        check(ids[0] == ids[1] && ids[0] == t.nativeId() && ids[0] != mainId, "kernel tid: getNativeId() = " + ids[0]
                + " in the thread, handle.nativeId() = " + t.nativeId()
                + (LINUX ? ", /proc/thread-self = " + ids[1] : "") + " (main thread: " + mainId + ")");
        check(name.equals(s[0]) && osName.equals(s[1]) && (!LINUX || osName.equals(s[2])),
                "OS name: builder().name(\"" + name + "\") gives Java name \"" + s[0] + "\", OS name \"" + s[1] + "\""
                + (LINUX ? ", /proc comm \"" + s[2] + "\"" : "") + ", expected \"" + osName + "\"");
        check("doctor-renamed".equals(s[3]) && (!LINUX || "doctor-renamed".equals(s[4])),
                "OS name: setName(\"doctor-renamed\") reads back \"" + s[3] + "\""
                + (LINUX ? ", /proc comm \"" + s[4] + "\"" : ""));
    }

    private void checkTimedAcquire() {
        NativeLock lock = new NativeLock();
        lock.acquire();
        long t0 = System.nanoTime();
        boolean got = lock.acquire(Duration.ofMillis(50));
        long waited = System.nanoTime() - t0;
        check(!got && waited >= 50_000_000L, "timed acquire: acquire(Duration.ofMillis(50)) of a held lock returned "
                + got + " after " + ms(waited) + " ms (System.nanoTime), expected false after >= 50 ms");
        t0 = System.nanoTime();
        got = lock.acquire(0.05);
        waited = System.nanoTime() - t0;
        check(!got && waited >= 50_000_000L, "timed acquire: acquire(0.05) (seconds) of a held lock returned "
                + got + " after " + ms(waited) + " ms, expected false after >= 50 ms");
        lock.release();
    }

    /** interruptMain from a helper thread while the main thread waits in acquire: the handler runs in main. */
    private void checkInterruptMain() throws Exception {
        if (NativeThread.getIdent() != NativeThread.mainThreadIdent()) {
            out.println("SKIP  interruptMain: the doctor is not running in the main thread");
            return;
        }
        NativeLock lock = new NativeLock();
        lock.acquire();
        long[] ranIn = {0};
        long[] sentAt = {0};
        Signals.SignalHandler previous = Signals.signal(Signals.SIGINT, signum -> {
            ranIn[0] = NativeThread.getIdent();
            throw new KeyboardInterrupt();
        });
        String outcome;
        boolean ok;
        ThreadHandle helper = NativeThread.builder().name("doctor-interrupt").start(() -> {
            while (lock.getQueueLength() == 0) Thread.onSpinWait();  // main is waiting in acquire
            sentAt[0] = System.nanoTime();
            NativeThread.interruptMain();
        });
        try {
            boolean got = lock.acquire(Duration.ofSeconds(10));
            outcome = "the blocked acquire(10 s) was not interrupted (returned " + got + ")";
            ok = false;
        } catch (KeyboardInterrupt expected) {
            long woke = System.nanoTime();
            helper.join();
            ok = ranIn[0] == NativeThread.mainThreadIdent();
            outcome = "a helper's interruptMain() ran the SIGINT handler in thread " + ranIn[0] + " (main: "
                    + NativeThread.mainThreadIdent() + "); its KeyboardInterrupt ended the main thread's blocked acquire in "
                    + String.format(Locale.ROOT, "%.3f", (woke - sentAt[0]) / 1e6) + " ms";
        } finally {
            Signals.signal(Signals.SIGINT, previous);
        }
        helper.join();
        check(ok, "interruptMain: " + outcome);
    }

    private void checkLocks() throws Exception {
        NativeLock lock = new NativeLock();
        boolean first = lock.acquire();
        boolean again = lock.acquire(false);
        ThreadHandle other = NativeThread.startJoinableThread(lock::release);  // any thread may release
        other.join();
        boolean lockedAfter = lock.locked();
        String unlocked = errorOf(lock::release);
        check(first && !again && !lockedAfter && "release unlocked lock".equals(unlocked),
                "NativeLock: acquire() " + first + ", acquire(false) while held " + again
                + ", released by another thread (locked() " + lockedAfter + "), release when unlocked: \"" + unlocked + "\"");

        NativeRLock r = new NativeRLock();
        r.acquire();
        r.acquire();
        int count = r.recursionCount();
        boolean owned = r.isOwned();
        String[] foreign = new String[1];
        ThreadHandle t = NativeThread.startJoinableThread(() -> foreign[0] = errorOf(r::release));
        t.join();
        r.release();
        r.release();
        check(count == 2 && owned && "cannot release un-acquired lock".equals(foreign[0]) && !r.locked(),
                "NativeRLock: re-entered, recursionCount() " + count + ", isOwned() " + owned
                + ", another thread's release: \"" + foreign[0] + "\", unlocked after two releases: " + !r.locked());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void check(boolean ok, String what) {
        if (ok) passed++;
        else failed++;
        out.println((ok ? "PASS  " : "FAIL  ") + what);
    }

    private void row(String name, String value) {
        out.printf("  %-15s %s%n", name + ":", value);
    }

    /** A double without exponent: 9223372036, not 9.223372036E9. */
    static String plain(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String kib(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** {@code name} as the OS keeps it: at most {@code max} bytes of UTF-8, never half a character. */
    private static String truncate(String name, int max) {
        byte[] all = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(all.length, max);
        while (n > 0 && n < all.length && (all[n] & 0xC0) == 0x80) n--;
        return new String(Arrays.copyOf(all, n), StandardCharsets.UTF_8);
    }

    private static long procTid() throws IOException {
        String link = Files.readSymbolicLink(Paths.get("/proc/thread-self")).toString();  // "pid/task/tid"
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    private static String procComm() {
        try {
            return new String(Files.readAllBytes(Paths.get("/proc/thread-self/comm")), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private static String errorOf(Runnable r) {
        try {
            r.run();
            return "no error";
        } catch (ThreadError e) {
            return e.getMessage();
        }
    }

    /** Runs {@code body} in a thread of {@code builder}, joins it, returns its result. */
    private static long[] inThread(NativeThread.Builder builder, java.util.function.LongSupplier body) {
        long[] r = new long[1];
        builder.start(() -> r[0] = body.getAsLong()).join();
        return r;
    }

    private static int depth;

    private static void recurse() {
        depth++;
        recurse();
    }

    /** How deep a plain recursive method gets in the calling thread before StackOverflowError. */
    private static synchronized int recursionDepth() {
        depth = 0;
        try {
            recurse();
        } catch (StackOverflowError expected) {
            // the measure
        }
        return depth;
    }
}
