package io.github.nativethread;

import io.github.nativethread.internal.Native;

/** Child JVM of LoaderTest: loads the library as its system properties say and prints the outcome. */
public final class LoaderChild {
    private LoaderChild() {}

    public static void main(String[] args) {
        try {
            System.out.println("loaded " + NativeThread.version() + " from " + Native.libraryPath()
                    + " (" + Native.loadedFrom() + ")");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
