/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memfs internals shared with the file systems built on it: tarfs (a
 * read-only memfs whose files point into the tar image) and devfs (a memfs
 * of device nodes). Everything else uses memfs through struct lbx_inode_ops.
 */
#ifndef LITEBOX_MEMFS_H
#define LITEBOX_MEMFS_H

#include <litebox/vfs.h>

/* Largest memfs file: a five-level page tree of 2^36 pages. */
#define LBX_MEMFS_MAX_SIZE	(1ULL << 48)

bool lbx_is_memfs(const struct lbx_super *sb);
/* Makes a regular file's contents size bytes at data (never copied). */
int lbx_memfs_set_ext_data(struct lbx_inode *i, const void *data, u64 size);
/* Whiteouts (overlay): a character device 0/0. */
static inline bool lbx_is_whiteout(const struct lbx_inode *i)
{
	return LX_S_ISCHR(i->mode) && i->rdev == 0;
}

#endif
