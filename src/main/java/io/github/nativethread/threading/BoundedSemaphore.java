// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

/**
 * CPython's {@code threading.BoundedSemaphore}: a {@link Semaphore} whose value never exceeds its
 * initial value; a release that would exceed it is a bug, reported by an exception.
 */
public class BoundedSemaphore extends Semaphore {
    private final int initialValue;

    /** A bounded semaphore with value 1. */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * A bounded semaphore with value {@code value}, which is also its bound.
     *
     * @param value the initial value and bound, at least 0
     * @throws IllegalArgumentException "semaphore initial value must be &gt;= 0" if {@code value} is negative
     */
    public BoundedSemaphore(int value) {
        super(value);
        this.initialValue = value;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException "Semaphore released too many times" if the value would exceed
     *     the initial value; it is unchanged then
     */
    @Override
    public void release(int n) {
        super.release(n);
    }

    @Override
    int bound() {
        return initialValue;
    }

    @Override
    String tooMany(int value, int n) {
        return "Semaphore released too many times: value " + value + " + " + n + " > initial value " + initialValue;
    }
}
