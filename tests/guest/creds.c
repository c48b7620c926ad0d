// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials in one process: the set*id rules for root and for an
 * unprivileged process (EPERM), setfsuid/setfsgid, supplementary groups,
 * capget/capset, PR_SET_KEEPCAPS and PR_CAPBSET_READ, /proc/self/status,
 * and file access by the fs ids (EACCES on a root-only file; new files get
 * fsuid:fsgid; access(2) by the real ids). Starts as root and drops its
 * privileges itself, for good at the end. Runs natively (as root) first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "guest_test.h"

#define CAP_BIT(c)	(1ULL << (c))

/* Files in a directory of uid 1000's, which can remove them at the end. */
static char dir[64], root_only[80], shared_ro[80], made[80];

static void resids(uid_t *r, uid_t *e, uid_t *s)
{
	CHECK(getresuid(r, e, s) == 0, "getresuid");
}

static int ids_are(uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;

	resids(&a, &b, &c);
	if (a == r && b == e && c == s)
		return 1;
	printf("  uids %u %u %u, expected %u %u %u\n", a, b, c, r, e, s);
	return 0;
}

static int gids_are(gid_t r, gid_t e, gid_t s)
{
	gid_t a, b, c;

	CHECK(getresgid(&a, &b, &c) == 0, "getresgid");
	if (a == r && b == e && c == s)
		return 1;
	printf("  gids %u %u %u, expected %u %u %u\n", a, b, c, r, e, s);
	return 0;
}

/* The effective and permitted sets (v3, 64 bits). */
static void caps(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	CHECK(syscall(SYS_capget, &h, d) == 0, "capget");
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static int capset_to(uint64_t eff, uint64_t prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	return syscall(SYS_capset, &h, d);
}

/* The value of a /proc/self/status line ("Uid:" ...), without the newline. */
static int status_line(const char *key, char *out, size_t size)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key))) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "%s", line + strlen(key));
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static int status_is(const char *key, const char *want)
{
	char got[256];

	if (!status_line(key, got, sizeof(got))) {
		printf("  no %s line in /proc/self/status\n", key);
		return 0;
	}
	if (!strcmp(got, want))
		return 1;
	printf("  /proc/self/status %s '%s', expected '%s'\n", key, got, want);
	return 0;
}

static int can_open(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Creates made[] and answers its owner. */
static int made_owner(uid_t *uid, gid_t *gid)
{
	struct stat st;
	int fd;

	unlink(made);
	fd = open(made, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	if (stat(made, &st))
		return -errno;
	*uid = st.st_uid;
	*gid = st.st_gid;
	return 0;
}

static void root_state(void)
{
	gid_t groups[8] = { 30, 10, 20 }, got[8];
	uint64_t eff, prm;
	uid_t u;
	gid_t g;

	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0,
	      "starts as root");
	CHECK(ids_are(0, 0, 0), "root's real, effective and saved uid");
	caps(&eff, &prm);
	CHECK((eff & CAP_BIT(CAP_SETUID)) && (eff & CAP_BIT(CAP_KILL)) &&
	      (eff & CAP_BIT(CAP_DAC_OVERRIDE)) && eff == prm,
	      "root's capabilities: effective %llx permitted %llx",
	      (unsigned long long)eff, (unsigned long long)prm);

	/* Supplementary groups: sorted, bounded, root only. */
	CHECK(setgroups(3, groups) == 0, "setgroups");
	CHECK(getgroups(0, NULL) == 3, "getgroups(0) counts");
	CHECK(getgroups(8, got) == 3 && got[0] == 10 && got[1] == 20 && got[2] == 30,
	      "getgroups gives the groups sorted: %u %u %u", got[0], got[1], got[2]);
	CHECK_ERR(getgroups(2, got), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
	groups[1] = (gid_t)-1;
	CHECK_ERR(setgroups(3, groups), EINVAL);
	CHECK(status_is("Groups:", "\t10 20 30 "), "Groups: line");
	CHECK(status_is("Uid:", "\t0\t0\t0\t0"), "Uid: line");

	/* The fs ids: what file access and new files use. */
	CHECK(setfsuid(1000) == 0, "setfsuid returns the old fsuid");
	CHECK(setfsuid(-1) == 1000, "setfsuid(-1) answers the current fsuid");
	CHECK(status_is("Uid:", "\t0\t0\t0\t1000"), "Uid: shows fsuid 1000");
	CHECK(can_open(root_only, O_RDONLY) == -EACCES, "fsuid 1000 cannot read a 0600 root file");
	CHECK(can_open(shared_ro, O_RDONLY) == 0, "fsuid 1000 reads a 0644 file");
	CHECK(can_open(shared_ro, O_WRONLY) == -EACCES, "fsuid 1000 cannot write a 0644 root file");
	CHECK(access(root_only, R_OK) == 0, "access(2) checks the real uid (root)");
	CHECK(setfsgid(500) == 0, "setfsgid returns the old fsgid");
	CHECK(made_owner(&u, &g) == 0 && u == 1000 && g == 500,
	      "a new file belongs to fsuid:fsgid (%u:%u)", u, g);
	CHECK(setfsuid(0) == 1000 && setfsgid(0) == 500, "fs ids back to root");
	CHECK(can_open(root_only, O_RDONLY) == 0, "fsuid 0 reads the root file again");
	CHECK(made_owner(&u, &g) == 0 && u == 0 && g == 0, "new files root's again");

	/* gids, as root. */
	CHECK(setresgid(100, 200, 300) == 0 && gids_are(100, 200, 300), "setresgid");
	CHECK(setfsgid(-1) == 200, "setresgid sets fsgid to the egid");
	CHECK(setregid(-1, 100) == 0 && gids_are(100, 100, 300),
	      "setregid(-1, rgid) keeps the saved gid");
	CHECK(setregid(-1, 300) == 0 && gids_are(100, 300, 300),
	      "setregid(-1, other) sets the saved gid to the egid");
	CHECK(setgid(7) == 0 && gids_are(7, 7, 7), "setgid as root sets all three");
	CHECK(setgid(0) == 0 && gids_are(0, 0, 0), "setgid(0)");
	CHECK_ERR(setgid(-1), EINVAL);
	CHECK_ERR(setuid(-1), EINVAL);
	CHECK(setresuid(-1, -1, -1) == 0 && setreuid(-1, -1) == 0, "no-op changes succeed");

	/* A saved root uid keeps the permitted set; euid 0 raises it. */
	CHECK(setresuid(1000, 1000, 0) == 0 && ids_are(1000, 1000, 0), "setresuid 1000 1000 0");
	caps(&eff, &prm);
	CHECK(eff == 0 && prm != 0, "euid 1000, suid 0: no effective, permitted kept");
	CHECK(can_open(root_only, O_RDONLY) == -EACCES, "euid 1000 cannot read the root file");
	CHECK(setfsuid(0) == 1000, "setfsuid to the saved uid");
	CHECK(can_open(root_only, O_RDONLY) == 0, "fsuid 0 (a saved root) reads it");
	CHECK(setfsuid(1000) == 0, "fsuid back to 1000");
	CHECK(setuid(0) == 0 && ids_are(1000, 0, 0), "unprivileged setuid to the saved uid");
	caps(&eff, &prm);
	CHECK(eff == prm && eff != 0, "euid 0 again: effective = permitted");
	CHECK(setresuid(0, 0, 0) == 0 && ids_are(0, 0, 0), "back to root");

	/* PR_SET_KEEPCAPS keeps the permitted set when no uid is 0. */
	CHECK(prctl(PR_CAPBSET_READ, CAP_SETUID) == 1, "CAP_SETUID is in the bounding set");
	CHECK_ERR(prctl(PR_CAPBSET_READ, 63), EINVAL);
	CHECK(prctl(PR_GET_KEEPCAPS) == 0, "keepcaps off by default");
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2), EINVAL);
	CHECK(prctl(PR_SET_KEEPCAPS, 1) == 0 && prctl(PR_GET_KEEPCAPS) == 1, "keepcaps on");
	CHECK(setreuid(1000, 2000) == 0 && ids_are(1000, 2000, 2000),
	      "setreuid sets the saved uid to the new euid");
	caps(&eff, &prm);
	CHECK(eff == 0 && prm != 0, "keepcaps: permitted kept, effective dropped");
	CHECK_ERR(setuid(0), EPERM);
	CHECK(capset_to(prm, prm) == 0, "capset raises the effective set from the permitted");
	caps(&eff, &prm);
	CHECK(eff == prm, "effective = permitted after capset");
	CHECK(setresuid(0, 0, 0) == 0 && ids_are(0, 0, 0), "capable again: back to root");
	CHECK(prctl(PR_SET_KEEPCAPS, 0) == 0, "keepcaps off");
}

static void unprivileged(void)
{
	gid_t groups[1] = { 4000 }, got[4];
	uint64_t eff, prm;
	uid_t u;
	gid_t g;

	/* Every root id goes: the capabilities go with them, for good. */
	CHECK(setgroups(1, groups) == 0, "setgroups 4000");
	CHECK(setresgid(1000, 1000, 1000) == 0, "setresgid 1000");
	CHECK(setresuid(1000, 2000, 3000) == 0 && ids_are(1000, 2000, 3000),
	      "setresuid 1000 2000 3000");
	caps(&eff, &prm);
	CHECK(eff == 0 && prm == 0, "no capabilities left (eff %llx prm %llx)",
	      (unsigned long long)eff, (unsigned long long)prm);
	CHECK(status_is("Uid:", "\t1000\t2000\t3000\t2000"), "Uid: line");
	CHECK(status_is("Gid:", "\t1000\t1000\t1000\t1000"), "Gid: line");
	CHECK(status_is("Groups:", "\t4000 "), "Groups: line");
	CHECK(status_is("CapEff:", "\t0000000000000000"), "CapEff: line");
	CHECK(capset_to(0, 0) == 0, "capset to nothing is allowed");
	CHECK(capset_to(CAP_BIT(CAP_KILL), CAP_BIT(CAP_KILL)) == -1 && errno == EPERM,
	      "capset cannot raise the permitted set");

	/* Linux's rules without CAP_SETUID / CAP_SETGID. */
	CHECK(setuid(3000) == 0 && ids_are(1000, 3000, 3000), "setuid to the saved uid");
	CHECK_ERR(setresuid(2000, -1, -1), EPERM);
	CHECK(setreuid(3000, 1000) == 0 && ids_are(3000, 1000, 1000),
	      "setreuid swaps real and effective (saved follows)");
	CHECK(setreuid(-1, 3000) == 0 && ids_are(3000, 3000, 1000),
	      "setreuid(-1, ruid) keeps the saved uid");
	CHECK(setuid(1000) == 0 && ids_are(3000, 1000, 1000), "setuid to the saved uid again");
	CHECK_ERR(setuid(0), EPERM);
	CHECK_ERR(seteuid(0), EPERM);
	CHECK_ERR(setreuid(0, -1), EPERM);
	CHECK_ERR(setresuid(-1, -1, 0), EPERM);
	CHECK(setfsuid(0) == 1000 && setfsuid(-1) == 1000, "setfsuid(0) is ignored");
	CHECK_ERR(setgid(0), EPERM);
	CHECK_ERR(setregid(0, -1), EPERM);
	CHECK_ERR(setresgid(-1, 0, -1), EPERM);
	CHECK(setfsgid(0) == 1000 && setfsgid(-1) == 1000, "setfsgid(0) is ignored");
	CHECK_ERR(setgroups(0, NULL), EPERM);
	CHECK(getgroups(4, got) == 1 && got[0] == 4000, "the groups stay");

	/* File access as uid 1000. */
	CHECK(can_open(root_only, O_RDONLY) == -EACCES, "EACCES on a 0600 root file");
	CHECK(can_open(shared_ro, O_RDONLY) == 0, "a 0644 file is readable");
	CHECK(can_open(shared_ro, O_RDWR) == -EACCES, "a 0644 root file is not writable");
	CHECK_ERR(access(root_only, R_OK), EACCES);
	CHECK_ERR(chmod(root_only, 0644), EPERM);
	CHECK_ERR(chown(shared_ro, 1000, 1000), EPERM);
	CHECK(made_owner(&u, &g) == 0 && u == 1000 && g == 1000,
	      "a new file belongs to 1000:1000 (%u:%u)", u, g);
	CHECK(chown(made, -1, 4000) == 0, "chgrp to a supplementary group");
	CHECK_ERR(chown(made, -1, 5000), EPERM);
}

int main(void)
{
	int fd;

	if (getuid() != 0) {
		printf("creds: must start as root (uid %u)\n", getuid());
		printf("FAIL creds (0 checks, 1 failed)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/creds-%d", getpid());
	snprintf(root_only, sizeof(root_only), "%s/root", dir);
	snprintf(shared_ro, sizeof(shared_ro), "%s/ro", dir);
	snprintf(made, sizeof(made), "%s/made", dir);
	umask(022);
	CHECK(mkdir(dir, 0755) == 0 && chown(dir, 1000, 1000) == 0, "make %s", dir);
	fd = open(root_only, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0, "create the root-only file");
	close(fd);
	fd = open(shared_ro, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0, "create the 0644 file");
	close(fd);

	root_state();
	unprivileged();

	/* Root is gone for good; the directory's owner cleans up. */
	CHECK(unlink(root_only) == 0 && unlink(shared_ro) == 0 && unlink(made) == 0 &&
	      rmdir(dir) == 0, "uid 1000 removes its directory");
	return gt_finish();
}
