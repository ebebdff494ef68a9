// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import io.github.nativethread.ThreadHelpers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run in a child JVM (JDK 21+) by {@link ThreadingVirtualThreadTest} with one carrier thread
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1 -Djdk.virtualThreadScheduler.maxPoolSize=1}):
 * {@code n} virtual threads block in one wait of the threading layer (half of them timed), and a
 * virtual thread started after all of them are parked releases them. With one carrier, a wait that
 * blocked it in C would stop every other virtual thread, the releaser too. Prints "PASS name ..." or
 * "FAIL name ..."; stuck for {@link #STUCK_MS} fails and ends the JVM.
 */
public final class ThreadingVirtualThreadChild {
    private static final long STUCK_MS = 20_000;
    /** Timed waits use this: far longer than the scenario, so they end by the release. */
    private static final double LONG = 60.0;

    private ThreadingVirtualThreadChild() {}

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        int n = Integer.parseInt(args[1]);
        long t0 = System.nanoTime();
        String detail;
        switch (scenario) {
            case "event": detail = event(n); break;
            case "condition": detail = condition(n); break;
            case "semaphore": detail = semaphore(n); break;
            case "barrier": detail = barrier(n); break;
            case "join": detail = join(n); break;
            default: throw new IllegalArgumentException(scenario);
        }
        System.out.printf("PASS %s %s (%.1f ms)%n", scenario, detail, (System.nanoTime() - t0) / 1e6);
    }

    /** Virtual threads that ran {@code body(i)}; a failure is collected, printed, and fails the scenario. */
    private static final class Waiters {
        final List<Thread> threads = new ArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger done = new AtomicInteger();

        interface Body {
            void run(int i) throws Exception;
        }

        Waiters(int n, Body body) {
            for (int i = 0; i < n; i++) {
                int index = i;
                threads.add(ThreadHelpers.startVirtual(() -> {
                    try {
                        body.run(index);
                        done.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
        }

        /** Waits (in the calling virtual thread, yielding the carrier) until every waiter is parked. */
        void awaitAllParked(String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STUCK_MS);
            for (;;) {
                int parked = 0;
                for (Thread t : threads) {
                    Thread.State s = t.getState();
                    if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) parked++;
                }
                if (parked == threads.size()) return;
                if (System.nanoTime() > deadline) fail(what + ": only " + parked + " of " + threads.size() + " parked");
                Thread.sleep(1);
            }
        }

        /** Joins them and the releaser; checks every waiter completed. */
        void finish(String what, Thread releaser) throws InterruptedException {
            List<Thread> all = new ArrayList<>(threads);
            all.add(releaser);
            joinAll(what, all);
            if (!failures.isEmpty()) {
                for (Throwable t : failures) t.printStackTrace(System.out);
                fail(what + ": " + failures.size() + " waiter(s) failed, first " + failures.get(0));
            }
            if (done.get() != threads.size()) fail(what + ": " + done.get() + " of " + threads.size() + " completed");
        }
    }

    private static void fail(String message) {
        System.out.println("FAIL " + message);
        System.out.flush();
        System.exit(1);
    }

    /** Joins every thread, or fails the scenario and ends the JVM. */
    private static void joinAll(String what, List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STUCK_MS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                fail(what + ": stuck after " + STUCK_MS + " ms, " + t + " at " + Arrays.toString(t.getStackTrace()));
            }
        }
    }

    /** A virtual thread started once the waiters are parked: it must get the carrier to release them. */
    private static Thread releaser(String what, Waiters waiters, Runnable release) {
        return ThreadHelpers.startVirtual(() -> {
            try {
                waiters.awaitAllParked(what);
                release.run();
            } catch (Throwable t) {
                waiters.failures.add(t);
            }
        });
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    private static String event(int n) throws InterruptedException {
        Event event = new Event();
        Waiters waiters = new Waiters(n, i -> check(i % 2 == 0 ? event.await() : event.await(LONG), "await returned false"));
        Thread releaser = releaser("event", waiters, event::set);
        waiters.finish("event", releaser);
        return n + " waiters of Event.await()/await(t) released by set() in a later virtual thread";
    }

    private static String condition(int n) throws InterruptedException {
        Condition cond = new Condition();  // over a NativeRLock
        int[] waiting = {0};
        boolean[] go = {false};
        AtomicInteger inside = new AtomicInteger();
        Waiters waiters = new Waiters(n, i -> {
            try (NativeLock.Hold h = cond.hold()) {
                waiting[0]++;
                while (!go[0]) check(i % 2 == 0 ? cond.await() : cond.await(LONG), "await timed out");
                check(inside.incrementAndGet() == 1, "two threads held the lock");
                inside.decrementAndGet();
            }
        });
        Thread releaser = releaser("condition", waiters, () -> {
            try (NativeLock.Hold h = cond.hold()) {
                check(waiting[0] == n, "parked, yet not all waiting: " + waiting[0]);
                go[0] = true;
                cond.signalAll();
            }
        });
        waiters.finish("condition", releaser);
        return n + " waiters of Condition.await()/await(t) released by signalAll() in a later virtual thread";
    }

    private static String semaphore(int n) throws InterruptedException {
        Semaphore sem = new Semaphore(0);
        Waiters waiters = new Waiters(n, i -> check(i % 2 == 0 ? sem.acquire() : sem.acquire(LONG), "acquire timed out"));
        Thread releaser = releaser("semaphore", waiters, () -> sem.release(n));
        waiters.finish("semaphore", releaser);
        check(!sem.acquire(false), "a permit left over");
        return n + " waiters of Semaphore.acquire()/acquire(t) released by release(n) in a later virtual thread";
    }

    private static String barrier(int n) throws InterruptedException {
        AtomicInteger actions = new AtomicInteger();
        Barrier barrier = new Barrier(n + 1, actions::incrementAndGet);
        Set<Integer> indices = ConcurrentHashMap.newKeySet();
        Waiters waiters = new Waiters(n, i -> indices.add(i % 2 == 0 ? barrier.await() : barrier.await(LONG)));
        Thread releaser = releaser("barrier", waiters, () -> indices.add(barrier.await(LONG)));
        waiters.finish("barrier", releaser);
        Set<Integer> expected = new TreeSet<>();
        for (int i = 0; i <= n; i++) expected.add(i);
        check(new TreeSet<>(indices).equals(expected), "indices " + new TreeSet<>(indices));
        check(actions.get() == 1, "the action ran " + actions.get() + " times");
        check(!barrier.isBroken() && barrier.nWaiting() == 0, barrier.toString());
        return n + " parties of Barrier(" + (n + 1) + ").await()/await(t) released by the last, a later virtual thread";
    }

    private static String join(int n) throws InterruptedException {
        Event gate = new Event();
        OsThread thread = new OsThread(gate::await, "gated");
        thread.setDaemon(true);
        thread.start();
        Waiters waiters = new Waiters(n, i -> {
            if (i % 2 == 0) {
                thread.join();
            } else {
                check(thread.join(LONG), "join timed out");
            }
            check(!thread.isAlive(), "joined, yet alive");
        });
        Thread releaser = releaser("join", waiters, gate::set);
        waiters.finish("join", releaser);
        return n + " virtual threads in OsThread.join()/join(t) of a thread a later virtual thread lets end";
    }
}
