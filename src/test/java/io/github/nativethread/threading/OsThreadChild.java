// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Run in a child JVM by {@link OsThreadTest}: starts one {@link OsThread} and returns from
 * {@code main} while it still runs. {@code args[0]}:
 * <ul>
 * <li>{@code default}: the thread's daemon status is left at its default, the main thread's (not a
 *     daemon). The thread waits until the main thread has ended (the launcher detaches it after
 *     {@code main} returns), prints "main has ended", then waits for a line on stdin, prints
 *     "thread ends" and ends: the JVM must wait for it.</li>
 * <li>{@code daemon}: {@code setDaemon(true)}; the thread waits (up to 120 s) for something that
 *     never comes, then prints "daemon thread ends": the JVM must exit without waiting for it.</li>
 * </ul>
 */
public final class OsThreadChild {
    private OsThreadChild() {}

    public static void main(String[] args) {
        String mode = args[0];
        Thread main = Thread.currentThread();
        NativeLock running = new NativeLock();
        running.acquire();
        OsThread t;
        switch (mode) {
            case "default":
                t = new OsThread(() -> {
                    running.release();
                    try {
                        main.join(60_000);
                        System.out.println(main.isAlive() ? "main still alive" : "main has ended");
                        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                        System.out.println("stdin: " + in.readLine());
                        System.out.println("thread ends, daemon=" + Thread.currentThread().isDaemon());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, "keeps-jvm-alive");
                break;
            case "daemon":
                NativeLock never = new NativeLock();
                never.acquire();
                t = new OsThread(() -> {
                    running.release();
                    never.acquire(120);
                    System.out.println("daemon thread ends");
                }, "daemon-osthread");
                t.setDaemon(true);
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        System.out.println("daemon=" + t.isDaemon());
        t.start();
        if (!running.acquire(60)) throw new AssertionError("the thread did not run");
        System.out.println("main returns");
    }
}
