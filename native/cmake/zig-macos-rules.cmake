# SPDX-License-Identifier: Apache-2.0
# CMAKE_USER_MAKE_RULES_OVERRIDE of zig-macos.cmake: the dylib is linked by ld64.lld.
set(CMAKE_C_CREATE_SHARED_LIBRARY
    "\"${NT_LD64_LLD}\" -dylib -arch ${CMAKE_SYSTEM_PROCESSOR} -platform_version macos ${NT_MACOS_MIN} ${NT_MACOS_MIN} -dead_strip <LINK_FLAGS> -o <TARGET> -install_name @rpath/<TARGET_SONAME> <OBJECTS> <LINK_LIBRARIES> \"${NT_LIBSYSTEM_TBD}\"")
