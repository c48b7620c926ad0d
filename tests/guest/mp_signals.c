// SPDX-License-Identifier: GPL-2.0
/*
 * Signals between processes: kill() of a child waiting in sigsuspend() or
 * sleeping, SIGCHLD to the parent, default actions as exit causes, process
 * groups as targets.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

static volatile sig_atomic_t got_usr1, got_chld, chld_pid;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_chld++;
	chld_pid = si->si_pid;
}

static void test_kill_wakes_pause(void)
{
	int status, p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		sigset_t block, none;

		/* Blocked until the wait, so an early kill cannot be lost
		 * before it (pause() alone would race with the parent). */
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigprocmask(SIG_BLOCK, &block, NULL);
		signal(SIGUSR1, on_usr1);
		close(p[0]);
		write(p[1], "r", 1);	/* ready */
		sigemptyset(&none);
		sigsuspend(&none);
		_exit(got_usr1 ? 0 : 1);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1, "child ready");
	close(p[0]);
	usleep(50 * 1000);	/* let it reach pause() */
	CHECK(kill(pid, SIGUSR1) == 0, "kill");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child's handler ran and sigsuspend returned (%#x)", status);
}

static void test_kill_default_terminates(void)
{
	struct timespec ts = { .tv_sec = 30 };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		nanosleep(&ts, NULL);
		_exit(0);
	}
	usleep(50 * 1000);
	CHECK(kill(pid, SIGTERM) == 0, "kill");
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGTERM, "killed while sleeping (%#x)", status);
	CHECK_ERR(kill(pid, 0), ESRCH);
}

static void test_sigchld(void)
{
	struct sigaction sa;
	int status, i;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGCHLD, &sa, NULL);
	got_chld = 0;
	pid = fork();
	if (pid == 0)
		_exit(3);
	/* Bounded: a lost SIGCHLD fails the check instead of hanging. */
	for (i = 0; i < 10000 && !got_chld; i++)
		usleep(1000);
	CHECK(got_chld, "SIGCHLD arrived within 10 s");
	CHECK(chld_pid == pid, "SIGCHLD names the child (%d vs %d)", chld_pid, pid);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 3, "reap");
	signal(SIGCHLD, SIG_DFL);
}

static void test_kill_group(void)
{
	int status, i, killed = 0;
	pid_t pids[3];

	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			setpgid(0, i == 0 ? 0 : pids[0]);
			pause();
			_exit(0);
		}
		setpgid(pids[i], pids[0]);
	}
	usleep(50 * 1000);
	CHECK(kill(-pids[0], SIGKILL) == 0, "kill the group");
	for (i = 0; i < 3; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL)
			killed++;
	CHECK(killed == 3, "all three killed (%d)", killed);
}

int main(void)
{
	test_kill_wakes_pause();
	test_kill_default_terminates();
	test_sigchld();
	test_kill_group();
	return gt_finish();
}
