/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the few primitives the portable code (common.c) needs from each platform family.
 * Implemented by posix/thread.c or win32/thread.c. */
#ifndef NT_PLATFORM_H
#define NT_PLATFORM_H

#include "nativethread.h"

#ifdef _WIN32
#include <windows.h>
typedef SRWLOCK nt_mutex;
typedef CONDITION_VARIABLE nt_cond;
#define NT_MUTEX_INIT SRWLOCK_INIT
#else
#include <pthread.h>
typedef pthread_mutex_t nt_mutex;
typedef pthread_cond_t nt_cond;
#define NT_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
#endif

#ifdef _MSC_VER
#define NT_THREAD_LOCAL __declspec(thread)
#else
#define NT_THREAD_LOCAL _Thread_local
#endif

#define NT_NO_DEADLINE UINT64_MAX

void nt_mutex_init(nt_mutex *mutex);
void nt_mutex_lock(nt_mutex *mutex);
void nt_mutex_unlock(nt_mutex *mutex);
/* A condition variable whose timed waits measure the monotonic clock of nt_monotonic_ns(). */
void nt_cond_init(nt_cond *cond);
void nt_cond_signal(nt_cond *cond);
/* Waits until signalled, until nt_monotonic_ns() may have reached deadline_ns (NT_NO_DEADLINE:
 * never), or spuriously; callers re-check their condition and the clock. */
void nt_cond_wait_until(nt_cond *cond, nt_mutex *mutex, uint64_t deadline_ns);
/* Around a timed wait: has the OS wake the calling thread at its deadline rather than up to a
 * timer slack later, and returns what nt_timer_slack_restore() needs to undo that. */
long nt_timer_slack_tighten(void);
void nt_timer_slack_restore(long saved);
/* The clock System.nanoTime() reads. */
uint64_t nt_monotonic_ns(void);
/* Gives the CPU to another thread while spinning. */
void nt_yield(void);
/* Tells the CPU this thread is spinning (x86 pause, arm yield), without leaving it. */
void nt_cpu_relax(void);
/* Copies at most `max` bytes of UTF-8 `src` into `dst` (max + 1 bytes), never splitting a character. */
void nt_utf8_truncate(char *dst, const char *src, size_t max);
/* Description of an OS error number (errno / GetLastError()). */
void nt_os_strerror(int code, char *buf, size_t len);

#endif
