// SPDX-License-Identifier: GPL-2.0
/*
 * prctl(PR_SET_PDEATHSIG): the signal comes when the child's parent
 * thread exits, as Linux:
 * - the parent process exits: SIGUSR1, si_code SI_USER, si_pid the dead
 *   parent's pid;
 * - the parent thread exits while its process lives on (Linux's known
 *   surprise): the child gets it too, and its parent is unchanged;
 * - PR_GET_PDEATHSIG reads it; fork does not inherit it; a change of the
 *   effective uid clears it; no signal while the parent lives.
 * The test is a subreaper, so the orphans come back to it to be reaped.
 * ("mp_": fork, threads.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

static volatile sig_atomic_t got_sig, got_code, got_pid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
}

/* Result of a grandchild, through a pipe. */
struct report {
	int sig, code, pid;
	int ppid_before, ppid_after;
	int get;
};

/* In the grandchild: handler, PR_SET_PDEATHSIG(sig), ready, then wait up
 * to 10 s for the signal and report. */
static void grandchild(int sig, int ready, int out)
{
	struct sigaction sa = { 0 };
	struct report r = { 0 };
	int i;

	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, sig);
	prctl(PR_GET_PDEATHSIG, &r.get);
	r.ppid_before = getppid();
	if (write(ready, "r", 1) != 1)
		_exit(2);
	for (i = 0; i < 1000 && !got_sig; i++)
		usleep(10000);
	r.sig = got_sig;
	r.code = got_code;
	r.pid = got_pid;
	r.ppid_after = getppid();
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	_exit(0);
}

static void reap_all(void)
{
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* The parent process exits. */
static void test_parent_exits(void)
{
	int ready[2], out[2];
	struct report r = { 0 };
	pid_t a;
	char c;

	CHECK(pipe(ready) == 0 && pipe(out) == 0, "pipes");
	a = fork();
	if (a == 0) {
		if (fork() == 0)
			grandchild(SIGUSR1, ready[1], out[1]);
		/* Exit once the grandchild has its PDEATHSIG set. */
		_exit(read(ready[0], &c, 1) == 1 ? 0 : 1);
	}
	CHECK(read(out[0], &r, sizeof(r)) == sizeof(r), "the grandchild's report");
	CHECK(r.get == SIGUSR1, "PR_GET_PDEATHSIG %d", r.get);
	CHECK(r.ppid_before == a, "its parent was %d (%d)", a, r.ppid_before);
	CHECK(r.sig == SIGUSR1 && r.code == SI_USER && r.pid == a,
	      "parent death: signal %d code %d pid %d (parent %d)", r.sig, r.code, r.pid, a);
	CHECK(r.ppid_after == getpid(), "then its parent is the subreaper (%d)", r.ppid_after);
	reap_all();
	close(ready[0]);
	close(ready[1]);
	close(out[0]);
	close(out[1]);
}

/* A thread of the parent forks the child, then exits; the process lives. */
static int t_ready[2], t_out[2];
static pid_t t_child;

static void *forker(void *arg)
{
	char c;

	(void)arg;
	t_child = fork();
	if (t_child == 0)
		grandchild(SIGUSR2, t_ready[1], t_out[1]);
	/* Exit (the thread only) once the child is ready. */
	if (read(t_ready[0], &c, 1) != 1)
		return (void *)1;
	return NULL;
}

static void test_parent_thread_exits(void)
{
	int status = 0;
	pid_t a;

	CHECK(pipe(t_ready) == 0 && pipe(t_out) == 0, "pipes");
	a = fork();
	if (a == 0) {
		struct report r = { 0 };
		pthread_t th;
		int fails = 0;

		if (pthread_create(&th, NULL, forker, NULL) || pthread_join(th, NULL))
			_exit(10);
		/* This process lives on: its child still has it as parent. */
		if (read(t_out[0], &r, sizeof(r)) != sizeof(r))
			_exit(11);
		if (r.sig != SIGUSR2 || r.code != SI_USER || r.pid != getpid()) {
			printf("  thread exit: signal %d code %d pid %d (parent %d)\n",
			       r.sig, r.code, r.pid, getpid());
			fails++;
		}
		if (r.ppid_before != getpid() || r.ppid_after != getpid()) {
			printf("  thread exit: parent %d then %d (not %d)\n",
			       r.ppid_before, r.ppid_after, getpid());
			fails++;
		}
		waitpid(t_child, NULL, 0);
		_exit(fails);
	}
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the parent thread's exit signals the child (status %#x)", status);
	close(t_ready[0]);
	close(t_ready[1]);
	close(t_out[0]);
	close(t_out[1]);
}

static void test_get_inherit_clear(void)
{
	int v = -1, status = 0;
	pid_t c;

	CHECK(prctl(PR_SET_PDEATHSIG, 65) == -1 && errno == EINVAL, "signal 65: EINVAL");
	CHECK(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0, "PR_SET_PDEATHSIG");
	CHECK(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == SIGTERM, "PR_GET_PDEATHSIG %d", v);
	c = fork();
	if (c == 0) {
		v = -1;
		prctl(PR_GET_PDEATHSIG, &v);
		_exit(v == 0 ? 0 : 1);
	}
	CHECK(waitpid(c, &status, 0) == c && status == 0, "not inherited (status %#x)", status);
	/* Root: a change of the effective uid clears it (commit_creds()). */
	c = fork();
	if (c == 0) {
		v = -1;
		if (syscall(SYS_setresuid, 0, 1000, 0))
			_exit(2);
		prctl(PR_GET_PDEATHSIG, &v);
		_exit(v == 0 ? 0 : 1);
	}
	CHECK(waitpid(c, &status, 0) == c && status == 0,
	      "cleared by an euid change (status %#x)", status);
	/* And a real-uid-only change keeps it. */
	c = fork();
	if (c == 0) {
		v = -1;
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (syscall(SYS_setresuid, 1000, 0, 0))
			_exit(2);
		prctl(PR_GET_PDEATHSIG, &v);
		_exit(v == SIGTERM ? 0 : 1);
	}
	CHECK(waitpid(c, &status, 0) == c && status == 0,
	      "kept over a real-uid change (status %#x)", status);
	CHECK(prctl(PR_SET_PDEATHSIG, 0) == 0, "cleared");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getuid() != 0) {
		printf("mp_pdeathsig: must start as root (uid %u)\n", getuid());
		CHECK(0, "started as root");
		return gt_finish();
	}
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
	test_get_inherit_clear();
	test_parent_exits();
	test_parent_thread_exits();
	return gt_finish();
}
