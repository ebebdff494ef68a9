# SPDX-License-Identifier: Apache-2.0
set(NT_ZIG_TARGET x86_64-linux-musl)
include("${CMAKE_CURRENT_LIST_DIR}/zig-linux-musl.cmake")
