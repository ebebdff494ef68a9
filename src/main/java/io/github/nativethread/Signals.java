// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import io.github.nativethread.internal.JvmSignals;
import io.github.nativethread.internal.Native;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The part of CPython's {@code signal} module that {@link NativeThread#interruptMain(int)} needs:
 * a table of handlers that run in the main thread.
 *
 * <p><b>The main thread</b> is the thread that created the JVM: the launcher's {@code main} thread
 * (the one {@code main(String[])} runs in), or, in a JVM created by a native host through
 * {@code JNI_CreateJavaVM}, the host's thread that created it. The JVM gives that thread's
 * {@code java.lang.Thread} the smallest id it ever hands out, so the library recognises it by its id,
 * never by its name: no thread started by this library, whatever its name, and no later thread
 * ever becomes the main thread. {@link NativeThread#mainThreadIdent()} returns its ident; if it had
 * already ended (or, in a native host, detached) when this class initialised, there is no main
 * thread: {@code mainThreadIdent()} returns 0 and handlers never run.
 *
 * <p><b>Delivery.</b> {@code interruptMain(signum)} marks the signal pending; its handler runs in the
 * main thread only: at once when the main thread itself called, otherwise at the main thread's
 * next checkpoint: {@link #checkSignals()}, and every {@code acquire}, {@code release} and
 * {@code join} of {@link NativeLock}, {@link NativeRLock} and {@link ThreadHandle} (a checkpoint
 * costs one volatile read while no signal is pending). A wait in one of them, already blocked, wakes
 * within milliseconds, runs the pending handlers in signal-number order, and then either ends with
 * the exception a handler threw (the lock is not taken) or goes on waiting for the time left.
 * A main thread in {@code Thread.sleep}, {@code Object.wait} or {@code LockSupport.park} is not
 * interrupted (its {@code java.lang.Thread} interrupt status is left alone); the handler runs at
 * its next checkpoint.
 *
 * <p><b>Real OS signals</b> are left to the JVM unless a program opts in with {@link
 * #routeOsSignal(int)}: from then on the OS delivering that signal (Ctrl-C is SIGINT, {@code kill}
 * sends SIGTERM) works like {@code interruptMain(signum)}, so by default Ctrl-C raises
 * {@link KeyboardInterrupt} in the main thread instead of ending the JVM. Setting the handler back to
 * {@link #SIG_DFL} gives the signal back to the JVM (for SIGINT, SIGTERM and SIGHUP: run the shutdown
 * hooks and exit). Routing goes through the JVM's own signal dispatch ({@code sun.misc.Signal}), so
 * the JVM's use of other signals is untouched; signals the JVM needs (its faults, thread dumps,
 * suspend/resume, ...) are refused, as are SIGINT, SIGTERM and SIGHUP under {@code -Xrs}: see
 * {@link #routeOsSignal(int)}.
 *
 * <p>Signal numbers are the platform's; a name the platform lacks is -1.
 */
public final class Signals {
    /** A signal handler; runs in the main thread. */
    @FunctionalInterface
    public interface SignalHandler {
        /**
         * Handles signal {@code signum}, in the main thread.
         *
         * @param signum the signal's number
         */
        void handle(int signum);
    }

    /** abort; -1 on a platform without {@code SIGABRT} */
    public static final int SIGABRT = Native.signalNumber("SIGABRT");
    /** timer alarm; -1 on a platform without {@code SIGALRM} */
    public static final int SIGALRM = Native.signalNumber("SIGALRM");
    /** Ctrl-Break (Windows); -1 on a platform without {@code SIGBREAK} */
    public static final int SIGBREAK = Native.signalNumber("SIGBREAK");
    /** bus error; -1 on a platform without {@code SIGBUS} */
    public static final int SIGBUS = Native.signalNumber("SIGBUS");
    /** child stopped or ended; -1 on a platform without {@code SIGCHLD} */
    public static final int SIGCHLD = Native.signalNumber("SIGCHLD");
    /** continue; -1 on a platform without {@code SIGCONT} */
    public static final int SIGCONT = Native.signalNumber("SIGCONT");
    /** arithmetic error; -1 on a platform without {@code SIGFPE} */
    public static final int SIGFPE = Native.signalNumber("SIGFPE");
    /** hang-up; -1 on a platform without {@code SIGHUP} */
    public static final int SIGHUP = Native.signalNumber("SIGHUP");
    /** illegal instruction; -1 on a platform without {@code SIGILL} */
    public static final int SIGILL = Native.signalNumber("SIGILL");
    /** interrupt (Ctrl-C); -1 on a platform without {@code SIGINT} */
    public static final int SIGINT = Native.signalNumber("SIGINT");
    /** I/O possible; -1 on a platform without {@code SIGIO} */
    public static final int SIGIO = Native.signalNumber("SIGIO");
    /** kill (uncatchable); -1 on a platform without {@code SIGKILL} */
    public static final int SIGKILL = Native.signalNumber("SIGKILL");
    /** broken pipe; -1 on a platform without {@code SIGPIPE} */
    public static final int SIGPIPE = Native.signalNumber("SIGPIPE");
    /** profiling timer; -1 on a platform without {@code SIGPROF} */
    public static final int SIGPROF = Native.signalNumber("SIGPROF");
    /** power failure; -1 on a platform without {@code SIGPWR} */
    public static final int SIGPWR = Native.signalNumber("SIGPWR");
    /** quit (thread dump in the JVM); -1 on a platform without {@code SIGQUIT} */
    public static final int SIGQUIT = Native.signalNumber("SIGQUIT");
    /** segmentation fault; -1 on a platform without {@code SIGSEGV} */
    public static final int SIGSEGV = Native.signalNumber("SIGSEGV");
    /** stop (uncatchable); -1 on a platform without {@code SIGSTOP} */
    public static final int SIGSTOP = Native.signalNumber("SIGSTOP");
    /** bad system call; -1 on a platform without {@code SIGSYS} */
    public static final int SIGSYS = Native.signalNumber("SIGSYS");
    /** termination; -1 on a platform without {@code SIGTERM} */
    public static final int SIGTERM = Native.signalNumber("SIGTERM");
    /** trace trap; -1 on a platform without {@code SIGTRAP} */
    public static final int SIGTRAP = Native.signalNumber("SIGTRAP");
    /** terminal stop (Ctrl-Z); -1 on a platform without {@code SIGTSTP} */
    public static final int SIGTSTP = Native.signalNumber("SIGTSTP");
    /** background read from the terminal; -1 on a platform without {@code SIGTTIN} */
    public static final int SIGTTIN = Native.signalNumber("SIGTTIN");
    /** background write to the terminal; -1 on a platform without {@code SIGTTOU} */
    public static final int SIGTTOU = Native.signalNumber("SIGTTOU");
    /** urgent data on a socket; -1 on a platform without {@code SIGURG} */
    public static final int SIGURG = Native.signalNumber("SIGURG");
    /** user-defined 1; -1 on a platform without {@code SIGUSR1} */
    public static final int SIGUSR1 = Native.signalNumber("SIGUSR1");
    /** user-defined 2; -1 on a platform without {@code SIGUSR2} */
    public static final int SIGUSR2 = Native.signalNumber("SIGUSR2");
    /** virtual timer; -1 on a platform without {@code SIGVTALRM} */
    public static final int SIGVTALRM = Native.signalNumber("SIGVTALRM");
    /** window size change; -1 on a platform without {@code SIGWINCH} */
    public static final int SIGWINCH = Native.signalNumber("SIGWINCH");
    /** CPU time limit exceeded; -1 on a platform without {@code SIGXCPU} */
    public static final int SIGXCPU = Native.signalNumber("SIGXCPU");
    /** file size limit exceeded; -1 on a platform without {@code SIGXFSZ} */
    public static final int SIGXFSZ = Native.signalNumber("SIGXFSZ");
    /** One more than the largest signal number. */
    public static final int NSIG = Native.NSIG;

    /** The default action; {@code interruptMain} with it does nothing. */
    public static final SignalHandler SIG_DFL = named("SIG_DFL");
    /** Ignore the signal; {@code interruptMain} with it does nothing. */
    public static final SignalHandler SIG_IGN = named("SIG_IGN");
    /** The initial SIGINT handler: throws {@link KeyboardInterrupt}. */
    public static final SignalHandler DEFAULT_INT_HANDLER = new SignalHandler() {
        @Override
        public void handle(int signum) {
            throw new KeyboardInterrupt();
        }

        @Override
        public String toString() {
            return "DEFAULT_INT_HANDLER";
        }
    };

    /** Routed OS signals, with the JVM's handler to restore. */
    private static final Map<Integer, sun.misc.SignalHandler> ROUTED = new ConcurrentHashMap<>();
    private static final AtomicReferenceArray<SignalHandler> HANDLERS = new AtomicReferenceArray<>(NSIG);
    private static final AtomicIntegerArray PENDING = new AtomicIntegerArray(NSIG);
    /** Some signal may be pending: set after a PENDING slot, cleared before scanning them. The
     *  library's checkpoints read it before calling {@link #checkSignals()}. */
    static volatile boolean tripped;
    /** The thread that created the JVM, or null if it had ended before this class initialised. */
    private static final Thread MAIN = findMainThread();
    /** Ends the main thread's interruptible native waits. Lives as long as the class. */
    private static final long MAIN_WAKER = Native.newWaker();

    static {
        for (int i = 1; i < NSIG; i++) HANDLERS.set(i, SIG_DFL);
        HANDLERS.set(SIGINT, DEFAULT_INT_HANDLER);
    }

    private Signals() {}

    private static SignalHandler named(String name) {
        return new SignalHandler() {
            @Override
            public void handle(int signum) {}

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * The JVM numbers its threads in the order they are created, and the thread that created the
     * JVM comes first (JDK 11-18 give it 1, later ones Thread.PRIMORDIAL_TID), before the JVM's
     * own threads in the "system" group (Reference Handler, Finalizer...), which never end. So it
     * is alive exactly when the live thread with the smallest id is not a system thread.
     */
    @SuppressWarnings("deprecation")  // Thread.threadId() is JDK 19+
    private static Thread findMainThread() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        Thread first = null;
        for (int i = 0; i < n; i++) {
            if (first == null || threads[i].getId() < first.getId()) first = threads[i];
        }
        ThreadGroup group = first == null ? null : first.getThreadGroup();
        return group != null && group.getParent() != null ? first : null;
    }

    @SuppressWarnings("deprecation")  // Thread.threadId() is JDK 19+
    static long mainThreadIdent() {
        return MAIN == null ? 0 : MAIN.getId();
    }

    /** The waker of the calling thread's native waits: the main thread's, else 0 (none). */
    static long wakerOfCurrentThread() {
        return Thread.currentThread() == MAIN ? MAIN_WAKER : 0;
    }

    private static int checkSignum(int signum) {
        if (signum < 1 || signum >= NSIG) {
            throw new IllegalArgumentException("signal number out of range: " + signum + " (1.." + (NSIG - 1) + ")");
        }
        return signum;
    }

    /**
     * Sets the handler of {@code signum} and returns the previous one.
     *
     * @param signum the signal's number
     * @param handler the new handler: a function, {@link #SIG_DFL} or {@link #SIG_IGN}
     * @return the previous handler
     * @throws IllegalArgumentException "signal number out of range" unless 1 ≤ signum &lt; NSIG;
     *     for SIGKILL and SIGSTOP, whatever the handler (no process can catch them; CPython refuses
     *     them with {@code OSError(EINVAL)})
     * @throws NullPointerException if {@code handler} is null
     */
    public static SignalHandler signal(int signum, SignalHandler handler) {
        Objects.requireNonNull(handler, "handler");
        checkSignum(signum);
        String uncatchable = JvmSignals.whyUncatchable(signum);
        if (uncatchable != null) {
            throw new IllegalArgumentException(describe(signum) + " cannot have a handler: " + uncatchable);
        }
        SignalHandler previous = HANDLERS.getAndSet(signum, handler);
        if (handler == SIG_DFL) unrouteOsSignal(signum);
        return previous;
    }

    /**
     * Routes real OS deliveries of {@code signum} to this table: each one is handled like
     * {@code NativeThread.interruptMain(signum)} (the handler runs in the main thread; {@link #SIG_IGN}
     * ignores it). The route ends, and the JVM's own handling returns, when the handler is set to
     * {@link #SIG_DFL}. Routing a routed signal again does nothing.
     *
     * <p>Signals whose routing would break the running JVM are refused, whatever {@code
     * sun.misc.Signal} would accept; the message names the signal, its number, the reason and what
     * to do instead. On Linux and macOS: SIGKILL and SIGSTOP (no process can catch them); SIGSEGV,
     * SIGBUS, SIGFPE, SIGILL and SIGTRAP (HotSpot's faults and traps: a routed fault would run the
     * faulting instruction again forever); SIGQUIT (thread dumps, the attach listener of jcmd and
     * jstack); HotSpot's suspend/resume signal (SIGUSR2, or the number in the environment variable
     * {@code _JAVA_SR_SIGNUM} the JVM started with, as HotSpot reads it); the JDK's NIO interrupt
     * signal (SIGRTMAX-2 on Linux, which has no name here; SIGIO on macOS); on Linux SIGPROF (JFR's
     * CPU-time sampler, JDK 25+); SIGHUP, SIGINT and SIGTERM when the JVM runs with {@code -Xrs}
     * ({@code ReduceSignalUsage}, read from the VM), or when the process ignores them (started under
     * {@code nohup}, say), as the JVM then never delivers them. On Windows: SIGSEGV, SIGILL, SIGFPE
     * (HotSpot's structured exceptions), SIGBREAK (thread dumps, Ctrl-Break), and SIGINT and SIGTERM
     * under {@code -Xrs}.
     *
     * @param signum the signal's number
     * @throws IllegalArgumentException "signal number out of range"; a signal listed above; a
     *     signal without a name here (the JVM's dispatch knows signals by name); or one the JVM
     *     itself refuses
     */
    public static synchronized void routeOsSignal(int signum) {
        checkSignum(signum);
        if (ROUTED.containsKey(signum)) return;
        String refusal = JvmSignals.whyNotRoutable(signum);
        if (refusal != null) {
            throw new IllegalArgumentException("cannot route " + describe(signum) + ": " + refusal);
        }
        String name = osName(signum);
        try {
            sun.misc.SignalHandler jvm = sun.misc.Signal.handle(new sun.misc.Signal(name),
                    sig -> deliverOsSignal(signum));
            ROUTED.put(signum, jvm);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot route " + describe(signum)
                    + ": the JVM does not let Java handle it: " + e.getMessage(), e);
        }
    }

    /**
     * Is real OS signal {@code signum} routed to this table?
     *
     * @param signum the signal's number
     * @return whether it is routed
     */
    public static boolean isOsSignalRouted(int signum) {
        return ROUTED.containsKey(checkSignum(signum));
    }

    private static synchronized void unrouteOsSignal(int signum) {
        sun.misc.SignalHandler jvm = ROUTED.remove(signum);
        if (jvm != null) sun.misc.Signal.handle(new sun.misc.Signal(osName(signum)), jvm);
    }

    /** Runs in the JVM's signal handler thread. */
    private static void deliverOsSignal(int signum) {
        if (HANDLERS.get(signum) == SIG_IGN) return;
        interruptMain(signum);
    }

    /** The name sun.misc.Signal knows signum by ("INT"), from this class's constants. */
    private static String osName(int signum) {
        String name = nameOf(signum);
        if (name == null) {
            throw new IllegalArgumentException("cannot route signal " + signum + ": the JVM's signal dispatch "
                    + "(sun.misc.Signal) takes signals by name, and this one has none here");
        }
        return name.substring(3);
    }

    /** "SIGBUS (7)", or "signal 62" for a number without a name here. */
    private static String describe(int signum) {
        String name = nameOf(signum);
        return name == null ? "signal " + signum : name + " (" + signum + ")";
    }

    /** The name of this class's constant for signum ("SIGINT"), or null. */
    private static String nameOf(int signum) {
        for (java.lang.reflect.Field f : Signals.class.getFields()) {
            try {
                if (f.getName().startsWith("SIG") && f.getType() == int.class && f.getInt(null) == signum) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return null;
    }

    /**
     * The handler of {@code signum}.
     *
     * @param signum the signal's number
     * @return its handler
     * @throws IllegalArgumentException if out of range
     */
    public static SignalHandler getSignal(int signum) {
        return HANDLERS.get(checkSignum(signum));
    }

    /**
     * In the main thread, runs the handlers of pending signals now, in signal-number order; a
     * handler's exception propagates (signals still pending then run at the next check).
     * In any other thread does nothing.
     */
    public static void checkSignals() {
        if (!tripped || Thread.currentThread() != MAIN) return;
        tripped = false;
        for (int signum = 1; signum < NSIG; signum++) {
            if (PENDING.get(signum) != 0 && PENDING.getAndSet(signum, 0) != 0) {
                SignalHandler handler = HANDLERS.get(signum);
                if (handler == SIG_DFL || handler == SIG_IGN) continue;
                try {
                    handler.handle(signum);
                } catch (RuntimeException | Error e) {
                    retrip();
                    throw e;
                }
            }
        }
    }

    private static void retrip() {
        for (int signum = 1; signum < NSIG; signum++) {
            if (PENDING.get(signum) != 0) {
                tripped = true;
                return;
            }
        }
    }

    static void interruptMain(int signum) {
        SignalHandler handler = HANDLERS.get(checkSignum(signum));
        if (handler == SIG_DFL || handler == SIG_IGN) return;
        PENDING.set(signum, 1);
        tripped = true;
        if (Thread.currentThread() == MAIN) {
            checkSignals();
        } else {
            Native.wake(MAIN_WAKER);
        }
    }
}
