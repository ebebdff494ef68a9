package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad input gets a clear exception, never a crash, and leaves the state alone. */
class BadInputTest {
    static void assertIae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void nullFunction() {
        assertThrows(NullPointerException.class, () -> NativeThread.startNewThread(null));
        assertThrows(NullPointerException.class, () -> NativeThread.startJoinableThread(null));
        assertThrows(NullPointerException.class, () -> NativeThread.builder().start(null));
    }

    @Test
    void badStackSizes() {
        long min = NativeThread.minStackSize();
        long before = NativeThread.stackSize();
        for (long bad : new long[] {-1, 1, 4096, 32767, min - 1, Long.MIN_VALUE}) {
            assertIae("size not valid: " + bad + " bytes", () -> NativeThread.stackSize(bad));
            assertEquals(before, NativeThread.stackSize());
            assertIae("size not valid: " + bad + " bytes", () -> NativeThread.builder().stackSize(bad));
        }
    }

    @Test
    void aStackTheOsCannotGive() {
        int count = NativeThread.count();
        ThreadError e = assertThrows(ThreadError.class,
                () -> NativeThread.builder().stackSize(1L << 40).start(() -> {}));
        assertTrue(e.getMessage().startsWith("can't start new thread: "), e.getMessage());
        assertTrue(e.getMessage().length() > "can't start new thread: ".length() + 3, e.getMessage());
        assertEquals(count, NativeThread.count());
        ThreadError huge = assertThrows(ThreadError.class,
                () -> NativeThread.builder().stackSize(Long.MAX_VALUE).start(() -> {}));
        assertTrue(huge.getMessage().startsWith("can't start new thread"), huge.getMessage());
        assertEquals(count, NativeThread.count());
    }

    @Test
    void badNames() {
        assertThrows(NullPointerException.class, () -> NativeThread.setName(null));
        assertThrows(NullPointerException.class, () -> NativeThread.builder().name(null));
        assertIae("embedded null character", () -> NativeThread.setName("a\0b"));
        assertIae("embedded null character", () -> NativeThread.builder().name("a\0b"));
    }

    @Test
    void badTimeouts() {
        NativeLock lock = new NativeLock();
        NativeRLock rlock = new NativeRLock();
        for (BaseLock l : new BaseLock[] {lock, rlock}) {
            assertIae("can't specify a timeout for a non-blocking call", () -> l.acquire(false, 1.0));
            assertIae("can't specify a timeout for a non-blocking call", () -> l.acquire(false, 0.0));
            assertIae("timeout value must be a non-negative number", () -> l.acquire(-2));
            assertIae("timeout value must be a non-negative number", () -> l.acquire(-1.5));
            assertIae("timeout value must be a non-negative number", () -> l.acquire(Double.NEGATIVE_INFINITY));
            assertIae("timeout value is too large", () -> l.acquire(NativeThread.TIMEOUT_MAX * 2));
            assertIae("timeout value is too large", () -> l.acquire(Double.POSITIVE_INFINITY));
            assertIae("NaN", () -> l.acquire(Double.NaN));
            assertFalse(l.locked());
            assertTrue(l.acquire(NativeThread.TIMEOUT_MAX));  // the largest is accepted
            assertEquals(l == rlock, l.acquire(false, -1));  // only the RLock re-enters
            l.release();
            if (l == rlock) l.release();
        }
        assertFalse(lock.locked());
        ThreadHandle h = NativeThread.startJoinableThread(() -> {});
        assertIae("timeout value must be a non-negative number", () -> h.join(-0.5));
        assertIae("timeout value is too large", () -> h.join(Double.POSITIVE_INFINITY));
        assertIae("NaN", () -> h.join(Double.NaN));
        h.join();
    }

    @Test
    void releasingWhatIsNotHeld() {
        NativeLock lock = new NativeLock();
        ThreadError e = assertThrows(ThreadError.class, lock::release);
        assertEquals("release unlocked lock", e.getMessage());
        NativeRLock rlock = new NativeRLock();
        ThreadError r = assertThrows(ThreadError.class, rlock::release);
        assertEquals("cannot release un-acquired lock", r.getMessage());
    }

    @Test
    void aPlatformWithoutALibraryIsNamedWithThoseThereAre() throws Exception {
        ChildJvm child = new ChildJvm("-Dos.arch=riscv64", MissingPlatformChild.class.getName());
        assertEquals(0, child.finish(), child.lines::toString);
        String error = child.lines.stream().filter(l -> l.startsWith("error: ")).findFirst()
                .orElseThrow(() -> new AssertionError(child.lines.toString()));
        assertTrue(error.contains("os.name=" + System.getProperty("os.name")), error);
        assertTrue(error.contains("os.arch=riscv64"), error);
        assertTrue(error.contains("this jar carries natives for: "), error);
    }

    @Test
    void badSignalNumbers() {
        for (int bad : new int[] {-1, 0, Signals.NSIG, 1000000}) {
            assertIae("signal number out of range", () -> NativeThread.interruptMain(bad));
            assertIae("signal number out of range", () -> Signals.signal(bad, Signals.SIG_IGN));
            assertIae("signal number out of range", () -> Signals.getSignal(bad));
        }
        assertThrows(NullPointerException.class, () -> Signals.signal(Signals.SIGINT, null));
        assertEquals(Signals.DEFAULT_INT_HANDLER, Signals.getSignal(Signals.SIGINT));
    }
}
