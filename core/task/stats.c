// SPDX-License-Identifier: GPL-2.0
/* What a sandbox holds right now, for diagnostics (debugfs in the kernel). */
#include <litebox/task.h>
#include <litebox/fdtable.h>

void lbx_sandbox_usage(struct lbx_sandbox *sb, struct lbx_sandbox_usage *u)
{
	struct lbx_list_head *pos;

	memset(u, 0, sizeof(*u));
	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->exited || p->exiting) {
			if (!p->reaped)
				u->zombies++;
			continue;
		}
		u->procs++;
		/* Processes sharing one table (CLONE_FILES) count it once each. */
		if (p->files)
			u->fds += lbx_fd_count(p->files);
	}
	u->threads = sb->nr_threads;
	lbx_plat_mutex_unlock(&sb->lock);
	u->fs_mem_used = lbx_memacct_used(&sb->fs_mem);
	lbx_plat_spin_lock(&sb->fs_mem.lock);
	u->fs_mem_peak = sb->fs_mem.peak;
	lbx_plat_spin_unlock(&sb->fs_mem.lock);
}
