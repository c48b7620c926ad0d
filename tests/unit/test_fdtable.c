// SPDX-License-Identifier: GPL-2.0
/* core/fs/fdtable.c: descriptor allocation, dup semantics, cloexec. */
#include <litebox/fdtable.h>
#include "test_vfs_util.h"

static struct lbx_file *some_file(struct fsfix *fx)
{
	struct lbx_file *f;

	if (fopen_(&fx->ctx, "/f", LX_O_CREAT | LX_O_RDWR, 0644, &f))
		return NULL;
	return f;
}

TEST(fd_install_lowest_free_and_emfile)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(lbx_fdtable_create(4, &t), 0);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 0);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 1);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 3), 3);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 2);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), -EMFILE);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 4), -EINVAL);
	ASSERT_EQ(lbx_fd_close(t, 1), 0);
	ASSERT_EQ(lbx_fd_close(t, 1), -EBADF);
	ASSERT_EQ(lbx_fd_close(t, -1), -EBADF);
	ASSERT_EQ(lbx_fd_close(t, 99), -EBADF);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 1);
	ASSERT_EQ(lbx_fd_count(t), 4);
	lbx_fdtable_put(t);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(fd_get_returns_a_reference)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f, *g;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(16, &t), 0);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 0);
	lbx_file_put(f);	/* the table keeps it alive */
	g = lbx_fd_get(t, 0);
	ASSERT_TRUE(g == f);
	ASSERT_EQ(fwrite_(g, "x", 1), 1);
	ASSERT_EQ(lbx_fd_close(t, 0), 0);
	ASSERT_EQ(fwrite_(g, "y", 1), 1);	/* still ours */
	lbx_file_put(g);
	ASSERT_NULL(lbx_fd_get(t, 0));
	ASSERT_NULL(lbx_fd_get(t, -5));
	lbx_fdtable_put(t);
	fix_fini(&fx);
}

TEST(fd_grows_beyond_initial_slots)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f;
	int n;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(1000, &t), 0);
	for (n = 0; n < 1000; n++)
		ASSERT_EQ(lbx_fd_install(t, f, n % 2 ? LBX_FD_CLOEXEC : 0, 0), n);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), -EMFILE);
	ASSERT_EQ(lbx_fd_get_flags(t, 999), LX_FD_CLOEXEC);
	ASSERT_EQ(lbx_fd_get_flags(t, 998), 0);
	lbx_fd_close_on_exec(t);
	ASSERT_EQ(lbx_fd_count(t), 500);
	lbx_fdtable_put(t);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(fd_dup_family)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f, *g;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(64, &t), 0);
	ASSERT_EQ(lbx_fd_install(t, f, LBX_FD_CLOEXEC, 0), 0);
	ASSERT_EQ(lbx_fd_dup(t, 0, 0, false), 1);
	ASSERT_EQ(lbx_fd_get_flags(t, 1), 0);
	ASSERT_EQ(lbx_fd_dup(t, 0, 10, true), 10);
	ASSERT_EQ(lbx_fd_get_flags(t, 10), LX_FD_CLOEXEC);
	ASSERT_EQ(lbx_fd_dup(t, 5, 0, false), -EBADF);
	ASSERT_EQ(lbx_fd_dup2(t, 0, 0), 0);
	ASSERT_EQ(lbx_fd_dup2(t, 7, 7), -EBADF);
	ASSERT_EQ(lbx_fd_dup2(t, 0, 40), 40);
	ASSERT_EQ(lbx_fd_dup2(t, 0, 64), -EBADF);
	ASSERT_EQ(lbx_fd_dup3(t, 0, 0, 0), -EINVAL);
	ASSERT_EQ(lbx_fd_dup3(t, 0, 5, 0x1), -EINVAL);
	ASSERT_EQ(lbx_fd_dup3(t, 0, 5, LX_O_CLOEXEC), 5);
	ASSERT_EQ(lbx_fd_get_flags(t, 5), LX_FD_CLOEXEC);
	/* dup2 over an open fd replaces it and clears cloexec. */
	ASSERT_EQ(lbx_fd_dup2(t, 1, 5), 5);
	ASSERT_EQ(lbx_fd_get_flags(t, 5), 0);
	/* All share one open file description: one offset. */
	g = lbx_fd_get(t, 40);
	ASSERT_EQ(fwrite_(g, "abc", 3), 3);
	lbx_file_put(g);
	g = lbx_fd_get(t, 1);
	ASSERT_EQ(lbx_file_llseek(g, 0, LX_SEEK_CUR), 3);
	lbx_file_put(g);
	lbx_fdtable_put(t);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(fd_set_get_flags)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(8, &t), 0);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 0);
	ASSERT_EQ(lbx_fd_set_flags(t, 0, LX_FD_CLOEXEC), 0);
	ASSERT_EQ(lbx_fd_get_flags(t, 0), LX_FD_CLOEXEC);
	ASSERT_EQ(lbx_fd_set_flags(t, 0, 0), 0);
	ASSERT_EQ(lbx_fd_get_flags(t, 0), 0);
	ASSERT_EQ(lbx_fd_set_flags(t, 3, 0), -EBADF);
	ASSERT_EQ(lbx_fd_get_flags(t, 3), -EBADF);
	lbx_fdtable_put(t);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(fd_close_range)
{
	struct fsfix fx;
	struct lbx_fdtable *t;
	struct lbx_file *f;
	int n;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(128, &t), 0);
	for (n = 0; n < 10; n++)
		ASSERT_EQ(lbx_fd_install(t, f, 0, 0), n);
	ASSERT_EQ(lbx_fd_close_range(t, 5, 3, 0), -EINVAL);
	ASSERT_EQ(lbx_fd_close_range(t, 0, 1, 0x80), -EINVAL);
	ASSERT_EQ(lbx_fd_close_range(t, 3, 5, 0), 0);
	ASSERT_EQ(lbx_fd_count(t), 7);
	ASSERT_EQ(lbx_fd_close_range(t, 7, ~0U, LX_CLOSE_RANGE_CLOEXEC), 0);
	ASSERT_EQ(lbx_fd_count(t), 7);
	ASSERT_EQ(lbx_fd_get_flags(t, 9), LX_FD_CLOEXEC);
	ASSERT_EQ(lbx_fd_get_flags(t, 6), 0);
	ASSERT_EQ(lbx_fd_close_range(t, 8, ~0U, 0), 0);
	ASSERT_EQ(lbx_fd_count(t), 5);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 3);
	lbx_fdtable_put(t);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(fd_table_copy_and_share)
{
	struct fsfix fx;
	struct lbx_fdtable *t, *c, *s;
	struct lbx_file *f;

	fix_init(&fx);
	f = some_file(&fx);
	ASSERT_EQ(lbx_fdtable_create(32, &t), 0);
	ASSERT_EQ(lbx_fd_install(t, f, LBX_FD_CLOEXEC, 0), 0);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 20), 20);
	s = lbx_fdtable_get(t);		/* CLONE_FILES */
	ASSERT_EQ(lbx_fdtable_copy(t, &c), 0);	/* fork */
	ASSERT_EQ(lbx_fd_close(t, 0), 0);
	ASSERT_NULL(lbx_fd_get(s, 0));
	ASSERT_EQ(lbx_fd_get_flags(c, 0), LX_FD_CLOEXEC);
	ASSERT_EQ(lbx_fd_get_flags(c, 20), 0);
	ASSERT_EQ(lbx_fd_install(c, f, 0, 0), 1);
	ASSERT_EQ(lbx_fd_install(t, f, 0, 0), 0);
	lbx_fdtable_put(s);
	lbx_fdtable_put(t);
	lbx_fdtable_put(c);
	lbx_file_put(f);
	fix_fini(&fx);
}
