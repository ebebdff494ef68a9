// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input to locks, signals and loading gets a clear exception and leaves the state alone
 *  (threads: {@link ThreadBadInputTest}). */
class BadInputTest {
    static void assertIae(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(message), e.getMessage());
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
