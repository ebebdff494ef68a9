// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.Native;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Child JVM of LoaderTest: loads the library as its system properties say and prints the outcome. */
public final class LoaderChild {
    private LoaderChild() {}

    public static void main(String[] args) {
        try {
            System.out.println("loaded " + NativeThread.version() + " from " + Native.libraryPath()
                    + " (" + Native.loadedFrom() + ")");
            System.out.println("file still there: " + Files.exists(Paths.get(Native.libraryPath())));
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
