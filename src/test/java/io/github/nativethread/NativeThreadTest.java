// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static io.github.nativethread.ThreadHelpers.awaitTrue;
import static io.github.nativethread.ThreadHelpers.callIn;
import static io.github.nativethread.ThreadHelpers.captureStderr;
import static io.github.nativethread.ThreadHelpers.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Threads as Java sees them: idents, handles, joins, counts, daemons, exceptions, and the JVM's view. */
class NativeThreadTest {

    @RegisterExtension
    final NoThreadLeftBehind threadCount = new NoThreadLeftBehind();

    // ---- idents ------------------------------------------------------------------------------

    @Test
    void startNewThreadReturnsTheIdentTheThreadSees() throws InterruptedException {
        AtomicLong returned = new AtomicLong();
        NativeLock identKnown = new NativeLock();
        identKnown.acquire();
        CountDownLatch done = new CountDownLatch(1);
        long[] seen = new long[2];
        Thread[] thread = new Thread[1];
        long ident = NativeThread.startNewThread(() -> {
            identKnown.acquire();  // until the starter has stored what startNewThread returned
            seen[0] = NativeThread.getIdent();
            seen[1] = returned.get();
            thread[0] = Thread.currentThread();
            done.countDown();
        });
        returned.set(ident);
        identKnown.release();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertNotEquals(0, ident);
        assertEquals(ident, seen[1]);
        assertEquals(ident, seen[0], "getIdent() in the thread == startNewThread's result");
        assertNotEquals(NativeThread.getIdent(), ident);
        assertNotSame(Thread.currentThread(), thread[0]);
    }

    @Test
    void identsOfLiveThreadsAreNonzeroAndUnique() {
        int n = 16;
        NativeLock gate = new NativeLock();
        gate.acquire();
        long[] seen = new long[n];
        List<ThreadHandle> handles = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int slot = i;
                handles.add(NativeThread.startJoinableThread(() -> {
                    seen[slot] = NativeThread.getIdent();
                    gate.acquire();  // all alive at once
                    gate.release();
                }));
            }
        } finally {
            gate.release();
            for (ThreadHandle h : handles) join(h);
        }
        Set<Long> idents = new HashSet<>();
        idents.add(NativeThread.getIdent());
        for (int i = 0; i < n; i++) {
            assertNotEquals(0, seen[i]);
            assertEquals(handles.get(i).ident(), seen[i], "ThreadHandle.ident() == getIdent() in the thread");
            idents.add(seen[i]);
        }
        assertEquals(n + 1, idents.size(), "unique: " + Arrays.toString(seen));
    }

    /**
     * A thread whose function ends at once may be over before its starter has looked at the
     * thread's ident: startNewThread and the handle must still return the right one. (The JNI glue
     * once read the ident from memory that the ended thread had already freed: about 3 in 100
     * such threads got a garbage ident.)
     */
    @Test
    void identOfAThreadThatEndsAtOnceIsRight() throws InterruptedException {
        int n = 3000;
        int wrong = 0;
        String first = null;
        for (int i = 0; i < n; i++) {
            long[] seen = new long[1];
            ThreadHandle h = NativeThread.startJoinableThread(() -> seen[0] = NativeThread.getIdent());
            join(h);
            if (h.ident() != seen[0]) {
                if (wrong++ == 0) first = "handle.ident() " + h.ident() + " but the thread's ident is " + seen[0];
            }
        }
        for (int i = 0; i < n; i++) {
            AtomicLong seen = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            long ident = NativeThread.startNewThread(() -> {
                seen.set(NativeThread.getIdent());
                done.countDown();
            });
            assertTrue(done.await(60, TimeUnit.SECONDS));
            if (ident != seen.get()) {
                if (wrong++ == 0) first = "startNewThread returned " + ident + " but the thread's ident is " + seen.get();
            }
        }
        assertEquals(0, wrong, wrong + " of " + 2 * n + " idents wrong; first: " + first);
    }

    @Test
    void getIdentIsStableWithinAThread() {
        long[] seen = callIn(() -> new long[] {NativeThread.getIdent(), NativeThread.getIdent()});
        assertEquals(seen[0], seen[1]);
        assertEquals(NativeThread.getIdent(), NativeThread.getIdent());
    }

    @Test
    void mainThreadIdentIsTheJvmMainThreadEverywhere() {
        Thread jvmMain = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("main") && t.getThreadGroup() != null && t.getThreadGroup().getName().equals("main")) jvmMain = t;
        }
        assumeTrue(jvmMain != null, "no thread named main");
        @SuppressWarnings("deprecation")
        long mainId = jvmMain.getId();
        assertEquals(mainId, NativeThread.mainThreadIdent());
        long[] fromThread = callIn(() -> new long[] {NativeThread.mainThreadIdent(), NativeThread.getIdent()});
        assertEquals(mainId, fromThread[0]);
        assertNotEquals(mainId, fromThread[1]);
    }

    // ---- handles and joins -------------------------------------------------------------------

    @Test
    void joinWaitsUntilTheThreadHasEnded() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        AtomicBoolean ended = new AtomicBoolean();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            gate.acquire();
            ended.set(true);
        });
        assertFalse(handle.isDone());
        assertFalse(handle.join(0), "join(0) while running");
        gate.release();
        handle.join();
        assertTrue(ended.get());
        assertTrue(handle.isDone());
    }

    @Test
    void timedJoinIsFalseWhileRunningAndTrueAfter() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle handle = NativeThread.startJoinableThread(gate::acquire);
        try {
            long t0 = System.nanoTime();
            assertFalse(handle.join(0.05));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), "returned early: " + waited + " ns");
            assertFalse(handle.join(0));
            assertFalse(handle.isDone());
        } finally {
            gate.release();
        }
        assertTrue(handle.join(LONG_TIMEOUT_S));
        assertTrue(handle.isDone());
        assertTrue(handle.join(0), "join(0) after the end");
        assertTrue(handle.join(-1), "-1: no limit");
    }

    @Test
    void joiningTwiceAndFromSeveralThreadsIsFine() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle target = NativeThread.startJoinableThread(gate::acquire);
        List<ThreadHandle> joiners = new ArrayList<>();
        AtomicInteger joined = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            joiners.add(NativeThread.startJoinableThread(() -> {
                target.join();
                target.join();
                joined.incrementAndGet();
            }));
        }
        gate.release();
        for (ThreadHandle j : joiners) join(j);
        assertEquals(3, joined.get());
        target.join();
        target.join();
        assertTrue(target.join(1.0));
        assertTrue(target.isDone());
    }

    @Test
    void joinFromTheThreadItselfIsAnError() {
        AtomicReference<ThreadHandle> self = new AtomicReference<>();
        NativeLock handleKnown = new NativeLock();
        handleKnown.acquire();
        List<Throwable> errors = new ArrayList<>();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            handleKnown.acquire();
            ThreadHandle me = self.get();
            errors.add(catchThrowable(me::join));
            errors.add(catchThrowable(() -> me.join(1.0)));
            errors.add(catchThrowable(() -> me.join(0)));
            errors.add(catchThrowable(() -> me.join(-1)));
        });
        self.set(handle);
        handleKnown.release();
        join(handle);
        assertEquals(4, errors.size());
        for (Throwable e : errors) {
            assertNotNull(e, "self-join did not throw");
            assertSame(ThreadError.class, e.getClass(), e.toString());
            assertTrue(e.getMessage().contains("Cannot join current thread"), e.getMessage());
        }
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void handleToString() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle handle = NativeThread.startJoinableThread(gate::acquire);
        String running = handle.toString();
        gate.release();
        join(handle);
        assertTrue(running.contains(Long.toString(handle.ident())), running);
        assertNotEquals(running, handle.toString());
    }

    // ---- memory ordering ---------------------------------------------------------------------

    static final class Box {
        int plain;
        long[] array;
        String text;
    }

    @Test
    void whatTheThreadWroteIsVisibleAfterJoin() {
        for (int round = 0; round < 200; round++) {
            Box box = new Box();
            int value = round + 1;
            ThreadHandle h = NativeThread.startJoinableThread(() -> {
                box.plain = value;
                box.array = new long[] {value, value * 2L};
                box.text = "v" + value;
            });
            switch (round % 3) {
                case 0:
                    h.join();
                    break;
                case 1:
                    assertTrue(h.join(LONG_TIMEOUT_S));
                    break;
                default:
                    awaitTrue("isDone()", h::isDone);
            }
            assertEquals(value, box.plain);
            assertEquals(value * 2L, box.array[1]);
            assertEquals("v" + value, box.text);
        }
    }

    @Test
    void whatTheStarterWroteIsVisibleInTheThread() {
        Box box = new Box();
        box.plain = 42;
        box.text = "before start";
        Object[] seen = callIn(() -> new Object[] {box.plain, box.text});
        assertEquals(42, seen[0]);
        assertEquals("before start", seen[1]);
    }

    // ---- count() -----------------------------------------------------------------------------

    @Test
    void countRisesWithRunningThreadsAndFallsBackAfterJoin() {
        int before = NativeThread.count();
        int n = 10;
        NativeLock gate = new NativeLock();
        gate.acquire();
        List<ThreadHandle> handles = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                handles.add(NativeThread.startJoinableThread(() -> {
                    gate.acquire();
                    gate.release();
                }));
                assertEquals(before + i + 1, NativeThread.count());
            }
        } finally {
            gate.release();
            for (ThreadHandle h : handles) join(h);
        }
        assertEquals(before, NativeThread.count(), "after every thread was joined");
    }

    @Test
    void countCountsOnlyThisLibrarysThreads() throws InterruptedException {
        int before = NativeThread.count();
        CountDownLatch release = new CountDownLatch(1);
        Thread plain = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        plain.start();
        try {
            assertEquals(before, NativeThread.count());
        } finally {
            release.countDown();
            plain.join();
        }
    }

    @Test
    void manyThreadsOneAfterAnotherLeaveNothingBehind() {
        int before = NativeThread.count();
        AtomicInteger ran = new AtomicInteger();
        long lastTid = 0;
        for (int i = 0; i < 300; i++) {
            ThreadHandle h = NativeThread.startJoinableThread(ran::incrementAndGet);
            join(h);
            lastTid = h.nativeId();
        }
        assertEquals(300, ran.get());
        assertEquals(before, NativeThread.count());
        if (System.getProperty("os.name").startsWith("Linux")) {
            long tid = lastTid;
            awaitTrue("the last OS thread has exited", () -> !ThreadHelpers.osThreadExists(tid));
        }
    }

    @Test
    void threadsStartedConcurrentlyFromManyThreads() throws InterruptedException {
        int before = NativeThread.count();
        int starters = 4, each = 25;
        Queue<ThreadHandle> handles = new ConcurrentLinkedQueue<>();
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Set<Long> seen = java.util.Collections.synchronizedSet(new HashSet<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> javaThreads = new ArrayList<>();
        for (int s = 0; s < starters; s++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        handles.add(NativeThread.startJoinableThread(() -> seen.add(NativeThread.getIdent())));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            javaThreads.add(t);
        }
        go.countDown();
        for (Thread t : javaThreads) t.join();
        for (ThreadHandle h : handles) join(h);
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(starters * each, handles.size());
        assertEquals(starters * each, seen.size(), "distinct idents");
        assertEquals(before, NativeThread.count());
    }

    @Test
    void twoHundredLiveThreadsAtTheMinimumStack() {
        int n = 200;
        NativeLock gate = new NativeLock();
        gate.acquire();
        AtomicInteger arrived = new AtomicInteger();
        List<ThreadHandle> handles = new ArrayList<>();
        NativeThread.Builder builder = NativeThread.builder().stackSize(NativeThread.minStackSize());
        try {
            for (int i = 0; i < n; i++) {
                handles.add(builder.start(() -> {
                    arrived.incrementAndGet();
                    gate.acquire();  // all alive at once, then out one after another
                    gate.release();
                }));
            }
            assertEquals(threadCount.atStart() + n, NativeThread.count());
        } finally {
            gate.release();
            for (ThreadHandle h : handles) join(h);
        }
        assertEquals(n, arrived.get());
        assertEquals(threadCount.atStart(), NativeThread.count());
    }

    @Test
    void aNativeThreadStartsAndJoinsAnother() {
        long[] ids = callIn(() -> {
            long[] inner = new long[1];
            ThreadHandle h = NativeThread.startJoinableThread(() -> inner[0] = NativeThread.getIdent());
            h.join();
            return new long[] {NativeThread.getIdent(), inner[0], h.ident()};
        });
        assertNotEquals(ids[0], ids[1]);
        assertEquals(ids[2], ids[1]);
    }

    // ---- exceptions --------------------------------------------------------------------------

    @Test
    void anExceptionGoesToTheThreadsUncaughtExceptionHandler() {
        RuntimeException boom = new IllegalStateException("boom");
        AtomicReference<Thread> handledThread = new AtomicReference<>();
        AtomicReference<Throwable> handled = new AtomicReference<>();
        AtomicReference<Thread> self = new AtomicReference<>();
        int before = NativeThread.count();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            self.set(Thread.currentThread());
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                handledThread.set(Thread.currentThread());
                assertSame(t, Thread.currentThread());
                handled.set(e);
            });
            throw boom;
        });
        join(handle);
        assertSame(boom, handled.get(), "the handler got the exception (before join returned)");
        assertSame(self.get(), handledThread.get(), "the handler ran in the thread itself");
        assertEquals(before, NativeThread.count());
    }

    @Test
    void errorsAndCheckedExceptionsGoToTheHandlerToo() {
        List<Throwable> thrown = Arrays.asList(new AssertionError("assert"), new StackOverflowError("soe"),
                new OutOfMemoryError("oom"), new ThreadError("thread error"));
        for (Throwable t : thrown) {
            AtomicReference<Throwable> handled = new AtomicReference<>();
            join(NativeThread.startJoinableThread(() -> {
                Thread.currentThread().setUncaughtExceptionHandler((th, e) -> handled.set(e));
                if (t instanceof Error) throw (Error) t;
                throw (RuntimeException) t;
            }));
            assertSame(t, handled.get());
        }
        // a checked exception thrown sneakily
        AtomicReference<Throwable> handled = new AtomicReference<>();
        IOException checked = new IOException("checked");
        join(NativeThread.startJoinableThread(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((th, e) -> handled.set(e));
            NativeThreadTest.<RuntimeException>sneakyThrow(checked);
        }));
        assertSame(checked, handled.get());
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }

    @Test
    void theDefaultUncaughtExceptionHandlerGetsIt() {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        Queue<Throwable> handled = new ConcurrentLinkedQueue<>();
        Queue<String> names = new ConcurrentLinkedQueue<>();
        RuntimeException boom = new IllegalArgumentException("via the default handler");
        try {
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
                names.add(t.getName());
                handled.add(e);
            });
            join(NativeThread.builder().name("default-handler-test").start(() -> {
                throw boom;
            }));
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertEquals(List.of(boom), new ArrayList<>(handled));
        assertEquals(List.of("default-handler-test"), new ArrayList<>(names));
    }

    /** With no handler anywhere, the JVM's default prints "Exception in thread ..." and the trace. */
    @Test
    void withoutHandlersTheStackTraceIsPrinted() {
        String marker = "printed-" + System.nanoTime();
        String err = captureStderr(() -> join(NativeThread.builder().name("printing-thread").start(() -> {
            throw new IllegalStateException(marker);
        })));
        assertTrue(err.contains("Exception in thread \"printing-thread\""), err);
        assertTrue(err.contains("java.lang.IllegalStateException: " + marker), err);
        assertTrue(err.contains("at " + NativeThreadTest.class.getName()), err);
    }

    @Test
    void aHandlerThatThrowsDoesNotBreakAnything() {
        int before = NativeThread.count();
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                throw new IllegalStateException("the handler fails too");
            });
            throw new IllegalArgumentException("first");
        });
        join(h);
        assertEquals(before, NativeThread.count());
        assertEquals("still fine", callIn(() -> "still fine"));
    }

    @Test
    void aFailingThreadDoesNotDisturbTheOthers() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        AtomicInteger finished = new AtomicInteger();
        List<ThreadHandle> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(NativeThread.startJoinableThread(() -> {
                gate.acquire();
                gate.release();
                finished.incrementAndGet();
            }));
        }
        AtomicReference<Throwable> handled = new AtomicReference<>();
        join(NativeThread.startJoinableThread(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> handled.set(e));
            throw new IllegalStateException("only me");
        }));
        assertNotNull(handled.get());
        gate.release();
        for (ThreadHandle h : others) join(h);
        assertEquals(3, finished.get());
    }

    @Test
    void threadExitEndsTheThreadSilently() {
        AtomicBoolean handlerCalled = new AtomicBoolean();
        AtomicBoolean afterExit = new AtomicBoolean();
        AtomicBoolean caughtAsException = new AtomicBoolean();
        AtomicBoolean finallyRan = new AtomicBoolean();
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        int before = NativeThread.count();
        String err;
        try {
            err = captureStderr(() -> {
                Thread.setDefaultUncaughtExceptionHandler((t, e) -> handlerCalled.set(true));
                ThreadHandle h = NativeThread.startJoinableThread(() -> {
                    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> handlerCalled.set(true));
                    try {
                        NativeThread.exit();
                        afterExit.set(true);
                    } catch (Exception e) {  // ThreadExit is an Error: not caught here
                        caughtAsException.set(true);
                    } finally {
                        finallyRan.set(true);
                    }
                    afterExit.set(true);
                });
                join(h);
                join(NativeThread.startJoinableThread(() -> {
                    throw new ThreadExit();  // thrown directly, the same
                }));
            });
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
        assertFalse(handlerCalled.get(), "no uncaught-exception handler for ThreadExit");
        assertFalse(afterExit.get());
        assertFalse(caughtAsException.get());
        assertTrue(finallyRan.get());
        assertEquals("", err, "nothing printed");
        assertEquals(before, NativeThread.count());
    }

    @Test
    void exitThrowsThreadExit() {
        ThreadExit e = assertThrows(ThreadExit.class, NativeThread::exit);
        assertTrue(e instanceof Error);
    }

    // ---- daemon or not -----------------------------------------------------------------------

    @Test
    void daemonFlagIsWhatWasAskedFor() {
        assertTrue(callIn(() -> Thread.currentThread().isDaemon()), "builder default");
        assertTrue(callIn(NativeThread.builder().daemon(true), () -> Thread.currentThread().isDaemon()));
        assertFalse(callIn(NativeThread.builder().daemon(false), () -> Thread.currentThread().isDaemon()));
        assertTrue(daemonOf(h -> NativeThread.startJoinableThread(h)), "startJoinableThread(f)");
        assertTrue(daemonOf(h -> NativeThread.startJoinableThread(h, true)), "startJoinableThread(f, true)");
        assertFalse(daemonOf(h -> NativeThread.startJoinableThread(h, false)), "startJoinableThread(f, false)");
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean daemon = new AtomicBoolean();
        NativeThread.startNewThread(() -> {
            daemon.set(Thread.currentThread().isDaemon());
            done.countDown();
        });
        try {
            assertTrue(done.await(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertTrue(daemon.get(), "startNewThread");
    }

    private static boolean daemonOf(java.util.function.Function<Runnable, ThreadHandle> starter) {
        AtomicBoolean daemon = new AtomicBoolean();
        join(starter.apply(() -> daemon.set(Thread.currentThread().isDaemon())));
        return daemon.get();
    }

    /**
     * A non-daemon thread keeps the JVM alive after main returns; a daemon one does not. In a child
     * JVM the thread waits until main has ended and then writes a marker file: 300 ms later for a
     * non-daemon thread (the file must exist once the JVM has exited), 10 s later for a daemon
     * one (the JVM must have exited without it, so no file).
     */
    @ParameterizedTest
    @CsvSource({
        "joinable-non-daemon, true",
        "builder-non-daemon, true",
        "joinable-daemon, false",
        "joinable, false",
        "builder, false",
        "startNewThread, false",
    })
    void nonDaemonThreadsKeepTheJvmAlive(String how, boolean keepsAlive, @TempDir Path dir) throws Exception {
        Path marker = dir.resolve("marker");
        ChildJvm child = new ChildJvm(ChildJvmMain.class.getName(), how, marker.toString(), keepsAlive ? "300" : "10000");
        int exit = child.finish();
        String out = String.join("\n", child.lines);
        assertEquals(0, exit, out);
        assertTrue(out.contains("main returns"), out);
        if (keepsAlive) {
            assertTrue(Files.exists(marker), "the JVM exited before its non-daemon thread ended: " + out);
            String note = new String(Files.readAllBytes(marker), StandardCharsets.UTF_8);
            assertTrue(note.endsWith("daemon=false"), note);
        } else {
            assertFalse(Files.exists(marker), "the JVM waited for a daemon thread: " + out);
        }
    }

    // ---- they are java.lang.Threads ----------------------------------------------------------

    private static final ThreadLocal<String> LOCAL = ThreadLocal.withInitial(() -> "initial");

    @Test
    void threadLocalsArePerThread() {
        LOCAL.set("main's");
        try {
            String[] first = callIn(() -> {
                String initial = LOCAL.get();
                LOCAL.set("first's");
                return new String[] {initial, LOCAL.get()};
            });
            assertEquals("initial", first[0]);
            assertEquals("first's", first[1]);
            assertEquals("initial", callIn(LOCAL::get), "a second thread has its own");
            assertEquals("main's", LOCAL.get());
        } finally {
            LOCAL.remove();
        }
    }

    @Test
    void theThreadIsALiveJavaThreadSeenByTheJvm() throws InterruptedException {
        NativeLock gate = new NativeLock();
        gate.acquire();
        AtomicReference<Thread> self = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        String name = "visible-" + System.nanoTime();
        ThreadHandle h = NativeThread.builder().name(name).start(() -> {
            self.set(Thread.currentThread());
            running.countDown();
            gate.acquire();
        });
        Thread thread;
        Map<Thread, StackTraceElement[]> all;
        ThreadInfo info;
        try {
            assertTrue(running.await(60, TimeUnit.SECONDS));
            thread = self.get();
            assertTrue(thread.isAlive());
            all = Thread.getAllStackTraces();
            info = ManagementFactory.getThreadMXBean().getThreadInfo(h.ident(), Integer.MAX_VALUE);
        } finally {
            gate.release();
            join(h);
        }
        assertEquals(name, thread.getName());
        @SuppressWarnings("deprecation")
        long id = thread.getId();
        assertEquals(h.ident(), id);
        assertTrue(all.containsKey(thread), "in Thread.getAllStackTraces()");
        assertTrue(Arrays.stream(all.get(thread)).anyMatch(f -> f.getClassName().startsWith(NativeThreadTest.class.getName())),
                () -> Arrays.toString(all.get(thread)));
        assertNotNull(info, "ThreadMXBean knows it");
        assertEquals(name, info.getThreadName());
        assertTrue(Arrays.stream(info.getStackTrace()).anyMatch(f -> f.getClassName().startsWith(NativeThreadTest.class.getName())));
        awaitTrue("the Thread is no longer alive", () -> !thread.isAlive());
        thread.join();  // returns: a detached attached thread has terminated as a Thread too
        assertFalse(Thread.getAllStackTraces().containsKey(thread));
    }

    /** The JVM knows the thread by its name from the moment start() returns: it attaches with it
     *  (a name set only once the thread runs was seen missing from a dump taken right after start). */
    @Test
    void theJavaNameIsThereWhenStartReturns() {
        for (String base : new String[] {"named-at-attach-", "名前-\uD83D\uDE00-"}) {  // also beyond the BMP
            for (int i = 0; i < 20; i++) {
                String name = base + i;
                NativeLock gate = new NativeLock();
                gate.acquire();
                ThreadHandle h = NativeThread.builder().name(name).start(gate::acquire);
                ThreadInfo info;
                try {
                    info = ManagementFactory.getThreadMXBean().getThreadInfo(h.ident());
                } finally {
                    gate.release();
                    join(h);
                }
                assertNotNull(info, "ThreadMXBean knows thread " + h.ident());
                assertEquals(name, info.getThreadName(), "right after start()");
            }
        }
    }

    @Test
    void interruptWorksOnTheThreadAsOnAnyJavaThread() throws InterruptedException {
        AtomicReference<Thread> self = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            self.set(Thread.currentThread());
            running.countDown();
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(120));
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertTrue(running.await(60, TimeUnit.SECONDS));
        self.get().interrupt();
        join(h);
        assertTrue(interrupted.get());
    }

    @Test
    void threadGroupAndStateAreThoseOfARunningThread() {
        Object[] seen = callIn(() -> new Object[] {Thread.currentThread().getThreadGroup(), Thread.currentThread().getState()});
        assertNotNull(seen[0], "thread group");
        assertEquals(Thread.State.RUNNABLE, seen[1]);
    }
}
