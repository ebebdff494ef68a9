// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Ports of CPython's Lib/test/lock_tests.py RLockTests. */
class RLockTest {
    @Test
    void reacquireByTheOwner() {
        NativeRLock lock = new NativeRLock();
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.acquire();
        lock.release();
        lock.release();
        assertFalse(lock.locked());
    }

    @Test
    void recursionCountAndOwnership() throws Exception {
        NativeRLock lock = new NativeRLock();
        assertEquals(0, lock.recursionCount());
        assertFalse(lock.isOwned());
        lock.acquire();
        assertEquals(1, lock.recursionCount());
        lock.acquire();
        assertEquals(2, lock.recursionCount());
        assertTrue(lock.isOwned());
        assertTrue(lock.toString().contains("count 2"), lock.toString());
        int[] seen = new int[1];
        boolean[] owned = new boolean[1];
        NativeThread.startJoinableThread(() -> {
            seen[0] = lock.recursionCount();
            owned[0] = lock.isOwned();
        }).join();
        assertEquals(0, seen[0]);
        assertFalse(owned[0]);
        lock.release();
        lock.release();
        assertEquals(0, lock.recursionCount());
    }

    @Test
    void releaseWhenNotHeld() {
        NativeRLock lock = new NativeRLock();
        ThreadError e = assertThrows(ThreadError.class, lock::release);
        assertEquals("cannot release un-acquired lock", e.getMessage());
        lock.acquire();
        lock.release();
        assertThrows(ThreadError.class, lock::release);
    }

    @Test
    void releaseByANonOwner() throws Exception {
        NativeRLock lock = new NativeRLock();
        lock.acquire();
        AtomicReference<Throwable> error = new AtomicReference<>();
        NativeThread.startJoinableThread(() -> {
            try {
                lock.release();
            } catch (Throwable e) {
                error.set(e);
            }
        }).join();
        assertTrue(error.get() instanceof ThreadError);
        assertEquals("cannot release un-acquired lock", error.get().getMessage());
        assertTrue(lock.locked());
        lock.release();
    }

    @Test
    void anotherThreadWaitsForTheOwner() throws Exception {
        NativeRLock lock = new NativeRLock();
        lock.acquire();
        lock.acquire();
        boolean[] got = new boolean[2];
        NativeThread.startJoinableThread(() -> got[0] = lock.acquire(0.05)).join();
        assertFalse(got[0]);
        lock.release();
        lock.release();
        NativeThread.startJoinableThread(() -> {
            got[1] = lock.acquire(5.0);
            lock.release();
        }).join();
        assertTrue(got[1]);
    }

    @Test
    void nestedHolds() {
        NativeRLock lock = new NativeRLock();
        try (NativeLock.Hold outer = lock.hold()) {
            try (NativeLock.Hold inner = lock.hold()) {
                assertEquals(2, lock.recursionCount());
            }
            assertEquals(1, lock.recursionCount());
        }
        assertFalse(lock.locked());
    }
}
