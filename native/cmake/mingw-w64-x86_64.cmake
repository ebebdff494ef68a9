# SPDX-License-Identifier: Apache-2.0
# Windows x86_64 with Debian's gcc-mingw-w64-x86-64.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Only system DLLs at run time: no libgcc_s / libwinpthread to ship or find under wine.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_RELEASE_INIT "-s")  # the symbol table is most of the DLL's size
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(NT_JNI_MD_DIR "${CMAKE_CURRENT_LIST_DIR}/jni/win32")
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
