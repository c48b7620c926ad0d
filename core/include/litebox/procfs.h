/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs: the read-only /proc every sandbox gets. Files are generated at
 * open into a buffer the open file owns, so a reader sees one consistent
 * snapshot however small its reads; directories and symlinks are made up
 * at lookup from the sandbox's processes (vfs->sandbox) and their
 * descriptor tables, memory maps and fs contexts.
 */
#ifndef LITEBOX_PROCFS_H
#define LITEBOX_PROCFS_H

#include <litebox/vfs.h>

/* What the guest's uname(2) and /proc agree on. */
#define LBX_UTS_SYSNAME		"Linux"
#define LBX_UTS_NODENAME	"litebox"
#define LBX_UTS_RELEASE		"6.1.0-litebox"
#define LBX_UTS_VERSION		"#1 SMP LiteBox"

/* A procfs super block for vfs (not yet mounted). */
int lbx_procfs_create(struct lbx_vfs *vfs, struct lbx_super **out);
/* Creates procfs and mounts it on the directory at path. */
int lbx_procfs_mount(struct lbx_vfs *vfs, const char *path);

#endif
