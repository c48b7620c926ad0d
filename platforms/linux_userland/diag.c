// SPDX-License-Identifier: GPL-2.0
/* The platform contract's diagnostics in userland: no tracer, no-ops. */
#include <litebox/task.h>
#include "userland.h"

void lbx_plat_trace_signal(struct lbx_thread *t, u32 signo, u64 handler)
{
}

void lbx_plat_trace_fault(struct lbx_thread *t, u32 signo, u64 addr)
{
}

void lbx_plat_trace_limit(u32 which, u64 limit)
{
}
