// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static io.github.nativethread.ThreadHelpers.KIB;
import static io.github.nativethread.ThreadHelpers.callIn;
import static io.github.nativethread.ThreadHelpers.procComm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad arguments: the exception type and the message API.md promises, and nothing changed after. */
class ThreadBadInputTest {
    private long savedStackSize;
    private int countBefore;

    @BeforeEach
    void save() {
        savedStackSize = NativeThread.stackSize();
        countBefore = NativeThread.count();
    }

    @AfterEach
    void restore() {
        NativeThread.stackSize(savedStackSize);
        assertEquals(countBefore, NativeThread.count(), "a thread leaked");
    }

    private static <T extends Throwable> T assertThrowsWith(Class<T> type, String messagePart, Executable code) {
        T e = assertThrows(type, code);
        assertSame(type, e.getClass(), e::toString);
        assertTrue(e.getMessage() != null && e.getMessage().contains(messagePart),
                () -> "message \"" + e.getMessage() + "\" lacks \"" + messagePart + "\"");
        return e;
    }

    static long[] badStackSizes() {
        long min = NativeThread.minStackSize();
        return new long[] {-1, 1, 4096, 32767, min - 1, -min, Long.MIN_VALUE, Integer.MIN_VALUE};
    }

    // ---- stack sizes -------------------------------------------------------------------------

    @Test
    void badStackSizeIsRejectedAndTheSettingUnchanged() {
        NativeThread.stackSize(512 * KIB);
        for (long bad : badStackSizes()) {
            assertThrowsWith(IllegalArgumentException.class, "size not valid: " + bad + " bytes", () -> NativeThread.stackSize(bad));
            assertEquals(512 * KIB, NativeThread.stackSize(), "unchanged after stackSize(" + bad + ")");
        }
        NativeThread.stackSize(0);
        for (long bad : badStackSizes()) {
            assertThrows(IllegalArgumentException.class, () -> NativeThread.stackSize(bad));
            assertEquals(0, NativeThread.stackSize());
        }
    }

    @Test
    void goodStackSizesAreAcceptedAndReturnThePrevious() {
        long min = NativeThread.minStackSize();
        assertEquals(savedStackSize, NativeThread.stackSize(min));
        assertEquals(min, NativeThread.stackSize(min + 1));
        assertEquals(min + 1, NativeThread.stackSize(0));
        assertEquals(0, NativeThread.stackSize(1L << 40), "any size above the minimum is accepted up front");
        assertEquals(1L << 40, NativeThread.stackSize(0));
    }

    @Test
    void builderRejectsBadStackSizesAndKeepsItsSetting() {
        NativeThread.Builder builder = NativeThread.builder().stackSize(256 * KIB);
        for (long bad : badStackSizes()) {
            assertThrowsWith(IllegalArgumentException.class, "size not valid: " + bad + " bytes", () -> builder.stackSize(bad));
        }
        long size = callIn(builder, NativeThread::currentStackSize);
        // still 256 KiB, not the 8 MiB-ish default (glibc may reuse a cached stack of at most 4 times the request)
        assertTrue(size >= 256 * KIB && size <= NativeFactsTest.cachedStackBound(256 * KIB, 4096), "stack " + size);
        assertEquals(0, NativeThread.stackSize(), "a builder's size does not change the module's setting");
    }

    @Test
    void builderAcceptsZeroAndTheMinimum() {
        assertTrue(callIn(NativeThread.builder().stackSize(0), NativeThread::currentStackSize) > 0);
        assertTrue(callIn(NativeThread.builder().stackSize(NativeThread.minStackSize()), NativeThread::currentStackSize)
                >= NativeThread.minStackSize());
    }

    /** A stack no machine can map: the OS refuses; ThreadError says so with the OS's reason. */
    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, 1L << 62, 1L << 47})
    void impossibleStackIsThreadErrorWithAReason(long size) {
        checkCannotStart(size);
    }

    /** A 1 TiB stack: refused unless the kernel overcommits memory without limit. */
    @Test
    void oneTebibyteStackIsThreadErrorWithAReason() throws IOException {
        if (System.getProperty("os.name").startsWith("Linux")) {
            String mode = new String(Files.readAllBytes(Paths.get("/proc/sys/vm/overcommit_memory")), StandardCharsets.US_ASCII).trim();
            assumeFalse(mode.equals("1"), "vm.overcommit_memory=1: the kernel would map a 1 TiB stack");
        }
        checkCannotStart(1L << 40);
    }

    private void checkCannotStart(long size) {
        AtomicBoolean ran = new AtomicBoolean();
        Runnable body = () -> ran.set(true);
        checkThreadError(() -> NativeThread.builder().stackSize(size).start(body));
        long old = NativeThread.stackSize(size);
        try {
            checkThreadError(() -> NativeThread.startNewThread(body));
            checkThreadError(() -> NativeThread.startJoinableThread(body));
            checkThreadError(() -> NativeThread.startJoinableThread(body, false));
        } finally {
            NativeThread.stackSize(old);
        }
        assertFalse(ran.get(), "the function ran");
        assertEquals(countBefore, NativeThread.count(), "count() unchanged");
        assertEquals("still fine", callIn(() -> "still fine"), "threads start again afterwards");
    }

    private void checkThreadError(Executable start) {
        String prefix = "can't start new thread";
        ThreadError e = assertThrowsWith(ThreadError.class, prefix, start);
        String message = e.getMessage();
        assertTrue(message.startsWith(prefix), message);
        String reason = message.substring(prefix.length()).replaceFirst("^[:\\s]+", "");
        assertTrue(reason.length() >= 3, "no OS reason after the prefix: \"" + message + "\"");
        assertEquals(countBefore, NativeThread.count(), "count() unchanged after " + message);
    }

    // ---- functions ---------------------------------------------------------------------------

    @Test
    void nullFunctionIsNullPointerException() {
        assertThrows(NullPointerException.class, () -> NativeThread.startNewThread(null));
        assertThrows(NullPointerException.class, () -> NativeThread.startJoinableThread(null));
        assertThrows(NullPointerException.class, () -> NativeThread.startJoinableThread(null, false));
        assertThrows(NullPointerException.class, () -> NativeThread.builder().start(null));
        assertEquals(countBefore, NativeThread.count());
    }

    // ---- names -------------------------------------------------------------------------------

    @Test
    void nullNameIsNullPointerException() {
        assertThrows(NullPointerException.class, () -> NativeThread.setName(null));
        assertThrows(NullPointerException.class, () -> NativeThread.builder().name(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\0b", "\0", "trailing\0", "\0leading"})
    void nameWithNulIsIllegalArgument(String name) {
        assertThrowsWith(IllegalArgumentException.class, "null", () -> NativeThread.builder().name(name));
        assertThrowsWith(IllegalArgumentException.class, "null", () -> NativeThread.setName(name));
    }

    @Test
    void builderKeepsItsNameAfterABadOne() {
        NativeThread.Builder builder = NativeThread.builder().name("good-name");
        assertThrows(IllegalArgumentException.class, () -> builder.name("bad\0name"));
        assertThrows(NullPointerException.class, () -> builder.name(null));
        assertEquals("good-name", callIn(builder, () -> Thread.currentThread().getName()));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aRejectedNameLeavesTheOsNameAlone() {
        byte[][] seen = callIn(() -> {
            NativeThread.setName("before");
            byte[] before = procComm();
            assertThrows(IllegalArgumentException.class, () -> NativeThread.setName("after\0wards"));
            assertThrows(NullPointerException.class, () -> NativeThread.setName(null));
            return new byte[][] {before, procComm()};
        });
        assertArrayEquals("before".getBytes(StandardCharsets.UTF_8), seen[0]);
        assertArrayEquals(seen[0], seen[1]);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void nativeIdOfTheMainThreadIsItsKernelTid() {
        assertEquals(ThreadHelpers.procTid(), NativeThread.getNativeId());
    }

    // ---- timeouts of join --------------------------------------------------------------------

    @Test
    void badJoinTimeoutsAreIllegalArgument() {
        NativeLock gate = new NativeLock();
        gate.acquire();
        ThreadHandle handle = NativeThread.startJoinableThread(gate::acquire);
        try {
            for (double bad : new double[] {-2, -0.5, -1e-9, Double.NEGATIVE_INFINITY}) {
                assertThrowsWith(IllegalArgumentException.class, "timeout value must be a non-negative number", () -> handle.join(bad));
            }
            for (double bad : new double[] {NativeThread.TIMEOUT_MAX * 2, Double.POSITIVE_INFINITY, 1e300}) {
                assertThrowsWith(IllegalArgumentException.class, "timeout value is too large", () -> handle.join(bad));
            }
            assertThrows(IllegalArgumentException.class, () -> handle.join(Double.NaN));
            assertFalse(handle.isDone(), "bad timeouts did not wait or end anything");
        } finally {
            gate.release();
        }
        ThreadHelpers.join(handle);
        // as in CPython, the argument is checked before looking at the thread
        assertThrowsWith(IllegalArgumentException.class, "timeout value must be a non-negative number", () -> handle.join(-2));
        assertThrows(IllegalArgumentException.class, () -> handle.join(Double.NaN));
        assertTrue(handle.join(0));
    }
}
