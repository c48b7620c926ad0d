// SPDX-License-Identifier: GPL-2.0
/* What a sandbox and a process own besides themselves, released in reverse
 * order of acquisition. */
#include <litebox/task.h>
#include "task_hooks.h"

void lbx_task_hook_sandbox_release(struct lbx_sandbox *sb)
{
	(void)sb;
}

void lbx_task_hook_process_release(struct lbx_process *p)
{
	(void)p;
}
