// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jar's natives/<key>/ directory each platform loads from, and how a musl JVM is told apart. */
class PlatformKeyTest {
    /** Lines of /proc/self/maps of a JVM on Debian (glibc), as this machine's show them. */
    private static final List<String> GLIBC_MAPS = Arrays.asList(
            "55d0c2a00000-55d0c2a01000 r--p 00000000 fe:00 1311130                    /usr/lib/jvm/java-21-openjdk-amd64/bin/java",
            "7f663ad00000-7f663ad26000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f663ad26000-7f663ae7c000 r-xp 00026000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f663b0a1000-7f663b0a3000 rw-p 00000000 00:00 0 ",
            "7f663b0c4000-7f663b0c5000 r--p 00000000 fe:00 339377                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            "7ffd0ae3d000-7ffd0ae5e000 rw-p 00000000 00:00 0                          [stack]");
    /** Lines of /proc/self/maps of a JVM on Alpine (musl), in its layout: the JDK under /opt/java/openjdk
     *  (as in eclipse-temurin's alpine images), musl's loader, which is its libc, /lib/ld-musl-x86_64.so.1. */
    private static final List<String> ALPINE_MAPS = Arrays.asList(
            "5603a6a35000-5603a6a36000 r--p 00000000 00:2e 2623390                    /opt/java/openjdk/bin/java",
            "7f2d5a1e7000-7f2d5a1f0000 r-xp 00000000 00:2e 2623417                    /opt/java/openjdk/lib/libjli.so",
            "7f2d5a200000-7f2d5a214000 r--p 00000000 00:2e 1054                       /lib/ld-musl-x86_64.so.1",
            "7f2d5a214000-7f2d5a25c000 r-xp 00014000 00:2e 1054                       /lib/ld-musl-x86_64.so.1",
            "7f2d5a293000-7f2d5a294000 rw-p 00000000 00:00 0 ",
            "7ffc3c5d1000-7ffc3c5f2000 rw-p 00000000 00:00 0                          [stack]");

    @Test
    void keys() {
        assertEquals("linux_64", NativeLibrary.platform("Linux", "amd64", false));
        assertEquals("linux_arm64", NativeLibrary.platform("Linux", "aarch64", false));
        assertEquals("linux_musl_64", NativeLibrary.platform("Linux", "amd64", true));
        assertEquals("linux_musl_arm64", NativeLibrary.platform("Linux", "aarch64", true));
        assertEquals("windows_64", NativeLibrary.platform("Windows 11", "amd64", false));
        assertEquals("windows_arm64", NativeLibrary.platform("Windows 11", "aarch64", false));
        assertEquals("osx_64", NativeLibrary.platform("Mac OS X", "x86_64", false));
        assertEquals("osx_arm64", NativeLibrary.platform("Mac OS X", "aarch64", false));
        // musl is a Linux C library: it never changes another OS's key
        assertEquals("windows_arm64", NativeLibrary.platform("Windows 11", "aarch64", true));
        // a platform nativethread does not build keeps a key of its own, for the error message
        assertEquals("freebsd_64", NativeLibrary.platform("FreeBSD", "amd64", false));
    }

    @Test
    void everyBuiltKeyIsAPlatform() {
        assertEquals(Arrays.asList("linux_64", "linux_arm64", "linux_musl_64", "linux_musl_arm64", "osx_64",
                "osx_arm64", "windows_64", "windows_arm64"), Arrays.asList(NativeLibrary.PLATFORMS));
    }

    @Test
    void muslFromTheMappedLibc() {
        assertFalse(NativeLibrary.isMusl(GLIBC_MAPS));
        assertTrue(NativeLibrary.isMusl(ALPINE_MAPS));
        // Alpine's name for the same loader
        assertTrue(NativeLibrary.isMusl(Arrays.asList(
                "7f2d5a200000-7f2d5a214000 r--p 00000000 00:2e 1054   /lib/libc.musl-aarch64.so.1")));
        // a path that merely contains "musl" is no musl loader
        assertFalse(NativeLibrary.isMusl(Arrays.asList(
                "7f2d5a200000-7f2d5a214000 r--p 00000000 00:2e 1054   /opt/ld-musl-x86_64.so.1-backup/libfoo.so")));
        assertFalse(NativeLibrary.isMusl(Arrays.asList()));
    }

    /** This JVM (the build's: glibc, as build.sh's Debian) gets the key its own maps say. */
    @Test
    void thisJvm() throws IOException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        boolean linux = os.startsWith("Linux");
        boolean musl = linux && NativeLibrary.isMusl(Files.readAllLines(Paths.get("/proc/self/maps"), StandardCharsets.ISO_8859_1));
        assertEquals(NativeLibrary.platform(os, arch, musl), NativeLibrary.platform());
        assertEquals(NativeLibrary.platform(), Native.platformKey());
    }
}
