// SPDX-License-Identifier: GPL-2.0
/*
 * A zombie whose parent exits is reparented to the reaper (the sandbox's
 * pid 1, natively a child subreaper, which Linux treats the same way in
 * reparent_leader(); then, in both, a PR_SET_CHILD_SUBREAPER process
 * below it), and its exit is reported to the reaper again:
 * - reaper ignores SIGCHLD (SIG_IGN): the zombie is reaped at once;
 * - SA_NOCLDWAIT with a handler: reaped at once, and the handler gets the
 *   zombie's SIGCHLD (CLD_EXITED, its status);
 * - SIG_DFL (the control): it stays a zombie, and waitpid collects it.
 * ("mp_": fork.)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

#define ZOMBIE_STATUS	7

static volatile sig_atomic_t seen_pid, seen_code, seen_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_status == ZOMBIE_STATUS) {
		seen_pid = si->si_pid;
		seen_code = si->si_code;
		seen_status = si->si_status;
	}
}

static void set_chld(void (*handler)(int), int flags)
{
	struct sigaction sa = { 0 };

	if (flags & SA_SIGINFO)
		sa.sa_sigaction = on_chld;
	else
		sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction(SIGCHLD)");
}

/*
 * A child A that forks B; B exits with ZOMBIE_STATUS, A waits until B is
 * a zombie (without reaping it), tells its pid, waits for the go-ahead and
 * exits: B is reparented as a zombie. Returns B's pid; *a: A's.
 */
static pid_t make_orphan_zombie(pid_t *a, int *go)
{
	int tell[2], goes[2];
	pid_t b = 0;

	if (pipe(tell) || pipe(goes))
		return -1;
	*a = fork();
	if (*a == 0) {
		siginfo_t si;
		char c;

		close(tell[0]);
		close(goes[1]);
		b = fork();
		if (b == 0)
			_exit(ZOMBIE_STATUS);
		if (b < 0)
			_exit(2);
		/* WNOWAIT: B stays a zombie. */
		if (waitid(P_PID, b, &si, WEXITED | WNOWAIT))
			_exit(3);
		if (write(tell[1], &b, sizeof(b)) != sizeof(b))
			_exit(4);
		if (read(goes[0], &c, 1) != 1)
			_exit(5);
		_exit(0);
	}
	close(tell[1]);
	close(goes[0]);
	if (*a < 0 || read(tell[0], &b, sizeof(b)) != sizeof(b))
		b = -1;
	close(tell[0]);
	*go = goes[1];
	return b;
}

/* Lets A exit, and waits until it is gone (reaped by whoever). */
static void release(pid_t a, int go, bool autoreap)
{
	int status;

	CHECK(write(go, "g", 1) == 1, "go-ahead");
	close(go);
	if (autoreap) {
		/* A is reaped at once too: waitpid waits for it to go,
		 * then finds no such child. */
		CHECK_ERR(waitpid(a, &status, 0), ECHILD);
	} else {
		CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, "A exits with 0 (status %#x)", status);
	}
}

static void test_ignored(void)
{
	pid_t a, b;
	int go;

	set_chld(SIG_DFL, 0);
	b = make_orphan_zombie(&a, &go);
	CHECK(b > 0, "B's pid");
	set_chld(SIG_IGN, 0);
	release(a, go, true);
	/* By the time A is gone, its zombie B was reaped: nothing to
	 * signal, nothing to wait for. */
	CHECK_ERR(kill(b, 0), ESRCH);
	CHECK_ERR(waitpid(b, NULL, WNOHANG), ECHILD);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
	set_chld(SIG_DFL, 0);
}

static void test_nocldwait(void)
{
	pid_t a, b;
	int go, i;

	set_chld(SIG_DFL, 0);
	b = make_orphan_zombie(&a, &go);
	CHECK(b > 0, "B's pid");
	seen_pid = seen_code = seen_status = 0;
	set_chld(NULL, SA_SIGINFO | SA_NOCLDWAIT | SA_RESTART);
	release(a, go, true);
	CHECK_ERR(kill(b, 0), ESRCH);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
	/* The handler ran for B's reported exit (by now, or very soon). */
	for (i = 0; i < 100 && seen_pid != b; i++)
		usleep(10000);
	CHECK(seen_pid == b && seen_code == CLD_EXITED && seen_status == ZOMBIE_STATUS,
	      "SIGCHLD for the reparented zombie %d: pid %d code %d status %d",
	      b, (int)seen_pid, (int)seen_code, (int)seen_status);
	set_chld(SIG_DFL, 0);
}

static void test_default(void)
{
	pid_t a, b, w;
	int go, status = 0;

	set_chld(SIG_DFL, 0);
	b = make_orphan_zombie(&a, &go);
	CHECK(b > 0, "B's pid");
	release(a, go, false);
	/* B is ours now, still a zombie: kill(b, 0) finds it. */
	CHECK(kill(b, 0) == 0, "the zombie %d is there to signal", b);
	w = waitpid(b, &status, 0);
	CHECK(w == b && WIFEXITED(status) && WEXITSTATUS(status) == ZOMBIE_STATUS,
	      "waitpid(%d) = %d, status %#x", b, w, status);
	CHECK_ERR(kill(b, 0), ESRCH);
}

static void run_all(void)
{
	test_default();
	test_ignored();
	test_nocldwait();
}

/* A subreaper below the top: the orphans of its descendants come to it,
 * not to the top; the attribute is not inherited. */
static void test_subreaper(void)
{
	int status = 0, flag = -1;
	pid_t s, g;

	s = fork();
	if (s == 0) {
		CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
		CHECK(prctl(PR_GET_CHILD_SUBREAPER, &flag) == 0 && flag == 1,
		      "PR_GET_CHILD_SUBREAPER: %d", flag);
		g = fork();
		if (g == 0) {
			flag = -1;
			_exit(prctl(PR_GET_CHILD_SUBREAPER, &flag) == 0 && flag == 0 ? 0 : 1);
		}
		CHECK(waitpid(g, &status, 0) == g && status == 0,
		      "a child of the subreaper is not one (status %#x)", status);
		run_all();
		_exit(gt_failures ? 1 : 0);
	}
	CHECK(s > 0 && waitpid(s, &status, 0) == s, "the subreaper's fork and wait");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the checks under the subreaper (status %#x)", status);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The reaper: the sandbox's pid 1, or natively a subreaper. */
	if (getpid() != 1)
		CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
	run_all();
	test_subreaper();
	return gt_finish();
}
