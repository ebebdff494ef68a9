// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/** What a new thread runs, called by the JNI glue once the thread is attached to the JVM. */
final class ThreadStart implements Runnable {
    private final Runnable function;
    /** Locked from start until the thread's function has ended; joins wait on it. */
    final NativeLock done = new NativeLock();
    volatile boolean finished;

    ThreadStart(Runnable function) {
        this.function = function;
        done.take(0);  // a new lock: taken at once
    }

    @Override
    public void run() {
        Thread thread = Thread.currentThread();
        try {
            function.run();  // (the glue attached the thread with its Java name)
        } catch (ThreadExit exit) {
            // ends the thread silently
        } catch (Throwable e) {
            try {
                thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
            } catch (Throwable ignored) {
                // as the JVM does: an exception thrown by the handler is ignored
            }
        } finally {
            NativeThread.threadEnded();
            finished = true;
            done.release();
        }
    }
}
