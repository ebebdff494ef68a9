// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static io.github.nativethread.ThreadHelpers.LONG_TIMEOUT_S;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Helpers only the {@link OsThread} and {@link Timer} tests need: a bounded join of an OsThread, and
 * the kernel's view of names and stacks (/proc), read without the library. The helpers the core's
 * tests share (bounded waits, /proc thread ids and names, thread dumps, recursion depth, child JVMs)
 * are {@code io.github.nativethread.ThreadHelpers} and {@code ChildJvm}.
 */
final class OsThreadFacts {
    private OsThreadFacts() {}

    /** Joins with a generous bound: a thread that hangs fails the test instead of hanging it. */
    static void join(OsThread t) {
        assertTrue(t.join(LONG_TIMEOUT_S), () -> t + " did not end within " + LONG_TIMEOUT_S + " s");
        assertFalse(t.isAlive(), () -> t + ": isAlive() after a join that returned true");
    }

    // ---- /proc: the kernel's view -------------------------------------------------------------

    /** {@code name} as Linux keeps it: at most 15 bytes of UTF-8, never half a character. */
    static byte[] linuxComm(String name) {
        byte[] all = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(all.length, 15);
        while (n > 0 && n < all.length && (all[n] & 0xC0) == 0x80) n--;  // don't cut a character
        return Arrays.copyOf(all, n);
    }

    /** One line of /proc/self/maps. */
    static final class Mapping {
        final long start, end;
        final String perms;
        final String line;

        Mapping(String line) {
            this.line = line;
            String[] f = line.split("\\s+");
            String[] range = f[0].split("-");
            start = Long.parseUnsignedLong(range[0], 16);
            end = Long.parseUnsignedLong(range[1], 16);
            perms = f[1];
        }

        long size() {
            return end - start;
        }

        @Override
        public String toString() {
            return line;
        }
    }

    static List<Mapping> procMaps() {
        try {
            List<Mapping> maps = new ArrayList<>();
            for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) maps.add(new Mapping(line));
            return maps;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
