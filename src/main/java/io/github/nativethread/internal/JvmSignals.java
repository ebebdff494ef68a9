// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Which OS signals the running JVM needs: the C layer's per-platform list ({@code nt_signal_use},
 * with its sources), told whether HotSpot runs with {@code -Xrs}. Not part of the public API.
 */
public final class JvmSignals {
    private JvmSignals() {}

    /** Why no handler at all may be set for {@code signum} (SIGKILL, SIGSTOP), or null. */
    public static String whyUncatchable(int signum) {
        String[] why = new String[1];
        return Native.signalUse(signum, 0, why) == Native.SIGNAL_UNCATCHABLE ? why[0] : null;
    }

    /** Why the OS deliveries of {@code signum} may not be taken from the JVM, or null if they may. */
    public static String whyNotRoutable(int signum) {
        String[] why = new String[1];
        int flags = reducedSignalUsage() ? Native.JVM_REDUCED_SIGNAL_USAGE : 0;
        return Native.signalUse(signum, flags, why) == Native.SIGNAL_FREE ? null : why[0];
    }

    /** Does the JVM run with {@code -Xrs} ({@code -XX:+ReduceSignalUsage})? */
    public static boolean reducedSignalUsage() {
        return ReducedSignalUsage.ON;
    }

    /** Read once, when first needed: the option cannot change while the JVM runs. */
    private static final class ReducedSignalUsage {
        static final boolean ON = read();

        /** The VM option itself; else (not HotSpot, no jdk.management) the command line, where the
         *  last of -Xrs and -XX:[+-]ReduceSignalUsage counts. */
        private static boolean read() {
            try {
                HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                if (vm != null) return Boolean.parseBoolean(vm.getVMOption("ReduceSignalUsage").getValue());
            } catch (RuntimeException | LinkageError notHotSpot) {
                // fall back to the command line
            }
            boolean on = false;
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.equals("-Xrs") || arg.equals("-XX:+ReduceSignalUsage")) on = true;
                else if (arg.equals("-XX:-ReduceSignalUsage")) on = false;
            }
            return on;
        }
    }
}
