package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertTrue(!child.lines.contains("handler in worker"), child.lines::toString);
    }

    @Test
    void whenMainHasEndedTheLoadingThreadIsMain() throws Exception {
        ChildJvm child = new ChildJvm(MainThreadChild.class.getName(), "main-gone");
        assertEquals(0, child.finish(), child.lines::toString);
        String facts = child.lines.get(0);
        String workerId = facts.split(" ")[3];
        assertTrue(facts.endsWith("mainThreadIdent " + workerId), facts);
        assertTrue(child.lines.contains("handler in worker"), child.lines::toString);
    }
}
