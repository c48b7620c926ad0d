// SPDX-License-Identifier: GPL-2.0
/*
 * Resource usage of children: getrusage(RUSAGE_CHILDREN), times()'s
 * tms_cutime/tms_cstime and wait4's rusage. As Linux: a child's usage (with
 * that of the children it reaped) joins its parent's when the parent reaps
 * it, not when it exits; an auto-reaped child (SIGCHLD ignored, or
 * SA_NOCLDWAIT) never joins (Linux since 2.6.9). Multi-process ("mp_"):
 * runs natively and under lbx-launch; lbx-run skips it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define MS		1000000LL
#define BURN_MS		200
#define MIN_MS		150	/* what a 200 ms burn must at least show */

static long long cpu_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Computes until the calling thread has used ms of CPU time. */
static void burn(long long ms)
{
	long long end = cpu_ns(CLOCK_THREAD_CPUTIME_ID) + ms * MS;
	volatile unsigned long x = 1;

	while (cpu_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005UL + 1;
}

static long long tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

static long long ru_ns(const struct rusage *ru)
{
	return tv_ns(&ru->ru_utime) + tv_ns(&ru->ru_stime);
}

static long long children_ns(struct rusage *out)
{
	struct rusage ru;

	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0, "getrusage(RUSAGE_CHILDREN)");
	if (out)
		*out = ru;
	return ru_ns(&ru);
}

static long long times_children_ms(void)
{
	struct tms t;
	long hz = sysconf(_SC_CLK_TCK);

	CHECK(times(&t) != (clock_t)-1, "times");
	return (long long)(t.tms_cutime + t.tms_cstime) * 1000 / hz;
}

/* Waits (without reaping) until child pid has exited. */
static void wait_exited_unreaped(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid,
	      "waitid(WNOWAIT)");
}

/* A child burns 200 ms; it counts in RUSAGE_CHILDREN once reaped. */
static void test_reaped_child_counts(void)
{
	struct rusage ru, c;
	long long before, after;
	int status;
	pid_t pid;

	before = children_ns(NULL);
	CHECK(before == 0, "no child reaped yet, RUSAGE_CHILDREN %lld ns", before);
	CHECK(times_children_ms() == 0, "times: no child time yet");
	pid = fork();
	if (pid == 0) {
		burn(BURN_MS);
		_exit(0);
	}
	CHECK(pid > 0, "fork");
	wait_exited_unreaped(pid);
	/* A zombie's time is not its parent's yet. */
	CHECK(children_ns(NULL) == 0, "an unreaped child counts: %lld ns", children_ns(NULL));
	CHECK(times_children_ms() == 0, "times counts an unreaped child");

	memset(&ru, 0xa5, sizeof(ru));
	CHECK(wait4(pid, &status, 0, &ru) == pid && WIFEXITED(status), "wait4");
	CHECK(ru_ns(&ru) >= MIN_MS * MS && ru_ns(&ru) < 10000 * MS,
	      "wait4's rusage: %lld ms for a %d ms burn", ru_ns(&ru) / MS, BURN_MS);
	CHECK(ru.ru_maxrss > 0, "wait4's ru_maxrss %ld", ru.ru_maxrss);
	CHECK(ru.ru_minflt > 0, "wait4's ru_minflt %ld", ru.ru_minflt);
	CHECK(ru.ru_ixrss == 0 && ru.ru_nswap == 0, "unused fields are zero");

	after = children_ns(&c);
	CHECK(after == ru_ns(&ru), "RUSAGE_CHILDREN %lld ns, wait4 said %lld ns",
	      after, ru_ns(&ru));
	CHECK(c.ru_maxrss >= ru.ru_maxrss, "children's maxrss %ld < %ld",
	      c.ru_maxrss, ru.ru_maxrss);
	CHECK(times_children_ms() >= MIN_MS && times_children_ms() <= after / MS + 20,
	      "times: children %lld ms, getrusage %lld ms", times_children_ms(), after / MS);
}

/* A grandchild reaped by the child counts in the grandparent once the
 * child is reaped, and only then. */
static void test_grandchild_counts(void)
{
	long long base = children_ns(NULL), mid;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		struct rusage ru;
		pid_t g = fork();

		if (g == 0) {
			burn(BURN_MS);
			_exit(0);
		}
		if (waitpid(g, &status, 0) != g)
			_exit(2);
		if (getrusage(RUSAGE_CHILDREN, &ru) || ru_ns(&ru) < MIN_MS * MS)
			_exit(3);
		_exit(0);
	}
	CHECK(pid > 0, "fork");
	wait_exited_unreaped(pid);
	mid = children_ns(NULL);
	CHECK(mid == base, "before the child is reaped: %lld ns, was %lld ns", mid, base);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "child (its own RUSAGE_CHILDREN check) status %#x", status);
	CHECK(children_ns(NULL) - base >= MIN_MS * MS,
	      "the grandchild's %d ms: RUSAGE_CHILDREN grew by %lld ms", BURN_MS,
	      (children_ns(NULL) - base) / MS);
}

static volatile sig_atomic_t got_chld;

static void on_chld(int sig)
{
	(void)sig;
	got_chld++;
}

/* SIGCHLD ignored, or SA_NOCLDWAIT: the child is reaped at its exit,
 * wait4 finds none (ECHILD), and its time is nobody's. */
static void test_autoreap_not_counted(bool nocldwait)
{
	struct sigaction sa, old;
	long long base = children_ns(NULL);
	int status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nocldwait ? on_chld : SIG_IGN;
	sa.sa_flags = nocldwait ? SA_NOCLDWAIT : 0;
	got_chld = 0;
	CHECK(sigaction(SIGCHLD, &sa, &old) == 0, "sigaction");
	pid = fork();
	if (pid == 0) {
		burn(BURN_MS);
		_exit(0);
	}
	CHECK(pid > 0, "fork");
	/* Blocks until the child has gone, then: no child. */
	CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD);
	CHECK(children_ns(NULL) == base, "%s: an auto-reaped child counts (%lld ms more)",
	      nocldwait ? "SA_NOCLDWAIT" : "SIG_IGN", (children_ns(NULL) - base) / MS);
	if (nocldwait)
		CHECK(got_chld == 1, "SA_NOCLDWAIT still sends SIGCHLD (%d)", (int)got_chld);
	CHECK(sigaction(SIGCHLD, &old, NULL) == 0, "sigaction");
}

static void test_self_and_thread(void)
{
	struct rusage self, thr;
	long long t0, t1;

	CHECK(getrusage(RUSAGE_THREAD, &thr) == 0, "RUSAGE_THREAD");
	t0 = ru_ns(&thr);
	burn(100);
	CHECK(getrusage(RUSAGE_THREAD, &thr) == 0, "RUSAGE_THREAD");
	CHECK(getrusage(RUSAGE_SELF, &self) == 0, "RUSAGE_SELF");
	t1 = ru_ns(&thr);
	CHECK(t1 - t0 >= 80 * MS, "RUSAGE_THREAD grew %lld ms in a 100 ms burn",
	      (t1 - t0) / MS);
	CHECK(ru_ns(&self) + 20 * MS >= t1, "RUSAGE_SELF %lld ms < RUSAGE_THREAD %lld ms",
	      ru_ns(&self) / MS, t1 / MS);
	CHECK(self.ru_maxrss > 0 && thr.ru_maxrss > 0, "maxrss %ld %ld",
	      self.ru_maxrss, thr.ru_maxrss);
	CHECK_ERR(getrusage(2, &self), EINVAL);
	CHECK_ERR(syscall(98, RUSAGE_SELF, (void *)8), EFAULT);
}

int main(void)
{
	test_reaped_child_counts();
	test_grandchild_counts();
	test_autoreap_not_counted(false);
	test_autoreap_not_counted(true);
	test_self_and_thread();
	return gt_finish();
}
