/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel platform and the module glue (kmod/) share: the
 * platform's per-sandbox and per-thread state.
 */
#ifndef LBX_KPLAT_H
#define LBX_KPLAT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <litebox/task.h>

struct file;

/* sb->plat of a sandbox created through /dev/litebox. */
struct lbx_kplat_sandbox {
	struct lbx_sandbox *sb;
	struct file *stdio[3];		/* the launcher's console; NULL: none */
	struct mutex stdio_lock[3];	/* serializes the file position */
	void *lower_image;		/* the read-only root image */
	size_t lower_len;

	struct mutex lock;		/* protects threads and started */
	struct list_head threads;	/* struct lbx_kplat_thread */
	bool started;
};

/* t->plat of a guest thread: the host task that runs it. */
struct lbx_kplat_thread {
	struct list_head node;
	struct task_struct *task;	/* a reference */
	struct lbx_thread *t;		/* a reference */
};

/* Records a host operation for the current entry; returns LBX_DEFERRED. */
int lbx_kplat_queue_hostop(u32 op, u64 a0, u64 a1, u64 a2);
/* Binds the current host task to t (tasks are looked up by global pid). */
int lbx_kplat_bind(struct lbx_thread *t);
/* Unbinds pid if it still maps to t. */
void lbx_kplat_unbind(pid_t pid, struct lbx_thread *t);

#endif
