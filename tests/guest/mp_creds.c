// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials across processes: inherited over fork, kept over execve
 * (saved ids follow the effective ones, capabilities recomputed), kill(2)'s
 * permission between processes of different users (EPERM, the SIGCONT
 * exception, group kills), /proc/PID/status of another process, and
 * waitid's si_uid. Starts as root; children drop privileges. Multi-process
 * ("mp_"): runs natively and under lbx-launch.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

static char *self;

/* In a child: counts its own failed checks into its exit status. */
#define CHILD_CHECK(cond) do { if (!(cond)) { \
	printf("  child check failed at line %d: %s (errno %d)\n", __LINE__, #cond, errno); \
	fails++; } } while (0)

static int ids(uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;

	return getresuid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

static uint64_t cap_eff_prm(uint64_t *prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return ~0ULL;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int wait_ok(pid_t pid, const char *what)
{
	int status = -1;

	if (waitpid(pid, &status, 0) != pid) {
		printf("  waitpid %s failed\n", what);
		return 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("  %s: status %#x\n", what, status);
		return 0;
	}
	return 1;
}

static void test_fork_inherits(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fails = 0;
		pid_t g;

		CHILD_CHECK(setgroups(0, NULL) == 0);
		CHILD_CHECK(setresgid(1000, 1001, 1002) == 0);
		CHILD_CHECK(setresuid(1000, 2000, 3000) == 0);
		g = fork();
		if (g == 0) {
			gid_t a, b, c;
			uint64_t prm, eff = cap_eff_prm(&prm);

			fails = 0;
			CHILD_CHECK(ids(1000, 2000, 3000));
			CHILD_CHECK(getresgid(&a, &b, &c) == 0 && a == 1000 && b == 1001 && c == 1002);
			CHILD_CHECK(setfsuid(-1) == 2000 && setfsgid(-1) == 1001);
			CHILD_CHECK(eff == 0 && prm == 0);
			CHILD_CHECK(getgroups(0, NULL) == 0);
			_exit(fails);
		}
		CHILD_CHECK(g > 0 && wait_ok(g, "grandchild"));
		_exit(fails);
	}
	CHECK(pid > 0 && wait_ok(pid, "child"), "a grandchild has its parent's credentials");
	CHECK(getuid() == 0 && geteuid() == 0, "the parent stays root");
}

/* After execve: what the re-executed test sees (argv[1] "exec-check"). */
static int exec_check(void)
{
	uint64_t prm, eff = cap_eff_prm(&prm);
	int fails = 0;
	char line[256];
	FILE *f;

	CHILD_CHECK(ids(1000, 2000, 2000));	/* saved = effective */
	CHILD_CHECK(setfsuid(-1) == 2000);
	CHILD_CHECK(eff == 0 && prm == 0);	/* no uid 0 left: none */
	CHILD_CHECK(getauxval(AT_UID) == 1000 && getauxval(AT_EUID) == 2000);
	CHILD_CHECK(getauxval(AT_SECURE) == 1);	/* euid != uid */
	f = fopen("/proc/self/status", "r");
	CHILD_CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4))
			CHILD_CHECK(!strcmp(line, "Uid:\t1000\t2000\t2000\t2000\n"));
	if (f)
		fclose(f);
	return fails;
}

static void test_exec_keeps(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { self, "exec-check", NULL };

		/* A saved root uid keeps capabilities until the exec. */
		if (setresuid(1000, 2000, 0))
			_exit(100);
		execv(self, argv);
		printf("  execv %s: %s\n", self, strerror(errno));
		fflush(stdout);
		_exit(101);
	}
	CHECK(pid > 0 && wait_ok(pid, "exec-check"),
	      "execve keeps the real and effective uid, saved uid = euid, no capabilities");
}

/* A child that becomes uid (real, effective, saved), in its own process
 * group if own_group, says so on the pipe and waits to be killed. */
static pid_t sleeper(uid_t r, uid_t e, uid_t s, int own_group)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (own_group)
			setpgid(0, 0);
		if (setresuid(r, e, s))
			_exit(100);
		write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

/* A child with ids (r, e, s) that runs fn(target) and exits with its
 * failures. */
static int as_user(uid_t r, uid_t e, uid_t s, int (*fn)(pid_t), pid_t target)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setresuid(r, e, s))
			_exit(100);
		_exit(fn(target));
	}
	return pid > 0 && wait_ok(pid, "as_user");
}

static int other_user_kills(pid_t a)
{
	int fails = 0;

	errno = 0;
	CHILD_CHECK(kill(a, 0) == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(kill(a, SIGTERM) == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(kill(getppid(), 0) == -1 && errno == EPERM);	/* root's */
	errno = 0;
	CHILD_CHECK(kill(-a, 0) == -1 && errno == EPERM);	/* a's own group */
	errno = 0;
	CHILD_CHECK(syscall(SYS_tgkill, a, a, 0) == -1 && errno == EPERM);
	errno = 0;
	CHILD_CHECK(sigqueue(a, SIGUSR1, (union sigval){ 0 }) == -1 && errno == EPERM);
	CHILD_CHECK(kill(getpid(), 0) == 0);
	CHILD_CHECK(kill(0, 0) == 0);	/* itself among its group's */
	CHILD_CHECK(kill(-1, 0) == 0);	/* targets found: success */
	CHILD_CHECK(kill(a, SIGCONT) == 0);	/* same session */
	return fails;
}

static int same_user_kills(pid_t a)
{
	int fails = 0;

	CHILD_CHECK(kill(a, 0) == 0);
	CHILD_CHECK(kill(-a, 0) == 0);
	CHILD_CHECK(syscall(SYS_tgkill, a, a, 0) == 0);
	return fails;
}

static void test_kill_permission(void)
{
	pid_t a = sleeper(1000, 1000, 1000, 1);
	char path[64], line[256];
	siginfo_t si;
	FILE *f;

	CHECK(a > 0, "a uid 1000 process");
	if (a <= 0)
		return;
	CHECK(as_user(2000, 2000, 2000, other_user_kills, a),
	      "uid 2000 may not signal uid 1000 (but SIGCONT in its session)");
	CHECK(as_user(1000, 1000, 1000, same_user_kills, a), "the same uid may");
	CHECK(as_user(3000, 1000, 3000, same_user_kills, a), "an euid equal to its uid may");
	CHECK(as_user(1000, 3000, 3000, same_user_kills, a), "a real uid equal to its uid may");
	CHECK(as_user(3000, 3000, 1000, other_user_kills, a), "a saved uid does not count");

	snprintf(path, sizeof(path), "/proc/%d/status", a);
	f = fopen(path, "r");
	CHECK(f != NULL, "open %s", path);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4))
			CHECK(!strcmp(line, "Uid:\t1000\t1000\t1000\t1000\n"),
			      "another process's Uid: line '%s'", line);
	if (f)
		fclose(f);

	CHECK(kill(a, SIGTERM) == 0, "root may signal anybody");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, a, &si, WEXITED) == 0 && si.si_code == CLD_KILLED &&
	      si.si_status == SIGTERM, "waitid: killed by SIGTERM");
	CHECK(si.si_uid == 1000, "waitid's si_uid is the child's real uid (%u)", si.si_uid);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "exec-check"))
		return exec_check();
	if (getuid() != 0) {
		printf("mp_creds: must start as root (uid %u)\n", getuid());
		printf("FAIL mp_creds (0 checks, 1 failed)\n");
		return 1;
	}
	test_fork_inherits();
	test_exec_keeps();
	test_kill_permission();
	return gt_finish();
}
