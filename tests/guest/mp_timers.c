// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX timers across threads and processes (the single-process part is
 * timers.c): SIGEV_THREAD_ID to another thread of the process (the signal
 * reaches that thread), EINVAL for a process that is not the caller's; glibc's
 * SIGEV_THREAD (its helper thread over SIGEV_THREAD_ID) calling back
 * periodically with the sigval; ITIMER_PROF counting the CPU time of all
 * threads; a fork child inherits neither POSIX timers nor interval timers;
 * execve deletes POSIX timers and keeps interval timers. ("mp_": lbx-run
 * runs one process, one thread.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include "guest_test.h"

#define MS		1000000LL
#define SIG_T		(SIGRTMIN + 4)

struct ksigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};

static long t_create(clockid_t clk, struct ksigevent *ev, int *id)
{
	return syscall(SYS_timer_create, clk, ev, id);
}

static long t_set_ms(int id, long long value_ms, long long interval_ms)
{
	struct itimerspec v = {
		{ interval_ms / 1000, interval_ms % 1000 * MS },
		{ value_ms / 1000, value_ms % 1000 * MS },
	};

	return syscall(SYS_timer_settime, id, 0, &v, NULL);
}

static long t_get(int id, struct itimerspec *v)
{
	return syscall(SYS_timer_gettime, id, v);
}

static long t_delete(int id)
{
	return syscall(SYS_timer_delete, id);
}

/* ---- SIGEV_THREAD_ID to another thread ---- */

static volatile pid_t waiter_tid;
static volatile int waiter_sig, waiter_timerid, waiter_value;

static void *waiter(void *arg)
{
	struct timespec ts = { 10, 0 };
	siginfo_t si;
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIG_T);
	waiter_tid = gettid();
	if (sigtimedwait(&s, &si, &ts) == SIG_T) {
		waiter_timerid = si.si_timerid;
		waiter_value = si.si_value.sival_int;
		waiter_sig = si.si_code == SI_TIMER ? SIG_T : -1;
	}
	return NULL;
}

static void test_thread_id(void)
{
	struct ksigevent e;
	struct timespec ts;
	pthread_t th;
	sigset_t s, old;
	siginfo_t si;
	int id = -1, i;

	/* Blocked everywhere: only a sigtimedwait takes it. */
	sigemptyset(&s);
	sigaddset(&s, SIG_T);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	CHECK(pthread_create(&th, NULL, waiter, NULL) == 0, "pthread_create");
	for (i = 0; i < 5000 && !waiter_tid; i++)
		usleep(1000);
	memset(&e, 0, sizeof(e));
	e.notify = SIGEV_THREAD_ID;
	e.signo = SIG_T;
	e.value.sival_int = 4242;
	e.tid = waiter_tid;
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0, "SIGEV_THREAD_ID at another thread");
	CHECK(t_set_ms(id, 30, 0) == 0, "settime");
	pthread_join(th, NULL);
	CHECK(waiter_sig == SIG_T && waiter_timerid == id && waiter_value == 4242,
	      "the named thread got it (sig %d timerid %d value %d)", waiter_sig,
	      waiter_timerid, waiter_value);
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	CHECK(sigtimedwait(&s, &si, &ts) < 0, "not the main thread");
	CHECK(t_delete(id) == 0, "delete");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A thread of another process is not a target. */
static void test_thread_id_other_process(void)
{
	struct ksigevent e;
	int id = -1, st;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	memset(&e, 0, sizeof(e));
	e.notify = SIGEV_THREAD_ID;
	e.signo = SIG_T;
	e.tid = pid;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* ---- glibc's SIGEV_THREAD ---- */

static volatile int cb_calls, cb_value;

static void callback(union sigval v)
{
	cb_value = v.sival_int;
	__atomic_fetch_add(&cb_calls, 1, __ATOMIC_SEQ_CST);
}

static void test_sigev_thread(void)
{
	struct itimerspec v = { { 0, 20 * MS }, { 0, 20 * MS } };
	struct sigevent e;
	timer_t tm;
	int i, n;

	memset(&e, 0, sizeof(e));
	e.sigev_notify = SIGEV_THREAD;
	e.sigev_notify_function = callback;
	e.sigev_value.sival_int = 777;
	CHECK(timer_create(CLOCK_MONOTONIC, &e, &tm) == 0, "timer_create SIGEV_THREAD");
	CHECK(timer_settime(tm, 0, &v, NULL) == 0, "timer_settime");
	for (i = 0; i < 500 && __atomic_load_n(&cb_calls, __ATOMIC_SEQ_CST) < 3; i++)
		usleep(10000);
	n = __atomic_load_n(&cb_calls, __ATOMIC_SEQ_CST);
	CHECK(n >= 3, "3 callbacks, got %d", n);
	CHECK(cb_value == 777, "the callback's sigval %d", cb_value);
	CHECK(timer_delete(tm) == 0, "timer_delete");
	usleep(200000);	/* a callback already under way ends */
	n = __atomic_load_n(&cb_calls, __ATOMIC_SEQ_CST);
	usleep(100000);
	CHECK(__atomic_load_n(&cb_calls, __ATOMIC_SEQ_CST) == n, "no callback after delete");
}

/* ---- ITIMER_PROF over two computing threads ---- */

static volatile sig_atomic_t prof_hits;
static volatile int stop_burn;

static void on_prof(int sig)
{
	(void)sig;
	prof_hits++;
}

static void *burner(void *arg)
{
	unsigned long long t0 = __rdtsc();
	volatile unsigned long x = 0;

	(void)arg;
	while (!stop_burn && __rdtsc() - t0 < 40ULL * 1000 * 1000 * 1000)
		x++;
	return NULL;
}

static void test_prof_threads(void)
{
	struct itimerval v = { { 0, 20000 }, { 0, 20000 } }, off;
	long long u0, u1;
	struct timespec ts;
	pthread_t th[2];
	int i;

	signal(SIGPROF, on_prof);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	u0 = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	CHECK(setitimer(ITIMER_PROF, &v, NULL) == 0, "ITIMER_PROF 20 ms periodic");
	stop_burn = 0;
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, burner, NULL);
	for (i = 0; i < 1000 && prof_hits < 3; i++)
		usleep(10000);
	stop_burn = 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_PROF, &off, NULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	u1 = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	CHECK(prof_hits >= 3, "SIGPROF while other threads compute: %d", (int)prof_hits);
	/* The main thread slept throughout: the time is the burners'. (Not
	 * 3 x 20 ms: Linux itself may signal a few ms early.) */
	CHECK(u1 - u0 >= 20 * MS, "the process CPU clock counts the threads: %lld ms",
	      (u1 - u0) / MS);
	signal(SIGPROF, SIG_DFL);
}

/* ---- fork and execve ---- */

static int after_exec(char **argv)
{
	struct itimerspec cur;
	struct itimerval iv;
	int id = atoi(argv[2]);

	/* The child's verdict is its exit status. */
	if (t_get(id, &cur) != -1 || errno != EINVAL)
		return 10;
	if (getitimer(ITIMER_PROF, &iv) || iv.it_value.tv_sec < 90)
		return 11;
	return 0;
}

static void test_fork_exec(const char *self)
{
	struct itimerval iv = { { 0, 0 }, { 100, 0 } }, cur;
	struct ksigevent e;
	struct itimerspec its;
	int id = -1, st = -1;
	char a[16];
	pid_t pid;

	memset(&e, 0, sizeof(e));
	e.notify = SIGEV_NONE;
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0 && t_set_ms(id, 100000, 0) == 0,
	      "a timer in the parent");
	CHECK(setitimer(ITIMER_PROF, &iv, NULL) == 0, "ITIMER_PROF in the parent");

	/* fork: neither kind is inherited. */
	pid = fork();
	if (pid == 0) {
		if (t_get(id, &its) != -1 || errno != EINVAL)
			_exit(2);
		if (getitimer(ITIMER_PROF, &cur) || cur.it_value.tv_sec || cur.it_value.tv_usec)
			_exit(3);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "fork child inherits no timers (status %#x)", st);
	CHECK(t_get(id, &its) == 0 && its.it_value.tv_sec > 90, "the parent's timer runs on");

	/* execve: POSIX timers go, interval timers stay. */
	pid = fork();
	if (pid == 0) {
		if (t_create(CLOCK_MONOTONIC, &e, &id) || t_set_ms(id, 100000, 0) ||
		    setitimer(ITIMER_PROF, &iv, NULL))
			_exit(4);
		snprintf(a, sizeof(a), "%d", id);
		execl(self, self, "--after-exec", a, (char *)NULL);
		_exit(5);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "after execve: timers gone, ITIMER_PROF kept (status %#x)",
	      st);
	memset(&iv, 0, sizeof(iv));
	setitimer(ITIMER_PROF, &iv, NULL);
	CHECK(t_delete(id) == 0, "delete");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--after-exec"))
		return after_exec(argv);
	test_thread_id();
	test_thread_id_other_process();
	test_sigev_thread();
	test_prof_threads();
	test_fork_exec(argv[0]);
	return gt_finish();
}
