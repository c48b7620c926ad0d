// SPDX-License-Identifier: GPL-2.0
/*
 * statfs and fstatfs: what holds on Linux for any writable file system,
 * /proc, pipes and sockets (df, Python's os.statvfs and shutil.disk_usage,
 * GNU tail -f ask).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "guest_test.h"

#define PROC_SUPER_MAGIC	0x9fa0
#define PIPEFS_MAGIC		0x50495045
#define SOCKFS_MAGIC		0x534f434b

int main(void)
{
	struct statfs a, b;
	struct statvfs v;
	volatile uintptr_t bad = 1;
	int fd, p[2], sv[2];

	/* A writable file system: sane sizes, the same by path or by fd. */
	CHECK(statfs("/tmp", &a) == 0, "statfs /tmp");
	CHECK(a.f_type != 0 && a.f_bsize > 0 && a.f_namelen == 255,
	      "type %#lx bsize %ld namelen %ld", (long)a.f_type, (long)a.f_bsize,
	      (long)a.f_namelen);
	CHECK(a.f_blocks > 0 && a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree,
	      "blocks %llu free %llu avail %llu", (unsigned long long)a.f_blocks,
	      (unsigned long long)a.f_bfree, (unsigned long long)a.f_bavail);
	CHECK(!(a.f_flags & ST_RDONLY), "flags %#lx", (long)a.f_flags);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0 && fstatfs(fd, &b) == 0, "fstatfs /tmp");
	CHECK(b.f_type == a.f_type && b.f_bsize == a.f_bsize && b.f_blocks == a.f_blocks &&
	      !memcmp(&b.f_fsid, &a.f_fsid, sizeof(a.f_fsid)), "fstatfs differs from statfs");
	close(fd);
	/* An O_PATH descriptor will do. */
	fd = open("/tmp", O_PATH);
	CHECK(fd >= 0 && fstatfs(fd, &b) == 0 && b.f_type == a.f_type, "fstatfs of O_PATH");
	close(fd);
	/* statvfs is statfs through glibc. */
	CHECK(statvfs("/tmp", &v) == 0 && v.f_bsize > 0 && v.f_namemax == 255 &&
	      v.f_blocks == a.f_blocks, "statvfs /tmp");

	/* /proc is proc, and has no blocks. */
	CHECK(statfs("/proc", &a) == 0 && a.f_type == PROC_SUPER_MAGIC && a.f_blocks == 0,
	      "statfs /proc: type %#lx blocks %llu", (long)a.f_type,
	      (unsigned long long)a.f_blocks);
	CHECK(statfs("/proc/self/status", &b) == 0 && b.f_type == PROC_SUPER_MAGIC,
	      "statfs of a /proc file");

	/* Pipes and sockets have the kernel's own file systems. */
	CHECK(pipe(p) == 0 && fstatfs(p[0], &a) == 0 && a.f_type == PIPEFS_MAGIC,
	      "fstatfs of a pipe: %#lx", (long)a.f_type);
	close(p[0]);
	close(p[1]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && fstatfs(sv[0], &a) == 0 &&
	      a.f_type == SOCKFS_MAGIC, "fstatfs of a socket: %#lx", (long)a.f_type);
	close(sv[0]);
	close(sv[1]);

	/* Errors. */
	CHECK_ERR(statfs("/tmp/lbx-statfs-missing/x", &a), ENOENT);
	CHECK_ERR(statfs("", &a), ENOENT);
	CHECK_ERR(statfs((char *)bad, &a), EFAULT);
	CHECK_ERR(statfs("/tmp", (struct statfs *)bad), EFAULT);
	CHECK_ERR(fstatfs(-1, &a), EBADF);
	CHECK_ERR(fstatfs(999, &a), EBADF);
	return gt_finish();
}
