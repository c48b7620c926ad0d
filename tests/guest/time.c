// SPDX-License-Identifier: GPL-2.0
/* Clocks and sleeps: monotonic, realtime, boottime, CPU time, nanosleep,
 * clock_nanosleep (relative and absolute), gettimeofday, times, getrusage;
 * interrupted sleeps: EINTR after a handler (SA_RESTART or not) with the
 * time left in rem, and the remaining time only after a restart. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
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

#define MS		1000000LL
#define SLEEP_MS	300

static volatile sig_atomic_t ticks;

static void on_alrm(int sig)
{
	(void)sig;
	ticks++;
}

/* SIGALRM every 20 ms, with handler flags `flags`; off: the timer stops
 * first, then SIGALRM is ignored (a last one may still be pending: with
 * SIG_DFL it would kill the test). */
static void alarm_every_20ms(bool on, int flags)
{
	struct itimerval it = { { 0, on ? 20000 : 0 }, { 0, on ? 20000 : 0 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_alrm : SIG_IGN;
	sa.sa_flags = flags;
	if (!on)
		setitimer(ITIMER_REAL, &it, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (on)
		setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A 300 ms nanosleep under a handler every 20 ms: never restarted, even
 * with SA_RESTART (signal(7)): EINTR, with the time left in rem; a loop on
 * rem sleeps 300 ms in all, not 300 ms per interruption.
 */
static void test_interrupted_sleep(int flags, bool clock_ns)
{
	const char *what = clock_ns ? "clock_nanosleep" : "nanosleep";
	struct timespec req = { 0, SLEEP_MS * MS }, rem = { 7, 7 };
	long long a, b, left;
	int r, n = 0;

	ticks = 0;
	alarm_every_20ms(true, flags);
	a = now(CLOCK_MONOTONIC);
	if (clock_ns) {
		r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
		CHECK(r == EINTR, "%s returned %d, not EINTR", what, r);
	} else {
		r = nanosleep(&req, &rem);
		CHECK(r == -1 && errno == EINTR, "%s returned %d (flags %#x)", what, r, flags);
	}
	b = now(CLOCK_MONOTONIC);
	left = ns(&rem);
	CHECK(b - a < SLEEP_MS * MS, "%s interrupted after %lld ms", what, (b - a) / MS);
	CHECK(left <= SLEEP_MS * MS && left + (b - a) >= SLEEP_MS * MS - MS &&
	      left + (b - a) <= SLEEP_MS * MS + 60 * MS,
	      "%s: rem %lld ms after %lld ms of %d", what, left / MS, (b - a) / MS, SLEEP_MS);
	/* Sleep out the rest, interrupted again and again. */
	req = rem;
	while ((clock_ns ? clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &req) == EINTR :
			   nanosleep(&req, &req) == -1 && errno == EINTR) && n < 1000)
		n++;
	b = now(CLOCK_MONOTONIC);
	alarm_every_20ms(false, 0);
	/*
	 * Each interruption costs the guest its handler's delivery, which a
	 * loop on rem cannot make up (on Linux too): natively and in the
	 * stock kernel's VM the whole stays under 400 ms; a debug kernel
	 * under TCG spends about 5 ms per delivery. A sleep that started
	 * over would take 300 ms per round and never end here.
	 */
	CHECK(b - a >= SLEEP_MS * MS && b - a < 400 * MS + n * 10 * MS,
	      "%s on rem: %lld ms in all for %d ms (%d more interruptions)", what,
	      (b - a) / MS, SLEEP_MS, n);
	CHECK(ticks >= 5, "%d SIGALRMs", (int)ticks);
}

/* An absolute clock_nanosleep: EINTR, rem untouched; again to the same
 * deadline ends on time. */
static void test_interrupted_abs_sleep(void)
{
	struct timespec t, rem = { 7, 7 };
	long long a = now(CLOCK_MONOTONIC), b;
	int r, n = 0;

	t.tv_sec = (a + SLEEP_MS * MS) / 1000000000LL;
	t.tv_nsec = (a + SLEEP_MS * MS) % 1000000000LL;
	alarm_every_20ms(true, SA_RESTART);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, &rem);
	CHECK(r == EINTR, "absolute clock_nanosleep returned %d", r);
	CHECK(rem.tv_sec == 7 && rem.tv_nsec == 7, "rem untouched by an absolute sleep");
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR && n < 1000)
		n++;
	b = now(CLOCK_MONOTONIC);
	alarm_every_20ms(false, 0);
	CHECK(b - a >= SLEEP_MS * MS && b - a < 400 * MS, "absolute: %lld ms", (b - a) / MS);
}

/*
 * A signal that interrupts the sleep but runs no handler (SIGCONT by its
 * default action, from a POSIX timer every 20 ms; Linux does not even
 * wake the sleeper for it): the sleep goes on to its first deadline.
 */
static void test_restarted_sleep(void)
{
	struct sigevent sev;
	struct itimerspec its = { { 0, 20 * MS }, { 0, 20 * MS } };
	struct timespec req = { 0, SLEEP_MS * MS };
	long long a, b;
	timer_t tm;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGCONT;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "timer_create");
	CHECK(timer_settime(tm, 0, &its, NULL) == 0, "timer_settime");
	a = now(CLOCK_MONOTONIC);
	CHECK(nanosleep(&req, NULL) == 0, "nanosleep with SIGCONT every 20 ms");
	b = now(CLOCK_MONOTONIC);
	timer_delete(tm);
	CHECK(b - a >= SLEEP_MS * MS && b - a < 400 * MS,
	      "restarted: %lld ms for %d ms", (b - a) / MS, SLEEP_MS);
	/* No restart block: restart_syscall itself is EINTR. */
	CHECK_ERR(syscall(SYS_restart_syscall), EINTR);
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

	test_interrupted_sleep(SA_RESTART, false);
	test_interrupted_sleep(0, false);
	test_interrupted_sleep(SA_RESTART, true);
	test_interrupted_abs_sleep();
	test_restarted_sleep();
	return gt_finish();
}
