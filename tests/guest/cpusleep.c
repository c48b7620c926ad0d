// SPDX-License-Identifier: GPL-2.0
/*
 * clock_nanosleep on CPU-time clocks, one thread (mp_cpusleep has another
 * thread that burns CPU):
 * - the calling thread's CPU clock: the raw CLOCK_THREAD_CPUTIME_ID has no
 *   nsleep (EOPNOTSUPP), a per-thread clockid of the caller is EINVAL, and
 *   libc's clock_nanosleep(CLOCK_THREAD_CPUTIME_ID) is EINVAL (POSIX);
 * - the process's CPU clock does not advance while its only thread sleeps:
 *   a relative 100 ms sleep on it does not end by wall time (interrupted
 *   by a SIGALRM after 300 ms: EINTR, with nearly all of it left in rem);
 *   an absolute sleep on a passed CPU time returns at once;
 * - the raw and coarse clocks and a CLOCKFD id have no nsleep (EOPNOTSUPP);
 *   flags other than TIMER_ABSTIME are ignored.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define MS		1000000LL
/* Linux's per-thread CPU clockid: ~tid << 3 | CPUCLOCK_PERTHREAD | kind. */
#define THREAD_CPUCLOCK(tid)	((clockid_t)((~(unsigned)(tid) << 3) | 4 | 2))

static long raw_nsleep(clockid_t c, int flags, const struct timespec *req,
		       struct timespec *rem)
{
	return syscall(SYS_clock_nanosleep, c, flags, req, rem);
}

static void on_alrm(int sig)
{
	(void)sig;
}

/* One SIGALRM after ms, to a handler without SA_RESTART. */
static void alarm_in(int ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	struct sigaction sa = { 0 };

	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_thread_clock(void)
{
	struct timespec req = gt_ns_ts(1 * MS), rem;
	clockid_t self;

	CHECK_ERR(raw_nsleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, &rem), EOPNOTSUPP);
	CHECK_ERR(raw_nsleep(CLOCK_THREAD_CPUTIME_ID, TIMER_ABSTIME, &req, NULL), EOPNOTSUPP);
	CHECK(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, &rem) == EINVAL,
	      "clock_nanosleep(CLOCK_THREAD_CPUTIME_ID) is EINVAL");
	CHECK(pthread_getcpuclockid(pthread_self(), &self) == 0, "pthread_getcpuclockid");
	CHECK_ERR(raw_nsleep(self, 0, &req, &rem), EINVAL);
	CHECK(clock_nanosleep(self, 0, &req, &rem) == EINVAL,
	      "clock_nanosleep(pthread_getcpuclockid(self))");
	CHECK_ERR(raw_nsleep(THREAD_CPUCLOCK(0), 0, &req, &rem), EINVAL);
	CHECK_ERR(raw_nsleep(THREAD_CPUCLOCK(syscall(SYS_gettid)), 0, &req, &rem), EINVAL);
}

static void test_other_clocks(void)
{
	struct timespec req = gt_ns_ts(1 * MS), rem, past = { 0, 1 };

	CHECK_ERR(raw_nsleep(CLOCK_MONOTONIC_RAW, 0, &req, &rem), EOPNOTSUPP);
	CHECK_ERR(raw_nsleep(CLOCK_REALTIME_COARSE, 0, &req, &rem), EOPNOTSUPP);
	CHECK_ERR(raw_nsleep(CLOCK_MONOTONIC_COARSE, 0, &req, &rem), EOPNOTSUPP);
	/* A CLOCKFD clockid (fd 0): dynamic clocks cannot be slept on. */
	CHECK_ERR(raw_nsleep((clockid_t)((~0u << 3) | 3), 0, &req, &rem), EOPNOTSUPP);
	CHECK_ERR(raw_nsleep(1234, 0, &req, &rem), EINVAL);
	/* Unknown flag bits are ignored: an absolute time long past. */
	CHECK(raw_nsleep(CLOCK_MONOTONIC, TIMER_ABSTIME | 2, &past, NULL) == 0,
	      "clock_nanosleep with flags 3");
	req.tv_nsec = 1000000000;
	CHECK_ERR(raw_nsleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, &rem), EINVAL);
}

static void test_process_clock_alone(void)
{
	struct timespec req, rem = { 0, 0 }, t;
	long long c0, w0, w1, left;
	clockid_t pc;
	long r;

	/* An absolute CPU time already passed: at once. */
	t = gt_ns_ts(gt_now_ns(CLOCK_PROCESS_CPUTIME_ID));
	w0 = gt_now_ns(CLOCK_MONOTONIC);
	CHECK(raw_nsleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &t, NULL) == 0,
	      "absolute sleep to now on the process CPU clock");
	CHECK(clock_getcpuclockid(0, &pc) == 0, "clock_getcpuclockid(0)");
	t = gt_ns_ts(1);
	CHECK(clock_nanosleep(pc, TIMER_ABSTIME, &t, NULL) == 0,
	      "absolute sleep to 1 ns of CPU time (passed) on clock_getcpuclockid(0)");
	w1 = gt_now_ns(CLOCK_MONOTONIC);
	CHECK(w1 - w0 < 200 * MS, "passed CPU deadlines returned at once (%lld ms)",
	      (w1 - w0) / MS);

	/* 100 ms of CPU time, with nothing using CPU: it does not end after
	 * 100 ms of wall time; the SIGALRM after 300 ms interrupts it. */
	req = gt_ns_ts(100 * MS);
	c0 = gt_now_ns(CLOCK_PROCESS_CPUTIME_ID);
	w0 = gt_now_ns(CLOCK_MONOTONIC);
	alarm_in(300);
	r = raw_nsleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, &rem);
	w1 = gt_now_ns(CLOCK_MONOTONIC);
	CHECK(r == -1 && errno == EINTR, "relative CPU sleep returned %ld", r);
	CHECK(w1 - w0 >= 250 * MS, "it lasted until the signal (%lld ms of wall time)",
	      (w1 - w0) / MS);
	left = gt_ts_ns(&rem);
	CHECK(left > 50 * MS && left <= 100 * MS,
	      "rem is the CPU time left: %lld ms (used %lld ms)", left / MS,
	      (gt_now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / MS);

	/* The same through libc, absolute: EINTR, rem untouched. */
	rem.tv_sec = 77;
	t = gt_ns_ts(gt_now_ns(CLOCK_PROCESS_CPUTIME_ID) + 1000 * MS);
	alarm_in(300);
	r = clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &t, &rem);
	CHECK(r == EINTR, "absolute CPU sleep returned %ld", r);
	CHECK(rem.tv_sec == 77, "rem untouched by an absolute sleep");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_thread_clock();
	test_other_clocks();
	test_process_clock_alone();
	return gt_finish();
}
