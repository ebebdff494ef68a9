/* SPDX-License-Identifier: Apache-2.0 */
/* Bench-only JNI anchors: what a plain JNI call and a raw gettid syscall through JNI cost, and what
 * a native start+join costs without the library: the OS's thread, the JVM's attach and detach. */
#include <jni.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
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

static jlong clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (jlong)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Stores the wall and process CPU nanoseconds since *since into out[0..1]. */
static void took(JNIEnv *env, jlongArray out, const jlong since[2])
{
    jlong now[2] = {clock_ns(CLOCK_MONOTONIC) - since[0], clock_ns(CLOCK_PROCESS_CPUTIME_ID) - since[1]};
    (*env)->SetLongArrayRegion(env, out, 0, 2, now);
}

static void *nothing(void *arg)
{
    return arg;
}

/* `rounds` bare pthread_create+pthread_join of a thread that does nothing, default attributes
 * (glibc's cached stacks, as a default-size native thread's); out: wall and CPU ns. 0 or errno. */
JNIEXPORT jint JNICALL Java_io_github_nativethread_bench_Anchors_pthreadRounds(JNIEnv *env, jclass cls,
                                                                               jint rounds, jlongArray out)
{
    (void)cls;
    jlong since[2] = {clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_PROCESS_CPUTIME_ID)};
    for (jint i = 0; i < rounds; i++) {
        pthread_t t;
        int rc = pthread_create(&t, NULL, nothing, NULL);
        if (rc) return rc;
        pthread_join(t, NULL);
    }
    took(env, out, since);
    return 0;
}

typedef struct attach_loop {
    JavaVM *vm;
    jint rounds, result;
    jlong attach_ns;  /* of the attaches alone */
} attach_loop;

/* `a->rounds` attaches and detaches of the calling thread. */
static void *attach_detach(void *p)
{
    attach_loop *a = p;
    for (jint i = 0; i < a->rounds && a->result == JNI_OK; i++) {
        JNIEnv *env;
        JavaVMAttachArgs args = {JNI_VERSION_1_8, "attach-anchor", NULL};  /* as the library's */
        jlong t0 = clock_ns(CLOCK_MONOTONIC);
        a->result = (*a->vm)->AttachCurrentThread(a->vm, (void **)&env, &args);
        a->attach_ns += clock_ns(CLOCK_MONOTONIC) - t0;
        if (a->result == JNI_OK) (*a->vm)->DetachCurrentThread(a->vm);
    }
    return NULL;
}

/* `rounds` AttachCurrentThread+DetachCurrentThread: all on one OS thread (a default-size pthread,
 * as above), the JVM's part of a native thread's start and end alone; or (`fresh`) each on a new
 * pthread, created and joined: the least a native start+join does, without the library. out: wall
 * and CPU ns, and the wall ns of the attaches alone. 0, or the JNI error, or errno. */
JNIEXPORT jint JNICALL Java_io_github_nativethread_bench_Anchors_attachRounds(JNIEnv *env, jclass cls,
                                                                              jint rounds, jboolean fresh,
                                                                              jlongArray out)
{
    (void)cls;
    attach_loop a = {NULL, fresh ? 1 : rounds, JNI_OK, 0};
    if ((*env)->GetJavaVM(env, &a.vm) != JNI_OK) return JNI_ERR;
    jlong since[2] = {clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_PROCESS_CPUTIME_ID)};
    for (jint i = 0; i < (fresh ? rounds : 1) && a.result == JNI_OK; i++) {
        pthread_t t;
        int rc = pthread_create(&t, NULL, attach_detach, &a);
        if (rc) return rc;
        pthread_join(t, NULL);
    }
    took(env, out, since);
    (*env)->SetLongArrayRegion(env, out, 2, 1, &a.attach_ns);
    return a.result;
}
