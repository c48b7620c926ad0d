// SPDX-License-Identifier: GPL-2.0
/* Clocks and sleeps: monotonic, realtime, boottime, CPU time, nanosleep,
 * clock_nanosleep (relative and absolute), gettimeofday, times, getrusage. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return ns(&t);
}

int main(void)
{
	struct timespec t, req = { 0, 20 * 1000 * 1000 }, res;
	volatile unsigned long x = 0;
	long long a, b, c0, c1;
	struct timeval tv;
	struct rusage ru;
	struct tms tms;
	unsigned long i;

	a = now(CLOCK_MONOTONIC);
	b = now(CLOCK_MONOTONIC);
	CHECK(b >= a, "monotonic does not go back");
	CHECK(now(CLOCK_REALTIME) > 1600000000LL * 1000000000LL, "realtime is after 2020");
	CHECK(now(CLOCK_BOOTTIME) > 0 && now(CLOCK_MONOTONIC_COARSE) > 0 &&
	      now(CLOCK_REALTIME_COARSE) > 0, "other clocks");
	CHECK_ERR(syscall(SYS_clock_gettime, 12345, &t), EINVAL);
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(&res) > 0 && ns(&res) <= 10000000,
	      "clock_getres");

	/* CPU time advances with work, not with sleep. */
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < 50000000UL; i++)
		x += i;
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(c1 - c0 > 1000000, "process CPU time advanced by %lld ns", c1 - c0);
	CHECK(now(CLOCK_THREAD_CPUTIME_ID) > 0, "thread CPU time");
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 &&
	      ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec +
	      ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec > 1000, "getrusage");
	CHECK_ERR(getrusage(42, &ru), EINVAL);
	CHECK(times(&tms) != (clock_t)-1, "times");

	/* Sleeps last at least as long as asked. */
	a = now(CLOCK_MONOTONIC);
	CHECK(nanosleep(&req, NULL) == 0, "nanosleep");
	b = now(CLOCK_MONOTONIC);
	CHECK(b - a >= 20000000LL, "slept %lld ns", b - a);
	req.tv_nsec = 2000000000;
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += 30 * 1000 * 1000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == 0, "absolute sleep");
	CHECK(now(CLOCK_MONOTONIC) >= ns(&t), "woke after the absolute deadline");

	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1600000000, "gettimeofday");
	/* Linux's time() reads the coarse clock, up to a tick behind
	 * gettimeofday's: just after a second begins it may still be the
	 * last one. */
	CHECK(time(NULL) >= tv.tv_sec - 1, "time");
	return gt_finish();
}
