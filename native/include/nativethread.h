/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nativethread: a small portable C API over the platform's threads (pthreads, Win32).
 *
 * It knows nothing of Java or JNI. Every function that can fail returns an int code:
 * NT_OK, a wait result (NT_TIMEOUT, NT_INTERRUPTED), a negative NT_E_* code, or a positive
 * OS error number (errno on POSIX, GetLastError() on Windows) that nt_strerror() describes.
 */
#ifndef NATIVETHREAD_H
#define NATIVETHREAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    NT_OK = 0,
    NT_TIMEOUT = -1,      /* a timed wait ended without the lock */
    NT_INTERRUPTED = -2,  /* the wait was ended by nt_waker_wake() */
    NT_E_UNLOCKED = -3,   /* release of a lock that is not locked */
    NT_E_INIT = -4,       /* the new thread's init callback failed; it ran nothing else */
    NT_E_TOO_BIG = -5,    /* a size the platform cannot represent */
    NT_QUEUED = -6        /* nt_lock_wait_begin(): the wait is queued; wait for its wake call */
};

/* Infinite timeout for nt_lock_acquire(). */
#define NT_FOREVER (-1)

/* ---- facts about the platform ------------------------------------------------------------ */

typedef struct nt_platform {
    size_t page_size;        /* the virtual memory page size */
    size_t stack_unit;       /* thread stacks are rounded up to a multiple of this: the page size,
                                the allocation granularity (64 KiB) on Windows */
    size_t min_stack;        /* smallest stack the OS thread library accepts (PTHREAD_STACK_MIN) */
    size_t name_max;         /* longest OS thread name, in bytes, without the terminating NUL */
    double timeout_max;      /* largest lock timeout in seconds that the wait primitives can honour */
    /* Base of HotSpot's floor for Java thread stacks on this OS and CPU (its
     * _java_thread_min_stack_allowed, before the guard and shadow zones are added). */
    size_t hotspot_stack_base;
    int nsig;                /* one more than the largest signal number */
} nt_platform;

void nt_platform_get(nt_platform *out);

/* The platform's number of a signal named like "SIGINT", or -1 if it has none. */
int nt_signal_number(const char *name);

/* What the running JVM does with a signal, for a caller that wants to take its deliveries and
 * hand them to a handler that runs later, in another thread (the JDK's sun.misc.Signal dispatch). */
enum {
    NT_SIGNAL_FREE = 0,         /* it may be taken */
    NT_SIGNAL_UNCATCHABLE = 1,  /* no process can catch it (SIGKILL, SIGSTOP) */
    NT_SIGNAL_RESERVED = 2      /* the JVM (HotSpot or the JDK's libraries) needs it, or would not
                                   deliver it: taking it would break the JVM or do nothing */
};
/* Facts about the JVM that nt_signal_use() cannot learn itself. */
#define NT_JVM_REDUCED_SIGNAL_USAGE 1u  /* HotSpot runs with -Xrs (-XX:+ReduceSignalUsage) */

/* Says whether signal `signum` may be taken from the JVM on this platform (see the enum above).
 * When it may not, writes into buf (NUL-terminated) why, and what to do instead where there is
 * something; otherwise writes "". jvm_flags: NT_JVM_* bits; len > 0. */
int nt_signal_use(int signum, unsigned jvm_flags, char *buf, size_t len);

/* Writes the file system path of the loaded nativethread library into buf; returns buf. */
const char *nt_library_path(char *buf, size_t len);

/* Writes a description of `code` (any code returned here) into buf; returns buf. */
const char *nt_strerror(int code, char *buf, size_t len);

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct nt_thread_options {
    size_t stack_size;  /* 0: platform default; else rounded up to nt_platform.stack_unit */
    const char *name;   /* UTF-8 OS name, truncated to name_max at a character boundary; NULL: none */
    /* nonzero: nothing may join it; once it ends, its stack, mappings and OS thread are released
     * without anyone's help: at once on Windows; on POSIX by the next detached thread to end or
     * the next nt_thread_start(), whichever comes first (until then the one that ended last keeps
     * its stack mapped, but gives its unused pages back to the OS) */
    int detached;
    /* nonzero: the thread guards its own stack before it can overflow it (HotSpot protects the
     * bottom of every thread it attaches), so the library adds no guard page below the stack on
     * POSIX: one mapping less per thread. Windows stacks keep the guard page they grow by. */
    int own_guard;
} nt_thread_options;

typedef struct nt_thread {
    uint64_t ident;      /* pthread_t / Win32 thread id: what nt_thread_ident() returns in it */
    uint64_t native_id;  /* kernel thread id: what nt_thread_native_id() returns in it */
    void *handle;        /* joinable threads: platform handle for nt_thread_join(); else NULL */
} nt_thread;

/* Runs first in the new thread, before nt_thread_start() returns; nonzero aborts the thread. */
typedef int (*nt_init_fn)(void *arg);
/* The thread's body; runs after nt_thread_start() has returned NT_OK. */
typedef void (*nt_run_fn)(void *arg);

/* Starts a thread that runs init(arg) (may be NULL), then run(arg). Returns NT_OK with *out
 * filled in, NT_E_INIT when init failed (run is then not called), NT_E_TOO_BIG, or an OS error. */
int nt_thread_start(const nt_thread_options *options, nt_init_fn init, nt_run_fn run, void *arg,
                    nt_thread *out);
/* Waits for a joinable thread to end and releases it. */
int nt_thread_join(nt_thread *thread);

uint64_t nt_thread_ident(void);
uint64_t nt_thread_native_id(void);   /* cached per thread: one syscall per thread at most */
/* Size in bytes of the calling thread's stack as the OS reports it, 0 if unknown. */
size_t nt_thread_stack_size(void);
/* Sets the calling thread's OS name (UTF-8, truncated as above). */
int nt_thread_set_name(const char *name);
/* Reads the calling thread's OS name into buf (NUL-terminated). */
int nt_thread_get_name(char *buf, size_t len);

/* ---- wakers: how one thread interrupts another's lock wait ------------------------------- */

/* A waker ends the interruptible lock waits of whichever thread passes it to nt_lock_acquire().
 * A wake that finds no such wait stays pending and ends the next one at once. */
typedef struct nt_waker nt_waker;

nt_waker *nt_waker_new(void);  /* NULL when out of memory */
void nt_waker_free(nt_waker *waker);
void nt_waker_wake(nt_waker *waker);

/* ---- locks: two 32-bit words, parked on in a global parking lot only when contended ------- */

/* `locked` is 1 while the lock is held, else 0: on its own word, so that taking a free lock is one
 * compare-and-swap whether or not waiters are queued. `flags`: NT_LOCK_PARKED, some thread may be
 * parked on the lock; NT_LOCK_WAKING, a waiter a release woke has not yet taken the lock, given up
 * or queued again, so releases wake no other until it has (as AQS unparks its first queued thread
 * once until that thread parks again).
 * Callers may take a free lock themselves with a compare-and-swap of `locked` 0 -> 1, and release
 * it themselves with an exchange of `locked` to 0 (the old value 0: it was not locked) followed by
 * a load of `flags`: if PARKED is set and WAKING is not, they call nt_lock_wake(). Both words are
 * accessed atomically (sequentially consistent) by everyone. Any other case goes through these
 * calls. */
typedef struct nt_lock {
    uint32_t locked;
    uint32_t flags;
} nt_lock;
#define NT_LOCK_INIT {0, 0}
#define NT_LOCK_INIT_LOCKED {1, 0}
#define NT_LOCK_PARKED 2u
#define NT_LOCK_WAKING 4u

/* Returns NT_OK when the lock was taken, NT_TIMEOUT when it was not taken within timeout_ns
 * (NT_FOREVER: no limit; 0: do not wait), NT_INTERRUPTED when `waker` (may be NULL) was woken.
 * A timed wait measures a monotonic clock and never ends early. Blocks the calling OS thread. */
int nt_lock_acquire(nt_lock *lock, int64_t timeout_ns, nt_waker *waker);
/* Returns NT_OK or NT_E_UNLOCKED. Any thread may release. When the release chooses a waiter
 * queued by nt_lock_wait_begin(), that wait's wake function runs before this returns. */
int nt_lock_release(nt_lock *lock);
/* For a caller that released the lock itself (see nt_lock) and found a waiter to wake: wakes one,
 * or hands it the lock if it has waited long and the lock is still free. Returns NT_OK. */
int nt_lock_wake(nt_lock *lock);
int nt_lock_locked(const nt_lock *lock);
/* How many waiters are queued on the lock now (blocked in nt_lock_acquire() past its short spin,
 * or between nt_lock_wait_begin() and nt_lock_wait_end()). For tests and diagnostics. */
int nt_lock_queued(const nt_lock *lock);

/* ---- waits that do not block the OS thread ------------------------------------------------ */

/* For a thread that must not block in C (a JVM virtual thread, which parks by giving its OS
 * thread back to a scheduler). Such a wait joins the same queue as nt_lock_acquire()'s, with the
 * same order and handoff; a release that chooses it calls its `wake` instead of waking an OS
 * thread. The caller embeds the struct first in one of its own (where `wake` finds the rest by
 * casting), zeroes it, sets `wake`, and then, until it has the lock or gives up:
 *   nt_lock_wait_begin()  NT_OK: taken at once. NT_QUEUED: queued; park until `wake` has run
 *                         (or a deadline of the caller's passes), then call nt_lock_wait_end().
 *   nt_lock_wait_end()    NT_OK: the lock is the caller's. NT_TIMEOUT: not taken and no longer
 *                         queued; begin again to go on waiting.
 * The struct must stay in place from begin to end. */
typedef struct nt_lock_wait nt_lock_wait;
struct nt_lock_wait {
    /* Called by the releasing thread with a parking-lot mutex held: it must return quickly and
     * must not call this API. The wait's owner will call nt_lock_wait_end() afterwards. */
    void (*wake)(nt_lock_wait *wait);
    /* The library's: */
    const nt_lock *lock_;
    nt_lock_wait *next_;
    uint64_t since_;  /* when this acquire first queued; 0: not yet */
    int queued_;      /* in its bucket's queue */
    int chosen_;      /* picked by a release: 1 to race for the lock, 2 handed it */
};

int nt_lock_wait_begin(nt_lock *lock, nt_lock_wait *wait);
int nt_lock_wait_end(nt_lock *lock, nt_lock_wait *wait);

#ifdef __cplusplus
}
#endif
#endif
