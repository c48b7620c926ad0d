/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_KMOD_SANDBOX_H
#define LBX_KMOD_SANDBOX_H

#include <linux/compiler_types.h>

struct workqueue_struct;
struct lbx_rw_shared;

/* Where guests' host deaths are processed (created at module load). */
extern struct workqueue_struct *lbx_wq;

/* Rewrite plans shared by the sandboxes of one host user (NULL: off;
 * the rewrite_cache_mb module parameter). */
extern struct lbx_rw_shared *lbx_rw_shared_global;

/* LBX_IOC_SANDBOX_CREATE: returns the new sandbox fd or -errno. */
long lbx_sandbox_ioctl_create(void __user *uarg);

#endif
