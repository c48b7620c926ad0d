// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_fdtable: core/fs/fdtable.c, descriptor tables with Linux
 * semantics: lowest free descriptor, EMFILE at RLIMIT_NOFILE, dup2/dup3,
 * close_range, close-on-exec, and the references a table holds.
 */
#include <litebox/fdtable.h>
#include "lbx_kunit.h"

/* The table, put when the test ends (even after a failed assert). */
static int table_res_init(struct kunit_resource *res, void *ctx)
{
	res->data = ctx;
	return 0;
}

static void table_res_free(struct kunit_resource *res)
{
	lbx_fdtable_put(res->data);
}

static struct lbx_fdtable *new_table(struct kunit *test, u32 max)
{
	struct lbx_fdtable *t;

	KUNIT_ASSERT_EQ(test, lbx_fdtable_create(max, &t), 0);
	if (!kunit_alloc_resource(test, table_res_init, table_res_free, GFP_KERNEL, t)) {
		lbx_fdtable_put(t);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	return t;
}

/* A file on a fresh fixture; the caller puts it. */
static struct lbx_file *new_file(struct kunit *test, struct lbx_kunit_fs **fxp)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_file *f;

	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/f", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	*fxp = fx;
	return f;
}

/*
 * The file must be put before the table resource is released (its last
 * reference then goes with the table) and both before the fixture: tests
 * end with lbx_file_put() and let the resources go in reverse order.
 */
static void install_lowest_free_and_emfile(struct kunit *test)
{
	struct lbx_kunit_fs *fx;
	struct lbx_file *f = new_file(test, &fx);
	struct lbx_fdtable *t = new_table(test, 4);

	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), 1);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 3), 3);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), 2);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), -EMFILE);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_fd_close(t, 1), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_close(t, 1), -EBADF);
	KUNIT_EXPECT_EQ(test, lbx_fd_close(t, -1), -EBADF);
	KUNIT_EXPECT_EQ(test, lbx_fd_close(t, 99), -EBADF);
	/* The hole left by close is the next descriptor. */
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), 1);
	KUNIT_EXPECT_EQ(test, lbx_fd_count(t), 4u);
	lbx_file_put(f);
}

/* A table holds its own reference: the file outlives the creator's put and
 * lbx_fd_get()'s reference outlives close. */
static void table_holds_references(struct kunit *test)
{
	struct lbx_kunit_fs *fx;
	struct lbx_file *f = new_file(test, &fx);
	struct lbx_fdtable *t = new_table(test, 16);
	struct lbx_file *g;

	KUNIT_ASSERT_EQ(test, lbx_fd_install(t, f, 0, 0), 0);
	lbx_file_put(f);
	g = lbx_fd_get(t, 0);
	KUNIT_ASSERT_PTR_EQ(test, g, f);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(g, "x", 1), 1L);
	KUNIT_EXPECT_EQ(test, lbx_fd_close(t, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(g, "y", 1), 1L);
	lbx_file_put(g);
	KUNIT_EXPECT_NULL(test, lbx_fd_get(t, 0));
	KUNIT_EXPECT_NULL(test, lbx_fd_get(t, -5));
	KUNIT_EXPECT_NULL(test, lbx_fd_get(t, 1 << 20));
}

static void dup2_and_dup3(struct kunit *test)
{
	struct lbx_kunit_fs *fx;
	struct lbx_file *f = new_file(test, &fx);
	struct lbx_fdtable *t = new_table(test, 64);
	struct lbx_file *g;

	KUNIT_ASSERT_EQ(test, lbx_fd_install(t, f, LBX_FD_CLOEXEC, 0), 0);
	lbx_file_put(f);
	/* dup() clears close-on-exec; F_DUPFD_CLOEXEC sets it. */
	KUNIT_EXPECT_EQ(test, lbx_fd_dup(t, 0, 0, false), 1);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 1), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup(t, 0, 10, true), 10);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 10), LX_FD_CLOEXEC);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup(t, 5, 0, false), -EBADF);
	/* dup2(fd, fd) checks fd and does nothing else. */
	KUNIT_EXPECT_EQ(test, lbx_fd_dup2(t, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 0), LX_FD_CLOEXEC);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup2(t, 7, 7), -EBADF);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup2(t, 0, 40), 40);
	/* A target at or beyond RLIMIT_NOFILE is EBADF (as dup2(2)). */
	KUNIT_EXPECT_EQ(test, lbx_fd_dup2(t, 0, 64), -EBADF);
	/* dup3: same fd or unknown flags are EINVAL. */
	KUNIT_EXPECT_EQ(test, lbx_fd_dup3(t, 0, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup3(t, 0, 5, 0x1), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_fd_dup3(t, 0, 5, LX_O_CLOEXEC), 5);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 5), LX_FD_CLOEXEC);
	/* dup2 over an open descriptor replaces it and clears cloexec. */
	KUNIT_EXPECT_EQ(test, lbx_fd_dup2(t, 1, 5), 5);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 5), 0);
	/* All name one open file description: one file offset. */
	g = lbx_fd_get(t, 40);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(g, "abc", 3), 3L);
	lbx_file_put(g);
	g = lbx_fd_get(t, 1);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_EQ(test, lbx_file_llseek(g, 0, LX_SEEK_CUR), 3LL);
	lbx_file_put(g);
}

static void close_range_closes_or_marks(struct kunit *test)
{
	struct lbx_kunit_fs *fx;
	struct lbx_file *f = new_file(test, &fx);
	struct lbx_fdtable *t = new_table(test, 128);
	int n;

	for (n = 0; n < 10; n++)
		KUNIT_ASSERT_EQ(test, lbx_fd_install(t, f, 0, 0), n);
	lbx_file_put(f);
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 5, 3, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 0, 1, 0x80), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 3, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_count(t), 7u);
	KUNIT_EXPECT_NULL(test, lbx_fd_get(t, 4));
	/* CLOSE_RANGE_CLOEXEC marks instead of closing; ~0 is "to the end". */
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 7, ~0U, LX_CLOSE_RANGE_CLOEXEC), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_count(t), 7u);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 9), LX_FD_CLOEXEC);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 6), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 8, ~0U, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_count(t), 5u);
	/* A range past every open descriptor is fine. */
	KUNIT_EXPECT_EQ(test, lbx_fd_close_range(t, 100, 200, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), 3);
}

/* execve closes exactly the close-on-exec descriptors, and the table grows
 * past its first allocation up to the limit. */
static void cloexec_descriptors_close_on_exec(struct kunit *test)
{
	struct lbx_kunit_fs *fx;
	struct lbx_file *f = new_file(test, &fx);
	struct lbx_fdtable *t = new_table(test, 1000);
	int n;

	for (n = 0; n < 1000; n++)
		KUNIT_ASSERT_EQ(test, lbx_fd_install(t, f, n % 2 ? LBX_FD_CLOEXEC : 0, 0), n);
	KUNIT_EXPECT_EQ(test, lbx_fd_install(t, f, 0, 0), -EMFILE);
	KUNIT_EXPECT_EQ(test, lbx_fd_set_flags(t, 998, LX_FD_CLOEXEC), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_set_flags(t, 999, 0), 0);
	lbx_fd_close_on_exec(t);
	KUNIT_EXPECT_EQ(test, lbx_fd_count(t), 500u);
	KUNIT_EXPECT_NULL(test, lbx_fd_get(t, 998));
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 999), 0);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 1), -EBADF);
	KUNIT_EXPECT_EQ(test, lbx_fd_get_flags(t, 0), 0);
	lbx_file_put(f);
}

static struct kunit_case fdtable_cases[] = {
	KUNIT_CASE(install_lowest_free_and_emfile),
	KUNIT_CASE(table_holds_references),
	KUNIT_CASE(dup2_and_dup3),
	KUNIT_CASE(close_range_closes_or_marks),
	KUNIT_CASE(cloexec_descriptors_close_on_exec),
	{}
};

static struct kunit_suite fdtable_suite = {
	.name = "litebox_fdtable",
	.test_cases = fdtable_cases,
};

kunit_test_suite(fdtable_suite);
