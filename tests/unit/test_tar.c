// SPDX-License-Identifier: GPL-2.0
/* core/fs/tar.c: the tar parser, on images built byte by byte. */
#include <litebox/tar.h>
#include "lbx_test.h"
#include "test_tar_writer.h"

/* Parses the whole image; returns the number of entries or a -errno. */
static int count_entries(const struct tarw *w)
{
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	int n = 0, r;

	if (lbx_tar_iter_init(&it, w->buf, w->len))
		return -ENOMEM;
	while ((r = lbx_tar_next(&it, &e)) == 1)
		n++;
	lbx_tar_iter_fini(&it);
	return r < 0 ? r : n;
}

TEST(tar_basic_entry_types)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;

	w.uid = 1000;
	w.gid = 100;
	w.mtime = 1700000000;
	tarw_dir(&w, "./");
	tarw_dir(&w, "./etc/");
	tarw_file(&w, "./etc/hosts", "127.0.0.1 localhost\n", 20);
	tarw_symlink(&w, "./etc/link", "/etc/hosts");
	tarw_hardlink(&w, "./etc/hard", "./etc/hosts");
	tarw_end(&w);

	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_DIR);
	ASSERT_STREQ(e.path, "");
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_DIR);
	ASSERT_STREQ(e.path, "etc");
	ASSERT_EQ(e.mode, 0755);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_REG);
	ASSERT_STREQ(e.path, "etc/hosts");
	ASSERT_EQ(e.size, 20);
	ASSERT_EQ(e.uid, 1000);
	ASSERT_EQ(e.gid, 100);
	ASSERT_EQ(e.mtime_sec, 1700000000);
	ASSERT_EQ(e.mode, 0644);
	/* Served from the image, not a copy. */
	ASSERT_TRUE((const unsigned char *)e.data > w.buf &&
		    (const unsigned char *)e.data < w.buf + w.len);
	ASSERT_MEMEQ(e.data, "127.0.0.1 localhost\n", 20);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_SYMLINK);
	ASSERT_STREQ(e.link, "/etc/hosts");
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_HARDLINK);
	ASSERT_STREQ(e.path, "etc/hard");
	ASSERT_STREQ(e.link, "etc/hosts");
	ASSERT_EQ(lbx_tar_next(&it, &e), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 0);
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_names_are_normalised)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;

	tarw_file(&w, ".//a/./b//c", "x", 1);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.path, "a/b/c");
	ASSERT_EQ(e.path_len, 5);
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_ustar_prefix_joins_name)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	size_t off = tarw_file(&w, "file.txt", "hi", 2);

	memcpy(w.buf + off + 345, "some/long/prefix", 16);
	tarw_sum(&w, off);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.path, "some/long/prefix/file.txt");
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_pax_overrides_header)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	char longname[301];

	memset(longname, 'n', 300);
	longname[300] = '\0';
	memcpy(longname, "dir/", 4);
	longname[150] = '/';
	tarw_pax(&w, "path", longname);
	tarw_file(&w, "short", "abc", 3);
	tarw_pax(&w, "mtime", "1234567890.5");
	tarw_pax(&w, "uid", "4000000000");
	tarw_file(&w, "f2", "", 0);
	tarw_pax(&w, "linkpath", "/a/very/long/target");
	tarw_symlink(&w, "s", "ignored");
	tarw_end(&w);

	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.path_len, 300);
	ASSERT_STREQ(e.path, longname);
	ASSERT_EQ(e.size, 3);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.path, "f2");
	ASSERT_EQ(e.mtime_sec, 1234567890);
	ASSERT_EQ(e.mtime_nsec, 500000000);
	ASSERT_EQ(e.uid, 4000000000u);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.link, "/a/very/long/target");
	ASSERT_EQ(lbx_tar_next(&it, &e), 0);
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_pax_size_overrides_header_size)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	size_t off;

	tarw_pax(&w, "size", "5");
	off = tarw_hdr(&w, "big", '0', 0644, NULL, 0);
	tarw_raw(&w, "hello", 5);
	tarw_pad(&w);
	(void)off;
	tarw_file(&w, "after", "z", 1);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.size, 5);
	ASSERT_MEMEQ(e.data, "hello", 5);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.path, "after");
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_gnu_long_name_and_link)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	char name[200];

	memset(name, 'q', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	tarw_gnu_long(&w, 'L', name);
	tarw_gnu_long(&w, 'K', "target/of/the/link");
	tarw_symlink(&w, "truncated-name", "trunc");
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_STREQ(e.path, name);
	ASSERT_STREQ(e.link, "target/of/the/link");
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_base256_size)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	size_t off = tarw_file(&w, "b", "0123456789", 10);
	unsigned char *sz = w.buf + off + 124;

	memset(sz, 0, 12);
	sz[0] = 0x80;
	sz[11] = 10;
	tarw_sum(&w, off);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.size, 10);
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_missing_end_blocks_is_end)
{
	struct tarw w = { 0 };

	tarw_file(&w, "a", "a", 1);
	tarw_file(&w, "b", "b", 1);
	ASSERT_EQ(count_entries(&w), 2);
	tarw_free(&w);
}

TEST(tar_old_style_dir_with_trailing_slash)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;

	tarw_hdr(&w, "olddir/", '\0', 0755, NULL, 0);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_DIR);
	ASSERT_STREQ(e.path, "olddir");
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_devices_are_reported)
{
	struct tarw w = { 0 };
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	size_t off = tarw_hdr(&w, "dev/null", '3', 0666, NULL, 0);

	snprintf((char *)w.buf + off + 329, 8, "%07o", 1);
	snprintf((char *)w.buf + off + 337, 8, "%07o", 3);
	tarw_sum(&w, off);
	tarw_end(&w);
	ASSERT_EQ(lbx_tar_iter_init(&it, w.buf, w.len), 0);
	ASSERT_EQ(lbx_tar_next(&it, &e), 1);
	ASSERT_EQ(e.type, LBX_TAR_CHR);
	ASSERT_EQ(e.devmajor, 1);
	ASSERT_EQ(e.devminor, 3);
	lbx_tar_iter_fini(&it);
	tarw_free(&w);
}

TEST(tar_unknown_type_is_skipped)
{
	struct tarw w = { 0 };

	tarw_hdr(&w, "label", 'V', 0644, NULL, 0);
	tarw_file(&w, "a", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), 1);
	tarw_free(&w);
}

TEST(tar_rejects_bad_checksum)
{
	struct tarw w = { 0 };
	size_t off = tarw_file(&w, "a", "a", 1);

	w.buf[off + 5] ^= 1;
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

/* The word-wise sums equal tar(5)'s byte-wise ones, on random blocks and
 * on blocks of all 0x00, all 0x7f, all 0x80 and all 0xff. */
TEST(tar_checksums_match_the_bytewise_definition)
{
	unsigned char b[512];
	unsigned long long seed = 88172645463325252ULL;
	int round, i;

	for (round = 0; round < 2000; round++) {
		unsigned long long u = 0;
		long long sg = 0;
		u64 usum;
		s64 ssum;

		for (i = 0; i < 512; i++) {
			if (round < 4) {
				b[i] = (const unsigned char[]){ 0x00, 0x7f, 0x80, 0xff }[round];
			} else {
				seed ^= seed << 13;
				seed ^= seed >> 7;
				seed ^= seed << 17;
				/* Some blocks mostly high bytes, some mostly low. */
				b[i] = (unsigned char)(seed >> 24) |
				       (round % 3 == 0 ? 0x80 : 0);
			}
		}
		for (i = 0; i < 512; i++) {
			int in_field = i >= 148 && i < 156;

			u += in_field ? ' ' : b[i];
			sg += in_field ? ' ' : (signed char)b[i];
		}
		lbx_tar_sums(b, &usum, &ssum);
		ASSERT_EQ((unsigned long long)usum, u);
		ASSERT_EQ((long long)ssum, sg);
	}
}

TEST(tar_rejects_truncated_header)
{
	struct tarw w = { 0 };

	tarw_file(&w, "a", "a", 1);
	tarw_file(&w, "b", "b", 1);
	w.len -= 512 + 100;	/* cut into the second header */
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_truncated_data)
{
	struct tarw w = { 0 };
	char data[2000] = { 0 };

	tarw_file(&w, "a", data, sizeof(data));
	w.len -= 1024;
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_absurd_size)
{
	struct tarw w = { 0 };

	tarw_hdr(&w, "huge", '0', 0644, NULL, 077777777777ULL);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_dotdot)
{
	struct tarw w = { 0 };

	tarw_file(&w, "../x", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);

	tarw_file(&w, "a/b/../../../x", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_absolute)
{
	struct tarw w = { 0 };

	tarw_file(&w, "/etc/x", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_unsafe_hardlink_target)
{
	struct tarw w = { 0 };

	tarw_hardlink(&w, "h", "../../etc/shadow");
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_pax_path_with_dotdot_and_nul)
{
	struct tarw w = { 0 };
	size_t off;

	tarw_pax(&w, "path", "ok/../../x");
	tarw_file(&w, "a", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);

	tarw_pax(&w, "path", "aaaa");
	/* Turn the value into "a\0aa": a NUL inside a length-delimited name. */
	off = 512;
	w.buf[off + 11] = '\0';
	tarw_file(&w, "a", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_malformed_pax)
{
	struct tarw w = { 0 };
	size_t off = tarw_hdr(&w, "PaxHeader", 'x', 0644, NULL, 12);

	(void)off;
	tarw_raw(&w, "99 path=abc\n", 12);	/* length beyond the record */
	tarw_pad(&w);
	tarw_file(&w, "a", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_dangling_extended_header)
{
	struct tarw w = { 0 };

	tarw_pax(&w, "path", "x");
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_bad_octal)
{
	struct tarw w = { 0 };
	size_t off = tarw_file(&w, "a", "a", 1);

	memcpy(w.buf + off + 100, "07x4", 4);
	tarw_sum(&w, off);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_rejects_overlong_component)
{
	struct tarw w = { 0 };
	char name[300];

	memset(name, 'x', 299);
	name[299] = '\0';
	tarw_pax(&w, "path", name);
	tarw_file(&w, "a", "a", 1);
	tarw_end(&w);
	ASSERT_EQ(count_entries(&w), -EINVAL);
	tarw_free(&w);
}

TEST(tar_normalize_cases)
{
	char out[4096];

	ASSERT_EQ(lbx_tar_normalize("./", 2, out), 0);
	ASSERT_STREQ(out, "");
	ASSERT_EQ(lbx_tar_normalize("a/./b/", 6, out), 3);
	ASSERT_STREQ(out, "a/b");
	ASSERT_EQ(lbx_tar_normalize("/a", 2, out), -EINVAL);
	ASSERT_EQ(lbx_tar_normalize("a/..", 4, out), -EINVAL);
	ASSERT_EQ(lbx_tar_normalize("a/..b", 5, out), 5);
	ASSERT_EQ(lbx_tar_normalize("...", 3, out), 3);
}

/* ---- tarfs and the upper-layer unpack ---- */
#include "test_vfs_util.h"

static void sample_image(struct tarw *w)
{
	w->uid = 1000;
	w->gid = 1000;
	w->mtime = 1600000000;
	tarw_dir(w, "./");
	tarw_file(w, "./usr/bin/tool", "#!/bin/sh\necho hi\n", 18);
	tarw_symlink(w, "./usr/bin/alias", "tool");
	tarw_hardlink(w, "./usr/bin/tool2", "./usr/bin/tool");
	tarw_dir(w, "./etc/");
	tarw_file(w, "./etc/passwd", "root:x:0:0::/root:/bin/sh\n", 26);
	tarw_end(w);
}

static void mount_tarfs(struct fsfix *fx, struct tarw *w)
{
	struct lbx_super *sb;

	ASSERT_EQ(mkdir_(&fx->ctx, "/mnt", 0755), 0);
	ASSERT_EQ(lbx_tarfs_create(fx->vfs, w->buf, w->len, &sb), 0);
	ASSERT_EQ(lbx_vfs_mount(fx->vfs, "/mnt", sb), 0);
}

TEST(tarfs_serves_the_tree)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_kstat st, st2;
	char buf[64];

	sample_image(&w);
	fix_init(&fx);
	mount_tarfs(&fx, &w);
	ASSERT_EQ(get_file(&fx.ctx, "/mnt/usr/bin/tool", buf, sizeof(buf)), 18);
	ASSERT_STREQ(buf, "#!/bin/sh\necho hi\n");
	ASSERT_EQ(get_file(&fx.ctx, "/mnt/usr/bin/alias", buf, sizeof(buf)), 18);
	ASSERT_EQ(readlink_(&fx.ctx, "/mnt/usr/bin/alias", buf, sizeof(buf)), 4);
	ASSERT_EQ(stat_(&fx.ctx, "/mnt/usr/bin/tool", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0644);
	ASSERT_EQ(st.uid, 1000);
	ASSERT_EQ(st.mtime.sec, 1600000000);
	ASSERT_EQ(st.nlink, 2);
	ASSERT_EQ(stat_(&fx.ctx, "/mnt/usr/bin/tool2", 0, &st2), 0);
	ASSERT_EQ(st.ino, st2.ino);
	/* Implied parents: directories, 0755, root-owned. */
	ASSERT_EQ(stat_(&fx.ctx, "/mnt/usr", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 0755);
	ASSERT_EQ(st.uid, 0);
	ASSERT_EQ(list_dir(&fx.ctx, "/mnt/usr/bin", buf, sizeof(buf), 1), 0);
	ASSERT_STREQ(buf, "tool,alias,tool2");
	/* The lower image is not charged. */
	ASSERT_EQ(lbx_memacct_used(&fx.acct) < 8192, 1);
	fix_fini(&fx);
	tarw_free(&w);
}

TEST(tarfs_is_read_only)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_file *f;

	sample_image(&w);
	fix_init(&fx);
	mount_tarfs(&fx, &w);
	ASSERT_EQ(try_open(&fx.ctx, "/mnt/etc/passwd", LX_O_WRONLY), -EROFS);
	ASSERT_EQ(try_open(&fx.ctx, "/mnt/etc/passwd", LX_O_RDONLY | LX_O_TRUNC), -EROFS);
	ASSERT_EQ(try_open(&fx.ctx, "/mnt/etc/new", LX_O_CREAT | LX_O_WRONLY), -EROFS);
	ASSERT_EQ(mkdir_(&fx.ctx, "/mnt/etc/d", 0755), -EROFS);
	ASSERT_EQ(mkdir_(&fx.ctx, "/mnt/etc", 0755), -EEXIST);
	ASSERT_EQ(unlink_(&fx.ctx, "/mnt/etc/passwd"), -EROFS);
	ASSERT_EQ(rename_(&fx.ctx, "/mnt/etc/passwd", "/mnt/etc/p2", 0), -EROFS);
	ASSERT_EQ(lbx_vfs_fchmodat(&fx.ctx, NULL, "/mnt/etc/passwd", 0600, 0), -EROFS);
	ASSERT_EQ(lbx_vfs_truncate(&fx.ctx, "/mnt/etc/passwd", 0), -EROFS);
	ASSERT_EQ(lbx_vfs_faccessat(&fx.ctx, NULL, "/mnt/etc/passwd", LX_W_OK, 0), -EROFS);
	ASSERT_EQ(fopen_(&fx.ctx, "/mnt/etc/passwd", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(lbx_file_truncate(f, 0), -EINVAL);
	lbx_file_put(f);
	fix_fini(&fx);
	tarw_free(&w);
}

TEST(tarfs_rejects_duplicate_names)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_super *sb;

	tarw_file(&w, "a/x", "1", 1);
	tarw_dir(&w, "a/");		/* a directory again: fine */
	tarw_file(&w, "./a/x", "2", 1);	/* the same file twice: not */
	tarw_end(&w);
	fix_init(&fx);
	ASSERT_EQ(lbx_tarfs_create(fx.vfs, w.buf, w.len, &sb), -EEXIST);
	fix_fini(&fx);
	tarw_free(&w);
}

TEST(tarfs_rejects_bad_hard_links_and_parents)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_super *sb;

	fix_init(&fx);
	tarw_hardlink(&w, "h", "missing");
	tarw_end(&w);
	ASSERT_EQ(lbx_tarfs_create(fx.vfs, w.buf, w.len, &sb), -EINVAL);
	tarw_free(&w);
	tarw_dir(&w, "d");
	tarw_hardlink(&w, "h", "d");
	tarw_end(&w);
	ASSERT_EQ(lbx_tarfs_create(fx.vfs, w.buf, w.len, &sb), -EINVAL);
	tarw_free(&w);
	tarw_file(&w, "f", "x", 1);
	tarw_file(&w, "f/under", "x", 1);
	tarw_end(&w);
	ASSERT_EQ(lbx_tarfs_create(fx.vfs, w.buf, w.len, &sb), -EINVAL);
	tarw_free(&w);
	fix_fini(&fx);
}

TEST(tar_unpack_copies_and_charges)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_super *sb;
	struct lbx_kstat st;
	char buf[64];
	unsigned long long before;

	sample_image(&w);
	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/up", 0755), 0);
	before = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(lbx_memfs_create(fx.vfs, &fx.acct, 0755, &sb), 0);
	ASSERT_EQ(lbx_tar_unpack(sb, w.buf, w.len), 0);
	ASSERT_GT(lbx_memacct_used(&fx.acct), before + 2 * 4096);
	ASSERT_EQ(lbx_vfs_mount(fx.vfs, "/up", sb), 0);
	/* The image may go away: the data was copied. */
	memset(w.buf, 0, w.len);
	ASSERT_EQ(get_file(&fx.ctx, "/up/etc/passwd", buf, sizeof(buf)), 26);
	ASSERT_EQ(put_file(&fx.ctx, "/up/etc/passwd", "changed"), 7);
	ASSERT_EQ(stat_(&fx.ctx, "/up/usr/bin/tool2", 0, &st), 0);
	ASSERT_EQ(st.nlink, 2);
	fix_fini(&fx);
	tarw_free(&w);
}

TEST(tar_unpack_beyond_limit_is_enospc)
{
	struct tarw w = { 0 };
	struct fsfix fx;
	struct lbx_super *sb;
	char *big = calloc(1, 200000);

	tarw_file(&w, "big", big, 200000);
	tarw_end(&w);
	fix_init_limit(&fx, 100000);
	ASSERT_EQ(lbx_memfs_create(fx.vfs, &fx.acct, 0755, &sb), 0);
	ASSERT_EQ(lbx_tar_unpack(sb, w.buf, w.len), -ENOSPC);
	lbx_super_destroy(sb);
	fix_fini(&fx);
	tarw_free(&w);
	free(big);
}

TEST(vfs_create_with_upper_only)
{
	struct tarw w = { 0 };
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
	struct lbx_kstat st;
	char buf[64];

	sample_image(&w);
	lbx_memacct_init(&acct, 1 << 24);
	ASSERT_EQ(lbx_vfs_create(&vfs, NULL, NULL, 0, w.buf, w.len, &acct), 0);
	ASSERT_EQ(lbx_fs_ctx_init(&ctx, vfs), 0);
	ASSERT_EQ(get_file(&ctx, "/etc/passwd", buf, sizeof(buf)), 26);
	ASSERT_EQ(stat_(&ctx, "/tmp", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 01777);
	ASSERT_EQ(stat_(&ctx, "/proc", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISDIR(st.mode));
	ASSERT_EQ(stat_(&ctx, "/dev/null", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISCHR(st.mode));
	ASSERT_EQ(put_file(&ctx, "/tmp/x", "y"), 1);
	lbx_fs_ctx_release(&ctx);
	lbx_vfs_destroy(vfs);
	ASSERT_EQ(lbx_memacct_used(&acct), 0);
	tarw_free(&w);
}
