// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes: what Linux answers on any file system, whatever its
 * xattr support. LiteBox's file systems keep none (get, set and remove are
 * EOPNOTSUPP, a list is empty); a native run on tmpfs or ext4 may store a
 * user.* attribute, so only what holds for both is checked: which error
 * comes first, and that a fresh file lists nothing and holds no "user."
 * attribute. ls -la calls these on every file it lists.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "guest_test.h"

/* Absent, or not kept at all: both mean "no such attribute" here. */
static int no_attr(ssize_t r)
{
	return r == -1 && (errno == ENODATA || errno == EOPNOTSUPP);
}

int main(void)
{
	char dir[] = "/tmp/lbx-xattr-XXXXXX", file[64], link[64], gone[64];
	char longname[300], buf[64];
	char *big = calloc(1, 65537);
	volatile uintptr_t bad = 1;
	int fd, pfd;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(link, sizeof(link), "%s/dangling", dir);
	snprintf(gone, sizeof(gone), "%s/missing", dir);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0, "create");
	CHECK(symlink(gone, link) == 0, "symlink");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "user.", 5);

	/* A fresh file lists nothing, whatever the buffer. */
	CHECK(listxattr(file, buf, sizeof(buf)) == 0, "listxattr");
	CHECK(listxattr(file, NULL, 0) == 0, "listxattr size query");
	CHECK(llistxattr(link, buf, sizeof(buf)) == 0, "llistxattr of a symlink");
	CHECK(flistxattr(fd, buf, sizeof(buf)) == 0, "flistxattr");
	CHECK(listxattr(dir, buf, sizeof(buf)) == 0, "listxattr of a directory");
	/* ...and holds no user attribute. */
	CHECK(no_attr(getxattr(file, "user.none", buf, sizeof(buf))), "getxattr");
	CHECK(no_attr(fgetxattr(fd, "user.none", buf, sizeof(buf))), "fgetxattr");
	CHECK(no_attr(lgetxattr(link, "user.none", buf, sizeof(buf))),
	      "lgetxattr does not follow the link");
	CHECK(no_attr(removexattr(file, "user.none")), "removexattr");

	/* Get and list find the file... */
	CHECK_ERR(getxattr(link, "user.none", buf, sizeof(buf)), ENOENT);
	CHECK_ERR(listxattr(gone, buf, sizeof(buf)), ENOENT);
	CHECK_ERR(listxattr(link, buf, sizeof(buf)), ENOENT);
	CHECK_ERR(getxattr((char *)bad, "user.none", buf, sizeof(buf)), EFAULT);
	/* ...and check the name: empty or over 255 bytes is ERANGE. */
	CHECK_ERR(getxattr(file, "", buf, sizeof(buf)), ERANGE);
	CHECK_ERR(getxattr(file, longname, buf, sizeof(buf)), ERANGE);
	CHECK_ERR(getxattr(file, (char *)bad, buf, sizeof(buf)), EFAULT);
	CHECK_ERR(fgetxattr(fd, "", buf, sizeof(buf)), ERANGE);

	/* Set and remove check their arguments (which error comes first when
	 * several are wrong differs between kernel versions: each call here
	 * has one thing wrong). */
	CHECK_ERR(setxattr(file, "user.x", "v", 1, 4), EINVAL);
	CHECK_ERR(setxattr(file, "", "v", 1, 0), ERANGE);
	CHECK_ERR(setxattr(file, longname, "v", 1, 0), ERANGE);
	CHECK_ERR(setxattr(file, "user.x", big, 65537, 0), E2BIG);
	CHECK_ERR(setxattr(file, "user.x", (char *)bad, 8, 0), EFAULT);
	CHECK_ERR(setxattr(gone, "user.x", "v", 1, 0), ENOENT);
	CHECK_ERR(lsetxattr(gone, "user.x", "v", 1, 0), ENOENT);
	CHECK_ERR(removexattr(file, ""), ERANGE);
	CHECK_ERR(removexattr(gone, "user.none"), ENOENT);
	CHECK_ERR(lremovexattr(gone, "user.none"), ENOENT);

	/* Descriptors not open, or open with O_PATH, are EBADF. */
	CHECK_ERR(fgetxattr(-1, "user.none", buf, sizeof(buf)), EBADF);
	CHECK_ERR(fsetxattr(999, "user.x", "v", 1, 0), EBADF);
	CHECK_ERR(flistxattr(999, buf, sizeof(buf)), EBADF);
	CHECK_ERR(fremovexattr(999, "user.none"), EBADF);
	pfd = open(file, O_PATH);
	CHECK(pfd >= 0, "O_PATH open");
	CHECK_ERR(fgetxattr(pfd, "user.none", buf, sizeof(buf)), EBADF);
	CHECK_ERR(flistxattr(pfd, buf, sizeof(buf)), EBADF);
	CHECK_ERR(fsetxattr(fd, "user.x", "v", 1, 4), EINVAL);
	CHECK_ERR(fremovexattr(fd, ""), ERANGE);

	close(pfd);
	close(fd);
	unlink(link);
	unlink(file);
	rmdir(dir);
	free(big);
	return gt_finish();
}
