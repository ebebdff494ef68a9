// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeLock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Ping-pong between the benchmark thread and an echo thread: one round trip is two handoffs, each
 * waking a thread that waits. Through two ownerless locks (CPython's classic way to hand a turn to
 * another thread), a pair of Semaphores, and bare park/unpark.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandoffBench {
    /** Both start locked: a release hands the turn over, an acquire waits for it. */
    @State(Scope.Thread)
    public static class Locks extends Echo {
        final NativeLock ping = new NativeLock(), pong = new NativeLock();

        public Locks() {
            ping.acquire();
            pong.acquire();
        }

        @Override
        void echoLoop() {
            while (!stop) {
                ping.acquire();
                pong.release();
            }
        }

        @Override
        void wake() {
            ping.release();
        }
    }

    @State(Scope.Thread)
    public static class Semaphores extends Echo {
        final Semaphore ping = new Semaphore(0), pong = new Semaphore(0);

        @Override
        void echoLoop() throws InterruptedException {
            while (!stop) {
                ping.acquire();
                pong.release();
            }
        }

        @Override
        void wake() {
            ping.release();
        }
    }

    /** The turn is a volatile flag; whoever passes it unparks the other. */
    @State(Scope.Thread)
    public static class Parking extends Echo {
        volatile int turn;  // 0: the benchmark thread's, 1: the echo's
        volatile Thread benchmark;

        @Override
        void echoLoop() {
            for (;;) {
                while (turn != 1 && !stop) LockSupport.park(this);
                if (stop) return;
                turn = 0;
                LockSupport.unpark(benchmark);
            }
        }

        @Override
        void wake() {
            LockSupport.unpark(thread);
        }
    }

    @Benchmark
    public void nativeLocks(Locks s) {
        s.ping.release();
        s.pong.acquire();
    }

    @Benchmark
    public void semaphores(Semaphores s) throws InterruptedException {
        s.ping.release();
        s.pong.acquire();
    }

    @Benchmark
    public void parkUnpark(Parking s) {
        s.benchmark = Thread.currentThread();
        s.turn = 1;
        LockSupport.unpark(s.thread);
        while (s.turn != 0) LockSupport.park(s);
    }
}
