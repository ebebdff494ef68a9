// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The doctor ({@code java -jar}), in a child JVM where it runs in the main thread as it does there. */
class DoctorTest {
    private static List<String> starting(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
    }

    @Test
    void everyCheckPassesHere() throws Exception {
        ChildJvm child = new ChildJvm(Doctor.class.getName());
        int exit = child.finish();
        String all = String.join("\n", child.lines);
        assertEquals(0, exit, all);
        assertEquals(List.of(), starting(child.lines, "FAIL"), all);
        List<String> passed = starting(child.lines, "PASS");
        assertTrue(passed.size() >= 12, all);
        assertTrue(child.lines.contains("all " + passed.size() + " checks passed"), all);
        for (String what : new String[] {"stack " + NativeThread.minStackSize() / 1024 + " KiB", "stack 8 MiB", "kernel tid", "OS name", "timed acquire",
            "interruptMain", "NativeLock", "NativeRLock"}) {
            assertTrue(passed.stream().anyMatch(l -> l.contains(what)), what + " not checked:\n" + all);
        }
        assertTrue(child.lines.stream().anyMatch(l -> l.matches("  TIMEOUT_MAX: +\\d+(\\.\\d+)? s")), all);
        assertTrue(child.lines.stream().anyMatch(l -> l.matches("  platform: +[a-z]+_(64|arm64) .*")), all);
    }

    @Test
    void anImpossibleExpectationFailsWithANonZeroExit() throws Exception {
        ChildJvm child = new ChildJvm("-D" + Doctor.EXPECT_STACK_SIZE + "=1", Doctor.class.getName());
        int exit = child.finish();
        String all = String.join("\n", child.lines);
        assertEquals(1, exit, all);
        List<String> failed = starting(child.lines, "FAIL");
        assertFalse(failed.isEmpty(), all);
        assertTrue(failed.stream().allMatch(l -> l.startsWith("FAIL  stack ") && l.contains("expected")), all);
        assertTrue(failed.contains("FAIL  stack 1 MiB: currentStackSize() = 1048576 in the thread, expected 1"), all);
        assertTrue(child.lines.contains(failed.size() + " of " + (failed.size() + starting(child.lines, "PASS").size())
                + " checks FAILED"), all);
    }
}
