package io.github.nativethread.threading;

/** CPython's {@code threading.BrokenBarrierError}: the {@link Barrier} is broken or was reset. */
public class BrokenBarrierError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokenBarrierError() {
        super();
    }

    public BrokenBarrierError(String message) {
        super(message);
    }
}
