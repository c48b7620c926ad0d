// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX timers and CPU-time timers, one process, one thread: timer_create
 * argument checks (EINVAL, EFAULT), SIGEV_SIGNAL with SI_TIMER, si_timerid,
 * si_value and si_overrun, the default sigevent (SIGALRM with the id),
 * SIGEV_THREAD_ID to the caller, SIGEV_NONE, relative and TIMER_ABSTIME
 * settings on CLOCK_MONOTONIC, CLOCK_REALTIME and CLOCK_BOOTTIME, interval
 * reload, overruns while the signal is pending and timer_getoverrun,
 * timer_gettime and the old value of timer_settime, RLIMIT_SIGPENDING as
 * the limit (EAGAIN); ITIMER_VIRTUAL and ITIMER_PROF (set, get, SIGVTALRM
 * and SIGPROF while computing without system calls, no progress while
 * asleep); timers on CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and
 * the clockids of clock_getcpuclockid and pthread_getcpuclockid. Fork,
 * execve and other threads: mp_timers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include "guest_test.h"

#define MS		1000000LL
#define SIG_A		(SIGRTMIN + 1)
#define SIG_B		(SIGRTMIN + 2)

/* The kernel's struct sigevent, for the raw calls. */
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

static long t_set(int id, int flags, const struct itimerspec *v, struct itimerspec *old)
{
	return syscall(SYS_timer_settime, id, flags, v, old);
}

static long t_get(int id, struct itimerspec *v)
{
	return syscall(SYS_timer_gettime, id, v);
}

static long t_overrun(int id)
{
	return syscall(SYS_timer_getoverrun, id);
}

static long t_delete(int id)
{
	return syscall(SYS_timer_delete, id);
}

static long long ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ts_of(long long ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

	return ts;
}

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct itimerspec its(long long value, long long interval)
{
	struct itimerspec v = { ts_of(interval), ts_of(value) };

	return v;
}

static struct ksigevent sev(int notify, int signo, int value)
{
	struct ksigevent e;

	memset(&e, 0, sizeof(e));
	e.notify = notify;
	e.signo = signo;
	e.value.sival_int = value;
	return e;
}

static void block(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* Waits up to ms for sig (blocked); 0 or the signal. */
static int wait_sig(int sig, int ms, siginfo_t *si)
{
	struct timespec ts = ts_of(ms * MS);
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&s, si, &ts) == sig ? sig : 0;
}

static void drain(int sig)
{
	siginfo_t si;

	while (wait_sig(sig, 0, &si))
		;
}

static void sleep_ms(long ms)
{
	struct timespec ts = ts_of(ms * MS);

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void test_errors(void)
{
	struct ksigevent e = sev(SIGEV_SIGNAL, SIG_A, 0);
	struct itimerspec v = its(MS, 0), cur;
	int id = -1;

	CHECK_ERR(t_create(12345, &e, &id), EINVAL);
	CHECK_ERR(t_create(CLOCK_MONOTONIC, (void *)8, &id), EFAULT);
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, (void *)8), EFAULT);
	e.signo = 0;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);
	e.signo = 65;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);
	e = sev(99, SIG_A, 0);
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);
	/* SIGEV_THREAD_ID: a thread of the caller's process only. */
	e = sev(SIGEV_THREAD_ID, SIG_A, 0);
	e.tid = 0x3ffffff0;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);
	e.tid = 0;
	CHECK_ERR(t_create(CLOCK_MONOTONIC, &e, &id), EINVAL);

	e = sev(SIGEV_NONE, 0, 0);
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0 && id >= 0, "create: id %d", id);
	CHECK_ERR(t_set(id, 0, NULL, NULL), EINVAL);
	CHECK_ERR(t_set(id, 0, (void *)8, NULL), EFAULT);
	v.it_value.tv_nsec = 1000000000;
	CHECK_ERR(t_set(id, 0, &v, NULL), EINVAL);
	v = its(MS, 0);
	v.it_interval.tv_nsec = -1;
	CHECK_ERR(t_set(id, 0, &v, NULL), EINVAL);
	v = its(5000 * MS, 0);
	CHECK_ERR(t_set(id, 0, &v, (void *)8), EFAULT);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) > 0,
	      "a setting stays though the old value could not be written");
	CHECK_ERR(t_set(id + 1000, 0, &v, NULL), EINVAL);
	CHECK_ERR(t_get(id, (void *)8), EFAULT);
	CHECK_ERR(t_get(id + 1000, &cur), EINVAL);
	CHECK_ERR(t_overrun(id + 1000), EINVAL);
	CHECK(t_delete(id) == 0, "delete");
	CHECK_ERR(t_delete(id), EINVAL);
	CHECK_ERR(t_get(id, &cur), EINVAL);
	CHECK_ERR(t_set(id, 0, &v, NULL), EINVAL);
}

/* A one-shot on each clock, relative and absolute, seen by sigtimedwait. */
static void one_shot(clockid_t clk, int flags, const char *what)
{
	struct ksigevent e = sev(SIGEV_SIGNAL, SIG_A, 0x1234);
	long long t0 = ns_of(CLOCK_MONOTONIC), dt;
	struct itimerspec v, cur;
	siginfo_t si;
	int id = -1;

	CHECK(t_create(clk, &e, &id) == 0, "%s: create", what);
	v = its(flags & TIMER_ABSTIME ? ns_of(clk) + 40 * MS : 40 * MS, 0);
	CHECK(t_set(id, flags, &v, NULL) == 0, "%s: settime", what);
	CHECK(wait_sig(SIG_A, 5000, &si) == SIG_A, "%s: the signal came", what);
	dt = ns_of(CLOCK_MONOTONIC) - t0;
	CHECK(dt >= 39 * MS, "%s: after %lld ms, not before 40", what, dt / MS);
	CHECK(si.si_code == SI_TIMER, "%s: si_code %d", what, si.si_code);
	CHECK(si.si_timerid == id, "%s: si_timerid %d, id %d", what, si.si_timerid, id);
	CHECK(si.si_value.sival_int == 0x1234, "%s: si_value %#x", what, si.si_value.sival_int);
	CHECK(si.si_overrun == 0, "%s: si_overrun %d", what, si.si_overrun);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) == 0 &&
	      ts_ns(&cur.it_interval) == 0, "%s: a fired one-shot is disarmed", what);
	CHECK(wait_sig(SIG_A, 60, &si) == 0, "%s: once only", what);
	CHECK(t_delete(id) == 0, "%s: delete", what);
}

static void test_one_shots(void)
{
	struct ksigevent e = sev(SIGEV_SIGNAL, SIG_A, 7);
	long long t0;
	struct itimerspec v;
	siginfo_t si;
	int id = -1;

	block(SIG_A);
	one_shot(CLOCK_MONOTONIC, 0, "monotonic");
	one_shot(CLOCK_MONOTONIC, TIMER_ABSTIME, "monotonic abstime");
	one_shot(CLOCK_REALTIME, 0, "realtime");
	one_shot(CLOCK_REALTIME, TIMER_ABSTIME, "realtime abstime");
	one_shot(CLOCK_BOOTTIME, 0, "boottime");
	one_shot(CLOCK_BOOTTIME, TIMER_ABSTIME, "boottime abstime");

	/* An absolute time in the past expires at once. */
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0, "create");
	v = its(1, 0);
	t0 = ns_of(CLOCK_MONOTONIC);
	CHECK(t_set(id, TIMER_ABSTIME, &v, NULL) == 0, "settime in the past");
	CHECK(wait_sig(SIG_A, 5000, &si) == SIG_A && si.si_value.sival_int == 7,
	      "a past absolute time fires");
	CHECK(ns_of(CLOCK_MONOTONIC) - t0 < 1000 * MS, "at once");
	/* Disarming before the expiry: nothing comes (a long expiry: a slow
	 * debug kernel under TCG may take tens of ms between two calls). */
	v = its(400 * MS, 0);
	CHECK(t_set(id, 0, &v, NULL) == 0, "arm");
	v = its(0, 0);
	CHECK(t_set(id, 0, &v, NULL) == 0, "disarm");
	CHECK(wait_sig(SIG_A, 600, &si) == 0, "a disarmed timer does not fire");
	CHECK(t_delete(id) == 0, "delete");
	unblock(SIG_A);
}

static void test_default_and_thread_id(void)
{
	struct ksigevent e = sev(SIGEV_THREAD_ID, SIG_B, 99);
	struct itimerspec v = its(20 * MS, 0);
	siginfo_t si;
	int id = -1, id2 = -1;

	/* No sigevent: SIGALRM, with the timer's id as its value. */
	block(SIGALRM);
	CHECK(t_create(CLOCK_MONOTONIC, NULL, &id) == 0, "create with no sigevent");
	CHECK(t_set(id, 0, &v, NULL) == 0, "settime");
	CHECK(wait_sig(SIGALRM, 5000, &si) == SIGALRM, "SIGALRM came");
	CHECK(si.si_code == SI_TIMER && si.si_timerid == id && si.si_value.sival_int == id,
	      "code %d timerid %d value %d (id %d)", si.si_code, si.si_timerid,
	      si.si_value.sival_int, id);
	CHECK(t_delete(id) == 0, "delete");
	unblock(SIGALRM);

	/* SIGEV_THREAD_ID naming the caller itself. */
	block(SIG_B);
	e.tid = gettid();
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id2) == 0, "create SIGEV_THREAD_ID");
	CHECK(t_set(id2, 0, &v, NULL) == 0, "settime");
	CHECK(wait_sig(SIG_B, 5000, &si) == SIG_B && si.si_code == SI_TIMER &&
	      si.si_timerid == id2 && si.si_value.sival_int == 99,
	      "thread-directed timer signal (code %d value %d)", si.si_code,
	      si.si_value.sival_int);
	CHECK(t_delete(id2) == 0, "delete");
	unblock(SIG_B);
}

static void test_periodic_overrun(void)
{
	struct ksigevent e = sev(SIGEV_SIGNAL, SIG_A, 5);
	struct itimerspec v = its(10 * MS, 10 * MS), cur;
	long long t0, dt;
	siginfo_t si;
	int id = -1, n, ov;

	block(SIG_A);
	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0, "create");
	/* Reload: three signals in a row, about 10 ms apart. */
	t0 = ns_of(CLOCK_MONOTONIC);
	CHECK(t_set(id, 0, &v, NULL) == 0, "settime periodic");
	for (n = 0; n < 3 && wait_sig(SIG_A, 5000, &si) == SIG_A; n++)
		;
	dt = ns_of(CLOCK_MONOTONIC) - t0;
	CHECK(n == 3, "3 periodic signals, got %d", n);
	CHECK(dt >= 29 * MS, "3 periods took %lld ms", dt / MS);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_interval) == 10 * MS &&
	      ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 10 * MS,
	      "gettime of a periodic timer: value %lld interval %lld",
	      ts_ns(&cur.it_value), ts_ns(&cur.it_interval));

	/* The signal stays pending while the timer runs on: overruns. */
	drain(SIG_A);
	CHECK(t_set(id, 0, &v, NULL) == 0, "settime again");
	sleep_ms(105);
	CHECK(wait_sig(SIG_A, 5000, &si) == SIG_A, "the pending signal");
	CHECK(si.si_overrun >= 5, "si_overrun %d after 105 ms of 10 ms periods", si.si_overrun);
	ov = (int)t_overrun(id);
	CHECK(ov == si.si_overrun, "timer_getoverrun %d, si_overrun %d", ov, si.si_overrun);
	v = its(0, 0);
	CHECK(t_set(id, 0, &v, &cur) == 0 && ts_ns(&cur.it_interval) == 10 * MS,
	      "disarm: the old interval");
	drain(SIG_A);
	CHECK(wait_sig(SIG_A, 50, &si) == 0, "no signal once disarmed");
	CHECK(t_delete(id) == 0, "delete");
	unblock(SIG_A);
}

static void test_gettime_and_none(void)
{
	struct ksigevent e = sev(SIGEV_NONE, 0, 0);
	struct itimerspec v = its(10000 * MS, 0), cur, old;
	siginfo_t si;
	int id = -1;

	CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0, "create SIGEV_NONE");
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) == 0, "a new timer is disarmed");
	CHECK(t_set(id, 0, &v, &old) == 0 && ts_ns(&old.it_value) == 0,
	      "settime: old value of a disarmed timer");
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) > 9000 * MS &&
	      ts_ns(&cur.it_value) <= 10000 * MS && ts_ns(&cur.it_interval) == 0,
	      "gettime: %lld ms left", ts_ns(&cur.it_value) / MS);
	v = its(20 * MS, 0);
	CHECK(t_set(id, 0, &v, &old) == 0 && ts_ns(&old.it_value) > 9000 * MS,
	      "settime: the old value");
	sleep_ms(50);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) == 0,
	      "an expired SIGEV_NONE one-shot reads 0 (%lld ns)", ts_ns(&cur.it_value));
	v = its(15 * MS, 15 * MS);
	CHECK(t_set(id, 0, &v, NULL) == 0, "periodic SIGEV_NONE");
	sleep_ms(50);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) > 0 &&
	      ts_ns(&cur.it_value) <= 15 * MS, "a periodic one runs on: %lld ns left",
	      ts_ns(&cur.it_value));
	block(SIGALRM);
	CHECK(wait_sig(SIGALRM, 0, &si) == 0, "SIGEV_NONE sends nothing");
	unblock(SIGALRM);
	CHECK(t_delete(id) == 0, "delete");
}

static void test_limit(void)
{
	struct ksigevent e = sev(SIGEV_NONE, 0, 0);
	struct rlimit old, rl;
	int ids[300], n = 0, id, i;
	long r = 0;

	getrlimit(RLIMIT_SIGPENDING, &old);
	rl = old;
	rl.rlim_cur = 8;
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "setrlimit");
	while (n < 300 && (r = t_create(CLOCK_MONOTONIC, &e, &ids[n])) == 0)
		n++;
	CHECK(r == -1 && errno == EAGAIN, "EAGAIN at the limit (r %ld)", r);
	CHECK(n <= 8, "%d timers within RLIMIT_SIGPENDING 8", n);
	if (n > 0) {
		CHECK(t_delete(ids[--n]) == 0, "delete one");
		CHECK(t_create(CLOCK_MONOTONIC, &e, &id) == 0, "room again for one");
		ids[n++] = id;
	}
	for (i = 0; i < n; i++)
		t_delete(ids[i]);
	setrlimit(RLIMIT_SIGPENDING, &old);
}

/* ---- CPU time ---- */

static volatile sig_atomic_t got_sig, got_code, got_timerid;

static void on_cpu_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_code = si->si_code;
	got_timerid = si->si_timerid;
	got_sig = sig;
}

/* Computes without system calls until a signal handler ran or about
 * `limit` TSC cycles passed; true when the signal came. */
static int burn(unsigned long long limit)
{
	unsigned long long t0 = __rdtsc();
	volatile unsigned long x = 0;

	while (!got_sig && __rdtsc() - t0 < limit)
		x++;
	return got_sig != 0;
}

#define BURN_LIMIT	(40ULL * 1000 * 1000 * 1000)	/* ~10 s at 4 GHz */

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_cpu_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

static void test_itimer_cpu(int which, int sig, const char *what)
{
	struct itimerval v = { { 0, 0 }, { 5, 0 } }, cur, old;

	handle(sig);
	/* Set, get, the old value, disarm. */
	v.it_interval.tv_sec = 1;
	CHECK(setitimer(which, &v, NULL) == 0, "%s: setitimer", what);
	CHECK(getitimer(which, &cur) == 0 && cur.it_value.tv_sec >= 4 &&
	      cur.it_value.tv_sec <= 5 && cur.it_interval.tv_sec == 1 &&
	      cur.it_interval.tv_usec == 0, "%s: getitimer %ld.%06ld", what,
	      (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	memset(&v, 0, sizeof(v));
	CHECK(setitimer(which, &v, &old) == 0 && old.it_value.tv_sec >= 4 &&
	      old.it_interval.tv_sec == 1, "%s: the old value", what);
	CHECK(getitimer(which, &cur) == 0 && !cur.it_value.tv_sec &&
	      !cur.it_value.tv_usec && !cur.it_interval.tv_sec, "%s: disarmed", what);
	v.it_value.tv_usec = -1;
	CHECK_ERR(setitimer(which, &v, NULL), EINVAL);

	/* It fires while the process computes in user space. */
	got_sig = 0;
	v.it_value.tv_usec = 50000;
	CHECK(setitimer(which, &v, NULL) == 0, "%s: arm 50 ms", what);
	CHECK(burn(BURN_LIMIT), "%s: the signal arrived while computing", what);
	CHECK(got_sig == sig && got_code == SI_KERNEL, "%s: signal %d code %d", what,
	      (int)got_sig, (int)got_code);
	CHECK(getitimer(which, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_usec,
	      "%s: a one-shot is off after firing", what);
	signal(sig, SIG_DFL);
}

static void test_virtual_sleeps(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 100000 } }, cur;

	/* Asleep, a process uses no CPU time: ITIMER_VIRTUAL stands still. */
	handle(SIGVTALRM);
	got_sig = 0;
	CHECK(setitimer(ITIMER_VIRTUAL, &v, NULL) == 0, "arm ITIMER_VIRTUAL 100 ms");
	sleep_ms(300);
	CHECK(!got_sig, "no SIGVTALRM during a 300 ms sleep");
	CHECK(getitimer(ITIMER_VIRTUAL, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_usec > 50000, "ITIMER_VIRTUAL moved %ld us during the sleep",
	      100000 - (long)cur.it_value.tv_usec);
	memset(&v, 0, sizeof(v));
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	signal(SIGVTALRM, SIG_DFL);
}

static void cpu_timer(clockid_t clk, const char *what)
{
	struct ksigevent e = sev(SIGEV_SIGNAL, SIG_B, 3);
	struct itimerspec v = its(500 * MS, 0), cur;
	int id = -1;

	handle(SIG_B);
	CHECK(t_create(clk, &e, &id) == 0, "%s: create", what);
	/* A sleep does not use the CPU clock up. */
	CHECK(t_set(id, 0, &v, NULL) == 0, "%s: arm 500 ms of CPU", what);
	sleep_ms(200);
	CHECK(t_get(id, &cur) == 0 && ts_ns(&cur.it_value) > 400 * MS,
	      "%s: %lld ms left after a 200 ms sleep", what, ts_ns(&cur.it_value) / MS);
	/* Computing does, and the signal interrupts the computation. */
	got_sig = 0;
	v = its(40 * MS, 0);
	CHECK(t_set(id, 0, &v, NULL) == 0, "%s: arm 40 ms of CPU", what);
	CHECK(burn(BURN_LIMIT), "%s: the signal arrived while computing", what);
	CHECK(got_sig == SIG_B && got_code == SI_TIMER && got_timerid == id,
	      "%s: signal %d code %d timerid %d", what, (int)got_sig, (int)got_code,
	      (int)got_timerid);
	/* Absolute on the CPU clock. */
	got_sig = 0;
	v = its(ns_of(clk) + 30 * MS, 0);
	CHECK(t_set(id, TIMER_ABSTIME, &v, NULL) == 0, "%s: arm absolute", what);
	CHECK(burn(BURN_LIMIT) && got_sig == SIG_B, "%s: absolute CPU time", what);
	CHECK(t_delete(id) == 0, "%s: delete", what);
	signal(SIG_B, SIG_DFL);
}

static void test_cpu_clocks(void)
{
	clockid_t pc = 0, tc = 0;
	struct timespec ts;

	cpu_timer(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID");
	cpu_timer(CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID");
	CHECK(clock_getcpuclockid(0, &pc) == 0, "clock_getcpuclockid");
	CHECK(clock_gettime(pc, &ts) == 0 && ts_ns(&ts) > 0, "read the process CPU clock");
	cpu_timer(pc, "clock_getcpuclockid(0)");
	CHECK(pthread_getcpuclockid(pthread_self(), &tc) == 0, "pthread_getcpuclockid");
	CHECK(clock_gettime(tc, &ts) == 0 && ts_ns(&ts) > 0, "read the thread CPU clock");
	cpu_timer(tc, "pthread_getcpuclockid(self)");
}

int main(void)
{
	test_errors();
	test_one_shots();
	test_default_and_thread_id();
	test_periodic_overrun();
	test_gettime_and_none();
	test_limit();
	test_itimer_cpu(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
	test_itimer_cpu(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
	test_virtual_sleeps();
	test_cpu_clocks();
	return gt_finish();
}
