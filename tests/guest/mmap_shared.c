// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_SHARED in one process: shared anonymous memory (and /dev/zero's)
 * under mprotect, munmap of a part, mremap, /proc/self/maps; shared file
 * mappings coherent with read/write/pwrite/ftruncate/fstat, between two
 * opens of the file, after close and unlink, grown and shrunk (SIGBUS for
 * whole pages past the end), EACCES for a file not open for writing,
 * msync's checks. Across processes: mp_mmap_shared.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "guest_test.h"

#define PG 4096L

static sigjmp_buf fault_jmp;
static volatile int fault_sig;

static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

/* The signal a one-byte read at p raises (0: none); *val gets the byte. */
static int probe(volatile char *p, char *val)
{
	fault_sig = 0;
	if (!sigsetjmp(fault_jmp, 1))
		*val = *p;
	return fault_sig;
}

/* The line of /proc/self/maps that starts at addr, or "" (in buf). */
static const char *maps_line(void *addr, char *buf, size_t size)
{
	char want[32], line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	buf[0] = '\0';
	if (!f)
		return buf;
	snprintf(want, sizeof(want), "%08lx-", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want))) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%s", line);
			break;
		}
	}
	fclose(f);
	return buf;
}

/* "rw-s 00001000" from a maps line: its permissions and offset. */
static int perms_off_is(const char *line, const char *perms, unsigned long off)
{
	char p[8];
	unsigned long o;

	if (sscanf(line, "%*x-%*x %7s %lx", p, &o) != 2)
		return 0;
	return !strcmp(p, perms) && o == off;
}

/* A free place for an mremap target: reserved, then taken over. */
static char *reserve(long len)
{
	char *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return r == MAP_FAILED ? NULL : r;
}

static void test_anon(void)
{
	char line[512], *p, *q, *r;

	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap MAP_SHARED|MAP_ANONYMOUS");
	if (p == MAP_FAILED)
		return;
	CHECK(p[0] == 0 && p[3 * PG - 1] == 0, "zero-filled");
	memset(p, 'A', PG);
	memset(p + PG, 'B', PG);
	memset(p + 2 * PG, 'C', PG);
	maps_line(p, line, sizeof(line));
	CHECK(perms_off_is(line, "rw-s", 0), "maps line: %s", line);
	CHECK(strstr(line, " /dev/zero (deleted)") != NULL, "named /dev/zero (deleted): %s", line);

	/* mprotect of the middle page splits the mapping; offsets follow. */
	CHECK(mprotect(p + PG, PG, PROT_READ) == 0, "mprotect the middle page");
	maps_line(p + PG, line, sizeof(line));
	CHECK(perms_off_is(line, "r--s", PG), "the middle part: %s", line);
	maps_line(p + 2 * PG, line, sizeof(line));
	CHECK(perms_off_is(line, "rw-s", 2 * PG), "the last part: %s", line);
	CHECK(p[PG] == 'B', "the read-only part keeps its data");

	/* munmap of the middle, then mremap grows the first page in place
	 * over it: the object's second page comes back with its data. */
	CHECK(munmap(p + PG, PG) == 0, "munmap the middle page");
	maps_line(p + PG, line, sizeof(line));
	CHECK(line[0] == '\0', "the middle page is gone from the maps");
	q = mremap(p, PG, 2 * PG, 0);
	CHECK(q == p, "mremap grows the first page in place: %p %p", (void *)q, (void *)p);
	if (q == p) {
		CHECK(p[PG] == 'B' && p[2 * PG - 1] == 'B',
		      "the grown part is the object's page 1, data kept");
		maps_line(p, line, sizeof(line));
		CHECK(perms_off_is(line, "rw-s", 0), "grown: %s", line);
		CHECK(mprotect(p + PG, PG, PROT_READ | PROT_WRITE) == 0, "mprotect the grown part");
	}
	/* A move keeps the pages: the moved first page is still 'A'. */
	r = reserve(2 * PG);
	q = mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r);
	CHECK(r && q == r, "mremap moves a shared mapping");
	if (r && q == r) {
		CHECK(q[0] == 'A' && q[PG] == 'B', "moved with its data");
		maps_line(q, line, sizeof(line));
		CHECK(perms_off_is(line, "rw-s", 0) && strstr(line, "/dev/zero (deleted)"),
		      "the moved mapping's line: %s", line);
		munmap(q, 2 * PG);
	} else {
		munmap(p, 2 * PG);
	}
	CHECK(p[2 * PG] == 'C', "the last page is still mapped");
	munmap(p + 2 * PG, PG);

	/* MADV_DONTNEED on shared memory: the pages are the object's. */
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		p[5] = 'x';
		CHECK(madvise(p, PG, MADV_DONTNEED) == 0, "madvise DONTNEED");
		CHECK(p[5] == 'x', "shared pages survive MADV_DONTNEED");
		munmap(p, PG);
	}
}

static void test_dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	char line[512], *p;

	CHECK(fd >= 0, "open /dev/zero");
	if (fd < 0)
		return;
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap /dev/zero MAP_SHARED");
	if (p != MAP_FAILED) {
		CHECK(p[0] == 0, "zeroes");
		p[0] = 1;
		maps_line(p, line, sizeof(line));
		CHECK(perms_off_is(line, "rw-s", 0) && strstr(line, "/dev/zero (deleted)"),
		      "shared /dev/zero line: %s", line);
		munmap(p, 2 * PG);
	}
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "mmap /dev/zero MAP_PRIVATE");
	if (p != MAP_FAILED) {
		CHECK(p[10] == 0, "private zeroes");
		maps_line(p, line, sizeof(line));
		CHECK(line[0] && strstr(line, " rw-p ") != NULL, "private /dev/zero line: %s", line);
		munmap(p, PG);
	}
	close(fd);
}

static void tmp_name(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/lbx-mmap-shared-%s-%d", tag, (int)getpid());
}

static void test_file(void)
{
	char path[64], buf[16], line[512], *p, *q, *r, *t;
	struct stat st;
	int fd, fd2;

	tmp_name(path, sizeof(path), "file");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create %s", path);
	if (fd < 0)
		return;
	CHECK(write(fd, "hello", 5) == 5, "write");
	CHECK(ftruncate(fd, 2 * PG) == 0, "ftruncate to two pages");
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap the file MAP_SHARED read-write");
	if (p == MAP_FAILED)
		goto out;
	/* File to mapping, mapping to file, both ways. */
	CHECK(!memcmp(p, "hello", 5), "the mapping shows what write() wrote");
	memcpy(p + 100, "world", 5);
	CHECK(pread(fd, buf, 5, 100) == 5 && !memcmp(buf, "world", 5),
	      "pread shows a store into the mapping");
	CHECK(pwrite(fd, "xyz", 3, PG + 10) == 3, "pwrite into page 1");
	CHECK(!memcmp(p + PG + 10, "xyz", 3), "the mapping shows what pwrite() wrote");
	CHECK(fstat(fd, &st) == 0 && st.st_size == 2 * PG, "fstat: size %ld", (long)st.st_size);
	maps_line(p, line, sizeof(line));
	CHECK(perms_off_is(line, "rw-s", 0), "shared file line: %s", line);

	/* A second open, a second mapping (at an offset): the same pages. */
	fd2 = open(path, O_RDWR);
	CHECK(fd2 >= 0, "open again");
	q = fd2 >= 0 ? mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, PG) : MAP_FAILED;
	CHECK(q != MAP_FAILED, "map page 1 through the second open");
	if (q != MAP_FAILED) {
		CHECK(!memcmp(q + 10, "xyz", 3), "the second mapping sees page 1");
		q[20] = 'Q';
		CHECK(p[PG + 20] == 'Q', "a store through one mapping shows in the other");
		maps_line(q, line, sizeof(line));
		CHECK(perms_off_is(line, "rw-s", PG), "offset mapping line: %s", line);
	}

	/* mremap moves the file mapping; its stores still reach the file. */
	t = reserve(2 * PG);
	r = mremap(p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	CHECK(t && r == t, "mremap moves a shared file mapping");
	if (t && r == t) {
		p = r;
		p[200] = 'M';
		CHECK(pread(fd, buf, 1, 200) == 1 && buf[0] == 'M', "a store after the move");
	}

	/* Close and unlink: the mappings keep the data and stay shared. */
	CHECK(close(fd) == 0, "close");
	fd = -1;
	if (fd2 >= 0)
		close(fd2);
	CHECK(unlink(path) == 0, "unlink");
	if (q != MAP_FAILED) {
		q[30] = 'U';
		CHECK(p[PG + 30] == 'U' && !memcmp(p, "hello", 5),
		      "after close and unlink: data kept, still shared");
		munmap(q, PG);
	}
	munmap(p, 2 * PG);
out:
	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void test_truncate(void)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_bus, old_segv;
	char path[64], buf[8], v = 0, *p;
	int fd, sig;

	tmp_name(path, sizeof(path), "trunc");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create");
	if (fd < 0)
		return;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	CHECK(pwrite(fd, "abc", 3, 0) == 3, "three bytes");
	p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "map three pages of a three-byte file");
	if (p == MAP_FAILED)
		goto out;
	sig = probe(p + 3, &v);
	CHECK(sig == 0 && v == 0, "past EOF in the last page: zeroes, no signal (%d)", sig);
	sig = probe(p + PG, &v);
	CHECK(sig == SIGBUS, "a whole page past EOF: SIGBUS (got %d)", sig);

	/* Growth: the new pages are there, zeroed, and shared. */
	CHECK(ftruncate(fd, 3 * PG) == 0, "ftruncate to three pages");
	sig = probe(p + 2 * PG + 5, &v);
	CHECK(sig == 0 && v == 0, "the grown page reads zero (%d)", sig);
	if (!sig) {
		p[2 * PG + 5] = 'G';
		CHECK(pread(fd, buf, 1, 2 * PG + 5) == 1 && buf[0] == 'G', "and is the file's");
	}
	/* write() past the end grows the file under the mapping too. */
	CHECK(ftruncate(fd, PG) == 0, "shrink to one page");
	sig = probe(p + 2 * PG, &v);
	CHECK(sig == SIGBUS, "a page cut off by ftruncate: SIGBUS (got %d)", sig);
	CHECK(pwrite(fd, "W", 1, PG + 7) == 1, "pwrite past EOF");
	sig = probe(p + PG + 7, &v);
	CHECK(sig == 0 && v == 'W', "the mapping sees the page pwrite added (%d %d)", sig, v);
	sig = probe(p + PG + 8, &v);
	CHECK(sig == 0 && v == 0, "and zeroes after it");

	/* Shrinking within a page zeroes its tail, in the mapping too. */
	CHECK(ftruncate(fd, 2) == 0, "shrink to two bytes");
	CHECK(p[0] == 'a' && p[1] == 'b' && p[2] == 0, "the cut byte reads zero");
	sig = probe(p + PG, &v);
	CHECK(sig == SIGBUS, "page 1 is gone again (got %d)", sig);
	munmap(p, 3 * PG);
out:
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	close(fd);
	unlink(path);
}

static void test_access(void)
{
	char path[64], *p;
	int fd;

	tmp_name(path, sizeof(path), "ro");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, PG) == 0, "create");
	if (fd < 0)
		return;
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open O_RDONLY");
	CHECK_ERR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED, "a private writable mapping of it is fine");
	if (p != MAP_FAILED)
		munmap(p, PG);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "a shared read-only mapping is fine");
	if (p != MAP_FAILED) {
		CHECK_ERR(mprotect(p, PG, PROT_READ | PROT_WRITE), EACCES);
		CHECK(mprotect(p, PG, PROT_NONE) == 0, "mprotect without write is fine");
		munmap(p, PG);
	}
	close(fd);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0, "open O_WRONLY");
	CHECK_ERR(mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	close(fd);
	unlink(path);
}

static void test_msync(void)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap");
	if (p == MAP_FAILED)
		return;
	CHECK(msync(p, 2 * PG, MS_SYNC) == 0, "MS_SYNC");
	CHECK(msync(p, PG, MS_ASYNC) == 0, "MS_ASYNC");
	CHECK(msync(p, 100, MS_INVALIDATE) == 0, "MS_INVALIDATE, a partial page");
	CHECK(msync(p, 0, MS_SYNC) == 0, "an empty range");
	CHECK_ERR(msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR(msync(p, PG, 8), EINVAL);
	CHECK_ERR(msync(p + 1, PG, MS_SYNC), EINVAL);
	CHECK(munmap(p + PG, PG) == 0, "unmap the second page");
	CHECK_ERR(msync(p, 2 * PG, MS_SYNC), ENOMEM);
	munmap(p, PG);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_anon();
	test_dev_zero();
	test_file();
	test_truncate();
	test_access();
	test_msync();
	return gt_finish();
}
