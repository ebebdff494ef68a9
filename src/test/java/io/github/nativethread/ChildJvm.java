// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this test class path: its output (stdout and stderr) read line by line, lines
 * written to its stdin. It runs with the options of {@code -Dnativethread.test.jvmArgs} too (as the
 * test JVM does), and {@link #finish()} fails the test if the child printed a JNI check warning
 * ({@code -Xcheck:jni}).
 * Public for the tests of {@code io.github.nativethread.threading}.
 */
public final class ChildJvm {
    /** What HotSpot's -Xcheck:jni prints for every misuse it finds. */
    public static final String JNI_WARNING = "WARNING in native method";

    public final Process process;
    private final BufferedReader out;
    public final List<String> lines = new ArrayList<>();

    /** {@code args}: JVM options, then the main class and its arguments. */
    public ChildJvm(String... args) throws IOException {
        this(Collections.emptyMap(), Collections.emptyList(), args);
    }

    /** The same, with {@code env} added to the child's environment. */
    ChildJvm(Map<String, String> env, String... args) throws IOException {
        this(env, Collections.emptyList(), args);
    }

    /**
     * A child JVM with {@code env} added to its environment (without {@code _JAVA_SR_SIGNUM} unless
     * {@code env} has it), started (through {@code sh}, POSIX
     * only) with the signals {@code ignored} ("HUP", ...) ignored, as {@code nohup} does.
     */
    ChildJvm(Map<String, String> env, List<String> ignored, String... args) throws IOException {
        this(Collections.emptyList(), env, ignored, args);
    }

    /** A child JVM started by the command {@code prefix} (e.g. {@code unshare ...}), which ends by running
     *  its arguments: the java command line. */
    ChildJvm(List<String> prefix, String... args) throws IOException {
        this(prefix, Collections.emptyMap(), Collections.emptyList(), args);
    }

    private ChildJvm(List<String> prefix, Map<String, String> env, List<String> ignored, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        if (!ignored.isEmpty()) {  // an ignored signal stays ignored across exec
            cmd.addAll(Arrays.asList("sh", "-c", "trap '' " + String.join(" ", ignored) + "; exec \"$0\" \"$@\""));
        }
        cmd.add(ThreadHelpers.javaExecutable());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(extraJvmArgs());
        for (String a : args) cmd.add(a);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().remove("_JAVA_SR_SIGNUM");  // HotSpot's default, unless env says otherwise
        builder.environment().putAll(env);
        process = builder.start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The options of {@code -Dnativethread.test.jvmArgs} (separated by spaces), forwarded to children. */
    static List<String> extraJvmArgs() {
        List<String> extra = new ArrayList<>();
        for (String a : System.getProperty("nativethread.test.jvmArgs", "").trim().split("\\s+")) {
            if (!a.isEmpty()) extra.add(a);
        }
        return extra;
    }

    /** Reads lines until one equals {@code line}. */
    public void awaitLine(String line) throws IOException {
        for (String l; (l = out.readLine()) != null; ) {
            lines.add(l);
            if (l.equals(line)) return;
        }
        throw new AssertionError("child ended before printing '" + line + "': " + lines);
    }

    /** Writes a line to the child's stdin. */
    public void send(String line) throws IOException {
        Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        in.write(line + "\n");
        in.flush();
    }

    /** Sends a signal with kill(1). */
    void kill(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    /** Reads the rest of the output and returns the exit code; fails if the child printed a JNI
     *  check warning. */
    public int finish() throws Exception {
        for (String l; (l = out.readLine()) != null; ) lines.add(l);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not end");
        assertFalse(lines.stream().anyMatch(l -> l.contains(JNI_WARNING)),
                () -> "the child JVM printed a JNI warning: " + lines);
        return process.exitValue();
    }
}
