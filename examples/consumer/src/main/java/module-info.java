// SPDX-License-Identifier: Apache-2.0
/** The example consumer, as a module: it reads nativethread's module. */
module io.github.nativethread.example {
    requires io.github.nativethread;
}
