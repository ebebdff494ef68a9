// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The smallest thread stack on which this JVM runs Java code. HotSpot computes its own floor
 * for Java threads (what {@code java -Xss} refuses to go below) as a per-platform base plus the
 * guard zones (yellow, red, reserved) and the shadow zone, each a number of pages set by VM
 * options; a thread attached with a smaller stack is refused (JNI_ERR), half-attached or crashes
 * the process. This class reads those options from the running JVM.
 */
public final class StackFloor {
    /** Never below this, whatever the JVM says. */
    public static final long ABSOLUTE_MIN = 32 * 1024;
    /** When the JVM's options cannot be read (not HotSpot, no jdk.management): a safe size. */
    static final long FALLBACK = 256 * 1024;

    public static final long MIN_STACK_SIZE = compute();

    private StackFloor() {}

    private static long compute() {
        long page = Native.PAGE_SIZE;
        long floor;
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long pages = 0;
            for (String zone : new String[] {"StackYellowPages", "StackRedPages", "StackReservedPages", "StackShadowPages"}) {
                pages += option(vm, zone);
            }
            floor = Native.HOTSPOT_STACK_BASE + pages * page;
        } catch (RuntimeException | LinkageError notHotSpot) {
            floor = FALLBACK;
        }
        floor = Math.max(floor, Math.max(ABSOLUTE_MIN, Native.OS_MIN_STACK));
        return (floor + page - 1) / page * page;
    }

    private static long option(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return Long.parseLong(vm.getVMOption(name).getValue());
        } catch (IllegalArgumentException absent) {  // no such option on this JVM or CPU
            return 0;
        }
    }
}
