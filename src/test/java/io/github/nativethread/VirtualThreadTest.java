// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Waits of this library in virtual threads (JDK 21+) never block their carrier: each scenario of
 * {@link VirtualThreadChild} runs in a child JVM whose scheduler has one carrier (then two), where a
 * wait that blocked its carrier in C would stop every other virtual thread for good.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadTest {
    @ParameterizedTest(name = "{0} with {1} carrier(s)")
    @CsvSource({
        "lock, 1", "rlock, 1", "join, 1", "timed, 1", "cross-release, 1", "interrupt, 1",
        "lock, 2", "rlock, 2", "join, 2", "native-id, 2",
    })
    void scenario(String scenario, int carriers) throws Exception {
        run(carriers, scenario);
    }

    /** The acceptance: 1000 virtual threads (plus 2 platform threads) on one NativeLock. */
    @ParameterizedTest(name = "1000 virtual threads contend with {0} carrier(s)")
    @CsvSource({"1", "2"})
    void thousandVirtualThreadsCountExactly(int carriers) throws Exception {
        run(carriers, "count", "1000", "30");
    }

    private static void run(int carriers, String... args) throws Exception {
        String[] cmd = new String[3 + args.length];
        cmd[0] = "-Djdk.virtualThreadScheduler.parallelism=" + carriers;
        cmd[1] = "-Djdk.virtualThreadScheduler.maxPoolSize=" + carriers;  // no compensating carriers
        cmd[2] = VirtualThreadChild.class.getName();
        System.arraycopy(args, 0, cmd, 3, args.length);
        ChildJvm child = new ChildJvm(cmd);
        int exit = child.finish();
        assertEquals(0, exit, child.lines::toString);
        assertTrue(child.lines.stream().anyMatch(l -> l.startsWith("PASS " + args[0])), child.lines::toString);
    }
}
