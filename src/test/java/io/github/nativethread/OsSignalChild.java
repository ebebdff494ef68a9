// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

/** Run in a child JVM by {@link OsSignalRoutingTest}; the test sends it real OS signals. */
public final class OsSignalChild {
    private OsSignalChild() {}

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        NativeLock lock = new NativeLock();
        lock.acquire();
        switch (args[0]) {
            case "route-int":
                Signals.routeOsSignal(Signals.SIGINT);
                break;
            case "route-then-default":
                Signals.routeOsSignal(Signals.SIGINT);
                Signals.signal(Signals.SIGINT, Signals.SIG_DFL);
                break;
            case "route-term":
                Signals.signal(Signals.SIGTERM, signum -> {
                    throw new IllegalStateException("SIGTERM handler ran in " + Thread.currentThread().getName());
                });
                Signals.routeOsSignal(Signals.SIGTERM);
                break;
            case "ignore-int":
                Signals.routeOsSignal(Signals.SIGINT);
                Signals.signal(Signals.SIGINT, Signals.SIG_IGN);
                break;
            case "route-throwing":  // args[2]: a signal name; its handler throws
                int number = signum(args[2]);
                Signals.signal(number, sig -> {
                    throw new IllegalStateException(args[2] + " handler ran in " + Thread.currentThread().getName());
                });
                Signals.routeOsSignal(number);
                break;
            case "try-route":  // args[1..]: signal names or numbers; says what routeOsSignal did with each
                for (int i = 1; i < args.length; i++) {
                    try {
                        Signals.routeOsSignal(signum(args[i]));
                        System.out.println("routed " + args[i] + " " + Signals.isOsSignalRouted(signum(args[i])));
                    } catch (IllegalArgumentException e) {
                        System.out.println("refused " + args[i] + ": " + e.getMessage());
                    }
                }
                return;
            case "xrs":
                try {
                    Signals.routeOsSignal(Signals.SIGINT);
                    System.out.println("routed despite -Xrs");
                } catch (IllegalArgumentException e) {
                    System.out.println("refused: " + e.getMessage());
                }
                return;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("ready");
        System.out.flush();
        double timeout = Double.parseDouble(args[1]);
        try {
            System.out.println("acquire returned " + lock.acquire(timeout));
        } catch (KeyboardInterrupt e) {
            System.out.println("KeyboardInterrupt in " + Thread.currentThread().getName());
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }

    /** "SIGUSR1" (a Signals constant) or a number. */
    static int signum(String signal) {
        if (!signal.startsWith("SIG")) return Integer.parseInt(signal);
        try {
            return Signals.class.getField(signal).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(signal, e);
        }
    }
}
