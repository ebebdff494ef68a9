// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/** Child JVM of BadInputTest: started with a made-up os.arch, so no library fits. */
public final class MissingPlatformChild {
    private MissingPlatformChild() {}

    public static void main(String[] args) {
        try {
            NativeThread.getNativeId();
            System.out.println("loaded");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
