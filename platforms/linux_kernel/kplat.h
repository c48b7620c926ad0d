/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel platform and the module glue (kmod/) share: the
 * platform's per-sandbox and per-thread state.
 */
#ifndef LBX_KPLAT_H
#define LBX_KPLAT_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <litebox/task.h>

struct lbx_netdev;

struct dentry;
struct file;
struct lbx_kimage;
struct pid;

/* sb->plat of a sandbox created through /dev/litebox. */
struct lbx_kplat_sandbox {
	struct lbx_sandbox *sb;
	struct file *stdio[3];		/* the launcher's console; NULL: none */
	struct mutex stdio_lock[3];	/* serializes the file position */
	void *lower_image;		/* the read-only root image */
	size_t lower_len;
	struct lbx_kimage *image;	/* its file (ABI 1.4), or NULL: a copy */

	struct mutex lock;		/* protects the lists and started */
	struct list_head threads;	/* running guest threads */
	struct list_head embryos;	/* forked, waiting for the child to register */
	wait_queue_head_t embryo_wq;
	unsigned int embryo_seq;	/* bumped (under lock) per published embryo */
	bool started;
	bool dying;
	bool init_dead;			/* pid 1 ended: no more guest processes */
	struct dentry *debugfs;		/* litebox/<id>/ (kmod/diag.c) */
	struct lbx_netdev *net;		/* lbx<N>, or NULL (kmod/netdev.c) */
};

/* t->plat of a guest thread: the host task that runs it. */
struct lbx_kplat_thread {
	struct list_head node;		/* in ks->threads or ks->embryos */
	bool listed;			/* on ks->threads (under ks->lock) */
	struct lbx_kplat_sandbox *ks;
	struct task_struct *task;	/* a reference; NULL for an embryo */
	struct lbx_thread *t;		/* a reference */

	/* Host death watch: the task's pid wait queue wakes at its exit. */
	struct pid *hpid;
	struct wait_queue_entry death_wait;
	struct work_struct death_work;

	/* fork or thread start: the child not yet handed over, and who may
	 * claim it (the parent task for a fork, the thread group leader for a
	 * thread; compared only, no reference). */
	struct lbx_kplat_thread *fork_child;
	pid_t host_pid;
	struct task_struct *parent_task;
	bool is_thread;
	/* A thread's stub block (its stack and alternate signal stack in the
	 * guest's address space), unmapped once its host task has exited. */
	unsigned long stub_block;
	struct rcu_head rcu;		/* freed after a grace period: kicks read t->plat under RCU */
	/* lbx_plat_cpu_tick(): kicks the task while CPU-time timers are armed;
	 * cancelled before the thread is freed. */
	struct hrtimer cpu_tick;
	/* A process's first thread: its address space (mmget()), kept until
	 * the death work has walked the robust lists of a process that died
	 * from the host (Linux walks them in exit_mm(), where a module has
	 * no hook). NULL for other threads. */
	struct mm_struct *mm;
};

/* A new guest thread runs the stub first, on a stack LiteBox maps for it:
 * LBX_STUB_BLOCK bytes aligned to their size (the stub finds its per-thread
 * block by aligning its stack pointer). */
#define LBX_STUB_BLOCK	(256 * 1024)

/* The host signal that pulls a guest thread out of guest code (the stub
 * handles it; guests never see host signals). */
#define LBX_KICK_SIGNAL	SIGURG

/* Sets up kt->cpu_tick (lbx_kthread_alloc()). */
void lbx_kplat_cpu_tick_init(struct lbx_kplat_thread *kt);

/* Records a host operation for the current entry; returns LBX_DEFERRED. */
int lbx_kplat_queue_hostop(u32 op, u64 a0, u64 a1, u64 a2);
/* Binds the current host task to t (tasks are looked up by global pid). */
int lbx_kplat_bind(struct lbx_thread *t);
/* Unbinds pid if it still maps to t. */
void lbx_kplat_unbind(pid_t pid, struct lbx_thread *t);

/* kmod/sandbox.c */
struct lbx_kplat_thread *lbx_kthread_alloc(struct lbx_kplat_sandbox *ks,
					   struct lbx_thread *t);
void lbx_kthread_free_embryo(struct lbx_kplat_thread *kt);
/*
 * Frees what the exited threads of proc (a guest thread's exit ends its
 * host task, not the process) still hold: their records and stub blocks.
 * In a thread of proc: the blocks are unmapped from current's mm.
 */
void lbx_kthread_reap_exited(struct lbx_kplat_sandbox *ks, struct lbx_process *proc);

/* Module exit: stops lwIP's timer work (platforms/linux_kernel/net.c). */
void lbx_kplat_net_exit(void);

#endif
