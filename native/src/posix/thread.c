/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX implementation (Linux, macOS): threads, names, stacks, clock, platform facts. */
#define _GNU_SOURCE
#include "../platform.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>  /* NSIG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/resource.h>
#endif
#include <time.h>
#include <unistd.h>
#ifdef __APPLE__
#define NAME_MAX_BYTES 63   /* MAXTHREADNAMESIZE - 1 */
#else
#include <sys/syscall.h>
#define NAME_MAX_BYTES 15   /* TASK_COMM_LEN - 1 */
#endif

/* HotSpot's _java_thread_min_stack_allowed for this OS and CPU: os_linux_x86.cpp 40K,
 * os_bsd_x86.cpp 48K, os_linux_aarch64.cpp and os_bsd_aarch64.cpp 72K. */
#if defined(__aarch64__) || defined(__arm64__)
#define HOTSPOT_STACK_BASE (72 * 1024)
#elif defined(__APPLE__)
#define HOTSPOT_STACK_BASE (48 * 1024)
#else
#define HOTSPOT_STACK_BASE (40 * 1024)
#endif

/* ---- platform primitives for common.c ---------------------------------------------------- */

void nt_mutex_init(nt_mutex *mutex) { pthread_mutex_init(mutex, NULL); }
void nt_mutex_lock(nt_mutex *mutex) { pthread_mutex_lock(mutex); }
void nt_mutex_unlock(nt_mutex *mutex) { pthread_mutex_unlock(mutex); }
void nt_cond_signal(nt_cond *cond) { pthread_cond_signal(cond); }
void nt_yield(void) { sched_yield(); }

void nt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

uint64_t nt_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef __linux__
/* Linux fires a thread's timers up to its timer slack (50 us by default) after their deadline,
 * to batch wake-ups: that much added to every timed wait that runs out. 1 ns for the wait (0 would
 * mean the default), the thread's own slack again afterwards; an RT thread's slack is 0 already.
 * Three prctl calls, about 1 us each in a VM, against some 50 us; the restore is the only one on
 * the way out of a wait. */
long nt_timer_slack_tighten(void)
{
    int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    if (slack <= 1) return 0;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    return slack;
}

void nt_timer_slack_restore(long saved)
{
    if (saved) prctl(PR_SET_TIMERSLACK, (unsigned long)saved, 0, 0, 0);
}
#else
/* macOS: no per-thread timer slack to set. */
long nt_timer_slack_tighten(void) { return 0; }
void nt_timer_slack_restore(long saved) { (void)saved; }
#endif

#ifdef __APPLE__
/* macOS has no pthread_condattr_setclock; its relative wait does not follow the wall clock. */
void nt_cond_init(nt_cond *cond) { pthread_cond_init(cond, NULL); }

void nt_cond_wait_until(nt_cond *cond, nt_mutex *mutex, uint64_t deadline_ns)
{
    if (deadline_ns == NT_NO_DEADLINE) {
        pthread_cond_wait(cond, mutex);
        return;
    }
    uint64_t now = nt_monotonic_ns();
    if (now >= deadline_ns) return;
    uint64_t left = deadline_ns - now;
    if (left > (uint64_t)INT32_MAX * 1000000000u) left = (uint64_t)INT32_MAX * 1000000000u;
    struct timespec rel = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
    pthread_cond_timedwait_relative_np(cond, mutex, &rel);
}
#else
void nt_cond_init(nt_cond *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

void nt_cond_wait_until(nt_cond *cond, nt_mutex *mutex, uint64_t deadline_ns)
{
    if (deadline_ns == NT_NO_DEADLINE) {
        pthread_cond_wait(cond, mutex);
        return;
    }
    uint64_t sec = deadline_ns / 1000000000u;
    struct timespec abs = {(time_t)(sec > (uint64_t)INT64_MAX ? INT64_MAX : sec),
                           (long)(deadline_ns % 1000000000u)};
    pthread_cond_timedwait(cond, mutex, &abs);
}
#endif

void nt_os_strerror(int code, char *buf, size_t len)
{
    /* _GNU_SOURCE gives glibc's GNU strerror_r, which returns the message (not always in buf);
     * musl and macOS have only the POSIX one, which fills buf and returns 0 or an error number. */
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    snprintf(buf, len, "%s", strerror_r(code, buf, len));
#else
    if (strerror_r(code, buf, len) != 0) snprintf(buf, len, "error %d", code);
#endif
}

/* ---- platform facts ---------------------------------------------------------------------- */

static size_t page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

void nt_platform_get(nt_platform *out)
{
    out->page_size = page_size();
    out->stack_unit = out->page_size;
    out->min_stack = PTHREAD_STACK_MIN;
    out->name_max = NAME_MAX_BYTES;
    out->timeout_max = 9223372036.0;  /* whole seconds of INT64_MAX nanoseconds */
    out->hotspot_stack_base = HOTSPOT_STACK_BASE;
    out->nsig = NSIG;
}

const char *nt_library_path(char *buf, size_t len)
{
    Dl_info info;
    if (dladdr((void *)&nt_platform_get, &info) && info.dli_fname)
        snprintf(buf, len, "%s", info.dli_fname);
    else
        snprintf(buf, len, "unknown");
    return buf;
}

/* ---- the JVM's signals ------------------------------------------------------------------- */

/* Which signals the running JVM needs on Linux and macOS, from OpenJDK's sources:
 *  - hotspot/os/posix/signals_posix.cpp, install_signal_handlers(): HotSpot handles SIGSEGV, SIGBUS,
 *    SIGILL and SIGFPE itself (implicit null and range checks, safepoint polls, stack banging, faults
 *    in memory-mapped files and Unsafe accesses become Java exceptions), also SIGTRAP on PPC64 and
 *    AIX, and "never blocks" any of these five (add_error_signals_to_set()); BREAK_SIGNAL, SIGQUIT,
 *    prints thread dumps and starts the attach listener (jcmd, jstack).
 *  - signals_posix.cpp, SR_initialize(): the suspend/resume signal (JFR's thread sampler and the
 *    like) is SIGUSR2, or $_JAVA_SR_SIGNUM when it is above max(SIGSEGV, SIGBUS) and below NSIG.
 *  - hotspot/os/posix/jvm_posix.cpp, JVM_RegisterSignal() (behind sun.misc.Signal.handle): refuses
 *    SIGFPE, SIGILL, SIGSEGV, SIGBUS (macOS only) and BREAK_SIGNAL; under -Xrs also SIGHUP, SIGINT
 *    and SIGTERM; and leaves one of those three that is ignored (nohup) ignored, without saying so.
 *  - java.base/unix/native/libnio/ch/NativeThread.c (and libnet's <os>_close.c): the signal that
 *    wakes a thread blocked in I/O when its channel is closed or it is interrupted: __SIGRTMAX - 2
 *    on Linux, SIGIO on macOS and the BSDs.
 *  - hotspot/share/jfr/periodic/sampling/jfrCPUTimeThreadSampler.cpp (JDK 25+, Linux only): JFR's
 *    CPU-time sampler (jdk.CPUTimeSample) installs its own SIGPROF handler.
 * sun.misc.Signal runs a Java handler later, in another thread, and returns from the OS handler at
 * once: for a fault or a trap that means the faulting instruction runs again, forever. */

#ifdef __SIGRTMAX
#define NIO_INTERRUPT_SIGNAL (__SIGRTMAX - 2)
#elif defined(SIGRTMAX)
#define NIO_INTERRUPT_SIGNAL (SIGRTMAX - 2)
#else
#define NIO_INTERRUPT_SIGNAL SIGIO
#endif

#define FAULT_TAIL "; a routed fault would run the faulting instruction again, forever (the Java " \
                   "handler runs later, in another thread), instead of an exception or a crash report"

/* HotSpot's suspend/resume signal, read the way SR_initialize() reads it; *from_env: whether
 * $_JAVA_SR_SIGNUM chose it. */
static int hotspot_sr_signal(int *from_env)
{
    const char *s = getenv("_JAVA_SR_SIGNUM");
    int floor = SIGSEGV > SIGBUS ? SIGSEGV : SIGBUS;
    *from_env = 0;
    if (s) {
        long sig = strtol(s, NULL, 10);
        if (sig > floor && sig < NSIG) {
            *from_env = 1;
            return (int)sig;
        }
    }
    return SIGUSR2;
}

static int is_ignored(int signum)
{
    struct sigaction current;
    return sigaction(signum, NULL, &current) == 0 && !(current.sa_flags & SA_SIGINFO) &&
           current.sa_handler == SIG_IGN;
}

int nt_signal_use(int signum, unsigned jvm_flags, char *buf, size_t len)
{
    int sr_from_env;
    int sr = hotspot_sr_signal(&sr_from_env);
    snprintf(buf, len, "%s", "");
    if (signum == SIGKILL || signum == SIGSTOP) {
        snprintf(buf, len, "no process can catch, block or ignore it");
        return NT_SIGNAL_UNCATCHABLE;
    }
    if (signum == SIGSEGV)
        snprintf(buf, len, "HotSpot handles it itself: NullPointerException, StackOverflowError, "
                           "safepoint polls" FAULT_TAIL);
    else if (signum == SIGBUS)
        snprintf(buf, len, "HotSpot handles it itself: a fault on a memory-mapped file (such as a "
                           "truncated MappedByteBuffer) becomes an InternalError" FAULT_TAIL);
    else if (signum == SIGFPE)
        snprintf(buf, len, "HotSpot handles it itself: integer division by zero becomes an "
                           "ArithmeticException" FAULT_TAIL);
    else if (signum == SIGILL)
        snprintf(buf, len, "HotSpot handles it itself: traps in compiled code" FAULT_TAIL);
    else if (signum == SIGTRAP)
        snprintf(buf, len, "it is a synchronous trap: HotSpot handles it on PPC64 and AIX (trap-based "
                           "checks) and debuggers use it for breakpoints; a Java handler runs later, in "
                           "another thread, and cannot handle a trap");
    else if (signum == SIGQUIT)
        snprintf(buf, len, "it is HotSpot's thread-dump signal (kill -3) and starts the attach "
                           "listener that jcmd and jstack use; route another signal, such as SIGUSR1");
    else if (signum == sr && sr_from_env)
        snprintf(buf, len, "it is HotSpot's suspend/resume signal here (_JAVA_SR_SIGNUM=%d), with which "
                           "JFR and other samplers stop threads; start the JVM with another "
                           "_JAVA_SR_SIGNUM, or route another signal", sr);
    else if (signum == sr)
        snprintf(buf, len, "it is HotSpot's suspend/resume signal, with which JFR and other samplers "
                           "stop threads; start the JVM with _JAVA_SR_SIGNUM set to another signal "
                           "number (above %d) to move it, or route another signal, such as SIGUSR1",
                 SIGSEGV > SIGBUS ? SIGSEGV : SIGBUS);
    else if (signum == NIO_INTERRUPT_SIGNAL)
        snprintf(buf, len, "it is the JDK's NIO interrupt signal (%s), which wakes a thread blocked in "
                           "I/O when its channel is closed or the thread is interrupted; route another "
                           "signal",
#ifdef __linux__
                 "SIGRTMAX-2"
#else
                 "SIGIO"
#endif
        );
#ifdef __linux__
    else if (signum == SIGPROF)
        snprintf(buf, len, "JFR's CPU-time sampler (JDK 25+, event jdk.CPUTimeSample) installs its own "
                           "SIGPROF handler, as do profilers such as async-profiler; route another signal");
#endif
    else if ((signum == SIGHUP || signum == SIGINT || signum == SIGTERM) &&
             (jvm_flags & NT_JVM_REDUCED_SIGNAL_USAGE))
        snprintf(buf, len, "the JVM runs with -Xrs (ReduceSignalUsage), which leaves SIGHUP, SIGINT and "
                           "SIGTERM to native code and refuses Java handlers for them; run without -Xrs "
                           "to route it");
    else if ((signum == SIGHUP || signum == SIGINT || signum == SIGTERM) && is_ignored(signum))
        snprintf(buf, len, "the process ignores it (it started so, e.g. under nohup or as a background "
                           "job of a script) and the JVM leaves it ignored: it would never be delivered; "
                           "start the JVM without ignoring it");
    return buf[0] ? NT_SIGNAL_RESERVED : NT_SIGNAL_FREE;
}

/* ---- names ------------------------------------------------------------------------------- */

int nt_thread_set_name(const char *name)
{
    char truncated[NAME_MAX_BYTES + 1];
    nt_utf8_truncate(truncated, name, NAME_MAX_BYTES);
#ifdef __APPLE__
    return pthread_setname_np(truncated);
#else
    return pthread_setname_np(pthread_self(), truncated);
#endif
}

int nt_thread_get_name(char *buf, size_t len)
{
    char name[NAME_MAX_BYTES + 1];
    int rc = pthread_getname_np(pthread_self(), name, sizeof name);
    if (rc == 0) snprintf(buf, len, "%s", name);
    return rc;
}

/* ---- identity and stack ------------------------------------------------------------------ */

uint64_t nt_thread_ident(void)
{
    return (uint64_t)(uintptr_t)pthread_self();
}

static uint64_t os_native_id(void)
{
    uint64_t id;
#ifdef __APPLE__
    pthread_threadid_np(NULL, &id);
#else
    id = (uint64_t)syscall(SYS_gettid);
#endif
    return id;
}

uint64_t nt_thread_native_id(void)
{
    static NT_THREAD_LOCAL uint64_t cached;
    if (!cached) cached = os_native_id();
    return cached;
}

size_t nt_thread_stack_size(void)
{
#ifdef __APPLE__
    return pthread_get_stacksize_np(pthread_self());
#else
    pthread_attr_t attr;
    void *addr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    if (pthread_attr_getstack(&attr, &addr, &size) != 0) size = 0;
    pthread_attr_destroy(&attr);
#if defined(__linux__) && !defined(__GLIBC__)
    /* musl keeps a thread's TLS and descriptor (when under 2 KiB) at the top of its stack and
     * reports only the stack below them; glibc reports the whole, TLS included. The whole: up to
     * the stack's end, the next page boundary. */
    if (size) {
        uintptr_t page = (uintptr_t)page_size(), top = (uintptr_t)addr + size;
        size += ((top + page - 1) & ~(page - 1)) - top;
    }
#endif
    return size;
#endif
}

/* ---- threads ----------------------------------------------------------------------------- */

/* A thread this file started. Every pthread is created joinable, because joining is what makes
 * it safe to unmap a stack this file mapped (the thread runs on it until it is gone). A joinable
 * nt_thread is joined by nt_thread_join(). A detached one is joined by whoever comes next:
 * each detached thread, as it ends, takes the place of the last one that ended and joins that
 * one (it has nothing left to do but return), and nt_thread_start() joins the last one before
 * it maps a new stack. So at most one ended thread is not yet joined, and it has given the dead
 * part of its stack back to the OS. This needs no helper thread and no allocation at exit, so
 * it cannot fail at the OS limits. */
typedef struct thread_rec {
    pthread_t thread;
    void *stack;        /* our mmap'd stack (guard page included, if any), or NULL: glibc's */
    size_t stack_len;
    int detached;
} thread_rec;

static pthread_mutex_t last_ended_mutex = PTHREAD_MUTEX_INITIALIZER;
static thread_rec *last_ended;  /* a detached thread that has ended, not yet joined */

static thread_rec *swap_last_ended(thread_rec *rec)
{
    pthread_mutex_lock(&last_ended_mutex);
    thread_rec *previous = last_ended;
    last_ended = rec;
    pthread_mutex_unlock(&last_ended_mutex);
    return previous;
}

static void release_rec(thread_rec *rec)
{
    pthread_join(rec->thread, NULL);
    if (rec->stack) munmap(rec->stack, rec->stack_len);
    free(rec);
}

#ifdef __APPLE__
#define DEAD_PAGES MADV_FREE      /* macOS: MADV_DONTNEED only lowers the pages' priority */
#else
#define DEAD_PAGES MADV_DONTNEED  /* Linux: gone at once, zero-filled if touched again */
#endif

/* On a stack we mapped: gives the whole pages more than `keep` bytes below the current frame
 * back to the OS (dead stack: zero-filled if touched again). The mapping stays. */
static void release_stack_below(const thread_rec *rec, size_t keep)
{
    size_t page = page_size();
    uintptr_t low = (uintptr_t)rec->stack;  /* a guard page there has no pages to give */
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (sp < low || sp >= (uintptr_t)rec->stack + rec->stack_len) return;
    if (sp - low <= keep) return;
    uintptr_t high = (sp - keep) & ~(uintptr_t)(page - 1);
    if (high > low) madvise((void *)low, high - low, DEAD_PAGES);
}

/* glibc reuses the stacks of ended threads for new ones of a smaller size (up to 4 times as
 * big), so a requested size is exact only on a stack we map ourselves: `size` bytes usable,
 * above `guard` bytes of PROT_NONE (a page, or none). */
static int map_stack(thread_rec *rec, pthread_attr_t *attr, size_t size, size_t guard)
{
    size_t page = page_size();
    if (size > SIZE_MAX - 2 * page) return NT_E_TOO_BIG;
    size = (size + page - 1) / page * page;
    if (size < (size_t)PTHREAD_STACK_MIN) return EINVAL;
#ifndef MAP_STACK
#define MAP_STACK 0
#endif
    void *base = mmap(NULL, size + guard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return errno;
    if (guard && mprotect(base, guard, PROT_NONE) != 0) {
        int rc = errno;
        munmap(base, size + guard);
        return rc;
    }
    rec->stack = base;
    rec->stack_len = size + guard;
    return pthread_attr_setstack(attr, (char *)base + guard, size);
}

#if defined(__linux__) && !defined(__GLIBC__)
/* musl's default thread stack is 128 KiB, below HotSpot's floor for running Java code (StackFloor:
 * 136 KiB on x86_64, more on aarch64): a thread attached with it is refused, half-attached or
 * crashes. A default-size thread gets glibc's default instead: the soft RLIMIT_STACK, 8 MiB when
 * unlimited (as on most systems). */
static int default_stack(pthread_attr_t *attr)
{
    struct rlimit limit;
    size_t size = 8 * 1024 * 1024;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur >= PTHREAD_STACK_MIN && limit.rlim_cur <= SIZE_MAX / 2)
        size = (size_t)limit.rlim_cur;
    return pthread_attr_setstacksize(attr, size);
}
#else
/* glibc's default is the soft RLIMIT_STACK already; macOS's is 512 KiB. */
static int default_stack(pthread_attr_t *attr)
{
    (void)attr;
    return 0;
}
#endif

#define START_SPIN_NS 200000  /* about a thread start's own cost */

typedef struct start {
    nt_init_fn init;
    nt_run_fn run;
    void *arg;
    const char *name;
    thread_rec *rec;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int state;  /* 0: starting, 1: init done, 2: init failed; written atomically, under mutex */
    uint64_t ident, native_id;
} start;

static void *thread_main(void *p)
{
    start *s = p;  /* lives on the starter's stack until state != 0 is seen */
    nt_init_fn init = s->init;
    nt_run_fn run = s->run;
    void *arg = s->arg;
    thread_rec *rec = s->rec;
    if (s->name) nt_thread_set_name(s->name);
    int failed = init && init(arg) != 0;
    pthread_mutex_lock(&s->mutex);
    rec->thread = pthread_self();  /* not pthread_create's output: this thread may end first */
    s->ident = nt_thread_ident();
    /* not the cached one: in a dlopen'ed library the first touch of a thread-local mallocs the
     * thread's block of them all (160 bytes), which a thread that never parks here has no use for */
    s->native_id = os_native_id();
    __atomic_store_n(&s->state, failed ? 2 : 1, __ATOMIC_RELEASE);  /* the starter may be spinning */
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mutex);
    if (failed) return NULL;  /* the starter joins it */
    /* init may reach deeper than the thread will again: JDK 17's AttachCurrentThread runs
     * Thread.<init> here, whose AccessController.getContext() walks the stack in a 5 KiB native
     * frame (JVM_GetStackAccessControlContext), down to 11.8 KiB below the top, a third page; a
     * parked thread needs 7 KiB, as does a java.lang.Thread, whose constructor runs in its parent.
     * The margin covers the madvise call itself (and a sanitizer's interceptor of it). */
    if (rec->stack && init) release_stack_below(rec, 2048);
    run(arg);
    if (rec->detached) {
        /* as glibc does for the stacks it maps, keeping a margin for what runs until the thread
         * is gone; the thread that joins this one unmaps the stack */
        if (rec->stack) release_stack_below(rec, 16 * page_size());
        /* From here on another thread may join this one and unmap the stack; it waits until
         * this thread is gone, so returning through the stack is safe. */
        thread_rec *previous = swap_last_ended(rec);
        if (previous) release_rec(previous);  /* it has only to return: the join is brief */
    }
    return NULL;
}

int nt_thread_start(const nt_thread_options *options, nt_init_fn init, nt_run_fn run, void *arg,
                    nt_thread *out)
{
    thread_rec *previous = swap_last_ended(NULL);  /* its stack is free before we map one */
    if (previous) release_rec(previous);
    thread_rec *rec = calloc(1, sizeof *rec);
    if (!rec) return ENOMEM;
    rec->detached = options->detached;
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc) {
        free(rec);
        return rc;
    }
    /* Under HotSpot's guard zone a guard page of ours protects nothing more and is a mapping of
     * its own: Linux 6.7+ cannot merge the two (a MAP_STACK mapping is VM_NOHUGEPAGE, HotSpot maps
     * its zone anew without MAP_STACK). HotSpot gives its own threads no glibc guard either. */
    size_t guard = options->own_guard ? 0 : page_size();
    if (options->stack_size) {
        rc = map_stack(rec, &attr, options->stack_size, guard);
    } else {
        if (options->own_guard) rc = pthread_attr_setguardsize(&attr, 0);
        if (!rc) rc = default_stack(&attr);
    }

    start s = {init, run, arg, options->name, rec, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    pthread_t thread;
    if (!rc) rc = pthread_create(&thread, &attr, thread_main, &s);
    pthread_attr_destroy(&attr);
    if (rc) {
        if (rec->stack) munmap(rec->stack, rec->stack_len);
        free(rec);
        return rc;
    }

    /* Yield while the new thread attaches, for a while, before sleeping: it mostly runs on this
     * CPU next, and a sleep costs a wake-up and the preemption of the new thread by its woken
     * starter (docs/PERFORMANCE.md, "The start's yields"). The mutex is still taken once: s
     * lives here until the thread has unlocked it. */
    for (uint64_t spun = nt_monotonic_ns(); !__atomic_load_n(&s.state, __ATOMIC_ACQUIRE) &&
                                            nt_monotonic_ns() - spun < START_SPIN_NS;) {
        nt_yield();
    }
    pthread_mutex_lock(&s.mutex);
    while (s.state == 0) pthread_cond_wait(&s.cond, &s.mutex);
    pthread_mutex_unlock(&s.mutex);
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.mutex);

    if (s.state == 2) {
        release_rec(rec);
        return NT_E_INIT;
    }
    out->ident = s.ident;
    out->native_id = s.native_id;
    out->handle = options->detached ? NULL : rec;
    return NT_OK;
}

int nt_thread_join(nt_thread *thread)
{
    thread_rec *rec = thread->handle;
    if (!rec) return EINVAL;
    release_rec(rec);
    thread->handle = NULL;
    return NT_OK;
}
