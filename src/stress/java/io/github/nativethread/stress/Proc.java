// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The kernel's view of this process, from /proc/self (read without the library). */
final class Proc {
    private Proc() {}

    /** One reading: kernel tasks (threads), mappings, open file descriptors, resident set. */
    static final class Snap {
        final int tasks;
        final int maps;
        final int fds;
        final long rssKb;

        Snap(int tasks, int maps, int fds, long rssKb) {
            this.tasks = tasks;
            this.maps = maps;
            this.fds = fds;
            this.rssKb = rssKb;
        }

        long rssMb() {
            return Math.round(rssKb / 1024.0);
        }

        @Override
        public String toString() {
            return "tasks " + tasks + ", maps " + maps + ", fds " + fds + ", rss " + rssMb() + " MB";
        }
    }

    static Snap snap() {
        List<String> status = lines("/proc/self/status");
        return new Snap((int) field(status, "Threads:"), mappings(), fds(), field(status, "VmRSS:"));
    }

    /** "Threads:" of /proc/self/status: the kernel's task count. */
    static int tasks() {
        return (int) field(lines("/proc/self/status"), "Threads:");
    }

    /** Tasks of this process whose kernel name (/proc/self/task/TID/comm) starts with {@code prefix}. */
    static int tasksNamed(String prefix) {
        int n = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
            for (Path task : d) {
                try {
                    String comm = new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.UTF_8);
                    if (comm.startsWith(prefix)) n++;
                } catch (NoSuchFileException | AccessDeniedException gone) {
                    // the task ended meanwhile
                } catch (IOException e) {
                    if (Files.exists(task)) throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** Lines of /proc/self/maps. */
    static int mappings() {
        int n = 0;
        try (BufferedReader r = Files.newBufferedReader(Paths.get("/proc/self/maps"), StandardCharsets.US_ASCII)) {
            while (r.readLine() != null) n++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** Entries of /proc/self/fd, less the one the listing itself holds open. */
    static int fds() {
        int n = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path ignored : d) n++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n - 1;
    }

    /**
     * The library's thread stacks as /proc/self/smaps shows them: contiguous anonymous mappings that
     * start PROT_NONE (the library's guard page, then HotSpot's guard zones while the thread is
     * attached) and end read-write, together exactly {@code stackSize} plus one guard page. Returns
     * {count, resident kB of those mappings}.
     */
    static long[] stacks(long stackSize, long pageSize) {
        List<long[]> maps = new ArrayList<>();  // {start, end, prot none?, read-write?, anonymous?, rss kB}
        try (BufferedReader r = Files.newBufferedReader(Paths.get("/proc/self/smaps"), StandardCharsets.ISO_8859_1)) {
            long[] current = null;
            for (String line; (line = r.readLine()) != null; ) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && isHex(line, 0, dash)) {
                    String[] f = line.trim().split("\\s+");
                    current = new long[] {Long.parseUnsignedLong(line.substring(0, dash), 16),
                        Long.parseUnsignedLong(line.substring(dash + 1, space), 16),
                        f[1].startsWith("---") ? 1 : 0, f[1].startsWith("rw-") ? 1 : 0,
                        f.length <= 5 && f[4].equals("0") ? 1 : 0, 0};
                    maps.add(current);
                } else if (current != null && line.startsWith("Rss:")) {
                    current[5] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long count = 0, rssKb = 0;
        int runFrom = 0;  // first mapping of the current contiguous anonymous run
        for (int i = 0; i < maps.size(); i++) {
            long[] m = maps.get(i);
            if (m[4] == 0 || (i > runFrom && maps.get(i - 1)[1] != m[0])) runFrom = i;
            if (m[4] == 0 || m[3] == 0) continue;
            for (int j = Math.max(runFrom, i - 8); j < i; j++) {
                long[] first = maps.get(j);
                if (first[2] == 1 && m[1] - first[0] == stackSize + pageSize) {
                    count++;
                    for (int k = j; k <= i; k++) rssKb += maps.get(k)[5];
                    runFrom = i + 1;
                    break;
                }
            }
        }
        return new long[] {count, rssKb};
    }

    /** The kernel's page size for this process's mappings (KernelPageSize in /proc/self/smaps). */
    static long pageSize() {
        try (BufferedReader r = Files.newBufferedReader(Paths.get("/proc/self/smaps"), StandardCharsets.ISO_8859_1)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("KernelPageSize:")) {
                    return Long.parseLong(line.substring(15).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no KernelPageSize in /proc/self/smaps");
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) return false;
        }
        return to > from;
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Paths.get(path), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long field(List<String> lines, String key) {
        for (String l : lines) {
            if (l.startsWith(key)) return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }
}
