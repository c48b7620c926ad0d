// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_tar: core/fs/tar.c, the tar parser, over images built in the
 * test: ustar, pax and GNU long names, and the malformed images that must
 * give -EINVAL (bad checksum, "../" and absolute names, truncation).
 */
#include "lbx_kunit.h"

#define IMG_CAP (64 * 1024)

/* Parses the whole image: the number of entries, or the -errno. */
static int count_entries(struct kunit *test, const struct lbx_tarw *w)
{
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	int n = 0, ret;

	KUNIT_ASSERT_FALSE_MSG(test, w->overflow, "test image too large");
	ret = lbx_tar_iter_init(&it, w->buf, w->len);
	KUNIT_ASSERT_EQ(test, ret, 0);
	while ((ret = lbx_tar_next(&it, &e)) == 1)
		n++;
	lbx_tar_iter_fini(&it);
	return ret < 0 ? ret : n;
}

/* The iterator, finished when the test ends (even after a failed assert). */
static void iter_fini_action(struct kunit_resource *res)
{
	lbx_tar_iter_fini(res->data);
}

static int iter_init_action(struct kunit_resource *res, void *ctx)
{
	res->data = ctx;
	return 0;
}

static struct lbx_tar_iter *open_iter(struct kunit *test, const struct lbx_tarw *w)
{
	struct lbx_tar_iter *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	KUNIT_ASSERT_FALSE_MSG(test, w->overflow, "test image too large");
	KUNIT_ASSERT_EQ(test, lbx_tar_iter_init(it, w->buf, w->len), 0);
	if (!kunit_alloc_resource(test, iter_init_action, iter_fini_action,
				  GFP_KERNEL, it)) {
		lbx_tar_iter_fini(it);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	return it;
}

static void ustar_entry_types(struct kunit *test)
{
	static const char data[] = "127.0.0.1 localhost\n";
	struct lbx_tar_iter *it;
	struct lbx_tar_entry e;
	struct lbx_tarw w;

	lbx_tarw_init(test, &w, IMG_CAP);
	w.uid = 1000;
	w.gid = 100;
	w.mtime = 1700000000;
	lbx_tarw_dir(&w, "./");
	lbx_tarw_dir(&w, "./etc/");
	lbx_tarw_file(&w, "./etc/hosts", data, 20);
	lbx_tarw_symlink(&w, "./etc/link", "/etc/hosts");
	lbx_tarw_hardlink(&w, "./etc/hard", "./etc/hosts");
	lbx_tarw_end(&w);
	it = open_iter(test, &w);

	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_DIR);
	KUNIT_EXPECT_STREQ(test, e.path, "");
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_DIR);
	KUNIT_EXPECT_STREQ(test, e.path, "etc");
	KUNIT_EXPECT_EQ(test, e.mode, 0755u);

	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_REG);
	KUNIT_EXPECT_STREQ(test, e.path, "etc/hosts");
	KUNIT_EXPECT_EQ(test, e.size, 20ULL);
	KUNIT_EXPECT_EQ(test, e.uid, 1000u);
	KUNIT_EXPECT_EQ(test, e.gid, 100u);
	KUNIT_EXPECT_EQ(test, e.mtime_sec, 1700000000LL);
	KUNIT_EXPECT_EQ(test, e.mode, 0644u);
	/* The data is served from the image, not copied. */
	KUNIT_EXPECT_TRUE(test, (const u8 *)e.data > w.buf &&
			  (const u8 *)e.data + 20 <= w.buf + w.len);
	KUNIT_EXPECT_EQ(test, memcmp(e.data, data, 20), 0);

	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_SYMLINK);
	KUNIT_EXPECT_STREQ(test, e.path, "etc/link");
	KUNIT_EXPECT_STREQ(test, e.link, "/etc/hosts");

	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_HARDLINK);
	KUNIT_EXPECT_STREQ(test, e.path, "etc/hard");
	/* A hard link names a member: normalised like a member name. */
	KUNIT_EXPECT_STREQ(test, e.link, "etc/hosts");

	KUNIT_EXPECT_EQ(test, lbx_tar_next(it, &e), 0);
	KUNIT_EXPECT_EQ(test, lbx_tar_next(it, &e), 0);
}

static void names_are_normalised(struct kunit *test)
{
	struct lbx_tar_iter *it;
	struct lbx_tar_entry e;
	struct lbx_tarw w;
	size_t off;

	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, ".//a/./b//c", "x", 1);
	/* ustar prefix field (offset 345) joined to the name with a slash. */
	off = lbx_tarw_file(&w, "file.txt", "hi", 2);
	memcpy(w.buf + off + 345, "some/long/prefix", 16);
	lbx_tarw_sum(&w, off);
	lbx_tarw_end(&w);
	it = open_iter(test, &w);
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_STREQ(test, e.path, "a/b/c");
	KUNIT_EXPECT_EQ(test, e.path_len, (size_t)5);
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_STREQ(test, e.path, "some/long/prefix/file.txt");
}

/* pax 'x' headers override the next header's fields: a 300-byte path,
 * fractional mtime, a uid beyond the octal field, a long link target. */
static void pax_long_names_and_fields(struct kunit *test)
{
	struct lbx_tar_iter *it;
	struct lbx_tar_entry e;
	struct lbx_tarw w;
	char *longname;

	longname = kunit_kzalloc(test, 301, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, longname);
	memset(longname, 'n', 300);
	memcpy(longname, "dir/", 4);
	longname[150] = '/';

	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_pax(&w, "path", longname);
	lbx_tarw_file(&w, "short", "abc", 3);
	lbx_tarw_pax(&w, "mtime", "1234567890.5");
	lbx_tarw_pax(&w, "uid", "4000000000");
	lbx_tarw_file(&w, "f2", "", 0);
	lbx_tarw_pax(&w, "linkpath", "/a/very/long/target");
	lbx_tarw_symlink(&w, "s", "ignored");
	lbx_tarw_end(&w);
	it = open_iter(test, &w);

	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.path_len, (size_t)300);
	KUNIT_EXPECT_STREQ(test, e.path, longname);
	KUNIT_EXPECT_EQ(test, e.size, 3ULL);
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_STREQ(test, e.path, "f2");
	KUNIT_EXPECT_EQ(test, e.mtime_sec, 1234567890LL);
	KUNIT_EXPECT_EQ(test, e.mtime_nsec, 500000000u);
	KUNIT_EXPECT_EQ(test, e.uid, 4000000000u);
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_EQ(test, e.type, LBX_TAR_SYMLINK);
	KUNIT_EXPECT_STREQ(test, e.link, "/a/very/long/target");
	KUNIT_EXPECT_EQ(test, lbx_tar_next(it, &e), 0);
}

static void gnu_long_name_and_link(struct kunit *test)
{
	struct lbx_tar_iter *it;
	struct lbx_tar_entry e;
	struct lbx_tarw w;
	char name[200];

	memset(name, 'q', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_gnu_long(&w, 'L', name);
	lbx_tarw_gnu_long(&w, 'K', "target/of/the/link");
	lbx_tarw_symlink(&w, "truncated-name", "trunc");
	lbx_tarw_end(&w);
	it = open_iter(test, &w);
	KUNIT_ASSERT_EQ(test, lbx_tar_next(it, &e), 1);
	KUNIT_EXPECT_STREQ(test, e.path, name);
	KUNIT_EXPECT_STREQ(test, e.link, "target/of/the/link");
	KUNIT_EXPECT_EQ(test, lbx_tar_next(it, &e), 0);
}

static void bad_checksum_is_einval(struct kunit *test)
{
	struct lbx_tarw w;
	size_t off;

	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "good", "a", 1);
	off = lbx_tarw_file(&w, "bad", "b", 1);
	w.buf[off + 1] ^= 1;	/* the name changes, the checksum does not */
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
}

/* A member may never land outside the image root. */
static void dotdot_names_are_einval(struct kunit *test)
{
	static const char *const bad[] = {
		"../x", "a/../../x", "a/b/../../../x", "..", "a/..",
	};
	struct lbx_tarw w;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		lbx_tarw_init(test, &w, IMG_CAP);
		lbx_tarw_file(&w, bad[i], "a", 1);
		lbx_tarw_end(&w);
		KUNIT_EXPECT_EQ_MSG(test, count_entries(test, &w), -EINVAL,
				    "member name \"%s\"", bad[i]);
	}
	/* The same through a pax path and a hard-link target. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_pax(&w, "path", "ok/../../x");
	lbx_tarw_file(&w, "a", "a", 1);
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_hardlink(&w, "h", "../../etc/shadow");
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	/* ".." inside a component is just a name. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "a..b/..c", "a", 1);
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), 1);
}

static void absolute_names_are_einval(struct kunit *test)
{
	struct lbx_tarw w;

	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "/etc/passwd", "a", 1);
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_pax(&w, "path", "/abs/olute");
	lbx_tarw_file(&w, "a", "a", 1);
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_hardlink(&w, "h", "/etc/shadow");
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
}

static void truncated_images_are_einval(struct kunit *test)
{
	static const char zeros[2000];
	struct lbx_tarw w;

	/* Cut into the second header. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "a", "a", 1);
	lbx_tarw_file(&w, "b", "b", 1);
	w.len -= 512 + 100;
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	/* Cut into a member's data. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "a", zeros, sizeof(zeros));
	w.len -= 1024;
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	/* A size far beyond the image. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_hdr(&w, "huge", '0', 0644, NULL, 077777777777ULL);
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
	/* An extended header with nothing after it. */
	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_pax(&w, "path", "x");
	lbx_tarw_end(&w);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), -EINVAL);
}

/* GNU tar's end is two zero blocks, but an image that simply stops after
 * a complete member is accepted (as tar -t does, with a warning). */
static void missing_end_blocks_is_the_end(struct kunit *test)
{
	struct lbx_tarw w;

	lbx_tarw_init(test, &w, IMG_CAP);
	lbx_tarw_file(&w, "a", "a", 1);
	lbx_tarw_file(&w, "b", "b", 1);
	KUNIT_EXPECT_EQ(test, count_entries(test, &w), 2);
}

static struct kunit_case tar_cases[] = {
	KUNIT_CASE(ustar_entry_types),
	KUNIT_CASE(names_are_normalised),
	KUNIT_CASE(pax_long_names_and_fields),
	KUNIT_CASE(gnu_long_name_and_link),
	KUNIT_CASE(bad_checksum_is_einval),
	KUNIT_CASE(dotdot_names_are_einval),
	KUNIT_CASE(absolute_names_are_einval),
	KUNIT_CASE(truncated_images_are_einval),
	KUNIT_CASE(missing_end_blocks_is_the_end),
	{}
};

static struct kunit_suite tar_suite = {
	.name = "litebox_tar",
	.test_cases = tar_cases,
};

kunit_test_suite(tar_suite);
