/* SPDX-License-Identifier: Apache-2.0 */
/* Win32 implementation: threads, names, stacks, clock, platform facts. */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0602  /* Windows 8: GetCurrentThreadStackLimits */
#endif
#include "../platform.h"

#include <errno.h>
#include <limits.h>
#include <process.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 255  /* SetThreadDescription takes any length; keep names readable */

/* HotSpot's floor for Java thread stacks on 64-bit Windows (x64 and aarch64) before the guard and
 * shadow zones: os_windows.cpp, "size_t os::_java_thread_min_stack_allowed = 40 * K;" under _LP64. */
#define HOTSPOT_STACK_BASE (40 * 1024)

/* ---- platform primitives for common.c ---------------------------------------------------- */

void nt_mutex_init(nt_mutex *mutex) { InitializeSRWLock(mutex); }
void nt_mutex_lock(nt_mutex *mutex) { AcquireSRWLockExclusive(mutex); }
void nt_mutex_unlock(nt_mutex *mutex) { ReleaseSRWLockExclusive(mutex); }
void nt_cond_init(nt_cond *cond) { InitializeConditionVariable(cond); }
void nt_cond_signal(nt_cond *cond) { WakeConditionVariable(cond); }
void nt_yield(void) { SwitchToThread(); }
void nt_cpu_relax(void) { YieldProcessor(); }

/* QueryPerformanceCounter: the clock of System.nanoTime() on Windows. */
uint64_t nt_monotonic_ns(void)
{
    static LONGLONG frequency;
    LARGE_INTEGER now;
    if (!frequency) {
        LARGE_INTEGER f;
        QueryPerformanceFrequency(&f);
        frequency = f.QuadPart;
    }
    QueryPerformanceCounter(&now);
    LONGLONG seconds = now.QuadPart / frequency, rest = now.QuadPart % frequency;
    return (uint64_t)seconds * 1000000000u + (uint64_t)(rest * 1000000000 / frequency);
}

/* Windows has no per-thread slack: a wait ends on a tick of the system timer (15.6 ms by default).
 * timeBeginPeriod would shorten the tick for the whole process (the whole system before Windows 10
 * 2004) and cost power, so it is left alone. */
long nt_timer_slack_tighten(void) { return 0; }
void nt_timer_slack_restore(long saved) { (void)saved; }

void nt_cond_wait_until(nt_cond *cond, nt_mutex *mutex, uint64_t deadline_ns)
{
    DWORD ms = INFINITE;
    if (deadline_ns != NT_NO_DEADLINE) {
        uint64_t now = nt_monotonic_ns();
        if (now >= deadline_ns) return;
        uint64_t left = (deadline_ns - now + 999999) / 1000000;  /* round up: never early */
        ms = left >= INFINITE ? INFINITE - 1 : (DWORD)left;
    }
    SleepConditionVariableSRW(cond, mutex, ms, 0);
}

void nt_os_strerror(int code, char *buf, size_t len)
{
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)code, 0, buf, (DWORD)len, NULL);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.')) buf[--n] = '\0';
    if (n == 0) snprintf(buf, len, "Windows error %d", code);
}

/* ---- platform facts ---------------------------------------------------------------------- */

void nt_platform_get(nt_platform *out)
{
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    out->page_size = info.dwPageSize;
    out->stack_unit = info.dwAllocationGranularity;  /* stacks are reserved in these units */
    out->min_stack = info.dwAllocationGranularity;
    out->name_max = NAME_MAX_BYTES;
    out->timeout_max = 4294967.0;  /* whole seconds of the largest finite millisecond wait */
    out->hotspot_stack_base = HOTSPOT_STACK_BASE;
    out->nsig = NSIG;
}

const char *nt_library_path(char *buf, size_t len)
{
    HMODULE module;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCSTR)(void *)&nt_platform_get, &module) ||
        !GetModuleFileNameA(module, buf, (DWORD)len))
        snprintf(buf, len, "unknown");
    return buf;
}

/* ---- the JVM's signals ------------------------------------------------------------------- */

/* Which C runtime signals the running JVM needs on Windows, from OpenJDK's sources:
 *  - hotspot/os/windows/os_windows.cpp: HotSpot handles access violations, illegal instructions
 *    and arithmetic exceptions itself, as structured exceptions (topLevelExceptionFilter; the
 *    vectored handler on aarch64); its console handler (consoleHandler) raises SIGINT for Ctrl-C,
 *    SIGTERM for close, logoff and shutdown, and runs the SIGBREAK handler for Ctrl-Break, which
 *    prints a thread dump (BREAK_SIGNAL is SIGBREAK there).
 *  - hotspot/os/windows/jvm_windows.cpp, JVM_RegisterSignal() (behind sun.misc.Signal.handle):
 *    refuses SIGFPE, SIGBREAK (also under -Xrs), and under -Xrs SIGINT and SIGTERM.
 * There are no suspend/resume or NIO interrupt signals on Windows (SuspendThread, events). */

#define FAULT_TAIL ", as structured exceptions; a Java handler runs later, in another thread, and " \
                   "cannot handle a fault"

int nt_signal_use(int signum, unsigned jvm_flags, char *buf, size_t len)
{
    snprintf(buf, len, "%s", "");
    if (signum == SIGSEGV)
        snprintf(buf, len, "HotSpot handles access violations itself (NullPointerException, "
                           "StackOverflowError, safepoint polls)" FAULT_TAIL);
    else if (signum == SIGILL)
        snprintf(buf, len, "HotSpot handles illegal instructions itself" FAULT_TAIL);
    else if (signum == SIGFPE)
        snprintf(buf, len, "HotSpot handles arithmetic exceptions itself (integer division by zero "
                           "becomes an ArithmeticException)" FAULT_TAIL);
    else if (signum == SIGBREAK)
        snprintf(buf, len, "it is HotSpot's thread-dump signal on Windows (Ctrl-Break); route SIGINT "
                           "or SIGTERM instead");
    else if ((signum == SIGINT || signum == SIGTERM) && (jvm_flags & NT_JVM_REDUCED_SIGNAL_USAGE))
        snprintf(buf, len, "the JVM runs with -Xrs (ReduceSignalUsage), which leaves SIGINT and SIGTERM "
                           "to native code and refuses Java handlers for them; run without -Xrs to "
                           "route it");
    return buf[0] ? NT_SIGNAL_RESERVED : NT_SIGNAL_FREE;
}

/* ---- names: SetThreadDescription (Windows 10 1607+), else only remembered here ------------ */

typedef HRESULT(WINAPI *set_description_fn)(HANDLE, PCWSTR);
typedef HRESULT(WINAPI *get_description_fn)(HANDLE, PWSTR *);

static NT_THREAD_LOCAL char last_name[NAME_MAX_BYTES + 1];

static FARPROC kernel32(const char *name)
{
    HMODULE k = GetModuleHandleA("kernel32.dll");
    return k ? GetProcAddress(k, name) : NULL;
}

int nt_thread_set_name(const char *name)
{
    nt_utf8_truncate(last_name, name, NAME_MAX_BYTES);
    set_description_fn set = (set_description_fn)(void (*)(void))kernel32("SetThreadDescription");
    if (!set) return NT_OK;
    WCHAR wide[NAME_MAX_BYTES + 1];
    if (!MultiByteToWideChar(CP_UTF8, 0, last_name, -1, wide, NAME_MAX_BYTES + 1)) return (int)GetLastError();
    HRESULT hr = set(GetCurrentThread(), wide);
    return FAILED(hr) ? (int)(hr & 0xFFFF) : NT_OK;
}

int nt_thread_get_name(char *buf, size_t len)
{
    get_description_fn get = (get_description_fn)(void (*)(void))kernel32("GetThreadDescription");
    PWSTR wide = NULL;
    if (get && SUCCEEDED(get(GetCurrentThread(), &wide)) && wide) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, buf, (int)len, NULL, NULL);
        LocalFree(wide);
        if (n > 0) return NT_OK;
    }
    snprintf(buf, len, "%s", last_name);
    return NT_OK;
}

/* ---- identity and stack ------------------------------------------------------------------ */

uint64_t nt_thread_ident(void) { return GetCurrentThreadId(); }
uint64_t nt_thread_native_id(void) { return GetCurrentThreadId(); }

size_t nt_thread_stack_size(void)
{
    ULONG_PTR low, high;
    GetCurrentThreadStackLimits(&low, &high);
    return (size_t)(high - low);
}

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct start {
    nt_init_fn init;
    nt_run_fn run;
    void *arg;
    const char *name;
    HANDLE ready;  /* set once init has run; an event, as the starter may free `start` at once */
    int failed;
} start;

static unsigned __stdcall thread_main(void *p)
{
    start *s = p;  /* lives on the starter's stack until state != 0 is seen */
    nt_run_fn run = s->run;
    void *arg = s->arg;
    if (s->name) nt_thread_set_name(s->name);
    int failed = s->init && s->init(arg) != 0;
    s->failed = failed;
    SetEvent(s->ready);  /* a full barrier; the last use of s */
    if (!failed) run(arg);
    return 0;
}

int nt_thread_start(const nt_thread_options *options, nt_init_fn init, nt_run_fn run, void *arg,
                    nt_thread *out)
{
    size_t size = options->stack_size;
    if (size) {
        nt_platform p;
        nt_platform_get(&p);
        if (size > (size_t)UINT_MAX - p.stack_unit) return NT_E_TOO_BIG;  /* _beginthreadex takes 32 bits */
        size = (size + p.stack_unit - 1) / p.stack_unit * p.stack_unit;
    }
    start s = {init, run, arg, options->name, CreateEventW(NULL, TRUE, FALSE, NULL), 0};
    if (!s.ready) return (int)GetLastError();
    unsigned id;
    /* the reservation is the whole stack, exactly (rounded by the OS to its granularity); its guard
     * page is how it grows, so it stays whatever options->own_guard says */
    HANDLE thread = (HANDLE)_beginthreadex(NULL, (unsigned)size, thread_main, &s,
                                           STACK_SIZE_PARAM_IS_A_RESERVATION, &id);
    if (!thread) {
        int rc = errno == EAGAIN ? ERROR_NOT_ENOUGH_MEMORY : (int)GetLastError();
        CloseHandle(s.ready);
        return rc;
    }
    WaitForSingleObject(s.ready, INFINITE);
    CloseHandle(s.ready);

    if (s.failed || options->detached) {
        if (s.failed) WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
        if (s.failed) return NT_E_INIT;
    }
    out->ident = id;
    out->native_id = id;
    out->handle = options->detached ? NULL : thread;
    return NT_OK;
}

int nt_thread_join(nt_thread *thread)
{
    if (!thread->handle) return ERROR_INVALID_HANDLE;
    if (WaitForSingleObject(thread->handle, INFINITE) != WAIT_OBJECT_0) return (int)GetLastError();
    CloseHandle(thread->handle);
    thread->handle = NULL;
    return NT_OK;
}
