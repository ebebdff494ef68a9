package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ports of CPython's Lib/test/test_thread.py (ThreadRunningTests and friends), and handles. */
class ThreadsTest {
    @AfterEach
    void restoreStackSize() {
        NativeThread.stackSize(0);
    }

    /** Waits (bounded) until count() is back to {@code expected}: a thread counts until its function has ended. */
    static void awaitCount(int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (NativeThread.count() != expected && System.nanoTime() < until) Thread.sleep(1);
        assertEquals(expected, NativeThread.count());
    }

    @Test
    void startingManyThreadsCountsThem() throws Exception {
        int before = NativeThread.count();
        NativeLock gate = new NativeLock();
        gate.acquire();
        List<ThreadHandle> handles = new ArrayList<>();
        CountDownLatch running = new CountDownLatch(10);
        for (int i = 0; i < 10; i++) {
            handles.add(NativeThread.startJoinableThread(() -> {
                running.countDown();
                gate.acquire();
                gate.release();
            }));
        }
        running.await();
        assertEquals(before + 10, NativeThread.count());
        gate.release();
        for (ThreadHandle h : handles) h.join();
        awaitCount(before);
    }

    @Test
    void startNewThreadReturnsTheIdentTheThreadSees() throws Exception {
        AtomicReference<Long> seen = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        long ident = NativeThread.startNewThread(() -> {
            seen.set(NativeThread.getIdent());
            done.countDown();
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(ident, seen.get().longValue());
        assertNotEquals(0, ident);
        assertNotEquals(NativeThread.getIdent(), ident);
    }

    @Test
    void identsAreUniqueAmongLiveThreads() throws Exception {
        NativeLock gate = new NativeLock();
        gate.acquire();
        Set<Long> idents = ConcurrentHashMap.newKeySet();
        List<ThreadHandle> handles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            handles.add(NativeThread.startJoinableThread(() -> {
                idents.add(NativeThread.getIdent());
                gate.acquire();
                gate.release();
            }));
        }
        Set<Long> fromHandles = new HashSet<>();
        for (ThreadHandle h : handles) fromHandles.add(h.ident());
        gate.release();
        for (ThreadHandle h : handles) h.join();
        assertEquals(8, fromHandles.size());
        assertEquals(fromHandles, idents);
        assertFalse(idents.contains(NativeThread.getIdent()));
    }

    @Test
    void stackSizeSettingIsUsedByNewThreads() throws Exception {
        assertEquals(0, NativeThread.stackSize());
        for (long size : new long[] {262144, 0x100000, 4 << 20}) {
            assertEquals(0, NativeThread.stackSize(size));
            assertEquals(size, NativeThread.stackSize());
            long[] seen = new long[1];
            NativeThread.startJoinableThread(() -> seen[0] = NativeThread.currentStackSize()).join();
            assertEquals(size, seen[0]);
            assertEquals(size, NativeThread.stackSize(0));
        }
    }

    @Test
    void threadsAreJavaThreads() throws Exception {
        ThreadLocal<String> local = ThreadLocal.withInitial(() -> "initial");
        local.set("main's");
        Object[] seen = new Object[4];
        NativeThread.builder().name("java-view").daemon(false).start(() -> {
            Thread me = Thread.currentThread();
            seen[0] = local.get();
            seen[1] = me.getName();
            seen[2] = me.isDaemon();
            seen[3] = Thread.getAllStackTraces().containsKey(me);
        }).join();
        assertEquals("initial", seen[0]);
        assertEquals("java-view", seen[1]);
        assertEquals(false, seen[2]);
        assertEquals(true, seen[3]);
        boolean[] daemon = new boolean[1];
        NativeThread.startJoinableThread(() -> daemon[0] = Thread.currentThread().isDaemon()).join();
        assertTrue(daemon[0]);
    }

    @Test
    void uncaughtExceptionsGoToTheThreadsHandler() throws Exception {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        AtomicReference<Thread> in = new AtomicReference<>();
        RuntimeException boom = new IllegalStateException("boom");
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                in.set(t);
                caught.set(e);
            });
            throw boom;
        });
        h.join();
        assertSame(boom, caught.get());
        assertEquals(h.ident(), idOf(in.get()));
        assertTrue(h.isDone());
    }

    @SuppressWarnings("deprecation")
    private static long idOf(Thread t) {
        return t.getId();
    }

    @Test
    void threadExitEndsSilently() throws Exception {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        boolean[] after = new boolean[1];
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> caught.set(e));
            NativeThread.exit();
            after[0] = true;
        });
        h.join();
        assertTrue(h.isDone());
        assertEquals(null, caught.get());
        assertFalse(after[0]);
        assertThrows(ThreadExit.class, NativeThread::exit);
    }

    @Test
    void joinWaitsAndPublishesTheThreadsWrites() throws Exception {
        NativeLock gate = new NativeLock();
        gate.acquire();
        int[] plain = new int[1];
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            gate.acquire();
            plain[0] = 42;
        });
        assertFalse(h.isDone());
        long t0 = System.nanoTime();
        assertFalse(h.join(0.05));
        assertTrue(System.nanoTime() - t0 >= 50_000_000L);
        assertFalse(h.join(0));
        gate.release();
        assertTrue(h.join(30.0));
        assertEquals(42, plain[0]);
        assertTrue(h.isDone());
        h.join();  // twice is fine
        assertTrue(h.join(0));
    }

    @Test
    void joiningItselfIsAnError() throws Exception {
        AtomicReference<ThreadHandle> self = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch published = new CountDownLatch(1);
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            try {
                published.await();
                self.get().join();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        self.set(h);
        published.countDown();
        h.join();
        assertTrue(error.get() instanceof ThreadError, String.valueOf(error.get()));
        assertEquals("Cannot join current thread", error.get().getMessage());
    }

    @Test
    void handleIdsMatchTheThread() throws Exception {
        long[] seen = new long[2];
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            seen[0] = NativeThread.getIdent();
            seen[1] = NativeThread.getNativeId();
        });
        h.join();
        assertEquals(seen[0], h.ident());
        assertEquals(seen[1], h.nativeId());
        assertTrue(h.toString().contains("done"));
    }

    @Test
    void aNonDaemonThreadKeepsTheJvmAlive(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("written-by-non-daemon");
        ChildJvm child = new ChildJvm(NonDaemonChild.class.getName(), "false", marker.toString());
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(Files.exists(marker), "the JVM ended before its non-daemon thread");
    }

    @Test
    void aDaemonThreadDoesNot(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("written-by-daemon");
        ChildJvm child = new ChildJvm(NonDaemonChild.class.getName(), "true", marker.toString());
        assertEquals(0, child.finish(), child.lines::toString);
        assertFalse(Files.exists(marker), "a daemon thread outlived main");
    }

    @Test
    void mainThreadIdentIsTheJvmMainThread() {
        assertEquals("main", Thread.currentThread().getName());  // surefire runs tests in main
        assertEquals(NativeThread.getIdent(), NativeThread.mainThreadIdent());
    }
}
