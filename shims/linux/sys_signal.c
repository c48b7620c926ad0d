// SPDX-License-Identifier: GPL-2.0
/*
 * The signal system calls: dispositions, masks, alternate stacks, sending
 * (kill, tgkill, tkill, rt_sigqueueinfo, rt_tgsigqueueinfo), waiting (pause,
 * sigsuspend, rt_sigtimedwait), and prctl. Delivery (frames, default
 * actions, rt_sigreturn) is signal.c's; pending sets and the queue of
 * real-time signals are core's (core/task/signal.c).
 */
#include <litebox/waitqueue.h>
#include "shim.h"

#define LX_SIGKILL	9
#define LX_SIGSTOP	19
#define LX_SIG_BLOCK	0
#define LX_SIG_UNBLOCK	1
#define LX_SIG_SETMASK	2
#define LX_SIG_DFL	0
#define LX_SIG_IGN	1
#define LX_SS_ONSTACK	1
#define LX_SS_DISABLE	2
#define LX_SS_AUTODISARM (1U << 31)
#define LX_MINSIGSTKSZ	2048
#define LX_SI_USER	0
#define LX_SI_TKILL	(-6)
/* What Linux keeps of a siginfo a guest passes in (kernel_siginfo_t): the
 * rest of the 128 bytes is delivered as zeros. */
#define LX_SIGINFO_KERNEL_SIZE	48

#define SIGBIT(n)	(1ULL << ((n) - 1))

static bool valid_sig(u64 sig)
{
	return sig >= 1 && sig <= LBX_NSIG;
}

LBX_SYSCALL(rt_sigaction)
{
	struct lbx_process *p = s->p;
	struct lbx_sigaction act, old;
	u64 sig = a0;

	if (a3 != sizeof(u64) || !valid_sig(sig))
		return -EINVAL;
	if (a1) {
		if (lbx_copy_from_guest(&act, a1, sizeof(act)))
			return -EFAULT;
		if (sig == LX_SIGKILL || sig == LX_SIGSTOP)
			return -EINVAL;
		act.mask &= ~LBX_SIG_UNBLOCKABLE;
	}
	lbx_plat_mutex_lock(&p->sb->lock);
	old = p->sigactions[sig - 1];
	if (a1)
		p->sigactions[sig - 1] = act;
	lbx_plat_mutex_unlock(&p->sb->lock);
	if (a2 && lbx_copy_to_guest(a2, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

LBX_SYSCALL(rt_sigprocmask)
{
	struct lbx_thread *t = s->t;
	u64 set, old = t->sigmask;

	if (a3 != sizeof(u64))
		return -EINVAL;
	if (a1) {
		if (lbx_copy_from_guest(&set, a1, sizeof(set)))
			return -EFAULT;
		switch (a0) {
		case LX_SIG_BLOCK:
			set |= old;
			break;
		case LX_SIG_UNBLOCK:
			set = old & ~set;
			break;
		case LX_SIG_SETMASK:
			break;
		default:
			return -EINVAL;
		}
		lbx_signal_set_mask(t, set);
	}
	if (a2 && lbx_copy_to_guest(a2, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

LBX_SYSCALL(rt_sigpending)
{
	u64 pending = s->t->sigpending & s->t->sigmask;

	if (a1 > sizeof(u64))
		return -EINVAL;
	return lbx_copy_to_guest(a0, &pending, a1);
}

struct lx_stack {
	u64 sp;
	u32 flags;
	u32 pad;
	u64 size;
};

static bool on_altstack(const struct lbx_thread *t, u64 sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

LBX_SYSCALL(sigaltstack)
{
	struct lbx_thread *t = s->t;
	struct lx_stack ss, old = {
		.sp = t->altstack_sp,
		.size = t->altstack_size,
		.flags = t->altstack_flags,
	};
	bool on = on_altstack(t, s->regs->rsp);

	if (!t->altstack_size)
		old.flags = LX_SS_DISABLE;
	else if (on)
		old.flags |= LX_SS_ONSTACK;
	if (a0) {
		u32 mode;

		if (lbx_copy_from_guest(&ss, a0, sizeof(ss)))
			return -EFAULT;
		if (on)
			return -EPERM;
		mode = ss.flags & ~LX_SS_AUTODISARM;
		if (mode != LX_SS_DISABLE && mode != LX_SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == LX_SS_DISABLE) {
			t->altstack_sp = 0;
			t->altstack_size = 0;
			t->altstack_flags = LX_SS_DISABLE;
		} else {
			if (ss.size < LX_MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.sp;
			t->altstack_size = ss.size;
			t->altstack_flags = ss.flags & LX_SS_AUTODISARM;
		}
	}
	if (a1 && lbx_copy_to_guest(a1, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* Sends sig from the caller to the calling thread (raise, SIGPIPE). */
static long signal_self_code(struct lbx_sys *s, u64 sig, s32 code)
{
	struct lbx_siginfo info = {
		.signo = (s32)sig,
		.code = code,
		.pid = (s32)s->p->pid,
		.uid = s->t->cred.uid,
	};

	if (!sig)
		return 0;
	if (lbx_signal_ignored(s->p, (u32)sig))
		return 0;
	return lbx_signal_queue(s->t, &info);
}

long lbx_linux_signal_self(struct lbx_sys *s, u64 sig)
{
	return signal_self_code(s, sig, 0 /* SI_USER */);
}

static bool kill_matches(const struct lbx_process *me, const struct lbx_process *p, s32 pid)
{
	if (p->reaped)
		return false;
	if (pid > 0)
		return p->pid == (u32)pid;
	if (pid == 0)
		return p->pgid == me->pgid;
	if (pid == -1)
		return p->pid != 1 && p != me;	/* as Linux: not itself */
	return p->pgid == (u32)-pid;
}

/*
 * kill(2)'s targets, with a reference each: at most every process of the
 * sandbox, so an array of sb->nr_procs entries, sized before the sandbox
 * lock is taken (no allocation under it) and taken again when the sandbox
 * grew in between. *n: the targets, *found: the processes that matched,
 * *zombies: those of them that exited and are not reaped yet.
 */
static long kill_collect(struct lbx_sys *s, s32 pid, u32 sig,
			 struct lbx_process ***out, u32 *n, u32 *found, u32 *zombies)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_process **targets;
	struct lbx_list_head *pos;
	size_t size;
	u32 cap;

	for (;;) {
		cap = LBX_READ_ONCE(sb->nr_procs);
		if (lbx_mul_overflow((size_t)cap, sizeof(*targets), &size))
			return -ENOMEM;
		targets = lbx_plat_alloc_large(size ? size : sizeof(*targets));
		if (!targets)
			return -ENOMEM;
		lbx_plat_mutex_lock(&sb->lock);
		if (sb->nr_procs <= cap)
			break;
		lbx_plat_mutex_unlock(&sb->lock);
		lbx_plat_free_large(targets);
	}
	*n = *found = *zombies = 0;
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (!kill_matches(s->p, p, pid))
			continue;
		(*found)++;
		if (!lbx_linux_may_signal_locked(s->t, p, &p->cred, sig))
			continue;
		if (p->exiting) {
			/* As Linux: a zombie is there to signal (nothing
			 * happens) until it is reaped. */
			(*zombies)++;
		} else {
			/* In sb->procs, so counted in nr_procs <= cap. */
			lbx_process_get(p);
			targets[(*n)++] = p;
		}
	}
	lbx_plat_mutex_unlock(&sb->lock);
	*out = targets;
	return 0;
}

/*
 * kill(2). Each target must be one the caller may signal (EPERM). As
 * Linux: a group kill succeeds when one send does, else it fails with
 * EPERM; kill(-1) succeeds when it found any target at all. Every
 * matching process is signalled, however many (Linux walks them under
 * tasklist_lock; here they are collected with a reference each, then
 * signalled outside the sandbox lock, which the send takes).
 */
LBX_SYSCALL(kill)
{
	struct lbx_process **targets;
	s32 pid = (s32)a0;
	u32 n, found, zombies, i;
	struct lbx_siginfo info = {
		.signo = (s32)a1,
		.code = 0,	/* SI_USER */
		.pid = (s32)s->p->pid,
		.uid = s->t->cred.uid,
	};
	long ret;

	if (a1 > LBX_NSIG)
		return -EINVAL;
	if (pid == (s32)0x80000000)
		return -ESRCH;
	ret = kill_collect(s, pid, (u32)a1, &targets, &n, &found, &zombies);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (targets[i] == s->p && a1)
			lbx_linux_signal_self(s, a1);
		else
			lbx_signal_process(targets[i], &info);
		lbx_process_put(targets[i]);
	}
	lbx_plat_free_large(targets);
	if (!found)
		return -ESRCH;
	return n || zombies || pid == -1 ? 0 : -EPERM;
}

/* Whether the caller may signal process p, or its thread t (takes the
 * sandbox lock): the target's own credentials count, as in Linux's
 * check_kill_permission() (a process: its leader's). */
static bool may_signal(struct lbx_sys *s, struct lbx_process *p,
		       struct lbx_thread *t, u64 sig)
{
	bool ok;

	lbx_plat_mutex_lock(&s->p->sb->lock);
	ok = lbx_linux_may_signal_locked(s->t, p, t ? &t->cred : &p->cred, (u32)sig);
	lbx_plat_mutex_unlock(&s->p->sb->lock);
	return ok;
}

/* A thread-directed signal (SI_TKILL) to thread tid, of process tgid
 * unless tgid is 0. */
static long signal_thread(struct lbx_sys *s, u32 tgid, u32 tid, u64 sig)
{
	struct lbx_siginfo info = {
		.signo = (s32)sig,
		.code = -6,	/* SI_TKILL */
		.pid = (s32)s->p->pid,
		.uid = s->t->cred.uid,
	};
	struct lbx_thread *t;
	long ret = 0;

	if (tid == s->t->tid && (!tgid || tgid == s->p->pid))
		return signal_self_code(s, sig, -6);
	t = lbx_thread_find(s->p->sb, tid);
	if (!t)
		return -ESRCH;
	if (tgid && t->proc->pid != tgid) {
		lbx_thread_put(t);
		return -ESRCH;
	}
	if (!may_signal(s, t->proc, t, sig))
		ret = -EPERM;
	else if (sig && !lbx_signal_ignored(t->proc, (u32)sig))
		ret = lbx_signal_queue(t, &info);
	lbx_thread_put(t);
	return ret;
}

LBX_SYSCALL(tgkill)
{
	if ((s32)a0 <= 0 || (s32)a1 <= 0 || a2 > LBX_NSIG)
		return -EINVAL;
	return signal_thread(s, (u32)a0, (u32)a1, a2);
}

LBX_SYSCALL(tkill)
{
	if ((s32)a0 <= 0 || a1 > LBX_NSIG)
		return -EINVAL;
	return signal_thread(s, 0, (u32)a0, a1);
}

/*
 * A guest-built siginfo (rt_sigqueueinfo, rt_tgsigqueueinfo): what Linux
 * copies (kernel_siginfo_t), with si_signo set to sig. A guest may not
 * forge a kernel-generated signal (si_code >= 0) nor a tgkill's (SI_TKILL)
 * to anybody but its own thread: -EPERM, as Linux (tid: that thread's).
 */
static long copy_user_siginfo(struct lbx_sys *s, u64 uinfo, u64 sig, s32 tid,
			      struct lbx_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	if (lbx_copy_from_guest(info, uinfo, LX_SIGINFO_KERNEL_SIZE))
		return -EFAULT;
	info->signo = (s32)sig;
	if ((info->code >= 0 || info->code == LX_SI_TKILL) && tid != (s32)s->t->tid)
		return -EPERM;
	return 0;
}

/* The live process pid of the sandbox, with a reference, or NULL. */
static struct lbx_process *get_process(struct lbx_sandbox *sb, s32 pid)
{
	struct lbx_process *found = NULL;
	struct lbx_list_head *pos;

	if (pid <= 0)
		return NULL;
	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->pid == (u32)pid && !p->exiting) {
			lbx_process_get(p);
			found = p;
			break;
		}
	}
	lbx_plat_mutex_unlock(&sb->lock);
	return found;
}

/* sigqueue(3): a process-directed signal with a guest's siginfo. */
LBX_SYSCALL(rt_sigqueueinfo)
{
	struct lbx_siginfo info;
	struct lbx_process *p;
	long ret;

	ret = copy_user_siginfo(s, a2, a1, (s32)a0, &info);
	if (ret)
		return ret;
	p = get_process(s->p->sb, (s32)a0);
	if (!p)
		return -ESRCH;
	if (a1 > LBX_NSIG)
		ret = -EINVAL;
	else if (!may_signal(s, p, NULL, a1))
		ret = -EPERM;
	else if (a1)
		ret = lbx_signal_process(p, &info);
	lbx_process_put(p);
	return ret;
}

/* pthread_sigqueue(3): the same, directed to thread tid of process tgid. */
LBX_SYSCALL(rt_tgsigqueueinfo)
{
	struct lbx_siginfo info;
	struct lbx_thread *t;
	long ret;

	ret = copy_user_siginfo(s, a3, a2, (s32)a1, &info);
	if (ret)
		return ret;
	if ((s32)a0 <= 0 || (s32)a1 <= 0)
		return -EINVAL;
	t = lbx_thread_find(s->p->sb, (u32)a1);
	if (!t)
		return -ESRCH;
	if (t->proc->pid != (u32)a0)
		ret = -ESRCH;
	else if (a2 > LBX_NSIG)
		ret = -EINVAL;
	else if (!may_signal(s, t->proc, t, a2))
		ret = -EPERM;
	else if (a2 && !lbx_signal_ignored(t->proc, (u32)a2))
		ret = lbx_signal_queue(t, &info);
	lbx_thread_put(t);
	return ret;
}

struct lx_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct sigwait_arg {
	struct lbx_thread *t;
	u64 set;
};

static bool sigwait_ready(void *arg)
{
	struct sigwait_arg *w = arg;

	return __atomic_load_n(&w->t->sigpending, __ATOMIC_ACQUIRE) & w->set;
}

/* Under sb->lock: one signal of set, with the interruption it raised
 * cleared when nothing else is deliverable (as delivery does). */
static u32 sigwait_dequeue(struct lbx_thread *t, u64 set, struct lbx_siginfo *info)
{
	u32 sig;

	lbx_plat_mutex_lock(&t->proc->sb->lock);
	sig = lbx_signal_dequeue_locked(t, set, info);
	if (sig && !(t->sigpending & ~t->sigmask))
		lbx_thread_clear_interrupt(t);
	lbx_plat_mutex_unlock(&t->proc->sb->lock);
	return sig;
}

/*
 * sigwaitinfo(2), sigtimedwait(2): takes a pending signal of the set (the
 * calling thread's; a process-directed one is queued on a thread that
 * waits for it here, see lbx_signal_process()), blocked or not. With none,
 * sleeps until one arrives (-EAGAIN at the timeout; a zero timeout polls)
 * or until another signal is deliverable: -EINTR, never restarted (Linux
 * returns EINTR whatever SA_RESTART says).
 */
LBX_SYSCALL(rt_sigtimedwait)
{
	struct lbx_thread *t = s->t;
	struct sigwait_arg w = { .t = t };
	struct lbx_siginfo info;
	struct lx_timespec ts;
	u64 deadline = LBX_NO_DEADLINE, ns;
	bool poll = false;
	u32 sig;
	int ret;

	if (a3 != sizeof(u64))
		return -EINVAL;
	if (lbx_copy_from_guest(&w.set, a0, sizeof(w.set)))
		return -EFAULT;
	w.set &= ~LBX_SIG_UNBLOCKABLE;
	if (a2) {
		if (lbx_copy_from_guest(&ts, a2, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)LBX_NSEC_PER_SEC)
			return -EINVAL;
		poll = !ts.tv_sec && !ts.tv_nsec;
		if (lbx_mul_overflow((u64)ts.tv_sec, LBX_NSEC_PER_SEC, &ns) ||
		    lbx_add_overflow(ns, (u64)ts.tv_nsec, &ns) ||
		    lbx_add_overflow(lbx_plat_now_mono(), ns, &deadline) ||
		    deadline == LBX_NO_DEADLINE)
			deadline = LBX_NO_DEADLINE - 1;
	}
	s->no_restart = true;
	__atomic_store_n(&t->sigwait_set, w.set, __ATOMIC_RELAXED);
	for (;;) {
		sig = sigwait_dequeue(t, w.set, &info);
		if (sig || poll) {
			ret = sig ? 0 : -EAGAIN;
			break;
		}
		ret = lbx_wait_event_fn(&s->p->sb->sig_wq, sigwait_ready, &w, deadline,
					t, LBX_WQ_INTERRUPTIBLE);
		if (ret == -ETIMEDOUT) {
			/* A last look: a signal of the set wins over the timeout. */
			sig = sigwait_dequeue(t, w.set, &info);
			ret = sig ? 0 : -EAGAIN;
			break;
		}
		if (ret)
			break;	/* -EINTR: another signal is deliverable */
	}
	__atomic_store_n(&t->sigwait_set, 0, __ATOMIC_RELAXED);
	if (ret)
		return ret;
	if (a1 && lbx_copy_to_guest(a1, &info, sizeof(info)))
		return -EFAULT;	/* the signal is gone, as in Linux */
	return sig;
}

LBX_SYSCALL(pause)
{
	struct lbx_thread *t = s->t;

	/* Until a signal is delivered: -EINTR and the delivery decides. */
	s->no_restart = true;
	for (;;) {
		int ret;

		/* Already deliverable (sigsuspend unblocking a pending one);
		 * read under the lock a sender takes (lbx_signal_set_mask). */
		if (lbx_signal_ready(t))
			return -EINTR;
		ret = lbx_plat_wait(&t->interrupt, 0,
				    lbx_itimer_clamp(t, LBX_NO_DEADLINE), true);
		if (lbx_itimer_expire(t))
			continue;	/* SIGALRM: interrupted unless blocked */
		if (LBX_READ_ONCE(t->interrupt) || ret == -EINTR)
			return -EINTR;
	}
}

LBX_SYSCALL(rt_sigsuspend)
{
	u64 mask, old = s->t->sigmask;
	long ret;

	if (a1 != sizeof(u64))
		return -EINVAL;
	if (lbx_copy_from_guest(&mask, a0, sizeof(mask)))
		return -EFAULT;
	/* The handler runs with the suspended mask; its sigreturn, or the
	 * exit from this call without one, puts old back. */
	s->saved_sigmask = old;
	s->restore_sigmask = true;
	lbx_signal_set_mask(s->t, mask);
	ret = lbx_sys_pause(s, 0, 0, 0, 0, 0, 0);
	return ret;
}

#define LX_PR_SET_PDEATHSIG	1
#define LX_PR_GET_PDEATHSIG	2
#define LX_PR_GET_DUMPABLE	3
#define LX_PR_SET_DUMPABLE	4
#define LX_PR_GET_KEEPCAPS	7
#define LX_PR_SET_KEEPCAPS	8
#define LX_PR_SET_NAME		15
#define LX_PR_CAPBSET_READ	23
#define LX_PR_GET_NAME		16
#define LX_PR_SET_CHILD_SUBREAPER 36
#define LX_PR_GET_CHILD_SUBREAPER 37
#define LX_PR_GET_NO_NEW_PRIVS	39
#define LX_PR_SET_NO_NEW_PRIVS	38

LBX_SYSCALL(prctl)
{
	struct lbx_thread *t = s->t;
	char name[16];

	switch (a0) {
	case LX_PR_SET_NAME: {
		long n = lbx_strncpy_from_guest(name, a1, sizeof(name));

		if (n == -EFAULT)
			return -EFAULT;
		/* Longer names are truncated to 15 bytes, as Linux does. */
		name[sizeof(name) - 1] = '\0';
		memcpy(t->comm, name, sizeof(name));
		return 0;
	}
	case LX_PR_GET_NAME:
		return lbx_copy_to_guest(a1, t->comm, sizeof(t->comm));
	case LX_PR_GET_KEEPCAPS:
		return lbx_linux_prctl_keepcaps(s, false, 0);
	case LX_PR_SET_KEEPCAPS:
		return lbx_linux_prctl_keepcaps(s, true, a1);
	case LX_PR_CAPBSET_READ:
		/* The bounding set is every capability (docs/creds.md). */
		return a1 < 64 && (LBX_CAP_FULL >> a1) & 1 ? 1 : -EINVAL;
	case LX_PR_SET_PDEATHSIG:
		/* Sent when the thread that created this process exits
		 * (core/task/task.c); 0 clears it. */
		if (a1 > LBX_NSIG)
			return -EINVAL;
		LBX_WRITE_ONCE(t->pdeath_sig, (u32)a1);
		return 0;
	case LX_PR_GET_PDEATHSIG: {
		s32 v = (s32)LBX_READ_ONCE(t->pdeath_sig);

		return lbx_copy_to_guest(a1, &v, sizeof(v));
	}
	case LX_PR_SET_CHILD_SUBREAPER:
		/* Orphaned descendants come here (lbx_process_exit()). */
		lbx_plat_mutex_lock(&s->p->sb->lock);
		s->p->child_subreaper = a1 != 0;
		lbx_plat_mutex_unlock(&s->p->sb->lock);
		return 0;
	case LX_PR_GET_CHILD_SUBREAPER: {
		s32 v = LBX_READ_ONCE(s->p->child_subreaper);

		return lbx_copy_to_guest(a1, &v, sizeof(v));
	}
	case LX_PR_GET_DUMPABLE:
		return 1;
	case LX_PR_SET_DUMPABLE:
		return a1 > 1 ? -EINVAL : 0;
	case LX_PR_GET_NO_NEW_PRIVS:
		return 1;	/* every guest runs with no_new_privs */
	case LX_PR_SET_NO_NEW_PRIVS:
		return a1 == 1 && !a2 && !a3 && !a4 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}
