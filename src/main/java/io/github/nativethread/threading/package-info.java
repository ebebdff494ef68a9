// SPDX-License-Identifier: Apache-2.0
/**
 * CPython's {@code threading} module built on the core ({@link io.github.nativethread.NativeThread},
 * {@link io.github.nativethread.NativeLock}, {@link io.github.nativethread.NativeRLock}):
 * {@link io.github.nativethread.threading.OsThread}, {@link io.github.nativethread.threading.Event},
 * {@link io.github.nativethread.threading.Condition}, {@link io.github.nativethread.threading.Semaphore},
 * {@link io.github.nativethread.threading.BoundedSemaphore}, {@link io.github.nativethread.threading.Barrier}
 * and {@link io.github.nativethread.threading.Timer}.
 *
 * <p>Python's {@code wait}/{@code wait_for}/{@code notify}/{@code notify_all} are
 * {@code await}/{@code awaitFor}/{@code signal}/{@code signalAll} ({@code wait} and {@code notify}
 * are {@code Object}'s). Timeouts are a {@link java.time.Duration} ({@code Event.await},
 * {@code Condition.await}, {@code Semaphore.acquire}, {@code OsThread.join}) or, as in Python, seconds
 * as {@code double}, -1 for no limit, with the rules of
 * {@link io.github.nativethread.NativeLock#acquire(boolean, double)}; a timed wait that reports a
 * timeout has waited at least that long by {@link System#nanoTime()}. In the main thread every
 * blocking call here is a checkpoint of {@link io.github.nativethread.Signals}, like a lock's
 * acquire: {@code interruptMain} wakes it, the handler runs, and its exception ends the wait (a
 * {@link io.github.nativethread.threading.Condition} re-acquires its lock first); if the handler
 * returns, the wait goes on with the time left.
 */
package io.github.nativethread.threading;
