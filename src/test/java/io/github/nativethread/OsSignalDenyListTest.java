// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Signals#routeOsSignal} refuses every signal whose routing would break the running JVM,
 * saying which and why. Routing runs in child JVMs: a refusal that failed would change the JVM's
 * own signal handling.
 */
class OsSignalDenyListTest {
    /** A child JVM tries to route each signal (a Signals constant's name or a number); returns, for
     *  each, "routed true" or "refused: message", and the child's whole output under "output". */
    private static Map<String, String> tryRoute(Map<String, String> env, List<String> ignored, List<String> jvmOptions,
            String... signals) throws Exception {
        List<String> args = new ArrayList<>(jvmOptions);
        args.add(OsSignalChild.class.getName());
        args.add("try-route");
        args.addAll(Arrays.asList(signals));
        ChildJvm child = new ChildJvm(env, ignored, args.toArray(new String[0]));
        assertEquals(0, child.finish(), child.lines::toString);
        Map<String, String> result = new HashMap<>();
        for (String line : child.lines) {
            for (String signal : signals) {
                if (line.startsWith("routed " + signal + " ")) result.put(signal, "routed " + line.substring(8 + signal.length()));
                if (line.startsWith("refused " + signal + ": ")) result.put(signal, "refused: " + line.substring(10 + signal.length()));
            }
        }
        result.put("output", String.join("\n", child.lines));
        return result;
    }

    private static Map<String, String> tryRoute(String... signals) throws Exception {
        return tryRoute(Collections.emptyMap(), Collections.emptyList(), Collections.emptyList(), signals);
    }

    private static void assertRefused(Map<String, String> result, String signal, String... reasonWords) {
        String outcome = result.get(signal);
        assertTrue(outcome != null && outcome.startsWith("refused: "), () -> signal + ": " + result.get("output"));
        int number = OsSignalChild.signum(signal);
        String named = signal.startsWith("SIG") ? signal + " (" + number + ")" : "signal " + number;
        assertTrue(outcome.startsWith("refused: cannot route " + named + ": "), outcome);
        for (String word : reasonWords) assertTrue(outcome.contains(word), () -> "'" + word + "' not in " + outcome);
    }

    private static void assertRouted(Map<String, String> result, String signal) {
        assertEquals("routed true", result.get(signal), () -> signal + ": " + result.get("output"));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void theJvmsSignalsAreRefusedWithTheReason() throws Exception {
        Map<String, String[]> refused = new LinkedHashMap<>();
        refused.put("SIGSEGV", new String[] {"HotSpot", "NullPointerException", "forever"});
        refused.put("SIGBUS", new String[] {"HotSpot", "memory-mapped", "forever"});
        refused.put("SIGFPE", new String[] {"HotSpot", "ArithmeticException", "forever"});
        refused.put("SIGILL", new String[] {"HotSpot", "forever"});
        refused.put("SIGTRAP", new String[] {"trap", "breakpoints"});
        refused.put("SIGQUIT", new String[] {"thread-dump", "jcmd", "route another signal"});
        refused.put("SIGUSR2", new String[] {"suspend/resume", "JFR", "_JAVA_SR_SIGNUM"});
        refused.put("SIGKILL", new String[] {"no process can catch"});
        refused.put("SIGSTOP", new String[] {"no process can catch"});
        if (OS.LINUX.isCurrentOs()) {
            refused.put("SIGPROF", new String[] {"JFR", "CPU-time"});
            refused.put(Integer.toString(Signals.NSIG - 3), new String[] {"SIGRTMAX-2", "NIO"});  // NSIG = SIGRTMAX + 1
        } else {
            refused.put("SIGIO", new String[] {"SIGIO", "NIO"});
        }
        List<String> routed = Arrays.asList("SIGUSR1", "SIGINT", "SIGTERM", "SIGHUP", "SIGALRM", "SIGCHLD", "SIGWINCH");
        List<String> all = new ArrayList<>(refused.keySet());
        all.addAll(routed);
        Map<String, String> result = tryRoute(all.toArray(new String[0]));
        refused.forEach((signal, words) -> assertRefused(result, signal, words));
        routed.forEach(signal -> assertRouted(result, signal));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aSignalWithoutANameIsRefused() throws Exception {
        String rt = Integer.toString(Signals.NSIG - 20);  // a real-time signal, which the JVM knows no name for
        assertRefused(tryRoute(rt), rt, "by name");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void javaSrSignumMovesTheSuspendResumeSignal() throws Exception {
        Map<String, String> env = Collections.singletonMap("_JAVA_SR_SIGNUM", Integer.toString(Signals.SIGALRM));
        Map<String, String> result = tryRoute(env, Collections.emptyList(), Collections.emptyList(), "SIGALRM", "SIGUSR2");
        assertRefused(result, "SIGALRM", "suspend/resume", "_JAVA_SR_SIGNUM=" + Signals.SIGALRM);
        assertRouted(result, "SIGUSR2");

        ChildJvm child = new ChildJvm(env, Collections.emptyList(), OsSignalChild.class.getName(), "route-throwing", "60", "SIGUSR2");
        child.awaitLine("ready");
        child.kill("USR2");
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.contains("SIGUSR2 handler ran in main"), child.lines::toString);
    }

    /** HotSpot takes only a number above SIGSEGV and SIGBUS, and otherwise warns and keeps SIGUSR2. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void anInvalidJavaSrSignumLeavesSigusr2Reserved() throws Exception {
        Map<String, String> env = Collections.singletonMap("_JAVA_SR_SIGNUM", Integer.toString(Signals.SIGSEGV - 1));
        Map<String, String> result = tryRoute(env, Collections.emptyList(), Collections.emptyList(), "SIGUSR2", "SIGUSR1");
        assertTrue(result.get("output").contains("_JAVA_SR_SIGNUM=" + (Signals.SIGSEGV - 1)), result.get("output"));  // HotSpot's warning
        assertRefused(result, "SIGUSR2", "suspend/resume");
        assertRouted(result, "SIGUSR1");
    }

    /** -Xrs is read from the VM option, so -XX:+ReduceSignalUsage counts as well. */
    @ParameterizedTest
    @ValueSource(strings = {"-Xrs", "-XX:+ReduceSignalUsage"})
    @DisabledOnOs(OS.WINDOWS)
    void reducedSignalUsageRefusesTheShutdownSignals(String option) throws Exception {
        Map<String, String> result = tryRoute(Collections.emptyMap(), Collections.emptyList(),
                Collections.singletonList(option), "SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1");
        for (String signal : new String[] {"SIGINT", "SIGTERM", "SIGHUP"}) assertRefused(result, signal, "-Xrs", "run without -Xrs");
        assertRouted(result, "SIGUSR1");
    }

    /** Under nohup SIGHUP is ignored, and the JVM then never delivers it: routing it would do nothing. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void anIgnoredShutdownSignalIsRefused() throws Exception {
        Map<String, String> result = tryRoute(Collections.emptyMap(), Collections.singletonList("HUP"),
                Collections.emptyList(), "SIGHUP", "SIGINT");
        assertRefused(result, "SIGHUP", "ignores it", "nohup");
        assertRouted(result, "SIGINT");
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void windowsJvmSignalsAreRefused() throws Exception {
        Map<String, String> result = tryRoute("SIGSEGV", "SIGILL", "SIGFPE", "SIGBREAK", "SIGINT", "SIGTERM", "SIGABRT");
        assertRefused(result, "SIGSEGV", "structured exceptions");
        assertRefused(result, "SIGILL", "structured exceptions");
        assertRefused(result, "SIGFPE", "ArithmeticException");
        assertRefused(result, "SIGBREAK", "thread-dump");
        assertRouted(result, "SIGINT");
        assertRouted(result, "SIGTERM");
        assertRouted(result, "SIGABRT");
    }

    /** As in CPython, where signal.signal(SIGKILL, ...) raises OSError(EINVAL) for any handler. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void sigkillAndSigstopTakeNoHandler() {
        for (int signum : new int[] {Signals.SIGKILL, Signals.SIGSTOP}) {
            for (Signals.SignalHandler h : new Signals.SignalHandler[] {
                    Signals.SIG_DFL, Signals.SIG_IGN, Signals.DEFAULT_INT_HANDLER, sig -> {}}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.signal(signum, h));
                String name = signum == Signals.SIGKILL ? "SIGKILL" : "SIGSTOP";
                assertTrue(e.getMessage().startsWith(name + " (" + signum + ") cannot have a handler: "), e.getMessage());
                assertTrue(e.getMessage().contains("no process can catch"), e.getMessage());
            }
            assertEquals(Signals.SIG_DFL, Signals.getSignal(signum));
        }
    }
}
