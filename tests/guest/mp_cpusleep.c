// SPDX-License-Identifier: GPL-2.0
/*
 * clock_nanosleep on the process's CPU clock while another thread burns
 * CPU: it returns once the process has used the CPU time asked for
 * (relative, and TIMER_ABSTIME through CLOCK_PROCESS_CPUTIME_ID and
 * clock_getcpuclockid(0)), while the sleeper itself uses little of it;
 * with the other thread idle instead, 100 ms of CPU time is still not
 * over after 300 ms of wall time. ("mp_": threads.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define MS		1000000LL

static volatile int stop;

static void *burn(void *arg)
{
	volatile unsigned long x = 0;

	(void)arg;
	while (!stop)
		x++;
	return NULL;
}

static void *idle(void *arg)
{
	char c;

	/* Blocked until the test closes the pipe's write end. */
	return (void *)(long)read(*(int *)arg, &c, 1);
}

static void on_alrm(int sig)
{
	(void)sig;
}

/* One sleep: returns 0, and the process has used `ms` more CPU time,
 * most of it not the sleeper's. */
static void cpu_sleep(const char *what, clockid_t clk, bool abs, bool raw, long long ms)
{
	long long c0 = gt_now_ns(CLOCK_PROCESS_CPUTIME_ID), me0 = gt_now_ns(CLOCK_THREAD_CPUTIME_ID);
	long long c1, me1, w0 = gt_now_ns(CLOCK_MONOTONIC), w1;
	struct timespec t = gt_ns_ts(abs ? c0 + ms * MS : ms * MS);
	long r;

	if (raw)
		r = syscall(SYS_clock_nanosleep, clk, abs ? TIMER_ABSTIME : 0, &t, NULL);
	else
		r = clock_nanosleep(clk, abs ? TIMER_ABSTIME : 0, &t, NULL);
	c1 = gt_now_ns(CLOCK_PROCESS_CPUTIME_ID);
	me1 = gt_now_ns(CLOCK_THREAD_CPUTIME_ID);
	w1 = gt_now_ns(CLOCK_MONOTONIC);
	CHECK(r == 0, "%s returned %ld", what, r);
	CHECK(c1 - c0 >= ms * MS, "%s: the process used %lld ms of CPU (asked %lld)",
	      what, (c1 - c0) / MS, ms);
	CHECK(me1 - me0 < (ms / 2) * MS, "%s: the sleeper used %lld ms of it", what,
	      (me1 - me0) / MS);
	CHECK(w1 - w0 < 20000 * MS, "%s: %lld ms of wall time", what, (w1 - w0) / MS);
}

int main(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 300000 } };
	struct sigaction sa = { 0 };
	struct timespec t, rem = { 0, 0 };
	pthread_t th;
	clockid_t pc;
	int fds[2];
	long long w0, w1;
	long r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(pthread_create(&th, NULL, burn, NULL) == 0, "pthread_create");
	cpu_sleep("relative, raw CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID,
		  false, true, 200);
	cpu_sleep("absolute, raw CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID,
		  true, true, 200);
	cpu_sleep("relative, libc CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID,
		  false, false, 100);
	CHECK(clock_getcpuclockid(0, &pc) == 0, "clock_getcpuclockid(0)");
	cpu_sleep("absolute, clock_getcpuclockid(0)", pc, true, false, 150);
	stop = 1;
	pthread_join(th, NULL);

	/* A second thread that uses no CPU: the sleep is not over by wall
	 * time; the SIGALRM after 300 ms interrupts it. */
	CHECK(pipe(fds) == 0, "pipe");
	CHECK(pthread_create(&th, NULL, idle, &fds[0]) == 0, "pthread_create");
	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	t = gt_ns_ts(100 * MS);
	w0 = gt_now_ns(CLOCK_MONOTONIC);
	setitimer(ITIMER_REAL, &it, NULL);
	r = clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &t, &rem);
	w1 = gt_now_ns(CLOCK_MONOTONIC);
	CHECK(r == EINTR, "with an idle thread: %ld after %lld ms", r, (w1 - w0) / MS);
	CHECK(gt_ts_ns(&rem) > 50 * MS && gt_ts_ns(&rem) <= 100 * MS,
	      "rem %lld ms of CPU time", gt_ts_ns(&rem) / MS);
	close(fds[1]);
	pthread_join(th, NULL);
	return gt_finish();
}
