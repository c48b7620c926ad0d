// SPDX-License-Identifier: GPL-2.0
/*
 * userspace_tools/common/tarw.c: the images lbx-launch builds, read back by
 * core/fs/tar.c and by GNU tar. Spliced files (mapped in, not copied) must
 * give the same archive contents as copied ones.
 */
#include <sys/wait.h>

#include "../../userspace_tools/common/tarw.c"

#include <litebox/tar.h>
#include "lbx_test.h"

#define BIG	(200 * 1024 + 123)	/* spliced: >= 64 KiB, not page-sized */

static char tmpdir[64];

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 2654435761u >> 13);
}

/* A host tree: small, big, a big file under a path longer than 100. */
static void make_tree(void)
{
	static const char *long_dir =
		"a-directory-name-long-enough/that-the-path-needs/a-pax-header-"
		"because-ustar-names-end-at-one-hundred";
	char path[512];
	unsigned char *buf = malloc(BIG);
	size_t i;
	FILE *f;

	strcpy(tmpdir, "/tmp/lbx-tarw-XXXXXX");
	if (!mkdtemp(tmpdir) || !buf)
		abort();
	for (i = 0; i < BIG; i++)
		buf[i] = pattern(i);
	snprintf(path, sizeof(path), "%s/small", tmpdir);
	f = fopen(path, "w");
	fputs("small file\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/big", tmpdir);
	f = fopen(path, "w");
	fwrite(buf, 1, BIG, f);
	fclose(f);
	snprintf(path, sizeof(path), "mkdir -p %s/%s", tmpdir, long_dir);
	if (system(path))
		abort();
	snprintf(path, sizeof(path), "%s/%s/big2", tmpdir, long_dir);
	f = fopen(path, "w");
	fwrite(buf, 1, 100000, f);
	fclose(f);
	free(buf);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		abort();
}

static bool data_ok(const struct lbx_tar_entry *e, size_t len)
{
	const unsigned char *p = e->data;
	size_t i;

	if (e->size != len)
		return false;
	for (i = 0; i < len; i++)
		if (p[i] != pattern(i))
			return false;
	return true;
}

/* Builds the image of the tree; checks it with core's parser. */
static void check_image(bool splice)
{
	struct lbx_tar_iter it;
	struct lbx_tar_entry e;
	struct tarw t;
	int r, files = 0, big = 0;

	make_tree();
	tarw_init(&t, splice);
	ASSERT_EQ(tarw_add_file(&t, "/etc/motd", 0644, "hi\n", 3), 0);
	ASSERT_EQ(tarw_add_host(&t, tmpdir, "/data"), 0);
	ASSERT_EQ(tarw_add_symlink(&t, "/data/link", "big"), 0);
	ASSERT_EQ(tarw_finish(&t), 0);
	ASSERT_EQ(t.len % 512, 0);

	ASSERT_EQ(lbx_tar_iter_init(&it, t.buf, t.len), 0);
	while ((r = lbx_tar_next(&it, &e)) == 1) {
		if (e.type != LBX_TAR_REG)
			continue;
		files++;
		if (!strcmp(e.path, "data/big")) {
			ASSERT_TRUE(data_ok(&e, BIG));
			big++;
		} else if (strstr(e.path, "/big2")) {
			ASSERT_EQ(strlen(e.path) > 100, 1);
			ASSERT_TRUE(data_ok(&e, 100000));
			big++;
		} else {
			ASSERT_EQ(e.size < 64, 1);
			continue;
		}
		/* Spliced data starts on a page; copied data need not. */
		if (splice)
			ASSERT_EQ((uintptr_t)e.data % 4096, 0);
	}
	ASSERT_EQ(r, 0);
	ASSERT_EQ(files, 4);
	ASSERT_EQ(big, 2);
	lbx_tar_iter_fini(&it);

	/* GNU tar reads the same archive: the padding headers are empty
	 * global pax headers, which it skips. */
	{
		char img[96], cmd[512];
		FILE *f;

		snprintf(img, sizeof(img), "%s.tar", tmpdir);
		f = fopen(img, "w");
		ASSERT_NOT_NULL(f);
		ASSERT_EQ(fwrite(t.buf, 1, t.len, f), t.len);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "tar -xOf %s data/big | cmp -s - %s/big && "
			 "test \"$(tar -tf %s | grep -c .)\" -ge 9", img, tmpdir, img);
		r = system(cmd);
		unlink(img);
		ASSERT_EQ(r, 0);
	}
	tarw_free(&t);
	remove_tree();
}

TEST(image_copied)
{
	check_image(false);
}

TEST(image_spliced)
{
	check_image(true);
}

/* Growing never moves the image: earlier data stays where it was. */
TEST(image_grows_in_place)
{
	static char chunk[100000];
	struct tarw t;
	char *base;
	int i;

	memset(chunk, 'x', sizeof(chunk));
	tarw_init(&t, false);
	ASSERT_EQ(tarw_add_file(&t, "/f0", 0644, chunk, sizeof(chunk)), 0);
	base = t.buf;
	for (i = 1; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "/f%d", i);
		ASSERT_EQ(tarw_add_file(&t, name, 0644, chunk, sizeof(chunk)), 0);
	}
	ASSERT_TRUE(t.buf == base);
	ASSERT_GE(t.len, 40 * sizeof(chunk));
	ASSERT_LE(t.cap, t.reserved);
	tarw_free(&t);
}

/*
 * Each path goes in once: 5000 entries (the set grows several times), each
 * added twice, give 5000 tar entries, and every one is found; a path never
 * added is not. Dry (a manifest only) counts the same.
 */
TEST(image_paths_once)
{
	struct tarw_manifest man = { 0 };
	struct lbx_tar_entry e;
	struct lbx_tar_iter it;
	struct tarw t, d;
	char name[32];
	int i, pass, n = 0, r;

	tarw_init(&t, false);
	tarw_init(&d, false);
	tarw_set_manifest(&d, &man, true);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 5000; i++) {
			snprintf(name, sizeof(name), "/d%d/f%d", i % 7, i);
			ASSERT_EQ(tarw_add_file(&t, name, 0644, "x", 1), 0);
			ASSERT_EQ(tarw_add_file(&d, name, 0644, "x", 1), 0);
		}
	/* (The set holds tar names: relative.) */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d%d/f%d", i % 7, i);
		ASSERT_TRUE(tarw_contains(&t, name));
		ASSERT_TRUE(tarw_contains(&d, name));
	}
	EXPECT_TRUE(tarw_contains(&t, "d3"));
	EXPECT_FALSE(tarw_contains(&t, "d1/f5000"));
	EXPECT_FALSE(tarw_contains(&d, "d0/f1"));
	EXPECT_EQ(t.nnames, 5000 + 7);	/* and the 7 directories made for them */
	EXPECT_EQ(d.nnames, t.nnames);
	ASSERT_EQ(tarw_finish(&t), 0);
	ASSERT_EQ(lbx_tar_iter_init(&it, t.buf, t.len), 0);
	while ((r = lbx_tar_next(&it, &e)) == 1)
		n += e.type == LBX_TAR_REG;
	ASSERT_EQ(r, 0);
	EXPECT_EQ(n, 5000);
	lbx_tar_iter_fini(&it);
	tarw_free(&t);
	tarw_free(&d);
	tarw_manifest_free(&man);
}
