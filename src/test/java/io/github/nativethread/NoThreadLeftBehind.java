// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * threading_helper.wait_threads_exit(): no test leaves a thread of its own behind. Notes
 * {@link NativeThread#count()} before each test and waits (bounded) after it until the count is
 * back to at most that. Registered on an instance field with {@code @RegisterExtension}; public for
 * the tests of {@code io.github.nativethread.threading}.
 */
public final class NoThreadLeftBehind implements BeforeEachCallback, AfterEachCallback {
    private int countAtStart;

    /** {@link NativeThread#count()} before the current test. */
    public int atStart() {
        return countAtStart;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        countAtStart = NativeThread.count();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ThreadHelpers.awaitThreadsEnded(countAtStart);
    }
}
