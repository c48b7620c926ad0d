// SPDX-License-Identifier: GPL-2.0
/* The platform contract's diagnostics: core's events as litebox:* tracepoints. */
#include <litebox/task.h>
#include "trace.h"

void lbx_plat_trace_signal(struct lbx_thread *t, u32 signo, u64 handler)
{
	if (trace_lbx_signal_deliver_enabled())
		trace_lbx_signal_deliver(t->proc->sb->id, t->tid, signo, handler);
}

void lbx_plat_trace_fault(struct lbx_thread *t, u32 signo, u64 addr)
{
	if (trace_lbx_guest_fault_enabled())
		trace_lbx_guest_fault(t->proc->sb->id, t->tid, signo, addr);
}

void lbx_plat_trace_limit(u32 which, u64 limit)
{
	struct lbx_thread *t;

	if (!trace_lbx_limit_hit_enabled())
		return;
	t = lbx_plat_current();
	trace_lbx_limit_hit(t ? t->proc->sb->id : 0, which, limit);
}

/* Lock tracing: litebox:lbx_lock in LBX_LOCKTRACE builds (kmod/trace.h). */
void lbx_plat_locktrace_emit(const struct lbx_lock_event *ev)
{
#ifdef LBX_LOCKTRACE
	trace_lbx_lock(ev->ev, ev->kind, ev->lock, ev->site, ev->wait_ns);
#endif
}
