// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.ChildJvm;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The waits of the threading layer in virtual threads (JDK 21+) never block their carrier: each
 * scenario of {@link ThreadingVirtualThreadChild} runs in a child JVM whose scheduler has exactly
 * one carrier, where many virtual threads blocked in Event.await, Condition.await,
 * Semaphore.acquire, Barrier.await or OsThread.join would stop every other virtual thread for good if
 * a wait held the carrier: a virtual thread started after they are all parked must still run and
 * release them.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class ThreadingVirtualThreadTest {
    /** Blocked virtual threads per scenario. */
    static final int WAITERS = 100;

    @ParameterizedTest(name = "{0}: " + WAITERS + " virtual threads on one carrier")
    @ValueSource(strings = {"event", "condition", "semaphore", "barrier", "join"})
    void waitsDoNotBlockTheOnlyCarrier(String scenario) throws Exception {
        ChildJvm child = new ChildJvm(
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",  // no compensating carriers
                ThreadingVirtualThreadChild.class.getName(), scenario, Integer.toString(WAITERS));
        int exit = child.finish();
        assertEquals(0, exit, child.lines::toString);
        assertTrue(child.lines.stream().anyMatch(l -> l.startsWith("PASS " + scenario)), child.lines::toString);
    }
}
