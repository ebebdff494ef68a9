// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import static io.github.nativethread.stress.StressChild.check;
import static io.github.nativethread.stress.StressChild.numbers;
import static io.github.nativethread.stress.StressChild.result;
import static io.github.nativethread.stress.StressChild.sleepMillis;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeRLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadHandle;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Lock;

/**
 * Scenario 6 (JDK 21+; this source set is compiled for Java 11, so virtual threads are started
 * through a method handle to {@code Thread.startVirtualThread}). Run with
 * {@code -Djdk.virtualThreadScheduler.parallelism=1} and {@code =2}. The API contract says every
 * wait of the library is safe in a virtual thread (it never blocks the carrier); with one carrier,
 * a wait that parks the carrier in C deadlocks as soon as the thread it waits for is unmounted.
 * <ul>
 * <li>{@code lock}/{@code rlock}: virtual thread A takes the lock and sleeps 50 ms; virtual thread B
 *     calls {@code lock()}; both must finish.
 * <li>{@code join}: virtual thread A joins a native thread that waits for a lock which virtual
 *     thread B releases after sleeping 50 ms.
 * <li>{@code count}: V virtual threads each increment a plain counter E times under one
 *     {@code NativeLock}; {@code count-yield}: the same, and every 8th increment calls
 *     {@code Thread.yield()} while holding the lock (the holder unmounts). The counter must be exact.
 * </ul>
 */
final class VirtualScenarios {
    private static final MethodHandle START_VIRTUAL = startVirtualHandle();
    private static final ConcurrentLinkedQueue<String> ERRORS = new ConcurrentLinkedQueue<>();
    /** Plain: only the lock protects it. */
    private static long counter;

    private VirtualScenarios() {}

    private static MethodHandle startVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Starts a virtual thread (watched by the watchdog); an exception in it is a failure. */
    private static Thread virtual(String name, Runnable body) {
        Runnable wrapped = () -> {
            try {
                body.run();
            } catch (Throwable t) {
                ERRORS.add(name + ": " + t);
            }
        };
        Thread t;
        try {
            t = (Thread) START_VIRTUAL.invokeExact(wrapped);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        t.setName(name);
        StressChild.WATCHED.add(t);
        return t;
    }

    static void run(StressChild.Params p, List<String> failures) throws InterruptedException {
        if (START_VIRTUAL == null) {
            failures.add("no virtual threads in Java " + Runtime.version());
            return;
        }
        String parallelism = System.getProperty("jdk.virtualThreadScheduler.parallelism", "(default)");
        String what = p.s("case");
        switch (what) {
            case "lock":
            case "rlock": {
                Lock lock = what.equals("lock") ? new NativeLock() : new NativeRLock();
                String name = lock.getClass().getSimpleName();
                long[] waited = {-1};
                Thread a = virtual("A", () -> {
                    lock.lock();
                    try {
                        sleepMillis(50);
                    } finally {
                        lock.unlock();
                    }
                });
                while (!locked(lock) && a.isAlive()) sleepMillis(1);
                StressChild.phase = "virtual A holds a " + name + " and sleeps 50 ms; virtual B waits in lock()";
                long t0 = System.nanoTime();
                Thread b = virtual("B", () -> {
                    long s = System.nanoTime();
                    lock.lock();
                    waited[0] = System.nanoTime() - s;
                    lock.unlock();
                });
                a.join();
                b.join();
                result("A and B finished: B waited " + Math.round(waited[0] / 1e6) + " ms for the " + name);
                numbers(String.format("parallelism %s; both done %.0f ms after B started", parallelism,
                        (System.nanoTime() - t0) / 1e6));
                check(failures, !locked(lock), name + " still locked");
                break;
            }
            case "join": {
                NativeLock lock = new NativeLock();
                lock.acquire();
                Thread b = virtual("B", () -> {
                    sleepMillis(50);
                    lock.release();
                });
                ThreadHandle waiter = NativeThread.builder().name("native-waiter").start(() -> {
                    lock.acquire();
                    lock.release();
                });
                long t0 = System.nanoTime();
                StressChild.phase = "virtual A joins a native thread that waits for a lock virtual B releases after 50 ms";
                Thread a = virtual("A", waiter::join);
                a.join();
                b.join();
                result("A, B and the native thread finished");
                numbers(String.format("parallelism %s; A's join returned %.0f ms after it started", parallelism,
                        (System.nanoTime() - t0) / 1e6));
                check(failures, waiter.isDone(), "the native thread has not ended");
                break;
            }
            case "count":
            case "count-yield": {
                boolean yield = what.equals("count-yield");
                int vthreads = p.i("vthreads");
                int each = p.i("each");
                NativeLock lock = new NativeLock();
                Set<Long> carriers = ConcurrentHashMap.newKeySet();
                Thread[] threads = new Thread[vthreads];
                StressChild.phase = vthreads + " virtual threads x " + each + " increments under one NativeLock"
                        + (yield ? ", yielding inside every 8th" : "");
                StressChild.progress = () -> "counter " + counter + " of " + (long) vthreads * each;
                long t0 = System.nanoTime();
                for (int i = 0; i < vthreads; i++) {
                    threads[i] = virtual("V" + i, () -> {
                        carriers.add(NativeThread.getNativeId());
                        for (int k = 0; k < each; k++) {
                            lock.lock();
                            try {
                                long c = counter;
                                if (yield && (c & 7) == 7) Thread.yield();
                                counter = c + 1;
                            } finally {
                                lock.unlock();
                            }
                        }
                    });
                    if (i >= 4) StressChild.WATCHED.remove(threads[i]);  // the watchdog shows the first few
                }
                for (Thread t : threads) t.join();
                long expected = (long) vthreads * each;
                result("counter " + counter + " of " + expected + ": " + (counter == expected ? "exact" : "MISMATCH"));
                numbers(String.format("parallelism %s; %d carriers seen; %.0f ms", parallelism, carriers.size(),
                        (System.nanoTime() - t0) / 1e6));
                check(failures, counter == expected, "counter " + counter + " != " + expected);
                break;
            }
            default:
                throw new IllegalArgumentException("no case " + what);
        }
        check(failures, ERRORS.isEmpty(), "errors: " + ERRORS);
    }

    private static boolean locked(Lock lock) {
        return lock instanceof NativeLock ? ((NativeLock) lock).locked() : ((NativeRLock) lock).locked();
    }
}
