package io.github.nativethread.internal;

import io.github.nativethread.KeyboardInterrupt;
import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar nativethread.jar}: a self-check that prints what it measures. */
public final class Doctor {
    private Doctor() {}

    public static void main(String[] args) throws Exception {
        System.out.println("nativethread doctor");
        row("platform", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ")");
        row("library", Native.libraryPath() + ", version " + NativeThread.version() + ", " + Native.loadedFrom());
        row("TIMEOUT_MAX", NativeThread.TIMEOUT_MAX + " s");
        row("minStackSize", NativeThread.minStackSize() + " bytes (page " + Native.PAGE_SIZE + ")");
        row("main thread", "ident " + NativeThread.mainThreadIdent() + ", native id "
                + NativeThread.getNativeId() + ", stack " + NativeThread.currentStackSize() + " bytes");

        System.out.println();
        System.out.printf("  %-12s %-8s %-10s %-16s %-16s %s%n", "requested", "ident", "native id",
                "OS name", "OS stack (bytes)", "/proc comm");
        long[] sizes = {0, NativeThread.minStackSize(), 256 * 1024, 1024 * 1024, 8 * 1024 * 1024};
        for (long size : sizes) {
            String[] facts = new String[5];
            ThreadHandle t = NativeThread.builder().stackSize(size).name("doctor-" + (size / 1024) + "k")
                    .start(() -> {
                        facts[0] = Long.toString(NativeThread.getIdent());
                        facts[1] = Long.toString(NativeThread.getNativeId());
                        facts[2] = NativeThread.getName();
                        facts[3] = Long.toString(NativeThread.currentStackSize());
                        facts[4] = procComm(NativeThread.getNativeId());
                    });
            t.join();
            System.out.printf("  %-12s %-8s %-10s %-16s %-16s %s%n", size == 0 ? "default" : size + "",
                    facts[0], facts[1], facts[2], facts[3], facts[4]);
        }
        System.out.println();

        NativeLock lock = new NativeLock();
        lock.acquire();
        long t0 = System.nanoTime();
        boolean got = lock.acquire(0.05);
        row("timed acquire", "acquire(0.05) of a held lock returned " + got + " after "
                + ms(System.nanoTime() - t0) + " ms");

        // interruptMain from a watchdog while this (main) thread is blocked in acquire
        if (NativeThread.mainThreadIdent() == NativeThread.getIdent()) {
            CountDownLatch started = new CountDownLatch(1);
            long[] sentAt = new long[1];
            ThreadHandle watchdog = NativeThread.startJoinableThread(() -> {
                started.countDown();
                while (!lock.locked()) Thread.onSpinWait();
                sleepQuietly();
                sentAt[0] = System.nanoTime();
                NativeThread.interruptMain();
            });
            started.await();
            String outcome;
            try {
                lock.acquire(10.0);
                outcome = "was not interrupted";
            } catch (KeyboardInterrupt expected) {
                long woke = System.nanoTime();
                watchdog.join();
                outcome = "interruptMain() ended the blocked acquire(10.0) with KeyboardInterrupt in "
                        + String.format("%.3f", (woke - sentAt[0]) / 1e6) + " ms";
            }
            row("interrupt", outcome);
        }
        row("threads running", Integer.toString(NativeThread.count()));
        System.out.println("ok");
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(50);  // let the main thread park: the demo measures a real wake-up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String procComm(long tid) {
        Path comm = Paths.get("/proc/self/task/" + tid + "/comm");
        try {
            return Files.exists(comm) ? new String(Files.readAllBytes(comm), StandardCharsets.UTF_8).trim() : "-";
        } catch (java.io.IOException e) {
            return "unreadable";
        }
    }

    private static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    private static void row(String name, String value) {
        System.out.printf("  %-16s %s%n", name + ":", value);
    }
}
