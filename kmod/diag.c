// SPDX-License-Identifier: GPL-2.0
/*
 * Per-sandbox statistics in debugfs, readable without BPF:
 *
 *   /sys/kernel/debug/litebox/<sandbox id>/stats
 *
 * one "key value" line per counter, then one "syscall NR NAME COUNT" line
 * per syscall number served at least once and one "enosys NR NAME" line
 * per unimplemented number the guests tried (docs/diagnostics.md); and
 *
 *   /sys/kernel/debug/litebox/rewrite_cache
 *
 * the counters of the rewrite plans shared between sandboxes, and
 *
 *   /sys/kernel/debug/litebox/net
 *
 * the TCP connections of the network stack all sandboxes share.
 *
 * Lifetime: the entry is created once the sandbox exists and removed first
 * thing in its teardown. debugfs_remove() waits until every reader inside
 * a file operation of the entry has left (debugfs's proxied fops) and makes
 * later reads of an already open file fail with -EIO, so show() never sees
 * a sandbox being freed.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <litebox/inet.h>
#include <litebox/rewrite.h>
#include <litebox/task.h>
#include "shim.h"
#include "kplat.h"
#include "diag.h"
#include "sandbox.h"

static struct dentry *lbx_debugfs_root;

static int stats_show(struct seq_file *m, void *unused)
{
	struct lbx_kplat_sandbox *ks = m->private;
	struct lbx_sandbox *sb = ks->sb;
	struct lbx_sandbox_stats *st = &sb->stats;
	struct lbx_sandbox_usage u;
	const char *name;
	unsigned int nr;

	lbx_sandbox_usage(sb, &u);
	seq_printf(m, "sandbox %u\n", sb->id);
	seq_printf(m, "syscalls %llu\n", READ_ONCE(st->syscalls));
	seq_printf(m, "errors %llu\n", READ_ONCE(st->errors));
	seq_printf(m, "enosys %llu\n", READ_ONCE(st->enosys));
	seq_printf(m, "processes %u\n", u.procs);
	seq_printf(m, "zombies %u\n", u.zombies);
	seq_printf(m, "threads %u\n", u.threads);
	seq_printf(m, "fds %u\n", u.fds);
	seq_printf(m, "fs_mem_used %llu\n", u.fs_mem_used);
	seq_printf(m, "fs_mem_peak %llu\n", u.fs_mem_peak);
	seq_printf(m, "fs_mem_limit %llu\n", sb->limits.fs_mem);
	seq_printf(m, "image_bytes %zu\n", ks->lower_len);
	seq_printf(m, "max_procs %u\n", sb->limits.max_procs);
	seq_printf(m, "max_threads %u\n", sb->limits.max_threads);
	seq_printf(m, "max_fds %u\n", sb->limits.max_fds);
	seq_printf(m, "direct %llu\n", READ_ONCE(st->direct));
	seq_printf(m, "rewrite_patched %llu\n", READ_ONCE(st->rw_patched));
	seq_printf(m, "rewrite_unsafe %llu\n", READ_ONCE(st->rw_unsafe));
	for (nr = 0; nr < LBX_MAX_SYSCALL_NR; nr++) {
		u64 n = READ_ONCE(st->per_nr[nr]);

		if (!n)
			continue;
		name = lbx_linux_syscall_name(nr);
		seq_printf(m, "syscall %u %s %llu\n", nr, name ? name : "?", n);
	}
	/* enosys_seen is written under sb->lock; a racy read only misses a
	 * bit set right now. */
	for (nr = 0; nr < LBX_MAX_SYSCALL_NR; nr++) {
		if (!(READ_ONCE(st->enosys_seen[nr / 64]) & BIT_ULL(nr % 64)))
			continue;
		name = lbx_linux_syscall_name(nr);
		seq_printf(m, "enosys %u %s\n", nr, name ? name : "?");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

void lbx_diag_sandbox_add(struct lbx_kplat_sandbox *ks)
{
	struct lbx_sandbox *sb = ks->sb;
	char name[16];

	trace_lbx_sandbox_create(sb->id, sb->limits.fs_mem, sb->limits.max_procs,
				 sb->limits.max_threads, sb->limits.max_fds);
	if (IS_ERR_OR_NULL(lbx_debugfs_root))
		return;
	/* Like all of debugfs, optional: a failure leaves no entry. */
	snprintf(name, sizeof(name), "%u", sb->id);
	ks->debugfs = debugfs_create_dir(name, lbx_debugfs_root);
	debugfs_create_file("stats", 0400, ks->debugfs, ks, &stats_fops);
}

void lbx_diag_sandbox_remove(struct lbx_kplat_sandbox *ks)
{
	/* NULL and error pointers are no-ops. */
	debugfs_remove(ks->debugfs);
	ks->debugfs = NULL;
	if (ks->sb)
		trace_lbx_sandbox_destroy(ks->sb->id, READ_ONCE(ks->sb->stats.syscalls),
					  READ_ONCE(ks->sb->stats.errors));
}

void lbx_diag_syscall_exit_slow(struct lbx_thread *t, u64 nr,
				const struct lbx_cpu_regs *regs,
				const struct lbx_resume *res, u64 start)
{
	u32 sb = t->proc->sb->id;

	if (start)
		trace_lbx_syscall_exit(sb, t->proc->pid, t->tid, nr, (s64)regs->rax,
				       ktime_get_ns() - start);
	if (res->hostop)
		trace_lbx_hostop(sb, t->tid, res->hostop, res->arg[0], res->arg[1],
				 res->arg[2]);
}

static int rewrite_cache_show(struct seq_file *m, void *unused)
{
	struct lbx_rw_shared_stats st;

	lbx_rw_shared_get_stats(lbx_rw_shared_global, &st);
	seq_printf(m, "enabled %d\n", lbx_rw_shared_global != NULL);
	seq_printf(m, "hits %llu\n", st.hits);
	seq_printf(m, "ident_hits %llu\n", st.ident_hits);
	seq_printf(m, "none_hits %llu\n", st.none_hits);
	seq_printf(m, "misses %llu\n", st.misses);
	seq_printf(m, "stores %llu\n", st.stores);
	seq_printf(m, "evictions %llu\n", st.evictions);
	seq_printf(m, "entries %llu\n", st.entries);
	seq_printf(m, "bytes %llu\n", st.bytes);
	seq_printf(m, "texts %llu\n", st.texts);
	seq_printf(m, "text_maps %llu\n", st.text_maps);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rewrite_cache);

static int net_show(struct seq_file *m, void *unused)
{
	struct lbx_inet_counts c;

	lbx_inet_counts(&c);
	seq_printf(m, "tcp_active %u\n", c.tcp_active);
	seq_printf(m, "tcp_time_wait %u\n", c.tcp_time_wait);
	seq_printf(m, "tcp_time_wait_max %u\n", LBX_INET_MAX_TIME_WAIT);
	seq_printf(m, "tcp_listen %u\n", c.tcp_listen);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(net);

void lbx_diag_init(void)
{
	lbx_debugfs_root = debugfs_create_dir("litebox", NULL);
	debugfs_create_file("rewrite_cache", 0400, lbx_debugfs_root, NULL,
			    &rewrite_cache_fops);
	debugfs_create_file("net", 0400, lbx_debugfs_root, NULL, &net_fops);
}

void lbx_diag_exit(void)
{
	debugfs_remove(lbx_debugfs_root);
	lbx_debugfs_root = NULL;
}
