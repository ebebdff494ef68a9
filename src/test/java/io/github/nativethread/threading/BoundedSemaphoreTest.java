// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A port of CPython's Lib/test/lock_tests.py {@code BoundedSemaphoreTests} (and, inherited,
 *  {@code BaseSemaphoreTests}) to {@link BoundedSemaphore}. Not ported: {@code test_repr} (unspecified). */
class BoundedSemaphoreTest extends SemaphoreTestBase {
    @Override
    Semaphore semtype(int value) {
        return new BoundedSemaphore(value);
    }

    @Override
    Semaphore semtype() {
        return new BoundedSemaphore();
    }

    // test_release_unacquired: cannot go past the initial value
    @Test
    void releaseUnacquired() {
        Semaphore sem = semtype();
        assertThrows(IllegalArgumentException.class, sem::release);
        assertEquals(1, available(sem));
        assertTrue(sem.acquire());
        sem.release();
        assertThrows(IllegalArgumentException.class, sem::release);
        assertEquals(1, available(sem));
    }

    // beyond CPython: release(n) that would pass the initial value is refused as a whole
    @Test
    void releaseNPastTheInitialValue() {
        Semaphore sem = semtype(3);
        sem.acquire();
        sem.acquire();
        assertThrows(IllegalArgumentException.class, () -> sem.release(3));
        assertEquals(1, available(sem));
        sem.release(2);
        assertEquals(3, available(sem));
    }
}
