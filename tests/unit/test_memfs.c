// SPDX-License-Identifier: GPL-2.0
/* core/fs/memfs.c: sparse page-backed files and memory accounting. */
#include <sys/mman.h>
#include <litebox/memfs.h>
#include "test_vfs_util.h"

TEST(memfs_sparse_file_reads_zero_in_holes)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_kstat st;
	char buf[8192];
	unsigned long long before;

	fix_init(&fx);
	ASSERT_EQ(fopen_(&fx.ctx, "/s", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	before = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(lbx_file_llseek(f, 1 << 20, LX_SEEK_SET), 1 << 20);
	ASSERT_EQ(fwrite_(f, "end", 3), 3);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.size, (1 << 20) + 3);
	ASSERT_EQ(st.blocks, 8);
	/* One data page plus one tree node, not 256 pages. */
	ASSERT_LE(lbx_memacct_used(&fx.acct) - before, 3 * 4096);
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), 4096), sizeof(buf));
	ASSERT_EQ(buf[0], 0);
	ASSERT_EQ(buf[sizeof(buf) - 1], 0);
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), (1 << 20) - 2), 5);
	ASSERT_MEMEQ(buf, "\0\0end", 5);
	ASSERT_EQ(lbx_file_pread(f, buf, 1, (1 << 20) + 3), 0);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_seek_data_and_hole)
{
	struct fsfix fx;
	struct lbx_file *f;

	fix_init(&fx);
	ASSERT_EQ(fopen_(&fx.ctx, "/s", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &(struct lbx_iter){ .kbuf = (unsigned char *)"a", .count = 1 },
				       3 * 4096 + 10), 1);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &(struct lbx_iter){ .kbuf = (unsigned char *)"b", .count = 1 },
				       100 * 4096), 1);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_DATA), 3 * 4096);
	ASSERT_EQ(lbx_file_llseek(f, 3 * 4096 + 5, LX_SEEK_DATA), 3 * 4096 + 5);
	ASSERT_EQ(lbx_file_llseek(f, 4 * 4096, LX_SEEK_DATA), 100 * 4096);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_HOLE), 0);
	ASSERT_EQ(lbx_file_llseek(f, 3 * 4096, LX_SEEK_HOLE), 4 * 4096);
	ASSERT_EQ(lbx_file_llseek(f, 100 * 4096, LX_SEEK_HOLE), 100 * 4096 + 1);
	ASSERT_EQ(lbx_file_llseek(f, 100 * 4096 + 1, LX_SEEK_DATA), -ENXIO);
	ASSERT_EQ(lbx_file_llseek(f, -1, LX_SEEK_HOLE), -ENXIO);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_huge_offsets_and_efbig)
{
	struct fsfix fx;
	struct lbx_file *f;
	char c = 0;

	fix_init(&fx);
	ASSERT_EQ(fopen_(&fx.ctx, "/h", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &(struct lbx_iter){ .kbuf = (unsigned char *)"T", .count = 1 },
				       1ULL << 40), 1);
	ASSERT_EQ(lbx_file_pread(f, &c, 1, 1ULL << 40), 1);
	ASSERT_EQ(c, 'T');
	ASSERT_EQ(lbx_file_pread(f, &c, 1, 12345), 1);
	ASSERT_EQ(c, 0);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &(struct lbx_iter){ .kbuf = (unsigned char *)"T", .count = 1 },
				       LBX_MEMFS_MAX_SIZE), -EFBIG);
	ASSERT_EQ(lbx_file_truncate(f, (long long)LBX_MEMFS_MAX_SIZE + 1), -EFBIG);
	ASSERT_EQ(lbx_file_truncate(f, 1), 0);
	ASSERT_LT(lbx_memacct_used(&fx.acct), 8 * 4096);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_enospc_keeps_what_was_written)
{
	struct fsfix fx;
	struct lbx_file *f;
	char *big = malloc(256 * 1024), *back = malloc(256 * 1024);
	long n, m;

	fix_init_limit(&fx, 64 * 1024);
	memset(big, 'q', 256 * 1024);
	ASSERT_EQ(fopen_(&fx.ctx, "/big", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	n = fwrite_(f, big, 256 * 1024);
	ASSERT_GT(n, 0);
	ASSERT_LT(n, 64 * 1024);
	ASSERT_EQ(n % 4096, 0);
	ASSERT_EQ(fwrite_(f, big, 4096), -ENOSPC);
	ASSERT_LE(lbx_memacct_used(&fx.acct), 64 * 1024);
	m = lbx_file_pread(f, back, 256 * 1024, 0);
	ASSERT_EQ(m, n);
	ASSERT_MEMEQ(back, big, n);
	/* Freeing space makes room again. */
	ASSERT_EQ(lbx_file_truncate(f, 0), 0);
	ASSERT_EQ(fwrite_(f, big, 4096), 4096);
	lbx_file_put(f);
	free(big);
	free(back);
	fix_fini(&fx);
}

TEST(memfs_unlink_returns_memory_on_last_close)
{
	struct fsfix fx;
	struct lbx_file *f;
	unsigned long long base, full;
	char page[4096] = { 1 };
	int n;

	fix_init(&fx);
	base = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	for (n = 0; n < 16; n++)
		ASSERT_EQ(fwrite_(f, page, sizeof(page)), 4096);
	full = lbx_memacct_used(&fx.acct);
	ASSERT_GE(full - base, 16 * 4096);
	ASSERT_EQ(unlink_(&fx.ctx, "/f"), 0);
	ASSERT_GE(lbx_memacct_used(&fx.acct) - base, 16 * 4096);
	lbx_file_put(f);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), base);
	fix_fini(&fx);
}

TEST(memfs_directories_and_symlinks_are_charged)
{
	struct fsfix fx;
	unsigned long long base;

	fix_init(&fx);
	base = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_GT(lbx_memacct_used(&fx.acct), base);
	ASSERT_EQ(symlink_(&fx.ctx, "some/long/target/path", "/d/l"), 0);
	ASSERT_EQ(unlink_(&fx.ctx, "/d/l"), 0);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d"), 0);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), base);
	fix_fini(&fx);
}

TEST(memfs_inode_limit_gives_enospc)
{
	struct fsfix fx;
	char name[32];
	int n, r = 0;

	fix_init_limit(&fx, 16 * 1024);
	for (n = 0; n < 1000 && !r; n++) {
		snprintf(name, sizeof(name), "/d%d", n);
		r = mkdir_(&fx.ctx, name, 0755);
	}
	ASSERT_EQ(r, -ENOSPC);
	ASSERT_LE(lbx_memacct_used(&fx.acct), 16 * 1024);
	fix_fini(&fx);
}

TEST(memfs_shrink_then_grow_reads_zeros)
{
	struct fsfix fx;
	struct lbx_file *f;
	char buf[16];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "0123456789"), 10);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(lbx_file_truncate(f, 4), 0);
	ASSERT_EQ(lbx_file_truncate(f, 10), 0);
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), 0), 10);
	ASSERT_MEMEQ(buf, "0123\0\0\0\0\0\0", 10);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_directory_nlink_counts_subdirs)
{
	struct fsfix fx;
	struct lbx_kstat st;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d", 0755), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d", 0, &st), 0);
	ASSERT_EQ(st.nlink, 2);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d/a", 0755), 0);
	ASSERT_EQ(mkdir_(&fx.ctx, "/d/b", 0755), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d/f", ""), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d", 0, &st), 0);
	ASSERT_EQ(st.nlink, 4);
	ASSERT_EQ(rmdir_(&fx.ctx, "/d/a"), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/d", 0, &st), 0);
	ASSERT_EQ(st.nlink, 3);
	fix_fini(&fx);
}

TEST(memfs_readdir_positions_survive_deletion)
{
	struct fsfix fx;
	char names[128];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/a", ""), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/b", ""), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/c", ""), 0);
	ASSERT_EQ(unlink_(&fx.ctx, "/b"), 0);
	ASSERT_EQ(put_file(&fx.ctx, "/d", ""), 0);
	ASSERT_EQ(list_dir(&fx.ctx, "/", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "a,c,d");
	fix_fini(&fx);
}

TEST(memfs_deep_tree_teardown_is_iterative)
{
	struct fsfix fx;
	char *path = malloc(4096);
	size_t len = 0;
	int n;

	fix_init(&fx);
	/* 2000 levels: a recursive teardown would be a kernel-stack bomb. */
	for (n = 0; n < 2000; n++) {
		path[len++] = '/';
		path[len++] = 'd';
		path[len] = '\0';
		ASSERT_EQ(mkdir_(&fx.ctx, path, 0755), 0);
	}
	free(path);
	fix_fini(&fx);
}

TEST(memfs_guest_iterator_faults_are_efault)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_iter it;
	char buf[16];

	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "guest data"), 10);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDWR, 0, &f), 0);
	lbx_iter_init_guest(&it, (unsigned long)buf, sizeof(buf));
	ASSERT_EQ(lbx_file_read(f, &it), 10);
	ASSERT_MEMEQ(buf, "guest data", 10);
	lbx_iter_init_guest(&it, 8, 16);	/* unmapped */
	ASSERT_EQ(lbx_file_pread_iter(f, &it, 0), -EFAULT);
	lbx_iter_init_guest(&it, 8, 16);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &it, 0), -EFAULT);
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), 0), 10);
	ASSERT_MEMEQ(buf, "guest data", 10);
	lbx_file_put(f);
	fix_fini(&fx);
}

/* A guest buffer that turns bad part way: the good part moves and counts. */
TEST(memfs_partly_bad_guest_buffer_moves_the_good_part)
{
	const size_t pg = 4096;
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_iter it;
	char buf[16], *m;

	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_EQ(mprotect(m + pg, pg, PROT_NONE), 0);
	fix_init(&fx);
	ASSERT_EQ(put_file(&fx.ctx, "/f", "0123456789abcdef"), 16);
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_RDWR, 0, &f), 0);
	lbx_iter_init_guest(&it, (unsigned long)(m + pg - 6), 12);
	ASSERT_EQ(lbx_file_pread_iter(f, &it, 2), 6);
	ASSERT_MEMEQ(m + pg - 6, "234567", 6);
	ASSERT_EQ(lbx_iter_count(&it), 6);
	/* Read from the guest: exactly the readable bytes land in the file. */
	memcpy(m + pg - 3, "XYZ", 3);
	lbx_iter_init_guest(&it, (unsigned long)(m + pg - 3), 8);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &it, 4), 3);
	ASSERT_EQ(lbx_file_pread(f, buf, sizeof(buf), 0), 16);
	ASSERT_MEMEQ(buf, "0123XYZ789abcdef", 16);
	/* Nothing good at all: EFAULT, nothing moved. */
	lbx_iter_init_guest(&it, (unsigned long)(m + pg), 8);
	ASSERT_EQ(lbx_file_pwrite_iter(f, &it, 0), -EFAULT);
	ASSERT_EQ(lbx_iter_count(&it), 8);
	lbx_file_put(f);
	fix_fini(&fx);
	munmap(m, 2 * pg);
}

/* ---- shared memory objects (MAP_SHARED) ---- */

static long pwrite_(struct lbx_file *f, const char *s, size_t n, unsigned long long off)
{
	return lbx_file_pwrite_iter(f, &(struct lbx_iter){ .kbuf = (unsigned char *)s, .count = n },
				    off);
}

/* Maps the file's object into this process, as a guest mapping would be. */
static unsigned char *map_shm(struct lbx_file *f, unsigned long long len,
			      u64 *id)
{
	struct lbx_plat_shm *shm;
	u64 addr = 0;

	ASSERT_EQ(f->ops->shm(f, &shm, id), 0);
	ASSERT_EQ(lbx_plat_shm_map(shm, &addr, len, LBX_PROT_READ | LBX_PROT_WRITE, 0, 0), 0);
	return (unsigned char *)(uintptr_t)addr;
}

TEST(memfs_shared_object_is_coherent_with_read_write_truncate)
{
	unsigned long long before, mapped;
	u64 id, id2;
	struct lbx_plat_shm *shm;
	struct lbx_file *f, *g;
	struct lbx_kstat st;
	struct fsfix fx;
	unsigned char *m;
	char buf[8];

	fix_init(&fx);
	ASSERT_EQ(fopen_(&fx.ctx, "/s", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	ASSERT_EQ(pwrite_(f, "first", 5, 0), 5);
	ASSERT_EQ(pwrite_(f, "second", 6, 4096 + 10), 6);
	/* Two data pages and one tree node, then two pages of the object. */
	before = lbx_memacct_used(&fx.acct);
	m = map_shm(f, 3 * 4096, &id);
	mapped = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(mapped, before - 4096);
	ASSERT_NE(id, 0);
	ASSERT_MEMEQ(m, "first", 5);
	ASSERT_MEMEQ(m + 4096 + 10, "second", 6);
	/* A second open finds the same object. */
	ASSERT_EQ(fopen_(&fx.ctx, "/s", LX_O_RDWR, 0, &g), 0);
	ASSERT_EQ(g->ops->shm(g, &shm, &id2), 0);
	ASSERT_EQ(id2, id);
	lbx_file_put(g);
	/* Stores in the mapping are the file's; writes are the mapping's. */
	m[100] = 'M';
	ASSERT_EQ(lbx_file_pread(f, buf, 1, 100), 1);
	ASSERT_EQ(buf[0], 'M');
	ASSERT_EQ(pwrite_(f, "w", 1, 200), 1);
	ASSERT_EQ(m[200], 'w');
	/* A write past the end grows the object and the charge by a page. */
	ASSERT_EQ(pwrite_(f, "end", 3, 2 * 4096 + 5), 3);
	ASSERT_EQ(m[2 * 4096 + 6], 'n');
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.size, 2 * 4096 + 8);
	ASSERT_EQ(st.blocks, 3 * 8);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), mapped + 4096);
	/* Shrinking drops pages and zeroes the cut tail of the last one. */
	ASSERT_EQ(lbx_file_truncate(f, 3), 0);
	ASSERT_EQ(m[0], 'f');
	ASSERT_EQ(m[3], 0);
	ASSERT_EQ(m[100], 0);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), mapped - 4096);
	ASSERT_EQ(lbx_file_pread(f, buf, 8, 0), 3);
	/* Growing reads zeroes, everywhere. */
	ASSERT_EQ(lbx_file_truncate(f, 2 * 4096), 0);
	ASSERT_EQ(lbx_file_pread(f, buf, 4, 4096 + 10), 4);
	ASSERT_MEMEQ(buf, "\0\0\0\0", 4);
	ASSERT_EQ(m[4096 + 10], 0);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), mapped);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_HOLE), 2 * 4096);
	ASSERT_EQ(munmap(m, 3 * 4096), 0);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_shared_object_is_charged_against_the_limit)
{
	static char data[10 * 4096];
	struct lbx_plat_shm *shm;
	u64 id;
	struct lbx_file *f;
	struct lbx_kstat st;
	struct fsfix fx;
	char c;

	fix_init_limit(&fx, 64 * 1024);
	memset(data, 'd', sizeof(data));
	ASSERT_EQ(fopen_(&fx.ctx, "/l", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	ASSERT_EQ(pwrite_(f, data, sizeof(data), 0), sizeof(data));
	/* The move needs both copies at once: 80 KiB > 64 KiB. */
	ASSERT_EQ(f->ops->shm(f, &shm, &id), -ENOSPC);
	ASSERT_EQ(lbx_file_pread(f, &c, 1, sizeof(data) - 1), 1);
	ASSERT_EQ(c, 'd');
	ASSERT_EQ(lbx_file_truncate(f, 2 * 4096), 0);
	ASSERT_EQ(f->ops->shm(f, &shm, &id), 0);
	/* Beyond the limit: nothing changes. */
	ASSERT_EQ(lbx_file_truncate(f, 1 << 20), -ENOSPC);
	ASSERT_EQ(pwrite_(f, data, sizeof(data), 8 * 4096), -ENOSPC);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.size, 2 * 4096);
	ASSERT_EQ(lbx_file_pread(f, &c, 1, 4096 + 5), 1);
	ASSERT_EQ(c, 'd');
	ASSERT_EQ(pwrite_(f, data, 4096, 4096 + 100), 4096);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.size, 2 * 4096 + 100);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(memfs_shared_mapping_outlives_unlink_and_close)
{
	unsigned long long base;
	u64 id;
	struct lbx_file *f;
	struct fsfix fx;
	unsigned char *m;

	fix_init(&fx);
	base = lbx_memacct_used(&fx.acct);
	ASSERT_EQ(fopen_(&fx.ctx, "/u", LX_O_CREAT | LX_O_RDWR, 0644, &f), 0);
	ASSERT_EQ(pwrite_(f, "kept", 4, 4096), 4);
	m = map_shm(f, 2 * 4096, &id);
	ASSERT_EQ(unlink_(&fx.ctx, "/u"), 0);
	lbx_file_put(f);
	/* The inode and its charge are gone; the mapping holds the pages. */
	ASSERT_EQ(lbx_memacct_used(&fx.acct), base);
	ASSERT_MEMEQ(m + 4096, "kept", 4);
	m[0] = 1;
	ASSERT_EQ(munmap(m, 2 * 4096), 0);
	fix_fini(&fx);
}

/*
 * A big directory (its names hashed past 16 entries, the table grown
 * several times): every name is found, removed names are not, a rename
 * within it and out of it moves the name, readdir keeps creation order,
 * and emptying it gives back all but the table's memory, which goes with
 * the directory.
 */
TEST(memfs_big_directory_names)
{
	struct fsfix fx;
	struct lbx_kstat st;
	char path[64], names[64];
	unsigned long long base, full;
	int n;

	fix_init(&fx);
	ASSERT_EQ(mkdir_(&fx.ctx, "/big", 0755), 0);
	base = lbx_memacct_used(&fx.acct);
	for (n = 0; n < 1000; n++) {
		snprintf(path, sizeof(path), "/big/f%d", n);
		ASSERT_EQ(put_file(&fx.ctx, path, ""), 0);
	}
	full = lbx_memacct_used(&fx.acct);
	for (n = 0; n < 1000; n++) {
		snprintf(path, sizeof(path), "/big/f%d", n);
		ASSERT_EQ(stat_(&fx.ctx, path, 0, &st), 0);
	}
	ASSERT_EQ(stat_(&fx.ctx, "/big/f1000", 0, &st), -ENOENT);
	for (n = 0; n < 1000; n += 2) {
		snprintf(path, sizeof(path), "/big/f%d", n);
		ASSERT_EQ(unlink_(&fx.ctx, path), 0);
	}
	for (n = 0; n < 1000; n++) {
		snprintf(path, sizeof(path), "/big/f%d", n);
		ASSERT_EQ(stat_(&fx.ctx, path, 0, &st), n % 2 ? 0 : -ENOENT);
	}
	ASSERT_EQ(rename_(&fx.ctx, "/big/f1", "/big/g1", 0), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/big/f3", "/out", 0), 0);
	ASSERT_EQ(rename_(&fx.ctx, "/big/f5", "/big/f7", 0), 0);	/* replaces f7 */
	ASSERT_EQ(stat_(&fx.ctx, "/big/f1", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(&fx.ctx, "/big/g1", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/big/f3", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(&fx.ctx, "/out", 0, &st), 0);
	ASSERT_EQ(stat_(&fx.ctx, "/big/f5", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(&fx.ctx, "/big/f7", 0, &st), 0);
	for (n = 9; n < 1000; n += 2) {
		snprintf(path, sizeof(path), "/big/f%d", n);
		ASSERT_EQ(unlink_(&fx.ctx, path), 0);
	}
	ASSERT_EQ(list_dir(&fx.ctx, "/big", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "f7,g1");
	ASSERT_EQ(unlink_(&fx.ctx, "/big/f7"), 0);
	ASSERT_EQ(unlink_(&fx.ctx, "/big/g1"), 0);
	/* Only the table is left of what the names took... */
	ASSERT_LT(lbx_memacct_used(&fx.acct) - base, (full - base) / 4);
	ASSERT_GT(lbx_memacct_used(&fx.acct), base);
	/* ...and it goes with the directory. */
	ASSERT_EQ(rmdir_(&fx.ctx, "/big"), 0);
	ASSERT_EQ(unlink_(&fx.ctx, "/out"), 0);
	ASSERT_LT(lbx_memacct_used(&fx.acct), base);
	fix_fini(&fx);
}
