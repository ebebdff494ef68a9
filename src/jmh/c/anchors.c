/* SPDX-License-Identifier: Apache-2.0 */
/* Bench-only JNI anchors: what a plain JNI call and a raw gettid syscall through JNI cost. */
#include <jni.h>
#include <sys/syscall.h>
#include <unistd.h>

JNIEXPORT void JNICALL Java_io_github_nativethread_bench_Anchors_noop(JNIEnv *env, jclass cls)
{
    (void)env, (void)cls;
}

JNIEXPORT jlong JNICALL Java_io_github_nativethread_bench_Anchors_gettid(JNIEnv *env, jclass cls)
{
    (void)env, (void)cls;
    return (jlong)syscall(SYS_gettid);
}
