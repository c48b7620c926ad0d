// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_overlay: core/fs/overlay.c, an upper memfs over a read-only
 * lower tarfs (lbx_vfs_create), against overlayfs's semantics on Linux:
 * a write copies the lower file up (the image stays as it was), unlinking
 * a lower file leaves a whiteout, a directory removed and made again is
 * opaque (the lower entries stay hidden), and readdir merges the layers
 * without listing a name twice.
 */
#include "lbx_kunit.h"

#define IMG_CAP (32 * 1024)

/* The lower image of every case. */
static void lower_image(struct kunit *test, struct lbx_tarw *w)
{
	lbx_tarw_init(test, w, IMG_CAP);
	w->mtime = 1500000000;
	lbx_tarw_dir(w, "./");
	lbx_tarw_dir(w, "etc/");
	lbx_tarw_file(w, "etc/hosts", "127.0.0.1 localhost\n", 20);
	lbx_tarw_file(w, "etc/motd", "welcome\n", 8);
	lbx_tarw_dir(w, "usr/");
	lbx_tarw_dir(w, "usr/lib/");
	lbx_tarw_file(w, "usr/lib/a.so", "AAAA", 4);
	lbx_tarw_file(w, "usr/lib/b.so", "BBBB", 4);
	lbx_tarw_symlink(w, "usr/lib/c.so", "a.so");
	lbx_tarw_dir(w, "var/");
	lbx_tarw_dir(w, "var/empty/");
	lbx_tarw_file(w, "bin", "binary", 6);
	lbx_tarw_end(w);
	KUNIT_ASSERT_FALSE_MSG(test, w->overflow, "test image too large");
}

/* ---- fixture: lbx_kunit_fs over an overlay, torn down as a resource ---- */

struct ov_fix {
	struct lbx_kunit_fs fs;	/* first: lbx_kunit_* take it */
	struct lbx_tarw lower;	/* kunit-allocated; outlives the VFS */
	u8 *pristine;		/* a copy of the image, to see it unchanged */
};

static void ov_teardown(struct ov_fix *o)
{
	if (!o->fs.live)
		return;
	o->fs.live = false;
	lbx_fs_ctx_release(&o->fs.ctx);
	lbx_vfs_destroy(o->fs.vfs);
	o->fs.vfs = NULL;
}

static int ov_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void ov_res_free(struct kunit_resource *res)
{
	ov_teardown(res->data);
}

static struct ov_fix *ov_init(struct kunit *test)
{
	struct ov_fix *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, o);
	lower_image(test, &o->lower);
	o->pristine = kunit_kmalloc(test, o->lower.len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o->pristine);
	memcpy(o->pristine, o->lower.buf, o->lower.len);
	lbx_memacct_init(&o->fs.acct, 16ULL << 20);
	ret = lbx_vfs_create(&o->fs.vfs, NULL, o->lower.buf, o->lower.len,
			     NULL, 0, &o->fs.acct);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "lbx_vfs_create");
	ret = lbx_fs_ctx_init(&o->fs.ctx, o->fs.vfs);
	if (ret) {
		lbx_vfs_destroy(o->fs.vfs);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "lbx_fs_ctx_init");
	}
	o->fs.live = true;
	if (!kunit_alloc_resource(test, ov_res_init, ov_res_free, GFP_KERNEL, o)) {
		ov_teardown(o);
		KUNIT_ASSERT_FAILURE(test, "cannot register the fixture");
	}
	return o;
}

/* Tears down; every byte charged must have come back, and the lower image
 * must be byte for byte what it was. */
static void ov_fini(struct kunit *test, struct ov_fix *o)
{
	ov_teardown(o);
	KUNIT_EXPECT_EQ_MSG(test, lbx_memacct_used(&o->fs.acct), 0ULL,
			    "bytes still charged after the VFS was destroyed");
	KUNIT_EXPECT_EQ_MSG(test, memcmp(o->lower.buf, o->pristine, o->lower.len), 0,
			    "the lower image was modified");
}

static bool img_has(const struct ov_fix *o, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= o->lower.len; i++)
		if (!memcmp(o->lower.buf + i, s, n))
			return true;
	return false;
}

static int stat_path(struct ov_fix *o, const char *path, struct lbx_kstat *st)
{
	return lbx_vfs_statat(&o->fs.ctx, NULL, path, LX_AT_SYMLINK_NOFOLLOW, st);
}

/*
 * The names getdents64 lists in path, "." and ".." left out, as "a,b,c";
 * the number of names, or -errno. Names listed twice show as such.
 */
static long list_dir(struct kunit *test, struct ov_fix *o, const char *path,
		     char *out, size_t size)
{
	u8 *buf = kunit_kmalloc(test, 4096, GFP_KERNEL);
	struct lbx_file *f;
	long r, count = 0;
	size_t len = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	out[0] = '\0';
	r = lbx_kunit_open(&o->fs, path, LX_O_RDONLY | LX_O_DIRECTORY, 0, &f);
	if (r)
		return r;
	for (;;) {
		struct lbx_iter it;
		long n, p = 0;

		lbx_iter_init_kernel(&it, buf, 4096);
		n = lbx_file_getdents64(f, &it);
		if (n <= 0) {
			r = n;
			break;
		}
		while (p < n) {
			u16 reclen;
			const char *name = (const char *)buf + p + 19;

			memcpy(&reclen, buf + p + 16, 2);
			if (!reclen)
				break;
			p += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			count++;
			len += scnprintf(out + len, size - len, "%s%s", len ? "," : "", name);
		}
	}
	lbx_file_put(f);
	return r < 0 ? r : count;
}

/* Is name one of the comma-separated names in list? */
static bool has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* ---- cases ---- */

/* Writing a lower file copies it up: the merged view has the new data,
 * the inode number is kept, the image is unchanged, and the copy costs
 * upper memory. Reading alone copies nothing. */
static void write_copies_up_and_leaves_lower_unchanged(struct kunit *test)
{
	struct ov_fix *o = ov_init(test);
	struct lbx_kstat before, after;
	struct lbx_file *f;
	char buf[64];
	u64 used;

	KUNIT_ASSERT_EQ(test, stat_path(o, "/etc/hosts", &before), 0);
	KUNIT_EXPECT_EQ(test, before.size, 20ULL);
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(&o->fs, "/etc/hosts", buf, sizeof(buf)), 20L);
	used = lbx_memacct_used(&o->fs.acct);
	KUNIT_ASSERT_EQ(test, lbx_kunit_open(&o->fs, "/etc/hosts", LX_O_WRONLY | LX_O_APPEND,
					     0, &f), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, "10.0.0.1 box\n", 13), 13L);
	lbx_file_put(f);
	KUNIT_EXPECT_GT(test, lbx_memacct_used(&o->fs.acct), used);
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(&o->fs, "/etc/hosts", buf, sizeof(buf)), 33L);
	KUNIT_EXPECT_STREQ(test, buf, "127.0.0.1 localhost\n10.0.0.1 box\n");
	KUNIT_EXPECT_EQ(test, stat_path(o, "/etc/hosts", &after), 0);
	KUNIT_EXPECT_EQ(test, after.ino, before.ino);
	KUNIT_EXPECT_EQ(test, after.size, 33ULL);
	KUNIT_EXPECT_EQ(test, after.mode, (u32)(LX_S_IFREG | 0644));
	/* The image holds the old contents, never the new. */
	KUNIT_EXPECT_TRUE(test, img_has(o, "127.0.0.1 localhost\n"));
	KUNIT_EXPECT_FALSE(test, img_has(o, "10.0.0.1 box"));
	/* O_TRUNC copies up too (to an empty file); the sibling is not. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(&o->fs, "/etc/motd", LX_O_WRONLY | LX_O_TRUNC), 0);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/etc/motd", &after), 0);
	KUNIT_EXPECT_EQ(test, after.size, 0ULL);
	KUNIT_EXPECT_TRUE(test, img_has(o, "welcome\n"));
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(&o->fs, "/usr/lib/a.so", buf, sizeof(buf)), 4L);
	KUNIT_EXPECT_STREQ(test, buf, "AAAA");
	ov_fini(test, o);
}

/* Unlinking a lower file hides it (a whiteout): ENOENT for stat, open and
 * a second unlink, gone from readdir; the image still holds it; the name
 * can be created again, with new contents. */
static void unlink_of_lower_file_leaves_whiteout(struct kunit *test)
{
	struct ov_fix *o = ov_init(test);
	struct lbx_kstat st;
	char names[128];

	KUNIT_ASSERT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/etc/motd", 0), 0);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/etc/motd", &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(&o->fs, "/etc/motd", LX_O_RDONLY), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/etc/motd", 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/etc", names, sizeof(names)), 1L);
	KUNIT_EXPECT_STREQ(test, names, "hosts");
	KUNIT_EXPECT_TRUE(test, img_has(o, "welcome\n"));
	/* Through a symlink in the lower layer: the target is whited out. */
	KUNIT_ASSERT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib/a.so", 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_vfs_statat(&o->fs.ctx, NULL, "/usr/lib/c.so", 0, &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/usr/lib/c.so", &st), 0);
	KUNIT_EXPECT_TRUE(test, LX_S_ISLNK(st.mode));
	/* The name is free again. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(&o->fs, "/etc/motd",
						 LX_O_CREAT | LX_O_EXCL | LX_O_WRONLY), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(&o->fs, "/etc/motd", names, sizeof(names)), 0L);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/etc", names, sizeof(names)), 2L);
	KUNIT_EXPECT_TRUE(test, has(names, "motd"));
	ov_fini(test, o);
}

/* An open lower file whose name is unlinked stays readable, as on Linux
 * (nlink 0 through the open file). */
static void unlink_of_open_lower_file_keeps_it_readable(struct kunit *test)
{
	struct ov_fix *o = ov_init(test);
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[16] = "";

	KUNIT_ASSERT_EQ(test, lbx_kunit_open(&o->fs, "/bin", LX_O_RDONLY, 0, &f), 0);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/bin", 0), 0);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/bin", &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(f, buf, sizeof(buf) - 1), 6L);
	KUNIT_EXPECT_STREQ(test, buf, "binary");
	KUNIT_EXPECT_EQ(test, lbx_file_stat(f, &st), 0);
	KUNIT_EXPECT_EQ(test, st.nlink, 0u);
	lbx_file_put(f);
	ov_fini(test, o);
}

/* rmdir of a lower directory needs it empty in the merged view; made again,
 * it is opaque: the lower entries do not come back. */
static void rmdir_then_mkdir_of_lower_dir_is_opaque(struct kunit *test)
{
	struct ov_fix *o = ov_init(test);
	struct lbx_kstat st;
	char names[128];

	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib", LX_AT_REMOVEDIR),
			-ENOTEMPTY);
	KUNIT_ASSERT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib/a.so", 0), 0);
	KUNIT_ASSERT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib/b.so", 0), 0);
	/* Only whiteouts and one lower entry left: still not empty. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib", LX_AT_REMOVEDIR),
			-ENOTEMPTY);
	KUNIT_ASSERT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib/c.so", 0), 0);
	/* Only whiteouts: empty. */
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/usr/lib", names, sizeof(names)), 0L);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib", LX_AT_REMOVEDIR), 0);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/usr/lib", &st), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(&o->fs, "/usr/lib/a.so", LX_O_RDONLY), -ENOENT);

	KUNIT_ASSERT_EQ(test, lbx_vfs_mkdirat(&o->fs.ctx, NULL, "/usr/lib", 0700), 0);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/usr/lib", &st), 0);
	KUNIT_EXPECT_TRUE(test, LX_S_ISDIR(st.mode));
	KUNIT_EXPECT_EQ(test, st.mode & 07777, 0700u);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/usr/lib", names, sizeof(names)), 0L);
	KUNIT_EXPECT_STREQ(test, names, "");
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(&o->fs, "/usr/lib/a.so", LX_O_RDONLY), -ENOENT);
	KUNIT_EXPECT_EQ(test, stat_path(o, "/usr/lib/c.so", &st), -ENOENT);
	/* New entries live in it alone; it can be removed again. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_put_file(&o->fs, "/usr/lib/new.so", "N"), 1L);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/usr/lib", names, sizeof(names)), 1L);
	KUNIT_EXPECT_STREQ(test, names, "new.so");
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib/new.so", 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/usr/lib", LX_AT_REMOVEDIR), 0);
	/* An empty lower directory goes at once. */
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&o->fs.ctx, NULL, "/var/empty", LX_AT_REMOVEDIR), 0);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/var", names, sizeof(names)), 0L);
	KUNIT_EXPECT_TRUE(test, img_has(o, "AAAA"));
	ov_fini(test, o);
}

/* readdir of a directory with entries in both layers (a copied-up file,
 * a new upper file, an untouched lower file) lists each name once, and
 * its inode numbers are stat's. */
static void merged_readdir_lists_each_name_once(struct kunit *test)
{
	struct ov_fix *o = ov_init(test);
	char names[256];

	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(&o->fs, "/etc/new", "n"), 1L);
	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(&o->fs, "/etc/hosts", "changed"), 7L);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/etc", names, sizeof(names)), 3L);
	KUNIT_EXPECT_TRUE(test, has(names, "hosts"));
	KUNIT_EXPECT_TRUE(test, has(names, "motd"));
	KUNIT_EXPECT_TRUE(test, has(names, "new"));
	/* The root: lower entries, and the mount points LiteBox adds. */
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/", names, sizeof(names)), 7L);
	KUNIT_EXPECT_TRUE(test, has(names, "etc"));
	KUNIT_EXPECT_TRUE(test, has(names, "usr"));
	KUNIT_EXPECT_TRUE(test, has(names, "var"));
	KUNIT_EXPECT_TRUE(test, has(names, "bin"));
	KUNIT_EXPECT_TRUE(test, has(names, "dev"));
	KUNIT_EXPECT_TRUE(test, has(names, "tmp"));
	KUNIT_EXPECT_TRUE(test, has(names, "proc"));
	/* A copied-up directory (a file made in it) is still listed once. */
	KUNIT_ASSERT_EQ(test, lbx_kunit_put_file(&o->fs, "/usr/lib/d.so", "D"), 1L);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/usr", names, sizeof(names)), 1L);
	KUNIT_EXPECT_EQ(test, list_dir(test, o, "/usr/lib", names, sizeof(names)), 4L);
	KUNIT_EXPECT_TRUE(test, has(names, "a.so"));
	KUNIT_EXPECT_TRUE(test, has(names, "d.so"));

	/* Inode numbers in the entries are those stat gives. */
	{
		u8 *buf = kunit_kmalloc(test, 1024, GFP_KERNEL);
		struct lbx_file *f;
		struct lbx_iter it;
		char path[64];
		long n, p = 0;
		int checked = 0;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		KUNIT_ASSERT_EQ(test, lbx_kunit_open(&o->fs, "/etc", LX_O_RDONLY | LX_O_DIRECTORY,
						     0, &f), 0);
		lbx_iter_init_kernel(&it, buf, 1024);
		n = lbx_file_getdents64(f, &it);
		KUNIT_EXPECT_GT(test, n, 0L);
		while (p < n) {
			const char *name = (const char *)buf + p + 19;
			struct lbx_kstat st;
			u16 reclen;
			u64 ino;

			memcpy(&ino, buf + p, 8);
			memcpy(&reclen, buf + p + 16, 2);
			if (!reclen)
				break;
			p += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			snprintf(path, sizeof(path), "/etc/%s", name);
			KUNIT_EXPECT_EQ(test, stat_path(o, path, &st), 0);
			KUNIT_EXPECT_EQ_MSG(test, st.ino, ino, "%s", path);
			checked++;
		}
		KUNIT_EXPECT_EQ(test, checked, 3);
		lbx_file_put(f);
	}
	ov_fini(test, o);
}

static struct kunit_case overlay_cases[] = {
	KUNIT_CASE(write_copies_up_and_leaves_lower_unchanged),
	KUNIT_CASE(unlink_of_lower_file_leaves_whiteout),
	KUNIT_CASE(unlink_of_open_lower_file_keeps_it_readable),
	KUNIT_CASE(rmdir_then_mkdir_of_lower_dir_is_opaque),
	KUNIT_CASE(merged_readdir_lists_each_name_once),
	{}
};

static struct kunit_suite overlay_suite = {
	.name = "litebox_overlay",
	.test_cases = overlay_cases,
};

kunit_test_suite(overlay_suite);
