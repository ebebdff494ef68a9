// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A port of CPython's Lib/test/lock_tests.py {@code SemaphoreTests} (and, inherited,
 *  {@code BaseSemaphoreTests}) to {@link Semaphore}. Not ported: {@code test_repr} (unspecified). */
class SemaphoreTest extends SemaphoreTestBase {
    @Override
    Semaphore semtype(int value) {
        return new Semaphore(value);
    }

    @Override
    Semaphore semtype() {
        return new Semaphore();
    }

    // test_release_unacquired: unbounded releases are allowed and raise the value
    @Test
    void releaseUnacquired() {
        Semaphore sem = semtype(1);
        sem.release();
        assertEquals(2, available(sem));
        assertTrue(sem.acquire());
        assertTrue(sem.acquire());
        sem.release();
        assertEquals(1, available(sem));
        sem.release(5);
        assertEquals(6, available(sem));
    }
}
