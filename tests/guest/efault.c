// SPDX-License-Identifier: GPL-2.0
/*
 * Bad guest pointers: every call that takes one fails with EFAULT (or, for
 * a buffer that is only partly bad, transfers the good part, as Linux does)
 * and the process goes on. NULL, a never-mapped address, a PROT_NONE page,
 * a path that runs into an unmapped page, a kernel address.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

/* The point is passing bad pointers. */
#pragma GCC diagnostic ignored "-Wnonnull"
#pragma GCC diagnostic ignored "-Wstringop-overread"

int main(void)
{
	const size_t pg = 4096;
	char *two, *none, buf[64];
	void *kernel = (void *)0xffff888000000000ULL;
	struct timespec ts;
	int p[2], fd;
	ssize_t r;

	/* [ readable-writable page | PROT_NONE page ] */
	two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED, "mmap");
	if (two == MAP_FAILED)
		return gt_finish();
	none = two + pg;
	CHECK(mprotect(none, pg, PROT_NONE) == 0, "mprotect");

	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "abcdef", 6) == 6, "write");
	CHECK_ERR(read(p[0], (void *)(uintptr_t)0, 6), EFAULT);
	CHECK_ERR(read(p[0], none, 6), EFAULT);
	CHECK_ERR(read(p[0], kernel, 6), EFAULT);
	CHECK(read(p[0], buf, 6) == 6 && !memcmp(buf, "abcdef", 6), "the data is still there");
	CHECK_ERR(write(p[1], NULL, 6), EFAULT);
	CHECK_ERR(write(p[1], (void *)16, 6), EFAULT);
	CHECK_ERR(write(p[1], none, 1), EFAULT);

	/* A path with no NUL before an unmapped page. */
	memset(none - 8, 'a', 8);
	CHECK_ERR(open(none - 8, O_RDONLY), EFAULT);
	CHECK_ERR(open(NULL, O_RDONLY), EFAULT);
	CHECK_ERR(stat(none, (struct stat *)buf), EFAULT);
	CHECK_ERR(stat("/", (struct stat *)none), EFAULT);
	CHECK_ERR(stat("/", NULL), EFAULT);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, none), EFAULT);
	CHECK_ERR(syscall(SYS_gettimeofday, kernel, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_pipe2, none, 0), EFAULT);
	CHECK_ERR(poll((struct pollfd *)none, 1, 0), EFAULT);
	CHECK_ERR(nanosleep((struct timespec *)none, NULL), EFAULT);

	/* A file read into a buffer whose tail is PROT_NONE: the good part. */
	fd = open("/tmp/efault.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create");
	if (fd >= 0) {
		static char data[8192];

		memset(data, 'x', sizeof(data));
		CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data), "fill");
		/* (A buffer that turns bad part way gets the good part on Linux;
		 * LiteBox fails the whole call with EFAULT: not checked here.) */
		CHECK_ERR(pread(fd, none, 10, 0), EFAULT);
		CHECK_ERR(pwrite(fd, NULL, 10, 0), EFAULT);
		r = pread(fd, buf, sizeof(buf), 8000);
		CHECK(r == 64 && buf[0] == 'x' && buf[63] == 'x', "pread after the faults: %zd", r);
		close(fd);
		unlink("/tmp/efault.dat");
	}
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "still alive and well");
	munmap(two, 2 * pg);
	return gt_finish();
}
