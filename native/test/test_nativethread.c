/* SPDX-License-Identifier: Apache-2.0 */
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
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

static int failures;

/* A watchdog ends the run when one test takes too long: a lost wake-up fails in seconds instead
 * of hanging ctest. */
#define STUCK_SECONDS 30
static const char *volatile current_test = "start-up";
static atomic_int test_generation;

static void sleep_ms(unsigned ms)
{
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
#endif
}

static void yield_cpu(void)
{
#ifdef _WIN32
    SwitchToThread();
#else
    sched_yield();
#endif
}

static void watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        int seen = atomic_load(&test_generation);
        for (int i = 0; i < STUCK_SECONDS * 10; i++) {
            sleep_ms(100);
            if (atomic_load(&test_generation) != seen) break;
        }
        if (atomic_load(&test_generation) == seen) {
            fprintf(stderr, "%s is stuck after %d s: a lost wake-up or a deadlock\n", current_test, STUCK_SECONDS);
            fflush(stderr);
            _Exit(3);
        }
    }
}

#define RUN(test)                              \
    do {                                       \
        current_test = #test;                  \
        atomic_fetch_add(&test_generation, 1); \
        test();                                \
    } while (0)

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
    nt_thread_options o = {.stack_size = stack};
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

/* Linux, from /proc/self/maps: the size of the PROT_NONE mapping that ends where the mapping
 * holding `address` begins (a guard below a stack); 0 if there is none, -1 if /proc does not say. */
static long guard_below(uintptr_t address)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    unsigned long long lo[2] = {0, 0}, hi[2] = {0, 0};  /* the previous line and this one */
    char perms[2][8] = {"", ""};
    char line[512];
    long guard = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n')) {
            for (int c; (c = getc(f)) != EOF && c != '\n';) {}
        }
        lo[0] = lo[1], hi[0] = hi[1];
        memcpy(perms[0], perms[1], sizeof perms[0]);
        if (sscanf(line, "%llx-%llx %7s", &lo[1], &hi[1], perms[1]) != 3) continue;
        if (address >= lo[1] && address < hi[1]) {
            if (hi[0] == lo[1] && strncmp(perms[0], "---", 3) == 0) guard = (long)(hi[0] - lo[0]);
            break;
        }
    }
    fclose(f);
    return guard;
#else
    (void)address;
    return -1;
#endif
}

static void record_guard(void *arg)
{
    *(long *)arg = guard_below((uintptr_t)__builtin_frame_address(0));
}

/* own_guard = 0 puts a guard page below every stack (ours, or glibc's for the default size);
 * own_guard = 1 leaves the bottom of the stack to the thread: no one-page PROT_NONE mapping
 * below it (a bigger one there would be some other reservation, such as a malloc arena's).
 * own_guard = 1 first: glibc keeps the guard of a cached default-size stack it hands out again,
 * and no default-size stack has ended before this test. */
static void test_stack_guard(void)
{
    nt_platform p;
    nt_platform_get(&p);
    size_t sizes[] = {0, 1024 * 1024};
    for (int i = 0; i < 2; i++) {
        for (int own = 1; own >= 0; own--) {
            long guard = -2;
            nt_thread_options o = {.stack_size = sizes[i], .own_guard = own};
            nt_thread t;
            CHECK(nt_thread_start(&o, NULL, record_guard, &guard, &t) == NT_OK);
            CHECK(nt_thread_join(&t) == NT_OK);
            if (guard == -1) return;  /* not Linux */
            if (own ? guard == (long)p.page_size : guard <= 0)
                fprintf(stderr, "stack %zu, own_guard %d: guard below %ld bytes\n", sizes[i], own, guard);
            CHECK(own ? guard != (long)p.page_size : guard > 0);
        }
    }
}

/* A thread of the default size has room for Java code: HotSpot's floor is some 136 KiB on x86_64
 * (more on aarch64), and musl's own default, 128 KiB, is below it. Unless RLIMIT_STACK, which glibc
 * and this library (on musl) take as the default, is set lower. */
static void test_default_stack(void)
{
    size_t floor = 256 * 1024;
#ifndef _WIN32
    struct rlimit limit;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < floor) {
        printf("default stack: RLIMIT_STACK is %llu bytes, not checked\n", (unsigned long long)limit.rlim_cur);
        return;
    }
#endif
    facts f = {0};
    nt_thread t = start_joinable(record_facts, &f, 0);
    CHECK(nt_thread_join(&t) == NT_OK);
    if (f.stack < floor) fprintf(stderr, "default stack %zu bytes, expected at least %zu\n", f.stack, floor);
    CHECK(f.stack >= floor);
}

static void test_thread_names(void)
{
    nt_platform p;
    nt_platform_get(&p);
    facts f = {0};
    nt_thread_options o = {.name = "a-rather-long-thread-name-for-tests"};
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
    nt_thread_options o = {0};
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
    nt_thread_options o = {.stack_size = (size_t)1 << 40, .detached = 1};   /* 1 TiB */
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
    nt_thread_options o = {.name = "detached", .detached = 1};
    nt_thread t;
    CHECK(nt_thread_start(&o, NULL, detached_body, &done, &t) == NT_OK);
    CHECK(t.handle == NULL);
    uint64_t until = now_ns() + 5000000000u;
    while (!atomic_load(&done) && now_ns() < until) {
        nt_lock l = NT_LOCK_INIT;
        nt_lock_acquire(&l, 0, NULL);
    }
    CHECK(atomic_load(&done));
}

/* Detached threads release their stacks when they end, without waiting for another start.
 * N threads with explicit stacks each touch TOUCH bytes of it and wait at a gate, so that all
 * are alive at once; then they all end, and nothing is started afterwards. Linux: within a
 * bounded wait, at most one of their stacks (the last to end) may still be mapped, and the number
 * of mappings (/proc/self/maps) and VmRSS must come back near the baseline, and the stack still
 * mapped must have given back the pages it no longer used. TSan maps and keeps shadow memory of its
 * own for each stack and puts its big thread state in the static TLS at the top of each stack, so
 * under TSan only the unmapping is checked. */
#define RELEASE_THREADS 32
#define RELEASE_STACK (2 * 1024 * 1024)
#define RELEASE_TOUCH (1024 * 1024)

typedef struct release_test {
    nt_lock gate;
    atomic_int touched, ended, gate_timeouts;
    uintptr_t stack[RELEASE_THREADS];  /* an address in each thread's stack */
    atomic_int slots;
} release_test;

static void touch_then_wait(void *arg)
{
    release_test *r = arg;
    char buf[RELEASE_TOUCH];
    volatile char *p = buf;
    for (size_t i = 0; i < sizeof buf; i += 1024) p[i] = 1;  /* every page of it */
#if defined(__GNUC__) || defined(__clang__)
    r->stack[atomic_fetch_add(&r->slots, 1)] = (uintptr_t)__builtin_frame_address(0);  /* not a fake stack */
#endif
    atomic_fetch_add(&r->touched, 1);
    if (nt_lock_acquire(&r->gate, 30000000000LL, NULL) == NT_OK) nt_lock_release(&r->gate);
    else atomic_fetch_add(&r->gate_timeouts, 1);
    atomic_fetch_add(&r->ended, 1);
}

/* Linux, from /proc/self/maps: the number of mappings, and how many of `n` addresses (in stacks of
 * RELEASE_STACK bytes) are in a mapping at least that big: the range of an unmapped stack may be
 * reused by a smaller mapping (musl's malloc maps small ones); -1 elsewhere. */
static long mapping_count(const uintptr_t *addresses, int n, long *mapped)
{
    *mapped = -1;
#ifdef __linux__
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    long lines = 0;
    *mapped = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n')) {  /* a long path: skip the rest of the line */
            for (int c; (c = getc(f)) != EOF && c != '\n';) {}
        }
        lines++;
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) != 2) continue;
        for (int i = 0; i < n; i++)
            if (addresses[i] >= lo && addresses[i] < hi && hi - lo >= RELEASE_STACK) (*mapped)++;
    }
    fclose(f);
    return lines;
#else
    (void)addresses;
    (void)n;
    return -1;
#endif
}

/* Linux, from /proc/self/smaps: the resident kB of the mapping that holds `address`, if it is at
 * least RELEASE_STACK bytes (as in mapping_count); -1 if none. */
static long mapping_rss_kb(uintptr_t address)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    int inside = 0;
    long kb = -1;
    while (kb < 0 && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        char dash;
        if (sscanf(line, "%llx%c%llx", &lo, &dash, &hi) == 3 && dash == '-') inside = address >= lo && address < hi && hi - lo >= RELEASE_STACK;
        else if (inside && strncmp(line, "Rss:", 4) == 0) kb = strtol(line + 4, NULL, 10);
    }
    fclose(f);
    return kb;
#else
    (void)address;
    return -1;
#endif
}

static long rss_kb(void)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
#else
    return -1;
#endif
}

static void pause_ms(int ms)
{
    nt_lock l = NT_LOCK_INIT_LOCKED;
    nt_lock_acquire(&l, (int64_t)ms * 1000000, NULL);
}

static void test_detached_release(void)
{
#ifdef __SANITIZE_THREAD__
    const int totals = 0;  /* mappings and RSS are TSan's own business */
#else
    const int totals = 1;
#endif
    static release_test r;  /* 32 addresses: not on this stack */
    r.gate = (nt_lock)NT_LOCK_INIT_LOCKED;
    long stacks_mapped;
    long maps0 = mapping_count(NULL, 0, &stacks_mapped), rss0 = rss_kb();
    nt_thread_options o = {.stack_size = RELEASE_STACK, .name = "release", .detached = 1};
    int started = 0;
    for (; started < RELEASE_THREADS; started++) {
        nt_thread t;
        int rc = nt_thread_start(&o, NULL, touch_then_wait, &r, &t);
        CHECK(rc == NT_OK);
        if (rc != NT_OK) break;
    }
    uint64_t until = now_ns() + 30000000000u;
    while (atomic_load(&r.touched) < started && now_ns() < until) pause_ms(1);
    CHECK(atomic_load(&r.touched) == started);
    int slots = atomic_load(&r.slots);
    long maps1 = mapping_count(r.stack, slots, &stacks_mapped), rss1 = rss_kb();
    if (stacks_mapped >= 0) CHECK(stacks_mapped == slots);  /* the measure sees them */
    nt_lock_release(&r.gate);
    while (atomic_load(&r.ended) < started && now_ns() < until) pause_ms(1);
    CHECK(atomic_load(&r.ended) == started);
    CHECK(atomic_load(&r.gate_timeouts) == 0);

    /* all ended; within 5 s their stacks must be gone, though nothing was started since */
    /* The RSS they added must go: judged by the drop from the peak, not against the start, as
     * under qemu the process's RSS also holds the emulator's own growing caches. */
    const long maps_slack = 8, rss_given_back_kb = (long)(started - 1) * (RELEASE_TOUCH / 1024) * 3 / 4;
    long maps2, rss2;
    until = now_ns() + 5000000000u;
    do {
        pause_ms(10);
        maps2 = mapping_count(r.stack, slots, &stacks_mapped);
        rss2 = rss_kb();
    } while ((stacks_mapped > 1 || (totals && (maps2 > maps0 + maps_slack || rss1 - rss2 < rss_given_back_kb)))
             && now_ns() < until);
    printf("detached release: %d threads x %d KiB stacks, %d KiB touched in each: mappings %ld -> %ld -> %ld,"
           " VmRSS %ld -> %ld -> %ld kB, %ld stack(s) still mapped\n", started, RELEASE_STACK / 1024,
           RELEASE_TOUCH / 1024, maps0, maps1, maps2, rss0, rss1, rss2, stacks_mapped);
    if (stacks_mapped >= 0) CHECK(stacks_mapped <= 1);  /* the last to end waits for the next */
    /* and that one gave back the pages it no longer used as it ended */
    for (int i = 0; i < slots; i++) {
        long kb = mapping_rss_kb(r.stack[i]);
        if (kb < 0) continue;
        printf("detached release: the stack still mapped has %ld kB resident\n", kb);
        if (totals) CHECK(kb < RELEASE_TOUCH / 1024 / 2);
    }
    if (totals && maps0 >= 0) {
        CHECK(maps1 >= maps0 + started);
        CHECK(maps2 <= maps0 + maps_slack);
    }
    if (totals && rss0 >= 0) {
        CHECK(rss1 >= rss0 + (long)started * (RELEASE_TOUCH / 1024) * 3 / 4);
        CHECK(rss1 - rss2 >= rss_given_back_kb);
    }
}

/* ---- locks ---- */

/* Unlocked, nobody queued or woken: both words zero. */
static int lock_idle(const nt_lock *l)
{
    return l->locked == 0 && l->flags == 0;
}

static void test_lock_basics(void)
{
    nt_lock l = NT_LOCK_INIT;
    CHECK(!nt_lock_locked(&l));
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_OK);
    CHECK(nt_lock_locked(&l));
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_TIMEOUT);
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_E_UNLOCKED);
    CHECK(lock_idle(&l));
}

static void test_timed_wait_never_early(void)
{
    nt_lock l = NT_LOCK_INIT_LOCKED;
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

/* A timed wait runs with a 1 ns timer slack (posix/thread.c) and gives the thread its own back,
 * whether it times out or a waker ends it. */
static void test_timed_wait_keeps_timer_slack(void)
{
#ifdef __linux__
    nt_lock l = NT_LOCK_INIT_LOCKED;
    unsigned long own = 123457;
    CHECK(prctl(PR_SET_TIMERSLACK, own, 0, 0, 0) == 0);
    CHECK(nt_lock_acquire(&l, 1000000, NULL) == NT_TIMEOUT);
    CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == (int)own);
    nt_waker *waker = nt_waker_new();
    CHECK(waker != NULL);
    nt_waker_wake(waker);
    CHECK(nt_lock_acquire(&l, 1000000000, waker) == NT_INTERRUPTED);
    CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == (int)own);
    nt_waker_free(waker);
    prctl(PR_SET_TIMERSLACK, 0UL, 0, 0, 0);  /* 0: the default again */
#endif
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
    counter c = {.rounds = 200000};
    nt_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = start_joinable(increment, &c, 0);
    for (int i = 0; i < 4; i++) nt_thread_join(&t[i]);
    CHECK(c.value == 4L * c.rounds);
    CHECK(lock_idle(&c.lock));
}

typedef struct waiter {
    nt_lock *lock;
    nt_waker *waker;
    int64_t timeout;
    atomic_int result;
    atomic_int started;
} waiter;

/* 5 s: the bound of a wait that should end at once. A waiter that is never woken still gets a
 * free lock when its wait runs out, so getting it that late counts as a lost wake-up (LATE). */
#define BOUNDED 5000000000LL
#define LATE 100

static void wait_for_lock(void *arg)
{
    waiter *w = arg;
    atomic_store(&w->started, 1);
    uint64_t t0 = now_ns();
    int rc = nt_lock_acquire(w->lock, w->timeout, w->waker);
    if (rc == NT_OK && w->timeout == BOUNDED && now_ns() - t0 >= BOUNDED / 2) rc = LATE;
    atomic_store(&w->result, rc);
}

/* Waits until n waits are queued on the lock (not merely about to queue: the PARKED bit is set
 * before a waiter is queued, and a release in between finds nobody to wake). */
static void await_queued(nt_lock *l, int n)
{
    while (nt_lock_queued(l) != n) sleep_ms(1);
}

static void test_release_by_other_thread(void)
{
    nt_lock l = NT_LOCK_INIT;
    nt_lock_acquire(&l, NT_FOREVER, NULL);
    waiter w = {&l, NULL, BOUNDED, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_queued(&l, 1);
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
    nt_lock l = NT_LOCK_INIT_LOCKED;

    /* a wake that finds no wait ends the next one at once, once */
    nt_waker_wake(waker);
    CHECK(nt_lock_acquire(&l, NT_FOREVER, waker) == NT_INTERRUPTED);
    CHECK(nt_lock_acquire(&l, 1000000, waker) == NT_TIMEOUT);

    /* a parked waiter is woken */
    waiter w = {&l, waker, BOUNDED, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_queued(&l, 1);
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
    counter c = {.rounds = 20000};
    nt_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = start_joinable(timed_churn, &c, 0);
    for (int i = 0; i < 4; i++) nt_thread_join(&t[i]);
    CHECK(c.value >= 4);
    CHECK(c.lock.locked == 0 && (c.lock.flags & ~NT_LOCK_PARKED) == 0);  /* PARKED may stay */
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
    hog h = {.lock = NT_LOCK_INIT};
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
    nt_lock l = NT_LOCK_INIT;
    nt_lock_acquire(&l, NT_FOREVER, NULL);
    waiter w = {&l, NULL, BOUNDED, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_queued(&l, 1);
    nt_lock pause = NT_LOCK_INIT_LOCKED;
    nt_lock_acquire(&pause, 5000000, NULL);  /* 5 ms: well past the handoff threshold */
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_TIMEOUT);
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_OK);
}

/* ---- waits that do not block the OS thread ---- */

typedef struct async_wait {
    nt_lock_wait wait;
    atomic_int woken;
} async_wait;

static void async_wake(nt_lock_wait *wait)
{
    atomic_store(&((async_wait *)wait)->woken, 1);
}

static void await_woken(async_wait *a)
{
    uint64_t until = now_ns() + BOUNDED;
    while (!atomic_load(&a->woken) && now_ns() < until) sleep_ms(1);
    CHECK(atomic_load(&a->woken));
}

static void test_async_wait(void)
{
    nt_lock l = NT_LOCK_INIT;
    async_wait a = {.wait.wake = async_wake};
    CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_OK);  /* free: taken at once, nothing queued */
    CHECK(nt_lock_locked(&l) && nt_lock_queued(&l) == 0);

    a = (async_wait){.wait.wake = async_wake};
    CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_QUEUED);
    CHECK(nt_lock_queued(&l) == 1);
    CHECK(nt_lock_release(&l) == NT_OK);  /* chooses it: its wake runs before release returns */
    CHECK(atomic_load(&a.woken));
    CHECK(nt_lock_queued(&l) == 0);
    CHECK(nt_lock_wait_end(&l, &a.wait) == NT_OK);
    CHECK(nt_lock_locked(&l));

    /* given up before any release: no longer queued, the lock untouched */
    a = (async_wait){.wait.wake = async_wake};
    CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_QUEUED);
    CHECK(nt_lock_wait_end(&l, &a.wait) == NT_TIMEOUT);
    CHECK(!atomic_load(&a.woken) && nt_lock_queued(&l) == 0 && nt_lock_locked(&l));
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(!nt_lock_locked(&l));
}

/* One wake in flight: while a waiter a release woke has not yet run, later releases wake no
 * other (each would cost a system call and add a thread racing for the lock); once it has run,
 * the next release wakes the next one. */
static void test_one_wake_in_flight(void)
{
    for (int attempt = 0;; attempt++) {
        nt_lock l = NT_LOCK_INIT_LOCKED;
        async_wait a = {.wait.wake = async_wake}, b = {.wait.wake = async_wake};
        CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_QUEUED);
        CHECK(nt_lock_wait_begin(&l, &b.wait) == NT_QUEUED);
        CHECK(nt_lock_release(&l) == NT_OK);  /* wakes a */
        CHECK(atomic_load(&a.woken) && !atomic_load(&b.woken));
        if (nt_lock_acquire(&l, 0, NULL) != NT_OK) {
            /* a was handed the lock (this thread was descheduled past the 1 ms threshold): no
             * race to test; clean up and try again */
            CHECK(attempt < 20);
            CHECK(nt_lock_wait_end(&l, &a.wait) == NT_OK && nt_lock_release(&l) == NT_OK);
            await_woken(&b);
            CHECK(nt_lock_wait_end(&l, &b.wait) == NT_OK && nt_lock_release(&l) == NT_OK);
            continue;
        }
        for (int i = 0; i < 3; i++) {  /* a has not run: releasing wakes nobody, barging works */
            CHECK(nt_lock_release(&l) == NT_OK);
            CHECK(!atomic_load(&b.woken));
            CHECK(nt_lock_acquire(&l, 0, NULL) == NT_OK);
        }
        CHECK(nt_lock_release(&l) == NT_OK && !atomic_load(&b.woken));
        CHECK(nt_lock_queued(&l) == 1);
        CHECK(nt_lock_wait_end(&l, &a.wait) == NT_OK);  /* a runs: the lock is free, a takes it */
        CHECK(nt_lock_release(&l) == NT_OK);            /* so this release wakes b */
        CHECK(atomic_load(&b.woken));
        CHECK(nt_lock_wait_end(&l, &b.wait) == NT_OK);
        CHECK(nt_lock_release(&l) == NT_OK);
        CHECK(lock_idle(&l));
        return;
    }
}

/* A caller that releases the lock itself (exchanging `locked`, then loading `flags`) and finds a
 * waiter to wake has nt_lock_wake() wake it. */
static void test_release_by_caller(void)
{
    nt_lock l = NT_LOCK_INIT_LOCKED;
    async_wait a = {.wait.wake = async_wake};
    CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_QUEUED);
    CHECK(atomic_exchange((_Atomic uint32_t *)&l.locked, 0) == 1);
    CHECK((atomic_load((_Atomic uint32_t *)&l.flags) & (NT_LOCK_PARKED | NT_LOCK_WAKING)) == NT_LOCK_PARKED);
    CHECK(nt_lock_wake(&l) == NT_OK);
    CHECK(atomic_load(&a.woken));
    CHECK(nt_lock_wait_end(&l, &a.wait) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(lock_idle(&l));
}

/* Blocking and non-blocking waits share one queue, oldest first; one that waited long is handed
 * the lock, whichever kind it is. */
static void test_async_and_blocking_queue_in_order(void)
{
    nt_lock l = NT_LOCK_INIT_LOCKED;
    waiter w = {&l, NULL, BOUNDED, 99, 0};
    nt_thread t = start_joinable(wait_for_lock, &w, 0);
    await_queued(&l, 1);
    async_wait a = {.wait.wake = async_wake};
    CHECK(nt_lock_wait_begin(&l, &a.wait) == NT_QUEUED);
    CHECK(nt_lock_queued(&l) == 2);
    sleep_ms(5);  /* both past the handoff threshold */

    CHECK(nt_lock_release(&l) == NT_OK);  /* the blocked thread came first */
    nt_thread_join(&t);
    CHECK(atomic_load(&w.result) == NT_OK);
    CHECK(!atomic_load(&a.woken));
    CHECK(nt_lock_queued(&l) == 1);

    CHECK(nt_lock_release(&l) == NT_OK);  /* now the async wait, handed the lock */
    await_woken(&a);
    CHECK(nt_lock_acquire(&l, 0, NULL) == NT_TIMEOUT);  /* held for it: no barging */
    CHECK(nt_lock_wait_end(&l, &a.wait) == NT_OK);
    CHECK(nt_lock_release(&l) == NT_OK);
    CHECK(lock_idle(&l));
}

/* Async waiters released by other threads, many at once: every wake reaches its wait. */
static void async_increment(void *arg)
{
    counter *c = arg;
    for (int i = 0; i < c->rounds; i++) {
        async_wait a = {.wait.wake = async_wake};
        int rc;
        while ((rc = nt_lock_wait_begin(&c->lock, &a.wait)) == NT_QUEUED) {
            uint64_t until = now_ns() + BOUNDED;
            while (!atomic_load(&a.woken) && now_ns() < until) yield_cpu();
            rc = nt_lock_wait_end(&c->lock, &a.wait);
            if (rc == NT_OK) break;
            CHECK(atomic_load(&a.woken));  /* not taken only after a wake (another barged in) */
            atomic_store(&a.woken, 0);
        }
        c->value++;
        nt_lock_release(&c->lock);
    }
}

static void test_async_contention(void)
{
    counter c = {.rounds = 20000};
    nt_thread t[4];
    for (int i = 0; i < 4; i++) t[i] = start_joinable(i % 2 ? async_increment : increment, &c, 0);
    for (int i = 0; i < 4; i++) nt_thread_join(&t[i]);
    CHECK(c.value == 4L * c.rounds);
    CHECK(lock_idle(&c.lock) && nt_lock_queued(&c.lock) == 0);
}

int main(void)
{
    nt_thread_options o = {.name = "watchdog", .detached = 1};
    nt_thread dog;
    if (nt_thread_start(&o, NULL, watchdog, NULL, &dog) != NT_OK) return 2;
    RUN(test_platform);
    RUN(test_signal_use);
    RUN(test_thread_facts);
    RUN(test_stack_guard);
    RUN(test_default_stack);
    RUN(test_thread_names);
    RUN(test_thread_init);
    RUN(test_thread_errors);
    RUN(test_detached);
    RUN(test_detached_release);
    RUN(test_lock_basics);
    RUN(test_timed_wait_never_early);
    RUN(test_timed_wait_keeps_timer_slack);
    RUN(test_contention);
    RUN(test_release_by_other_thread);
    RUN(test_waker);
    RUN(test_timeouts_under_contention);
    RUN(test_no_starvation);
    RUN(test_handoff);
    RUN(test_async_wait);
    RUN(test_one_wake_in_flight);
    RUN(test_release_by_caller);
    RUN(test_async_and_blocking_queue_in_order);
    RUN(test_async_contention);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C API tests passed\n");
    return 0;
}
