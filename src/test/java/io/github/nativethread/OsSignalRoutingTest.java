// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Real OS signals, sent with kill(1) to a child JVM blocked in NativeLock.acquire. */
@DisabledOnOs(OS.WINDOWS)
class OsSignalRoutingTest {
    @Test
    void ctrlCRaisesKeyboardInterruptInTheBlockedMainThread() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "route-int", "60");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("KeyboardInterrupt in main"), child.lines::toString);
    }

    @Test
    void routedSigtermRunsItsHandlerInMain() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "route-term", "60");
        child.awaitLine("ready");
        child.kill("TERM");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("SIGTERM handler ran in main"), child.lines::toString);
    }

    @Test
    void routedSigusr1RunsItsHandlerInMain() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "route-throwing", "60", "SIGUSR1");
        child.awaitLine("ready");
        child.kill("USR1");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("SIGUSR1 handler ran in main"), child.lines::toString);
    }

    @Test
    void sigDflGivesSigintBackToTheJvm() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "route-then-default", "60");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(130, child.finish(), child.lines::toString);  // 128 + SIGINT, as the JVM exits
        assertTrue(child.lines.contains("shutdown hook ran"), child.lines::toString);
    }

    @Test
    void unroutedSigtermStillRunsShutdownHooks() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "route-int", "60");
        child.awaitLine("ready");
        child.kill("TERM");
        assertEquals(143, child.finish(), child.lines::toString);  // 128 + SIGTERM
        assertTrue(child.lines.contains("shutdown hook ran"), child.lines::toString);
    }

    @Test
    void ignoredSigintIsIgnored() throws Exception {
        ChildJvm child = new ChildJvm(OsSignalChild.class.getName(), "ignore-int", "1.0");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("acquire returned false"), child.lines::toString);
    }

    @Test
    void xrsIsRespected() throws Exception {
        ChildJvm child = new ChildJvm("-Xrs", OsSignalChild.class.getName(), "xrs");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.stream().anyMatch(l -> l.startsWith("refused:") && l.contains("-Xrs")),
                child.lines::toString);
    }
}
