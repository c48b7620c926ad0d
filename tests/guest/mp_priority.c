// SPDX-License-Identifier: GPL-2.0
/*
 * Nice values and who may change them (Linux's setpriority/set_one_prio):
 * clamping to -20..19, getpriority's 20 - nice, PRIO_PGRP and PRIO_USER;
 * lowering a nice value needs capabilities or RLIMIT_NICE (EACCES), and
 * changing another user's process needs a matching uid (EPERM); raising a
 * hard rlimit needs capabilities. Starts as root (the reference run and
 * lbx-launch's default); the unprivileged cases run in forked children
 * after setuid(). Multi-process ("mp_"): lbx-run skips it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

#define UID_A	4321	/* ids no host process is expected to have */
#define UID_B	4322
#define UID_NONE 4329

static long raw_getpriority(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

/* A child that sleeps until killed, in process group pgid (0: its own)
 * and, when uid is not 0, as that user. Returns its pid. */
static pid_t sleeper(pid_t pgid, uid_t uid)
{
	int p[2];
	pid_t c;
	char b = 0;

	if (pipe(p))
		return -1;
	c = fork();
	if (c == 0) {
		close(p[0]);
		if (setpgid(0, pgid) || (uid && setuid(uid)))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (c < 0 || read(p[0], &b, 1) != 1 || b != 'r')
		c = -1;
	close(p[0]);
	return c;
}

static void reap(pid_t c)
{
	int st;

	kill(c, SIGKILL);
	waitpid(c, &st, 0);
}

static void test_root(void)
{
	errno = 0;
	CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0 && getpriority(PRIO_PROCESS, 0) == 5 &&
	      errno == 0, "nice 5");
	CHECK(raw_getpriority(PRIO_PROCESS, 0) == 15, "the raw call gives 20 - nice: %ld",
	      raw_getpriority(PRIO_PROCESS, 0));
	CHECK(setpriority(PRIO_PROCESS, 0, 100) == 0 && getpriority(PRIO_PROCESS, 0) == 19,
	      "clamped to 19");
	CHECK(raw_getpriority(PRIO_PROCESS, 0) == 1, "20 - 19");
	/* Lower (a better priority): root may. */
	CHECK(setpriority(PRIO_PROCESS, 0, -100) == 0 && getpriority(PRIO_PROCESS, 0) == -20,
	      "clamped to -20");
	CHECK(raw_getpriority(PRIO_PROCESS, 0) == 40, "20 + 20");
	CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0, "back to 0");
	CHECK_ERR(setpriority(3, 0, 0), EINVAL);
	CHECK_ERR(setpriority(PRIO_PROCESS, 0x3ffffff0, 0), ESRCH);
	CHECK_ERR(setpriority(PRIO_USER, UID_NONE, 0), ESRCH);
	CHECK_ERR(getpriority(PRIO_USER, UID_NONE), ESRCH);
}

static void test_pgrp_and_user(void)
{
	pid_t a, b, u;

	a = sleeper(0, 0);
	b = a > 0 ? sleeper(a, 0) : -1;
	u = sleeper(0, UID_A);
	CHECK(a > 0 && b > 0 && u > 0, "children");
	if (a <= 0 || b <= 0 || u <= 0)
		goto out;
	CHECK(setpriority(PRIO_PGRP, a, 7) == 0, "PRIO_PGRP");
	CHECK(getpriority(PRIO_PROCESS, a) == 7 && getpriority(PRIO_PROCESS, b) == 7,
	      "both members: %d %d", getpriority(PRIO_PROCESS, a),
	      getpriority(PRIO_PROCESS, b));
	CHECK(getpriority(PRIO_PROCESS, 0) == 0, "the caller is not in that group");
	CHECK(setpriority(PRIO_PROCESS, b, 3) == 0, "one member");
	CHECK(getpriority(PRIO_PGRP, a) == 3 && raw_getpriority(PRIO_PGRP, a) == 17,
	      "PRIO_PGRP reads the best: %d", getpriority(PRIO_PGRP, a));

	CHECK(setpriority(PRIO_USER, UID_A, 9) == 0, "PRIO_USER");
	CHECK(getpriority(PRIO_PROCESS, u) == 9, "the user's process: %d",
	      getpriority(PRIO_PROCESS, u));
	CHECK(getpriority(PRIO_USER, UID_A) == 9, "PRIO_USER reads it");
	CHECK(getpriority(PRIO_PROCESS, a) == 7, "another user's untouched");
out:
	if (a > 0)
		reap(a);
	if (b > 0)
		reap(b);
	if (u > 0)
		reap(u);
}

/* Whether the caller has CAP_SYS_RESOURCE (/proc/self/status CapEff). */
static int cap_sys_resource(void)
{
	unsigned long long eff = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return !!(eff & (1ULL << 24));
}

/*
 * Runs fn in a child, as uid with RLIMIT_NICE rlim (set while still root);
 * the child's checks count through its exit status. Raising the hard
 * limit needs CAP_SYS_RESOURCE, which a root without it (a container)
 * lacks: then the refusal is checked and fn does not run (said so).
 */
static void as_user(void (*fn)(void), uid_t uid, rlim_t rlim)
{
	struct rlimit rl = { rlim, rlim }, cur;
	int st = -1;
	pid_t c;

	c = fork();
	if (c == 0) {
		gt_failures = 0;
		CHECK(getrlimit(RLIMIT_NICE, &cur) == 0, "getrlimit");
		if (rlim > cur.rlim_max && cap_sys_resource() == 0) {
			CHECK_ERR(setrlimit(RLIMIT_NICE, &rl), EPERM);
			printf("  note: no CAP_SYS_RESOURCE here: RLIMIT_NICE %lu not tested\n",
			       (unsigned long)rlim);
			_exit(gt_failures ? 1 : 0);
		}
		CHECK(setrlimit(RLIMIT_NICE, &rl) == 0, "RLIMIT_NICE %lu", (unsigned long)rlim);
		CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0 && setuid(uid) == 0, "setuid");
		if (!gt_failures)
			fn();
		_exit(gt_failures ? 1 : 0);
	}
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the unprivileged child's checks (status %#x)", st);
}

static pid_t other;	/* a process of UID_B */

static void unprivileged_no_rlimit(void)
{
	struct rlimit rl = { 30, 30 };

	CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0, "raising nice is allowed");
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, 4), EACCES);
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, -20), EACCES);
	CHECK(getpriority(PRIO_PROCESS, 0) == 5, "unchanged by the refusals");
	CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0, "the same value again");
	CHECK(setpriority(PRIO_PROCESS, 0, 12) == 0, "higher again");
	/* Another user's process (root's, UID_B's): EPERM. */
	CHECK_ERR(setpriority(PRIO_PROCESS, getppid(), 19), EPERM);
	CHECK_ERR(setpriority(PRIO_PROCESS, other, 19), EPERM);
	CHECK_ERR(setpriority(PRIO_USER, UID_B, 19), EPERM);
	CHECK(getpriority(PRIO_PROCESS, other) == 0, "UID_B's nice unchanged");
	/* The hard limit cannot be raised without capabilities. */
	CHECK_ERR(setrlimit(RLIMIT_NICE, &rl), EPERM);
}

static void unprivileged_rlimit_25(void)
{
	struct rlimit rl = { 0, 0 };

	/* RLIMIT_NICE 25: down to nice 20 - 25 = -5. */
	CHECK(setpriority(PRIO_PROCESS, 0, -5) == 0, "-5 within RLIMIT_NICE 25");
	CHECK(getpriority(PRIO_PROCESS, 0) == -5, "reads -5");
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, -6), EACCES);
	/* Its own processes (same uid) by PRIO_USER. */
	CHECK(setpriority(PRIO_USER, 0, 2) == 0, "PRIO_USER 0: the caller's uid");
	CHECK(getpriority(PRIO_PROCESS, 0) == 2, "reads 2");
	/* Lowering the limits is allowed; then the nice can only rise. */
	CHECK(setrlimit(RLIMIT_NICE, &rl) == 0, "RLIMIT_NICE 0");
	CHECK_ERR(setpriority(PRIO_PROCESS, 0, 1), EACCES);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (geteuid() != 0) {
		printf("  needs to start as root (uid %d)\n", (int)geteuid());
		gt_failures++;
		return gt_finish();
	}
	test_root();
	test_pgrp_and_user();
	other = sleeper(0, UID_B);
	CHECK(other > 0, "a process of another user");
	as_user(unprivileged_no_rlimit, UID_A, 0);
	as_user(unprivileged_rlimit_25, UID_A, 25);
	if (other > 0)
		reap(other);
	return gt_finish();
}
