// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static io.github.nativethread.ThreadHelpers.awaitCount;
import static io.github.nativethread.ThreadHelpers.awaitTrue;
import static io.github.nativethread.ThreadHelpers.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A port of CPython's Lib/test/test_thread.py (3.13/3.14): ThreadRunningTests, BarrierTest and
 * the _ThreadHandle tests, over {@link NativeThread} and {@link NativeLock}. As there, the threads
 * synchronise with the module's own locks only.
 */
class TestThreadPort {
    static final int NUMTASKS = 10;
    static final int NUMTRIPS = 3;

    // BasicThreadTest.setUp
    private NativeLock doneMutex;
    private NativeLock runningMutex;
    private NativeLock randomMutex;
    private final Random random = new Random();
    // guarded by runningMutex: plain fields, as in the Python test, so the locks' memory ordering matters
    private int created;
    private int running;
    private int nextIdent;
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private long savedStackSize;
    private int countAtStart;

    @BeforeEach
    void setUp() {
        doneMutex = NativeThread.allocateLock();
        doneMutex.acquire();
        runningMutex = NativeThread.allocateLock();
        randomMutex = NativeThread.allocateLock();
        created = 0;
        running = 0;
        nextIdent = 0;
        savedStackSize = NativeThread.stackSize();
        countAtStart = NativeThread.count();
    }

    @AfterEach
    void tearDown() {
        NativeThread.stackSize(savedStackSize);
        // threading_helper.wait_threads_exit(): every thread a test started has ended
        ThreadHelpers.awaitThreadsEnded(countAtStart);
        assertTrue(errors.isEmpty(), () -> "failures in threads: " + errors);
    }

    // ---- ThreadRunningTests ------------------------------------------------------------------

    private void newtask() {
        runningMutex.acquire();
        try {
            nextIdent++;
            int ident = nextIdent;
            NativeThread.startNewThread(() -> task(ident));
            created++;
            running++;
        } finally {
            runningMutex.release();
        }
    }

    private void task(int ident) {
        try {
            long delayNanos = randomDelayNanos();
            LockSupport.parkNanos(delayNanos);  // "work", not synchronisation
            runningMutex.acquire();  // with self.running_mutex:
            try {
                running--;
                if (created == NUMTASKS && running == 0) doneMutex.release();
            } finally {
                runningMutex.release();
            }
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    /** random.random() / 10000.0 seconds, under random_mutex as in the Python test. */
    private long randomDelayNanos() {
        randomMutex.acquire();
        try {
            return (long) (random.nextDouble() * 100_000);
        } finally {
            randomMutex.release();
        }
    }

    private void awaitDone() {
        assertTrue(doneMutex.acquire(LONG_TIMEOUT_S), "tasks did not complete");
    }

    @Test
    void testStartingThreads() {
        for (int i = 0; i < NUMTASKS; i++) newtask();
        awaitDone();
        assertEquals(NUMTASKS, created);
        assertEquals(0, running);
    }

    @Test
    void testStackSize() {
        // Various stack size tests.
        assertEquals(0, NativeThread.stackSize(), "initial stack size is not 0");
        NativeThread.stackSize(0);
        assertEquals(0, NativeThread.stackSize(), "stack_size not reset to default");
    }

    @Test
    void testNtAndPosixStackSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeThread.stackSize(4096));
        assertTrue(e.getMessage().contains("size not valid: 4096 bytes"), e.getMessage());
        for (long tss : new long[] {262144, 0x100000, 0}) {
            NativeThread.stackSize(tss);
            assertEquals(tss, NativeThread.stackSize(), "stack_size(" + tss + ") failed - should succeed");
        }
        for (long tss : new long[] {262144, 0x100000}) {
            NativeThread.stackSize(tss);
            nextIdent = 0;
            created = 0;
            doneMutex = NativeThread.allocateLock();
            doneMutex.acquire();
            for (int i = 0; i < NUMTASKS; i++) newtask();
            awaitDone();
            awaitCount(countAtStart);
        }
        NativeThread.stackSize(0);
    }

    @Test
    void testCount() {
        // Test the _count() function.
        int orig = NativeThread.count();
        NativeLock mut = NativeThread.allocateLock();
        mut.acquire();
        NativeLock started = NativeThread.allocateLock();
        started.acquire();
        NativeThread.startNewThread(() -> {
            started.release();
            mut.acquire();
            mut.release();
        });
        assertTrue(started.acquire(LONG_TIMEOUT_S));
        assertEquals(orig + 1, NativeThread.count());
        // Allow the task to finish.
        mut.release();
        // No handle: wait for the count to come back, as the Python test waits for the task's end.
        awaitCount(orig);
        assertEquals(orig, NativeThread.count());
    }

    /** test_unraisable_exception: an exception in a thread is reported with the thread, and the
     *  thread ends (Java: the thread's UncaughtExceptionHandler). */
    @Test
    void testUnraisableException() {
        AtomicReference<Thread> reportedThread = new AtomicReference<>();
        AtomicReference<Throwable> reported = new AtomicReference<>();
        AtomicReference<Thread> self = new AtomicReference<>();
        NativeLock started = NativeThread.allocateLock();
        started.acquire();
        NativeLock reportedLock = NativeThread.allocateLock();
        reportedLock.acquire();
        NativeThread.startNewThread(() -> {
            self.set(Thread.currentThread());
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                reportedThread.set(t);
                reported.set(e);
                reportedLock.release();
            });
            started.release();
            throw new IllegalStateException("task failed");
        });
        assertTrue(started.acquire(LONG_TIMEOUT_S));
        assertTrue(reportedLock.acquire(LONG_TIMEOUT_S), "not reported");
        assertSame(self.get(), reportedThread.get());
        assertSame(IllegalStateException.class, reported.get().getClass());
        assertEquals("task failed", reported.get().getMessage());
        awaitCount(countAtStart);
    }

    /** test_save_exception_state_on_error (issue #14474): the output stream that reports the
     *  thread's exception raises and catches exceptions of its own while writing; the report is
     *  still the thread's exception, complete. */
    @Test
    void testSaveExceptionStateOnError() {
        ByteArrayOutputStream real = new ByteArrayOutputStream();
        OutputStream mywrite = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                try {
                    throw new IllegalArgumentException("raised while writing");
                } catch (IllegalArgumentException ignored) {
                    // caught in the writer, as Python's mywrite does
                }
                real.write(b);
            }
        };
        PrintStream savedErr = System.err;
        Thread.UncaughtExceptionHandler savedHandler = Thread.getDefaultUncaughtExceptionHandler();
        NativeLock started = NativeThread.allocateLock();
        started.acquire();
        ThreadHandle handle;
        try (PrintStream err = new PrintStream(mywrite, true, StandardCharsets.UTF_8)) {
            Thread.setDefaultUncaughtExceptionHandler(null);
            System.setErr(err);
            handle = NativeThread.builder().name("syntax-error-task").start(() -> {
                started.release();
                throw new UnsupportedOperationException("SyntaxError");
            });
            assertTrue(started.acquire(LONG_TIMEOUT_S));
            join(handle);
        } finally {
            System.setErr(savedErr);
            Thread.setDefaultUncaughtExceptionHandler(savedHandler);
        }
        String out = real.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Exception in thread \"syntax-error-task\" java.lang.UnsupportedOperationException: SyntaxError"), out);
        assertTrue(out.contains("\tat " + TestThreadPort.class.getName()), out);
        assertFalse(out.contains("raised while writing"), out);
    }

    // ---- _ThreadHandle -----------------------------------------------------------------------

    @Test
    void testJoinThread() {
        AtomicInteger finished = new AtomicInteger();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));  // work
            finished.incrementAndGet();
        });
        handle.join();
        assertEquals(1, finished.get());
    }

    @Test
    void testJoinFromSelf() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicReference<ThreadHandle> handleRef = new AtomicReference<>();
        NativeLock startJoinableLock = NativeThread.allocateLock();
        startJoinableLock.acquire();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            startJoinableLock.acquire();  // until the handle is known
            try {
                handleRef.get().join();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        handleRef.set(handle);
        startJoinableLock.release();
        handle.join();
        assertNotNull(error.get());
        assertSame(ThreadError.class, error.get().getClass());
        assertTrue(error.get().getMessage().contains("Cannot join current thread"), error.get().getMessage());
    }

    /**
     * test_join_then_self_join: t0 joins t1 while t1 self-joins; no deadlock, and the self-join
     * fails. Python sleeps 0.1 s hoping the joiner is waiting; here we wait until its stack shows
     * it waiting inside join.
     */
    @Test
    void testJoinThenSelfJoin() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicReference<ThreadHandle> selfJoinerHandle = new AtomicReference<>();
        NativeLock selfJoinerStarted = locked();
        NativeLock selfJoinerBarrier = locked();
        ThreadHandle selfJoiner = NativeThread.startJoinableThread(() -> {
            selfJoinerStarted.release();
            selfJoinerBarrier.acquire();
            try {
                selfJoinerHandle.get().join();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        selfJoinerHandle.set(selfJoiner);
        assertTrue(selfJoinerStarted.acquire(LONG_TIMEOUT_S));

        NativeLock joinerStarted = locked();
        AtomicReference<Thread> joinerThread = new AtomicReference<>();
        ThreadHandle joiner = NativeThread.startJoinableThread(() -> {
            joinerThread.set(Thread.currentThread());
            joinerStarted.release();
            selfJoinerHandle.get().join();
        });
        assertTrue(joinerStarted.acquire(LONG_TIMEOUT_S));
        awaitTrue("the joiner waits in ThreadHandle.join", () -> Arrays.stream(joinerThread.get().getStackTrace())
                .anyMatch(f -> f.getClassName().equals(ThreadHandle.class.getName()) && f.getMethodName().startsWith("join")));

        selfJoinerBarrier.release();
        assertTrue(selfJoiner.join(LONG_TIMEOUT_S));
        assertTrue(joiner.join(LONG_TIMEOUT_S));
        assertNotNull(error.get());
        assertSame(ThreadError.class, error.get().getClass());
        assertTrue(error.get().getMessage().contains("Cannot join current thread"));
    }

    @Test
    void testJoinWithTimeout() {
        NativeLock lock = NativeThread.allocateLock();
        lock.acquire();
        ThreadHandle handle = NativeThread.startJoinableThread(lock::acquire);
        assertFalse(handle.join(0.1));
        assertFalse(handle.isDone());
        lock.release();
        handle.join();
        assertTrue(handle.isDone());
    }

    @Test
    void testIdentOfJoinableThread() {
        long[] ident = new long[1];
        NativeLock lock = locked();
        ThreadHandle handle = NativeThread.startJoinableThread(() -> {
            ident[0] = NativeThread.getIdent();
            lock.release();
        });
        assertTrue(lock.acquire(LONG_TIMEOUT_S));
        handle.join();
        assertEquals(ident[0], handle.ident());
    }

    private static NativeLock locked() {
        NativeLock lock = NativeThread.allocateLock();
        lock.acquire();
        return lock;
    }

    // ---- BarrierTest -------------------------------------------------------------------------

    /** The Python test's Barrier, built from two ownerless locks; {@code waiting} is a plain field. */
    static final class Barrier {
        private final int numThreads;
        private int waiting;
        private final NativeLock checkinMutex = NativeThread.allocateLock();
        private final NativeLock checkoutMutex = NativeThread.allocateLock();

        Barrier(int numThreads) {
            this.numThreads = numThreads;
            checkoutMutex.acquire();
        }

        void enter() {
            checkinMutex.acquire();
            waiting++;
            if (waiting == numThreads) {
                waiting = numThreads - 1;
                checkoutMutex.release();
                return;
            }
            checkinMutex.release();

            checkoutMutex.acquire();
            waiting--;
            if (waiting == 0) {
                checkinMutex.release();
                return;
            }
            checkoutMutex.release();
        }
    }

    private Barrier bar;
    /** How many tasks have entered trip i: all of them must have when anyone leaves it. */
    private final AtomicReferenceArray<AtomicInteger> entered = new AtomicReferenceArray<>(NUMTRIPS);

    private void task2(int ident) {
        try {
            for (int i = 0; i < NUMTRIPS; i++) {
                long delayNanos;
                if (ident == 0) {
                    // give it a good chance to enter the next barrier before the others are all out of the current one
                    delayNanos = 0;
                } else {
                    delayNanos = randomDelayNanos();
                }
                LockSupport.parkNanos(delayNanos);
                entered.get(i).incrementAndGet();
                bar.enter();
                int in = entered.get(i).get();
                if (in != NUMTASKS) throw new AssertionError("task " + ident + " left trip " + i + " with only " + in + " entered");
            }
            boolean finished;
            runningMutex.acquire();
            try {
                running--;
                // release the mutex before done, as the Python test does
                finished = running == 0;
            } finally {
                runningMutex.release();
            }
            if (finished) doneMutex.release();
        } catch (Throwable t) {
            errors.add(t);
            throw t;
        }
    }

    @Test
    void testBarrier() {
        for (int i = 0; i < NUMTRIPS; i++) entered.set(i, new AtomicInteger());
        bar = new Barrier(NUMTASKS);
        running = NUMTASKS;
        for (int i = 0; i < NUMTASKS; i++) {
            int ident = i;
            NativeThread.startNewThread(() -> task2(ident));
        }
        awaitDone();
        for (int i = 0; i < NUMTRIPS; i++) assertEquals(NUMTASKS, entered.get(i).get());
    }
}
