// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: path resolution and the *at() family. The input is a
 * list of records "<op byte><path>\0[<path2>\0]" run against a small tree
 * with symlink loops, deep links, a mount and a sticky directory; after
 * the run everything must tear down with every charged byte returned.
 */
#include <litebox/vfs.h>

#include "userland.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Malformed input is the point: keep the parser's warnings quiet. */
	lbx_userland_log_level = LBX_LOG_ERR;
	return 0;
}

static const char *take(const u8 **p, const u8 *end, char *buf, size_t cap)
{
	size_t n = 0;

	while (*p < end && **p && n + 1 < cap)
		buf[n++] = (char)*(*p)++;
	if (*p < end)
		(*p)++;
	buf[n] = '\0';
	return buf;
}

static void setup(struct lbx_fs_ctx *ctx)
{
	struct lbx_file *f;

	lbx_vfs_mkdirat(ctx, NULL, "/a", 0755);
	lbx_vfs_mkdirat(ctx, NULL, "/a/b", 0755);
	lbx_vfs_mkdirat(ctx, NULL, "/tmp", 01777);
	if (!lbx_vfs_openat(ctx, NULL, "/a/b/f", LX_O_CREAT | LX_O_WRONLY, 0644, &f))
		lbx_file_put(f);
	lbx_vfs_symlinkat(ctx, "/a/b", NULL, "/ab");
	lbx_vfs_symlinkat(ctx, "loop2", NULL, "/loop1");
	lbx_vfs_symlinkat(ctx, "loop1", NULL, "/loop2");
	lbx_vfs_symlinkat(ctx, "../..", NULL, "/a/up");
	lbx_vfs_symlinkat(ctx, "f", NULL, "/a/b/self");
}

static void run_op(struct lbx_fs_ctx *ctx, u8 op, const char *p1, const char *p2,
		   char *buf, size_t cap)
{
	struct lbx_kstat st;
	struct lbx_file *f;
	struct lbx_iter it;
	u32 flags = (u32)op << 6;

	switch (op % 16) {
	case 0:
		if (!lbx_vfs_openat(ctx, NULL, p1, flags & ~LX_O_PATH, 0644, &f)) {
			lbx_iter_init_kernel(&it, buf, cap);
			lbx_file_getdents64(f, &it);
			lbx_file_put(f);
		}
		break;
	case 1:
		lbx_vfs_statat(ctx, NULL, p1, op & 0x10 ? LX_AT_SYMLINK_NOFOLLOW : 0, &st);
		break;
	case 2:
		lbx_vfs_mkdirat(ctx, NULL, p1, 0755);
		break;
	case 3:
		lbx_vfs_unlinkat(ctx, NULL, p1, op & 0x10 ? LX_AT_REMOVEDIR : 0);
		break;
	case 4:
		lbx_vfs_renameat2(ctx, NULL, p1, NULL, p2, (op >> 4) & 3);
		break;
	case 5:
		lbx_vfs_symlinkat(ctx, p2, NULL, p1);
		break;
	case 6:
		lbx_iter_init_kernel(&it, buf, cap);
		lbx_vfs_readlinkat(ctx, NULL, p1, &it);
		break;
	case 7:
		lbx_fs_chdir(ctx, p1);
		break;
	case 8:
		lbx_fs_getcwd(ctx, buf, cap);
		break;
	case 9:
		lbx_vfs_linkat(ctx, NULL, p1, NULL, p2, op & 0x10 ? LX_AT_SYMLINK_FOLLOW : 0);
		break;
	case 10:
		lbx_vfs_faccessat(ctx, NULL, p1, (op >> 4) & 7, 0);
		break;
	case 11:
		lbx_vfs_fchmodat(ctx, NULL, p1, 0777 & (op * 37), 0);
		break;
	case 12:
		lbx_vfs_truncate(ctx, p1, op * 1000);
		break;
	case 13:
		ctx->fsuid = ctx->fsgid = op & 0x10 ? 1000 : 0;
		break;
	case 14:
		if (!lbx_vfs_openat(ctx, NULL, p1, LX_O_CREAT | LX_O_RDWR | (flags & LX_O_EXCL),
				    0600, &f)) {
			lbx_iter_init_kernel(&it, (void *)p2, strlen(p2));
			lbx_file_write(f, &it);
			lbx_file_put(f);
		}
		break;
	default:
		lbx_vfs_mknodat(ctx, NULL, p1, LX_S_IFIFO | 0644, 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const u8 *p = data, *end = data + size;
	struct lbx_memacct acct;
	struct lbx_fs_ctx ctx;
	struct lbx_vfs *vfs;
	static char p1[LX_PATH_MAX + 8], p2[LX_PATH_MAX + 8], buf[LX_PATH_MAX];
	int ops = 0;

	lbx_memacct_init(&acct, 1 << 20);
	if (lbx_vfs_create_empty(&vfs, NULL, &acct))
		return 0;
	lbx_fs_ctx_init(&ctx, vfs);
	setup(&ctx);
	while (p < end && ops++ < 64) {
		u8 op = *p++;

		take(&p, end, p1, sizeof(p1));
		take(&p, end, p2, sizeof(p2));
		run_op(&ctx, op, p1, p2, buf, sizeof(buf));
	}
	lbx_fs_ctx_release(&ctx);
	lbx_vfs_destroy(vfs);
	if (lbx_memacct_used(&acct))
		__builtin_trap();	/* a charge leaked */
	return 0;
}
