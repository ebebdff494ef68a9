// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.threading;

import io.github.nativethread.NativeThread;
import io.github.nativethread.ThreadError;
import io.github.nativethread.ThreadExit;
import io.github.nativethread.ThreadHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPython's {@code threading.Thread}: a thread object over a real OS thread of
 * {@link NativeThread#builder()}, with its own exact stack size, a name that is both its Java name
 * and (truncated) its OS name, and a daemon flag. Pass a {@link Runnable} target or override
 * {@link #run()}, then {@link #start()} and {@link #join()} it.
 *
 * <p>The running thread is a {@code java.lang.Thread} (thread dumps show its name;
 * {@code Thread.currentThread()} and {@code ThreadLocal} work). What {@code run()} throws goes to its
 * {@link Thread.UncaughtExceptionHandler} (the one set here, else the JVM's default); a
 * {@link ThreadExit} ({@link NativeThread#exit()}) ends it silently. A non-daemon {@code OsThread}
 * keeps the JVM alive until it ends.
 *
 * <p>Everything before {@code start()} happens-before {@code run()}; everything in {@code run()}
 * happens-before {@code join()} returns, a {@code join(t)} that returns true, and an
 * {@code isAlive()} that returns false after {@code start()}.
 */
public class OsThread {
    private static final AtomicLong NAMES = new AtomicLong();
    private static final AtomicLong SERIALS = new AtomicLong();
    /** The alive ones (and those being started), in the order they were made. */
    private static final Map<Long, OsThread> ACTIVE = new ConcurrentSkipListMap<>();

    private final long serial = SERIALS.incrementAndGet();
    /** Guards the fields below against start() in another thread, and the name's two homes. */
    private final Object lock = new Object();
    private Runnable target;
    private String name;
    private boolean daemon = Thread.currentThread().isDaemon();
    private long stackSize;
    private Thread.UncaughtExceptionHandler handler;
    private boolean starting;
    /** The running thread, once {@code run()} is about to be called. */
    private Thread thread;
    private volatile ThreadHandle handle;
    /** From start() launching the thread (reset if that fails): the thread may run before start()
     *  returns and sets {@link #handle}, and sees itself started, as in CPython. */
    private volatile boolean started;
    /** Set by the thread itself before run(), and by start() from the handle: the same values. */
    private volatile long ident, nativeId;

    /** A thread object whose {@link #run()} does nothing until a subclass overrides it. */
    public OsThread() {
        this(null, null);
    }

    /**
     * A thread object whose {@link #run()} calls {@code target} (null: nothing).
     *
     * @param target what {@link #run()} calls, or null
     */
    public OsThread(Runnable target) {
        this(target, null);
    }

    /**
     * A thread object whose {@link #run()} calls {@code target} (null: nothing), named {@code name}
     * (null: a new unique {@code "OsThread-N"}).
     *
     * @param target what {@link #run()} calls, or null
     * @param name the thread's name, or null
     * @throws IllegalArgumentException if {@code name} contains a NUL character
     */
    public OsThread(Runnable target, String name) {
        this.target = target;
        this.name = name != null ? checkName(name) : "OsThread-" + NAMES.incrementAndGet();
    }

    /** {@return the thread's name} */
    public String getName() {
        synchronized (lock) {
            return name;
        }
    }

    /**
     * Renames the thread. Before {@link #start()}, the name becomes the thread's Java name and its
     * OS name (truncated to the platform's limit, 15 bytes on Linux); afterwards it changes the
     * Java name only (the OS name of a running thread can be set only by itself:
     * {@link NativeThread#setName(String)}).
     *
     * @param name the new name
     * @throws IllegalArgumentException if {@code name} contains a NUL character
     */
    public void setName(String name) {
        checkName(name);
        synchronized (lock) {
            this.name = name;
            if (thread != null) thread.setName(name);
        }
    }

    /** {@return whether this is a daemon thread, which does not keep the JVM alive} */
    public boolean isDaemon() {
        synchronized (lock) {
            return daemon;
        }
    }

    /**
     * Makes this a daemon thread or not; the default is the creating thread's
     * {@code Thread.currentThread().isDaemon()}.
     *
     * @param daemon true for a daemon thread
     * @throws ThreadError "cannot set daemon status of active thread" once started
     */
    public void setDaemon(boolean daemon) {
        synchronized (lock) {
            if (starting) throw new ThreadError("cannot set daemon status of active thread");
            this.daemon = daemon;
        }
    }

    /**
     * {@return this thread's stack size in bytes; 0 (the default): {@link NativeThread#stackSize()} at
     * start}
     */
    public long getStackSize() {
        synchronized (lock) {
            return stackSize;
        }
    }

    /**
     * Sets this thread's stack size: 0 for {@link NativeThread#stackSize()} at {@link #start()}, else
     * at least {@link NativeThread#minStackSize()} bytes, exact (rounded up to the page size).
     *
     * @param size the stack size in bytes, or 0
     * @throws IllegalArgumentException "size not valid: N bytes" otherwise, as
     *     {@link NativeThread#stackSize(long)}; the setting is unchanged
     * @throws ThreadError "cannot set stack size of active thread" once started
     */
    public void setStackSize(long size) {
        NativeThread.builder().stackSize(size);  // validates as NativeThread.stackSize(size)
        synchronized (lock) {
            if (starting) throw new ThreadError("cannot set stack size of active thread");
            this.stackSize = size;
        }
    }

    /** {@return the handler for what {@link #run()} throws; null: the JVM's default} */
    public Thread.UncaughtExceptionHandler getUncaughtExceptionHandler() {
        synchronized (lock) {
            return handler;
        }
    }

    /**
     * Sets the handler for what {@link #run()} throws (null: the JVM's default, as for any thread).
     * Set after {@link #start()}, it applies if {@code run()} has not ended yet.
     *
     * @param handler the handler, or null
     */
    public void setUncaughtExceptionHandler(Thread.UncaughtExceptionHandler handler) {
        synchronized (lock) {
            this.handler = handler;
            if (thread != null) thread.setUncaughtExceptionHandler(handler);
        }
    }

    /**
     * Starts a real OS thread that runs {@link #run()}; returns once it runs.
     *
     * @throws ThreadError "threads can only be started once" on a second call; "can't start new
     *     thread: &lt;reason&gt;" if the OS or the JVM refuses (the object may then be started again)
     */
    public void start() {
        NativeThread.Builder builder = NativeThread.builder();
        synchronized (lock) {
            if (starting) throw new ThreadError("threads can only be started once");
            starting = true;
            builder.name(name).daemon(daemon);
            if (stackSize != 0) builder.stackSize(stackSize);
        }
        ACTIVE.put(serial, this);
        started = true;
        try {
            ThreadHandle h = builder.start(this::bootstrap);
            ident = h.ident();
            nativeId = h.nativeId();
            handle = h;
        } catch (RuntimeException | Error e) {
            started = false;
            ACTIVE.remove(serial);
            synchronized (lock) {
                starting = false;
            }
            throw e;
        }
    }

    /** The new thread's function: {@link #run()} with this object's name and handler. */
    private void bootstrap() {
        Thread current = Thread.currentThread();
        ident = NativeThread.getIdent();
        nativeId = NativeThread.getNativeId();
        synchronized (lock) {
            thread = current;
            current.setName(name);  // a setName() after start() returned must win
            if (handler != null) current.setUncaughtExceptionHandler(handler);
        }
        try {
            run();  // what it throws goes to the handler, as for any thread started by the core
        } finally {
            ACTIVE.remove(serial);
        }
    }

    /** The thread's body: calls the target given to the constructor, if any. Subclasses override it. */
    public void run() {
        Runnable t = target;
        if (t == null) return;
        try {
            t.run();
        } finally {
            target = null;  // as CPython: no reference kept to what the target holds
        }
    }

    /**
     * Waits until the thread has ended.
     *
     * @throws ThreadError "cannot join thread before it is started", or "cannot join current thread"
     */
    public void join() {
        joinable().join();
    }

    /**
     * Waits at most {@code timeout} <em>seconds</em> (-1: no limit) for the thread to end;
     * {@link #join(Duration)} is the same in Java's unit.
     *
     * @param timeout seconds; -1 for no limit
     * @return true when the thread has ended
     * @throws IllegalArgumentException for NaN, a negative timeout other than -1, or one above
     *     {@link NativeThread#TIMEOUT_MAX}
     * @throws ThreadError "cannot join thread before it is started", or "cannot join current thread"
     */
    public boolean join(double timeout) {
        return joinable().join(timeout);
    }

    /**
     * Waits at most {@code timeout} for the thread to end: {@link #join(double)} in Java's unit
     * (converted exactly to nanoseconds; for no limit use {@link #join()}).
     *
     * @param timeout the longest wait
     * @return true when the thread has ended
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException for a negative duration or one above
     *     {@link NativeThread#TIMEOUT_MAX} seconds
     * @throws ThreadError "cannot join thread before it is started", or "cannot join current thread"
     */
    public boolean join(Duration timeout) {
        return joinable().join(timeout);
    }

    private ThreadHandle joinable() {
        if (ident == NativeThread.getIdent()) throw new ThreadError("cannot join current thread");
        ThreadHandle h = handle;  // null also while start() has not returned yet
        if (h == null) throw new ThreadError("cannot join thread before it is started");
        return h;
    }

    /**
     * True from the thread's start (at the latest when {@link #start()} returns; in {@code run()}
     * already) until the thread has ended: {@link #run()} has returned, or thrown and its
     * uncaught-exception handler has returned. Once false, {@code join} returns at once.
     *
     * @return whether the thread is alive
     */
    public boolean isAlive() {
        if (!started) return false;
        ThreadHandle h = handle;  // null while start() has not returned: alive
        return h == null || !h.isDone();
    }

    /** {@return the thread's {@link NativeThread#getIdent() ident}; 0 before {@link #start()}} */
    public long ident() {
        return ident;
    }

    /**
     * {@return the thread's kernel id ({@link NativeThread#getNativeId()} in it); 0 before
     * {@link #start()}}
     */
    public long nativeId() {
        return nativeId;
    }

    /**
     * The number of {@code OsThread}s alive now. Unlike CPython's {@code active_count()}, neither the
     * main thread nor threads started otherwise are counted.
     *
     * @return the number of alive {@code OsThread}s
     */
    public static int activeCount() {
        return ACTIVE.size();
    }

    /** {@return the {@code OsThread}s alive now, oldest first (a snapshot; see {@link #activeCount()})} */
    public static List<OsThread> enumerate() {
        return new ArrayList<>(ACTIVE.values());
    }

    /** {@code OsThread(OsThread-1, started daemon 23)}: class, name, status, daemon, ident. */
    @Override
    public String toString() {
        String cls = getClass().getSimpleName();
        StringBuilder s = new StringBuilder(cls.isEmpty() ? getClass().getName() : cls)
                .append('(').append(getName()).append(", ");
        s.append(!started ? "initial" : isAlive() ? "started" : "stopped");
        if (isDaemon()) s.append(" daemon");
        long id = ident();
        if (id != 0) s.append(' ').append(id);
        return s.append(')').toString();
    }

    private static String checkName(String name) {
        NativeThread.builder().name(name);  // validates as the OS name will need
        return name;
    }
}
