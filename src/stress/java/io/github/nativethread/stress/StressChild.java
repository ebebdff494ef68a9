// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.stress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One stress scenario in a child JVM started by {@link StressMain}:
 * {@code StressChild <scenario> key=value...}. It reports through lines on stdout that
 * {@link StressMain} reads:
 * <pre>
 * &#64;result  a short summary
 * &#64;numbers the measured numbers
 * &#64;verdict ok | FAIL reason
 * </pre>
 * A watchdog (parameter {@code stuck=S}, seconds) reports "stuck after S s" with the stacks of the
 * threads the scenario watches and halts the JVM; the parent kills a child that does not even manage
 * that.
 */
public final class StressChild {
    /** Threads whose stacks the watchdog prints (virtual threads are not in Thread.getAllStackTraces). */
    static final List<Thread> WATCHED = new CopyOnWriteArrayList<>();
    /** What the scenario is doing now, for the watchdog's report. */
    static volatile String phase = "starting";
    /** More about the progress, for the watchdog's report. */
    static volatile Supplier<String> progress = () -> "";

    private StressChild() {}

    public static void main(String[] args) {
        Map<String, String> params = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            params.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Params p = new Params(params);
        WATCHED.add(Thread.currentThread());
        startWatchdog(p.i("stuck"));
        List<String> failures = new ArrayList<>();
        try {
            switch (args[0]) {
                case "live": ThreadScenarios.live(p, failures); break;
                case "churn": ThreadScenarios.churn(p, failures); break;
                case "burst": ThreadScenarios.burst(p, failures); break;
                case "counts": LockScenarios.counts(p, failures); break;
                case "storm": StormScenario.storm(p, failures); break;
                case "vt": VirtualScenarios.run(p, failures); break;
                default: throw new IllegalArgumentException("no scenario " + args[0]);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            failures.add("exception in " + phase + ": " + t);
        }
        verdict(failures);
        System.out.flush();
        Runtime.getRuntime().halt(failures.isEmpty() ? 0 : 1);
    }

    static void result(String text) {
        System.out.println("@result " + text);
    }

    static void numbers(String text) {
        System.out.println("@numbers " + text);
    }

    private static void verdict(List<String> failures) {
        System.out.println(failures.isEmpty() ? "@verdict ok" : "@verdict FAIL " + String.join("; ", failures));
    }

    /** Fails if {@code ok} is false. */
    static void check(List<String> failures, boolean ok, String what) {
        if (!ok) failures.add(what);
    }

    private static void startWatchdog(int seconds) {
        Thread dog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            String more = progress.get();
            System.out.println("watchdog: stuck after " + seconds + " s in phase: " + phase
                    + (more.isEmpty() ? "" : " (" + more + ")"));
            int shown = 0;
            for (Thread t : WATCHED) {
                if (!t.isAlive() || shown++ >= 4) continue;
                System.out.println("  " + t + " (" + t.getState() + ")");
                StackTraceElement[] stack = t.getStackTrace();
                for (int i = 0; i < Math.min(stack.length, 12); i++) System.out.println("      at " + stack[i]);
            }
            System.out.println("@verdict FAIL stuck after " + seconds + " s: " + phase
                    + (more.isEmpty() ? "" : " (" + more + ")"));
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "stress-watchdog");
        dog.setDaemon(true);
        dog.start();
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** key=value parameters of the scenario. */
    static final class Params {
        private final Map<String, String> map;

        Params(Map<String, String> map) {
            this.map = map;
        }

        String s(String key) {
            String v = map.get(key);
            if (v == null) throw new IllegalArgumentException("missing parameter " + key);
            return v;
        }

        int i(String key) {
            return Integer.parseInt(s(key));
        }
    }
}
