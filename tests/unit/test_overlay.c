// SPDX-License-Identifier: GPL-2.0
/* core/fs/overlay.c: upper memfs over lower tarfs, through lbx_vfs_create. */
#define _GNU_SOURCE
#include "test_vfs_util.h"
#include "test_tar_writer.h"

struct ovfix {
	struct tarw lower, upper;
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
};

static void lower_image(struct tarw *w)
{
	w->mtime = 1500000000;
	tarw_dir(w, "./");
	tarw_dir(w, "etc/");
	tarw_file(w, "etc/hosts", "127.0.0.1 localhost\n", 20);
	tarw_file(w, "etc/motd", "welcome\n", 8);
	tarw_dir(w, "usr/");
	tarw_dir(w, "usr/lib/");
	tarw_file(w, "usr/lib/a.so", "AAAA", 4);
	tarw_file(w, "usr/lib/b.so", "BBBB", 4);
	tarw_symlink(w, "usr/lib/c.so", "a.so");
	tarw_dir(w, "var/");
	tarw_dir(w, "var/empty/");
	tarw_file(w, "bin", "binary", 6);
	tarw_end(w);
}

static void ov_init_upper(struct ovfix *o, bool with_upper)
{
	memset(o, 0, sizeof(*o));
	lower_image(&o->lower);
	if (with_upper) {
		tarw_file(&o->upper, "etc/motd", "upper motd\n", 11);
		tarw_file(&o->upper, "home/user/.profile", "PS1=$\n", 6);
		tarw_end(&o->upper);
	}
	lbx_memacct_init(&o->acct, 16 << 20);
	ASSERT_EQ(lbx_vfs_create(&o->vfs, NULL, o->lower.buf, o->lower.len,
				 o->upper.buf, o->upper.len, &o->acct), 0);
	ASSERT_EQ(lbx_fs_ctx_init(&o->ctx, o->vfs), 0);
}

static void ov_init(struct ovfix *o)
{
	ov_init_upper(o, false);
}

static void ov_fini(struct ovfix *o)
{
	lbx_fs_ctx_release(&o->ctx);
	lbx_vfs_destroy(o->vfs);
	ASSERT_EQ(lbx_memacct_used(&o->acct), 0);
	tarw_free(&o->lower);
	tarw_free(&o->upper);
}

/* Does the comma list contain name? */
static int has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static int count(const char *list)
{
	int n = *list ? 1 : 0;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

TEST(overlay_reads_lower)
{
	struct ovfix o;
	char buf[64];
	struct lbx_kstat st;

	ov_init(&o);
	ASSERT_EQ(get_file(&o.ctx, "/etc/hosts", buf, sizeof(buf)), 20);
	ASSERT_EQ(get_file(&o.ctx, "/usr/lib/c.so", buf, sizeof(buf)), 4);
	ASSERT_STREQ(buf, "AAAA");
	ASSERT_EQ(stat_(&o.ctx, "/etc/hosts", 0, &st), 0);
	ASSERT_EQ(st.mtime.sec, 1500000000);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0644);
	/* Nothing was copied up by reading. */
	ASSERT_LT(lbx_memacct_used(&o.acct), 64 * 1024);
	ov_fini(&o);
}

TEST(overlay_upper_tar_shadows_lower)
{
	struct ovfix o;
	char buf[64];

	ov_init_upper(&o, true);
	ASSERT_EQ(get_file(&o.ctx, "/etc/motd", buf, sizeof(buf)), 11);
	ASSERT_STREQ(buf, "upper motd\n");
	ASSERT_EQ(get_file(&o.ctx, "/etc/hosts", buf, sizeof(buf)), 20);
	ASSERT_EQ(get_file(&o.ctx, "/home/user/.profile", buf, sizeof(buf)), 6);
	ASSERT_EQ(list_dir(&o.ctx, "/etc", buf, sizeof(buf), 1), 0);
	ASSERT_EQ(count(buf), 2);
	ov_fini(&o);
}

TEST(overlay_write_copies_up_and_keeps_inode_number)
{
	struct ovfix o;
	char buf[64];
	struct lbx_kstat before, after;
	struct lbx_file *f;

	ov_init(&o);
	ASSERT_EQ(stat_(&o.ctx, "/etc/hosts", 0, &before), 0);
	ASSERT_EQ(fopen_(&o.ctx, "/etc/hosts", LX_O_WRONLY | LX_O_APPEND, 0, &f), 0);
	ASSERT_EQ(fwrite_(f, "10.0.0.1 box\n", 13), 13);
	lbx_file_put(f);
	ASSERT_EQ(get_file(&o.ctx, "/etc/hosts", buf, sizeof(buf)), 33);
	ASSERT_STREQ(buf, "127.0.0.1 localhost\n10.0.0.1 box\n");
	ASSERT_EQ(stat_(&o.ctx, "/etc/hosts", 0, &after), 0);
	ASSERT_EQ(before.ino, after.ino);
	ASSERT_EQ(after.size, 33);
	/* The lower image is untouched. */
	ASSERT_TRUE(memmem(o.lower.buf, o.lower.len, "127.0.0.1 localhost\n", 20) != NULL);
	ASSERT_TRUE(memmem(o.lower.buf, o.lower.len, "10.0.0.1 box", 12) == NULL);
	ov_fini(&o);
}

TEST(overlay_chmod_truncate_copy_up)
{
	struct ovfix o;
	struct lbx_kstat st;
	char buf[16];

	ov_init(&o);
	ASSERT_EQ(lbx_vfs_fchmodat(&o.ctx, NULL, "/usr/lib/a.so", 0700, 0), 0);
	ASSERT_EQ(stat_(&o.ctx, "/usr/lib/a.so", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0700);
	ASSERT_EQ(st.mtime.sec, 1500000000);	/* copy-up keeps times */
	ASSERT_EQ(get_file(&o.ctx, "/usr/lib/a.so", buf, sizeof(buf)), 4);
	ASSERT_EQ(lbx_vfs_truncate(&o.ctx, "/usr/lib/b.so", 2), 0);
	ASSERT_EQ(get_file(&o.ctx, "/usr/lib/b.so", buf, sizeof(buf)), 2);
	ASSERT_EQ(try_open(&o.ctx, "/etc/motd", LX_O_WRONLY | LX_O_TRUNC), 0);
	ASSERT_EQ(stat_(&o.ctx, "/etc/motd", 0, &st), 0);
	ASSERT_EQ(st.size, 0);
	ov_fini(&o);
}

TEST(overlay_unlink_lower_leaves_whiteout)
{
	struct ovfix o;
	struct lbx_kstat st;
	char names[128];

	ov_init(&o);
	ASSERT_EQ(unlink_(&o.ctx, "/etc/motd"), 0);
	ASSERT_EQ(stat_(&o.ctx, "/etc/motd", 0, &st), -ENOENT);
	ASSERT_EQ(unlink_(&o.ctx, "/etc/motd"), -ENOENT);
	ASSERT_EQ(list_dir(&o.ctx, "/etc", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "hosts");
	/* And the name can be used again. */
	ASSERT_EQ(put_file(&o.ctx, "/etc/motd", "new"), 3);
	ASSERT_EQ(get_file(&o.ctx, "/etc/motd", names, sizeof(names)), 3);
	ASSERT_EQ(list_dir(&o.ctx, "/etc", names, sizeof(names), 1), 0);
	ASSERT_EQ(count(names), 2);
	ov_fini(&o);
}

TEST(overlay_unlink_while_open_lower)
{
	struct ovfix o;
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[16];

	ov_init(&o);
	ASSERT_EQ(fopen_(&o.ctx, "/bin", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(unlink_(&o.ctx, "/bin"), 0);
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 6);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.nlink, 0);
	lbx_file_put(f);
	ov_fini(&o);
}

TEST(overlay_rmdir_then_mkdir_is_opaque)
{
	struct ovfix o;
	char names[128];

	ov_init(&o);
	ASSERT_EQ(rmdir_(&o.ctx, "/usr/lib"), -ENOTEMPTY);
	ASSERT_EQ(unlink_(&o.ctx, "/usr/lib/a.so"), 0);
	ASSERT_EQ(unlink_(&o.ctx, "/usr/lib/b.so"), 0);
	ASSERT_EQ(rmdir_(&o.ctx, "/usr/lib"), -ENOTEMPTY);
	ASSERT_EQ(unlink_(&o.ctx, "/usr/lib/c.so"), 0);
	ASSERT_EQ(list_dir(&o.ctx, "/usr/lib", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "");
	ASSERT_EQ(rmdir_(&o.ctx, "/usr/lib"), 0);
	ASSERT_EQ(try_open(&o.ctx, "/usr/lib/a.so", LX_O_RDONLY), -ENOENT);
	ASSERT_EQ(mkdir_(&o.ctx, "/usr/lib", 0755), 0);
	ASSERT_EQ(list_dir(&o.ctx, "/usr/lib", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "");
	ASSERT_EQ(try_open(&o.ctx, "/usr/lib/a.so", LX_O_RDONLY), -ENOENT);
	ASSERT_EQ(rmdir_(&o.ctx, "/var/empty"), 0);
	ASSERT_EQ(list_dir(&o.ctx, "/var", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "");
	ov_fini(&o);
}

TEST(overlay_merged_readdir_has_no_duplicates)
{
	struct ovfix o;
	char names[256];

	ov_init(&o);
	ASSERT_EQ(put_file(&o.ctx, "/etc/new", "n"), 1);
	ASSERT_EQ(put_file(&o.ctx, "/etc/hosts", "changed"), 7);	/* copy-up */
	ASSERT_EQ(list_dir(&o.ctx, "/etc", names, sizeof(names), 1), 0);
	ASSERT_EQ(count(names), 3);
	ASSERT_TRUE(has(names, "hosts"));
	ASSERT_TRUE(has(names, "motd"));
	ASSERT_TRUE(has(names, "new"));
	ASSERT_EQ(list_dir(&o.ctx, "/", names, sizeof(names), 1), 0);
	ASSERT_TRUE(has(names, "etc"));
	ASSERT_TRUE(has(names, "usr"));
	ASSERT_TRUE(has(names, "dev"));
	ASSERT_TRUE(has(names, "tmp"));
	ASSERT_TRUE(has(names, "proc"));
	ASSERT_TRUE(has(names, "bin"));
	ASSERT_EQ(count(names), 7);
	ov_fini(&o);
}

TEST(overlay_readdir_inode_numbers_match_stat)
{
	struct ovfix o;
	unsigned char buf[1024];
	struct lbx_file *f;
	struct lbx_iter it;
	long n, p = 0;
	char path[64];
	int checked = 0;

	ov_init(&o);
	ASSERT_EQ(put_file(&o.ctx, "/etc/hosts", "x"), 1);
	ASSERT_EQ(fopen_(&o.ctx, "/etc", LX_O_RDONLY | LX_O_DIRECTORY, 0, &f), 0);
	lbx_iter_init_kernel(&it, buf, sizeof(buf));
	n = lbx_file_getdents64(f, &it);
	ASSERT_GT(n, 0);
	while (p < n) {
		unsigned long long ino;
		unsigned short reclen;
		const char *name = (const char *)buf + p + 19;
		struct lbx_kstat st;

		memcpy(&ino, buf + p, 8);
		memcpy(&reclen, buf + p + 16, 2);
		snprintf(path, sizeof(path), "/etc/%s", name);
		ASSERT_EQ(stat_(&o.ctx, path, LX_AT_SYMLINK_NOFOLLOW, &st), 0);
		ASSERT_EQ(st.ino, ino);
		checked++;
		p += reclen;
	}
	ASSERT_EQ(checked, 4);
	lbx_file_put(f);
	ov_fini(&o);
}

TEST(overlay_rename_lower_file)
{
	struct ovfix o;
	char buf[32];
	struct lbx_kstat st;

	ov_init(&o);
	ASSERT_EQ(rename_(&o.ctx, "/etc/motd", "/etc/motd.old", 0), 0);
	ASSERT_EQ(stat_(&o.ctx, "/etc/motd", 0, &st), -ENOENT);
	ASSERT_EQ(get_file(&o.ctx, "/etc/motd.old", buf, sizeof(buf)), 8);
	ASSERT_STREQ(buf, "welcome\n");
	ASSERT_EQ(rename_(&o.ctx, "/etc/motd.old", "/etc/hosts", 0), 0);
	ASSERT_EQ(get_file(&o.ctx, "/etc/hosts", buf, sizeof(buf)), 8);
	ASSERT_EQ(list_dir(&o.ctx, "/etc", buf, sizeof(buf), 1), 0);
	ASSERT_STREQ(buf, "hosts");
	/* Across directories. */
	ASSERT_EQ(rename_(&o.ctx, "/usr/lib/a.so", "/var/empty/a.so", 0), 0);
	ASSERT_EQ(get_file(&o.ctx, "/var/empty/a.so", buf, sizeof(buf)), 4);
	ASSERT_EQ(stat_(&o.ctx, "/usr/lib/a.so", 0, &st), -ENOENT);
	/* c.so pointed at a.so: now dangling. */
	ASSERT_EQ(stat_(&o.ctx, "/usr/lib/c.so", 0, &st), -ENOENT);
	ov_fini(&o);
}

TEST(overlay_rename_lower_dir_is_exdev)
{
	struct ovfix o;

	ov_init(&o);
	ASSERT_EQ(rename_(&o.ctx, "/usr/lib", "/usr/lib2", 0), -EXDEV);
	ASSERT_EQ(mkdir_(&o.ctx, "/newdir", 0755), 0);
	ASSERT_EQ(put_file(&o.ctx, "/newdir/f", "f"), 1);
	ASSERT_EQ(rename_(&o.ctx, "/newdir", "/usr/moved", 0), 0);
	ASSERT_EQ(try_open(&o.ctx, "/usr/moved/f", LX_O_RDONLY), 0);
	/* Over an empty lower directory: it must not show through. */
	ASSERT_EQ(mkdir_(&o.ctx, "/n2", 0755), 0);
	ASSERT_EQ(rename_(&o.ctx, "/n2", "/var/empty", 0), 0);
	ASSERT_EQ(rename_(&o.ctx, "/usr/moved", "/etc", 0), -ENOTEMPTY);
	ov_fini(&o);
}

TEST(overlay_rename_exchange_files)
{
	struct ovfix o;
	char buf[32];

	ov_init(&o);
	ASSERT_EQ(rename_(&o.ctx, "/etc/motd", "/etc/hosts", LX_RENAME_EXCHANGE), 0);
	ASSERT_EQ(get_file(&o.ctx, "/etc/hosts", buf, sizeof(buf)), 8);
	ASSERT_EQ(get_file(&o.ctx, "/etc/motd", buf, sizeof(buf)), 20);
	ov_fini(&o);
}

TEST(overlay_hard_link_and_symlink_in_upper)
{
	struct ovfix o;
	char buf[32];
	struct lbx_kstat st;

	ov_init(&o);
	ASSERT_EQ(lbx_vfs_linkat(&o.ctx, NULL, "/etc/hosts", NULL, "/hosts2", 0), 0);
	ASSERT_EQ(get_file(&o.ctx, "/hosts2", buf, sizeof(buf)), 20);
	ASSERT_EQ(stat_(&o.ctx, "/hosts2", 0, &st), 0);
	ASSERT_EQ(st.nlink, 2);
	ASSERT_EQ(symlink_(&o.ctx, "/etc/motd", "/m"), 0);
	ASSERT_EQ(get_file(&o.ctx, "/m", buf, sizeof(buf)), 8);
	ASSERT_EQ(readlink_(&o.ctx, "/usr/lib/c.so", buf, sizeof(buf)), 4);
	ov_fini(&o);
}

TEST(overlay_write_beyond_limit_is_enospc)
{
	struct ovfix o;
	struct lbx_file *f;
	static char page[4096];
	long r = 0;
	int n;

	ov_init(&o);
	ASSERT_EQ(fopen_(&o.ctx, "/tmp/fill", LX_O_CREAT | LX_O_WRONLY, 0644, &f), 0);
	for (n = 0; n < 5000 && r >= 0; n++)
		r = fwrite_(f, page, sizeof(page));
	ASSERT_EQ(r, -ENOSPC);
	ASSERT_LE(lbx_memacct_used(&o.acct), 16 << 20);
	/* Copy-up needs memory too. */
	ASSERT_EQ(try_open(&o.ctx, "/etc/hosts", LX_O_WRONLY), -ENOSPC);
	ASSERT_EQ(lbx_file_truncate(f, 0), 0);
	ASSERT_EQ(try_open(&o.ctx, "/etc/hosts", LX_O_WRONLY), 0);
	lbx_file_put(f);
	ov_fini(&o);
}

TEST(overlay_getcwd_through_layers)
{
	struct ovfix o;
	char buf[64];

	ov_init(&o);
	ASSERT_EQ(lbx_fs_chdir(&o.ctx, "/usr/lib"), 0);
	ASSERT_EQ(lbx_fs_getcwd(&o.ctx, buf, sizeof(buf)), 9);
	ASSERT_STREQ(buf, "/usr/lib");
	ASSERT_EQ(lbx_fs_chdir(&o.ctx, "/dev/shm"), 0);
	ASSERT_EQ(lbx_fs_getcwd(&o.ctx, buf, sizeof(buf)), 9);
	ASSERT_STREQ(buf, "/dev/shm");
	ov_fini(&o);
}

TEST(overlay_dev_and_tmp_exist)
{
	struct ovfix o;
	struct lbx_kstat st;

	ov_init(&o);
	ASSERT_EQ(stat_(&o.ctx, "/tmp", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 01777);
	ASSERT_EQ(stat_(&o.ctx, "/dev/zero", 0, &st), 0);
	ASSERT_EQ(st.rdev, LBX_MKDEV(1, 5));
	ASSERT_EQ(stat_(&o.ctx, "/proc", 0, &st), 0);
	ASSERT_EQ(rmdir_(&o.ctx, "/dev"), -EBUSY);
	ov_fini(&o);
}
