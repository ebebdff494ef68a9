// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.procMappings;
import static io.github.nativethread.ThreadHelpers.procStatusKb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link ThreadReleaseTest} (Linux): bursts of native threads that end, and
 * what the kernel says about this process afterwards (/proc/self/status, /proc/self/maps). Prints
 * its measurements as "key value" lines and "ok" at the end; any failure is a stack trace and exit
 * status 1. A watchdog ends the JVM with status 3 after 60 s.
 */
public final class ThreadReleaseChild {
    private static final long MIB = 1024 * 1024;
    private static final long WAIT_S = 30;

    private ThreadReleaseChild() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
                System.out.println("watchdog: the child took too long");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // done in time
            }
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        switch (args[0]) {
            case "burst":
                burst(Integer.parseInt(args[1]), Long.parseLong(args[2]) * MIB, Long.parseLong(args[3]) * MIB);
                break;
            case "limit":
                limit(Long.parseLong(args[1]) * MIB, Integer.parseInt(args[2]), Long.parseLong(args[3]) * MIB);
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("ok");
        System.out.flush();
        Runtime.getRuntime().halt(0);  // do not wait for anything
    }

    // ---- burst: n threads, each touching `touch` bytes of a `stack`-byte stack, all alive at once, then all end

    private static void burst(int n, long stack, long touch) throws Exception {
        int depth = depthFor(touch);
        runBurst(16, stack, depth);  // warm up: classes, compiled code, malloc arenas
        Thread.sleep(200);
        long rss0 = procStatusKb("VmRSS"), maps0 = procMappings();
        long t0 = System.nanoTime();
        long[] during = runBurst(n, stack, depth);
        long ended = System.nanoTime();
        Thread.sleep(1000);  // no thread is started from here on
        long rss2 = procStatusKb("VmRSS"), maps2 = procMappings();
        System.out.println("depth " + depth);
        System.out.println("rss-kb " + rss0 + " " + during[0] + " " + rss2);
        System.out.println("mappings " + maps0 + " " + during[1] + " " + maps2);
        System.out.println("burst-ms " + TimeUnit.NANOSECONDS.toMillis(ended - t0));
        System.out.println("after-ms " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended));
    }

    /** Starts n threads that recurse `depth` frames deep, then wait until all have; returns VmRSS
     *  and the number of mappings at that moment, once all have ended. */
    private static long[] runBurst(int n, long stack, int depth) throws InterruptedException {
        CountDownLatch touched = new CountDownLatch(n);
        CountDownLatch gate = new CountDownLatch(1);
        List<ThreadHandle> handles = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                handles.add(NativeThread.builder().stackSize(stack).start(() -> {
                    descend(depth);
                    touched.countDown();
                    try {
                        gate.await(WAIT_S, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            check(touched.await(WAIT_S, TimeUnit.SECONDS), "the threads did not all run");
            return new long[] {procStatusKb("VmRSS"), procMappings()};
        } finally {
            gate.countDown();
            for (ThreadHandle h : handles) check(h.join((double) WAIT_S), "a thread did not end");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (NativeThread.count() > 0 && System.nanoTime() < until) Thread.sleep(1);
            check(NativeThread.count() == 0, "count() " + NativeThread.count());
        }
    }

    /**
     * Recursion whose frames have a fixed size: the child runs with this method excluded from
     * compilation, so every frame is an interpreter frame with 16 long locals. Each frame writes its
     * locals, so every page of the stack it descends through is touched.
     */
    static long descend(int n) {
        long a = n, b = a + 1, c = b + 1, d = c + 1, e = d + 1, f = e + 1, g = f + 1, h = g + 1;
        long i = h + 1, j = i + 1, k = j + 1, l = k + 1, m = l + 1, o = m + 1, p = o + 1, q = p + 1;
        long below = n > 0 ? descend(n - 1) : 0;
        return below + a + b + c + d + e + f + g + h + i + j + k + l + m + o + p + q;
    }

    /** The recursion depth of descend() that uses `bytes` of stack, measured: the depths at which
     *  it overflows 2 MiB and 4 MiB stacks differ by 2 MiB worth of frames. */
    private static int depthFor(long bytes) {
        int d2 = overflowDepth(2 * MIB), d4 = overflowDepth(4 * MIB);
        double frame = (double) (2 * MIB) / (d4 - d2);
        check(frame > 16 && frame < 4096, "frame size " + frame + " (depths " + d2 + ", " + d4 + ")");
        System.out.println("frame-bytes " + Math.round(frame));
        return (int) Math.ceil(bytes / frame);
    }

    private static int overflowDepth(long stack) {
        int[] depth = new int[1];
        ThreadHandle h = NativeThread.builder().stackSize(stack).start(() -> {
            int lo = 0, hi = 1 << 24;  // the deepest descend() that does not overflow
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                try {
                    descend(mid);
                    lo = mid;
                } catch (StackOverflowError e) {
                    hi = mid - 1;
                }
            }
            depth[0] = lo;
        });
        check(h.join((double) WAIT_S), "calibration thread did not end");
        return depth[0];
    }

    // ---- limit: library threads until the address space runs out, then java.lang.Threads ----------

    /**
     * Caps this process's address space (RLIMIT_AS, set with prlimit(1)) at what it uses now plus
     * `fit` stacks of `stack` bytes plus `slack` bytes for the JVM itself (slack < stack). Starts
     * library threads with `stack`-byte stacks that wait until the library refuses one with
     * ThreadError, lets them end, then (with no library start in between) starts as many
     * java.lang.Threads as there were library threads less one, with `stack`-byte stacks, alive at
     * once: they need the address space that the ended threads held (all but one: the last to end
     * may keep its stack until the next start). Then one more library thread.
     */
    private static void limit(long stack, int fit, long slack) throws Exception {
        runBurst(4, stack, 0);  // warm up, and let malloc create its arenas before the limit
        javaThreads(1, stack);
        // a start releases any ended thread the library still holds: measure without them
        check(NativeThread.builder().stackSize(NativeThread.minStackSize()).start(() -> { }).join((double) WAIT_S),
                "a small thread did not end");
        Thread.sleep(100);
        long limit = procStatusKb("VmSize") * 1024 + fit * stack + slack;
        Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
                "--as=" + limit + ":").inheritIO().start();
        check(prlimit.waitFor(WAIT_S, TimeUnit.SECONDS) && prlimit.exitValue() == 0, "prlimit failed");
        System.out.println("limit-mib " + limit / MIB);

        CountDownLatch gate = new CountDownLatch(1);
        List<ThreadHandle> handles = new ArrayList<>();
        String refusal = null;
        try {
            for (int i = 0; i < fit + 4 && refusal == null; i++) {
                try {
                    handles.add(NativeThread.builder().stackSize(stack).start(() -> {
                        try {
                            gate.await(WAIT_S, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }));
                } catch (ThreadError e) {
                    refusal = e.getMessage();
                }
            }
        } finally {
            gate.countDown();
        }
        System.out.println("started " + handles.size());
        System.out.println("refused " + refusal);
        for (ThreadHandle h : handles) check(h.join((double) WAIT_S), "a thread did not end");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (NativeThread.count() > 0 && System.nanoTime() < until) Thread.sleep(1);
        check(NativeThread.count() == 0, "count() " + NativeThread.count());
        Thread.sleep(200);  // the last of them have detached and returned
        System.out.println("vmsize-after-mib " + procStatusKb("VmSize") / 1024);
        javaThreads(handles.size() - 1, stack);
        System.out.println("java-threads " + (handles.size() - 1));
        check(NativeThread.builder().stackSize(stack).start(() -> { }).join((double) WAIT_S), "no thread after all");
        System.out.println("library-thread-after 1");
    }

    /** Starts n java.lang.Threads with `stack`-byte stacks, all alive at once, and joins them. */
    private static void javaThreads(int n, long stack) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(n);
        CountDownLatch gate = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(null, () -> {
                    running.countDown();
                    try {
                        gate.await(WAIT_S, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }, "java-" + i, stack);
                t.start();
                threads.add(t);
            }
            check(running.await(WAIT_S, TimeUnit.SECONDS), "java threads did not run");
        } finally {
            gate.countDown();
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) throw new AssertionError(what);
    }
}
