package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** What the library says about threads, checked against what Linux says in /proc. */
@EnabledOnOs(OS.LINUX)
class NativeFactsTest {
    /** The kernel tid of the calling thread: /proc/thread-self links to "<pid>/task/<tid>". */
    static long procTid() throws IOException {
        Path link = Files.readSymbolicLink(Paths.get("/proc/thread-self"));
        return Long.parseLong(link.getFileName().toString());
    }

    static String procComm() throws IOException {
        return new String(Files.readAllBytes(Paths.get("/proc/thread-self/comm")), StandardCharsets.UTF_8).trim();
    }

    /** Runs {@code body} in a new native thread and returns what it returned. */
    static <T> T inThread(NativeThread.Builder builder, ThrowingSupplier<T> body) {
        AtomicReference<Object> result = new AtomicReference<>();
        builder.start(() -> {
            try {
                result.set(body.get());
            } catch (Throwable e) {
                result.set(e);
            }
        }).join();
        if (result.get() instanceof Throwable) throw new AssertionError((Throwable) result.get());
        @SuppressWarnings("unchecked")
        T t = (T) result.get();
        return t;
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void nativeIdIsTheKernelTid() throws Exception {
        assertEquals(procTid(), NativeThread.getNativeId());
        long[] seen = inThread(NativeThread.builder(), () -> new long[] {NativeThread.getNativeId(), procTid()});
        assertEquals(seen[1], seen[0]);
        assertTrue(seen[0] != NativeThread.getNativeId());
    }

    @Test
    void handleNativeIdIsTheThreadsKernelTid() throws Exception {
        long[] tid = new long[1];
        ThreadHandle h = NativeThread.startJoinableThread(() -> {
            try {
                tid[0] = procTid();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        h.join();
        assertEquals(tid[0], h.nativeId());
    }

    @Test
    void builderNameIsTheOsNameTruncatedTo15Bytes() throws Exception {
        String name = "a-rather-long-worker-name";
        String[] seen = inThread(NativeThread.builder().name(name),
                () -> new String[] {procComm(), NativeThread.getName(), Thread.currentThread().getName()});
        assertEquals(name.substring(0, 15), seen[0]);
        assertEquals(seen[0], seen[1]);
        assertEquals(name, seen[2]);  // the Java name is whole
    }

    @Test
    void setNameChangesTheOsNameOfTheCallingThreadOnly() throws Exception {
        String[] seen = inThread(NativeThread.builder().name("before"), () -> {
            NativeThread.setName("after");
            return new String[] {procComm(), NativeThread.getName(), Thread.currentThread().getName()};
        });
        assertEquals("after", seen[0]);
        assertEquals("after", seen[1]);
        assertEquals("before", seen[2]);
    }

    @Test
    void truncationNeverSplitsACharacter() throws Exception {
        String name = "aaaaaaaaaaaaaa\u20ac";  // 14 bytes + a 3-byte character
        String[] seen = inThread(NativeThread.builder().name(name),
                () -> new String[] {procComm(), NativeThread.getName()});
        assertEquals("aaaaaaaaaaaaaa", seen[0]);
        assertEquals("aaaaaaaaaaaaaa", seen[1]);
        String fits = "caf\u00e9-\u00fcber";  // 11 bytes: kept whole
        assertEquals(fits, inThread(NativeThread.builder().name(fits), NativeFactsTest::procComm));
    }

    @Test
    void stackSizeIsExactAsTheOsReportsIt() {
        for (long size : new long[] {NativeThread.minStackSize(), 256 * 1024, 4 * 1024 * 1024}) {
            long seen = inThread(NativeThread.builder().stackSize(size), NativeThread::currentStackSize);
            assertEquals(size, seen, "stack of a thread started with " + size);
        }
    }

    @Test
    void stackSizeRoundsUpToThePageSize() {
        long request = NativeThread.minStackSize() + 1;
        long seen = inThread(NativeThread.builder().stackSize(request), NativeThread::currentStackSize);
        assertTrue(seen >= request && seen < request + 64 * 1024, "stack " + seen);
        assertEquals(0, seen % 4096);
    }

    @Test
    void aBiggerStackRecursesDeeper() {
        int small = inThread(NativeThread.builder().stackSize(256 * 1024), NativeFactsTest::maxDepth);
        int big = inThread(NativeThread.builder().stackSize(4 * 1024 * 1024), NativeFactsTest::maxDepth);
        assertTrue(small > 100, "depth on 256 KiB: " + small);
        assertTrue(big > 4 * small, "depth on 4 MiB " + big + " vs 256 KiB " + small);
    }

    @Test
    void theSmallestAllowedStackRunsJavaCode() {
        int depth = inThread(NativeThread.builder().stackSize(NativeThread.minStackSize()), NativeFactsTest::maxDepth);
        assertTrue(depth > 10, "depth " + depth);
    }

    @Test
    void minStackSizeIsTheJvmsOwnFloor() {
        assertTrue(NativeThread.minStackSize() >= 32768);
        if (System.getProperty("os.arch").equals("amd64")) {
            assertTrue(NativeThread.minStackSize() >= 136 * 1024, Long.toString(NativeThread.minStackSize()));
        }
    }

    private static int depth;

    private static void recurse() {
        depth++;
        recurse();
    }

    /** How deep a plain recursion goes before StackOverflowError. */
    static int maxDepth() {
        depth = 0;
        try {
            recurse();
        } catch (StackOverflowError expected) {
            // measured
        }
        return depth;
    }
}
