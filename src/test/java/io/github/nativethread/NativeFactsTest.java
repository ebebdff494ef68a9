// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.KIB;
import static io.github.nativethread.ThreadHelpers.MIB;
import static io.github.nativethread.ThreadHelpers.callIn;
import static io.github.nativethread.ThreadHelpers.join;
import static io.github.nativethread.ThreadHelpers.procComm;
import static io.github.nativethread.ThreadHelpers.procTid;
import static io.github.nativethread.ThreadHelpers.recursionDepth;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The library's native facts (thread ids, OS names, stack sizes) checked against what the kernel
 * and the JVM say on their own: /proc, the JVM's thread dump and -Xss floor, and how deep Java code
 * can recurse.
 */
class NativeFactsTest {

    @RegisterExtension
    final NoThreadLeftBehind threadCount = new NoThreadLeftBehind();

    // ---- native ids --------------------------------------------------------------------------

    @Test
    @EnabledOnOs(OS.LINUX)
    void nativeIdOfTheMainThreadIsItsKernelTid() {
        assertEquals(procTid(), NativeThread.getNativeId());
        assertEquals(NativeThread.getNativeId(), NativeThread.getNativeId(), "stable");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void nativeIdInAStartedThreadIsItsKernelTid() {
        long[] seen = new long[2];
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            seen[0] = NativeThread.getNativeId();
            seen[1] = procTid();
        });
        join(handle);
        assertEquals(seen[1], seen[0], "getNativeId() vs /proc/thread-self");
        assertEquals(seen[1], handle.nativeId(), "ThreadHandle.nativeId() vs /proc/thread-self");
        assertNotEquals(procTid(), seen[1], "a new thread is a new kernel task");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void nativeIdsOfLiveThreadsAreDistinctKernelTasksOfThisProcess() {
        int n = 8;
        NativeLock gate = new NativeLock();
        gate.acquire();
        List<ThreadHandle> handles = new ArrayList<>();
        long[] seen = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                int slot = i;
                handles.add(NativeThread.startJoinableThread(() -> {
                    seen[slot] = procTid();
                    gate.acquire();  // stay alive until every thread has been looked at
                    gate.release();
                }));
            }
            Set<Long> ids = new HashSet<>();
            for (ThreadHandle h : handles) {
                assertTrue(ThreadHelpers.osThreadExists(h.nativeId()), "/proc/self/task/" + h.nativeId());
                ids.add(h.nativeId());
            }
            assertEquals(n, ids.size(), "distinct native ids: " + ids);
        } finally {
            gate.release();
            for (ThreadHandle h : handles) join(h);
        }
        for (int i = 0; i < n; i++) assertEquals(seen[i], handles.get(i).nativeId());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theOsThreadGoesAwayAfterTheThreadEnds() {
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {});
        join(handle);
        long tid = handle.nativeId();
        ThreadHelpers.awaitTrue("/proc/self/task/" + tid + " is gone", () -> !ThreadHelpers.osThreadExists(tid));
    }

    /** The JVM's own thread dump (jcmd Thread.print) shows the thread with its name, ident,
     *  daemon flag and kernel id ("nid"). */
    @Test
    void jvmThreadDumpShowsNameIdentDaemonAndNativeId() {
        String name = "dump-me-" + System.nanoTime();
        NativeLock gate = new NativeLock();
        gate.acquire();
        Runnable waitForGate = () -> {
            gate.acquire();
            gate.release();
        };
        ThreadHandle daemon = NativeThread.builder().name(name + "-d").start(waitForGate);
        ThreadHandle user = NativeThread.builder().name(name + "-u").daemon(false).start(waitForGate);
        String dump;
        try {
            dump = ThreadHelpers.jvmThreadDump();
        } finally {
            gate.release();
            join(daemon);
            join(user);
        }
        assumeTrue(dump != null, "no DiagnosticCommand MBean in this JVM");
        checkDumpLine(dump, name + "-d", daemon, true);
        checkDumpLine(dump, name + "-u", user, false);
    }

    private static void checkDumpLine(String dump, String name, ThreadHandle handle, boolean daemon) {
        // JDK 17: "name" #18 daemon prio=5 ... nid=0x1a49 ...; JDK 19+: "name" #34 [6756] daemon prio=5 ... nid=6756 ...
        Pattern line = Pattern.compile("^\"" + Pattern.quote(name)
                + "\" #(\\d+) (?:\\[\\d+\\] )?(daemon )?prio=.*? nid=(0x[0-9a-f]+|\\d+)\\b.*$", Pattern.MULTILINE);
        Matcher m = line.matcher(dump);
        assertTrue(m.find(), () -> "no line for \"" + name + "\" in the thread dump:\n" + dump);
        assertEquals(handle.ident(), Long.parseLong(m.group(1)), m.group());
        assertEquals(daemon, m.group(2) != null, m.group());
        String nid = m.group(3);
        long nativeId = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
        assertEquals(handle.nativeId(), nativeId, m.group());
    }

    // ---- OS names ----------------------------------------------------------------------------

    /** Name → what the kernel keeps: 15 bytes of UTF-8 at most, never half a character. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "short|short",
        "exactly15bytes!|exactly15bytes!",
        "sixteen-bytes-xy|sixteen-bytes-x",
        "a-much-longer-thread-name-than-fits|a-much-longer-t",
        "abcdefghijkl\u20ac|abcdefghijkl\u20ac",        // 12 + 3 bytes = 15: fits
        "abcdefghijklm\u20ac|abcdefghijklm",             // 13 + 3: the euro sign would be cut
        "abcdefghijklmn\u20ac|abcdefghijklmn",           // 14 + 3: ditto
        "abcdefghijkl\u20acxyz|abcdefghijkl\u20ac",
        "abcdefghijk\ud83d\ude00|abcdefghijk\ud83d\ude00",  // 11 + 4 (a supplementary character) = 15
        "abcdefghijkl\ud83d\ude00|abcdefghijkl",            // 12 + 4
        "abcdefghijklmn\ud83d\ude00|abcdefghijklmn",        // 14 + 4
        "\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df\u00e9|\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df",  // 2-byte chars
        "\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac|\u20ac\u20ac\u20ac\u20ac\u20ac",  // 18 bytes: 5 whole euros
        "lone\ud800surrogate|lone?surrogate",  // not encodable: replaced, as CPython's "replace" does
    })
    @EnabledOnOs(OS.LINUX)
    void setNameShowsInProcCommTruncatedAtACharacterBoundary(String name, String expected) {
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        assertTrue(want.length <= 15);
        callIn(() -> {
            long tid = procTid();
            NativeThread.setName(name);
            assertArrayEquals(want, procComm(), "/proc/thread-self/comm");
            assertArrayEquals(want, ThreadHelpers.procComm(tid), "/proc/self/task/" + tid + "/comm");
            assertEquals(expected, NativeThread.getName(), "getName() agrees with the kernel");
            assertEquals(new String(procComm(), StandardCharsets.UTF_8), NativeThread.getName());
            return null;
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "worker|worker",
        "sixteen-bytes-xy|sixteen-bytes-x",
        "abcdefghijklmn\u20ac|abcdefghijklmn",
        "abcdefghijkl\ud83d\ude00|abcdefghijkl",
        "pool-1-\u00fcber-l\u00e4nge-thread-7|pool-1-\u00fcber-l",  // 7 + 2 + 5 + 2 = 16: the a-umlaut is cut
    })
    @EnabledOnOs(OS.LINUX)
    void builderNameIsTheJavaNameAndTheTruncatedOsName(String name, String expected) {
        byte[] want = expected.getBytes(StandardCharsets.UTF_8);
        NativeLock gate = new NativeLock();
        gate.acquire();
        String[] seen = new String[2];
        byte[][] comm = new byte[1][];
        ThreadHandle handle = NativeThread.builder().name(name).start(() -> {
            seen[0] = Thread.currentThread().getName();
            seen[1] = NativeThread.getName();
            comm[0] = procComm();
            gate.acquire();
        });
        try {
            // seen from outside the thread too, while it lives
            assertArrayEquals(want, ThreadHelpers.procComm(handle.nativeId()), "/proc/self/task/<tid>/comm");
        } finally {
            gate.release();
            join(handle);
        }
        assertEquals(name, seen[0], "Java name is the full name");
        assertArrayEquals(want, comm[0], "/proc/thread-self/comm");
        assertEquals(expected, seen[1], "getName()");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void defaultNameIsNativeThreadNAndTheOsNameIsItsPrefix() {
        String[] seen = callIn(() -> new String[] {Thread.currentThread().getName(), NativeThread.getName(),
                new String(procComm(), StandardCharsets.UTF_8)});
        assertTrue(seen[0].matches("NativeThread-\\d+"), seen[0]);
        String os = seen[0].length() > 15 ? seen[0].substring(0, 15) : seen[0];
        assertEquals(os, seen[2], "/proc/thread-self/comm");
        assertEquals(os, seen[1], "getName()");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void setNameChangesOnlyTheOsNameNotTheJavaName() {
        String[] seen = callIn(NativeThread.builder().name("java-name"), () -> {
            NativeThread.setName("os-name");
            return new String[] {Thread.currentThread().getName(), new String(procComm(), StandardCharsets.UTF_8)};
        });
        assertEquals("java-name", seen[0]);
        assertEquals("os-name", seen[1]);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void setNameInTheMainThread() {
        byte[] original = procComm();
        assertEquals(new String(original, StandardCharsets.UTF_8), NativeThread.getName(), "before any setName");
        String javaName = Thread.currentThread().getName();
        try {
            NativeThread.setName("m\u20ac\u20ac\u20ac\u20ac\u20ac");  // 1 + 5 * 3 = 16 bytes: the last euro is cut
            assertArrayEquals("m\u20ac\u20ac\u20ac\u20ac".getBytes(StandardCharsets.UTF_8), procComm());
            assertEquals("m\u20ac\u20ac\u20ac\u20ac", NativeThread.getName());
            assertEquals(javaName, Thread.currentThread().getName(), "the Java name is unchanged");
        } finally {
            NativeThread.setName(new String(original, StandardCharsets.UTF_8));
        }
        assertArrayEquals(original, procComm(), "restored");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void emptyName() {
        byte[] comm = callIn(() -> {
            NativeThread.setName("");
            assertEquals("", NativeThread.getName());
            return procComm();
        });
        assertEquals(0, comm.length);
    }

    // ---- stacks ------------------------------------------------------------------------------

    /** HotSpot's own floor for Java thread stacks, from a child JVM refusing a tiny -Xss ("Specify
     *  at least 136k"): minStackSize() may not be below it. */
    @Test
    void minStackSizeIsNotBelowTheJvmsOwnFloor() throws Exception {
        long min = NativeThread.minStackSize();
        assertTrue(min >= 32768, "never below 32768: " + min);
        Process p = new ProcessBuilder(ThreadHelpers.javaExecutable(), "-Xss48k", "-version").redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(readAll(in), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not end");
        Matcher m = Pattern.compile("Specify at least (\\d+)k").matcher(out);
        assumeTrue(m.find(), () -> "this JVM does not state its stack floor: " + out);
        long jvmFloor = Long.parseLong(m.group(1)) * KIB;
        assertTrue(min >= jvmFloor, "minStackSize() " + min + " < the JVM's floor " + jvmFloor);
        assertTrue(min <= jvmFloor + 64 * KIB, "minStackSize() " + min + " is far above the JVM's floor " + jvmFloor);
    }

    @Test
    void minStackSizeOnHotSpotX64IsAtLeast136KiB() {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), () -> "136 KiB is HotSpot's floor on x86_64, not on " + arch);
        String vm = System.getProperty("java.vm.name");
        assumeTrue(vm.matches(".*(HotSpot|OpenJDK).*"), () -> "136 KiB is HotSpot's floor, not " + vm + "'s");
        assertTrue(NativeThread.minStackSize() >= 136 * KIB, "minStackSize() = " + NativeThread.minStackSize());
    }

    @Test
    void aThreadAtExactlyMinStackSizeRunsJavaCode() {
        long min = NativeThread.minStackSize();
        long[] seen = callIn(NativeThread.builder().stackSize(min), () -> {
            long sum = sumTo(200);                     // some frames
            String text = String.format("%s-%d", "formatted", sum);  // library code, a lambda, an allocation
            int depth = recursionDepth();              // runs into the guard zone and recovers
            long after = sumTo(100);                   // and runs Java code again afterwards
            return new long[] {sum, text.length(), depth, after, NativeThread.currentStackSize()};
        });
        assertEquals(200 * 201 / 2, seen[0]);
        assertEquals(100 * 101 / 2, seen[3]);
        assertTrue(seen[2] > 100, "recursed only " + seen[2] + " deep");
        assertTrue(seen[4] >= min, "currentStackSize " + seen[4] + " < " + min);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void stackSizesRoundUpToThePageSize() {
        long page = ThreadHelpers.kernelPageSize();
        long min = NativeThread.minStackSize();
        assertEquals(0, min % page, "minStackSize() " + min + " is a page multiple");
        for (long request : new long[] {min, min + 1, min + page - 1, 200 * KIB + 1, 256 * KIB, 1 * MIB + 3}) {
            long size = callIn(NativeThread.builder().stackSize(request), NativeThread::currentStackSize);
            assertEquals(0, size % page, "request " + request + " -> " + size + " not a multiple of " + page);
            assertEquals((request + page - 1) / page * page, size, "request " + request);
        }
    }

    @Test
    void fourMiBStackIsAtLeastFourMiB() {
        long size = callIn(NativeThread.builder().stackSize(4 * MIB), NativeThread::currentStackSize);
        assertEquals(4 * MIB, size);
    }

    /**
     * A thread asking for 4 MiB gets 4 MiB even when a larger stack of a thread that has ended is
     * in glibc's stack cache: glibc would reuse any cached stack up to 4 times the requested size
     * (get_cached_stack in nptl/allocatestack.c), so the library maps requested stacks itself.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void fourMiBStackIsCloseToFourMiBEvenAfterABiggerThreadEnded() {
        long defaultSize = callIn(NativeThread.builder().stackSize(8 * MIB), NativeThread::currentStackSize);
        assertTrue(defaultSize >= 8 * MIB);
        AtomicLong tid = new AtomicLong();
        ThreadHandle ended = NativeThread.builder().stackSize(8 * MIB).start(() -> tid.set(NativeThread.getNativeId()));
        join(ended);
        ThreadHelpers.awaitTrue("the 8 MiB thread has exited", () -> !ThreadHelpers.osThreadExists(tid.get()));
        long size = callIn(NativeThread.builder().stackSize(4 * MIB), NativeThread::currentStackSize);
        assertEquals(4 * MIB, size, "asked for 4 MiB");
    }

    /**
     * Independent of currentStackSize(): how deep a plain recursive method gets before
     * StackOverflowError depends on the real stack. A 4 MiB thread must go far deeper than one at
     * the minimum size (whose usable part is what the JVM's guard zones leave of ~136 KiB), and
     * deeper than a 256 KiB one.
     */
    @Test
    void recursionGoesFarDeeperOnABiggerStack() {
        for (int i = 0; i < 5; i++) recursionDepth();  // warm up: the same compiled code everywhere
        long min = NativeThread.minStackSize();
        long[] atMin = callIn(NativeThread.builder().stackSize(min), NativeFactsTest::depthAndStack);
        long[] at256k = callIn(NativeThread.builder().stackSize(256 * KIB), NativeFactsTest::depthAndStack);
        long[] at4m = callIn(NativeThread.builder().stackSize(4 * MIB), NativeFactsTest::depthAndStack);
        String depths = "depth/stack: min " + atMin[0] + "/" + atMin[1] + ", 256 KiB " + at256k[0] + "/" + at256k[1]
                + ", 4 MiB " + at4m[0] + "/" + at4m[1];
        assertTrue(atMin[0] > 100, depths);
        assertTrue(at4m[0] > 4 * atMin[0], depths);
        // glibc may give the 256 KiB request a cached stack of up to 1 MiB: still far less than 4 MiB
        assertTrue(at4m[0] > 2 * at256k[0], depths);
        if (at256k[1] == 256 * KIB && at4m[1] == 4 * MIB) {  // the usual case: both got what they asked for
            assertTrue(at4m[0] > 4 * at256k[0], depths);
        }
    }

    private static long[] depthAndStack() {
        return new long[] {recursionDepth(), NativeThread.currentStackSize()};
    }

    /** Size 0: the platform's default, which glibc takes from the soft RLIMIT_STACK (ulimit -s). */
    @Test
    @EnabledOnOs(OS.LINUX)
    void defaultStackSizeThreadsGetThePlatformDefault() throws IOException {
        assertEquals(0, NativeThread.stackSize(), "the setting is 0 unless a test forgot to restore it");
        long size = callIn(NativeThread::currentStackSize);
        assertTrue(size >= 64 * KIB, "default stack " + size);
        for (String line : Files.readAllLines(Paths.get("/proc/self/limits"))) {
            if (!line.startsWith("Max stack size")) continue;
            String soft = line.substring("Max stack size".length()).trim().split("\\s+")[0];
            assumeTrue(soft.matches("\\d+"), "stack limit " + soft);
            long limit = Long.parseLong(soft);
            assertTrue(size >= limit && size <= cachedStackBound(limit, 4096), "default stack " + size + ", ulimit -s " + limit);
            return;
        }
        throw new AssertionError("no stack limit in /proc/self/limits");
    }

    @Test
    void stackSizeSettingAppliesToNewThreads() {
        long old = NativeThread.stackSize(512 * KIB);
        try {
            long size = callIn(NativeThread::currentStackSize);
            assertEquals(512 * KIB, size);
            long[] viaStartNew = new long[1];
            NativeLock done = new NativeLock();
            done.acquire();
            NativeThread.startNewThread(() -> {
                viaStartNew[0] = NativeThread.currentStackSize();
                done.release();
            });
            assertTrue(done.acquire(ThreadHelpers.LONG_TIMEOUT_S));
            assertEquals(512 * KIB, viaStartNew[0]);
        } finally {
            NativeThread.stackSize(old);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SAME_THREAD)  // in main
    void currentStackSizeOfTheMainThread() {
        // surefire runs the tests with -Xss1m in the JVM's main thread
        assumeTrue(Thread.currentThread().getName().equals("main"));
        long size = NativeThread.currentStackSize();
        assertTrue(size >= 512 * KIB, "main thread stack " + size);
    }

    /**
     * The largest default-size stack (size 0, from glibc) a thread may get: glibc reuses the stack
     * of an ended thread if it is at least the request and at most 4 times it, guard page included
     * (get_cached_stack in nptl/allocatestack.c).
     */
    static long cachedStackBound(long request, long page) {
        return 4 * ((request + page - 1) / page * page + page);
    }

    static long sumTo(int n) {
        return n == 0 ? 0 : n + sumTo(n - 1);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
