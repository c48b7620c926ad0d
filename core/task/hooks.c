// SPDX-License-Identifier: GPL-2.0
/* What a sandbox and a process own besides themselves, released in reverse
 * order of acquisition. */
#include <litebox/fdtable.h>
#include <litebox/flock.h>
#include <litebox/futex.h>
#include <litebox/mm.h>
#include <litebox/ptimer.h>
#include <litebox/rewrite.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include "task_hooks.h"

void lbx_task_hook_sandbox_release(struct lbx_sandbox *sb)
{
	/* Its inode references first: the file systems go next. */
	lbx_rw_cache_destroy(sb->rw_cache);
	sb->rw_cache = NULL;
	if (sb->vfs)
		lbx_vfs_destroy(sb->vfs);
	sb->vfs = NULL;
	lbx_flock_table_destroy(sb->flocks);
	sb->flocks = NULL;
	lbx_futex_table_destroy(sb->futex);
	sb->futex = NULL;
}

void lbx_task_hook_process_release(struct lbx_process *p)
{
	/* Its POSIX timers stop with it. */
	lbx_ptimers_release(p);
	/* A process's record locks go when it exits. */
	if (p->sb->flocks)
		lbx_posix_lock_release(p->sb->flocks, NULL, p);
	lbx_mm_destroy(p->mm);
	p->mm = NULL;
	if (p->files)
		lbx_fdtable_put(p->files);
	p->files = NULL;
	if (p->fs) {
		lbx_fs_ctx_release(p->fs);
		lbx_plat_free(p->fs);
	}
	p->fs = NULL;
}
