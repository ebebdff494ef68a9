# SPDX-License-Identifier: Apache-2.0
set(NT_ZIG_TARGET x86_64-macos)
include("${CMAKE_CURRENT_LIST_DIR}/zig-macos.cmake")
