// SPDX-License-Identifier: GPL-2.0
/*
 * Processes: fork, vfork, wait4/waitpid/waitid, exit statuses, signals as
 * exit causes, execve, process groups. Multi-process ("mp_"): runs natively
 * and under lbx-launch; lbx-run (one host process) skips it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

static char *self;

static void test_fork_exit_status(void)
{
	int status = -1;
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid == 0)
		_exit(getppid() == parent ? 7 : 99);
	CHECK(pid > 0, "fork");
	CHECK(pid != parent, "child pid %d differs from parent %d", pid, parent);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "status %#x", status);
	/* Reaped: no child left. */
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR(wait(&status), ECHILD);
}

static void test_memory_is_copied(void)
{
	static volatile int shared = 1;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		shared = 2;
		_exit(shared == 2 ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "child");
	CHECK(shared == 1, "the parent's copy is unchanged (%d)", shared);
}

static void test_killed_by_signal(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);
}

static void test_wnohang_and_waitid(void)
{
	int pipefd_status, status;
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0) {
		usleep(200 * 1000);
		_exit(3);
	}
	pipefd_status = waitpid(pid, &status, WNOHANG);
	CHECK(pipefd_status == 0, "WNOHANG on a running child gave %d", pipefd_status);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT");
	CHECK(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 3,
	      "siginfo pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	/* WNOWAIT left it waitable. */
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 3, "reap");
}

static void test_many_children(void)
{
	int i, status, seen = 0;
	pid_t pids[8];

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(10 + i);
	}
	for (i = 0; i < 8; i++) {
		pid_t p = wait(&status);
		int j;

		for (j = 0; j < 8; j++)
			if (p == pids[j] && WEXITSTATUS(status) == 10 + j)
				seen |= 1 << j;
	}
	CHECK(seen == 0xff, "collected %#x", seen);
}

static volatile sig_atomic_t got_chld, alarmed;

static void on_chld(int sig)
{
	got_chld = 1;
}

static void on_alarm(int sig)
{
	alarmed = 1;
}

/*
 * A shell's wait (busybox ash's waitproc): clear the SIGCHLD flag, poll
 * with WNOHANG, and when nothing is there sleep in sigsuspend() until the
 * next SIGCHLD. A child whose SIGCHLD has arrived must then be found by the
 * WNOHANG poll (on Linux the zombie and the signal come together), or the
 * shell sleeps for ever. An alarm bounds each sleep.
 */
static void test_wnohang_after_sigchld(void)
{
	struct sigaction sa = { .sa_handler = on_chld }, sa_alrm = { .sa_handler = on_alarm };
	struct sigaction old_chld, old_alrm;
	int i, reaped = 0, stuck = 0;
	sigset_t all, prev;

	sigaction(SIGCHLD, &sa, &old_chld);
	sigaction(SIGALRM, &sa_alrm, &old_alrm);
	sigfillset(&all);
	for (i = 0; i < 300 && !stuck; i++) {
		pid_t pid = fork(), r;

		if (pid == 0)
			_exit(0);
		for (;;) {
			got_chld = 0;
			r = waitpid(-1, NULL, WNOHANG);
			if (r != 0)
				break;
			sigprocmask(SIG_SETMASK, &all, &prev);
			alarmed = 0;
			alarm(5);
			while (!got_chld && !alarmed)
				sigsuspend(&prev);
			alarm(0);
			sigprocmask(SIG_SETMASK, &prev, NULL);
			if (alarmed && !got_chld) {
				stuck++;
				waitpid(pid, NULL, 0);
				break;
			}
		}
		reaped += r == pid;
	}
	sigaction(SIGCHLD, &old_chld, NULL);
	sigaction(SIGALRM, &old_alrm, NULL);
	CHECK(!stuck && reaped == 300,
	      "%d of 300 children reaped; a WNOHANG poll after a SIGCHLD found nothing %d time(s)",
	      reaped, stuck);
}

/* A zombie can be signalled (nothing happens) until it is reaped. */
static void test_kill_zombie(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid,
	      "the child is a zombie");
	CHECK(kill(pid, 0) == 0, "kill(zombie, 0) succeeds");
	CHECK(kill(pid, SIGTERM) == 0, "kill(zombie, SIGTERM) succeeds");
	CHECK(kill(-getpgrp(), 0) == 0, "kill(own group, 0) succeeds");
	{
		int status = -1;

		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 3, "reaped: status %#x is its exit code", status);
	}
	CHECK_ERR(kill(pid, 0), ESRCH);
}

static void test_vfork(void)
{
	int status;
	pid_t pid = vfork();

	if (pid == 0)
		_exit(5);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 5,
	      "vfork child status %#x", status);
}

static void test_exec(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { self, "exit-code", "42", NULL };

		execv(self, argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 42, "exec'd child status %#x", status);
	CHECK_ERR(execl("/nonexistent", "x", (char *)NULL), ENOENT);
}

/* Argument and environment strings of every size up to MAX_ARG_STRLEN
 * (131072 bytes with the NUL) reach the new program whole; one byte more
 * is E2BIG. */
static const size_t arg_lens[] = { 0, 1, 255, 256, 257, 2047, 2048, 5000, 131071 };
#define NLENS (sizeof(arg_lens) / sizeof(arg_lens[0]))

static char *filled(size_t len, char c)
{
	char *s = malloc(len + 1);

	if (s) {
		memset(s, c, len);
		s[len] = '\0';
	}
	return s;
}

static int check_arg_lens(char **argv)
{
	const char *env = getenv("LONGENV");
	size_t i, j;

	for (i = 0; i < NLENS; i++) {
		if (!argv[i] || strlen(argv[i]) != arg_lens[i])
			return 1;
		for (j = 0; j < arg_lens[i]; j++)
			if (argv[i][j] != 'a' + (char)(i % 26))
				return 2;
	}
	if (argv[NLENS] || !env || strlen(env) != 70000 || env[69999] != 'e')
		return 3;
	return 43;
}

static void test_exec_long_args(void)
{
	char *argv[NLENS + 4], *envp[2], *big;
	int status, i;
	pid_t pid;

	argv[0] = self;
	argv[1] = "arg-lens";
	for (i = 0; i < (int)NLENS; i++)
		argv[i + 2] = filled(arg_lens[i], 'a' + i % 26);
	argv[NLENS + 2] = NULL;
	envp[0] = filled(70000 + 8, 'e');
	memcpy(envp[0], "LONGENV=", 8);
	envp[1] = NULL;
	pid = fork();
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 43, "exec with long strings: status %#x", status);
	/* An argument, then an environment string, one byte too long. */
	big = filled(131072, 'z');
	argv[NLENS + 2] = big;
	argv[NLENS + 3] = NULL;
	CHECK_ERR(execve(self, argv, envp), E2BIG);
	argv[NLENS + 2] = NULL;
	free(envp[0]);
	envp[0] = big;
	CHECK_ERR(execve(self, argv, envp), E2BIG);
	free(big);
	for (i = 0; i < (int)NLENS; i++)
		free(argv[i + 2]);
}

static void test_process_groups(void)
{
	int status;
	pid_t pid;

	CHECK(getpgid(0) == getpgrp(), "getpgid(0)");
	pid = fork();
	if (pid == 0) {
		if (setpgid(0, 0))
			_exit(1);
		_exit(getpgrp() == getpid() ? 0 : 2);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0,
	      "child in its own group (%#x)", status);
	pid = fork();
	if (pid == 0)
		_exit(setsid() == getpid() && getsid(0) == getpid() ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0,
	      "setsid in a child (%#x)", status);
	CHECK_ERR(setpgid(99999, 0), ESRCH);
}

/* Another process's comm opens for writing (same user), but the write is
 * EINVAL: only a process names itself (Linux's comm_write()). */
static void test_comm_of_another(void)
{
	char path[64];
	int status;
	pid_t pid, parent = getpid();

	pid = fork();
	if (pid == 0) {
		int fd, err;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/comm", parent);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(1);
		n = write(fd, "other", 5);
		err = errno;
		close(fd);
		_exit(n == -1 && err == EINVAL ? 0 : 2);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "a child writing its parent's comm: EINVAL (%#x)", status);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && !strcmp(argv[1], "exit-code"))
		return atoi(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "arg-lens"))
		return check_arg_lens(argv + 2);
	test_fork_exit_status();
	test_memory_is_copied();
	test_killed_by_signal();
	test_wnohang_and_waitid();
	test_many_children();
	test_wnohang_after_sigchld();
	test_kill_zombie();
	test_vfork();
	test_exec();
	test_exec_long_args();
	test_process_groups();
	test_comm_of_another();
	return gt_finish();
}
