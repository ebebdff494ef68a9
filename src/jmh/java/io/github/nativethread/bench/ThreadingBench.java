// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import io.github.nativethread.NativeLock;
import io.github.nativethread.threading.Condition;
import io.github.nativethread.threading.Event;
import io.github.nativethread.threading.Semaphore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The threading layer beside its java.util.concurrent counterpart: a round trip through an echo
 * thread (the benchmark thread wakes it, it wakes the benchmark thread back), and an uncontended
 * semaphore pair. Each round trip is two wake-ups of a waiting thread.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadingBench {
    /** Two Events: set the other's, await and clear one's own. */
    @State(Scope.Thread)
    public static class Events extends Echo {
        final Event ping = new Event(), pong = new Event();

        @Override
        void echoLoop() {
            for (;;) {
                ping.await();
                ping.clear();
                if (stop) return;
                pong.set();
            }
        }

        @Override
        void wake() {
            ping.set();
        }
    }

    /** CountDownLatches cannot be reset: each round brings two new ones, and the next round. */
    @State(Scope.Thread)
    public static class Latches extends Echo {
        static final class Round {
            final CountDownLatch ping = new CountDownLatch(1), pong = new CountDownLatch(1);
            Round next;
        }

        Round round = new Round();
        final Round first = round;

        @Override
        void echoLoop() throws InterruptedException {
            for (Round r = first; ; ) {
                r.ping.await();
                Round next = r.next;
                if (next == null) return;
                r.pong.countDown();
                r = next;
            }
        }

        @Override
        void wake() {
            round.ping.countDown();  // next == null: the echo ends
        }
    }

    /** A turn variable under a lock, passed back and forth with a condition. */
    @State(Scope.Thread)
    public static class Conditions extends Echo {
        final Condition cond = new Condition();
        int turn;  // 1: the echo's, 0: the benchmark's; guarded by cond's lock

        @Override
        void echoLoop() {
            try (NativeLock.Hold h = cond.hold()) {
                for (;;) {
                    while (turn != 1 && !stop) cond.await();
                    if (stop) return;
                    turn = 0;
                    cond.signal();
                }
            }
        }

        @Override
        void wake() {
            try (NativeLock.Hold h = cond.hold()) {
                cond.signal();
            }
        }
    }

    /** The same with java.util.concurrent's ReentrantLock and Condition. */
    @State(Scope.Thread)
    public static class JdkConditions extends Echo {
        final ReentrantLock lock = new ReentrantLock();
        final java.util.concurrent.locks.Condition cond = lock.newCondition();
        int turn;

        @Override
        void echoLoop() throws InterruptedException {
            lock.lock();
            try {
                for (;;) {
                    while (turn != 1 && !stop) cond.await();
                    if (stop) return;
                    turn = 0;
                    cond.signal();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        void wake() {
            lock.lock();
            try {
                cond.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    @State(Scope.Thread)
    public static class Semaphores {
        final Semaphore semaphore = new Semaphore(1);
        final java.util.concurrent.Semaphore jdkSemaphore = new java.util.concurrent.Semaphore(1);
        int counter;
    }

    @Benchmark
    public void eventRoundTrip(Events s) {
        s.ping.set();
        s.pong.await();
        s.pong.clear();
    }

    @Benchmark
    public void latchRoundTrip(Latches s) throws InterruptedException {
        Latches.Round r = s.round;
        r.next = new Latches.Round();
        r.ping.countDown();
        r.pong.await();
        s.round = r.next;
    }

    @Benchmark
    public void conditionPingPong(Conditions s) {
        try (NativeLock.Hold h = s.cond.hold()) {
            s.turn = 1;
            s.cond.signal();
            while (s.turn != 0) s.cond.await();
        }
    }

    @Benchmark
    public void jdkConditionPingPong(JdkConditions s) throws InterruptedException {
        s.lock.lock();
        try {
            s.turn = 1;
            s.cond.signal();
            while (s.turn != 0) s.cond.await();
        } finally {
            s.lock.unlock();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int semaphore(Semaphores s) {
        s.semaphore.acquire();
        try {
            return ++s.counter;
        } finally {
            s.semaphore.release();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int jdkSemaphore(Semaphores s) throws InterruptedException {
        s.jdkSemaphore.acquire();
        try {
            return ++s.counter;
        } finally {
            s.jdkSemaphore.release();
        }
    }
}
