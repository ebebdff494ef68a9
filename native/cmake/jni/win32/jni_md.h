/* SPDX-License-Identifier: Apache-2.0 */
/* jni_md.h for Windows targets cross-built on another OS; the JDK's own jni.h includes it.
 * Same definitions as a Windows JDK's include/win32/jni_md.h. */
#ifndef _JAVASOFT_JNI_MD_H_
#define _JAVASOFT_JNI_MD_H_

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef long jint;  /* 32 bits on Windows */
typedef __int64 jlong;
typedef signed char jbyte;

#endif
