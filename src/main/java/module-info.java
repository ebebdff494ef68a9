// SPDX-License-Identifier: Apache-2.0
/**
 * nativethread: CPython's {@code _thread} for Java. See {@link io.github.nativethread.NativeThread}.
 *
 * <p>On JDK 22 and later, run with {@code --enable-native-access=io.github.nativethread} (or
 * {@code ALL-UNNAMED} on the class path) so that loading the JNI library prints no warning.
 */
module io.github.nativethread {
    exports io.github.nativethread;
    exports io.github.nativethread.threading;

    requires jdk.management;   // HotSpot's stack-zone options for minStackSize()
    requires jdk.unsupported;  // sun.misc.Signal: opt-in routing of real OS signals
}
