/* SPDX-License-Identifier: GPL-2.0 */
/* Fixtures and small wrappers for the file-system unit tests. */
#ifndef TEST_VFS_UTIL_H
#define TEST_VFS_UTIL_H

#include <litebox/vfs.h>
#include <litebox/memacct.h>
#include "lbx_test.h"

struct fsfix {
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
};

static inline void fix_init_limit(struct fsfix *fx, unsigned long long limit)
{
	memset(fx, 0, sizeof(*fx));
	lbx_memacct_init(&fx->acct, limit);
	ASSERT_EQ(lbx_vfs_create_empty(&fx->vfs, NULL, &fx->acct), 0);
	ASSERT_EQ(lbx_fs_ctx_init(&fx->ctx, fx->vfs), 0);
}

static inline void fix_init(struct fsfix *fx)
{
	fix_init_limit(fx, 64ULL << 20);
}

/* Tears down and checks every charged byte came back. */
static inline void fix_fini(struct fsfix *fx)
{
	lbx_fs_ctx_release(&fx->ctx);
	lbx_vfs_destroy(fx->vfs);
	ASSERT_EQ(lbx_memacct_used(&fx->acct), 0);
}

/* Returns 0 or -errno; *out the file. */
static inline int fopen_(struct lbx_fs_ctx *ctx, const char *path, unsigned flags,
			 unsigned mode, struct lbx_file **out)
{
	return lbx_vfs_openat(ctx, NULL, path, flags, mode, out);
}

/* Opens and closes; returns 0 or -errno. */
static inline int try_open(struct lbx_fs_ctx *ctx, const char *path, unsigned flags)
{
	struct lbx_file *f;
	int r = lbx_vfs_openat(ctx, NULL, path, flags, 0644, &f);

	if (!r)
		lbx_file_put(f);
	return r;
}

static inline long fwrite_(struct lbx_file *f, const void *buf, size_t n)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, (void *)buf, n);
	return lbx_file_write(f, &it);
}

static inline long fread_(struct lbx_file *f, void *buf, size_t n)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, buf, n);
	return lbx_file_read(f, &it);
}

static inline long put_file(struct lbx_fs_ctx *ctx, const char *path,
			    const char *data)
{
	struct lbx_file *f;
	long r = fopen_(ctx, path, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, 0644, &f);

	if (r)
		return r;
	r = fwrite_(f, data, strlen(data));
	lbx_file_put(f);
	return r;
}

/* Reads a whole (small) file into buf as a string; returns length or -errno. */
static inline long get_file(struct lbx_fs_ctx *ctx, const char *path,
			    char *buf, size_t size)
{
	struct lbx_file *f;
	long r = fopen_(ctx, path, LX_O_RDONLY, 0, &f), n = 0;

	if (r)
		return r;
	while ((size_t)n < size - 1) {
		r = fread_(f, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	lbx_file_put(f);
	buf[n] = '\0';
	return r < 0 ? r : n;
}

static inline int stat_(struct lbx_fs_ctx *ctx, const char *path, int flags,
			struct lbx_kstat *st)
{
	return lbx_vfs_statat(ctx, NULL, path, flags, st);
}

static inline int mkdir_(struct lbx_fs_ctx *ctx, const char *path, unsigned mode)
{
	return lbx_vfs_mkdirat(ctx, NULL, path, mode);
}

static inline int unlink_(struct lbx_fs_ctx *ctx, const char *path)
{
	return lbx_vfs_unlinkat(ctx, NULL, path, 0);
}

static inline int rmdir_(struct lbx_fs_ctx *ctx, const char *path)
{
	return lbx_vfs_unlinkat(ctx, NULL, path, LX_AT_REMOVEDIR);
}

static inline int rename_(struct lbx_fs_ctx *ctx, const char *a, const char *b,
			  unsigned flags)
{
	return lbx_vfs_renameat2(ctx, NULL, a, NULL, b, flags);
}

static inline int symlink_(struct lbx_fs_ctx *ctx, const char *target, const char *path)
{
	return lbx_vfs_symlinkat(ctx, target, NULL, path);
}

static inline long readlink_(struct lbx_fs_ctx *ctx, const char *path, char *buf,
			     size_t n)
{
	struct lbx_iter it;
	long r;

	lbx_iter_init_kernel(&it, buf, n);
	r = lbx_vfs_readlinkat(ctx, NULL, path, &it);
	if (r >= 0 && (size_t)r < n)
		buf[r] = '\0';
	return r;
}

/* Collects the names getdents64 returns, "a,b,c" sorted as listed. */
static inline long list_dir(struct lbx_fs_ctx *ctx, const char *path, char *out,
			    size_t size, int skip_dots)
{
	unsigned char buf[4096];
	struct lbx_file *f;
	long r = fopen_(ctx, path, LX_O_RDONLY | LX_O_DIRECTORY, 0, &f);
	size_t o = 0;

	if (r)
		return r;
	out[0] = '\0';
	for (;;) {
		struct lbx_iter it;
		long n, p = 0;

		lbx_iter_init_kernel(&it, buf, sizeof(buf));
		n = lbx_file_getdents64(f, &it);
		if (n <= 0) {
			r = n;
			break;
		}
		while (p < n) {
			unsigned short reclen;
			const char *name = (const char *)buf + p + 19;

			memcpy(&reclen, buf + p + 16, 2);
			p += reclen;
			if (skip_dots && (!strcmp(name, ".") || !strcmp(name, "..")))
				continue;
			o += snprintf(out + o, size - o, "%s%s", o ? "," : "", name);
		}
	}
	lbx_file_put(f);
	return r;
}

#endif
