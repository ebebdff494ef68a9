package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child JVM on this test class path, its output read line by line. */
final class ChildJvm {
    final Process process;
    private final BufferedReader out;
    final List<String> lines = new ArrayList<>();

    /** {@code args}: JVM options, then the main class and its arguments. */
    ChildJvm(String... args) throws IOException {
        this(Collections.emptyMap(), args);
    }

    /** The same, with {@code env} added to the child's environment. */
    ChildJvm(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ThreadHelpers.javaExecutable());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String a : args) cmd.add(a);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().putAll(env);
        process = builder.start();
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

    /** Sends a signal with kill(1). */
    void kill(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    /** Reads the rest of the output and returns the exit code. */
    int finish() throws Exception {
        for (String l; (l = out.readLine()) != null; ) lines.add(l);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not end");
        return process.exitValue();
    }
}
