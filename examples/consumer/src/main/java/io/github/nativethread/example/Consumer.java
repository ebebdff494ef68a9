// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.example;

import io.github.nativethread.NativeLock;
import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadHandle;
import java.time.Duration;

/**
 * Uses nativethread as a user's program would and checks what it gets: a thread with an exact stack
 * size, its kernel id, a lock with a timeout. Argument: "class-path" or "module-path", how it is run
 * (checked too). Exit status 1 on any failure.
 */
public final class Consumer {
    private static int failures;

    private Consumer() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "class-path";
        boolean modular = Consumer.class.getModule().isNamed();
        check(modular == mode.equals("module-path"), "running on the " + mode + ": this module is "
                + (modular ? Consumer.class.getModule().getName() : "unnamed") + ", nativethread's is "
                + (NativeThread.class.getModule().isNamed() ? NativeThread.class.getModule().getName() : "unnamed"));

        long size = 512 * 1024;
        long[] seen = new long[2];
        ThreadHandle t = NativeThread.builder().name("consumer-1").stackSize(size).start(() -> {
            seen[0] = NativeThread.currentStackSize();
            seen[1] = NativeThread.getNativeId();
        });
        check(t.join(Duration.ofSeconds(30)), "the thread ended");
        check(seen[0] == size, "stack: asked for " + size + " bytes, the thread has " + seen[0]);
        check(seen[1] > 0 && seen[1] == t.nativeId() && seen[1] != NativeThread.getNativeId(),
                "native id: " + seen[1] + " in the thread, " + t.nativeId() + " on its handle, main's "
                + NativeThread.getNativeId());

        NativeLock lock = new NativeLock();
        lock.acquire();
        long t0 = System.nanoTime();
        boolean got = lock.acquire(Duration.ofMillis(20));
        long waited = System.nanoTime() - t0;
        check(!got && waited >= 20_000_000L, "a held lock's acquire(20 ms) returned " + got + " after "
                + waited / 1000 + " us");
        NativeThread.startNewThread(lock::release);  // any thread may release
        check(lock.acquire(Duration.ofSeconds(30)), "acquired once another thread released it");

        System.out.println("consumer (" + mode + "): " + (failures == 0 ? "ok" : failures + " FAILED"));
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void check(boolean ok, String what) {
        if (!ok) failures++;
        System.out.println((ok ? "PASS  " : "FAIL  ") + what);
    }
}
