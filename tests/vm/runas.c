// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID GID PROGRAM [ARGS...]: runs PROGRAM with all user ids UID, all
 * group ids GID and no supplementary groups (tests/vm/run-all.sh: a second
 * host user; the VM's busybox has no setpriv --reuid and no passwd file).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long uid, gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID PROGRAM [ARGS...]\n");
		return 2;
	}
	uid = strtoul(argv[1], &end, 10);
	if (*end)
		return 2;
	gid = strtoul(argv[2], &end, 10);
	if (*end)
		return 2;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		perror("runas");
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
