/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics of litebox.ko: tracepoints around each served guest syscall
 * and per-sandbox statistics in debugfs (/sys/kernel/debug/litebox/<id>/).
 * See docs/diagnostics.md.
 */
#ifndef LBX_KMOD_DIAG_H
#define LBX_KMOD_DIAG_H

#include <linux/timekeeping.h>
#include <litebox/task.h>
#include "trace.h"

struct lbx_kplat_sandbox;

/* Module load and unload: the debugfs directory litebox/. */
void lbx_diag_init(void);
void lbx_diag_exit(void);

/* A sandbox is ready (its sb exists): tracepoint and debugfs entry. */
void lbx_diag_sandbox_add(struct lbx_kplat_sandbox *ks);
/* First step of teardown: removes the debugfs entry, waiting for readers
 * still inside it, so nothing reads the sandbox after this returns. */
void lbx_diag_sandbox_remove(struct lbx_kplat_sandbox *ks);

void lbx_diag_syscall_exit_slow(struct lbx_thread *t, u64 nr,
				const struct lbx_cpu_regs *regs,
				const struct lbx_resume *res, u64 start);

/*
 * Around lbx_linux_syscall(): with the litebox syscall tracepoints off,
 * each costs one static branch (a nop) and the clock is never read.
 * Returns the start time, 0 when nobody traces.
 */
static inline u64 lbx_diag_syscall_enter(struct lbx_thread *t, u64 nr)
{
	if (trace_lbx_syscall_enter_enabled())
		trace_lbx_syscall_enter(t->proc->sb->id, t->proc->pid, t->tid, nr);
	if (trace_lbx_syscall_exit_enabled())
		return ktime_get_ns() ? : 1;
	return 0;
}

static inline void lbx_diag_syscall_exit(struct lbx_thread *t, u64 nr,
					 const struct lbx_cpu_regs *regs,
					 const struct lbx_resume *res, u64 start)
{
	if (start || (trace_lbx_hostop_enabled() && res->hostop))
		lbx_diag_syscall_exit_slow(t, nr, regs, res, start);
}

#endif
