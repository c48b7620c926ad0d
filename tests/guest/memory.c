// SPDX-License-Identifier: GPL-2.0
/*
 * Placement of non-fixed mappings (top-down, hints, the stack guard gap),
 * mremap (shrink, grow in place, grow by moving, MREMAP_FIXED, errors),
 * madvise (DONTNEED zeroes anonymous pages, hints, errors) and flock(2)
 * (shared and exclusive, LOCK_NB, owned by the open file description,
 * independent of fcntl record locks).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest_test.h"

#define PG 4096UL

static void fill(char *p, size_t n, char c)
{
	memset(p, c, n);
}

static int all(const char *p, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void test_mremap(void)
{
	char *a, *b, *hole, *m;

	/* Reserve 8 pages, free the last 4: room to grow in place. */
	a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(a != MAP_FAILED, "mmap");
	if (a == MAP_FAILED)
		return;
	CHECK(munmap(a + 4 * PG, 4 * PG) == 0, "munmap tail");
	fill(a, 4 * PG, 'a');
	b = mremap(a, 4 * PG, 6 * PG, 0);
	CHECK(b == a, "grow in place: %p vs %p", b, a);
	if (b == a) {
		CHECK(all(a, 4 * PG, 'a'), "old contents kept");
		CHECK(all(a + 4 * PG, 2 * PG, 0), "new pages zero");
		a[6 * PG - 1] = 'z';
	}
	/* Shrink. */
	b = mremap(a, 6 * PG, 2 * PG, 0);
	CHECK(b == a, "shrink in place");
	CHECK(all(a, 2 * PG, 'a'), "kept after shrink");

	/* Block growth with a mapping right after it, then move. */
	hole = mmap(a + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(hole == a + 2 * PG, "blocker at %p: %p", a + 2 * PG, hole);
	errno = 0;
	b = mremap(a, 2 * PG, 4 * PG, 0);
	CHECK(b == MAP_FAILED && errno == ENOMEM, "cannot grow without MAYMOVE");
	b = mremap(a, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
	CHECK(b != MAP_FAILED && b != a, "moved: %p", b);
	if (b != MAP_FAILED) {
		CHECK(all(b, 2 * PG, 'a'), "contents moved");
		CHECK(all(b + 2 * PG, 2 * PG, 0), "grown part zero");
		/* The old range is gone. */
		m = mmap(a, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		CHECK(m == a, "old range free again");
		if (m == a)
			munmap(m, 2 * PG);
	}
	/* MREMAP_FIXED onto a chosen address. */
	m = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "target");
	if (b != MAP_FAILED && m != MAP_FAILED) {
		char *c = mremap(b, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, m);

		CHECK(c == m, "fixed move: %p vs %p", c, m);
		if (c == m)
			CHECK(all(c, 2 * PG, 'a') && c[3 * PG] == 0, "fixed move kept contents");
		munmap(m, 4 * PG);
	}
	munmap(hole, PG);
	/* Errors. */
	errno = 0;
	CHECK(mremap(a + 1, PG, PG, 0) == MAP_FAILED && errno == EINVAL, "unaligned");
	errno = 0;
	CHECK(mremap(a, PG, 0, 0) == MAP_FAILED && errno == EINVAL, "zero new length");
	errno = 0;
	CHECK(mremap(a, PG, PG, MREMAP_FIXED, a + PG) == MAP_FAILED && errno == EINVAL,
	      "FIXED without MAYMOVE");
	errno = 0;
	CHECK(mremap((void *)0x10000000000UL, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED &&
	      errno == EFAULT, "unmapped source");
}

static void test_madvise(void)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(a != MAP_FAILED, "mmap");
	if (a == MAP_FAILED)
		return;
	fill(a, 4 * PG, 'x');
	CHECK(madvise(a + PG, 2 * PG, MADV_DONTNEED) == 0, "DONTNEED");
	CHECK(all(a, PG, 'x') && all(a + PG, 2 * PG, 0) && all(a + 3 * PG, PG, 'x'),
	      "DONTNEED zeroed exactly its pages");
	a[PG] = 'y';
	CHECK(a[PG] == 'y', "the pages are usable again");
	CHECK(madvise(a, 4 * PG, MADV_WILLNEED) == 0, "WILLNEED");
	CHECK(madvise(a, 4 * PG, MADV_SEQUENTIAL) == 0, "SEQUENTIAL");
	CHECK(madvise(a, 4 * PG, MADV_HUGEPAGE) == 0 || errno == EINVAL, "HUGEPAGE");
	CHECK_ERR(madvise(a + 1, PG, MADV_NORMAL), EINVAL);
	CHECK_ERR(madvise(a, PG, 12345), EINVAL);
	munmap(a + 2 * PG, PG);
	CHECK_ERR(madvise(a, 4 * PG, MADV_NORMAL), ENOMEM);
	munmap(a, 4 * PG);
}

static void test_flock(void)
{
	const char *path = "/tmp/flock-test";
	int f1 = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int f2 = open(path, O_RDWR);
	int d1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	CHECK(f1 >= 0 && f2 >= 0, "open twice");
	if (f1 < 0 || f2 < 0)
		return;
	CHECK(flock(f1, LOCK_EX | LOCK_NB) == 0, "exclusive");
	CHECK_ERR(flock(f2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_ERR(flock(f2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* A dup shares the open file description, and so the lock. */
	d1 = dup(f1);
	CHECK(flock(d1, LOCK_EX | LOCK_NB) == 0, "the dup holds it too");
	close(f1);
	CHECK_ERR(flock(f2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	close(d1);	/* the last reference: the lock goes */
	CHECK(flock(f2, LOCK_SH | LOCK_NB) == 0, "free after the last close");
	f1 = open(path, O_RDWR);
	CHECK(flock(f1, LOCK_SH | LOCK_NB) == 0, "two shared locks");
	CHECK_ERR(flock(f1, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK(flock(f2, LOCK_UN) == 0, "unlock");
	CHECK(flock(f1, LOCK_EX | LOCK_NB) == 0, "upgrade once alone");
	/* fcntl record locks are a different kind: no conflict. */
	CHECK(fcntl(f2, F_SETLK, &fl) == 0, "a POSIX lock beside a flock");
	CHECK_ERR(flock(f1, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR(flock(-1, LOCK_SH), EBADF);
	close(f1);
	close(f2);
	unlink(path);
}

static void *map_at(void *hint, size_t len, int flags)
{
	return mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* The lowest address of the [stack] line of /proc/self/maps, or 0. */
static unsigned long stack_start(void)
{
	unsigned long lo = 0, a, b;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			lo = a;
	fclose(f);
	return lo;
}

static void test_placement(void)
{
	char *a, *b, *c, *r, *hint;
	unsigned long st;

	/* Top-down: each new mapping below the one before. */
	a = map_at(NULL, PG, 0);
	b = map_at(NULL, PG, 0);
	c = map_at(NULL, 2 * PG, 0);
	CHECK(a != MAP_FAILED && b != MAP_FAILED && c != MAP_FAILED, "three mmaps");
	CHECK(b < a && c < b, "successive mmaps go down: %p %p %p", a, b, c);

	/* A free hint is honoured exactly (not a fixed mapping, though). */
	r = map_at(NULL, 16 * PG, 0);
	CHECK(r != MAP_FAILED && munmap(r, 16 * PG) == 0, "a free range");
	hint = r + 4 * PG;
	r = map_at(hint, 2 * PG, 0);
	CHECK(r == hint, "hint %p honoured: %p", hint, r);
	if (r != MAP_FAILED)
		munmap(r, 2 * PG);

	/* A taken hint is ignored, and what is there stays. */
	a[0] = 'a';
	r = map_at(a, PG, 0);
	CHECK(r != MAP_FAILED && r != a && a[0] == 'a', "taken hint %p ignored: %p", a, r);
	if (r != MAP_FAILED)
		munmap(r, PG);
	errno = 0;
	r = map_at(a, PG, MAP_FIXED_NOREPLACE);
	CHECK(r == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over it: EEXIST");

	/* A hint right below the stack falls in its guard gap (256 pages). */
	st = stack_start();
	CHECK(st != 0, "[stack] in /proc/self/maps");
	if (st) {
		hint = (char *)(st - PG);
		r = map_at(hint, PG, 0);
		CHECK(r != MAP_FAILED && r != hint, "hint %p in the stack gap not taken: %p",
		      hint, r);
		if (r != MAP_FAILED)
			munmap(r, PG);
	}
	munmap(a, PG);
	munmap(b, PG);
	munmap(c, 2 * PG);
}

int main(void)
{
	test_placement();
	test_mremap();
	test_madvise();
	test_flock();
	return gt_finish();
}
