// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a child JVM (JDK 21+) by {@link VirtualThreadTest}, usually with one carrier thread
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1 -Djdk.virtualThreadScheduler.maxPoolSize=1}):
 * one scenario per call, printing "PASS name ..." or "FAIL name ..."; a scenario stuck for 20 s
 * fails and ends the JVM.
 */
public final class VirtualThreadChild {
    private static final long STUCK_MS = 20_000;

    private VirtualThreadChild() {}

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        long t0 = System.nanoTime();
        String detail;
        switch (scenario) {
            case "lock": detail = holdAndWait(new NativeLock()); break;
            case "rlock": detail = holdAndWait(new NativeRLock()); break;
            case "join": detail = join(); break;
            case "timed": detail = timed(); break;
            case "count": detail = count(Integer.parseInt(args[1]), Integer.parseInt(args[2])); break;
            case "cross-release": detail = crossRelease(); break;
            case "interrupt": detail = interrupt(); break;
            case "native-id": detail = nativeId(); break;
            default: throw new IllegalArgumentException(scenario);
        }
        System.out.printf("PASS %s %s (%.1f ms)%n", scenario, detail, (System.nanoTime() - t0) / 1e6);
    }

    /** Joins every thread, or fails the scenario and ends the JVM. */
    private static void joinAll(String what, Thread... threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STUCK_MS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                System.out.println("FAIL " + what + ": stuck after " + STUCK_MS + " ms, " + t + " at "
                        + java.util.Arrays.toString(t.getStackTrace()));
                System.exit(1);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The reviewer's scenario: A holds the lock and sleeps 50 ms; B waits for it in lock(). With
     *  one carrier, A can only wake if B's wait gave the carrier back. */
    private static String holdAndWait(BaseLock lock) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread a = ThreadHelpers.startVirtual(() -> {
            lock.lock();
            held.countDown();
            sleep(50);
            order.add("A releases");
            lock.unlock();
        });
        held.await();
        Thread b = ThreadHelpers.startVirtual(() -> {
            lock.lock();
            order.add("B has it");
            lock.unlock();
        });
        joinAll(lock.getClass().getSimpleName(), a, b);
        if (!order.equals(List.of("A releases", "B has it"))) throw new AssertionError(order);
        return order.toString();
    }

    /** V1 joins a native thread that waits for a lock only V2 releases, after V1 began waiting. */
    private static String join() throws InterruptedException {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle nativeThread = NativeThread.startJoinableThread(() -> {
            gate.acquire();
            gate.release();
        });
        AtomicLong joinedAfter = new AtomicLong();
        Thread v1 = ThreadHelpers.startVirtual(() -> {
            long start = System.nanoTime();
            nativeThread.join();
            joinedAfter.set(System.nanoTime() - start);
        });
        Thread v2 = ThreadHelpers.startVirtual(() -> {
            sleep(50);
            gate.release();
        });
        joinAll("join", v1, v2);
        if (!nativeThread.isDone()) throw new AssertionError("joined, yet not done");
        return "joined after " + joinedAfter.get() / 1_000_000 + " ms";
    }

    /** A timed wait in a virtual thread ends at its deadline, never early, and meanwhile the carrier
     *  runs other virtual threads. */
    private static String timed() throws InterruptedException {
        NativeLock held = new NativeLock();
        held.acquire();
        AtomicLong waited = new AtomicLong();
        AtomicInteger result = new AtomicInteger(-1);
        AtomicInteger ticks = new AtomicInteger();
        Thread waiter = ThreadHelpers.startVirtual(() -> {
            long start = System.nanoTime();
            result.set(held.acquire(0.2) ? 1 : 0);
            waited.set(System.nanoTime() - start);
        });
        Thread ticker = ThreadHelpers.startVirtual(() -> {
            while (waiter.isAlive()) {
                ticks.incrementAndGet();
                sleep(5);
            }
        });
        joinAll("timed", waiter, ticker);
        if (result.get() != 0) throw new AssertionError("acquire(0.2) of a held lock returned " + result.get());
        if (waited.get() < 200_000_000L) throw new AssertionError("returned early, after " + waited.get() + " ns");
        if (ticks.get() < 2) throw new AssertionError("the carrier ran nothing else meanwhile: " + ticks.get());
        return "acquire(0.2) false after " + waited.get() / 1_000_000 + " ms, " + ticks.get() + " ticks meanwhile";
    }

    /** {@code threads} virtual threads and 2 platform threads each add {@code rounds} times under one
     *  lock, yielding inside so that they really contend. */
    private static String count(int threads, int rounds) throws InterruptedException {
        NativeLock lock = new NativeLock();
        long[] counter = {0};
        AtomicInteger timedOut = new AtomicInteger();
        Runnable body = () -> {
            for (int i = 0; i < rounds; i++) {
                if (i % 3 == 2) {
                    if (!lock.acquire(0.0005)) {  // a timed acquire that may give up
                        timedOut.incrementAndGet();
                        continue;
                    }
                } else {
                    lock.acquire();
                }
                long v = counter[0];
                if (i % 7 == 0) Thread.yield();
                counter[0] = v + 1;
                lock.release();
            }
        };
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) all.add(ThreadHelpers.startVirtual(body));
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(body, "platform-" + i);
            t.start();
            all.add(t);
        }
        joinAll("count", all.toArray(new Thread[0]));
        long expected = (long) (threads + 2) * rounds - timedOut.get();
        if (counter[0] != expected) throw new AssertionError("count " + counter[0] + ", expected " + expected);
        if (lock.locked() || lock.getQueueLength() != 0) throw new AssertionError("left " + lock);
        return "count " + counter[0] + " exact (" + timedOut.get() + " timed acquires gave up)";
    }

    /**
     * getNativeId() in a virtual thread is its carrier's id at that instant (/proc/thread-self,
     * read on the same carrier), however often it moves: no per-thread cache may answer for it.
     * Two virtual threads sleep between readings, so that they change carriers (a wake-up from
     * the timer may resume a thread on either carrier); each reads until it has seen both.
     */
    private static String nativeId() throws InterruptedException {
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[2];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = ThreadHelpers.startVirtual(() -> {
                Set<Long> mine = new HashSet<>();
                for (int round = 0; round < 2000 && mine.size() < 2 && wrong.isEmpty(); round++) {
                    long id = NativeThread.getNativeId(), tid = ThreadHelpers.procTid();
                    if (id != tid) wrong.add("getNativeId() " + id + " on carrier " + tid + " in round " + round);
                    mine.add(tid);
                    sleep(1);
                }
                seen.addAll(mine);
            });
        }
        joinAll("native-id", threads);
        if (!wrong.isEmpty()) {
            System.out.println("FAIL native-id: " + wrong);
            System.exit(1);
        }
        return "carriers seen: " + seen.size();
    }

    /** Ownerless: a platform thread releases what a virtual thread waits for, and the other way. */
    private static String crossRelease() throws InterruptedException {
        NativeLock lock = new NativeLock();
        lock.acquire();
        Thread v = ThreadHelpers.startVirtual(() -> lock.acquire());  // keeps it
        while (lock.getQueueLength() != 1) Thread.onSpinWait();
        lock.release();  // by main, a platform thread
        joinAll("cross-release", v);
        if (!lock.locked()) throw new AssertionError("the virtual waiter did not get it");
        Thread releaser = ThreadHelpers.startVirtual(lock::release);
        joinAll("cross-release", releaser);
        if (lock.locked()) throw new AssertionError("a virtual thread's release did not free it");
        return "platform->virtual and virtual release ok";
    }

    /** Thread.interrupt() ends lockInterruptibly() in a virtual thread; acquire() keeps waiting and
     *  keeps the interrupt status. */
    private static String interrupt() throws InterruptedException {
        NativeLock lock = new NativeLock();
        lock.acquire();
        AtomicInteger outcome = new AtomicInteger();
        Thread v = ThreadHelpers.startVirtual(() -> {
            try {
                lock.lockInterruptibly();
                outcome.set(1);
            } catch (InterruptedException expected) {
                outcome.set(2);
            }
        });
        while (lock.getQueueLength() != 1) Thread.onSpinWait();
        v.interrupt();
        joinAll("interrupt", v);
        if (outcome.get() != 2) throw new AssertionError("lockInterruptibly outcome " + outcome.get());
        AtomicInteger kept = new AtomicInteger();
        Thread w = ThreadHelpers.startVirtual(() -> {
            lock.acquire();
            kept.set(Thread.currentThread().isInterrupted() ? 1 : 2);
            lock.release();
        });
        while (lock.getQueueLength() != 1) Thread.onSpinWait();
        w.interrupt();
        sleep(50);
        if (!w.isAlive()) throw new AssertionError("acquire() ended on Thread.interrupt()");
        lock.release();
        joinAll("interrupt", w);
        if (kept.get() != 1) throw new AssertionError("interrupt status lost: " + kept.get());
        return "lockInterruptibly interrupted; acquire kept waiting and the status";
    }
}
