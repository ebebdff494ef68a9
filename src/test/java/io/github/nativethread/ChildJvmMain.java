// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Run in a child JVM by {@link NativeThreadTest}: starts one native thread as {@code args[0]} says,
 * and returns from {@code main} at once. The thread waits until the main thread has ended (the
 * launcher detaches it after {@code main} returns), then for {@code args[2]} milliseconds, then
 * writes the marker file {@code args[1]}: the file exists afterwards only if the JVM waited for
 * the thread.
 */
public final class ChildJvmMain {
    private ChildJvmMain() {}

    public static void main(String[] args) {
        String how = args[0];
        Path marker = Paths.get(args[1]);
        long delayMillis = Long.parseLong(args[2]);
        Thread main = Thread.currentThread();
        NativeLock started = new NativeLock();
        started.acquire();
        Runnable body = () -> {
            started.release();
            try {
                main.join();
                Thread.sleep(delayMillis);
                String note = "written by " + Thread.currentThread().getName() + ", daemon=" + Thread.currentThread().isDaemon();
                Files.write(marker, note.getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        switch (how) {
            case "startNewThread":
                NativeThread.startNewThread(body);
                break;
            case "joinable":
                NativeThread.startJoinableThread(body);
                break;
            case "joinable-daemon":
                NativeThread.startJoinableThread(body, true);
                break;
            case "joinable-non-daemon":
                NativeThread.startJoinableThread(body, false);
                break;
            case "builder":
                NativeThread.builder().start(body);
                break;
            case "builder-non-daemon":
                NativeThread.builder().daemon(false).start(body);
                break;
            default:
                throw new IllegalArgumentException(how);
        }
        started.acquire();  // the thread runs
        System.out.println("main returns");
    }
}
