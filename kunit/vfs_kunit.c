// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_vfs: core/fs path walk and the *at() family against Linux
 * semantics: symlink loops and the 40-link limit (ELOOP), ".." at the
 * root, ENOTDIR through a file, open flag errors, rename rules.
 */
#include "lbx_kunit.h"

static int stat_path(struct lbx_kunit_fs *fx, const char *path, int flags,
		     struct lbx_kstat *st)
{
	return lbx_vfs_statat(&fx->ctx, NULL, path, flags, st);
}

static int symlink_path(struct lbx_kunit_fs *fx, const char *target, const char *path)
{
	return lbx_vfs_symlinkat(&fx->ctx, target, NULL, path);
}

static void symlink_loops_give_eloop(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_kstat st;

	KUNIT_ASSERT_EQ(test, symlink_path(fx, "/b", "/a"), 0);
	KUNIT_ASSERT_EQ(test, symlink_path(fx, "/a", "/b"), 0);
	KUNIT_ASSERT_EQ(test, symlink_path(fx, "self", "/self"), 0);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/a", 0, &st), -ELOOP);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/self", 0, &st), -ELOOP);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/self/x", 0, &st), -ELOOP);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/a", LX_O_CREAT | LX_O_WRONLY), -ELOOP);
	/* Not following the last link is fine. */
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/a", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	KUNIT_EXPECT_TRUE(test, LX_S_ISLNK(st.mode));
	/* O_NOFOLLOW on a final symlink is ELOOP too. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/self", LX_O_RDONLY | LX_O_NOFOLLOW), -ELOOP);
	lbx_kunit_fs_fini(test, fx);
}

/* Linux follows at most 40 links (MAXSYMLINKS) in one resolution. */
static void forty_links_resolve_forty_one_do_not(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	char name[16], target[16];
	struct lbx_kstat st;
	int n;

	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(fx, "/l0", "end"), 3L);
	for (n = 1; n <= 41; n++) {
		snprintf(name, sizeof(name), "/l%d", n);
		snprintf(target, sizeof(target), "l%d", n - 1);
		KUNIT_ASSERT_EQ(test, symlink_path(fx, target, name), 0);
	}
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/l40", 0, &st), 0);
	KUNIT_EXPECT_TRUE(test, LX_S_ISREG(st.mode));
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/l41", 0, &st), -ELOOP);
	lbx_kunit_fs_fini(test, fx);
}

static void dotdot_at_root_stays_at_root(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_kstat a, b;
	char cwd[64];

	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/a", 0755), 0);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/../../..", 0, &a), 0);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/", 0, &b), 0);
	KUNIT_EXPECT_EQ(test, a.ino, b.ino);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/../a/../../a", 0, &a), 0);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/a", 0, &b), 0);
	KUNIT_EXPECT_EQ(test, a.ino, b.ino);
	/* Relative "..", from a directory below the root. */
	KUNIT_EXPECT_EQ(test, lbx_fs_chdir(&fx->ctx, "/a"), 0);
	KUNIT_EXPECT_EQ(test, lbx_fs_chdir(&fx->ctx, "../../.."), 0);
	KUNIT_EXPECT_EQ(test, lbx_fs_getcwd(&fx->ctx, cwd, sizeof(cwd)), 2L);
	KUNIT_EXPECT_STREQ(test, cwd, "/");
	lbx_kunit_fs_fini(test, fx);
}

static void enotdir_through_a_file(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_kstat st;

	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(fx, "/f", "x"), 1L);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/f/x", 0, &st), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/f/", 0, &st), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/f/.", 0, &st), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/f/..", 0, &st), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/f/d", 0755), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/f/new", LX_O_CREAT | LX_O_WRONLY), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, lbx_fs_chdir(&fx->ctx, "/f"), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/f", LX_O_RDONLY | LX_O_DIRECTORY), -ENOTDIR);
	/* Missing components are ENOENT, not ENOTDIR. */
	KUNIT_EXPECT_EQ(test, stat_path(fx, "/nodir/x", 0, &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "", LX_O_RDONLY), -ENOENT);
	lbx_kunit_fs_fini(test, fx);
}

static void open_flag_errors(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);

	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/d", 0755), 0);
	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(fx, "/f", "x"), 1L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/f", LX_O_CREAT | LX_O_EXCL | LX_O_WRONLY), -EEXIST);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/d", LX_O_WRONLY), -EISDIR);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/d", LX_O_RDWR), -EISDIR);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/d", LX_O_RDONLY), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/g", LX_O_CREAT | LX_O_DIRECTORY | LX_O_RDWR), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/nope", LX_O_RDONLY), -ENOENT);
	/* O_EXCL never follows a final symlink, even a dangling one. */
	KUNIT_ASSERT_EQ(test, symlink_path(fx, "/dangling", "/l"), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/l", LX_O_CREAT | LX_O_EXCL | LX_O_WRONLY), -EEXIST);
	lbx_kunit_fs_fini(test, fx);
}

static void rename_rules(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	char buf[16];

	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(fx, "/a", "A"), 1L);
	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(fx, "/b", "B"), 1L);
	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/d", 0755), 0);
	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/d/sub", 0755), 0);
	/* RENAME_NOREPLACE on an existing target. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_renameat2(&fx->ctx, NULL, "/a", NULL, "/b",
						LX_RENAME_NOREPLACE), -EEXIST);
	/* A plain rename replaces the target atomically. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_renameat2(&fx->ctx, NULL, "/a", NULL, "/b", 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/a", LX_O_RDONLY), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(fx, "/b", buf, sizeof(buf)), 1L);
	KUNIT_EXPECT_STREQ(test, buf, "A");
	/* A directory cannot move into itself. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_renameat2(&fx->ctx, NULL, "/d", NULL, "/d/sub/x", 0), -EINVAL);
	/* File over directory and directory over file. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_renameat2(&fx->ctx, NULL, "/b", NULL, "/d", 0), -EISDIR);
	KUNIT_EXPECT_EQ(test, lbx_vfs_renameat2(&fx->ctx, NULL, "/d", NULL, "/b", 0), -ENOTDIR);
	/* rmdir of a non-empty directory. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&fx->ctx, NULL, "/d", LX_AT_REMOVEDIR), -ENOTEMPTY);
	lbx_kunit_fs_fini(test, fx);
}

static struct kunit_case vfs_cases[] = {
	KUNIT_CASE(symlink_loops_give_eloop),
	KUNIT_CASE(forty_links_resolve_forty_one_do_not),
	KUNIT_CASE(dotdot_at_root_stays_at_root),
	KUNIT_CASE(enotdir_through_a_file),
	KUNIT_CASE(open_flag_errors),
	KUNIT_CASE(rename_rules),
	{}
};

static struct kunit_suite vfs_suite = {
	.name = "litebox_vfs",
	.test_cases = vfs_cases,
};

kunit_test_suite(vfs_suite);
