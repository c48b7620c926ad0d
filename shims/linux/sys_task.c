// SPDX-License-Identifier: GPL-2.0
/*
 * Processes: fork, vfork and clone (new processes; threads come later),
 * execve, wait4 and waitid, process groups and sessions.
 */
#include <litebox/fdtable.h>
#include <litebox/mm.h>
#include <litebox/vfs.h>
#include "shim.h"

#define LX_CSIGNAL		0x000000ff
#define LX_CLONE_VM		0x00000100
#define LX_CLONE_FS		0x00000200
#define LX_CLONE_FILES		0x00000400
#define LX_CLONE_SIGHAND	0x00000800
#define LX_CLONE_PIDFD		0x00001000
#define LX_CLONE_PTRACE		0x00002000
#define LX_CLONE_VFORK		0x00004000
#define LX_CLONE_PARENT		0x00008000
#define LX_CLONE_THREAD		0x00010000
#define LX_CLONE_NEWNS		0x00020000
#define LX_CLONE_SYSVSEM	0x00040000
#define LX_CLONE_SETTLS		0x00080000
#define LX_CLONE_PARENT_SETTID	0x00100000
#define LX_CLONE_CHILD_CLEARTID	0x00200000
#define LX_CLONE_DETACHED	0x00400000
#define LX_CLONE_UNTRACED	0x00800000
#define LX_CLONE_CHILD_SETTID	0x01000000
#define LX_CLONE_NS_MASK	0x7e020080	/* every CLONE_NEW* flag */
#define LX_CLONE_NEWTIME	0x00000080
#define LX_CLONE_CLEAR_SIGHAND	0x100000000ULL	/* clone3 only */
#define LX_CLONE_INTO_CGROUP	0x200000000ULL	/* clone3 only */
#define LX_SIGCHLD		17

#define LX_WNOHANG		0x00000001
#define LX_WUNTRACED		0x00000002
#define LX_WSTOPPED		LX_WUNTRACED
#define LX_WEXITED		0x00000004
#define LX_WCONTINUED		0x00000008
#define LX_WNOWAIT		0x01000000
#define LX___WNOTHREAD		0x20000000
#define LX___WALL		0x40000000
#define LX___WCLONE		0x80000000

#define LX_P_ALL		0
#define LX_P_PID		1
#define LX_P_PGID		2
#define LX_P_PIDFD		3


/*
 * A new process sharing nothing but what fork shares. CLONE_VM without
 * CLONE_THREAD (vfork, posix_spawn) is served as a fork: the child gets a
 * copy of the address space, which is all a vfork child may rely on.
 */
/*
 * A new thread of the calling process: it shares everything and starts at
 * the caller's return with its own stack and TLS.
 */
static long do_thread(struct lbx_sys *s, u64 flags, u64 stack, u64 ptid, u64 ctid, u64 tls)
{
	const u64 need = LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND;
	struct lbx_thread *t;
	u32 tid;
	int ret;

	if ((flags & need) != need || !stack)
		return -EINVAL;
	if (flags & (LX_CLONE_NS_MASK | LX_CLONE_PIDFD | LX_CLONE_VFORK | LX_CLONE_PTRACE))
		return -EINVAL;
	ret = lbx_thread_create(s->p, &t);
	if (ret)
		return ret;
	t->fs_base = flags & LX_CLONE_SETTLS ? tls : s->t->fs_base;
	t->sigmask = s->t->sigmask;
	lbx_linux_sched_inherit(t, s->t);
	t->start_regs = *s->regs;
	t->start_regs.rax = 0;
	t->start_regs.rsp = stack;
	t->start_regs.fs_base = t->fs_base;
	if (flags & LX_CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	/* Shared memory: both tid stores can happen now. */
	if (((flags & LX_CLONE_PARENT_SETTID) &&
	     lbx_copy_to_guest(ptid, &t->tid, sizeof(t->tid))) ||
	    ((flags & LX_CLONE_CHILD_SETTID) &&
	     lbx_copy_to_guest(ctid, &t->tid, sizeof(t->tid)))) {
		ret = -EFAULT;
		goto err;
	}
	/* Once started, the thread may run and exit before we return. */
	tid = t->tid;
	ret = lbx_plat_thread_start(s->t, t);
	if (ret < 0)
		goto err;
	return tid;
err:
	lbx_thread_exit(t);
	lbx_thread_put(t);
	return ret;
}

static long do_fork(struct lbx_sys *s, u64 flags, u64 stack, u64 ptid, u64 ctid, u64 tls)
{
	struct lbx_thread *child;
	struct lbx_process *cp;
	int ret;

	if (flags & LX_CLONE_THREAD)
		return do_thread(s, flags, stack, ptid, ctid, tls);
	if (flags & (LX_CLONE_NS_MASK | LX_CLONE_PIDFD | LX_CLONE_PARENT |
		     LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | LX_CLONE_PTRACE))
		return -EINVAL;
	if ((flags & LX_CLONE_VM) && !(flags & LX_CLONE_VFORK))
		return -EINVAL;	/* a shared address space without a thread */

	ret = lbx_process_create(s->p->sb, s->p, &child);
	if (ret)
		return ret;
	cp = child->proc;
	lbx_linux_rlimits_init(cp);
	ret = lbx_mm_copy(s->p->mm, &cp->mm);
	if (!ret) {
		cp->fs = lbx_plat_alloc(sizeof(*cp->fs));
		ret = cp->fs ? lbx_fs_ctx_copy(cp->fs, s->p->fs) : -ENOMEM;
		if (ret) {
			lbx_plat_free(cp->fs);
			cp->fs = NULL;
		} else {
			/* The forking thread's credentials, as Linux's
			 * copy_creds(), also for the fs context's copy. */
			lbx_plat_mutex_lock(&cp->sb->lock);
			lbx_cred_install_locked(child, &s->t->cred);
			/* Its parent is this thread (PR_SET_PDEATHSIG). */
			cp->parent_tid = s->t->tid;
			lbx_plat_mutex_unlock(&cp->sb->lock);
		}
	}
	if (!ret)
		ret = lbx_fdtable_copy(s->p->files, &cp->files);
	if (!ret && s->p->exe_path) {
		size_t n = strlen(s->p->exe_path) + 1;

		cp->exe_path = lbx_plat_alloc(n);
		if (cp->exe_path)
			memcpy(cp->exe_path, s->p->exe_path, n);
		else
			ret = -ENOMEM;
	}
	if (!ret && s->p->cmdline_len) {
		cp->cmdline = lbx_plat_alloc_large(s->p->cmdline_len);
		if (cp->cmdline) {
			memcpy(cp->cmdline, s->p->cmdline, s->p->cmdline_len);
			cp->cmdline_len = s->p->cmdline_len;
		}
	}
	if (!ret && s->p->environ_len) {
		cp->environ = lbx_plat_alloc_large(s->p->environ_len);
		if (cp->environ) {
			memcpy(cp->environ, s->p->environ, s->p->environ_len);
			cp->environ_len = s->p->environ_len;
		}
	}
	if (ret)
		goto err;
	memcpy(cp->sigactions, s->p->sigactions, sizeof(cp->sigactions));
	if (flags & LX_CLONE_CLEAR_SIGHAND) {
		/* Handlers back to SIG_DFL; ignored signals stay ignored. */
		u32 i;

		for (i = 0; i < LBX_NSIG; i++) {
			if (cp->sigactions[i].handler != 1 /* SIG_IGN */)
				memset(&cp->sigactions[i], 0, sizeof(cp->sigactions[i]));
		}
	}
	cp->exit_signal = (u32)(flags & LX_CSIGNAL);
	memcpy(cp->rlim, s->p->rlim, sizeof(cp->rlim));
	cp->brk_start = s->p->brk_start;
	cp->brk_cur = s->p->brk_cur;
	cp->brk_mapped_end = s->p->brk_mapped_end;

	child->sigmask = s->t->sigmask;
	child->altstack_sp = s->t->altstack_sp;
	child->altstack_size = s->t->altstack_size;
	child->altstack_flags = s->t->altstack_flags;
	memcpy(child->comm, s->t->comm, sizeof(child->comm));
	lbx_linux_sched_inherit(child, s->t);
	child->fs_base = flags & LX_CLONE_SETTLS ? tls : s->t->fs_base;
	child->start_regs = *s->regs;
	child->start_regs.rax = 0;
	child->sig_frames = s->t->sig_frames;	/* the same stack */
	child->start_regs.fs_base = child->fs_base;
	if (stack)
		child->start_regs.rsp = stack;
	if (flags & LX_CLONE_CHILD_SETTID)
		child->set_child_tid = ctid;
	if (flags & LX_CLONE_CHILD_CLEARTID)
		child->clear_child_tid = ctid;
	if ((flags & LX_CLONE_PARENT_SETTID) &&
	    lbx_copy_to_guest(ptid, &cp->pid, sizeof(cp->pid))) {
		ret = -EFAULT;
		goto err;
	}

	ret = lbx_plat_fork(s->t, child);
	if (ret != LBX_DEFERRED)
		goto err;
	/* The platform completes the fork and gives the parent its result. */
	return cp->pid;
err:
	lbx_linux_fork_abort(child);
	return ret;
}

void lbx_linux_fork_abort(struct lbx_thread *child)
{
	struct lbx_process *cp = child->proc;

	/* Never ran: not a zombie for anyone to reap. */
	lbx_plat_mutex_lock(&cp->sb->lock);
	cp->exiting = true;
	cp->reaped = true;
	lbx_plat_mutex_unlock(&cp->sb->lock);
	if (cp->parent_ref) {
		cp->parent_ref = false;
		lbx_process_put(cp);
	}
	lbx_thread_exit(child);
	lbx_thread_put(child);
}

int lbx_linux_fork_child_start(struct lbx_thread *t)
{
	/* Runs in the child, on the child's memory. */
	if (t->set_child_tid)
		lbx_copy_to_guest(t->set_child_tid, &t->tid, sizeof(t->tid));
	return 0;
}

LBX_SYSCALL(fork)
{
	return do_fork(s, LX_SIGCHLD, 0, 0, 0, 0);
}

LBX_SYSCALL(vfork)
{
	return do_fork(s, LX_CLONE_VM | LX_CLONE_VFORK | LX_SIGCHLD, 0, 0, 0, 0);
}

LBX_SYSCALL(clone)
{
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. The
	 * clone3-only flags are above bit 31: out of clone's reach. */
	return do_fork(s, (u32)a0, a1, a2, a3, a4);
}

/* struct clone_args, as far as CLONE_ARGS_SIZE_VER2. */
struct lx_clone_args {
	u64 flags;
	u64 pidfd;
	u64 child_tid;
	u64 parent_tid;
	u64 exit_signal;
	u64 stack;
	u64 stack_size;
	u64 tls;
	u64 set_tid;		/* VER1 */
	u64 set_tid_size;
	u64 cgroup;		/* VER2 */
};

#define LX_CLONE_ARGS_SIZE_VER0	64
#define LX_CLONE_ARGS_SIZE_VER1	80
#define LX_CLONE_ARGS_SIZE_VER2	88
#define LX_MAX_PID_NS_LEVEL	32
#define LX_PAGE_SIZE		4096
#define LX_TASK_SIZE_MAX	0x7ffffffff000ULL

/*
 * Copies a growing, size-versioned struct once: a shorter one is
 * zero-extended, a longer one must be zero beyond what LiteBox knows
 * (-E2BIG otherwise), as Linux's copy_struct_from_user().
 */
static long copy_struct_from_guest(void *dst, size_t ksize, u64 src, size_t usize)
{
	u8 tail[64];
	size_t off, n;

	memset(dst, 0, ksize);
	if (lbx_copy_from_guest(dst, src, lbx_min(ksize, usize)))
		return -EFAULT;
	for (off = ksize; off < usize; off += n) {
		size_t i;

		n = lbx_min(usize - off, sizeof(tail));
		if (lbx_copy_from_guest(tail, src + off, n))
			return -EFAULT;
		for (i = 0; i < n; i++) {
			if (tail[i])
				return -E2BIG;
		}
	}
	return 0;
}

/*
 * clone3(args, size): the same processes and threads as clone, from a
 * struct. Checked as Linux's copy_clone_args_from_user() and
 * clone3_args_valid(); set_tid (choosing the child's pid) and
 * CLONE_INTO_CGROUP are not provided: -EINVAL.
 */
LBX_SYSCALL(clone3)
{
	const u64 known = 0xffffffffULL | LX_CLONE_CLEAR_SIGHAND | LX_CLONE_INTO_CGROUP;
	struct lx_clone_args ca;
	u64 stack = 0;
	long ret;

	if (a1 > LX_PAGE_SIZE)
		return -E2BIG;
	if (a1 < LX_CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_guest(&ca, sizeof(ca), a0, a1);
	if (ret)
		return ret;
	if (ca.set_tid_size > LX_MAX_PID_NS_LEVEL ||
	    (!ca.set_tid && ca.set_tid_size) || (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if ((ca.exit_signal & ~(u64)LX_CSIGNAL) || ca.exit_signal > LBX_NSIG)
		return -EINVAL;
	if ((ca.flags & LX_CLONE_INTO_CGROUP) &&
	    (ca.cgroup > 0x7fffffff || a1 < LX_CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	/* clone3_args_valid() */
	if (ca.flags & ~known)
		return -EINVAL;
	if (ca.flags & (LX_CLONE_DETACHED | (LX_CSIGNAL & ~(u64)LX_CLONE_NEWTIME)))
		return -EINVAL;
	if ((ca.flags & LX_CLONE_SIGHAND) && (ca.flags & LX_CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((ca.flags & (LX_CLONE_THREAD | LX_CLONE_PARENT)) && ca.exit_signal)
		return -EINVAL;
	if (ca.stack ? !ca.stack_size : ca.stack_size > 0)
		return -EINVAL;
	if (ca.stack && (lbx_add_overflow(ca.stack, ca.stack_size, &stack) ||
			 stack > LX_TASK_SIZE_MAX))
		return -EINVAL;	/* not a user range (access_ok) */
	/* What clone3 has and LiteBox does not provide. */
	if (ca.set_tid_size || (ca.flags & LX_CLONE_INTO_CGROUP))
		return -EINVAL;
	/* The stack grows down: the child starts at its top. */
	return do_fork(s, (ca.flags & ~(u64)LX_CSIGNAL) | ca.exit_signal, stack,
		       ca.parent_tid, ca.child_tid, ca.tls);
}

/* ---- execve ---- */

LBX_SYSCALL(execve)
{
	u64 budget = 2ULL << 20;
	char **argv = NULL, **envp = NULL;
	char *path;
	long len;
	int ret;

	path = lbx_plat_alloc(4096);
	if (!path)
		return -ENOMEM;
	len = lbx_strncpy_from_guest(path, a0, 4096);
	if (len < 0) {
		ret = (int)len;
		goto out;
	}
	if (!len) {
		ret = -ENOENT;
		goto out;
	}
	ret = lbx_linux_copy_strv(a1, &argv, &budget);
	if (!ret)
		ret = lbx_linux_copy_strv(a2, &envp, &budget);
	if (!ret)
		ret = lbx_linux_exec(s, path, (const char *const *)argv,
				     (const char *const *)envp, true);
out:
	lbx_linux_free_strv(envp);
	lbx_linux_free_strv(argv);
	lbx_plat_free(path);
	return ret;
}

/* ---- wait ---- */

LBX_SYSCALL(wait4)
{
	struct lbx_wait_result r;
	u32 flags = 0;
	int ret;

	if (a2 & ~(u64)(LX_WNOHANG | LX_WUNTRACED | LX_WCONTINUED | LX___WNOTHREAD |
			LX___WALL | LX___WCLONE))
		return -EINVAL;
	if ((s32)a0 == (s32)0x80000000)
		return -ESRCH;	/* -INT_MIN has no process group */
	flags = LBX_WAIT_EXITED;
	if (a2 & LX_WNOHANG)
		flags |= LBX_WAIT_NOHANG;
	if (a2 & LX_WUNTRACED)
		flags |= LBX_WAIT_STOPPED;
	if (a2 & LX_WCONTINUED)
		flags |= LBX_WAIT_CONTINUED;
	ret = lbx_process_wait(s->t, (s32)a0, flags, &r);
	if (ret)
		return ret;
	if (!r.pid)
		return 0;
	if (a1 && lbx_copy_to_guest(a1, &r.status, sizeof(r.status)))
		return -EFAULT;
	if (a3 && lbx_linux_put_rusage(a3, &r.usage))
		return -EFAULT;
	return r.pid;
}

struct lx_siginfo_chld {
	s32 si_signo;
	s32 si_errno;
	s32 si_code;
	s32 pad;
	s32 si_pid;
	u32 si_uid;
	s32 si_status;
	s32 pad2;
	u64 utime;
	u64 stime;
	u8 rest[128 - 48];
};

#define LX_CLD_EXITED	1
#define LX_CLD_KILLED	2
#define LX_CLD_DUMPED	3

LBX_SYSCALL(waitid)
{
	struct lx_siginfo_chld si;
	struct lbx_wait_result r;
	u32 flags = 0;
	s32 pid;
	int ret;

	if (a3 & ~(u64)(LX_WNOHANG | LX_WUNTRACED | LX_WEXITED | LX_WCONTINUED |
			LX_WNOWAIT | LX___WNOTHREAD | LX___WALL | LX___WCLONE))
		return -EINVAL;
	if (!(a3 & (LX_WEXITED | LX_WUNTRACED | LX_WCONTINUED)))
		return -EINVAL;
	switch (a0) {
	case LX_P_ALL:
		pid = -1;
		break;
	case LX_P_PID:
		if ((s32)a1 <= 0)
			return -EINVAL;
		pid = (s32)a1;
		break;
	case LX_P_PGID:
		if ((s32)a1 < 0)
			return -EINVAL;
		pid = a1 ? -(s32)a1 : 0;
		break;
	default:
		return -EINVAL;
	}
	if (a3 & LX_WEXITED)
		flags |= LBX_WAIT_EXITED;
	if (a3 & LX_WSTOPPED)
		flags |= LBX_WAIT_STOPPED;
	if (a3 & LX_WCONTINUED)
		flags |= LBX_WAIT_CONTINUED;
	if (a3 & LX_WNOHANG)
		flags |= LBX_WAIT_NOHANG;
	if (a3 & LX_WNOWAIT)
		flags |= LBX_WAIT_NOWAIT;
	ret = lbx_process_wait(s->t, pid, flags, &r);
	if (ret)
		return ret;
	memset(&si, 0, sizeof(si));
	if (r.pid) {
		si.si_signo = LX_SIGCHLD;
		si.si_pid = (s32)r.pid;
		si.si_uid = r.uid;
		if (r.what == LBX_WAIT_REPORT_STOPPED) {
			si.si_code = LBX_CLD_STOPPED;
			si.si_status = (r.status >> 8) & 0xff;
		} else if (r.what == LBX_WAIT_REPORT_CONTINUED) {
			si.si_code = LBX_CLD_CONTINUED;
			si.si_status = 18;	/* SIGCONT */
		} else if (r.status & 0x7f) {
			si.si_code = r.status & 0x80 ? LX_CLD_DUMPED : LX_CLD_KILLED;
			si.si_status = r.status & 0x7f;
		} else {
			si.si_code = LX_CLD_EXITED;
			si.si_status = (r.status >> 8) & 0xff;
		}
	}
	if (a2 && lbx_copy_to_guest(a2, &si, sizeof(si)))
		return -EFAULT;
	/* The raw waitid's fifth argument, as Linux's. */
	if (r.pid && a4 && lbx_linux_put_rusage(a4, &r.usage))
		return -EFAULT;
	return 0;
}

/* ---- process groups and sessions ---- */

static struct lbx_process *find_process(struct lbx_sandbox *sb, u32 pid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->pid == pid && !p->reaped)
			return p;
	}
	return NULL;
}

LBX_SYSCALL(setpgid)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_process *target;
	s32 pid = (s32)a0, pgid = (s32)a1;
	long ret = 0;

	if (pgid < 0)
		return -EINVAL;
	lbx_plat_mutex_lock(&sb->lock);
	target = pid ? find_process(sb, (u32)pid) : s->p;
	if (!target || (target != s->p && target->ppid != s->p->pid)) {
		ret = -ESRCH;
		goto out;
	}
	if (target->sid != s->p->sid || target->pid == target->sid) {
		ret = -EPERM;	/* other session, or a session leader */
		goto out;
	}
	target->pgid = pgid ? (u32)pgid : target->pid;
out:
	lbx_plat_mutex_unlock(&sb->lock);
	return ret;
}

static long get_id(struct lbx_sys *s, s32 pid, bool sid)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_process *p;
	long ret;

	lbx_plat_mutex_lock(&sb->lock);
	p = pid ? find_process(sb, (u32)pid) : s->p;
	ret = p ? (long)(sid ? p->sid : p->pgid) : -ESRCH;
	lbx_plat_mutex_unlock(&sb->lock);
	return ret;
}

LBX_SYSCALL(getpgid)
{
	return get_id(s, (s32)a0, false);
}

LBX_SYSCALL(getpgrp)
{
	return get_id(s, 0, false);
}

LBX_SYSCALL(getsid)
{
	return get_id(s, (s32)a0, true);
}

LBX_SYSCALL(setsid)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_list_head *pos;
	long ret;

	lbx_plat_mutex_lock(&sb->lock);
	/* A process-group leader cannot start a session. */
	ret = s->p->pid;
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->pgid == s->p->pid && !p->reaped) {
			ret = -EPERM;
			break;
		}
	}
	if (ret > 0) {
		s->p->sid = s->p->pid;
		s->p->pgid = s->p->pid;
	}
	lbx_plat_mutex_unlock(&sb->lock);
	return ret;
}
