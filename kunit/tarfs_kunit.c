// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_tarfs: core/fs/tarfs.c, a read-only file system over a tar image
 * in memory: the tree, modes, owners and times come from the headers,
 * implied parents are made, hard links share an inode, file data is served
 * from the image in place, and every change is -EROFS. Duplicate names and
 * dangling hard links are refused at mount.
 */
#include "lbx_kunit.h"

#define IMG_CAP (16 * 1024)

static const char tool[] = "#!/bin/sh\necho hi\n";

static struct lbx_tarw *image(struct kunit *test)
{
	struct lbx_tarw *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	lbx_tarw_init(test, w, IMG_CAP);
	w->mtime = 1600000000;
	lbx_tarw_file(w, "usr/bin/tool", tool, sizeof(tool) - 1);	/* parents implied */
	lbx_tarw_hardlink(w, "usr/bin/tool2", "usr/bin/tool");
	lbx_tarw_symlink(w, "usr/bin/alias", "tool");
	lbx_tarw_dir(w, "etc/");
	lbx_tarw_end(w);
	KUNIT_ASSERT_FALSE_MSG(test, w->overflow, "test image too large");
	return w;
}

static struct lbx_kunit_fs *mounted(struct kunit *test, struct lbx_tarw *w)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 1 << 20);
	struct lbx_super *sb;

	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/mnt", 0755), 0);
	KUNIT_ASSERT_EQ(test, lbx_tarfs_create(fx->vfs, w->buf, w->len, &sb), 0);
	KUNIT_ASSERT_EQ(test, lbx_vfs_mount(fx->vfs, "/mnt", sb), 0);
	return fx;
}

static void serves_files_links_and_implied_parents(struct kunit *test)
{
	struct lbx_tarw *w = image(test);
	struct lbx_kunit_fs *fx = mounted(test, w);
	struct lbx_kstat st, st2;
	struct lbx_iter it;
	char buf[64];

	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(fx, "/mnt/usr/bin/tool", buf, sizeof(buf)),
			(long)sizeof(tool) - 1);
	KUNIT_EXPECT_STREQ(test, buf, tool);
	/* Through the symlink, and the link itself. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(fx, "/mnt/usr/bin/alias", buf, sizeof(buf)),
			(long)sizeof(tool) - 1);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, lbx_vfs_readlinkat(&fx->ctx, NULL, "/mnt/usr/bin/alias", &it), 4L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "tool", 4), 0);
	/* The header's mode and time; a hard link is the same inode. */
	KUNIT_ASSERT_EQ(test, lbx_vfs_statat(&fx->ctx, NULL, "/mnt/usr/bin/tool", 0, &st), 0);
	KUNIT_EXPECT_EQ(test, st.mode, (u32)(LX_S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, st.mtime.sec, 1600000000LL);
	KUNIT_EXPECT_EQ(test, st.nlink, 2u);
	KUNIT_ASSERT_EQ(test, lbx_vfs_statat(&fx->ctx, NULL, "/mnt/usr/bin/tool2", 0, &st2), 0);
	KUNIT_EXPECT_EQ(test, st.ino, st2.ino);
	/* Implied parents are directories. */
	KUNIT_ASSERT_EQ(test, lbx_vfs_statat(&fx->ctx, NULL, "/mnt/usr", 0, &st), 0);
	KUNIT_EXPECT_TRUE(test, LX_S_ISDIR(st.mode));
}

static void data_is_served_from_the_image(struct kunit *test)
{
	struct lbx_tarw *w = image(test);
	struct lbx_kunit_fs *fx = mounted(test, w);
	u64 used = lbx_memacct_used(&fx->acct);
	char buf[64];
	u8 *p;

	/* Reading charges nothing; the bytes are the image's own. */
	KUNIT_EXPECT_GT(test, lbx_kunit_get_file(fx, "/mnt/usr/bin/tool", buf, sizeof(buf)), 0L);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&fx->acct), used);
	p = memchr(w->buf, '#', w->len);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p[1] = '?';	/* change the image under the mounted file system */
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(fx, "/mnt/usr/bin/tool", buf, sizeof(buf)),
			(long)sizeof(tool) - 1);
	KUNIT_EXPECT_EQ(test, buf[1], '?');
	p[1] = '!';
}

static void every_change_is_erofs(struct kunit *test)
{
	struct lbx_tarw *w = image(test);
	struct lbx_kunit_fs *fx = mounted(test, w);

	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/mnt/usr/bin/tool", LX_O_WRONLY), -EROFS);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/mnt/new", LX_O_CREAT | LX_O_WRONLY), -EROFS);
	KUNIT_EXPECT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/mnt/d", 0755), -EROFS);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&fx->ctx, NULL, "/mnt/usr/bin/tool", 0), -EROFS);
	KUNIT_EXPECT_EQ(test, lbx_vfs_fchmodat(&fx->ctx, NULL, "/mnt/usr/bin/tool", 0600, 0), -EROFS);
	KUNIT_EXPECT_EQ(test, lbx_vfs_truncate(&fx->ctx, "/mnt/usr/bin/tool", 0), -EROFS);
	/* Reading still works. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/mnt/usr/bin/tool", LX_O_RDONLY), 0);
}

static void duplicates_and_dangling_links_are_refused(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 1 << 20);
	struct lbx_tarw *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct lbx_super *sb;

	KUNIT_ASSERT_NOT_NULL(test, w);
	lbx_tarw_init(test, w, IMG_CAP);
	lbx_tarw_file(w, "a/x", "1", 1);
	lbx_tarw_file(w, "./a/x", "2", 1);
	lbx_tarw_end(w);
	KUNIT_EXPECT_EQ(test, lbx_tarfs_create(fx->vfs, w->buf, w->len, &sb), -EEXIST);

	lbx_tarw_init(test, w, IMG_CAP);
	lbx_tarw_hardlink(w, "h", "missing");
	lbx_tarw_end(w);
	KUNIT_EXPECT_EQ(test, lbx_tarfs_create(fx->vfs, w->buf, w->len, &sb), -EINVAL);

	lbx_tarw_init(test, w, IMG_CAP);
	lbx_tarw_file(w, "f", "x", 1);
	lbx_tarw_file(w, "f/under", "x", 1);
	lbx_tarw_end(w);
	KUNIT_EXPECT_EQ(test, lbx_tarfs_create(fx->vfs, w->buf, w->len, &sb), -EINVAL);
}

static struct kunit_case tarfs_cases[] = {
	KUNIT_CASE(serves_files_links_and_implied_parents),
	KUNIT_CASE(data_is_served_from_the_image),
	KUNIT_CASE(every_change_is_erofs),
	KUNIT_CASE(duplicates_and_dangling_links_are_refused),
	{}
};

static struct kunit_suite tarfs_suite = {
	.name = "litebox_tarfs",
	.test_cases = tarfs_cases,
};

kunit_test_suite(tarfs_suite);
