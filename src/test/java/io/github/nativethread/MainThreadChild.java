package io.github.nativethread;

/** Run in a child JVM by {@link MainThreadRuleTest}: the library first used off the main thread. */
public final class MainThreadChild {
    private MainThreadChild() {}

    @SuppressWarnings("deprecation")
    public static void main(String[] args) throws Exception {
        Thread main = Thread.currentThread();
        Thread worker = new Thread(() -> {
            if (args[0].equals("main-gone")) {
                try {
                    main.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            System.out.println("main " + main.getId() + " worker " + NativeThread.getIdent()
                    + " mainThreadIdent " + NativeThread.mainThreadIdent());
            // handlers run in the thread chosen as main
            Signals.signal(InterruptMainTest.OTHER, signum -> System.out.println("handler in " + Thread.currentThread().getName()));
            NativeThread.interruptMain(InterruptMainTest.OTHER);
            Signals.checkSignals();
        }, "worker");
        worker.start();
        if (args[0].equals("main-alive")) worker.join();
    }
}
