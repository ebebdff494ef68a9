// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.MIB;
import static io.github.nativethread.ThreadHelpers.blockedStackPointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The kernel's view of a live thread's stack (Linux): the read-write mapping that holds its stack
 * pointer while it is blocked (/proc/self/task/tid/syscall), and the PROT_NONE mappings directly
 * below it. HotSpot protects the bottom of every thread it runs Java on (its guard zone), so a
 * native thread needs no guard page of the library's besides: one would be a mapping more than a
 * {@code java.lang.Thread} of the same size has, as Linux 6.7+ cannot merge the two.
 */
@EnabledOnOs(OS.LINUX)
class StackMappingsTest {
    /** The largest guard page below a stack that the test looks for (64 KiB pages exist). */
    private static final long GUARD_MAX = 64 * 1024;

    @Test
    void aNativeThreadStackIsNoMoreMappingsThanAJavaThreadOfTheSameSize() throws Exception {
        for (long size : new long[] {NativeThread.minStackSize(), 1 * MIB}) {
            List<String> nativeStack = stackMappings(size, true), javaStack = stackMappings(size, false);
            assumeTrue(nativeStack != null && javaStack != null, "this kernel does not show /proc/<pid>/task/<tid>/syscall");
            String both = "stack " + size + ": native " + nativeStack + ", java.lang.Thread " + javaStack;
            assertTrue(nativeStack.size() <= javaStack.size(), both);
            assertEquals(2, nativeStack.size(), "the rw stack and HotSpot's guard zone below it: " + both);
            // the whole of it, guard zone included, is the size asked for
            assertEquals(size, end(nativeStack.get(0)) - start(nativeStack.get(nativeStack.size() - 1)), both);
        }
    }

    /**
     * The mappings of the stack of a blocked thread of that size, from its stack pointer's down
     * through the PROT_NONE ones right below it that begin no more than {@link #GUARD_MAX} below
     * the stack's size (room for a guard page of the library's, which the test must see); a
     * PROT_NONE mapping reaching further down is something else that happens to lie there, such as
     * the 64 MiB a malloc arena reserves. Null if /proc does not show the stack pointer.
     */
    private static List<String> stackMappings(long size, boolean nativeThread) throws Exception {
        AtomicLong tid = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(1), gate = new CountDownLatch(1);
        Runnable body = () -> {
            tid.set(NativeThread.getNativeId());
            ready.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ThreadHandle handle = null;
        Thread thread = null;
        if (nativeThread) {
            handle = NativeThread.builder().stackSize(size).start(body);
        } else {
            thread = new Thread(null, body, "java-" + size, size);
            thread.start();
        }
        try {
            ready.await();
            Long sp = blockedStackPointer(tid.get());
            if (sp == null) return null;
            List<String> maps = Files.readAllLines(Paths.get("/proc/self/maps"));
            int at = -1;
            for (int i = 0; i < maps.size(); i++) {
                if (start(maps.get(i)) <= sp && sp < end(maps.get(i))) at = i;
            }
            assertTrue(at >= 0 && perms(maps.get(at)).startsWith("rw"), "sp " + Long.toHexString(sp) + " in no rw mapping");
            List<String> stack = new ArrayList<>(List.of(maps.get(at)));
            long lowest = end(maps.get(at)) - size - GUARD_MAX;
            for (int i = at - 1; i >= 0 && end(maps.get(i)) == start(maps.get(i + 1))
                    && perms(maps.get(i)).startsWith("---") && start(maps.get(i)) >= lowest; i--) {
                stack.add(maps.get(i));
            }
            return stack;
        } finally {
            gate.countDown();
            if (handle != null) handle.join();
            if (thread != null) thread.join();
        }
    }

    private static long start(String mapsLine) {
        return Long.parseUnsignedLong(mapsLine.substring(0, mapsLine.indexOf('-')), 16);
    }

    private static long end(String mapsLine) {
        return Long.parseUnsignedLong(mapsLine.substring(mapsLine.indexOf('-') + 1, mapsLine.indexOf(' ')), 16);
    }

    private static String perms(String mapsLine) {
        return mapsLine.split("\\s+")[1];
    }
}
