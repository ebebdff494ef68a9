// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import java.util.Set;

/**
 * {@link LockBench}'s pairs with every benchmark thread on the same lock, bumping the shared
 * counter: throughput of the whole group. BenchMain runs the pairs named in {@link #PAIRS} with 1,
 * 2, 4, 8 and 16 threads, in operations per microsecond.
 */
public class ContendedBench extends LockBench {
    /** The inherited benchmarks run contended: one per kind of lock. */
    static final Set<String> PAIRS =
            Set.of("nativeLock", "nativeRLock", "reentrantLock", "semaphore", "synchronizedBlock");
}
