// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox fd: an anonymous inode whose private data is the platform's
 * sandbox (struct lbx_kplat_sandbox). Closing its last reference tears the
 * sandbox down: its guest threads, processes, file systems and console.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <litebox/task.h>
#include <litebox/vfs.h>
#include "linux_shim.h"
#include "kplat.h"
#include "device.h"
#include "diag.h"
#include "image.h"
#include "ioctl_util.h"
#include "netdev.h"
#include "sandbox.h"

#define LBX_IMAGE_MAX		(2ULL << 30)	/* lower image */
#define LBX_ARGV_MAX		(2ULL << 20)	/* argv + envp strings */

static_assert(sizeof(struct lbx_regs) == sizeof(struct lbx_cpu_regs));
static_assert(offsetof(struct lbx_regs, rip) == offsetof(struct lbx_cpu_regs, rip));
static_assert(offsetof(struct lbx_regs, fs_base) == offsetof(struct lbx_cpu_regs, fs_base));
static_assert((int)LBX_HOSTOP_EXIT_GROUP == (int)LBX_HOP_EXIT_GROUP);
static_assert((int)LBX_HOSTOP_EXIT_THREAD == (int)LBX_HOP_EXIT_THREAD);
static_assert((int)LBX_HOSTOP_MPROTECT == (int)LBX_HOP_MPROTECT);
static_assert((int)LBX_HOSTOP_FORK == (int)LBX_HOP_FORK);
static_assert((int)LBX_HOSTOP_THREAD == (int)LBX_HOP_THREAD);
static_assert(LBX_RESUME_SET_FS == LBX_RES_SET_FS);
static_assert(LBX_RESUME_ALL_REGS == LBX_RES_ALL_REGS);
static_assert(LBX_RESUME_TRAP == LBX_RES_TRAP);
static_assert(LBX_NR_RESUME == LBX_RESUME_NR);

/* ---- guest threads and their host tasks ---- */

static void death_work_fn(struct work_struct *work);

struct lbx_kplat_thread *lbx_kthread_alloc(struct lbx_kplat_sandbox *ks,
					   struct lbx_thread *t)
{
	struct lbx_kplat_thread *kt = kzalloc(sizeof(*kt), GFP_KERNEL_ACCOUNT);

	if (!kt)
		return NULL;
	INIT_LIST_HEAD(&kt->node);
	INIT_WORK(&kt->death_work, death_work_fn);
	lbx_kplat_cpu_tick_init(kt);
	kt->ks = ks;
	kt->t = t;
	t->plat = kt;
	return kt;
}

/* The exit of the watched task wakes its pid's wait queue (as for pidfds),
 * with tasklist_lock held: just queue the work. */
static int death_wake(struct wait_queue_entry *wait, unsigned int mode, int sync,
		      void *key)
{
	struct lbx_kplat_thread *kt = container_of(wait, struct lbx_kplat_thread,
						   death_wait);

	queue_work(lbx_wq, &kt->death_work);
	return 0;
}

static void watch_death(struct lbx_kplat_thread *kt)
{
	/* The pid wait queue is woken when a thread group ends: watch the
	 * leader; its end takes the process's other threads along. */
	if (!thread_group_leader(kt->task))
		return;
	kt->hpid = get_task_pid(kt->task, PIDTYPE_PID);
	init_waitqueue_func_entry(&kt->death_wait, death_wake);
	add_wait_queue(&kt->hpid->wait_pidfd, &kt->death_wait);
	/* It may have died before the entry was on the queue. */
	if (READ_ONCE(kt->task->exit_state))
		queue_work(lbx_wq, &kt->death_work);
}

static void unwatch_death(struct lbx_kplat_thread *kt)
{
	if (!kt->hpid)
		return;
	remove_wait_queue(&kt->hpid->wait_pidfd, &kt->death_wait);
	cancel_work_sync(&kt->death_work);
	put_pid(kt->hpid);
	kt->hpid = NULL;
}

/* A process's first thread keeps its address space for the robust walk. */
static void kthread_hold_mm(struct lbx_kplat_thread *kt)
{
	if (!kt->is_thread && current->mm) {
		mmget(current->mm);
		kt->mm = current->mm;
	}
}

/*
 * A process that died from the host: its threads' robust futex lists, in
 * its address space (kept alive by kt->mm). Lists walked by an exit through
 * LiteBox are empty by now.
 */
static void robust_host_death(struct lbx_kplat_thread *kt, struct list_head *siblings)
{
	struct lbx_kplat_thread *other;

	if (!kt->mm)
		return;
	kthread_use_mm(kt->mm);
	lbx_linux_robust_host_death(kt->t);
	list_for_each_entry(other, siblings, node)
		lbx_linux_robust_host_death(other->t);
	kthread_unuse_mm(kt->mm);
}

/* Frees a thread whose host task ran it; not on any list any more. */
static void kthread_release(struct lbx_kplat_thread *kt)
{
	if (kt->mm) {
		mmput(kt->mm);
		kt->mm = NULL;
	}
	hrtimer_cancel(&kt->cpu_tick);
	lbx_kplat_unbind(task_pid_nr(kt->task), kt->t);
	WRITE_ONCE(kt->t->plat, NULL);
	lbx_thread_exit(kt->t);
	lbx_thread_put(kt->t);
	put_task_struct(kt->task);
	/* lbx_plat_thread_kick() may still be looking at it. */
	kfree_rcu(kt, rcu);
}

static void kthread_free(struct lbx_kplat_thread *kt)
{
	unwatch_death(kt);
	kthread_release(kt);
}

void lbx_kthread_reap_exited(struct lbx_kplat_sandbox *ks, struct lbx_process *proc)
{
	struct lbx_kplat_thread *kt, *next;
	LIST_HEAD(dead);

	mutex_lock(&ks->lock);
	list_for_each_entry_safe(kt, next, &ks->threads, node) {
		/* Only a non-leader thread's task ends alone; the leader's
		 * end is the process's (death_work_fn). */
		if (!kt->is_thread || kt->t->proc != proc || !READ_ONCE(kt->task->exit_state))
			continue;
		list_move(&kt->node, &dead);
		kt->listed = false;
	}
	mutex_unlock(&ks->lock);
	list_for_each_entry_safe(kt, next, &dead, node) {
		list_del(&kt->node);
		/* The task no longer runs on its block: it has left its mm. */
		if (kt->stub_block)
			vm_munmap(kt->stub_block, LBX_STUB_BLOCK);
		kthread_release(kt);
	}
}

/* Frees a forked child that never started. */
void lbx_kthread_free_embryo(struct lbx_kplat_thread *kt)
{
	WRITE_ONCE(kt->t->plat, NULL);
	if (kt->is_thread) {
		lbx_thread_exit(kt->t);
		lbx_thread_put(kt->t);
	} else {
		lbx_linux_fork_abort(kt->t);
	}
	kfree_rcu(kt, rcu);
}

/* Starts tracking a thread that now runs on current. */
static int kthread_start(struct lbx_kplat_sandbox *ks, struct lbx_kplat_thread *kt)
{
	int ret;

	kt->task = get_task_struct(current);
	ret = lbx_kplat_bind(kt->t);
	if (ret) {
		put_task_struct(kt->task);
		kt->task = NULL;
		return ret;
	}
	kthread_hold_mm(kt);
	mutex_lock(&ks->lock);
	if (ks->init_dead && !kt->is_thread) {
		/* Too late: the sandbox's init ended while this fork ran. */
		mutex_unlock(&ks->lock);
		lbx_kplat_unbind(task_pid_nr(current), kt->t);
		if (kt->mm) {
			mmput(kt->mm);
			kt->mm = NULL;
		}
		put_task_struct(kt->task);
		kt->task = NULL;
		return -ESRCH;
	}
	list_add_tail(&kt->node, &ks->threads);
	kt->listed = true;
	mutex_unlock(&ks->lock);
	watch_death(kt);
	return 0;
}

/*
 * The wait status of a host thread group whose leader is kt->task: the group
 * exit's (a fatal signal, exit_group) when there was one, as the leader may
 * have ended on its own before (an execve from another thread kills it).
 */
static int host_exit_status(struct task_struct *leader)
{
	struct signal_struct *sig = leader->signal;

	if (READ_ONCE(sig->flags) & SIGNAL_GROUP_EXIT)
		return READ_ONCE(sig->group_exit_code);
	return READ_ONCE(leader->exit_code);
}

/*
 * A guest process's host task is gone (exit_group, a host signal, a crash):
 * its exit status becomes the guest's wait status, and its LiteBox state
 * goes. When pid 1 goes, the sandbox's other processes are killed, as in a
 * pid namespace.
 */
static void death_work_fn(struct work_struct *work)
{
	struct lbx_kplat_thread *kt = container_of(work, struct lbx_kplat_thread,
						   death_work);
	struct lbx_kplat_sandbox *ks = kt->ks;
	struct lbx_kplat_thread *other, *next;
	LIST_HEAD(siblings);
	bool init;

	if (!READ_ONCE(kt->task->exit_state))
		return;
	mutex_lock(&ks->lock);
	if (!kt->listed) {
		/* Teardown owns it. */
		mutex_unlock(&ks->lock);
		return;
	}
	list_del_init(&kt->node);
	kt->listed = false;
	/* The process's other threads ended with it. */
	list_for_each_entry_safe(other, next, &ks->threads, node) {
		if (other->t->proc == kt->t->proc) {
			list_move(&other->node, &siblings);
			other->listed = false;
		}
	}
	init = kt->t->proc->pid == 1;
	if (init) {
		/* The sandbox's init is gone: so are its other processes,
		 * including forks not registered yet (they would otherwise
		 * run on, orphaned, and pin the sandbox). */
		ks->init_dead = true;
		list_for_each_entry(other, &ks->threads, node)
			send_sig(SIGKILL, other->task, 1);
		list_for_each_entry(other, &ks->embryos, node) {
			struct pid *hp = find_get_pid(other->host_pid);

			if (hp) {
				kill_pid(hp, SIGKILL, 1);
				put_pid(hp);
			}
		}
	}
	mutex_unlock(&ks->lock);
	robust_host_death(kt, &siblings);
	list_for_each_entry_safe(other, next, &siblings, node) {
		list_del(&other->node);
		kthread_release(other);
	}
	lbx_process_exit(kt->t->proc, host_exit_status(kt->task));
	/* Not unwatch_death(): it would wait for this very work. */
	remove_wait_queue(&kt->hpid->wait_pidfd, &kt->death_wait);
	put_pid(kt->hpid);
	kt->hpid = NULL;
	kthread_release(kt);
}

static void kbox_free(struct lbx_kplat_sandbox *ks)
{
	struct lbx_kplat_thread *kt, *tmp;
	LIST_HEAD(threads);
	LIST_HEAD(embryos);
	int i;

	lbx_diag_sandbox_remove(ks);
	if (ks->sb) {
		lbx_sandbox_kill(ks->sb);
		mutex_lock(&ks->lock);
		ks->dying = true;
		list_splice_init(&ks->threads, &threads);
		list_splice_init(&ks->embryos, &embryos);
		list_for_each_entry(kt, &threads, node)
			kt->listed = false;
		mutex_unlock(&ks->lock);
		/* Let death works already running finish with their thread. */
		flush_workqueue(lbx_wq);
		list_for_each_entry_safe(kt, tmp, &threads, node) {
			list_del(&kt->node);
			if (kt->fork_child)
				lbx_kthread_free_embryo(kt->fork_child);
			kthread_free(kt);
		}
		list_for_each_entry_safe(kt, tmp, &embryos, node) {
			list_del(&kt->node);
			lbx_kthread_free_embryo(kt);
		}
		lbx_sandbox_release_zombies(ks->sb);
		/* The last reference: frees the file systems. */
		lbx_sandbox_put(ks->sb);
	}
	if (ks->net)
		lbx_netdev_destroy(ks->net);
	if (ks->image)
		lbx_kimage_close(ks->image);
	else
		kvfree(ks->lower_image);
	for (i = 2; i >= 0; i--)
		if (ks->stdio[i])
			fput(ks->stdio[i]);
	kfree(ks);
}

static int sandbox_release(struct inode *inode, struct file *file)
{
	kbox_free(file->private_data);
	return 0;
}

/*
 * lbx_exec.cred: the first process's credentials, copied once and checked
 * (NULL out: root).
 */
static int exec_cred(const struct lbx_exec_cred *ec, struct lbx_cred *c,
		     struct lbx_cred **out)
{
	u32 groups[LBX_CRED_NGROUPS_MAX];

	static_assert(LBX_CRED_NGROUPS_MAX == LBX_NGROUPS_MAX);
	*out = NULL;
	if (!ec->flags) {
		if (ec->uid || ec->gid || ec->ngroups || ec->groups_ptr ||
		    memchr_inv(ec->reserved, 0, sizeof(ec->reserved)))
			return -EINVAL;
		return 0;
	}
	if (ec->flags != LBX_CRED_SET || ec->ngroups > LBX_CRED_NGROUPS_MAX ||
	    memchr_inv(ec->reserved, 0, sizeof(ec->reserved)) ||
	    (!ec->ngroups && ec->groups_ptr))
		return -EINVAL;
	if (ec->ngroups &&
	    copy_from_user(groups, u64_to_user_ptr(ec->groups_ptr),
			   array_size(ec->ngroups, sizeof(groups[0]))))
		return -EFAULT;
	if (lbx_cred_init(c, ec->uid, ec->gid, groups, ec->ngroups))
		return -EINVAL;
	*out = c;
	return 0;
}

static long sandbox_ioctl_exec(struct lbx_kplat_sandbox *ks, void __user *uarg)
{
	struct lbx_kplat_thread *kt = NULL;
	char **argv = NULL, **envp = NULL;
	char *path = NULL, *cwd = NULL;
	u64 budget = LBX_ARGV_MAX;
	struct lbx_cred cred, *credp;
	struct lbx_cpu_regs regs;
	struct lbx_resume res;
	struct lbx_thread *t;
	struct lbx_exec ex;
	long ret;

	ret = lbx_copy_sized_arg(&ex, sizeof(ex), offsetofend(struct lbx_exec, reserved), uarg);
	if (ret)
		return ret;
	if (ex.flags || memchr_inv(ex.reserved, 0, sizeof(ex.reserved)))
		return -EINVAL;
	/* The direct entry is code of the caller's own: a user address. */
	if (ex.stub_entry >= TASK_SIZE_MAX)
		return -EINVAL;
	ret = exec_cred(&ex.cred, &cred, &credp);
	if (ret)
		return ret;
	path = strndup_user(u64_to_user_ptr(ex.path_ptr), PATH_MAX);
	if (IS_ERR(path))
		return PTR_ERR(path) == -EINVAL ? -ENAMETOOLONG : PTR_ERR(path);
	if (ex.cwd_ptr) {
		cwd = strndup_user(u64_to_user_ptr(ex.cwd_ptr), PATH_MAX);
		if (IS_ERR(cwd)) {
			ret = PTR_ERR(cwd) == -EINVAL ? -ENAMETOOLONG : PTR_ERR(cwd);
			cwd = NULL;
			goto out;
		}
	}
	/* The launcher's memory is the guest's to be: the shim's copy. */
	ret = lbx_linux_copy_strv(ex.argv_ptr, &argv, &budget);
	if (!ret)
		ret = lbx_linux_copy_strv(ex.envp_ptr, &envp, &budget);
	if (ret)
		goto out;
	kt = kzalloc(sizeof(*kt), GFP_KERNEL_ACCOUNT);
	if (!kt) {
		ret = -ENOMEM;
		goto out;
	}
	INIT_LIST_HEAD(&kt->node);
	INIT_WORK(&kt->death_work, death_work_fn);
	lbx_kplat_cpu_tick_init(kt);
	kt->ks = ks;
	kt->task = get_task_struct(current);
	kthread_hold_mm(kt);

	mutex_lock(&ks->lock);
	if (ks->started || lbx_plat_current()) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ks->sb->direct_entry = ex.stub_entry;
	ret = lbx_linux_start(ks->sb, kt, path, (const char *const *)argv,
			      (const char *const *)envp, cwd ? cwd : "/",
			      credp, &regs, &res, &t);
	if (ret)
		goto out_unlock;
	kt->t = t;
	list_add_tail(&kt->node, &ks->threads);
	kt->listed = true;
	ks->started = true;
	watch_death(kt);
	kt = NULL;

	memcpy(&ex.regs, &regs, sizeof(ex.regs));
	ex.resume_flags = res.flags;
	ex.pid = t->proc->pid;
	ret = lbx_copy_sized_out(uarg, &ex, sizeof(ex));
out_unlock:
	mutex_unlock(&ks->lock);
out:
	if (kt) {
		if (kt->mm)
			mmput(kt->mm);
		put_task_struct(kt->task);
		kfree(kt);
	}
	lbx_linux_free_strv(envp);
	lbx_linux_free_strv(argv);
	kfree(cwd);
	kfree(path);
	return ret;
}

/*
 * The common answer, when only rax (and FS) changed: write back just that
 * and the resume fields, the rest of the caller's struct being what it
 * sent. Every size the ABI accepts covers these fields.
 */
static long syscall_answer_short(struct lbx_syscall __user *u,
				 const struct lbx_cpu_regs *regs,
				 const struct lbx_resume *res)
{
	struct {
		__u32 resume_flags;
		__u32 hostop;
		__u64 hostop_arg[4];
	} tail = { .resume_flags = res->flags, .hostop = res->hostop };

	static_assert(offsetof(struct lbx_syscall, hostop) ==
		      offsetof(struct lbx_syscall, resume_flags) + 4);
	static_assert(offsetof(struct lbx_syscall, hostop_arg) ==
		      offsetof(struct lbx_syscall, resume_flags) + 8);
	memcpy(tail.hostop_arg, res->arg, sizeof(tail.hostop_arg));
	if (put_user(regs->rax, &u->regs.rax))
		return -EFAULT;
	if ((res->flags & LBX_RES_SET_FS) && put_user(regs->fs_base, &u->regs.fs_base))
		return -EFAULT;
	/* Without a host operation its arguments are zero, as the caller sent. */
	if (copy_to_user(&u->resume_flags, &tail,
			 res->hostop ? sizeof(tail) : offsetof(typeof(tail), hostop_arg)))
		return -EFAULT;
	return 0;
}

static long sandbox_ioctl_syscall(struct lbx_kplat_sandbox *ks, void __user *uarg)
{
	struct lbx_cpu_regs regs;
	struct lbx_resume res;
	struct lbx_syscall sc;
	struct lbx_thread *t;
	long ret;
	u64 t0;

	ret = lbx_copy_sized_arg(&sc, sizeof(sc), offsetofend(struct lbx_syscall, reserved), uarg);
	if (ret)
		return ret;
	if ((sc.flags & ~LBX_SYSCALL_DIRECT) || sc.resume_flags || sc.hostop ||
	    memchr_inv(sc.hostop_arg, 0, sizeof(sc.hostop_arg)) ||
	    memchr_inv(sc.reserved, 0, sizeof(sc.reserved)))
		return -EINVAL;
	t = lbx_plat_current();
	if (!t || t->proc->sb != ks->sb)
		return -EPERM;
	memcpy(&regs, &sc.regs, sizeof(regs));
	t0 = lbx_diag_syscall_enter(t, regs.rax);
	lbx_linux_syscall(t, &regs, &res,
			  sc.flags & LBX_SYSCALL_DIRECT ? LBX_SYS_DIRECT : 0);
	lbx_diag_syscall_exit(t, sc.regs.rax, &regs, &res, t0);
	if (!(res.flags & LBX_RES_ALL_REGS))
		return syscall_answer_short(uarg, &regs, &res);
	memcpy(&sc.regs, &regs, sizeof(sc.regs));
	sc.resume_flags = res.flags;
	sc.hostop = res.hostop;
	memcpy(sc.hostop_arg, res.arg, sizeof(sc.hostop_arg));
	return lbx_copy_sized_out(uarg, &sc, sizeof(sc));
}

/* The forked child: its registration, once the parent has published it. */
static struct lbx_kplat_thread *take_embryo(struct lbx_kplat_sandbox *ks)
{
	struct lbx_kplat_thread *kt, *found = NULL;
	struct task_struct *parent;

	rcu_read_lock();
	parent = rcu_dereference(current->real_parent);
	rcu_read_unlock();
	mutex_lock(&ks->lock);
	list_for_each_entry(kt, &ks->embryos, node) {
		if (kt->host_pid != task_pid_nr(current))
			continue;
		/* A forked child of the parent, or a thread of its group. */
		if (kt->is_thread ? kt->parent_task == current->group_leader :
				    kt->parent_task == parent) {
			list_del_init(&kt->node);
			found = kt;
			break;
		}
	}
	mutex_unlock(&ks->lock);
	return found;
}

static long fork_done_parent(struct lbx_kplat_sandbox *ks, struct lbx_thread *t,
			     struct lbx_syscall *sc)
{
	struct lbx_kplat_thread *kt = t->plat, *child = kt->fork_child;
	s64 result = (s64)sc->hostop_arg[0];

	if (!child)
		return -EINVAL;
	kt->fork_child = NULL;
	if (result <= 0) {
		/* No thread ever ran on it: its block goes at once. */
		if (child->stub_block)
			vm_munmap(child->stub_block, LBX_STUB_BLOCK);
		lbx_kthread_free_embryo(child);
		sc->regs.rax = result < 0 ? result : -EAGAIN;
		return 0;
	}
	child->host_pid = result;
	/* A new thread's creator gets its tid; a forking parent the child's pid. */
	sc->regs.rax = child->is_thread ? child->t->tid : child->t->proc->pid;
	mutex_lock(&ks->lock);
	list_add_tail(&child->node, &ks->embryos);
	WRITE_ONCE(ks->embryo_seq, ks->embryo_seq + 1);
	mutex_unlock(&ks->lock);
	wake_up_all(&ks->embryo_wq);
	return 0;
}

static long fork_done_child(struct lbx_kplat_sandbox *ks, struct lbx_syscall *sc)
{
	unsigned long deadline = jiffies + 10 * HZ;
	struct lbx_kplat_thread *kt;
	long ret;

	/* The parent publishes the embryo when its own completion arrives;
	 * sleep on the publication count (take_embryo() takes a mutex, so it
	 * cannot be the wait condition itself). */
	for (;;) {
		unsigned int seen = READ_ONCE(ks->embryo_seq);
		long left;

		if (READ_ONCE(ks->init_dead))
			return -ESRCH;	/* its sandbox's init has ended */
		kt = take_embryo(ks);
		if (kt)
			break;
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return -ESRCH;
		ret = wait_event_interruptible_timeout(ks->embryo_wq,
						       READ_ONCE(ks->embryo_seq) != seen, left);
		if (ret < 0)
			return ret;
	}
	ret = kthread_start(ks, kt);
	if (ret) {
		lbx_kthread_free_embryo(kt);
		return ret;
	}
	if (!kt->is_thread)
		lbx_linux_fork_child_start(kt->t);
	memcpy(&sc->regs, &kt->t->start_regs, sizeof(sc->regs));
	sc->resume_flags = LBX_RESUME_ALL_REGS | LBX_RESUME_SET_FS;
	return 0;
}

static long sandbox_ioctl_hostop_done(struct lbx_kplat_sandbox *ks, void __user *uarg)
{
	struct lbx_syscall sc;
	struct lbx_thread *t;
	long ret;

	ret = lbx_copy_sized_arg(&sc, sizeof(sc), offsetofend(struct lbx_syscall, reserved), uarg);
	if (ret)
		return ret;
	if (sc.flags || sc.resume_flags ||
	    (sc.hostop != LBX_HOSTOP_FORK && sc.hostop != LBX_HOSTOP_THREAD) ||
	    memchr_inv(&sc.hostop_arg[1], 0, sizeof(sc.hostop_arg) - sizeof(sc.hostop_arg[0])) ||
	    memchr_inv(sc.reserved, 0, sizeof(sc.reserved)))
		return -EINVAL;
	t = lbx_plat_current();
	if (t && t->proc->sb != ks->sb)
		return -EPERM;
	ret = t ? fork_done_parent(ks, t, &sc) : fork_done_child(ks, &sc);
	if (ret)
		return ret;
	sc.hostop = LBX_HOSTOP_NONE;
	memset(sc.hostop_arg, 0, sizeof(sc.hostop_arg));
	return lbx_copy_sized_out(uarg, &sc, sizeof(sc));
}

static long sandbox_ioctl_event(struct lbx_kplat_sandbox *ks, void __user *uarg)
{
	struct lbx_event_info info;
	struct lbx_cpu_regs regs;
	struct lbx_resume res;
	struct lbx_thread *t;
	struct lbx_event ev;
	long ret;

	ret = lbx_copy_sized_arg(&ev, sizeof(ev), offsetofend(struct lbx_event, reserved), uarg);
	if (ret)
		return ret;
	if ((ev.flags & ~LBX_EVENT_NESTED) || ev.resume_flags || ev.hostop ||
	    memchr_inv(ev.hostop_arg, 0, sizeof(ev.hostop_arg)) ||
	    memchr_inv(ev.reserved, 0, sizeof(ev.reserved)))
		return -EINVAL;
	if (ev.kind < LBX_EVENT_SIGNAL || ev.kind > LBX_EVENT_KICK ||
	    (ev.kind != LBX_EVENT_KICK && (ev.signo < 1 || ev.signo > 64)))
		return -EINVAL;
	t = lbx_plat_current();
	if (!t || t->proc->sb != ks->sb)
		return -EPERM;
	info = (struct lbx_event_info){
		.kind = ev.kind,
		.signo = ev.kind == LBX_EVENT_KICK ? 0 : ev.signo,
		.code = ev.code,
		.trapno = ev.trapno,
		.addr = ev.addr,
		.nested = ev.flags & LBX_EVENT_NESTED,
	};
	memcpy(&regs, &ev.regs, sizeof(regs));
	lbx_linux_event(t, &info, &regs, &res);
	memcpy(&ev.regs, &regs, sizeof(ev.regs));
	ev.resume_flags = res.flags;
	ev.hostop = res.hostop;
	memcpy(ev.hostop_arg, res.arg, sizeof(ev.hostop_arg));
	return lbx_copy_sized_out(uarg, &ev, sizeof(ev));
}

static long sandbox_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lbx_kplat_sandbox *ks = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case LBX_IOC_SYSCALL:
		return sandbox_ioctl_syscall(ks, uarg);
	case LBX_IOC_EXEC:
		return sandbox_ioctl_exec(ks, uarg);
	case LBX_IOC_HOSTOP_DONE:
		return sandbox_ioctl_hostop_done(ks, uarg);
	case LBX_IOC_EVENT:
		return sandbox_ioctl_event(ks, uarg);
	case LBX_IOC_NET_INFO:
		return lbx_netdev_ioctl_info(ks->net, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations lbx_sandbox_fops = {
	.owner = THIS_MODULE,
	.release = sandbox_release,
	.unlocked_ioctl = sandbox_ioctl,
	.llseek = noop_llseek,
};

static int take_stdio(struct lbx_kplat_sandbox *ks, const s32 fds[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		mutex_init(&ks->stdio_lock[i]);
		if (fds[i] == -1)
			continue;
		if (fds[i] < 0)
			return -EBADF;
		ks->stdio[i] = fget(fds[i]);
		if (!ks->stdio[i])
			return -EBADF;
	}
	return 0;
}

static void *copy_image(u64 uptr, u64 len, u64 max)
{
	void *img;

	if (len > max)
		return ERR_PTR(-EFBIG);
	img = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!img)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(img, u64_to_user_ptr(uptr), len)) {
		kvfree(img);
		return ERR_PTR(-EFAULT);
	}
	return img;
}

static int create_fs(struct lbx_kplat_sandbox *ks, const struct lbx_sandbox_create *c)
{
	void *upper = NULL;
	int ret;

	if (c->flags & LBX_SANDBOX_LOWER_FD) {
		/* Served in place from the file's pages: nothing is copied. */
		ret = lbx_kimage_open(c->lower_fd, LBX_IMAGE_MAX, &ks->image);
		if (ret)
			return ret;
		ks->lower_image = ks->image->base;
		ks->lower_len = ks->image->len;
	} else if (c->lower_len) {
		ks->lower_image = copy_image(c->lower_ptr, c->lower_len, LBX_IMAGE_MAX);
		if (IS_ERR(ks->lower_image)) {
			ret = PTR_ERR(ks->lower_image);
			ks->lower_image = NULL;
			return ret;
		}
		ks->lower_len = c->lower_len;
	}
	if (c->upper_len) {
		/* Unpacked into the upper layer: bounded by its memory limit. */
		upper = copy_image(c->upper_ptr, c->upper_len, ks->sb->limits.fs_mem);
		if (IS_ERR(upper))
			return PTR_ERR(upper) == -EFBIG ? -ENOSPC : PTR_ERR(upper);
	}
	ret = lbx_vfs_create(&ks->sb->vfs, ks->sb, ks->lower_image, ks->lower_len,
			     upper, c->upper_len, &ks->sb->fs_mem);
	kvfree(upper);
	return ret;
}

long lbx_sandbox_ioctl_create(void __user *uarg)
{
	struct lbx_sandbox_create c;
	struct lbx_kplat_sandbox *ks;
	struct lbx_limits limits;
	int ret, fd;

	ret = lbx_copy_sized_arg(&c, sizeof(c), offsetofend(struct lbx_sandbox_create, reserved), uarg);
	if (ret)
		return ret;
	if ((c.flags & ~LBX_SANDBOX_LOWER_FD) ||
	    memchr_inv(c.reserved, 0, sizeof(c.reserved)) ||
	    memchr_inv(c.reserved2, 0, sizeof(c.reserved2)) ||
	    lbx_netdev_check(&c.net))
		return -EINVAL;
	/* The image is either a buffer or a file, and the field for the
	 * other one is zero; a layout without lower_fd cannot name a file. */
	if (c.flags & LBX_SANDBOX_LOWER_FD) {
		if (c.size < offsetofend(struct lbx_sandbox_create, lower_fd) ||
		    c.lower_ptr || c.lower_len)
			return -EINVAL;
	} else if (c.lower_fd) {
		return -EINVAL;
	}
	if ((c.lower_len && !c.lower_ptr) || (c.upper_len && !c.upper_ptr))
		return -EFAULT;

	ks = kzalloc(sizeof(*ks), GFP_KERNEL_ACCOUNT);
	if (!ks)
		return -ENOMEM;
	mutex_init(&ks->lock);
	INIT_LIST_HEAD(&ks->threads);
	INIT_LIST_HEAD(&ks->embryos);
	init_waitqueue_head(&ks->embryo_wq);
	ret = take_stdio(ks, c.stdio_fd);
	if (ret)
		goto err;
	limits = (struct lbx_limits){
		.fs_mem = c.mem_limit,
		.max_procs = c.max_procs,
		.max_threads = c.max_threads,
		.max_fds = c.max_fds,
	};
	ret = lbx_sandbox_create(&limits, ks, &ks->sb);
	if (ret)
		goto err;
	/* Its rewrite plans are shared with its creator's other sandboxes
	 * only: a faster exec must not tell what other users run. */
	ks->sb->rw_shared = lbx_rw_shared_global;
	ks->sb->rw_domain = from_kuid(&init_user_ns, current_euid());
	ret = create_fs(ks, &c);
	if (ret)
		goto err;
	if (c.net.flags & LBX_NET_DEVICE) {
		ret = lbx_netdev_create(&c.net, ks->sb->id, &ks->net);
		if (ret)
			goto err;
	}
	lbx_diag_sandbox_add(ks);
	fd = anon_inode_getfd("[litebox-sandbox]", &lbx_sandbox_fops, ks,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err;
	}
	return fd;
err:
	kbox_free(ks);
	return ret;
}
