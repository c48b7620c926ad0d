/* SPDX-License-Identifier: GPL-2.0 */
/* A sandbox with one process and its thread (or a parent and its child),
 * for the task-area unit tests. */
#ifndef TEST_TASK_UTIL_H
#define TEST_TASK_UTIL_H

#include <litebox/task.h>
#include "lbx_test.h"

struct task_fix {
	struct lbx_sandbox *sb;
	struct lbx_process *p;
	struct lbx_thread *t;
};

static inline void task_fix_init(struct task_fix *x, u64 sigpending_limit)
{
	struct lbx_limits lim;

	memset(x, 0, sizeof(*x));
	memset(&lim, 0, sizeof(lim));
	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &x->sb), 0);
	ASSERT_EQ(lbx_process_create(x->sb, NULL, &x->t), 0);
	x->p = x->t->proc;
	x->p->rlim[LBX_RLIMIT_SIGPENDING].cur = sigpending_limit;
	x->p->rlim[LBX_RLIMIT_SIGPENDING].max = sigpending_limit;
}

static inline void task_fix_fini(struct task_fix *x)
{
	lbx_process_exit(x->p, 0);
	lbx_thread_exit(x->t);
	lbx_thread_put(x->t);
	lbx_sandbox_put(x->sb);
}

/* A parent process and its child, each with its main thread. */
struct task_family {
	struct lbx_sandbox *sb;
	struct lbx_thread *tp, *tc;	/* parent's and child's main threads */
	struct lbx_process *p, *c;
};

static inline void task_family_init(struct task_family *x)
{
	struct lbx_limits lim;

	memset(x, 0, sizeof(*x));
	memset(&lim, 0, sizeof(lim));
	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &x->sb), 0);
	ASSERT_EQ(lbx_process_create(x->sb, NULL, &x->tp), 0);
	x->p = x->tp->proc;
	ASSERT_EQ(lbx_process_create(x->sb, x->p, &x->tc), 0);
	x->c = x->tc->proc;
}

/* The child exits (a zombie until its parent reaps it). */
static inline void task_family_child_exit(struct task_family *x)
{
	lbx_process_exit(x->c, 0);
	lbx_thread_exit(x->tc);
	lbx_thread_put(x->tc);
}

/* The parent exits and the sandbox goes. */
static inline void task_family_fini(struct task_family *x)
{
	lbx_process_exit(x->p, 0);
	lbx_thread_exit(x->tp);
	lbx_thread_put(x->tp);
	lbx_sandbox_put(x->sb);
}

#endif
