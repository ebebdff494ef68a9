/* Unit tests of the C API (no JVM). Run by ctest; cross-run under wine and qemu. */
#include "nativethread.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <sys/syscall.h>
#endif

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static uint64_t now_ns(void)
{
#ifdef _WIN32
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static nt_thread start_joinable(nt_run_fn run, void *arg, size_t stack)
{
    nt_thread_options o = {stack, NULL, 0};
    nt_thread t;
    int rc = nt_thread_start(&o, NULL, run, arg, &t);
    if (rc != NT_OK) {
        char buf[128];
        fprintf(stderr, "nt_thread_start: %s\n", nt_strerror(rc, buf, sizeof buf));
        exit(2);
    }
    return t;
}

static void test_platform(void)
{
    nt_platform p;
    nt_platform_get(&p);
    CHECK(p.page_size >= 4096 && (p.page_size & (p.page_size - 1)) == 0);
    CHECK(p.name_max >= 15);
    CHECK(p.timeout_max == 9223372036.0 || p.timeout_max == 4294967.0);
    CHECK(p.hotspot_stack_base >= 32 * 1024);
    CHECK(p.nsig > 15);
    CHECK(nt_signal_number("SIGINT") == 2);
    CHECK(nt_signal_number("SIGTERM") == 15);
    CHECK(nt_signal_number("SIGNOPE") == -1);
    char path[1024];
    CHECK(strlen(nt_library_path(path, sizeof path)) > 0);
    char buf[128];
    CHECK(strcmp(nt_strerror(NT_E_UNLOCKED, buf, sizeof buf), "release unlocked lock") == 0);
    CHECK(strlen(nt_strerror(22, buf, sizeof buf)) > 0);
}

/* ---- the JVM's signals ---- */

static int use(int signum, unsigned flags, char *why)
{
    strcpy(why, "untouched");
    return nt_signal_use(signum, flags, why, 512);
}

static void test_signal_use(void)
{
    char why[512];
    int sigint = nt_signal_number("SIGINT"), sigterm = nt_signal_number("SIGTERM");
    CHECK(use(sigint, 0, why) == NT_SIGNAL_FREE && why[0] == '\0');
    CHECK(use(sigint, NT_JVM_REDUCED_SIGNAL_USAGE, why) == NT_SIGNAL_RESERVED && strstr(why, "-Xrs"));
    CHECK(use(sigterm, NT_JVM_REDUCED_SIGNAL_USAGE, why) == NT_SIGNAL_RESERVED && strstr(why, "-Xrs"));
    CHECK(use(nt_signal_number("SIGABRT"), 0, why) == NT_SIGNAL_FREE);
    CHECK(use(nt_signal_number("SIGSEGV"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "HotSpot"));
    CHECK(use(nt_signal_number("SIGFPE"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "ArithmeticException"));
    CHECK(use(nt_signal_number("SIGILL"), 0, why) == NT_SIGNAL_RESERVED);
#ifdef _WIN32
    CHECK(use(nt_signal_number("SIGBREAK"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "thread-dump"));
#else
    int sigusr1 = nt_signal_number("SIGUSR1"), sigusr2 = nt_signal_number("SIGUSR2");
    int sigalrm = nt_signal_number("SIGALRM");
    CHECK(use(nt_signal_number("SIGKILL"), 0, why) == NT_SIGNAL_UNCATCHABLE);
    CHECK(use(nt_signal_number("SIGSTOP"), 0, why) == NT_SIGNAL_UNCATCHABLE);
    CHECK(use(nt_signal_number("SIGBUS"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "memory-mapped"));
    CHECK(use(nt_signal_number("SIGTRAP"), 0, why) == NT_SIGNAL_RESERVED);
    CHECK(use(nt_signal_number("SIGQUIT"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "thread-dump"));
    CHECK(use(nt_signal_number("SIGHUP"), 0, why) == NT_SIGNAL_FREE);
    CHECK(use(nt_signal_number("SIGHUP"), NT_JVM_REDUCED_SIGNAL_USAGE, why) == NT_SIGNAL_RESERVED);
    CHECK(use(nt_signal_number("SIGCHLD"), 0, why) == NT_SIGNAL_FREE);
#ifdef __linux__
    CHECK(use(nt_signal_number("SIGPROF"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "JFR"));
    CHECK(use(SIGRTMAX - 2, 0, why) == NT_SIGNAL_RESERVED && strstr(why, "SIGRTMAX-2"));
#else
    CHECK(use(nt_signal_number("SIGIO"), 0, why) == NT_SIGNAL_RESERVED && strstr(why, "NIO"));
#endif
    /* the suspend/resume signal, as HotSpot's SR_initialize() picks it */
    unsetenv("_JAVA_SR_SIGNUM");
    CHECK(use(sigusr2, 0, why) == NT_SIGNAL_RESERVED && strstr(why, "suspend/resume"));
    CHECK(use(sigusr1, 0, why) == NT_SIGNAL_FREE);
    CHECK(use(sigalrm, 0, why) == NT_SIGNAL_FREE);
    setenv("_JAVA_SR_SIGNUM", "14", 1);  /* SIGALRM: above max(SIGSEGV, SIGBUS), so HotSpot takes it */
    CHECK(use(sigalrm, 0, why) == NT_SIGNAL_RESERVED && strstr(why, "_JAVA_SR_SIGNUM=14"));
    CHECK(use(sigusr2, 0, why) == NT_SIGNAL_FREE);
    setenv("_JAVA_SR_SIGNUM", "10", 1);  /* not above SIGSEGV (11): HotSpot warns and keeps SIGUSR2 */
    CHECK(use(sigusr2, 0, why) == NT_SIGNAL_RESERVED);
    setenv("_JAVA_SR_SIGNUM", "nonsense", 1);
    CHECK(use(sigusr2, 0, why) == NT_SIGNAL_RESERVED);
    unsetenv("_JAVA_SR_SIGNUM");
#endif
}

/* ---- threads ---- */

typedef struct facts {
    uint64_t ident, native_id, independent_id;
    size_t stack;
    char name[64];
} facts;

static void record_facts(void *arg)
{
    facts *f = arg;
    f->ident = nt_thread_ident();
    f->native_id = nt_thread_native_id();
#if defined(__linux__)
    f->independent_id = (uint64_t)syscall(SYS_gettid);
#elif defined(_WIN32)
    f->independent_id = GetCurrentThreadId();
#else
    f->independent_id = f->native_id;
#endif
    f->stack = nt_thread_stack_size();
    nt_thread_get_name(f->name, sizeof f->name);
}

static void test_thread_facts(void)
{
#ifdef __SANITIZE_THREAD__
    size_t sizes[] = {1024 * 1024, 2 * 1024 * 1024 + 1, 4 * 1024 * 1024};  /* TSan needs ~1 MiB */
#else
    size_t sizes[] = {256 * 1024, 1024 * 1024 + 1, 4 * 1024 * 1024};
#endif
    /* up, then down: a stack left by a bigger thread must not be reused for a smaller one */
    for (int k = 0; k < 6; k++) {
        int i = k < 3 ? k : 5 - k;
        facts f = {0};
        nt_thread t = start_joinable(record_facts, &f, sizes[i]);
        CHECK(t.handle != NULL);
        CHECK(nt_thread_join(&t) == NT_OK);
        CHECK(f.ident == t.ident && f.ident != 0);
        CHECK(f.native_id == t.native_id && f.native_id == f.independent_id);
        CHECK(f.native_id != nt_thread_native_id());
        /* exactly what was asked, rounded up to the stack unit */
        nt_platform p;
        nt_platform_get(&p);
        size_t expected = (sizes[i] + p.stack_unit - 1) / p.stack_unit * p.stack_unit;
#ifdef _WIN32
        /* Wine (unlike Windows) never reserves less than 1 MiB for a thread stack */
        if (GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") && expected < 1024 * 1024)
            expected = 1024 * 1024;
#endif
        if (f.stack != expected) fprintf(stderr, "stack %zu for %zu, expected %zu\n", f.stack, sizes[i], expected);
        CHECK(f.stack == expected);
    }
    CHECK(nt_thread_native_id() == nt_thread_native_id());
}

static void test_thread_names(void)
{
    nt_platform p;
    nt_platform_get(&p);
    facts f = {0};
    nt_thread_options o = {0, "a-rather-long-thread-name-for-tests", 0};
    nt_thread t;
    CHECK(nt_thread_start(&o, NULL, record_facts, &f, &t) == NT_OK);
    nt_thread_join(&t);
    CHECK(strlen(f.name) == p.name_max || strcmp(f.name, o.name) == 0);
    CHECK(strncmp(f.name, o.name, strlen(f.name)) == 0);

    /* 14 ASCII bytes and a 3-byte character: a 15-byte limit must drop the whole character */
    char name[64] = "aaaaaaaaaaaaaa\xe2\x82\xac";
    CHECK(nt_thread_set_name(name) == NT_OK);
    char got[64];
    CHECK(nt_thread_get_name(got, sizeof got) == NT_OK);
    if (p.name_max == 15) CHECK(strcmp(got, "aaaaaaaaaaaaaa") == 0);
    else CHECK(strcmp(got, name) == 0);
}

static int init_fails(void *arg)
{
    (void)arg;
    return 1;
}

static void must_not_run(void *arg)
{
    *(int *)arg = 1;
}

static int init_sets(void *arg)
{
    *(atomic_int *)arg = 1;
    return 0;
}

static void after_init(void *arg)
{
    atomic_int *v = arg;
    if (atomic_load(v) == 1) atomic_store(v, 2);
}

static void test_thread_init(void)
{
    int ran = 0;
    nt_thread_options o = {0, NULL, 0};
    nt_thread t;
    CHECK(nt_thread_start(&o, init_fails, must_not_run, &ran, &t) == NT_E_INIT);
    o.detached = 1;
    CHECK(nt_thread_start(&o, init_fails, must_not_run, &ran, &t) == NT_E_INIT);
    CHECK(ran == 0);

    /* init ran before nt_thread_start returned; run follows */
    atomic_int v = 0;
    o.detached = 0;
    CHECK(nt_thread_start(&o, init_sets, after_init, &v, &t) == NT_OK);
    nt_thread_join(&t);
    CHECK(atomic_load(&v) == 2);
}

static void test_thread_errors(void)
{
    nt_thread_options o = {(size_t)1 << 40, NULL, 1};   /* 1 TiB */
    nt_thread t;
    int ran = 0;
    int rc = nt_thread_start(&o, NULL, must_not_run, &ran, &t);
    CHECK(rc > 0 || rc == NT_E_TOO_BIG);  /* an OS error, or beyond what the OS call takes */
    char buf[128];
    CHECK(strlen(nt_strerror(rc, buf, sizeof buf)) > 0);
    o.stack_size = SIZE_MAX - 10;
    CHECK(nt_thread_start(&o, NULL, must_not_run, &ran, &t) != NT_OK);
    CHECK(ran == 0);
}

static void detached_body(void *arg)
{
    atomic_store((atomic_int *)arg, 1);
}

static void test_detached(void)
{
    atomic_int done = 0;
    nt_thread_options o = {0, "detached", 1};
    nt_thread t;
    CHECK(nt_thread_start(&o, NULL, detached_body, &done, &t) == NT_OK);
    CHECK(t.handle == NULL);
    uint64_t until = now_ns() + 5000000000u;
    while (!atomic_load(&done) && now_ns() < until) {
        nt_lock l = 0;
        nt_lock_acquire(&l, 0, NULL);
    }
    CHECK(atomic_load(&done));
}

/* ---- locks ---- */

static void test_lock_basics(void)
{
    nt_lock l = 0;
    CHECK(!nt_lock_locked(&l));
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_OK);
    CHECK(nt_lock_locked(&l));
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_TIMEOUT);
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_E_UNLOCKED);
    CHECK(l == 0);
}

static void test_timed_wait_never_early(void)
{
    nt_lock l = NT_LOCK_LOCKED;
    int64_t timeouts[] = {1, 1000000, 20000000, 100000000};
    for (int i = 0; i < 4; i++) {
        uint64_t t0 = now_ns();
        CHECK(nt_lock_acquire(&l, timeouts[i], NULL) == NT_TIMEOUT);
        uint64_t waited = now_ns() - t0;
        CHECK(waited >= (uint64_t)timeouts[i]);
        CHECK(waited < (uint64_t)timeouts[i] + 2000000000u);
    }
    CHECK(nt_lock_locked(&l));
}

typedef struct counter {
    nt_lock lock;
    long value;
    int rounds;
} counter;

static void increment(void *arg)
{
    counter *c = arg;
    for (int i = 0; i < c->rounds; i++) {
        nt_lock_acquire(&c->lock, NT_FOREVER, NULL);
        c->value++;
        nt_lock_release(&c->lock);
    }
}

static void test_contention(void)
{
    counter c = {0, 0, 200000};
    nt_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = start_joinable(increment, &c, 0);
    for (int i = 0; i < 4; i++) nt_thread_join(&t[i]);
    CHECK(c.value == 4L * c.rounds);
    CHECK(c.lock == 0);
}

typedef struct waiter {
    nt_lock *lock;
    nt_waker *waker;
    int64_t timeout;
    atomic_int result;
    atomic_int started;
} waiter;

static void wait_for_lock(void *arg)
{
    waiter *w = arg;
    atomic_store(&w->started, 1);
    atomic_store(&w->result, nt_lock_acquire(w->lock, w->timeout, w->waker));
}

/* Waits until the waiter has parked: the lock word then says so. */
static void await_parked(nt_lock *l)
{
    while (!(atomic_load((_Atomic uint32_t *)l) & NT_LOCK_PARKED)) {
        nt_lock scratch = 0;
        nt_lock_acquire(&scratch, 0, NULL);
    }
}

static void test_release_by_other_thread(void)
{
    nt_lock l = 0;
    nt_lock_acquire(&l, NT_FOREVER, NULL);
    waiter w = {&l, NULL, NT_FOREVER, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_parked(&l);
    CHECK(nt_lock_release(&l) == NT_OK);   /* any thread may release */
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_OK);
    CHECK(nt_lock_locked(&l));
    CHECK(nt_lock_release(&l) == NT_OK);
}

static void test_waker(void)
{
    nt_waker *waker = nt_waker_new();
    CHECK(waker != NULL);
    nt_lock l = NT_LOCK_LOCKED;

    /* a wake that finds no wait ends the next one at once, once */
    nt_waker_wake(waker);
    CHECK(nt_lock_acquire(&l, NT_FOREVER, waker) == NT_INTERRUPTED);
    CHECK(nt_lock_acquire(&l, 1000000, waker) == NT_TIMEOUT);

    /* a parked waiter is woken */
    waiter w = {&l, waker, NT_FOREVER, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_parked(&l);
    nt_waker_wake(waker);
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_INTERRUPTED);
    CHECK(nt_lock_locked(&l));

    /* an uninterruptible wait ignores the waker */
    w.waker = NULL;
    w.timeout = 50000000;
    t = start_joinable(wait_for_lock, &w, 0);
    nt_waker_wake(waker);
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_TIMEOUT);
    nt_waker_free(waker);
}

/* Many timed waiters that give up while others hold and release: no wake-up may be lost. */
static void timed_churn(void *arg)
{
    counter *c = arg;
    for (int i = 0; i < c->rounds; i++) {
        if (nt_lock_acquire(&c->lock, 100000, NULL) == NT_OK) {
            c->value++;
            nt_lock_release(&c->lock);
        }
    }
    nt_lock_acquire(&c->lock, NT_FOREVER, NULL);
    c->value++;
    nt_lock_release(&c->lock);
}

static void test_timeouts_under_contention(void)
{
    counter c = {0, 0, 20000};
    nt_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = start_joinable(timed_churn, &c, 0);
    for (int i = 0; i < 4; i++) nt_thread_join(&t[i]);
    CHECK(c.value >= 4);
    CHECK(c.lock == 0 || c.lock == NT_LOCK_PARKED);
    CHECK(nt_lock_acquire(&c.lock, 0, NULL) == NT_OK);
}

/* A thread that releases and at once re-acquires in a loop must not starve a waiter. */
typedef struct hog {
    nt_lock lock;
    atomic_int stop;
    long rounds;
} hog;

static void hog_loop(void *arg)
{
    hog *h = arg;
    while (!atomic_load(&h->stop)) {
        nt_lock_acquire(&h->lock, NT_FOREVER, NULL);
        h->rounds++;
        nt_lock_release(&h->lock);
    }
}

static void test_no_starvation(void)
{
    hog h = {0, 0, 0};
    nt_thread t = start_joinable(hog_loop, &h, 0);
    for (long r = 0; r < 1000;) {  /* let it run */
        nt_lock_acquire(&h.lock, NT_FOREVER, NULL);
        r = h.rounds;
        nt_lock_release(&h.lock);
    }
    for (int i = 0; i < 20; i++) {
        CHECK(nt_lock_acquire(&h.lock, 5000000000LL, NULL) == NT_OK);
        nt_lock_release(&h.lock);
    }
    atomic_store(&h.stop, 1);
    nt_thread_join(&t);
}

/* A waiter parked for more than 1 ms is handed the lock by the release: the releaser cannot
 * take it back at once (with barging alone it could, every time). */
static void test_handoff(void)
{
    nt_lock l = 0;
    nt_lock_acquire(&l, NT_FOREVER, NULL);
    waiter w = {&l, NULL, NT_FOREVER, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_parked(&l);
    nt_lock pause = NT_LOCK_LOCKED;
    nt_lock_acquire(&pause, 5000000, NULL);  /* 5 ms: well past the handoff threshold */
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_TIMEOUT);
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_OK);
}

int main(void)
{
    test_platform();
    test_signal_use();
    test_thread_facts();
    test_thread_names();
    test_thread_init();
    test_thread_errors();
    test_detached();
    test_lock_basics();
    test_timed_wait_never_early();
    test_contention();
    test_release_by_other_thread();
    test_waker();
    test_timeouts_under_contention();
    test_no_starvation();
    test_handoff();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C API tests passed\n");
    return 0;
}
