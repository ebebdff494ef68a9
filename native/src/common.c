/* Portable part of the C API: locks over a parking lot (after CPython's PyMutex and Python/
 * parking_lot.c, and WebKit's WTF::ParkingLot), wakers, and error text. */
#include "platform.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPIN_LIMIT 40   /* yields before parking; CPython's MAX_SPIN_COUNT */
#define HANDOFF_NS 1000000  /* a waiter parked this long is handed the lock (CPython: 1 ms) */
#define BUCKETS 257     /* a prime, so that addresses spread */

/* One per thread, reused by every wait of that thread. */
typedef struct parker {
    nt_mutex mutex;
    nt_cond cond;
    int ready;                 /* mutex and cond are initialised */
    int unparked;              /* a release chose this thread (UNPARKED or HANDED_OFF); under the
                                  bucket mutex and `mutex` */
    uint64_t since;            /* when its acquire began to park; under the bucket mutex */
    int interrupted;           /* a waker fired; under `mutex` */
    int queued;                /* in its bucket's queue; under the bucket mutex */
    const nt_lock *lock;       /* what it waits for; under the bucket mutex */
    struct parker *next;
} parker;

typedef struct bucket {
    nt_mutex mutex;
    parker *head, *tail;
} bucket;

struct nt_waker {
    nt_mutex mutex;
    int pending;       /* woken while no wait was registered */
    parker *waiting;   /* the parker of the wait it would end, if any */
};

static bucket buckets[BUCKETS];
static atomic_int buckets_ready;
static nt_mutex buckets_init_mutex = NT_MUTEX_INIT;

static NT_THREAD_LOCAL parker self;

#define WORD(l) ((_Atomic uint32_t *)(l))

static bucket *bucket_of(const nt_lock *lock)
{
    if (!atomic_load_explicit(&buckets_ready, memory_order_acquire)) {
        nt_mutex_lock(&buckets_init_mutex);
        if (!atomic_load_explicit(&buckets_ready, memory_order_relaxed)) {
            for (int i = 0; i < BUCKETS; i++) nt_mutex_init(&buckets[i].mutex);
            atomic_store_explicit(&buckets_ready, 1, memory_order_release);
        }
        nt_mutex_unlock(&buckets_init_mutex);
    }
    return &buckets[((uintptr_t)lock >> 2) % BUCKETS];
}

static parker *current_parker(void)
{
    if (!self.ready) {
        nt_mutex_init(&self.mutex);
        nt_cond_init(&self.cond);
        self.ready = 1;
    }
    return &self;
}

/* Removes p from b's queue; b->mutex held. */
static void unlink_parker(bucket *b, parker *p)
{
    parker **link = &b->head, *prev = NULL;
    while (*link != p) {
        prev = *link;
        link = &(*link)->next;
    }
    *link = p->next;
    if (b->tail == p) b->tail = prev;
    p->next = NULL;
    p->queued = 0;
}

enum { PARK_RETRY = 0, PARK_UNPARKED = 1, PARK_INTERRUPTED = 2, PARK_TIMEOUT = 4, PARK_HANDED_OFF = 8 };
enum { UNPARKED = 1, HANDED_OFF = 2 };

/* Sleeps until a release unparks this thread, the deadline passes or `waker` fires, unless the
 * lock word no longer holds `expected`. `since`: when this acquire first parked. Returns a set of
 * PARK_* bits; with PARK_HANDED_OFF the lock is this thread's. */
static int park(nt_lock *lock, uint32_t expected, uint64_t since, uint64_t deadline, nt_waker *waker)
{
    parker *p = current_parker();
    bucket *b = bucket_of(lock);

    nt_mutex_lock(&b->mutex);
    if (atomic_load(WORD(lock)) != expected) {
        nt_mutex_unlock(&b->mutex);
        return PARK_RETRY;
    }
    nt_mutex_lock(&p->mutex);
    p->unparked = 0;
    p->interrupted = 0;
    nt_mutex_unlock(&p->mutex);
    p->lock = lock;
    p->since = since;
    p->queued = 1;
    if (b->tail) b->tail->next = p; else b->head = p;
    b->tail = p;
    nt_mutex_unlock(&b->mutex);

    int interrupted = 0;
    if (waker) {
        nt_mutex_lock(&waker->mutex);
        if (waker->pending) {
            waker->pending = 0;
            interrupted = 1;
        } else {
            waker->waiting = p;
        }
        nt_mutex_unlock(&waker->mutex);
    }

    int timed_out = 0;
    nt_mutex_lock(&p->mutex);
    while (!p->unparked && !p->interrupted && !interrupted) {
        if (deadline != NT_NO_DEADLINE && nt_monotonic_ns() >= deadline) {
            timed_out = 1;
            break;
        }
        nt_cond_wait_until(&p->cond, &p->mutex, deadline);
    }
    interrupted |= p->interrupted;
    nt_mutex_unlock(&p->mutex);

    if (waker) {
        nt_mutex_lock(&waker->mutex);
        waker->waiting = NULL;
        if (waker->pending) {
            waker->pending = 0;
            interrupted = 1;
        }
        nt_mutex_unlock(&waker->mutex);
    }

    /* Still queued: nobody chose this thread, leave the queue. Otherwise a release dequeued it
     * and set `unparked` while holding the bucket mutex, so it is visible now. */
    int result;
    nt_mutex_lock(&b->mutex);
    if (p->queued) {
        unlink_parker(b, p);
        result = 0;
    } else {
        result = p->unparked == HANDED_OFF ? PARK_UNPARKED | PARK_HANDED_OFF : PARK_UNPARKED;
    }
    nt_mutex_unlock(&b->mutex);
    if (interrupted) result |= PARK_INTERRUPTED;
    if (timed_out) result |= PARK_TIMEOUT;
    return result;
}

static int try_take(nt_lock *lock)
{
    uint32_t v = atomic_load(WORD(lock));
    while (!(v & NT_LOCK_LOCKED)) {
        if (atomic_compare_exchange_weak(WORD(lock), &v, v | NT_LOCK_LOCKED)) return 1;
    }
    return 0;
}

static uint64_t deadline_after(int64_t timeout_ns)
{
    if (timeout_ns < 0) return NT_NO_DEADLINE;
    uint64_t now = nt_monotonic_ns();
    return (uint64_t)timeout_ns >= NT_NO_DEADLINE - now ? NT_NO_DEADLINE - 1 : now + (uint64_t)timeout_ns;
}

int nt_lock_acquire(nt_lock *lock, int64_t timeout_ns, nt_waker *waker)
{
    if (try_take(lock)) return NT_OK;
    if (timeout_ns == 0) return NT_TIMEOUT;
    uint64_t deadline = deadline_after(timeout_ns);
    uint64_t since = 0;
    int spins = 0;
    for (;;) {
        uint32_t v = atomic_load(WORD(lock));
        if (!(v & NT_LOCK_LOCKED)) {
            if (atomic_compare_exchange_weak(WORD(lock), &v, v | NT_LOCK_LOCKED)) return NT_OK;
            continue;
        }
        if (!(v & NT_LOCK_PARKED)) {
            if (spins < SPIN_LIMIT) {
                spins++;
                nt_yield();
                continue;
            }
            if (!atomic_compare_exchange_weak(WORD(lock), &v, v | NT_LOCK_PARKED)) continue;
            v |= NT_LOCK_PARKED;
        }
        if (!since) since = nt_monotonic_ns();
        int r = park(lock, v, since, deadline, waker);
        if (r & PARK_HANDED_OFF) return NT_OK;
        if (r & (PARK_INTERRUPTED | PARK_TIMEOUT)) {
            /* A release that chose this thread expects it to take the lock: do so if it is
             * still free, or the wake-up would be lost for the threads queued behind it. If
             * another thread took it meanwhile, that thread's release wakes the next one. */
            if ((r & PARK_UNPARKED) && try_take(lock)) return NT_OK;
            return (r & PARK_INTERRUPTED) ? NT_INTERRUPTED : NT_TIMEOUT;
        }
    }
}

int nt_lock_release(nt_lock *lock)
{
    uint32_t v = atomic_load(WORD(lock));
    for (;;) {
        if (!(v & NT_LOCK_LOCKED)) return NT_E_UNLOCKED;
        if (v & NT_LOCK_PARKED) break;
        if (atomic_compare_exchange_weak(WORD(lock), &v, 0)) return NT_OK;
    }
    bucket *b = bucket_of(lock);
    nt_mutex_lock(&b->mutex);
    if (!(atomic_load(WORD(lock)) & NT_LOCK_LOCKED)) {  /* a concurrent release won */
        nt_mutex_unlock(&b->mutex);
        return NT_E_UNLOCKED;
    }
    parker *chosen = NULL;
    int more = 0;
    for (parker *p = b->head; p; p = p->next) {
        if (p->lock != lock) continue;
        if (!chosen) chosen = p; else { more = 1; break; }
    }
    /* Barging is fast but can starve a waiter: one that has waited long enough gets the lock
     * handed over, still locked, instead of a chance to race for it. */
    int handoff = chosen && nt_monotonic_ns() - chosen->since >= HANDOFF_NS;
    atomic_store(WORD(lock), (handoff ? NT_LOCK_LOCKED : 0) | (more ? NT_LOCK_PARKED : 0));
    if (chosen) {
        unlink_parker(b, chosen);
        nt_mutex_lock(&chosen->mutex);
        chosen->unparked = handoff ? HANDED_OFF : UNPARKED;
        nt_cond_signal(&chosen->cond);
        nt_mutex_unlock(&chosen->mutex);
    }
    nt_mutex_unlock(&b->mutex);
    return NT_OK;
}

int nt_lock_locked(const nt_lock *lock)
{
    return (atomic_load(WORD(lock)) & NT_LOCK_LOCKED) != 0;
}

nt_waker *nt_waker_new(void)
{
    nt_waker *w = calloc(1, sizeof *w);
    if (w) nt_mutex_init(&w->mutex);
    return w;
}

void nt_waker_free(nt_waker *waker)
{
    free(waker);
}

void nt_waker_wake(nt_waker *waker)
{
    nt_mutex_lock(&waker->mutex);
    waker->pending = 1;
    parker *p = waker->waiting;
    if (p) {
        nt_mutex_lock(&p->mutex);
        p->interrupted = 1;
        nt_cond_signal(&p->cond);
        nt_mutex_unlock(&p->mutex);
    }
    nt_mutex_unlock(&waker->mutex);
}

void nt_utf8_truncate(char *dst, const char *src, size_t max)
{
    size_t n = strlen(src);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;  /* a continuation byte */
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The signals <signal.h> defines here; C has six, POSIX and Windows add their own. */
int nt_signal_number(const char *name)
{
    static const struct { const char *name; int number; } signals[] = {
        {"SIGABRT", SIGABRT}, {"SIGFPE", SIGFPE}, {"SIGILL", SIGILL}, {"SIGINT", SIGINT},
        {"SIGSEGV", SIGSEGV}, {"SIGTERM", SIGTERM},
#ifdef SIGBREAK
        {"SIGBREAK", SIGBREAK},
#endif
#ifndef _WIN32
        {"SIGALRM", SIGALRM}, {"SIGBUS", SIGBUS}, {"SIGCHLD", SIGCHLD}, {"SIGCONT", SIGCONT},
        {"SIGHUP", SIGHUP}, {"SIGKILL", SIGKILL}, {"SIGPIPE", SIGPIPE}, {"SIGPROF", SIGPROF},
        {"SIGQUIT", SIGQUIT}, {"SIGSTOP", SIGSTOP}, {"SIGSYS", SIGSYS}, {"SIGTRAP", SIGTRAP},
        {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU}, {"SIGURG", SIGURG},
        {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGVTALRM", SIGVTALRM}, {"SIGWINCH", SIGWINCH},
        {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ}, {"SIGIO", SIGIO},
#endif
#ifdef SIGPWR
        {"SIGPWR", SIGPWR},
#endif
    };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcmp(signals[i].name, name) == 0) return signals[i].number;
    return -1;
}

const char *nt_strerror(int code, char *buf, size_t len)
{
    const char *text = NULL;
    switch (code) {
    case NT_OK: text = "no error"; break;
    case NT_TIMEOUT: text = "timed out"; break;
    case NT_INTERRUPTED: text = "interrupted"; break;
    case NT_E_UNLOCKED: text = "release unlocked lock"; break;
    case NT_E_INIT: text = "the new thread failed to initialise"; break;
    case NT_E_TOO_BIG: text = "size too large for this platform"; break;
    }
    if (text) snprintf(buf, len, "%s", text);
    else if (code > 0) nt_os_strerror(code, buf, len);
    else snprintf(buf, len, "unknown error %d", code);
    return buf;
}
