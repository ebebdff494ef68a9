// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which thread is "main" when the library is first used from another thread. */
class MainThreadRuleTest {
    @Test
    void theJvmMainThreadIsFoundFromAnotherThread() throws Exception {
        ChildJvm child = new ChildJvm(MainThreadChild.class.getName(), "main-alive");
        assertEquals(0, child.finish(), child.lines::toString);
        String facts = child.lines.get(0);
        String mainId = facts.split(" ")[1];
        assertTrue(facts.endsWith("mainThreadIdent " + mainId), facts);
        assertFalse(child.lines.contains("handler in worker"), child.lines::toString);
    }

    @Test
    void aLibraryThreadNamedMainNeverBecomesMain() throws Exception {
        ChildJvm child = new ChildJvm(MainThreadChild.class.getName(), "impostor");
        assertEquals(0, child.finish(), child.lines::toString);
        String[] facts = child.lines.get(0).split(" ");
        assertEquals(facts[1], facts[5], "mainThreadIdent is the launcher's thread: " + child.lines);
        assertFalse(child.lines.contains("handler in main"), "a handler ran in the impostor: " + child.lines);
    }

    @Test
    void whenMainHasEndedNoThreadBecomesMain() throws Exception {
        ChildJvm child = new ChildJvm(MainThreadChild.class.getName(), "main-gone");
        assertEquals(0, child.finish(), child.lines::toString);
        String facts = child.lines.get(0);
        assertTrue(facts.endsWith("mainThreadIdent 0"), facts);
        assertFalse(child.lines.contains("handler in worker"), child.lines::toString);
    }
}
