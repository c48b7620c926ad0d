// SPDX-License-Identifier: GPL-2.0
/*
 * kill(-pgid, sig) reaches every process of a large group: 100 children in
 * one process group (more than any fixed bound on kill's targets), each
 * with a SIGUSR1 handler that exits with status 42; one kill(-pgid) must
 * end all of them. Then kill(-pgid, 0) on the empty group is ESRCH.
 * ("mp_": fork. Under lbx-launch it needs --max-procs above 101:
 * tests/vm/run-all.sh gives it 128.)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define NCHILD		100
#define HANDLED		42

static void on_usr1(int sig)
{
	(void)sig;
	_exit(HANDLED);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void child(pid_t pgid, int ready)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* The first child leads the group; the others join it. The parent
	 * does the same, so neither order loses. */
	if (setpgid(0, pgid ? pgid : 0))
		_exit(3);
	if (write(ready, "r", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

int main(void)
{
	pid_t pids[NCHILD], pgid = 0;
	int fds[2], i, nready = 0, handled = 0, other = 0, left = NCHILD;
	char buf[NCHILD];

	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(pipe(fds) == 0, "pipe");
	for (i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(fds[0]);
			child(pgid, fds[1]);
		}
		CHECK(pids[i] > 0, "fork %d", i);
		if (pids[i] < 0) {
			left = i;
			break;
		}
		if (!pgid)
			pgid = pids[0];
		/* EACCES: the child has already joined (it may even have
		 * exec'd, not here); ESRCH cannot happen before it is reaped. */
		if (setpgid(pids[i], pgid) && errno != EACCES)
			CHECK(0, "setpgid(%d, %d)", pids[i], pgid);
	}
	close(fds[1]);
	while (nready < left) {
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		nready += (int)n;
	}
	CHECK(nready == left && left == NCHILD, "%d of %d children ready", nready, NCHILD);
	for (i = 0; i < left; i++)
		CHECK(getpgid(pids[i]) == pgid, "child %d in group %d", pids[i], pgid);

	/* One kill for the whole group. */
	CHECK(kill(-pgid, SIGUSR1) == 0, "kill(-%d, SIGUSR1)", pgid);

	/* Each child exits with HANDLED; allow 20 s in all (TCG). */
	for (i = 0; i < 2000 && handled + other < left; i++) {
		int status;
		pid_t w;

		while ((w = waitpid(-pgid, &status, WNOHANG)) > 0) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == HANDLED)
				handled++;
			else
				other++;
		}
		if (handled + other < left)
			msleep(10);
	}
	CHECK(handled == NCHILD && other == 0,
	      "%d children ran their handler, %d ended otherwise, %d never got the signal",
	      handled, other, left - handled - other);
	if (handled + other < left) {
		/* The ones the signal missed: end them, so the test ends. */
		for (i = 0; i < left; i++)
			kill(pids[i], SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	/* Every member is reaped: the group is gone. */
	CHECK_ERR(kill(-pgid, 0), ESRCH);
	CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
	return gt_finish();
}
