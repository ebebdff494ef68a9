// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

/**
 * A measurement JMH cannot make: one that must run in the main thread, in child JVMs, or that
 * reports a distribution rather than a mean. It adds its rows (and charts) to the report.
 */
interface Measurement {
    /** The name {@code ./build.sh bench REGEX} matches, as it matches {@code Class.method}. */
    String name();

    void run(Report report) throws Exception;
}
