/* SPDX-License-Identifier: GPL-2.0 */
/* Release of what other core areas hang off sandboxes and processes. */
#ifndef LBX_TASK_HOOKS_H
#define LBX_TASK_HOOKS_H

#include <litebox/task.h>

void lbx_task_hook_sandbox_release(struct lbx_sandbox *sb);
void lbx_task_hook_process_release(struct lbx_process *p);

#endif
