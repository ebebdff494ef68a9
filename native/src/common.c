/* SPDX-License-Identifier: Apache-2.0 */
/* Portable part of the C API: locks over a parking lot (after CPython's PyMutex and Python/
 * parking_lot.c, and WebKit's WTF::ParkingLot), wakers, and error text. */
#include "platform.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPIN_LIMIT 40  /* yields before parking, while nobody is queued; CPython's MAX_SPIN_COUNT */
#define YIELD_GAVE_NS 2000   /* a yield this long ran another thread: the CPUs are busy, park */
#define HANDOFF_NS 1000000  /* a waiter parked this long is handed the lock (CPython: 1 ms) */
#define BUCKETS 257     /* a prime, so that addresses spread */
#define WAKE_SPIN_MAX 255  /* AQS's most */

/* One per OS thread, reused by every blocking wait of that thread: its queue node, and what it
 * sleeps on until the node's wake runs. */
typedef struct parker {
    nt_lock_wait node;         /* first: a node's address is its parker's */
    nt_mutex mutex;
    nt_cond cond;
    int ready;                 /* mutex and cond are initialised */
    int woken;                 /* a release chose this thread; under `mutex` */
    atomic_int wake_done;      /* that release is done with this parker */
    int interrupted;           /* a waker fired; under `mutex` */
} parker;

/* The waits queued on the locks whose addresses hash here, oldest first. */
typedef struct bucket {
    nt_mutex mutex;
    nt_lock_wait *head, *tail;
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

#define LOCKED(l) ((_Atomic uint32_t *)&(l)->locked)
#define FLAGS(l) ((_Atomic uint32_t *)&(l)->flags)

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

/* The wake of a blocking wait: rouse the thread sleeping on its parker. It signals after the
 * unlock, so that the thread it wakes does not at once block on the mutex it still held (as
 * HotSpot's Parker does); that thread does not leave park() before wake_done is set. */
static void parker_wake(nt_lock_wait *node)
{
    parker *p = (parker *)node;
    nt_mutex_lock(&p->mutex);
    p->woken = 1;
    nt_mutex_unlock(&p->mutex);
    nt_cond_signal(&p->cond);
    atomic_store_explicit(&p->wake_done, 1, memory_order_release);  /* p may go from here on */
}

static parker *current_parker(void)
{
    if (!self.ready) {
        nt_mutex_init(&self.mutex);
        nt_cond_init(&self.cond);
        self.node.wake = parker_wake;
        self.ready = 1;
    }
    return &self;
}

enum { UNPARKED = 1, HANDED_OFF = 2 };  /* nt_lock_wait.chosen_ */

/* Appends w to lock's queue, unless the lock is free or PARKED is clear (a release came first:
 * the caller must look again). Returns whether it queued. The caller set PARKED before: a release
 * exchanges `locked` before it loads `flags`, so either it sees PARKED and wakes a queued waiter,
 * or this sees the lock free. `woken`: a release woke w's thread and it did not get the lock; it
 * ends its WAKING first (the same way round: a release sees WAKING clear, or this sees the lock
 * free) and goes back to the front, as AQS's first waiter stays first. */
static int enqueue(nt_lock *lock, nt_lock_wait *w, int woken)
{
    bucket *b = bucket_of(lock);
    nt_mutex_lock(&b->mutex);
    if (woken) atomic_fetch_and(FLAGS(lock), ~NT_LOCK_WAKING);
    int queued = atomic_load(LOCKED(lock)) && (atomic_load(FLAGS(lock)) & NT_LOCK_PARKED);
    if (queued) {
        w->lock_ = lock;
        w->queued_ = 1;
        w->chosen_ = 0;
        if (woken) {
            w->next_ = b->head;
            b->head = w;
            if (!b->tail) b->tail = w;
        } else {
            w->next_ = NULL;
            if (b->tail) b->tail->next_ = w; else b->head = w;
            b->tail = w;
        }
    }
    nt_mutex_unlock(&b->mutex);
    return queued;
}

/* Removes w from b's queue; b->mutex held. */
static void unlink_wait(bucket *b, nt_lock_wait *w)
{
    nt_lock_wait **link = &b->head, *prev = NULL;
    while (*link != w) {
        prev = *link;
        link = &(*link)->next_;
    }
    *link = w->next_;
    if (b->tail == w) b->tail = prev;
    w->next_ = NULL;
    w->queued_ = 0;
}

/* Ends w's stay in the queue: still queued means nobody chose it, so it leaves (0); otherwise a
 * release dequeued it and set chosen_ under the bucket mutex, visible now. A waiter chosen to race
 * for the lock (UNPARKED) keeps WAKING until it took the lock, gave up or queued again. */
static int leave(nt_lock *lock, nt_lock_wait *w)
{
    bucket *b = bucket_of(lock);
    nt_mutex_lock(&b->mutex);
    int chosen = 0;
    if (w->queued_) unlink_wait(b, w);
    else chosen = w->chosen_;
    nt_mutex_unlock(&b->mutex);
    return chosen;
}

static int wake_one(nt_lock *lock, int held);

/* Whether a release must wake a waiter: some may be queued and none woken is yet to run. */
static int must_wake(uint32_t flags)
{
    return (flags & (NT_LOCK_PARKED | NT_LOCK_WAKING)) == NT_LOCK_PARKED;
}

/* A woken waiter took the lock or gives up: from now on a release may wake another. A release
 * that came while WAKING was set woke nobody; if it left the lock free, wake for it. */
static void end_waking(nt_lock *lock)
{
    atomic_fetch_and(FLAGS(lock), ~NT_LOCK_WAKING);
    if (!atomic_load(LOCKED(lock)) && must_wake(atomic_load(FLAGS(lock)))) wake_one(lock, 0);
}

enum { PARK_RETRY = 0, PARK_UNPARKED = 1, PARK_INTERRUPTED = 2, PARK_TIMEOUT = 4, PARK_HANDED_OFF = 8 };

/* Sleeps until a release unparks this thread, the deadline passes or `waker` fires, unless
 * enqueue() refuses. `since`: when this acquire first parked. Returns a set of PARK_* bits; with
 * PARK_HANDED_OFF the lock is this thread's. */
static int park(nt_lock *lock, uint64_t since, uint64_t deadline, nt_waker *waker, int woken)
{
    parker *p = current_parker();
    nt_mutex_lock(&p->mutex);
    p->woken = 0;
    p->interrupted = 0;
    nt_mutex_unlock(&p->mutex);
    atomic_store_explicit(&p->wake_done, 0, memory_order_relaxed);  /* no wake is in flight */
    p->node.since_ = since;
    if (!enqueue(lock, &p->node, woken)) return PARK_RETRY;

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
    /* outside p->mutex: a release that wakes this thread need not wait for the system calls */
    long slack = deadline != NT_NO_DEADLINE ? nt_timer_slack_tighten() : 0;
    nt_mutex_lock(&p->mutex);
    while (!p->woken && !p->interrupted && !interrupted) {
        if (deadline != NT_NO_DEADLINE && nt_monotonic_ns() >= deadline) {
            timed_out = 1;
            break;
        }
        nt_cond_wait_until(&p->cond, &p->mutex, deadline);
    }
    interrupted |= p->interrupted;
    int woken_here = p->woken;
    nt_mutex_unlock(&p->mutex);
    nt_timer_slack_restore(slack);

    if (waker) {
        nt_mutex_lock(&waker->mutex);
        waker->waiting = NULL;
        if (waker->pending) {
            waker->pending = 0;
            interrupted = 1;
        }
        nt_mutex_unlock(&waker->mutex);
    }

    /* Woken: the release dequeued this node and set chosen_ before the wake, so there is no need
     * for the bucket mutex it may still hold; only for the end of its use of p. */
    int chosen;
    if (woken_here) {
        for (int i = 0; !atomic_load_explicit(&p->wake_done, memory_order_acquire); i++) {
            if (i < 64) nt_cpu_relax(); else nt_yield();
        }
        chosen = p->node.chosen_;
    } else {
        chosen = leave(lock, &p->node);
    }
    int result = chosen == HANDED_OFF ? PARK_UNPARKED | PARK_HANDED_OFF : chosen ? PARK_UNPARKED : 0;
    if (interrupted) result |= PARK_INTERRUPTED;
    if (timed_out) result |= PARK_TIMEOUT;
    return result;
}

static int try_take(nt_lock *lock)
{
    uint32_t free_ = 0;
    return atomic_compare_exchange_strong(LOCKED(lock), &free_, 1);
}

static uint64_t deadline_after(int64_t timeout_ns)
{
    if (timeout_ns < 0) return NT_NO_DEADLINE;
    uint64_t now = nt_monotonic_ns();
    return (uint64_t)timeout_ns >= NT_NO_DEADLINE - now ? NT_NO_DEADLINE - 1 : now + (uint64_t)timeout_ns;
}

/* A waiter's step before it queues: takes the lock if it is free (returns 1), else makes sure
 * PARKED is set, so that a release looks for queued waiters, and returns 0. While nobody is
 * queued it first yields, up to *spins times, unless a yield gave the CPU to another thread: with
 * more threads wanting CPUs than there are, yielding in turn only burns CPU and switches. */
static int take_or_mark(nt_lock *lock, int *spins)
{
    for (;;) {
        if (try_take(lock)) return 1;
        if (atomic_load(FLAGS(lock)) & NT_LOCK_PARKED) return 0;
        if (*spins > 0) {
            (*spins)--;
            uint64_t before = nt_monotonic_ns();
            nt_yield();
            if (nt_monotonic_ns() - before > YIELD_GAVE_NS) *spins = 0;
        } else {
            atomic_fetch_or(FLAGS(lock), NT_LOCK_PARKED);  /* then look at the lock once more */
        }
    }
}

/* A waiter woken to race for the lock mostly finds it taken again by a thread that never slept:
 * it watches the lock for a while before it parks anew, twice as long after each futile wake, up
 * to WAKE_SPIN_MAX (as AQS's queue head does). Returns whether it took the lock. */
static int spin_for(nt_lock *lock, int *spins)
{
    *spins = *spins * 2 + 1 > WAKE_SPIN_MAX ? WAKE_SPIN_MAX : *spins * 2 + 1;
    for (int i = 0; i < *spins; i++) {
        if (!atomic_load_explicit(LOCKED(lock), memory_order_relaxed) && try_take(lock)) return 1;
        nt_cpu_relax();
    }
    return 0;
}

int nt_lock_acquire(nt_lock *lock, int64_t timeout_ns, nt_waker *waker)
{
    if (try_take(lock)) return NT_OK;
    if (timeout_ns == 0) return NT_TIMEOUT;
    uint64_t deadline = deadline_after(timeout_ns);
    uint64_t since = 0;
    int spins = SPIN_LIMIT, wake_spins = 0;
    int woken = 0;  /* a release chose this thread to race for the lock: WAKING is its */
    int result;
    for (;;) {
        if (take_or_mark(lock, &spins)) {
            result = NT_OK;
            break;
        }
        if (!since) since = nt_monotonic_ns();
        int r = park(lock, since, deadline, waker, woken);  /* ends WAKING if it queues again */
        if (r & PARK_HANDED_OFF) return NT_OK;
        woken = r & PARK_UNPARKED;
        if (r == PARK_UNPARKED && spin_for(lock, &wake_spins)) {
            result = NT_OK;
            break;
        }
        if (r & (PARK_INTERRUPTED | PARK_TIMEOUT)) {
            /* A release that chose this thread expects it to take the lock: do so if it is
             * still free (else end_waking() wakes the next one for it). If another thread took
             * it meanwhile, that thread's release wakes the next one. */
            result = (r & PARK_UNPARKED) && try_take(lock) ? NT_OK
                    : (r & PARK_INTERRUPTED) ? NT_INTERRUPTED : NT_TIMEOUT;
            break;
        }
    }
    if (woken) end_waking(lock);
    return result;
}

int nt_lock_wait_begin(nt_lock *lock, nt_lock_wait *wait)
{
    int spins = 0;  /* the caller spins its own way */
    for (;;) {
        if (take_or_mark(lock, &spins)) return NT_OK;
        if (!wait->since_) wait->since_ = nt_monotonic_ns();
        if (enqueue(lock, wait, 0)) return NT_QUEUED;
    }
}

int nt_lock_wait_end(nt_lock *lock, nt_lock_wait *wait)
{
    int chosen = leave(lock, wait);
    if (chosen == HANDED_OFF) return NT_OK;
    if (chosen != UNPARKED) return NT_TIMEOUT;
    /* chosen to race for the lock: take it if still free, as nt_lock_acquire does */
    int took = try_take(lock);
    end_waking(lock);
    return took ? NT_OK : NT_TIMEOUT;
}

/* Chooses the oldest waiter queued on the lock and wakes it. `held`: the caller holds the lock,
 * and it is released here, or handed to the waiter; else the caller has released it already. */
static int wake_one(nt_lock *lock, int held)
{
    bucket *b = bucket_of(lock);
    nt_mutex_lock(&b->mutex);
    if (held && !atomic_load(LOCKED(lock))) {  /* a concurrent release won */
        nt_mutex_unlock(&b->mutex);
        return NT_E_UNLOCKED;
    }
    nt_lock_wait *chosen = NULL;
    int more = 0;
    int choose = must_wake(atomic_load(FLAGS(lock)));  /* else another release woke one meanwhile */
    if (choose) {
        for (nt_lock_wait *w = b->head; w; w = w->next_) {
            if (w->lock_ != lock) continue;
            if (!chosen) chosen = w; else { more = 1; break; }
        }
    }
    /* Barging is fast but can starve a waiter: one that has waited long enough gets the lock
     * handed over, still locked (or taken again for it), instead of a chance to race for it. */
    int handoff = chosen && nt_monotonic_ns() - chosen->since_ >= HANDOFF_NS && (held || try_take(lock));
    if (choose) {
        /* flags first: from the moment the lock is free, a release must see WAKING. A waiter's
         * PARKED set meanwhile may be lost here; its enqueue() then refuses, and it looks again. */
        atomic_store(FLAGS(lock), (more ? NT_LOCK_PARKED : 0) | (chosen && !handoff ? NT_LOCK_WAKING : 0));
    }
    if (held && !handoff) atomic_store(LOCKED(lock), 0);
    if (chosen) {
        unlink_wait(b, chosen);
        chosen->chosen_ = handoff ? HANDED_OFF : UNPARKED;
        chosen->wake(chosen);
    }
    nt_mutex_unlock(&b->mutex);
    return NT_OK;
}

int nt_lock_release(nt_lock *lock)
{
    if (must_wake(atomic_load(FLAGS(lock)))) return wake_one(lock, 1);
    if (!atomic_exchange(LOCKED(lock), 0)) return NT_E_UNLOCKED;
    /* a waiter that set PARKED before the exchange is seen here; one after it sees the lock free */
    if (must_wake(atomic_load(FLAGS(lock)))) wake_one(lock, 0);
    return NT_OK;
}

int nt_lock_wake(nt_lock *lock)
{
    return wake_one(lock, 0);
}

int nt_lock_locked(const nt_lock *lock)
{
    return atomic_load(LOCKED((nt_lock *)lock)) != 0;
}

int nt_lock_queued(const nt_lock *lock)
{
    bucket *b = bucket_of(lock);
    int n = 0;
    nt_mutex_lock(&b->mutex);
    for (nt_lock_wait *w = b->head; w; w = w->next_) n += w->lock_ == lock;
    nt_mutex_unlock(&b->mutex);
    return n;
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
    case NT_QUEUED: text = "queued"; break;
    }
    if (text) snprintf(buf, len, "%s", text);
    else if (code > 0) nt_os_strerror(code, buf, len);
    else snprintf(buf, len, "unknown error %d", code);
    return buf;
}
