# SPDX-License-Identifier: Apache-2.0
# What the zig toolchain files share: the zig binary and small wrappers around `zig cc` and `zig ar`
# for the target NT_ZIG_CC_TARGET (zig's -target, with its OS or glibc version), as CMake's C compiler
# and archiver.
if(NOT ZIG AND DEFINED ENV{ZIG})
  # cached, so a later `./mvnw package` re-configures Maven's build without ZIG in the environment
  set(ZIG "$ENV{ZIG}" CACHE FILEPATH "the zig binary")
endif()
if(NOT ZIG)
  message(FATAL_ERROR "set ZIG to the zig binary (./build.sh dist installs it)")
endif()
# CMake wants one program per tool.
foreach(tool cc ar)
  set(wrapper "${CMAKE_BINARY_DIR}/zig-${tool}-${NT_ZIG_TARGET}")
  if(tool STREQUAL "cc")
    file(WRITE "${wrapper}" "#!/bin/sh\nexec \"${ZIG}\" cc -target ${NT_ZIG_CC_TARGET} \"$@\"\n")
  else()
    file(WRITE "${wrapper}" "#!/bin/sh\nexec \"${ZIG}\" ar \"$@\"\n")
  endif()
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
endforeach()
set(CMAKE_C_COMPILER "${CMAKE_BINARY_DIR}/zig-cc-${NT_ZIG_TARGET}")
set(CMAKE_AR "${CMAKE_BINARY_DIR}/zig-ar-${NT_ZIG_TARGET}" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB true CACHE FILEPATH "" FORCE)  # llvm-ar writes the symbol index itself

file(GLOB nt_llvm_bins /usr/lib/llvm-*/bin)
