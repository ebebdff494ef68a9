/* SPDX-License-Identifier: Apache-2.0 */
/* JNI glue for io.github.nativethread.internal.Native: the only file that includes jni.h.
 * Each function converts its arguments, makes one C call and turns an error code into an
 * exception. Arguments were validated by the Java side.
 *
 * Exceptions: after any JNI call that can throw, the next JNI call is either an exception-safe
 * one (ExceptionCheck, ExceptionClear, DeleteLocalRef, DeleteGlobalRef, Release*) or comes after
 * a check, so that -Xcheck:jni has nothing to report (CI runs the tests under it). */
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nativethread.h"
#include "../platform.h"  /* NT_THREAD_LOCAL */

#define FN(name) JNICALL Java_io_github_nativethread_internal_Native_##name

static JavaVM *vm;
static jclass thread_error, thread_class;
static jmethodID runnable_run, thread_current, thread_get_id;

static jclass global_class(JNIEnv *env, const char *name)
{
    jclass local = (*env)->FindClass(env, name);
    if (!local) return NULL;
    jclass global = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *jvm, void *reserved)
{
    (void)reserved;
    JNIEnv *env;
    vm = jvm;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    /* each lookup returns NULL with an exception pending when it fails: stop at the first */
    jclass runnable = (*env)->FindClass(env, "java/lang/Runnable");
    if (!runnable) return JNI_ERR;
    runnable_run = (*env)->GetMethodID(env, runnable, "run", "()V");
    (*env)->DeleteLocalRef(env, runnable);
    if (!runnable_run) return JNI_ERR;
    if (!(thread_error = global_class(env, "io/github/nativethread/ThreadError"))) return JNI_ERR;
    if (!(thread_class = global_class(env, "java/lang/Thread"))) return JNI_ERR;
    thread_current = (*env)->GetStaticMethodID(env, thread_class, "currentThread", "()Ljava/lang/Thread;");
    if (!thread_current) return JNI_ERR;
    thread_get_id = (*env)->GetMethodID(env, thread_class, "getId", "()J");
    return thread_get_id ? JNI_VERSION_1_8 : JNI_ERR;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *jvm, void *reserved)
{
    (void)reserved;
    JNIEnv *env;
    if ((*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return;
    (*env)->DeleteGlobalRef(env, thread_error);
    (*env)->DeleteGlobalRef(env, thread_class);
}

/* Throws ThreadError("<what>: <description of code>"). */
static void throw_error(JNIEnv *env, const char *what, int code)
{
    char reason[256], message[320];
    nt_strerror(code, reason, sizeof reason);
    if (what) {
        strcpy(message, what);
        strcat(message, ": ");
        strcat(message, reason);
    } else {
        strcpy(message, reason);
    }
    (*env)->ThrowNew(env, thread_error, message);
}

static void throw_oom(JNIEnv *env, const char *what)
{
    jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
    if (oom) (*env)->ThrowNew(env, oom, what);
}

/* Copies a Java byte[] into a new NUL-terminated C string; NULL (with OOM thrown) on failure. */
static char *c_string(JNIEnv *env, jbyteArray bytes)
{
    jsize n = (*env)->GetArrayLength(env, bytes);
    char *s = malloc((size_t)n + 1);
    if (!s) {
        throw_oom(env, "nativethread: no memory for a thread name");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *)s);
    s[n] = '\0';
    return s;
}

/* ---- platform ---------------------------------------------------------------------------- */

JNIEXPORT jlongArray FN(platform)(JNIEnv *env, jclass cls)
{
    (void)cls;
    nt_platform p;
    nt_platform_get(&p);
    jlong values[] = {(jlong)p.page_size, (jlong)p.min_stack, (jlong)p.name_max,
                      (jlong)p.hotspot_stack_base, p.nsig};
    jsize n = (jsize)(sizeof values / sizeof values[0]);
    jlongArray out = (*env)->NewLongArray(env, n);
    if (out) (*env)->SetLongArrayRegion(env, out, 0, n, values);
    return out;
}

JNIEXPORT jint FN(signalNumber)(JNIEnv *env, jclass cls, jstring name)
{
    (void)cls;
    const char *c_name = (*env)->GetStringUTFChars(env, name, NULL);
    if (!c_name) return -1;
    int number = nt_signal_number(c_name);
    (*env)->ReleaseStringUTFChars(env, name, c_name);
    return number;
}

JNIEXPORT jint FN(signalUse)(JNIEnv *env, jclass cls, jint signum, jint jvm_flags, jobjectArray why)
{
    (void)cls;
    char reason[512];
    int use = nt_signal_use(signum, (unsigned)jvm_flags, reason, sizeof reason);
    if (use != NT_SIGNAL_FREE) {
        jstring text = (*env)->NewStringUTF(env, reason);
        if (!text) return use;  /* OutOfMemoryError pending */
        (*env)->SetObjectArrayElement(env, why, 0, text);
        (*env)->DeleteLocalRef(env, text);
    }
    return use;
}

JNIEXPORT jdouble FN(timeoutMax)(JNIEnv *env, jclass cls)
{
    (void)env, (void)cls;
    nt_platform p;
    nt_platform_get(&p);
    return p.timeout_max;
}

#ifndef NT_VERSION
#error "NT_VERSION (the project version) is set by CMakeLists.txt"
#endif

/* The version this library was built as; the loader compares it with the Java side's. */
JNIEXPORT jstring FN(version)(JNIEnv *env, jclass cls)
{
    (void)cls;
    return (*env)->NewStringUTF(env, NT_VERSION);
}

JNIEXPORT jstring FN(libraryPath)(JNIEnv *env, jclass cls)
{
    (void)cls;
    char path[4096];
    return (*env)->NewStringUTF(env, nt_library_path(path, sizeof path));
}

/* ---- threads ----------------------------------------------------------------------------- */

/* Owned by the new thread once nt_thread_start() has returned NT_OK: it frees it when it ends,
 * possibly before the starter looks again, so what the starter needs goes through `java_ident`,
 * which points into the starter's frame and is written before nt_thread_start() returns. */
typedef struct java_start {
    jobject runnable;  /* global reference */
    const char *java_name;  /* modified UTF-8, the starter's until nt_thread_start() returns */
    jboolean daemon;
    jint attach_result;
    jlong *java_ident;
} java_start;

/* In the new thread: attach it to the JVM and learn its java.lang.Thread id. */
static int attach(void *arg)
{
    java_start *s = arg;
    JNIEnv *env;
    /* attached with its Java name: no instant in which Java sees it under another one */
    JavaVMAttachArgs args = {JNI_VERSION_1_8, (char *)s->java_name, NULL};
    s->attach_result = s->daemon ? (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, &args)
                                 : (*vm)->AttachCurrentThread(vm, (void **)&env, &args);
    if (s->attach_result != JNI_OK) return 1;
    jlong ident = 0;
    jobject thread = (*env)->CallStaticObjectMethod(env, thread_class, thread_current);
    if (!(*env)->ExceptionCheck(env) && thread) {
        ident = (*env)->CallLongMethod(env, thread, thread_get_id);
        if ((*env)->ExceptionCheck(env)) ident = 0;
    }
    (*env)->DeleteLocalRef(env, thread);
    if (!ident) {
        (*env)->ExceptionClear(env);
        (*vm)->DetachCurrentThread(vm);
        return 1;
    }
    *s->java_ident = ident;
    return 0;
}

/* In the new thread, after nt_thread_start returned: run the Java side, then detach. */
static void run_java(void *arg)
{
    java_start *s = arg;
    JNIEnv *env;
    (*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8);
    (*env)->CallVoidMethod(env, s->runnable, runnable_run);
    (*env)->ExceptionClear(env);  /* the Java side already routed it to the uncaught handler */
    (*env)->DeleteGlobalRef(env, s->runnable);
    free(s);
    (*vm)->DetachCurrentThread(vm);
}

JNIEXPORT void FN(startThread)(JNIEnv *env, jclass cls, jobject runnable, jlong stack_size,
                               jstring java_name, jbyteArray name, jboolean daemon, jlongArray out)
{
    (void)cls;
    java_start *s = calloc(1, sizeof *s);
    char *c_name = s ? c_string(env, name) : NULL;
    const char *j_name = c_name ? (*env)->GetStringUTFChars(env, java_name, NULL) : NULL;
    if (!s || !c_name || !j_name) {
        free(c_name);
        free(s);
        if (!(*env)->ExceptionCheck(env)) throw_oom(env, "nativethread: no memory to start a thread");
        return;
    }
    jlong java_ident = 0;
    s->runnable = (*env)->NewGlobalRef(env, runnable);
    s->java_name = j_name;
    s->daemon = daemon;
    s->java_ident = &java_ident;
    /* own_guard: attach() has HotSpot protect the bottom of the stack before Java code runs */
    nt_thread_options options = {.stack_size = (size_t)stack_size, .name = c_name, .detached = 1, .own_guard = 1};
    nt_thread thread;
    int rc = s->runnable ? nt_thread_start(&options, attach, run_java, s, &thread) : NT_E_INIT;
    free(c_name);
    (*env)->ReleaseStringUTFChars(env, java_name, j_name);
    if (rc == NT_OK) {
        jlong ids[] = {java_ident, (jlong)thread.native_id};
        (*env)->SetLongArrayRegion(env, out, 0, 2, ids);
        return;
    }
    if (s->runnable) (*env)->DeleteGlobalRef(env, s->runnable);
    if (rc == NT_E_INIT && s->attach_result != JNI_OK) {
        char message[160];
        snprintf(message, sizeof message,
                 "can't start new thread: the JVM refused to attach it (JNI error %d)",
                 (int)s->attach_result);
        (*env)->ThrowNew(env, thread_error, message);
    } else {
        throw_error(env, "can't start new thread", rc);
    }
    free(s);
}

JNIEXPORT jlong FN(nativeId)(JNIEnv *env, jclass cls)
{
    (void)env, (void)cls;
    return (jlong)nt_thread_native_id();
}

JNIEXPORT jlong FN(currentStackSize)(JNIEnv *env, jclass cls)
{
    (void)env, (void)cls;
    return (jlong)nt_thread_stack_size();
}

JNIEXPORT void FN(setName)(JNIEnv *env, jclass cls, jbyteArray name)
{
    (void)cls;
    char *c_name = c_string(env, name);
    if (!c_name) return;
    int rc = nt_thread_set_name(c_name);
    free(c_name);
    if (rc) throw_error(env, "can't set the thread name", rc);
}

JNIEXPORT jbyteArray FN(getName)(JNIEnv *env, jclass cls)
{
    (void)cls;
    char name[256];
    int rc = nt_thread_get_name(name, sizeof name);
    if (rc) {
        throw_error(env, "can't read the thread name", rc);
        return NULL;
    }
    jsize n = (jsize)strlen(name);
    jbyteArray out = (*env)->NewByteArray(env, n);
    if (out) (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *)name);
    return out;
}

/* ---- locks and wakers -------------------------------------------------------------------- */

JNIEXPORT jlong FN(address)(JNIEnv *env, jclass cls, jobject buffer)
{
    (void)cls;
    return (jlong)(intptr_t)(*env)->GetDirectBufferAddress(env, buffer);
}

/* The key of the Java wait that the calling thread chose to wake, for the JNI call that did it to
 * hand back to Java, which unparks its thread: lockRelease and lockWake return it; lockAcquire
 * and lockWaitEnd, whose waiter may wake the next one when it is done (for a release that came
 * while it was being woken, and so woke nobody), return it with their result (packed()). */
static NT_THREAD_LOCAL jlong chosen_key;

/* A result code (0 or small and negative) in the low byte, the chosen key above it: Native.result()
 * and Native.chosen() take them apart. Keys count up from 1, far below 2^55. */
static jlong packed(int rc)
{
    return (jlong)((uint64_t)chosen_key << 8 | (uint8_t)rc);
}

JNIEXPORT jlong FN(lockAcquire)(JNIEnv *env, jclass cls, jlong lock, jlong timeout_ns, jlong waker)
{
    (void)env, (void)cls;
    chosen_key = 0;
    return packed(nt_lock_acquire((nt_lock *)(intptr_t)lock, timeout_ns, (nt_waker *)(intptr_t)waker));
}

JNIEXPORT jlong FN(lockRelease)(JNIEnv *env, jclass cls, jlong lock)
{
    (void)cls;
    chosen_key = 0;
    int rc = nt_lock_release((nt_lock *)(intptr_t)lock);
    if (rc) throw_error(env, NULL, rc);
    return chosen_key;
}

/* nt_lock_wake, after Java released the lock itself: the key of the Java wait it chose, or 0. */
JNIEXPORT jlong FN(lockWake)(JNIEnv *env, jclass cls, jlong lock)
{
    (void)env, (void)cls;
    chosen_key = 0;
    nt_lock_wake((nt_lock *)(intptr_t)lock);
    return chosen_key;
}

JNIEXPORT jint FN(lockQueued)(JNIEnv *env, jclass cls, jlong lock)
{
    (void)env, (void)cls;
    return nt_lock_queued((nt_lock *)(intptr_t)lock);
}

/* A wait of a Java thread that parks the Java way (a virtual thread): the release that chooses
 * it hands its key back to Java, which unparks the thread that registered the key. */
typedef struct java_wait {
    nt_lock_wait wait;  /* first: the wake function gets its address */
    jlong key;
} java_wait;

static void java_wake(nt_lock_wait *wait)
{
    chosen_key = ((java_wait *)wait)->key;
}

JNIEXPORT jlong FN(lockWaitNew)(JNIEnv *env, jclass cls, jlong key)
{
    (void)cls;
    java_wait *w = calloc(1, sizeof *w);
    if (!w) {
        throw_oom(env, "nativethread: no memory for a lock wait");
        return 0;
    }
    w->wait.wake = java_wake;
    w->key = key;
    return (jlong)(intptr_t)w;
}

JNIEXPORT jint FN(lockWaitBegin)(JNIEnv *env, jclass cls, jlong lock, jlong wait)
{
    (void)env, (void)cls;
    return nt_lock_wait_begin((nt_lock *)(intptr_t)lock, (nt_lock_wait *)(intptr_t)wait);
}

JNIEXPORT jlong FN(lockWaitEnd)(JNIEnv *env, jclass cls, jlong lock, jlong wait)
{
    (void)env, (void)cls;
    chosen_key = 0;
    return packed(nt_lock_wait_end((nt_lock *)(intptr_t)lock, (nt_lock_wait *)(intptr_t)wait));
}

JNIEXPORT void FN(lockWaitFree)(JNIEnv *env, jclass cls, jlong wait)
{
    (void)env, (void)cls;
    free((java_wait *)(intptr_t)wait);
}

JNIEXPORT jlong FN(newWaker)(JNIEnv *env, jclass cls)
{
    (void)cls;
    nt_waker *w = nt_waker_new();
    if (!w) throw_oom(env, "nativethread: no memory for a waker");
    return (jlong)(intptr_t)w;
}

JNIEXPORT void FN(wake)(JNIEnv *env, jclass cls, jlong waker)
{
    (void)env, (void)cls;
    nt_waker_wake((nt_waker *)(intptr_t)waker);
}
