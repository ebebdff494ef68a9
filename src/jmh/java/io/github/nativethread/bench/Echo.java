// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The state of a round-trip benchmark: a daemon echo thread that answers the benchmark thread,
 * started per trial and stopped by {@link #stop()}.
 */
abstract class Echo {
    volatile boolean stop;
    Thread thread;

    /** The echo thread's work: answer each round until {@code stop}. */
    abstract void echoLoop() throws InterruptedException;

    /** Lets the echo thread see {@code stop}. */
    abstract void wake();

    @Setup
    public void start() {
        thread = new Thread(() -> {
            try {
                echoLoop();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }, "echo");
        thread.setDaemon(true);
        thread.start();
    }

    @TearDown
    public void stop() throws InterruptedException {
        stop = true;
        wake();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (thread.isAlive()) throw new AssertionError("the echo thread did not stop");
    }
}
