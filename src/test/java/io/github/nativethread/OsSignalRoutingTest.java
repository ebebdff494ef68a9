package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Real OS signals, sent with kill(1) to a child JVM blocked in NativeLock.acquire. */
@DisabledOnOs(OS.WINDOWS)
class OsSignalRoutingTest {
    private static final class Child {
        final Process process;
        final BufferedReader out;
        final List<String> lines = new ArrayList<>();

        Child(String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
            for (String a : args) cmd.add(a);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads lines until one equals {@code line}. */
        void awaitLine(String line) throws IOException {
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
                if (l.equals(line)) return;
            }
            throw new AssertionError("child ended before printing '" + line + "': " + lines);
        }

        void kill(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
        }

        int finish() throws Exception {
            for (String l; (l = out.readLine()) != null; ) lines.add(l);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not end");
            return process.exitValue();
        }
    }

    @Test
    void ctrlCRaisesKeyboardInterruptInTheBlockedMainThread() throws Exception {
        Child child = new Child(OsSignalChild.class.getName(), "route-int", "60");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("KeyboardInterrupt in main"), child.lines::toString);
    }

    @Test
    void routedSigtermRunsItsHandlerInMain() throws Exception {
        Child child = new Child(OsSignalChild.class.getName(), "route-term", "60");
        child.awaitLine("ready");
        child.kill("TERM");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("SIGTERM handler ran in main"), child.lines::toString);
    }

    @Test
    void sigDflGivesSigintBackToTheJvm() throws Exception {
        Child child = new Child(OsSignalChild.class.getName(), "route-then-default", "60");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(130, child.finish(), child.lines::toString);  // 128 + SIGINT, as the JVM exits
        assertTrue(child.lines.contains("shutdown hook ran"), child.lines::toString);
    }

    @Test
    void unroutedSigtermStillRunsShutdownHooks() throws Exception {
        Child child = new Child(OsSignalChild.class.getName(), "route-int", "60");
        child.awaitLine("ready");
        child.kill("TERM");
        assertEquals(143, child.finish(), child.lines::toString);  // 128 + SIGTERM
        assertTrue(child.lines.contains("shutdown hook ran"), child.lines::toString);
    }

    @Test
    void ignoredSigintIsIgnored() throws Exception {
        Child child = new Child(OsSignalChild.class.getName(), "ignore-int", "1.0");
        child.awaitLine("ready");
        child.kill("INT");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("acquire returned false"), child.lines::toString);
    }

    @Test
    void xrsIsRespected() throws Exception {
        Child child = new Child("-Xrs", OsSignalChild.class.getName(), "xrs");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.stream().anyMatch(l -> l.startsWith("refused:") && l.contains("-Xrs")),
                child.lines::toString);
    }
}
