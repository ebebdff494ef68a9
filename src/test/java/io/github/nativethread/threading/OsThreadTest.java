// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.ThreadHelpers.KIB;
import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static io.github.nativethread.ThreadHelpers.MIB;
import static io.github.nativethread.ThreadHelpers.awaitTrue;
import static io.github.nativethread.ThreadHelpers.procComm;
import static io.github.nativethread.ThreadHelpers.procTid;
import static io.github.nativethread.ThreadHelpers.rethrow;
import static io.github.nativethread.threading.OsThreadFacts.join;
import static io.github.nativethread.threading.OsThreadFacts.linuxComm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.nativethread.ChildJvm;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.NoThreadLeftBehind;
import io.github.nativethread.ThreadError;
import io.github.nativethread.ThreadHandle;
import io.github.nativethread.ThreadHelpers;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OsThread}: CPython's {@code test_threading.ThreadTests} and {@code ThreadingExceptionTests}
 * where they apply to Java, what the contract adds (Java and OS names, daemon inheritance, exact
 * stacks, {@code activeCount()}/{@code enumerate()}), and the native facts checked against the
 * kernel (/proc) and the JVM (thread dumps, ThreadMXBean, recursion depth) on their own.
 *
 * <p>Not ported, as they do not apply here: test_ident_of_no_threading_threads and
 * test_foreign_thread (no dummy threads: enumerate() lists OsThreads only), test_old_threading_api
 * (no deprecated camelCase aliases), test_args_argument and test_boolean_target (Java passes a
 * Runnable: no args tuple, no truthiness), test_PyThreadState_SetAsyncExc, test_finalize_running_thread, test_finalize_with_trace, test_finalization_shutdown,
 * test_tstate_lock, test_shutdown_locks, test_frame_tstate_tracing, test_gettrace, test_getprofile,
 * test_locals_at_exit, test_import_from_another_thread (CPython interpreter internals),
 * the fork tests and test_is_alive_after_fork (no fork in the JVM), test_main_thread and its variants (no
 * main_thread() in this layer; the core's tests cover the main thread), SubinterpThreadingTests
 * (no subinterpreters), test_bare_raise_in_brand_new_thread (no bare raise in Java),
 * test_custom_excepthook_fail / test_original_excepthook (Java's handlers are the JVM's, tested
 * through it), test_disallow_instantiation (Java types: the compiler says).
 */
class OsThreadTest {

    @RegisterExtension
    final NoThreadLeftBehind threadCount = new NoThreadLeftBehind();

    /** A lock held by the test: threads wait for it (acquire, release) before they go on. */
    private static NativeLock closedGate() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        return gate;
    }

    private static void pass(NativeLock gate) {
        if (!gate.acquire(LONG_TIMEOUT_S)) throw new AssertionError("gate never opened");
        gate.release();
    }

    /** Runs {@code body} in an OsThread (as configured by {@code setup}), joins it and returns the
     *  result; a failure in the thread is rethrown here. */
    private static <T> T callIn(java.util.function.Consumer<OsThread> setup, Supplier<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        OsThread t = new OsThread(() -> {
            try {
                result.set(body.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        setup.accept(t);
        t.start();
        join(t);
        rethrow(failure.get());
        return result.get();
    }

    // ---- names ---------------------------------------------------------------------------------

    /** test_name / test_default_name: each thread gets a name of its own, "OsThread-…". */
    @Test
    void defaultNamesAreUniqueAndBeginWithOsThread() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            OsThread t = i % 2 == 0 ? new OsThread() : new OsThread(() -> {});
            assertTrue(t.getName().startsWith("OsThread-"), t.getName());
            assertTrue(names.add(t.getName()), "duplicate default name " + t.getName());
        }
        Set<String> subclassNames = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            OsThread t = new OsThread() {
                @Override
                public void run() {}
            };
            assertTrue(t.getName().startsWith("OsThread-"), "a subclass too: " + t.getName());
            assertTrue(subclassNames.add(t.getName()) && !names.contains(t.getName()), t.getName());
        }
    }

    /** Names made in several threads at once are unique too. */
    @Test
    void defaultNamesMadeConcurrentlyAreUnique() throws InterruptedException {
        int threads = 4, each = 500;
        Set<String> names = java.util.Collections.synchronizedSet(new HashSet<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> makers = new ArrayList<>();
        AtomicInteger duplicates = new AtomicInteger();
        for (int i = 0; i < threads; i++) {
            Thread m = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < each; j++) {
                    if (!names.add(new OsThread().getName())) duplicates.incrementAndGet();
                }
            });
            makers.add(m);
            m.start();
        }
        go.countDown();
        for (Thread m : makers) {
            m.join(60_000);
            assertFalse(m.isAlive());
        }
        assertEquals(0, duplicates.get());
        assertEquals(threads * each, names.size());
    }

    /** test_name: the name given to the constructor (or set before start) is the name. */
    @Test
    void nameFromTheConstructorOrSetName() {
        Runnable noop = () -> {};
        assertEquals("myname1", new OsThread(noop, "myname1").getName());
        OsThread t = new OsThread(noop);
        t.setName("myname2");
        assertEquals("myname2", t.getName());
        t.setName("");
        assertEquals("", t.getName(), "an empty name is a name");
        assertThrows(NullPointerException.class, () -> t.setName(null), "Java's convention for a missing value");
        assertEquals("", t.getName());
        OsThread unnamed = new OsThread(noop, null);
        assertTrue(unnamed.getName().startsWith("OsThread-"), "a null name: the default, " + unnamed.getName());
    }

    /** The name set before start() is the running thread's Java name and (truncated to 15 bytes of
     *  UTF-8, never half a character) its OS name, read from /proc independently. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "short|short",
        "exactly15bytes!|exactly15bytes!",
        "a-much-longer-thread-name-than-fits|a-much-longer-t",
        "abcdefghijklmn\u20ac|abcdefghijklmn",        // 14 + 3 bytes: the euro sign would be cut
        "pool-\u00fcber-l\u00e4nge-7|pool-\u00fcber-l\u00e4n",  // 2-byte characters: 15 bytes exactly
    })
    @EnabledOnOs(OS.LINUX)
    void nameBeforeStartIsTheJavaNameAndTheTruncatedOsName(String name, String expectedComm) {
        byte[] want = expectedComm.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(want, linuxComm(name), "the test's own expectation");
        for (boolean viaConstructor : new boolean[] {true, false}) {
            NativeLock gate = closedGate();
            AtomicReference<String> javaName = new AtomicReference<>();
            AtomicReference<byte[]> comm = new AtomicReference<>();
            Runnable body = () -> {
                javaName.set(Thread.currentThread().getName());
                comm.set(procComm());
                pass(gate);
            };
            OsThread t;
            if (viaConstructor) {
                t = new OsThread(body, name);
            } else {
                t = new OsThread(body);
                t.setName(name);
            }
            t.start();
            try {
                assertArrayEquals(want, procComm(t.nativeId()), "/proc/self/task/<tid>/comm seen from outside");
            } finally {
                gate.release();
                join(t);
            }
            assertEquals(name, javaName.get(), "Java name inside the thread");
            assertArrayEquals(want, comm.get(), "/proc/thread-self/comm inside the thread");
            assertEquals(name, t.getName());
        }
    }

    /** setName() after start(): the Java name changes (also seen inside the thread, even when it is
     *  called the moment start() returns), the OS name does not (as CPython sets the OS name once,
     *  when the thread begins). */
    @Test
    @EnabledOnOs(OS.LINUX)
    void setNameAfterStartChangesTheJavaNameOnly() {
        for (int i = 0; i < 20; i++) {  // start() returns early in the thread's life: look for a race
            NativeLock gate = closedGate();
            AtomicReference<String> javaName = new AtomicReference<>();
            AtomicReference<byte[]> comm = new AtomicReference<>();
            OsThread t = new OsThread(() -> {
                pass(gate);
                javaName.set(Thread.currentThread().getName());
                comm.set(procComm());
            }, "before-start-" + i);
            t.start();
            t.setName("after-start-" + i);
            assertEquals("after-start-" + i, t.getName());
            gate.release();
            join(t);
            assertEquals("after-start-" + i, javaName.get(), "Java name inside the thread, round " + i);
            assertArrayEquals(linuxComm("before-start-" + i), comm.get(), "the OS name is unchanged, round " + i);
            assertEquals("after-start-" + i, t.getName(), "after the end");
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void setNameFromInsideTheThreadChangesTheJavaNameOnly() {
        AtomicReference<OsThread> self = new AtomicReference<>();
        String[] seen = callIn(t -> {
            t.setName("inside-before");
            self.set(t);
        }, () -> {
            byte[] before = procComm();
            self.get().setName("inside-renamed");
            return new String[] {Thread.currentThread().getName(), new String(before, StandardCharsets.UTF_8),
                new String(procComm(), StandardCharsets.UTF_8), self.get().getName()};
        });
        assertEquals("inside-renamed", seen[0], "Thread.currentThread().getName()");
        assertEquals("inside-before", seen[1]);
        assertEquals("inside-before", seen[2], "comm unchanged");
        assertEquals("inside-renamed", seen[3]);
    }

    /** The thread dump (JVM's threadPrint), Thread.getAllStackTraces() and ThreadMXBean all see the
     *  running thread by its name, ident (Java thread id), daemon flag and kernel id. */
    @Test
    void jvmViewsShowNameIdentDaemonAndNativeId() {
        String name = "osthread-dump-" + System.nanoTime();
        NativeLock gate = closedGate();
        OsThread daemon = new OsThread(() -> pass(gate), name + "-d");
        daemon.setDaemon(true);
        OsThread user = new OsThread(() -> pass(gate), name + "-u");
        user.setDaemon(false);
        String dump;
        Map<Thread, StackTraceElement[]> all;
        ThreadInfo[] infos;
        try {
            daemon.start();
            user.start();
            dump = ThreadHelpers.jvmThreadDump();
            all = Thread.getAllStackTraces();
            infos = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {daemon.ident(), user.ident()});
        } finally {
            gate.release();
            join(daemon);
            join(user);
        }
        for (OsThread t : new OsThread[] {daemon, user}) {
            Thread match = null;
            for (Thread th : all.keySet()) {
                if (th.getName().equals(t.getName())) {
                    assertNull(match, "two threads named " + t.getName());
                    match = th;
                }
            }
            assertNotNull(match, "Thread.getAllStackTraces() has no thread named " + t.getName());
            @SuppressWarnings("deprecation") long id = match.getId();
            assertEquals(t.ident(), id, "ident() is the Java thread id");
            assertEquals(t.isDaemon(), match.isDaemon());
        }
        assertNotNull(infos[0], "ThreadMXBean knows the daemon thread");
        assertNotNull(infos[1], "ThreadMXBean knows the user thread");
        assertEquals(daemon.getName(), infos[0].getThreadName());
        assertEquals(user.getName(), infos[1].getThreadName());
        assertTrue(infos[0].isDaemon());
        assertFalse(infos[1].isDaemon());
        assumeTrue(dump != null, "no DiagnosticCommand MBean in this JVM");
        checkDumpLine(dump, daemon);
        checkDumpLine(dump, user);
    }

    private static void checkDumpLine(String dump, OsThread t) {
        // JDK 17: "name" #18 daemon prio=5 ... nid=0x1a49 ...; JDK 19+: "name" #34 [6756] daemon prio=5 ... nid=6756 ...
        Pattern line = Pattern.compile("^\"" + Pattern.quote(t.getName())
                + "\" #(\\d+) (?:\\[\\d+\\] )?(daemon )?prio=.*? nid=(0x[0-9a-f]+|\\d+)\\b.*$", Pattern.MULTILINE);
        Matcher m = line.matcher(dump);
        assertTrue(m.find(), () -> "no line for \"" + t.getName() + "\" in the thread dump:\n" + dump);
        assertEquals(t.ident(), Long.parseLong(m.group(1)), m.group());
        assertEquals(t.isDaemon(), m.group(2) != null, m.group());
        String nid = m.group(3);
        long nativeId = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
        assertEquals(t.nativeId(), nativeId, m.group());
    }

    // ---- daemon ----------------------------------------------------------------------------------

    /** test_daemon_param, Java style: the default is the creating thread's isDaemon(), whatever kind
     *  of thread that is (a plain Java thread or an OsThread); the running thread has it. */
    @Test
    void daemonDefaultIsTheCreatingThreadsDaemonStatus() throws InterruptedException {
        for (boolean creatorDaemon : new boolean[] {true, false}) {
            AtomicReference<OsThread> made = new AtomicReference<>();
            AtomicReference<Boolean> inside = new AtomicReference<>();
            Runnable reportDaemon = () -> inside.set(Thread.currentThread().isDaemon());

            // created in a plain java.lang.Thread
            Thread creator = new Thread(() -> made.set(new OsThread(reportDaemon)));
            creator.setDaemon(creatorDaemon);
            creator.start();
            creator.join(60_000);
            assertFalse(creator.isAlive());
            assertEquals(creatorDaemon, made.get().isDaemon(), "created by a Java thread with daemon=" + creatorDaemon);
            made.get().start();
            join(made.get());
            assertEquals(creatorDaemon, inside.get(), "the running thread's isDaemon()");

            // created in an OsThread
            inside.set(null);
            OsThread outer = new OsThread(() -> made.set(new OsThread(reportDaemon)));
            outer.setDaemon(creatorDaemon);
            outer.start();
            join(outer);
            assertEquals(creatorDaemon, made.get().isDaemon(), "created by an OsThread with daemon=" + creatorDaemon);
            made.get().start();
            join(made.get());
            assertEquals(creatorDaemon, inside.get(), "the running thread's isDaemon()");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void setDaemonBeforeStartIsWhatTheRunningThreadIs(boolean daemon) {
        for (boolean initial : new boolean[] {true, false}) {
            boolean inside = callIn(t -> {
                t.setDaemon(initial);
                t.setDaemon(daemon);
                assertEquals(daemon, t.isDaemon());
            }, () -> Thread.currentThread().isDaemon());
            assertEquals(daemon, inside, "Thread.currentThread().isDaemon() in the thread");
        }
    }

    /** test_daemonize_active_thread: while alive and after the end. */
    @Test
    void setDaemonAfterStartIsRefused() {
        NativeLock gate = closedGate();
        OsThread t = new OsThread(() -> pass(gate));
        t.setDaemon(true);
        t.start();
        try {
            for (boolean d : new boolean[] {true, false}) {
                ThreadError e = assertThrows(ThreadError.class, () -> t.setDaemon(d));
                assertEquals("cannot set daemon status of active thread", e.getMessage());
            }
            assertTrue(t.isDaemon(), "unchanged");
        } finally {
            gate.release();
            join(t);
        }
        ThreadError e = assertThrows(ThreadError.class, () -> t.setDaemon(false));
        assertEquals("cannot set daemon status of active thread", e.getMessage());
        assertTrue(t.isDaemon());
    }

    /** A non-daemon OsThread (the default in the main thread) keeps the JVM alive after main()
     *  returned, until it ends (CPython's test_join_nondaemon_on_shutdown and
     *  ThreadJoinOnShutdown.test_1_join_on_shutdown). */
    @Test
    void aNonDaemonOsThreadKeepsTheJvmAlive() throws Exception {
        ChildJvm child = new ChildJvm(OsThreadChild.class.getName(), "default");
        try {
            child.awaitLine("main has ended");
            assertTrue(child.lines.contains("daemon=false"), () -> "the default in main: " + child.lines);
            assertTrue(child.lines.indexOf("main returns") < child.lines.indexOf("main has ended"), () -> child.lines.toString());
            // main() has returned and the main thread has ended: only our thread keeps the JVM alive
            assertTrue(child.process.isAlive(), "the JVM did not wait for the non-daemon OsThread");
            child.send("go");
            assertEquals(0, child.finish(), () -> child.lines.toString());
        } finally {
            child.process.destroyForcibly();
        }
        assertTrue(child.lines.contains("stdin: go"), () -> child.lines.toString());
        assertEquals("thread ends, daemon=false", child.lines.get(child.lines.size() - 1), () -> child.lines.toString());
    }

    @Test
    void aDaemonOsThreadDoesNotKeepTheJvmAlive() throws Exception {
        long t0 = System.nanoTime();
        ChildJvm child = new ChildJvm(OsThreadChild.class.getName(), "daemon");
        try {
            assertEquals(0, child.finish(), () -> child.lines.toString());
        } finally {
            child.process.destroyForcibly();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(child.lines.contains("daemon=true"), () -> child.lines.toString());
        assertTrue(child.lines.contains("main returns"), () -> child.lines.toString());
        assertFalse(child.lines.contains("daemon thread ends"), () -> child.lines.toString());
        assertTrue(seconds < 60, "the child ran " + seconds + " s: did it wait for the daemon thread?");
    }

    // ---- stacks ----------------------------------------------------------------------------------

    /** 0 (the default) means NativeThread.stackSize() at start(): not at construction. */
    @Test
    void defaultStackSizeIsTheSettingAtStart() {
        OsThread t = new OsThread(() -> {});
        assertEquals(0, t.getStackSize());
        assertEquals(0, NativeThread.stackSize(), "a test forgot to restore the setting");
        long[] seen = new long[1];
        OsThread probe = new OsThread(() -> seen[0] = NativeThread.currentStackSize());
        long old = NativeThread.stackSize(768 * KIB);
        try {
            probe.start();
        } finally {
            NativeThread.stackSize(old);
        }
        join(probe);
        assertEquals(768 * KIB, seen[0], "the setting at start()");
        assertEquals(0, probe.getStackSize(), "getStackSize() still says 0: the default");
    }

    @ParameterizedTest
    @ValueSource(longs = {256 * KIB, 1 * MIB, 4 * MIB})
    void setStackSizeGivesExactlyThatStack(long size) {
        long old = NativeThread.stackSize(2 * MIB);  // a different setting must not matter
        try {
            long seen = callIn(t -> {
                t.setStackSize(size);
                assertEquals(size, t.getStackSize());
            }, NativeThread::currentStackSize);
            assertEquals(size, seen);
        } finally {
            NativeThread.stackSize(old);
        }
    }

    @Test
    void theMinimumStackSizeRunsJavaCode() {
        long min = NativeThread.minStackSize();
        long[] seen = callIn(t -> t.setStackSize(min), () -> new long[] {
            String.format("%s-%d", "formatted", 42).length(), ThreadHelpers.recursionDepth(),
            NativeThread.currentStackSize()});
        assertEquals("formatted-42".length(), seen[0]);
        assertTrue(seen[1] > 100, "recursed only " + seen[1] + " deep");
        assertTrue(seen[2] >= min, "stack " + seen[2] + " < " + min);
    }

    /** The kernel's view of the stack: while the thread is blocked, its stack pointer (from
     *  /proc/self/task/tid/syscall) lies in a read-write mapping (/proc/self/maps) whose usable part
     *  below it is a little less than the requested size (the JVM's guard zones and the thread's
     *  TLS take a few pages) and never more; a PROT_NONE guard lies directly below. The platform
     *  default (8 MiB on Linux, or more) would fail this for 1 MiB, and the reverse. */
    @ParameterizedTest
    @ValueSource(longs = {1 * MIB, 4 * MIB})
    @EnabledOnOs(OS.LINUX)
    void theKernelSeesAStackOfTheRequestedSize(long size) {
        NativeLock gate = closedGate();
        OsThread t = new OsThread(() -> pass(gate));
        t.setStackSize(size);
        t.start();
        Long sp;
        List<OsThreadFacts.Mapping> maps;
        try {
            sp = ThreadHelpers.blockedStackPointer(t.nativeId());
            maps = OsThreadFacts.procMaps();
        } finally {
            gate.release();
            join(t);
        }
        assumeTrue(sp != null, "this kernel does not show /proc/<pid>/task/<tid>/syscall");
        int at = -1;
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).start <= sp && sp < maps.get(i).end) at = i;
        }
        assertTrue(at >= 0, "no mapping holds the stack pointer " + Long.toHexString(sp));
        OsThreadFacts.Mapping stack = maps.get(at);
        String where = "sp " + Long.toHexString(sp) + " in " + stack;
        assertTrue(stack.perms.startsWith("rw"), where);
        long below = sp - stack.start;
        assertTrue(below < size, "usable stack below sp " + below + " >= the requested " + size + ": " + where);
        assertTrue(below > size - 128 * KIB, "usable stack below sp " + below + " is far less than " + size + ": " + where);
        OsThreadFacts.Mapping guard = at > 0 ? maps.get(at - 1) : null;
        assertTrue(guard != null && guard.end == stack.start && guard.perms.startsWith("---"),
                "no guard directly below the stack: " + guard + " / " + where);
    }

    /** Independent of currentStackSize(): how deep a plain recursive method gets before
     *  StackOverflowError grows with the stack size asked for. */
    @Test
    void recursionGoesFarDeeperOnABiggerStack() {
        for (int i = 0; i < 5; i++) ThreadHelpers.recursionDepth();  // warm up: the same compiled code everywhere
        long min = NativeThread.minStackSize();
        int atMin = callIn(t -> t.setStackSize(min), ThreadHelpers::recursionDepth);
        int at1m = callIn(t -> t.setStackSize(1 * MIB), ThreadHelpers::recursionDepth);
        int at4m = callIn(t -> t.setStackSize(4 * MIB), ThreadHelpers::recursionDepth);
        String depths = "depths: min " + atMin + ", 1 MiB " + at1m + ", 4 MiB " + at4m;
        assertTrue(atMin > 100, depths);
        assertTrue(at1m > 4 * atMin, depths);
        assertTrue(at4m > 2 * at1m, depths);  // the exact size: theKernelSeesAStackOfTheRequestedSize
    }

    /** Validated like NativeThread.stackSize(n): the same exception and message; the value is kept. */
    @Test
    void stackSizeIsValidatedLikeNativeThreadStackSize() {
        long min = NativeThread.minStackSize();
        OsThread t = new OsThread(() -> {});
        t.setStackSize(512 * KIB);
        for (long bad : new long[] {-1, 1, 4096, 32767, min - 1, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.setStackSize(bad));
            assertTrue(e.getMessage().startsWith("size not valid"), e.getMessage());
            IllegalArgumentException core = assertThrows(IllegalArgumentException.class, () -> NativeThread.stackSize(bad));
            assertEquals(core.getMessage(), e.getMessage(), "the same message as NativeThread.stackSize(" + bad + ")");
            assertEquals(512 * KIB, t.getStackSize(), "unchanged after " + bad);
        }
        assertEquals(0, NativeThread.stackSize(), "the failed NativeThread.stackSize calls changed nothing");
        t.setStackSize(0);
        assertEquals(0, t.getStackSize());
        t.setStackSize(min);
        assertEquals(min, t.getStackSize());
    }

    /** test_recursion_limit: running out of stack in an OsThread is a StackOverflowError the thread
     *  may catch, after which it goes on; the process lives. */
    @Test
    void stackOverflowInAnOsThreadIsAnErrorItCanCatch() {
        String s = callIn(t -> t.setStackSize(NativeThread.minStackSize()), () -> {
            int depth = ThreadHelpers.recursionDepth();
            return "recovered after " + depth + ": " + String.join("-", "still", "runs");
        });
        assertTrue(s.endsWith("still-runs"), s);
    }

    // ---- start, join, isAlive --------------------------------------------------------------------

    /** test_start_thread_again: while alive, and after the end. */
    @Test
    void startTwiceIsRefused() {
        NativeLock gate = closedGate();
        AtomicInteger runs = new AtomicInteger();
        OsThread t = new OsThread(() -> {
            runs.incrementAndGet();
            pass(gate);
        });
        t.start();
        try {
            ThreadError e = assertThrows(ThreadError.class, t::start);
            assertEquals("threads can only be started once", e.getMessage());
        } finally {
            gate.release();
            join(t);
        }
        ThreadError e = assertThrows(ThreadError.class, t::start);
        assertEquals("threads can only be started once", e.getMessage());
        assertEquals(1, runs.get());
        assertFalse(t.isAlive());
    }

    /** test_joining_inactive_thread. */
    @Test
    void joinBeforeStartIsRefused() {
        OsThread t = new OsThread(() -> {});
        ThreadError e = assertThrows(ThreadError.class, t::join);
        assertEquals("cannot join thread before it is started", e.getMessage());
        e = assertThrows(ThreadError.class, () -> t.join(1));
        assertEquals("cannot join thread before it is started", e.getMessage());
        e = assertThrows(ThreadError.class, () -> t.join(0));
        assertEquals("cannot join thread before it is started", e.getMessage());
        // and it can still be started and joined afterwards
        t.start();
        join(t);
    }

    /** test_joining_current_thread: the lower-case message of CPython's threading. */
    @Test
    void joinFromTheThreadItselfIsRefused() {
        AtomicReference<OsThread> self = new AtomicReference<>();
        List<String> messages = callIn(self::set, () -> {
            List<String> m = new ArrayList<>();
            m.add(assertThrows(ThreadError.class, () -> self.get().join()).getMessage());
            m.add(assertThrows(ThreadError.class, () -> self.get().join(1)).getMessage());
            m.add(assertThrows(ThreadError.class, () -> self.get().join(0)).getMessage());
            m.add(String.valueOf(self.get().isAlive()));
            return m;
        });
        assertEquals(List.of("cannot join current thread", "cannot join current thread", "cannot join current thread", "true"),
                messages);
    }

    /** Inside its own run(), at once (start() in the starting thread may not have returned yet),
     *  a thread sees itself started: alive, its ident and native id, "started" (as CPython, whose
     *  thread sets these in its bootstrap before run()). */
    @Test
    void insideRunTheThreadSeesItselfStarted() {
        for (int i = 0; i < 20; i++) {
            AtomicReference<OsThread> self = new AtomicReference<>();
            Object[] seen = callIn(self::set, () -> new Object[] {self.get().isAlive(), self.get().ident(),
                NativeThread.getIdent(), self.get().nativeId(), NativeThread.getNativeId(), self.get().toString(),
                OsThread.enumerate().contains(self.get())});
            String what = "round " + i + ": " + java.util.Arrays.toString(seen);
            assertEquals(true, seen[0], "isAlive() in run(), " + what);
            assertEquals(seen[2], seen[1], "ident() in run(), " + what);
            assertEquals(seen[4], seen[3], "nativeId() in run(), " + what);
            assertTrue(((String) seen[5]).contains("started"), "toString() in run(), " + what);
            assertEquals(true, seen[6], "enumerate() in run(), " + what);
        }
    }

    @Test
    void joinWithATimeoutSaysWhetherTheThreadHasEnded() {
        NativeLock gate = closedGate();
        OsThread t = new OsThread(() -> pass(gate));
        t.start();
        try {
            assertFalse(t.join(0), "join(0) while running");
            long t0 = System.nanoTime();
            assertFalse(t.join(0.1), "join(0.1) while running");
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(100), "a timed-out join(0.1) waited only " + waited + " ns");
            assertTrue(t.isAlive());
        } finally {
            gate.release();
        }
        assertTrue(t.join(LONG_TIMEOUT_S));
        assertTrue(t.join(0), "joining again is fine");
        t.join();
        assertTrue(t.join(LONG_TIMEOUT_S));
        assertFalse(t.isAlive());
    }

    @Test
    void joinTimeoutsAreValidatedLikeAcquire() {
        NativeLock gate = closedGate();
        OsThread t = new OsThread(() -> pass(gate));
        t.start();
        try {
            for (double bad : new double[] {Double.NaN, -2, -0.5, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                NativeThread.TIMEOUT_MAX * 2}) {
                assertThrows(IllegalArgumentException.class, () -> t.join(bad), "join(" + bad + ")");
                NativeLock lock = new NativeLock();
                IllegalArgumentException core = assertThrows(IllegalArgumentException.class, () -> lock.acquire(bad));
                IllegalArgumentException mine = assertThrows(IllegalArgumentException.class, () -> t.join(bad));
                assertEquals(core.getMessage(), mine.getMessage(), "the message of NativeLock.acquire(" + bad + ")");
            }
            assertTrue(t.isAlive());
        } finally {
            gate.release();
        }
        assertTrue(t.join(-1), "-1: no limit");
        assertFalse(t.isAlive());
    }

    /** Joined from several threads at once: all return once it ends. */
    @Test
    void manyJoinersAllWake() {
        NativeLock gate = closedGate();
        OsThread target = new OsThread(() -> pass(gate));
        target.start();
        List<OsThread> joiners = new ArrayList<>();
        AtomicInteger joined = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            OsThread j = new OsThread(() -> {
                if (target.join(LONG_TIMEOUT_S)) joined.incrementAndGet();
            });
            joiners.add(j);
            j.start();
        }
        gate.release();
        for (OsThread j : joiners) join(j);
        assertEquals(5, joined.get());
    }

    /** isAlive(): false before start; true from start() returning (even before run() began, as the
     *  thread may not have run yet); false once run() has returned, without a join. */
    @Test
    void isAliveFollowsTheLifecycle() {
        for (int i = 0; i < 20; i++) {
            NativeLock gate = closedGate();
            OsThread t = new OsThread(() -> pass(gate));
            assertFalse(t.isAlive(), "before start");
            t.start();
            assertTrue(t.isAlive(), "right after start");
            gate.release();
            awaitTrue("isAlive() turns false without a join", () -> !t.isAlive());
            assertTrue(t.join(0), "a thread that is not alive any more joins at once");
        }
    }

    /** ident()/nativeId(): 0 before start, from start() on what the thread itself sees, and kept
     *  after the end; the native id is a real kernel task of this process while the thread lives. */
    @Test
    void identAndNativeIdAreWhatTheThreadSees() {
        NativeLock gate = closedGate();
        long[] inside = new long[4];
        OsThread t = new OsThread(() -> {
            inside[0] = NativeThread.getIdent();
            inside[1] = NativeThread.getNativeId();
            @SuppressWarnings("deprecation") long id = Thread.currentThread().getId();
            inside[2] = id;
            pass(gate);
        });
        assertEquals(0, t.ident());
        assertEquals(0, t.nativeId());
        t.start();
        long ident = t.ident(), nativeId = t.nativeId();  // at once, before the thread may have run
        try {
            assertNotEquals(0, ident);
            assertNotEquals(0, nativeId);
            assertNotEquals(NativeThread.getIdent(), ident);
            assertNotEquals(NativeThread.getNativeId(), nativeId);
        } finally {
            gate.release();
            join(t);
        }
        assertEquals(inside[0], ident, "ident() vs NativeThread.getIdent() inside");
        assertEquals(inside[1], nativeId, "nativeId() vs NativeThread.getNativeId() inside");
        assertEquals(inside[2], ident, "ident() is the Java thread id");
        assertEquals(ident, t.ident(), "kept after the end");
        assertEquals(nativeId, t.nativeId(), "kept after the end");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void nativeIdIsTheKernelTid() {
        NativeLock gate = closedGate();
        long[] tid = new long[1];
        OsThread t = new OsThread(() -> {
            tid[0] = procTid();
            pass(gate);
        });
        t.start();
        try {
            assertTrue(ThreadHelpers.osThreadExists(t.nativeId()), "/proc/self/task/" + t.nativeId() + " while alive");
        } finally {
            gate.release();
            join(t);
        }
        assertEquals(tid[0], t.nativeId(), "nativeId() vs /proc/thread-self in the thread");
        assertNotEquals(procTid(), t.nativeId());
        awaitTrue("/proc/self/task/" + t.nativeId() + " goes away", () -> !ThreadHelpers.osThreadExists(t.nativeId()));
    }

    /** test_various_ops: ten threads (a subclass overriding run()), at most three inside a
     *  BoundedSemaphore(3) at once; idents and native ids distinct (with the test thread's native
     *  id); toString initial / stopped. Also with small and large stack settings
     *  (test_various_ops_small_stack / _large_stack). */
    @ParameterizedTest
    @ValueSource(longs = {0, 256 * KIB, 1 * MIB})
    void variousOps(long stackSetting) {
        long old = NativeThread.stackSize(stackSetting);
        try {
            int numTasks = 10;
            BoundedSemaphore sema = new BoundedSemaphore(3);
            NativeRLock mutex = new NativeRLock();
            AtomicInteger running = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<OsThread> threads = new ArrayList<>();
            for (int i = 0; i < numTasks; i++) {
                OsThread t = new OsThread() {
                    @Override
                    public void run() {
                        try (NativeLock.Hold s = sema.hold()) {
                            try (NativeLock.Hold m = mutex.hold()) {
                                int now = running.incrementAndGet();
                                if (now > 3) failures.add(new AssertionError(now + " tasks inside a BoundedSemaphore(3)"));
                            }
                            Thread.yield();
                            try (NativeLock.Hold m = mutex.hold()) {
                                if (running.decrementAndGet() < 0) failures.add(new AssertionError("negative count"));
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                };
                t.setName("<thread " + i + ">");
                threads.add(t);
                assertEquals(0, t.ident());
                assertTrue(t.toString().contains("initial"), t.toString());
                t.start();
            }
            Set<Long> nativeIds = new HashSet<>();
            Set<Long> idents = new HashSet<>();
            nativeIds.add(NativeThread.getNativeId());
            for (OsThread t : threads) {
                nativeIds.add(t.nativeId());
                idents.add(t.ident());
            }
            for (OsThread t : threads) {
                join(t);
                assertNotEquals(0, t.ident());
                assertTrue(t.toString().contains("stopped"), t.toString());
            }
            assertEquals(numTasks + 1, nativeIds.size(), "distinct native ids: " + nativeIds);
            assertEquals(numTasks, idents.size(), "distinct idents: " + idents);
            assertEquals(0, running.get());
            if (!failures.isEmpty()) rethrow(failures.peek());
        } finally {
            NativeThread.stackSize(old);
        }
    }

    // ---- activeCount() and enumerate() -----------------------------------------------------------

    @Test
    void activeCountAndEnumerateListStartedAliveOsThreadsOnly() {
        awaitTrue("no OsThread of an earlier test is alive (" + OsThread.enumerate() + ")", () -> OsThread.activeCount() == 0);
        NativeLock gate = closedGate();
        OsThread notStarted = new OsThread(() -> {});
        List<OsThread> mine = new ArrayList<>();
        ThreadHandle coreThread = NativeThread.builder().start(() -> pass(gate));  // not an OsThread
        AtomicReference<List<OsThread>> seenInside = new AtomicReference<>();
        try {
            assertEquals(0, OsThread.activeCount(), "neither the test thread nor a core thread counts");
            assertEquals(List.of(), OsThread.enumerate());
            for (int i = 0; i < 3; i++) {
                OsThread t = new OsThread(() -> pass(gate));
                mine.add(t);
                t.start();
            }
            OsThread reporter = new OsThread(() -> seenInside.set(OsThread.enumerate()));
            mine.add(reporter);
            reporter.start();
            join(reporter);
            assertEquals(3, OsThread.activeCount());
            List<OsThread> listed = OsThread.enumerate();
            assertEquals(3, listed.size(), listed::toString);
            assertEquals(new HashSet<>(mine.subList(0, 3)), new HashSet<>(listed));
            assertFalse(listed.contains(notStarted));
            assertFalse(listed.contains(reporter), "ended");
            assertTrue(seenInside.get().contains(reporter), "a thread is listed while its run() runs");
            assertEquals(4, seenInside.get().size(), () -> seenInside.get().toString());
        } finally {
            gate.release();
            for (OsThread t : mine) join(t);
            assertTrue(coreThread.join(LONG_TIMEOUT_S));
        }
        assertEquals(0, OsThread.activeCount(), "after run() returned");
        assertEquals(List.of(), OsThread.enumerate());
    }

    /** test_enumerate_after_join: a joined thread is never listed any more. */
    @Test
    void enumerateAfterJoin() {
        for (int i = 0; i < 100; i++) {
            OsThread t = new OsThread(() -> {});
            t.start();
            t.join();
            List<OsThread> listed = OsThread.enumerate();
            assertFalse(listed.contains(t), "listed after join, round " + i + ": " + listed);
            assertFalse(t.isAlive());
        }
    }

    /** test_limbo_cleanup: a start() that fails (here the OS refuses a 2^50-byte stack) leaves no
     *  trace: not alive, not listed, not counted. */
    @Test
    void aFailedStartLeavesNoTrace() {
        int count = NativeThread.count();
        int active = OsThread.activeCount();
        AtomicBoolean ran = new AtomicBoolean();
        OsThread t = new OsThread(() -> ran.set(true));
        t.setStackSize(1L << 50);
        assertThrows(ThreadError.class, t::start);
        assertFalse(t.isAlive());
        assertFalse(OsThread.enumerate().contains(t), "left in enumerate()");
        assertEquals(active, OsThread.activeCount());
        assertEquals(count, NativeThread.count());
        assertFalse(ran.get());
        assertFalse(t.toString().contains("started"), t.toString());
    }

    // ---- toString ----------------------------------------------------------------------------------

    private static void assertState(String expected, OsThread t) {
        String s = t.toString();
        assertTrue(s.contains(t.getName()), s);
        for (String state : new String[] {"initial", "started", "stopped"}) {
            assertEquals(state.equals(expected), s.contains(state), () -> "expected " + expected + ": " + s);
        }
        assertEquals(t.isDaemon(), s.contains("daemon"), s);
    }

    /** test_repr_stopped and test_repr_daemon: "stopped" appears on its own once run() has
     *  returned, without a join. */
    @Test
    void toStringShowsNameStateAndDaemon() {
        for (boolean daemon : new boolean[] {false, true}) {
            NativeLock started = closedGate();
            NativeLock finish = closedGate();
            OsThread t = new OsThread(() -> {
                started.release();
                pass(finish);
            }, "repr-me-" + daemon);
            t.setDaemon(daemon);
            assertState("initial", t);
            t.start();
            assertState("started", t);
            assertTrue(started.acquire(LONG_TIMEOUT_S));
            assertState("started", t);
            finish.release();
            awaitTrue("toString says stopped without a join: " + t, () -> t.toString().contains("stopped"));
            assertState("stopped", t);
            join(t);
            assertState("stopped", t);
        }
        OsThread plain = new OsThread();
        plain.setDaemon(false);
        assertFalse(plain.toString().contains("daemon"), plain.toString());
        plain.setDaemon(true);
        assertTrue(plain.toString().contains("daemon"), plain.toString());
    }

    @Test
    void toStringOfARenamedThreadHasTheNewName() {
        OsThread t = new OsThread(() -> {}, "old-name");
        t.setName("new-name");
        assertTrue(t.toString().contains("new-name"), t.toString());
        assertFalse(t.toString().contains("old-name"), t.toString());
    }

    // ---- run(), target, subclass -------------------------------------------------------------------

    @Test
    void runCallsTheTargetInTheNewThread() {
        AtomicReference<Thread> ranIn = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        OsThread t = new OsThread(() -> {
            calls.incrementAndGet();
            ranIn.set(Thread.currentThread());
        });
        t.start();
        join(t);
        assertEquals(1, calls.get());
        assertNotSame(Thread.currentThread(), ranIn.get());
        @SuppressWarnings("deprecation") long id = ranIn.get().getId();
        assertEquals(t.ident(), id);
    }

    /** run() is an ordinary method: called directly (not started), it calls the target in the caller. */
    @Test
    void runCalledDirectlyCallsTheTargetInTheCaller() {
        AtomicReference<Thread> ranIn = new AtomicReference<>();
        OsThread t = new OsThread(() -> ranIn.set(Thread.currentThread()));
        t.run();
        assertSame(Thread.currentThread(), ranIn.get());
        assertFalse(t.isAlive());
        assertEquals(0, t.ident());
    }

    @Test
    void withoutATargetRunDoesNothing() {
        OsThread t = new OsThread();
        t.run();
        t.start();
        join(t);
        OsThread named = new OsThread(null, "no-target");
        named.start();
        join(named);
    }

    @Test
    void aSubclassOverridesRun() {
        class Counter extends OsThread {
            int runs;
            String name;

            Counter(AtomicBoolean targetCalled) {
                super(() -> targetCalled.set(true));
            }

            @Override
            public void run() {
                runs++;
                name = Thread.currentThread().getName();
            }
        }
        AtomicBoolean targetCalled = new AtomicBoolean();
        Counter c = new Counter(targetCalled);
        c.setName("counter-subclass");
        c.start();
        join(c);
        assertEquals(1, c.runs);
        assertEquals("counter-subclass", c.name);
        assertFalse(targetCalled.get(), "the target is not called when run() is overridden");
        assertTrue(c.toString().contains("counter-subclass"), c.toString());
    }

    @Test
    void threadLocalsAreTheThreadsOwn() {
        ThreadLocal<String> local = ThreadLocal.withInitial(() -> "initial");
        local.set("test thread");
        String[] seen = callIn(t -> {}, () -> {
            String before = local.get();
            local.set("osthread");
            return new String[] {before, local.get()};
        });
        assertEquals("initial", seen[0]);
        assertEquals("osthread", seen[1]);
        assertEquals("test thread", local.get());
    }

    // ---- exceptions ------------------------------------------------------------------------------

    /** test_custom_excepthook: the default handler gets the running Thread and the very exception,
     *  before join() returns. */
    @Test
    void anExceptionGoesToTheDefaultUncaughtExceptionHandler() {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        RuntimeException boom = new IllegalStateException("run failed");
        ConcurrentLinkedQueue<Object[]> handled = new ConcurrentLinkedQueue<>();
        AtomicReference<Thread> self = new AtomicReference<>();
        OsThread t = new OsThread(() -> {
            self.set(Thread.currentThread());
            throw boom;
        }, "excepthook thread");
        try {
            Thread.setDefaultUncaughtExceptionHandler((th, e) -> handled.add(new Object[] {th, e, Thread.currentThread()}));
            t.start();
            join(t);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertEquals(1, handled.size(), "the handler ran once, before join returned");
        Object[] h = handled.peek();
        assertSame(self.get(), h[0], "the thread that failed");
        assertSame(boom, h[1]);
        assertSame(self.get(), h[2], "the handler ran in the failing thread");
        assertEquals("excepthook thread", ((Thread) h[0]).getName());
        assertFalse(t.isAlive());
        assertTrue(t.toString().contains("stopped"), t.toString());
    }

    /** A handler set inside run() (the thread's own) gets it; a subclass's run() that throws too. */
    @Test
    void anExceptionGoesToTheThreadsOwnHandler() {
        AtomicReference<Throwable> handled = new AtomicReference<>();
        AtomicReference<Thread> handledThread = new AtomicReference<>();
        Error error = new AssertionError("an Error too");
        OsThread t = new OsThread() {
            @Override
            public void run() {
                Thread.currentThread().setUncaughtExceptionHandler((th, e) -> {
                    handledThread.set(th);
                    handled.set(e);
                });
                throw error;
            }
        };
        t.start();
        join(t);
        assertSame(error, handled.get());
        @SuppressWarnings("deprecation") long id = handledThread.get().getId();
        assertEquals(t.ident(), id);
        assertEquals(t.getName(), handledThread.get().getName());
    }

    /** The handler set on the OsThread before start() (this implementation's addition) is the
     *  running thread's own: it gets the exception, the JVM's default handler does not. */
    @Test
    void aHandlerSetOnTheOsThreadBeforeStartGetsIt() {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        AtomicReference<Throwable> mine = new AtomicReference<>();
        AtomicReference<Thread> mineThread = new AtomicReference<>();
        AtomicBoolean defaultCalled = new AtomicBoolean();
        RuntimeException boom = new UnsupportedOperationException("to the OsThread's handler");
        OsThread t = new OsThread(() -> {
            throw boom;
        }, "own-handler");
        Thread.UncaughtExceptionHandler h = (th, e) -> {
            mineThread.set(th);
            mine.set(e);
        };
        t.setUncaughtExceptionHandler(h);
        assertSame(h, t.getUncaughtExceptionHandler());
        try {
            Thread.setDefaultUncaughtExceptionHandler((th, e) -> defaultCalled.set(true));
            t.start();
            join(t);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertSame(boom, mine.get());
        assertEquals("own-handler", mineThread.get().getName());
        assertFalse(defaultCalled.get());
    }

    /** test_print_exception / test_excepthook: with no handler set, the JVM prints
     *  "Exception in thread "name"" and the stack trace; the thread ends, others go on. */
    @Test
    void withoutHandlersTheJvmPrintsTheException() {
        String marker = "osthread-printed-" + System.nanoTime();
        String err = ThreadHelpers.captureStderr(() -> {
            OsThread t = new OsThread(() -> {
                throw new IllegalStateException(marker);
            }, "printing-osthread");
            t.start();
            join(t);
        });
        assertTrue(err.contains("Exception in thread \"printing-osthread\""), err);
        assertTrue(err.contains("java.lang.IllegalStateException: " + marker), err);
        assertTrue(err.contains("\tat "), "a stack trace: " + err);
        assertEquals(42, (int) callIn(t -> {}, () -> 42), "threads still run");
    }

    /** test_system_exit: NativeThread.exit() (ThreadExit) ends the thread silently: no handler, no
     *  output, code after it does not run, finally blocks do. */
    @Test
    void threadExitEndsTheThreadSilently() {
        AtomicBoolean handlerCalled = new AtomicBoolean();
        AtomicBoolean afterExit = new AtomicBoolean();
        AtomicBoolean finallyRan = new AtomicBoolean();
        OsThread[] threads = new OsThread[2];
        String err = ThreadHelpers.captureStderr(() -> {
            Thread.setDefaultUncaughtExceptionHandler((th, e) -> handlerCalled.set(true));
            threads[0] = new OsThread(() -> {
                try {
                    NativeThread.exit();
                    afterExit.set(true);
                } finally {
                    finallyRan.set(true);
                }
            });
            threads[1] = new OsThread() {
                @Override
                public void run() {
                    Thread.currentThread().setUncaughtExceptionHandler((th, e) -> handlerCalled.set(true));
                    NativeThread.exit();
                }
            };
            for (OsThread t : threads) {
                t.start();
                join(t);
            }
        });
        assertEquals("", err);
        assertFalse(handlerCalled.get(), "ThreadExit reached an uncaught-exception handler");
        assertFalse(afterExit.get());
        assertTrue(finallyRan.get());
        for (OsThread t : threads) assertTrue(t.toString().contains("stopped"), t.toString());
    }

    // ---- memory ordering ---------------------------------------------------------------------------

    /** Plain (non-volatile) fields. */
    private static final class Box {
        int before;
        int seenBefore;
        int[] written;
    }

    /** Everything before start() happens-before run(); everything in run() happens-before join()
     *  returns, a join(t) that returns true, and an isAlive() that returns false. */
    @Test
    void startAndEndOfTheThreadOrderMemory() {
        for (int round = 0; round < 300; round++) {
            Box box = new Box();
            int value = round + 1;
            OsThread t = new OsThread(() -> {
                box.seenBefore = box.before;
                int[] a = new int[64];
                for (int i = 0; i < a.length; i++) a[i] = value + i;
                box.written = a;
            });
            box.before = value;
            t.start();
            switch (round % 3) {
                case 0:
                    t.join();
                    break;
                case 1:
                    assertTrue(t.join(LONG_TIMEOUT_S));
                    break;
                default:
                    awaitTrue("isAlive() false", () -> !t.isAlive());
                    break;
            }
            assertEquals(value, box.seenBefore, "a write before start() was not seen in run(), round " + round);
            assertNotNull(box.written, "a write in run() was not seen after the end, round " + round);
            for (int i = 0; i < 64; i++) assertEquals(value + i, box.written[i]);
        }
    }

    // ---- many threads, leaks -----------------------------------------------------------------------

    /** 200 threads alive at once, then joined: the library's count and activeCount() are back to
     *  before (test_multithread_modify_file_noerror's 100 threads, more). */
    @Test
    void manyThreadsStartAndEnd() {
        int n = 200;
        int active = OsThread.activeCount();
        NativeLock gate = closedGate();
        AtomicInteger ran = new AtomicInteger();
        List<OsThread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                OsThread t = new OsThread(() -> {
                    ran.incrementAndGet();
                    pass(gate);
                });
                t.setStackSize(256 * KIB);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            assertEquals(active + n, OsThread.activeCount());
            assertTrue(NativeThread.count() >= threadCount.atStart() + n);
        } finally {
            gate.release();
            for (OsThread t : threads) join(t);
        }
        assertEquals(n, ran.get());
        assertEquals(active, OsThread.activeCount());
        awaitTrue("NativeThread.count() back to " + threadCount.atStart(), () -> NativeThread.count() == threadCount.atStart());
        Set<Long> idents = new HashSet<>();
        for (OsThread t : threads) idents.add(t.ident());
        assertEquals(n, idents.size());
    }

    /** test_no_refcycle_through_target / test_leak_without_join: once a thread has ended (joined
     *  or not, ended normally or by an exception), nothing of the library keeps it or its target
     *  reachable. */
    @Test
    void anEndedThreadAndItsTargetCanBeCollected() {
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int kind = 0; kind < 3; kind++) startAndForget(kind, refs);
        awaitTrue("NativeThread.count() back to " + threadCount.atStart(), () -> NativeThread.count() <= threadCount.atStart());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (refs.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.yield();
        }
        for (int i = 0; i < refs.size(); i++) {
            assertNull(refs.get(i).get(), "still reachable: " + new String[] {"OsThread", "target", "payload"}[i % 3]
                    + " of case " + i / 3 + " (0 joined, 1 ThreadExit, 2 not joined)");
        }
    }

    /** Starts a thread and lets it end; only weak references to it, its target and what the
     *  target holds leave this frame. */
    private static void startAndForget(int kind, List<WeakReference<Object>> refs) {
        Object payload = new byte[1024];
        boolean exit = kind == 1;
        Runnable target = new Runnable() {
            final Object held = payload;

            @Override
            public void run() {
                assertNotNull(held);
                if (exit) NativeThread.exit();
            }
        };
        OsThread t = new OsThread(target);
        refs.add(new WeakReference<>(t));
        refs.add(new WeakReference<>(target));
        refs.add(new WeakReference<>(payload));
        t.start();
        if (kind != 2) {
            join(t);
        } else {
            awaitTrue("the thread ended", () -> !t.isAlive());
        }
    }

    /** A thread's life at a glance, over and over: never listed when not alive, always when alive. */
    @Test
    void aliveAndListedAgree() {
        for (int i = 0; i < 50; i++) {
            NativeLock gate = closedGate();
            OsThread t = new OsThread(() -> pass(gate));
            t.start();
            assertTrue(OsThread.enumerate().contains(t));
            gate.release();
            join(t);
            assertFalse(OsThread.enumerate().contains(t));
        }
    }
}
