package io.github.nativethread;

import java.nio.file.Files;
import java.nio.file.Paths;

/** Child JVM of ThreadsTest: main returns at once; a native thread writes a file 300 ms later. */
public final class NonDaemonChild {
    private NonDaemonChild() {}

    public static void main(String[] args) {
        boolean daemon = Boolean.parseBoolean(args[0]);
        NativeThread.startJoinableThread(() -> {
            try {
                Thread.sleep(300);  // outlive main: that is the point
                Files.write(Paths.get(args[1]), new byte[] {1});
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, daemon);
    }
}
