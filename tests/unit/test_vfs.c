// SPDX-License-Identifier: GPL-2.0
/* core/fs: path walk and the *at() family, against Linux semantics. */
#include "test_vfs_util.h"

TEST(vfs_create_write_read_back)
{
	struct fsfix fx;
	char buf[64];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/hello", "hello world"), 11);
	ASSERT_EQ(get_file(&fx.ctx, "/hello", buf, sizeof(buf)), 11);
	ASSERT_STREQ(buf, "hello world");
	fix_fini(&fx);
}

TEST(vfs_open_missing_is_enoent)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(try_open(&fx.ctx, "/nope", LX_O_RDONLY), -ENOENT);
	ASSERT_EQ(try_open(&fx.ctx, "/nodir/x", LX_O_CREAT | LX_O_WRONLY), -ENOENT);
	ASSERT_EQ(try_open(&fx.ctx, "", LX_O_RDONLY), -ENOENT);
	fix_fini(&fx);
}

TEST(vfs_o_excl_on_existing_is_eexist)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(try_open(&fx.ctx, "/f", LX_O_CREAT | LX_O_EXCL | LX_O_WRONLY), -EEXIST);
	ASSERT_EQ(symlink_(&fx.ctx, "/dangling", "/l"), 0);
	/* O_EXCL never follows a final symlink. */
	ASSERT_EQ(try_open(&fx.ctx, "/l", LX_O_CREAT | LX_O_EXCL | LX_O_WRONLY), -EEXIST);
	fix_fini(&fx);
}

TEST(vfs_open_flag_errors)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(try_open(&fx.ctx, "/d", LX_O_WRONLY), -EISDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/d", LX_O_RDWR), -EISDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/d", LX_O_RDONLY | LX_O_CREAT), -EISDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/d", LX_O_RDONLY), 0);
	ASSERT_EQ(try_open(&fx.ctx, "/f", LX_O_RDONLY | LX_O_DIRECTORY), -ENOTDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/g", LX_O_CREAT | LX_O_DIRECTORY | LX_O_RDWR), -EINVAL);
	ASSERT_EQ(try_open(&fx.ctx, "/d", LX___O_TMPFILE | LX_O_RDONLY), -EINVAL);
	fix_fini(&fx);
}

TEST(vfs_dotdot_at_root_stays_at_root)
{
	struct fsfix fx;
	struct lbx_kstat a, b;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a", 0755), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/../../..", 0, &a), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/", 0, &b), 0);
	ASSERT_EQ(a.ino, b.ino);
	ASSERT_EQ(stat_(&fx.ctx, "/../a/../../a", 0, &a), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &b), 0);
	ASSERT_EQ(a.ino, b.ino);
	fix_fini(&fx);
}

TEST(vfs_relative_paths_and_dots)
{
	struct fsfix fx;
	char buf[32];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a/b", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/a/b/f", "data"), 4);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/a/b"), 0);
	ASSERT_EQ(get_file(&fx.ctx, "f", buf, sizeof(buf)), 4);
	ASSERT_EQ(get_file(&fx.ctx, "./f", buf, sizeof(buf)), 4);
	ASSERT_EQ(get_file(&fx.ctx, "../b/./f", buf, sizeof(buf)), 4);
	ASSERT_EQ(get_file(&fx.ctx, ".//..//b//f", buf, sizeof(buf)), 4);
	fix_fini(&fx);
}

TEST(vfs_enotdir_through_a_file)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/f/x", 0, &st), -ENOTDIR);
	ASSERT_EQ(stat_(&fx.ctx, "/f/", 0, &st), -ENOTDIR);
	ASSERT_EQ(stat_(&fx.ctx, "/f/.", 0, &st), -ENOTDIR);
	ASSERT_EQ(stat_(&fx.ctx, "/f/..", 0, &st), -ENOTDIR);
	ASSERT_EQ(mkdir_(&fx.ctx, "/f/d", 0755), -ENOTDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/f/new", LX_O_CREAT | LX_O_WRONLY), -ENOTDIR);
	fix_fini(&fx);
}

TEST(vfs_trailing_slashes)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d/", 0755), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d/", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d//", 0, &st), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(try_open(&fx.ctx, "/f/", LX_O_RDONLY), -ENOTDIR);
	ASSERT_EQ(try_open(&fx.ctx, "/new/", LX_O_CREAT | LX_O_WRONLY), -EISDIR);
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/node/", LX_S_IFREG | 0644, 0), -ENOENT);
	ASSERT_EQ(unlink_(&fx.ctx, "/f/"), -ENOTDIR);
	ASSERT_EQ(unlink_(&fx.ctx, "/d/"), -EISDIR);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d/"), 0);
	/* A symlink to a directory followed because of the slash. */
	ASSERT_EQ(mkdir_(&fx.ctx, "/t", 0755), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "/t", "/lt"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/lt/", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_TRUE(LX_S_ISDIR(st.mode));
	ASSERT_EQ(stat_(&fx.ctx, "/lt", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_TRUE(LX_S_ISLNK(st.mode));
	fix_fini(&fx);
}

TEST(vfs_symlinks_follow_and_nofollow)
{
	struct fsfix fx;
	struct lbx_kstat st;
	struct lbx_file *f;
	char buf[64];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/dir", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/dir/target", "T"), 1);
	ASSERT_EQ(symlink_(&fx.ctx, "target", "/dir/rel"), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "/dir/target", "/abs"), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "dir", "/dl"), 0);
	ASSERT_EQ(get_file(&fx.ctx, "/dir/rel", buf, sizeof(buf)), 1);
	ASSERT_EQ(get_file(&fx.ctx, "/abs", buf, sizeof(buf)), 1);
	ASSERT_EQ(get_file(&fx.ctx, "/dl/rel", buf, sizeof(buf)), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/abs", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISREG(st.mode));
	ASSERT_EQ(stat_(&fx.ctx, "/abs", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_TRUE(LX_S_ISLNK(st.mode));
	ASSERT_EQ(st.size, 11);
	ASSERT_EQ(try_open(&fx.ctx, "/abs", LX_O_RDONLY | LX_O_NOFOLLOW), -ELOOP);
	/* O_NOFOLLOW only concerns the last component. */
	ASSERT_EQ(try_open(&fx.ctx, "/dl/target", LX_O_RDONLY | LX_O_NOFOLLOW), 0);
	ASSERT_EQ(fopen_(&fx.ctx, "/abs", LX_O_PATH | LX_O_NOFOLLOW, 0, &f), 0);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_TRUE(LX_S_ISLNK(st.mode));
	ASSERT_EQ(fread_(f, buf, 1), -EBADF);
	ASSERT_EQ(lbx_vfs_readlinkat(&fx.ctx, f, "",
				     &(struct lbx_iter){ .kbuf = (unsigned char *)buf,
							 .count = sizeof(buf) }), 11);
	lbx_file_put(f);
	ASSERT_EQ(readlink_(&fx.ctx, "/dir/rel", buf, sizeof(buf)), 6);
	ASSERT_STREQ(buf, "target");
	ASSERT_EQ(readlink_(&fx.ctx, "/abs", buf, 4), 4);
	ASSERT_MEMEQ(buf, "/dir", 4);
	ASSERT_EQ(readlink_(&fx.ctx, "/dir/target", buf, sizeof(buf)), -EINVAL);
	ASSERT_EQ(symlink_(&fx.ctx, "", "/empty"), -ENOENT);
	ASSERT_EQ(symlink_(&fx.ctx, "x", "/abs"), -EEXIST);
	fix_fini(&fx);
}

TEST(vfs_symlink_loops_give_eloop)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(symlink_(&fx.ctx, "/b", "/a"), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "/a", "/b"), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "self", "/self"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &st), -ELOOP);
	ASSERT_EQ(stat_(&fx.ctx, "/self", 0, &st), -ELOOP);
	ASSERT_EQ(stat_(&fx.ctx, "/self/x", 0, &st), -ELOOP);
	ASSERT_EQ(try_open(&fx.ctx, "/a", LX_O_CREAT | LX_O_WRONLY), -ELOOP);
	ASSERT_EQ(stat_(&fx.ctx, "/a", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	fix_fini(&fx);
}

TEST(vfs_forty_links_resolve_forty_one_do_not)
{
	struct fsfix fx;
	struct lbx_kstat st;
	char name[32], target[32];
	int n;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/l0", "end"), 3);
	for (n = 1; n <= 41; n++) {
		snprintf(name, sizeof(name), "/l%d", n);
		snprintf(target, sizeof(target), "l%d", n - 1);
		ASSERT_EQ(symlink_(&fx.ctx, target, name), 0);
	}
	ASSERT_EQ(stat_(&fx.ctx, "/l40", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISREG(st.mode));
	ASSERT_EQ(stat_(&fx.ctx, "/l41", 0, &st), -ELOOP);
	fix_fini(&fx);
}

TEST(vfs_nested_symlinks_in_the_middle)
{
	struct fsfix fx;
	char buf[16];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/x", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/x/y", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/x/y/z", "zz"), 2);
	ASSERT_EQ(symlink_(&fx.ctx, "x/y", "/xy"), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "/xy/..", "/up"), 0);
	ASSERT_EQ(get_file(&fx.ctx, "/up/y/z", buf, sizeof(buf)), 2);
	ASSERT_EQ(get_file(&fx.ctx, "/xy/../y/z", buf, sizeof(buf)), 2);
	fix_fini(&fx);
}

TEST(vfs_creat_through_dangling_symlink_creates_target)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "newfile", "/d/link"), 0);
	ASSERT_EQ(try_open(&fx.ctx, "/d/link", LX_O_CREAT | LX_O_WRONLY), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d/newfile", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISREG(st.mode));
	ASSERT_EQ(try_open(&fx.ctx, "/d/link", LX_O_CREAT | LX_O_WRONLY | LX_O_NOFOLLOW), -ELOOP);
	fix_fini(&fx);
}

TEST(vfs_name_too_long)
{
	struct fsfix fx;
	struct lbx_kstat st;
	char *p = malloc(5000);

	fix_init(&fx);
	memset(p, 'a', 256);
	p[0] = '/';
	p[257] = '\0';
	p[256] = 'a';
	ASSERT_EQ(stat_(&fx.ctx, p, 0, &st), -ENAMETOOLONG);
	ASSERT_EQ(mkdir_(&fx.ctx, p, 0755), -ENAMETOOLONG);
	p[256] = '\0';	/* 255 bytes: fine, just absent */
	ASSERT_EQ(stat_(&fx.ctx, p, 0, &st), -ENOENT);
	ASSERT_EQ(mkdir_(&fx.ctx, p, 0755), 0);
	memset(p, '/', 4096);
	p[4096] = '\0';
	ASSERT_EQ(stat_(&fx.ctx, p, 0, &st), -ENAMETOOLONG);
	p[4095] = '\0';
	ASSERT_EQ(stat_(&fx.ctx, p, 0, &st), 0);
	free(p);
	fix_fini(&fx);
}

TEST(vfs_empty_path)
{
	struct fsfix fx;
	struct lbx_kstat st;
	struct lbx_file *f;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "abc"), 3);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(lbx_vfs_statat(&fx.ctx, f, "", 0, &st), -ENOENT);
	ASSERT_EQ(lbx_vfs_statat(&fx.ctx, f, "", LX_AT_EMPTY_PATH, &st), 0);
	ASSERT_EQ(st.size, 3);
	/* A relative path from a non-directory fd. */
	ASSERT_EQ(lbx_vfs_statat(&fx.ctx, f, "x", 0, &st), -ENOTDIR);
	ASSERT_EQ(lbx_vfs_statat(&fx.ctx, f, "/f", 0, &st), 0);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_openat_relative_to_dir_file)
{
	struct fsfix fx;
	struct lbx_file *d, *f;
	char buf[8];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d/f", "in d"), 4);
	ASSERT_EQ(fopen_(&fx.ctx, "/d", LX_O_RDONLY | LX_O_DIRECTORY, 0, &d), 0);
	ASSERT_EQ(lbx_vfs_openat(&fx.ctx, d, "f", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 4);
	lbx_file_put(f);
	ASSERT_EQ(lbx_vfs_mkdirat(&fx.ctx, d, "sub", 0755), 0);
	ASSERT_EQ(try_open(&fx.ctx, "/d/sub", LX_O_RDONLY), 0);
	lbx_file_put(d);
	fix_fini(&fx);
}

TEST(vfs_unlink_while_open_keeps_data)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[16] = { 0 };

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "survivor"), 8);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(unlink_(&fx.ctx, "/f"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), -ENOENT);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.nlink, 0);
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 8);
	ASSERT_STREQ(buf, "survivor");
	ASSERT_EQ(fwrite_(f, "+more", 5), 5);
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), 0), 13);
	ASSERT_GT(lbx_memacct_used(&fx.acct), 4096);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_rmdir_and_unlink_errors)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d/f", "x"), 1);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d"), -ENOTEMPTY);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d/f"), -ENOTDIR);
	ASSERT_EQ(unlink_(&fx.ctx, "/d"), -EISDIR);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d/."), -EINVAL);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d/.."), -ENOTEMPTY);
	ASSERT_EQ(rmdir_(&fx.ctx, "/"), -EBUSY);
	ASSERT_EQ(unlink_(&fx.ctx, "/"), -EISDIR);
	ASSERT_EQ(unlink_(&fx.ctx, "/d/missing"), -ENOENT);
	ASSERT_EQ(lbx_vfs_unlinkat(&fx.ctx, NULL, "/d/f", 0x1), -EINVAL);
	ASSERT_EQ(unlink_(&fx.ctx, "/d/f"), 0);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d"), 0);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d"), -ENOENT);
	fix_fini(&fx);
}

TEST(vfs_rename_file_replaces_and_noreplace)
{
	struct fsfix fx;
	char buf[16];
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", "A"), 1);
	ASSERT_EQ(put_file(&fx.ctx, "/b", "B"), 1);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/b", LX_RENAME_NOREPLACE), -EEXIST);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/b", 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &st), -ENOENT);
	ASSERT_EQ(get_file(&fx.ctx, "/b", buf, sizeof(buf)), 1);
	ASSERT_STREQ(buf, "A");
	ASSERT_EQ(rename_(&fx.ctx, "/b", "/c", LX_RENAME_NOREPLACE), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/nope", "/d", 0), -ENOENT);
	ASSERT_EQ(rename_(&fx.ctx, "/c", "/c", 0), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/c", "/d", LX_RENAME_NOREPLACE | LX_RENAME_EXCHANGE), -EINVAL);
	ASSERT_EQ(rename_(&fx.ctx, "/c", "/d", 0x80), -EINVAL);
	fix_fini(&fx);
}

TEST(vfs_rename_exchange)
{
	struct fsfix fx;
	char buf[16];
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", "A"), 1);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d/inner", "I"), 1);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/missing", LX_RENAME_EXCHANGE), -ENOENT);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/d", LX_RENAME_EXCHANGE), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISDIR(st.mode));
	ASSERT_EQ(get_file(&fx.ctx, "/a/inner", buf, sizeof(buf)), 1);
	ASSERT_EQ(get_file(&fx.ctx, "/d", buf, sizeof(buf)), 1);
	ASSERT_STREQ(buf, "A");
	fix_fini(&fx);
}

TEST(vfs_rename_directories)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a/b", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/e", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/full", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/full/x", "x"), 1);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "f"), 1);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/a/b/c", 0), -EINVAL);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/a/c", 0), -EINVAL);
	ASSERT_EQ(rename_(&fx.ctx, "/a/b", "/a", 0), -ENOTEMPTY);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/full", 0), -ENOTEMPTY);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/f", 0), -ENOTDIR);
	ASSERT_EQ(rename_(&fx.ctx, "/f", "/e", 0), -EISDIR);
	ASSERT_EQ(rename_(&fx.ctx, "/f/", "/g", 0), -ENOTDIR);
	ASSERT_EQ(rename_(&fx.ctx, "/.", "/g", 0), -EBUSY);
	ASSERT_EQ(stat_(&fx.ctx, "/", 0, &st), 0);
	ASSERT_EQ(st.nlink, 5);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/e", 0), 0);	/* over an empty dir */
	ASSERT_EQ(stat_(&fx.ctx, "/e/b", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/", 0, &st), 0);
	ASSERT_EQ(st.nlink, 4);
	/* Moving a directory updates "..". */
	ASSERT_EQ(rename_(&fx.ctx, "/e/b", "/full/b", 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/full/b/../x", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/full", 0, &st), 0);
	ASSERT_EQ(st.nlink, 3);
	ASSERT_EQ(stat_(&fx.ctx, "/e", 0, &st), 0);
	ASSERT_EQ(st.nlink, 2);
	fix_fini(&fx);
}

TEST(vfs_rename_hard_links_to_same_inode_is_noop)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", "x"), 1);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/a", NULL, "/b", 0), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "/b", 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/b", 0, &st), 0);
	ASSERT_EQ(st.nlink, 2);
	fix_fini(&fx);
}

TEST(vfs_hard_links)
{
	struct fsfix fx;
	struct lbx_kstat a, b;
	char buf[8];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", "data"), 4);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/a", NULL, "/d/b", 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/a", 0, &a), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d/b", 0, &b), 0);
	ASSERT_EQ(a.ino, b.ino);
	ASSERT_EQ(a.nlink, 2);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/a", NULL, "/d/b", 0), -EEXIST);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/d", NULL, "/d2", 0), -EPERM);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/nope", NULL, "/x", 0), -ENOENT);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/a", NULL, "/x", 0x8000), -EINVAL);
	ASSERT_EQ(unlink_(&fx.ctx, "/a"), 0);
	ASSERT_EQ(get_file(&fx.ctx, "/d/b", buf, sizeof(buf)), 4);
	ASSERT_EQ(stat_(&fx.ctx, "/d/b", 0, &b), 0);
	ASSERT_EQ(b.nlink, 1);
	/* linkat of a symlink: the link itself unless AT_SYMLINK_FOLLOW. */
	ASSERT_EQ(symlink_(&fx.ctx, "/d/b", "/s"), 0);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/s", NULL, "/s2", 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/s2", LX_AT_SYMLINK_NOFOLLOW, &a), 0);
	ASSERT_TRUE(LX_S_ISLNK(a.mode));
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/s", NULL, "/s3", LX_AT_SYMLINK_FOLLOW), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/s3", LX_AT_SYMLINK_NOFOLLOW, &a), 0);
	ASSERT_TRUE(LX_S_ISREG(a.mode));
	fix_fini(&fx);
}

TEST(vfs_tmpfile_and_linkat_empty_path)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[8];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(fopen_(&fx.ctx, "/d", LX_O_TMPFILE | LX_O_RDWR, 0600, &f), 0);
	ASSERT_EQ(fwrite_(f, "tmp", 3), 3);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.nlink, 0);
	ASSERT_EQ(list_dir(&fx.ctx, "/d", buf, sizeof(buf), 1), 0);
	ASSERT_STREQ(buf, "");
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, f, "", NULL, "/d/named", 0), -ENOENT);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, f, "", NULL, "/d/named", LX_AT_EMPTY_PATH), 0);
	lbx_file_put(f);
	ASSERT_EQ(get_file(&fx.ctx, "/d/named", buf, sizeof(buf)), 3);
	ASSERT_EQ(fopen_(&fx.ctx, "/d", LX_O_TMPFILE | LX_O_EXCL | LX_O_WRONLY, 0600, &f), 0);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, f, "", NULL, "/d/n2", LX_AT_EMPTY_PATH), -ENOENT);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_getdents_lists_and_resumes)
{
	struct fsfix fx;
	char names[256];
	unsigned char buf[64];
	struct lbx_file *f;
	struct lbx_iter it;
	long n, total = 0;
	int calls = 0;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d/one", "1"), 1);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d/two", 0755), 0);
	ASSERT_EQ(symlink_(&fx.ctx, "x", "/d/three"), 0);
	ASSERT_EQ(list_dir(&fx.ctx, "/d", names, sizeof(names), 0), 0);
	ASSERT_STREQ(names, ".,..,one,two,three");
	/* A 64-byte buffer holds two records at a time. */
	ASSERT_EQ(fopen_(&fx.ctx, "/d", LX_O_RDONLY | LX_O_DIRECTORY, 0, &f), 0);
	do {
		lbx_iter_init_kernel(&it, buf, sizeof(buf));
		n = lbx_file_getdents64(f, &it);
		ASSERT_GE(n, 0);
		total += n;
		calls++;
	} while (n > 0);
	ASSERT_EQ(total, 24 * 4 + 32);	/* ., .., one, two: 24 each; three: 32 */
	ASSERT_GE(calls, 3);
	/* rewinddir */
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_SET), 0);
	lbx_iter_init_kernel(&it, buf, 10);
	ASSERT_EQ(lbx_file_getdents64(f, &it), -EINVAL);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	ASSERT_GT(lbx_file_getdents64(f, &it), 0);
	lbx_file_put(f);
	ASSERT_EQ(fopen_(&fx.ctx, "/d/one", LX_O_RDONLY, 0, &f), 0);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	ASSERT_EQ(lbx_file_getdents64(f, &it), -ENOTDIR);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_getdents_dtype_and_doff)
{
	struct fsfix fx;
	unsigned char buf[512];
	struct lbx_file *f;
	struct lbx_iter it;
	long n, p = 0;
	long long off = 0, second_off = 0;
	int k = 0;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", "1"), 1);
	ASSERT_EQ(mkdir_(&fx.ctx, "/b", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/c", "1"), 1);
	ASSERT_EQ(fopen_(&fx.ctx, "/", LX_O_RDONLY, 0, &f), 0);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	n = lbx_file_getdents64(f, &it);
	ASSERT_GT(n, 0);
	while (p < n) {
		unsigned short reclen;
		const char *name = (const char *)buf + p + 19;

		memcpy(&reclen, buf + p + 16, 2);
		memcpy(&off, buf + p + 8, 8);
		if (!strcmp(name, "a"))
			ASSERT_EQ(buf[p + 18], LX_DT_REG);
		if (!strcmp(name, "b")) {
			ASSERT_EQ(buf[p + 18], LX_DT_DIR);
			second_off = off;
		}
		ASSERT_EQ(reclen % 8, 0);
		p += reclen;
		k++;
	}
	ASSERT_EQ(k, 5);
	/* seekdir to the d_off after "b": the next entry is "c". */
	ASSERT_EQ(lbx_file_llseek(f, second_off, LX_SEEK_SET), second_off);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	ASSERT_GT(lbx_file_getdents64(f, &it), 0);
	ASSERT_STREQ((const char *)buf + 19, "c");
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_umask_and_setgid_directory)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	fx.ctx.umask = 027;
	ASSERT_EQ(put_file(&fx.ctx, "/f", ""), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0640);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 01777), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 01750);
	fx.ctx.umask = 0;
	ASSERT_EQ(mkdir_(&fx.ctx, "/g", 0775), 0);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/g", 02775, 0), 0);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/g", (unsigned)-1, 50, 0), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/g/sub", 0755), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/g/sub", 0, &st), 0);
	ASSERT_EQ(st.gid, 50);
	ASSERT_EQ(st.mode & LX_S_ISGID, LX_S_ISGID);
	fix_fini(&fx);
}

/* Everything below as an ordinary user (uid 1000, gid 1000). */
static void become_user(struct fsfix *fx)
{
	fx->ctx.fsuid = fx->ctx.ruid = 1000;
	fx->ctx.fsgid = fx->ctx.rgid = 1000;
}

TEST(vfs_permissions_non_root)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/secret", "s"), 1);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/secret", 0600, 0), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/closed", 0700), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/closed/f", "f"), 1);
	ASSERT_EQ(mkdir_(&fx.ctx, "/ro", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/home", 0755), 0);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/home", 1000, 1000, 0), 0);
	become_user(&fx);
	ASSERT_EQ(try_open(&fx.ctx, "/secret", LX_O_RDONLY), -EACCES);
	ASSERT_EQ(try_open(&fx.ctx, "/secret", LX_O_WRONLY), -EACCES);
	ASSERT_EQ(stat_(&fx.ctx, "/secret", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/closed/f", 0, &st), -EACCES);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/closed"), -EACCES);
	ASSERT_EQ(try_open(&fx.ctx, "/ro/new", LX_O_CREAT | LX_O_WRONLY), -EACCES);
	ASSERT_EQ(mkdir_(&fx.ctx, "/ro/d", 0755), -EACCES);
	ASSERT_EQ(unlink_(&fx.ctx, "/secret"), -EACCES);
	ASSERT_EQ(rename_(&fx.ctx, "/secret", "/home/s", 0), -EACCES);
	ASSERT_EQ(put_file(&fx.ctx, "/home/mine", "m"), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/home/mine", 0, &st), 0);
	ASSERT_EQ(st.uid, 1000);
	ASSERT_EQ(st.gid, 1000);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/secret", LX_R_OK, 0), -EACCES);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/secret", LX_F_OK, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/home/mine", LX_R_OK | LX_W_OK, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/home/mine", LX_X_OK, 0), -EACCES);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/home/mine", 8, 0), -EINVAL);
	/* access(2) asks as the real ids; AT_EACCESS as the fs ones. */
	fx.ctx.ruid = fx.ctx.rgid = 0;
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/secret", LX_R_OK, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/closed/f", LX_R_OK, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/secret", LX_R_OK, LX_AT_EACCESS),
		  -EACCES);
	ASSERT_EQ(try_open(&fx.ctx, "/secret", LX_O_RDONLY), -EACCES);
	fix_fini(&fx);
}

TEST(vfs_group_and_other_bits)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/g", "g"), 1);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/g", 0, 1000, 0), 0);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/g", 0640, 0), 0);
	become_user(&fx);
	ASSERT_EQ(try_open(&fx.ctx, "/g", LX_O_RDONLY), 0);
	ASSERT_EQ(try_open(&fx.ctx, "/g", LX_O_WRONLY), -EACCES);
	fx.ctx.fsgid = 7;
	ASSERT_EQ(try_open(&fx.ctx, "/g", LX_O_RDONLY), -EACCES);
	fx.ctx.ngroups = 1;
	fx.ctx.groups[0] = 1000;
	ASSERT_EQ(try_open(&fx.ctx, "/g", LX_O_RDONLY), 0);
	fix_fini(&fx);
}

TEST(vfs_root_exec_needs_an_x_bit)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/f", 0600, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/f", LX_R_OK | LX_W_OK, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/f", LX_X_OK, 0), -EACCES);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/f", 0001, 0), 0);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/f", LX_X_OK | LX_R_OK, 0), 0);
	fix_fini(&fx);
}

TEST(vfs_sticky_directory)
{
	struct fsfix fx;

	fix_init(&fx);
	fx.ctx.umask = 0;
	ASSERT_EQ(mkdir_(&fx.ctx, "/tmp", 01777), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/tmp/roots", "r"), 1);
	become_user(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/tmp/mine", "m"), 1);
	ASSERT_EQ(unlink_(&fx.ctx, "/tmp/roots"), -EPERM);
	ASSERT_EQ(rename_(&fx.ctx, "/tmp/roots", "/tmp/x", 0), -EPERM);
	ASSERT_EQ(rename_(&fx.ctx, "/tmp/mine", "/tmp/roots", 0), -EPERM);
	ASSERT_EQ(unlink_(&fx.ctx, "/tmp/mine"), 0);
	fix_fini(&fx);
}

TEST(vfs_chmod_chown_rules)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/rootf", "r"), 1);
	ASSERT_EQ(put_file(&fx.ctx, "/userf", "u"), 1);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/userf", 1000, 1000, 0), 0);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/userf", 06755, 0), 0);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/userf", (unsigned)-1, 1000, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/userf", 0, &st), 0);
	/* chown clears set-uid, and set-gid with group exec. */
	ASSERT_EQ(st.mode & 07777, 0755);
	become_user(&fx);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/rootf", 0777, 0), -EPERM);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/userf", 0700, 0), 0);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/userf", 0, (unsigned)-1, 0), -EPERM);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/userf", (unsigned)-1, 5, 0), -EPERM);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/userf", 1000, 1000, 0), 0);
	ASSERT_EQ(lbx_vfs_fchownat(&fx.ctx, NULL, "/rootf", (unsigned)-1, 1000, 0), -EPERM);
	/* A non-member setting set-gid loses it. */
	fx.ctx.fsgid = 2000;
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/userf", 02755, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/userf", 0, &st), 0);
	ASSERT_EQ(st.mode & 07777, 0755);
	fix_fini(&fx);
}

TEST(vfs_utimensat)
{
	struct fsfix fx;
	struct lbx_kstat st;
	struct lbx_timespec t[2] = { { 100, 5 }, { 200, 6 } };

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", t, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), 0);
	ASSERT_EQ(st.atime.sec, 100);
	ASSERT_EQ(st.atime.nsec, 5);
	ASSERT_EQ(st.mtime.sec, 200);
	ASSERT_GT(st.ctime.sec, 1000000000);
	t[0].nsec = LX_UTIME_OMIT;
	t[1].sec = 300;
	t[1].nsec = 0;
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", t, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), 0);
	ASSERT_EQ(st.atime.sec, 100);
	ASSERT_EQ(st.mtime.sec, 300);
	t[1].nsec = 1000000000;
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", t, 0), -EINVAL);
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", NULL, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), 0);
	ASSERT_GT(st.mtime.sec, 1000000000);
	become_user(&fx);
	t[1].nsec = 0;
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", t, 0), -EPERM);
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", NULL, 0), -EACCES);
	fix_fini(&fx);
}

TEST(vfs_truncate_and_ftruncate)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[16];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "abcdef"), 6);
	ASSERT_EQ(lbx_vfs_truncate(&fx.ctx, "/f", 3), 0);
	ASSERT_EQ(get_file(&fx.ctx, "/f", buf, sizeof(buf)), 3);
	ASSERT_STREQ(buf, "abc");
	ASSERT_EQ(lbx_vfs_truncate(&fx.ctx, "/f", 8), 0);
	ASSERT_EQ(get_file(&fx.ctx, "/f", buf, sizeof(buf)), 8);
	ASSERT_MEMEQ(buf, "abc\0\0\0\0\0", 8);
	ASSERT_EQ(lbx_vfs_truncate(&fx.ctx, "/f", -1), -EINVAL);
	ASSERT_EQ(lbx_vfs_truncate(&fx.ctx, "/", 0), -EISDIR);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(lbx_file_truncate(f, 0), -EINVAL);
	lbx_file_put(f);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_WRONLY, 0, &f), 0);
	ASSERT_EQ(lbx_file_truncate(f, 1), 0);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.size, 1);
	lbx_file_put(f);
	ASSERT_EQ(try_open(&fx.ctx, "/f", LX_O_WRONLY | LX_O_TRUNC), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &st), 0);
	ASSERT_EQ(st.size, 0);
	fix_fini(&fx);
}

TEST(vfs_append_and_positions)
{
	struct fsfix fx;
	struct lbx_file *f, *g;
	char buf[16];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "12345"), 5);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_WRONLY | LX_O_APPEND, 0, &f), 0);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDWR, 0, &g), 0);
	ASSERT_EQ(fwrite_(g, "ab", 2), 2);
	ASSERT_EQ(fwrite_(f, "XY", 2), 2);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_CUR), 7);
	ASSERT_EQ(lbx_file_llseek(g, 0, LX_SEEK_CUR), 2);
	ASSERT_EQ(lbx_file_pread(g, buf, sizeof(buf), 0), 7);
	ASSERT_MEMEQ(buf, "ab345XY", 7);
	ASSERT_EQ(lbx_file_llseek(g, -2, LX_SEEK_END), 5);
	ASSERT_EQ(fread_(g, buf, 5), 2);
	ASSERT_EQ(lbx_file_llseek(g, -100, LX_SEEK_CUR), -EINVAL);
	ASSERT_EQ(lbx_file_llseek(g, 0, 9), -EINVAL);
	ASSERT_EQ(fread_(f, buf, 1), -EBADF);
	lbx_file_put(f);
	lbx_file_put(g);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fwrite_(f, "z", 1), -EBADF);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_read_directory_is_eisdir)
{
	struct fsfix fx;
	struct lbx_file *f;
	char c;

	fix_init(&fx);
	ASSERT_EQ(fopen_(&fx.ctx, "/", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fread_(f, &c, 1), -EISDIR);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(vfs_getcwd_and_chdir)
{
	struct fsfix fx;
	char buf[64];
	struct lbx_file *d;

	fix_init(&fx);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), 2);
	ASSERT_STREQ(buf, "/");
	ASSERT_EQ(mkdir_(&fx.ctx, "/usr", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/usr/lib", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/usr/f", "f"), 1);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/usr/lib"), 0);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), 9);
	ASSERT_STREQ(buf, "/usr/lib");
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, 5), -ERANGE);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/usr/f"), -ENOTDIR);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, ".."), 0);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), 5);
	ASSERT_EQ(fopen_(&fx.ctx, "/usr/lib", LX_O_RDONLY | LX_O_DIRECTORY, 0, &d), 0);
	ASSERT_EQ(lbx_fs_fchdir(&fx.ctx, d), 0);
	lbx_file_put(d);
	ASSERT_EQ(rmdir_(&fx.ctx, "/usr/lib"), 0);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(try_open(&fx.ctx, "new", LX_O_CREAT | LX_O_WRONLY), -ENOENT);
	fix_fini(&fx);
}

TEST(vfs_chroot_confines_dotdot)
{
	struct fsfix fx;
	struct lbx_kstat st;
	char buf[64];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/jail", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/jail/in", "i"), 1);
	ASSERT_EQ(put_file(&fx.ctx, "/out", "o"), 1);
	ASSERT_EQ(lbx_fs_chroot(&fx.ctx, "/jail"), 0);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/in", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/../out", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(&fx.ctx, "../../out", 0, &st), -ENOENT);
	ASSERT_EQ(symlink_(&fx.ctx, "/../../out", "/esc"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/esc", 0, &st), -ENOENT);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), 2);
	fix_fini(&fx);
}

TEST(vfs_mknod_rules)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/fifo", LX_S_IFIFO | 0644, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/fifo", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISFIFO(st.mode));
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/reg", 0644, 0), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/reg", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISREG(st.mode));
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/dir", LX_S_IFDIR | 0755, 0), -EPERM);
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/bad", 0170000, 0), -EINVAL);
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/null", LX_S_IFCHR | 0666,
				  LBX_MKDEV(1, 3)), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/null", 0, &st), 0);
	ASSERT_EQ(st.rdev, LBX_MKDEV(1, 3));
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/fifo", LX_S_IFIFO | 0644, 0), -EEXIST);
	become_user(&fx);
	ASSERT_EQ(lbx_vfs_mknodat(&fx.ctx, NULL, "/c2", LX_S_IFCHR | 0666, 0), -EPERM);
	fix_fini(&fx);
}

TEST(vfs_timestamps_move)
{
	struct fsfix fx;
	struct lbx_kstat a, b;
	struct lbx_timespec t[2] = { { 1, 0 }, { 1, 0 } };

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/f", t, 0), 0);
	ASSERT_EQ(lbx_vfs_utimensat(&fx.ctx, NULL, "/", t, 0), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "y"), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/f", 0, &a), 0);
	ASSERT_GT(a.mtime.sec, 1);
	ASSERT_EQ(put_file(&fx.ctx, "/g", "y"), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/", 0, &b), 0);
	ASSERT_GT(b.mtime.sec, 1);
	fix_fini(&fx);
}

TEST(vfs_mount_and_dotdot_across_it)
{
	struct fsfix fx;
	struct lbx_super *sb;
	struct lbx_kstat st, root;
	char buf[64];

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/mnt", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/mnt/hidden", "h"), 1);
	ASSERT_EQ(lbx_memfs_create(fx.vfs, &fx.acct, 0755, &sb), 0);
	ASSERT_EQ(lbx_vfs_mount(fx.vfs, "/mnt", sb), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/mnt/hidden", 0, &st), -ENOENT);
	ASSERT_EQ(put_file(&fx.ctx, "/mnt/new", "n"), 1);
	ASSERT_EQ(stat_(&fx.ctx, "/mnt/..", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/", 0, &root), 0);
	ASSERT_EQ(st.ino, root.ino);
	ASSERT_EQ(rename_(&fx.ctx, "/mnt/new", "/new", 0), -EXDEV);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/mnt/new", NULL, "/new", 0), -EXDEV);
	ASSERT_EQ(rmdir_(&fx.ctx, "/mnt"), -EBUSY);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/mnt"), 0);
	ASSERT_EQ(lbx_fs_getcwd(&fx.ctx, buf, sizeof(buf)), 5);
	ASSERT_STREQ(buf, "/mnt");
	fix_fini(&fx);
}

/* Found by fuzz_path: an entry added to a removed directory leaked. */
TEST(vfs_no_new_entries_in_removed_cwd)
{
	struct fsfix fx;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/a", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "x"), 1);
	ASSERT_EQ(mkdir_(&fx.ctx, "/gone", 0755), 0);
	ASSERT_EQ(lbx_fs_chdir(&fx.ctx, "/gone"), 0);
	ASSERT_EQ(rmdir_(&fx.ctx, "/gone"), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/a", "t", 0), -ENOENT);
	ASSERT_EQ(rename_(&fx.ctx, "/f", "t", 0), -ENOENT);
	ASSERT_EQ(lbx_vfs_linkat(&fx.ctx, NULL, "/f", NULL, "l", 0), -ENOENT);
	ASSERT_EQ(symlink_(&fx.ctx, "x", "s"), -ENOENT);
	ASSERT_EQ(mkdir_(&fx.ctx, "d", 0755), -ENOENT);
	fix_fini(&fx);
}
