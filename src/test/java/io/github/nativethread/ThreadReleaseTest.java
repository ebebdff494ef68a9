// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Ended threads give their stacks, mappings and OS threads back promptly, without waiting for
 * another thread to start; checked in child JVMs ({@link ThreadReleaseChild}) against what the
 * kernel says (/proc/self/status, /proc/self/maps), not what the library says.
 */
@EnabledOnOs(OS.LINUX)
class ThreadReleaseTest {
    private static final long MIB = 1024 * 1024;

    /**
     * 1000 threads with 8 MiB stacks each touch 1 MiB of it and wait until all have; then all end.
     * One second later, with no thread started since, VmRSS is within 64 MB of what it was before
     * the burst and the number of mappings within 100 of it.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void memoryReturnsToTheBaselineAfterABurstOfThreadsEnds() throws Exception {
        int threads = 1000;
        ChildJvm child = new ChildJvm(
                "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",  // a heap that does not grow
                "-XX:CompileCommand=quiet",
                "-XX:CompileCommand=exclude," + ThreadReleaseChild.class.getName() + "::descend",
                ThreadReleaseChild.class.getName(), "burst", Integer.toString(threads), "8", "1");
        Map<String, long[]> facts = finish(child);
        long[] rss = facts.get("rss-kb"), maps = facts.get("mappings");
        String report = String.format("VmRSS before %d MB, during %d MB, 1 s after %d MB; mappings %d, %d, %d;"
                        + " %d threads in %d ms (recursion depth %d, frame %d bytes)",
                rss[0] / 1024, rss[1] / 1024, rss[2] / 1024, maps[0], maps[1], maps[2], threads,
                facts.get("burst-ms")[0], facts.get("depth")[0], facts.get("frame-bytes")[0]);
        System.out.println("ThreadReleaseTest: " + report);
        // the burst was real: each thread touched about 1 MiB of its stack, each stack is mapped
        assertTrue(rss[1] - rss[0] >= threads * 1024L * 9 / 10, "RSS did not rise by ~1 MiB a thread: " + report);
        assertTrue(maps[1] - maps[0] >= threads, "the stacks are not in /proc/self/maps: " + report);
        // and it is over
        assertTrue(Math.abs(maps[2] - maps[0]) <= 100, "mappings have not come back within 100: " + report);
        assumeTrue(Doctor.EMULATOR == null, () -> "under " + Doctor.EMULATOR + " VmRSS is the emulator's, which"
                + " keeps memory of its own per thread run (the program's mappings came back): " + report);
        assertTrue(rss[2] - rss[0] <= 64 * 1024, "RSS has not come back within 64 MB: " + report);
    }

    /**
     * With the address space capped (RLIMIT_AS) at room for 4 more 512 MiB stacks and 256 MiB more,
     * the library refuses a thread with ThreadError and the JVM lives on; once the library's threads
     * have ended, java.lang.Threads get the room they held (all but the last to end's): 512 MiB
     * stacks, alive at once. The address space is capped by the child itself (prlimit(1) on its own
     * pid), relative to what it uses then.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void atTheAddressSpaceLimitTheLibraryRefusesAndEndedThreadsMakeRoom() throws Exception {
        assumeTrue(Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Paths.get(dir, "prlimit"))), "prlimit(1) (util-linux) is not on the PATH");
        Map<String, String> env = new HashMap<>();
        env.put("MALLOC_ARENA_MAX", "2");  // no 64 MiB malloc arena per new thread
        ChildJvm child = new ChildJvm(env,
                "-Xms64m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:ReservedCodeCacheSize=32m",
                "-XX:MaxMetaspaceSize=64m", "-XX:CompressedClassSpaceSize=64m",
                ThreadReleaseChild.class.getName(), "limit", "512", "4", "256");
        Map<String, long[]> facts = finish(child);
        String out = String.join("\n", child.lines);
        System.out.println("ThreadReleaseTest: " + out.replace('\n', ';'));
        long started = facts.get("started")[0];
        assertTrue(started >= 2 && started <= 5, out);  // 4 fit, unless the JVM itself changed a lot
        assertTrue(out.contains("refused can't start new thread: "), out);
        assertEquals(started - 1, facts.get("java-threads")[0], out);
        assertTrue(facts.containsKey("library-thread-after"), out);
    }

    /** Waits for the child, checks it ended well, and returns its "key number..." lines. */
    private static Map<String, long[]> finish(ChildJvm child) throws Exception {
        int exit = child.finish();
        String out = String.join("\n", child.lines);
        assertEquals(0, exit, out);
        assertTrue(child.lines.contains("ok"), out);
        Map<String, long[]> facts = new HashMap<>();
        for (String line : child.lines) {
            String[] f = line.split(" ");
            if (f.length < 2 || !f[1].matches("-?\\d+")) continue;
            long[] values = new long[f.length - 1];
            for (int i = 1; i < f.length; i++) values[i - 1] = Long.parseLong(f[i]);
            facts.put(f[0], values);
        }
        return Collections.unmodifiableMap(facts);
    }
}
