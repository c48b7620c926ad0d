// SPDX-License-Identifier: GPL-2.0
/*
 * Bad guest pointers: every call that takes one fails with EFAULT and the
 * process goes on. NULL, a never-mapped address, a PROT_NONE page, a path
 * that runs into an unmapped page, a kernel address. A buffer that is only
 * partly bad transfers what Linux transfers (docs/efault.md): file data up
 * to the bad page; pipe data in Linux's pieces (a write: the part that
 * fills the last page, then whole pages) or whole buffers (a read), nothing
 * lost; a stream socket's message whole or not at all; a
 * datagram whose copy faults is dropped.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
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

static int all(const char *p, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* good: a read-write page (filled with 'g'); none: the PROT_NONE page after it. */
static void test_partial(char *good, char *none)
{
	const size_t pg = 4096;
	static char data[8192], buf[8192];
	struct iovec iov[2];
	int fd, p[2], sv[2];
	ssize_t r;

	memset(good, 'g', pg);
	/* Files: the bytes before the bad page move and count. */
	fd = open("/tmp/efault-partial.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create");
	if (fd >= 0) {
		memset(data, 'x', sizeof(data));
		CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data), "fill");
		r = pread(fd, none - 10, 20, 0);
		CHECK(r == 10 && all(none - 10, 10, 'x'), "pread into a half-bad buffer: %zd", r);
		memset(good, 'g', pg);
		r = pread(fd, none - 10, 20, 8190);
		CHECK(r == 2 && all(none - 10, 2, 'x'), "pread at EOF: %zd", r);
		memset(good, 'g', pg);
		r = pwrite(fd, none - 10, 20, 100);
		CHECK(r == 10, "pwrite from a half-bad buffer: %zd", r);
		r = pread(fd, buf, 20, 100);
		CHECK(r == 20 && all(buf, 10, 'g') && all(buf + 10, 10, 'x'),
		      "exactly the good bytes written: %zd", r);
		CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
		r = read(fd, none - pg, 2 * pg);
		CHECK(r == (ssize_t)pg && lseek(fd, 0, SEEK_CUR) == (off_t)pg,
		      "read: the offset moves by what was read: %zd", r);
		iov[0].iov_base = buf;
		iov[0].iov_len = 5;
		iov[1].iov_base = none;
		iov[1].iov_len = 5;
		CHECK(preadv(fd, iov, 2, 0) == 5, "preadv: the good vector");
		CHECK(pwritev(fd, iov, 2, 0) == 5, "pwritev: the good vector");
		close(fd);
		unlink("/tmp/efault-partial.dat");
	}
	fd = open("/dev/zero", O_RDONLY);
	memset(good, 'g', pg);
	/* (Aligned: Linux 6.1 clears in words, and an unaligned start ends
	 * a few bytes short of the bad page.) */
	r = read(fd, none - 16, 32);
	CHECK(r == 16 && all(none - 16, 16, 0), "/dev/zero into a half-bad buffer: %zd", r);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK(read(fd, none - 10, 20) == 10, "/dev/urandom into a half-bad buffer");
	close(fd);

	/* Pipes: a write queues whole pages of its buffer, a partly bad one
	 * not at all; a read delivers whole buffers (writes) and leaves one
	 * it could not deliver whole in the pipe. */
	memset(good, 'g', pg);
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	CHECK_ERR(write(p[1], none - 10, 20), EFAULT);
	CHECK_ERR(read(p[0], buf, sizeof(buf)), EAGAIN);
	r = write(p[1], none - pg, 2 * pg);
	CHECK(r == (ssize_t)pg, "pipe write: the good page: %zd", r);
	r = read(p[0], buf, sizeof(buf));
	CHECK(r == (ssize_t)pg && all(buf, pg, 'g'), "exactly it queued: %zd", r);
	CHECK(write(p[1], "abcdefghijklmnopqrst", 20) == 20, "pipe write");
	CHECK_ERR(read(p[0], none - 10, 20), EFAULT);
	r = read(p[0], buf, 100);
	CHECK(r == 20 && !memcmp(buf, "abcdefghijklmnopqrst", 20), "nothing consumed: %zd", r);
	CHECK(write(p[1], data, pg) == (ssize_t)pg && write(p[1], "bcd", 3) == 3, "two writes");
	r = read(p[0], none - pg, pg + 3);
	CHECK(r == (ssize_t)pg && all(none - pg, pg, 'x'), "the first buffer: %zd", r);
	r = read(p[0], buf, 100);
	CHECK(r == 3 && !memcmp(buf, "bcd", 3), "the second still queued: %zd", r);
	close(p[0]);
	close(p[1]);

	/* A write goes in pieces (Linux's pipe_write()): its first len % 4096
	 * bytes join the last page written when they fit there, the rest in
	 * whole pages; the piece that faults is dropped with all after it. */
	memset(good, 'g', pg);
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	CHECK_ERR(write(p[1], none - 3000, 5000), EFAULT);
	CHECK_ERR(read(p[0], buf, sizeof(buf)), EAGAIN);
	CHECK(write(p[1], "abc", 3) == 3, "pipe write");
	r = write(p[1], none - 3000, 5000);
	CHECK(r == 904, "after 3 bytes: the 904 that join their page: %zd", r);
	r = read(p[0], buf, sizeof(buf));
	CHECK(r == 907 && !memcmp(buf, "abc", 3) && all(buf + 3, 904, 'g'),
	      "exactly those queued: %zd", r);
	CHECK(write(p[1], "abc", 3) == 3, "pipe write");
	r = write(p[1], none - pg, pg + 100);
	CHECK(r == 100, "a good page, but the piece after the first 100 bytes faults: %zd", r);
	r = read(p[0], buf, sizeof(buf));
	CHECK(r == 103 && all(buf + 3, 100, 'g'), "exactly those queued: %zd", r);
	/* No room for them in the last page: whole pages from the start. */
	CHECK(write(p[1], data, 4000) == 4000, "pipe write");
	CHECK_ERR(write(p[1], none - 3000, 5000), EFAULT);
	CHECK(read(p[0], buf, sizeof(buf)) == 4000, "the first write alone");
	CHECK(write(p[1], data, pg) == (ssize_t)pg, "pipe write");
	r = write(p[1], none - pg, pg + 100);
	CHECK(r == (ssize_t)pg, "after a full page: the good page: %zd", r);
	r = read(p[0], buf, sizeof(buf));
	CHECK(r == 2 * (ssize_t)pg && all(buf, pg, 'x') && all(buf + pg, pg, 'g'),
	      "exactly the two pages: %zd", r);
	close(p[0]);
	close(p[1]);

	/* Stream socket: nothing sent from a partly bad buffer; a receive
	 * that faults consumes nothing. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair");
	CHECK_ERR(send(sv[0], none - 10, 20, 0), EFAULT);
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), 0), EAGAIN);
	CHECK(send(sv[0], "abcdefghijklmnopqrst", 20, 0) == 20, "send");
	CHECK_ERR(recv(sv[1], none - 10, 20, 0), EFAULT);
	r = recv(sv[1], buf, 100, 0);
	CHECK(r == 20 && !memcmp(buf, "abcdefghijklmnopqrst", 20), "data kept: %zd", r);
	close(sv[0]);
	close(sv[1]);

	/* Datagram socket: a receive that faults drops the datagram. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair dgram");
	CHECK_ERR(send(sv[0], none - 10, 20, 0), EFAULT);
	CHECK(send(sv[0], "one", 3, 0) == 3 && send(sv[0], "two", 3, 0) == 3, "two datagrams");
	CHECK_ERR(recv(sv[1], none - 2, 3, MSG_PEEK), EFAULT);
	CHECK_ERR(recv(sv[1], none - 2, 3, 0), EFAULT);
	r = recv(sv[1], buf, 100, 0);
	CHECK(r == 3 && !memcmp(buf, "two", 3), "the faulted datagram is gone: %zd", r);
	CHECK_ERR(recv(sv[1], buf, 100, 0), EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/*
 * An empty path is ENOENT, in either place of a two-path call too (a
 * double free in litebox.ko's rename and link, found by sysfuzz_guest).
 */
static void test_empty_paths(void)
{
	int fd = open("/tmp/efault.empty", O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "create");
	close(fd);
	CHECK_ERR(rename("", "/tmp/efault.x"), ENOENT);
	CHECK_ERR(rename("/tmp/efault.empty", ""), ENOENT);
	CHECK_ERR(renameat(AT_FDCWD, "", AT_FDCWD, "/tmp/efault.x"), ENOENT);
	CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "/tmp/efault.empty", AT_FDCWD, "", 0),
		  ENOENT);
	CHECK_ERR(link("", "/tmp/efault.x"), ENOENT);
	CHECK_ERR(link("/tmp/efault.empty", ""), ENOENT);
	CHECK_ERR(linkat(AT_FDCWD, "", AT_FDCWD, "/tmp/efault.x", 0), ENOENT);
	CHECK_ERR(symlink("", "/tmp/efault.x"), ENOENT);
	CHECK_ERR(symlink("/tmp/efault.empty", ""), ENOENT);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
	CHECK_ERR(mkdir("", 0755), ENOENT);
	CHECK_ERR(unlink(""), ENOENT);
	CHECK_ERR(rmdir(""), ENOENT);
	CHECK_ERR(chdir(""), ENOENT);
	CHECK_ERR(truncate("", 0), ENOENT);
	CHECK_ERR(access("", F_OK), ENOENT);
	CHECK(access("/tmp/efault.x", F_OK) == -1 && errno == ENOENT, "nothing made");
	CHECK(unlink("/tmp/efault.empty") == 0, "the file is as it was");
}

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

	/* A file read or written with a buffer that is all bad. */
	fd = open("/tmp/efault.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create");
	if (fd >= 0) {
		static char data[8192];

		memset(data, 'x', sizeof(data));
		CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data), "fill");
		CHECK_ERR(pread(fd, none, 10, 0), EFAULT);
		CHECK_ERR(pwrite(fd, NULL, 10, 0), EFAULT);
		r = pread(fd, buf, sizeof(buf), 8000);
		CHECK(r == 64 && buf[0] == 'x' && buf[63] == 'x', "pread after the faults: %zd", r);
		close(fd);
		unlink("/tmp/efault.dat");
	}
	test_partial(two, none);
	test_empty_paths();
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "still alive and well");
	munmap(two, 2 * pg);
	return gt_finish();
}
