// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_memfs: core/fs/memfs.c through the VFS: file data, unlink while
 * open, sparse files, and the byte accounting that bounds a sandbox's file
 * system (ENOSPC past the limit, every byte returned at the end), and a
 * file's move into a shared memory object (a shmem file) for MAP_SHARED.
 */
#include <litebox/memfs.h>
#include "lbx_kunit.h"

#define PAGE 4096

static void create_write_read_back(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[32];

	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/hello", LX_O_CREAT | LX_O_EXCL | LX_O_RDWR,
					     0640, &f), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, "hello world", 11), 11L);
	KUNIT_EXPECT_EQ(test, lbx_file_stat(f, &st), 0);
	KUNIT_EXPECT_EQ(test, st.size, 11ULL);
	KUNIT_EXPECT_TRUE(test, LX_S_ISREG(st.mode));
	KUNIT_EXPECT_EQ(test, st.mode & 07777, 0640u);
	KUNIT_EXPECT_EQ(test, st.nlink, 1u);
	/* The position is at the end: read gives 0 until a seek. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(f, buf, sizeof(buf)), 0L);
	KUNIT_EXPECT_EQ(test, lbx_file_llseek(f, 6, LX_SEEK_SET), 6LL);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(f, buf, sizeof(buf)), 5L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "world", 5), 0);
	lbx_file_put(f);
	KUNIT_EXPECT_EQ(test, lbx_kunit_get_file(fx, "/hello", buf, sizeof(buf)), 11L);
	KUNIT_EXPECT_STREQ(test, buf, "hello world");
	lbx_kunit_fs_fini(test, fx);
}

/* As on Linux: an unlinked file lives on while open; its memory comes back
 * at the last close. */
static void unlink_while_open_keeps_data(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	u8 *page = kunit_kzalloc(test, PAGE, GFP_KERNEL);
	struct lbx_file *f;
	struct lbx_kstat st;
	u64 base, full;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, page);
	base = lbx_memacct_used(&fx->acct);
	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/f", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	for (n = 0; n < 16; n++) {
		memset(page, 'a' + n, PAGE);
		KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, page, PAGE), (long)PAGE);
	}
	full = lbx_memacct_used(&fx->acct);
	KUNIT_EXPECT_GE(test, full - base, 16ULL * PAGE);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&fx->ctx, NULL, "/f", 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_try_open(fx, "/f", LX_O_RDONLY), -ENOENT);
	KUNIT_EXPECT_EQ(test, lbx_file_stat(f, &st), 0);
	KUNIT_EXPECT_EQ(test, st.nlink, 0u);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, page, PAGE, 5 * PAGE), (ssize_t)PAGE);
	KUNIT_EXPECT_EQ(test, page[0], (u8)('a' + 5));
	KUNIT_EXPECT_EQ(test, page[PAGE - 1], (u8)('a' + 5));
	/* Still charged while open ... */
	KUNIT_EXPECT_GE(test, lbx_memacct_used(&fx->acct) - base, 16ULL * PAGE);
	lbx_file_put(f);
	/* ... and returned by the last close. */
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&fx->acct), base);
	lbx_kunit_fs_fini(test, fx);
}

/* Past the sandbox's file-system limit a write is short, then -ENOSPC;
 * what was written stays readable; freeing space makes room again. */
static void enospc_past_the_memacct_limit(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64 * 1024);
	const size_t big = 256 * 1024;
	u8 *data = kunit_kmalloc(test, big, GFP_KERNEL);
	u8 *back = kunit_kzalloc(test, big, GFP_KERNEL);
	struct lbx_file *f;
	long n;

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, back);
	memset(data, 'q', big);
	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/big", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	n = lbx_kunit_write(f, data, big);
	KUNIT_EXPECT_GT(test, n, 0L);
	KUNIT_EXPECT_LT(test, n, 64L * 1024);
	KUNIT_EXPECT_EQ(test, n % PAGE, 0L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, data, PAGE), (long)-ENOSPC);
	KUNIT_EXPECT_LE(test, lbx_memacct_used(&fx->acct), 64ULL * 1024);
	if (n > 0) {
		KUNIT_EXPECT_EQ(test, lbx_file_pread(f, back, big, 0), (ssize_t)n);
		KUNIT_EXPECT_EQ(test, memcmp(back, data, n), 0);
	}
	KUNIT_EXPECT_EQ(test, lbx_file_truncate(f, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, data, PAGE), (long)PAGE);
	KUNIT_EXPECT_EQ(test, lbx_vfs_mkdirat(&fx->ctx, NULL, "/d", 0755), 0);
	lbx_file_put(f);
	lbx_kunit_fs_fini(test, fx);
}

/* Holes read as zeros and cost nothing. */
static void sparse_file_reads_zero_in_holes(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	u8 *buf = kunit_kzalloc(test, 2 * PAGE, GFP_KERNEL);
	struct lbx_file *f;
	struct lbx_kstat st;
	u64 before;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/s", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	before = lbx_memacct_used(&fx->acct);
	KUNIT_EXPECT_EQ(test, lbx_file_llseek(f, 1 << 20, LX_SEEK_SET), (s64)(1 << 20));
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(f, "end", 3), 3L);
	KUNIT_EXPECT_EQ(test, lbx_file_stat(f, &st), 0);
	KUNIT_EXPECT_EQ(test, st.size, (u64)(1 << 20) + 3);
	KUNIT_EXPECT_EQ(test, st.blocks, 8ULL);
	KUNIT_EXPECT_LE(test, lbx_memacct_used(&fx->acct) - before, 3ULL * PAGE);
	memset(buf, 'x', 2 * PAGE);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 2 * PAGE, PAGE), (ssize_t)(2 * PAGE));
	KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, 2 * PAGE));
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 2 * PAGE, (1 << 20) - 2), (ssize_t)5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "\0\0end", 5), 0);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 1, (1 << 20) + 3), (ssize_t)0);
	/* Shrinking then growing reads zeros where the data was. */
	KUNIT_EXPECT_EQ(test, lbx_file_truncate(f, (1 << 20) + 1), 0);
	KUNIT_EXPECT_EQ(test, lbx_file_truncate(f, (1 << 20) + 3), 0);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 8, 1 << 20), (ssize_t)3);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "e\0\0", 3), 0);
	lbx_file_put(f);
	lbx_kunit_fs_fini(test, fx);
}

/* Creating inodes until the limit: -ENOSPC, never over the limit, and the
 * teardown returns every byte. */
static void inode_limit_gives_enospc(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 16 * 1024);
	char name[32];
	int n, ret = 0;

	for (n = 0; n < 1000 && !ret; n++) {
		snprintf(name, sizeof(name), "/d%d", n);
		ret = lbx_vfs_mkdirat(&fx->ctx, NULL, name, 0755);
	}
	KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_GT(test, n, 1);
	KUNIT_EXPECT_LE(test, lbx_memacct_used(&fx->acct), 16ULL * 1024);
	lbx_kunit_fs_fini(test, fx);
}

static long kpwrite(struct lbx_file *f, const void *buf, size_t n, u64 off)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, (void *)buf, n);
	return lbx_file_pwrite_iter(f, &it, off);
}

/*
 * A file mapped MAP_SHARED keeps its data in a shmem file (the kernel
 * platform's shared memory object): its pages and the file's read, write
 * and truncate are one copy, charged in whole pages; unlink and the last
 * close free it.
 */
static void shared_object_is_the_files_data(struct kunit *test)
{
	struct lbx_kunit_fs *fx = lbx_kunit_fs_init(test, 64ULL << 20);
	struct lbx_plat_shm *shm;
	struct lbx_shm_page pg;
	struct lbx_file *f;
	struct lbx_kstat st;
	u64 base, id;
	char buf[8];

	base = lbx_memacct_used(&fx->acct);
	KUNIT_ASSERT_EQ(test, lbx_kunit_open(fx, "/s", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	KUNIT_EXPECT_EQ(test, kpwrite(f, "first", 5, 0), 5L);
	KUNIT_EXPECT_EQ(test, kpwrite(f, "second", 6, PAGE + 10), 6L);
	KUNIT_ASSERT_EQ(test, f->ops->shm(f, &shm, &id), 0);
	KUNIT_EXPECT_NE(test, id, 0ULL);
	KUNIT_ASSERT_EQ(test, lbx_plat_shm_page_get(shm, 1, &pg), 0);
	KUNIT_EXPECT_EQ(test, memcmp((char *)pg.addr + 10, "second", 6), 0);
	memcpy(pg.addr, "page", 4);
	lbx_plat_shm_page_put(&pg, true);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 4, PAGE), 4L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "page", 4), 0);
	KUNIT_EXPECT_EQ(test, kpwrite(f, "w", 1, 3), 1L);
	KUNIT_ASSERT_EQ(test, lbx_plat_shm_page_get(shm, 0, &pg), 0);
	KUNIT_EXPECT_EQ(test, memcmp(pg.addr, "firwt", 5), 0);
	lbx_plat_shm_page_put(&pg, false);
	/* Growth by a write, shrink by truncate (the tail reads zero). */
	KUNIT_EXPECT_EQ(test, kpwrite(f, "end", 3, 4 * PAGE), 3L);
	KUNIT_EXPECT_EQ(test, lbx_file_stat(f, &st), 0);
	KUNIT_EXPECT_EQ(test, st.size, 4ULL * PAGE + 3);
	KUNIT_EXPECT_EQ(test, st.blocks, 5ULL * PAGE / 512);
	KUNIT_EXPECT_EQ(test, lbx_file_truncate(f, 2), 0);
	KUNIT_EXPECT_EQ(test, lbx_file_truncate(f, PAGE), 0);
	KUNIT_EXPECT_EQ(test, lbx_file_pread(f, buf, 8, 0), 8L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "fi\0\0\0\0\0\0", 8), 0);
	KUNIT_EXPECT_EQ(test, lbx_vfs_unlinkat(&fx->ctx, NULL, "/s", 0), 0);
	lbx_file_put(f);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&fx->acct), base);
	lbx_kunit_fs_fini(test, fx);
}

static struct kunit_case memfs_cases[] = {
	KUNIT_CASE(create_write_read_back),
	KUNIT_CASE(unlink_while_open_keeps_data),
	KUNIT_CASE(enospc_past_the_memacct_limit),
	KUNIT_CASE(sparse_file_reads_zero_in_holes),
	KUNIT_CASE(inode_limit_gives_enospc),
	KUNIT_CASE(shared_object_is_the_files_data),
	{}
};

static struct kunit_suite memfs_suite = {
	.name = "litebox_memfs",
	.test_cases = memfs_cases,
};

kunit_test_suite(memfs_suite);
