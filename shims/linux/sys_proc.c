// SPDX-License-Identifier: GPL-2.0
/* Process identity and lifetime, arch_prctl, uname, rlimits, getrandom. */
#include <litebox/futex.h>
#include "shim.h"

#define LX_ARCH_SET_GS	0x1001
#define LX_ARCH_SET_FS	0x1002
#define LX_ARCH_GET_FS	0x1003
#define LX_ARCH_GET_GS	0x1004

#define LX_RLIMIT_NPROC	6
#define LX_RLIMIT_NOFILE	7
#define LX_RLIMIT_NICE	13

#define LX_GRND_NONBLOCK	0x1
#define LX_GRND_RANDOM	0x2
#define LX_GRND_INSECURE	0x4

u32 lbx_linux_exit_status(struct lbx_process *p)
{
	int st;

	lbx_plat_mutex_lock(&p->sb->lock);
	st = p->exit_code;
	lbx_plat_mutex_unlock(&p->sb->lock);
	return st & 0x7f ? 128 + (st & 0x7f) : (st >> 8) & 0xff;
}

/*
 * The other threads go first (none may still be inside LiteBox when the
 * process's memory map, descriptors and fs context are released), unless
 * another thread is ending the process already: then this one just dies.
 */
static long do_exit_group(struct lbx_sys *s, int code)
{
	switch (lbx_process_zap_others(s->t)) {
	case LBX_ZAP_KILLED:
		lbx_linux_thread_die(s, 0);
		return 0;
	case LBX_ZAP_HOST_DEATH:
		/* The host-death path exits the process. */
		s->res->hostop = LBX_HOP_EXIT_GROUP;
		s->res->arg[0] = code & 0xff;
		return 0;
	case LBX_ZAP_ALONE:
		lbx_linux_robust_exit_all(s->t);
		lbx_linux_record_usage(s->p);
		/* A process another thread already ended keeps that status. */
		lbx_process_exit(s->p, (code & 0xff) << 8);
		break;
	}
	s->res->hostop = LBX_HOP_EXIT_GROUP;
	s->res->arg[0] = lbx_linux_exit_status(s->p);
	return 0;
}

LBX_SYSCALL(exit_group)
{
	return do_exit_group(s, (int)a0);
}

void lbx_linux_thread_die(struct lbx_sys *s, int code)
{
	struct lbx_thread *t = s->t;
	u32 zero = 0;

	/* The robust list first, then the tid word, as Linux's mm_release. */
	lbx_linux_robust_exit(t);
	/* CLONE_CHILD_CLEARTID: what pthread_join waits on. A shared wake,
	 * as Linux's (the word may be in shared memory). */
	if (t->clear_child_tid &&
	    !lbx_copy_to_guest(t->clear_child_tid, &zero, sizeof(zero))) {
		struct lbx_futex_key k;

		lbx_linux_futex_key(s->p, t->clear_child_tid, false, &k);
		lbx_futex_wake_key(s->p->sb->futex, &k, 1, LBX_FUTEX_BITSET_ANY);
	}
	lbx_thread_exit(t);
	s->res->hostop = LBX_HOP_EXIT_THREAD;
	s->res->arg[0] = code & 0xff;
}

LBX_SYSCALL(exit)
{
	/* The last thread's exit is the process's. */
	if (s->p->nr_threads <= 1)
		return do_exit_group(s, (int)a0);
	lbx_linux_thread_die(s, (int)a0);
	return 0;
}

LBX_SYSCALL(getpid)
{
	return s->p->pid;
}

LBX_SYSCALL(getppid)
{
	return s->p->ppid;
}

LBX_SYSCALL(gettid)
{
	return s->t->tid;
}

static bool canonical_user(u64 addr)
{
	return addr < 0x800000000000ULL;
}

LBX_SYSCALL(arch_prctl)
{
	struct lbx_thread *t = s->t;

	switch (a0) {
	case LX_ARCH_SET_FS:
		if (!canonical_user(a1))
			return -EPERM;
		t->fs_base = a1;
		s->regs->fs_base = a1;
		s->res->flags |= LBX_RES_SET_FS;
		return 0;
	case LX_ARCH_GET_FS:
		return lbx_copy_to_guest(a1, &t->fs_base, sizeof(t->fs_base));
	case LX_ARCH_SET_GS:
	case LX_ARCH_GET_GS:
		/* GS belongs to LiteBox's stub. */
		return -EPERM;
	default:
		return -EINVAL;
	}
}

LBX_SYSCALL(set_tid_address)
{
	s->t->clear_child_tid = a0;
	return s->t->tid;
}

struct lx_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

LBX_SYSCALL(uname)
{
	struct lx_utsname *u;
	int ret;

	u = lbx_plat_alloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	/* "Linux" is what programs test for; the rest names LiteBox. */
	lbx_strscpy(u->sysname, "Linux", sizeof(u->sysname));
	lbx_strscpy(u->nodename, "litebox", sizeof(u->nodename));
	lbx_strscpy(u->release, "6.1.0-litebox", sizeof(u->release));
	lbx_strscpy(u->version, "#1 SMP LiteBox", sizeof(u->version));
	lbx_strscpy(u->machine, "x86_64", sizeof(u->machine));
	lbx_strscpy(u->domainname, "(none)", sizeof(u->domainname));
	ret = lbx_copy_to_guest(a0, u, sizeof(*u));
	lbx_plat_free(u);
	return ret;
}

struct lx_rlimit {
	u64 cur;
	u64 max;
};

static long do_prlimit(struct lbx_sys *s, u32 res, u64 new_ptr, u64 old_ptr)
{
	struct lbx_process *p = s->p;
	struct lx_rlimit nv, ov;
	int ret = 0;

	if (res >= LBX_RLIM_NLIMITS)
		return -EINVAL;
	if (new_ptr) {
		ret = lbx_copy_from_guest(&nv, new_ptr, sizeof(nv));
		if (ret)
			return ret;
		if (nv.cur > nv.max)
			return -EINVAL;
		if (res == LX_RLIMIT_NOFILE && nv.max > p->sb->limits.max_fds)
			return -EPERM;
		/* The queue of real-time signals has a hard bound. */
		if (res == LBX_RLIMIT_SIGPENDING && nv.max > LBX_SIGQUEUE_MAX)
			return -EPERM;
	}
	lbx_plat_mutex_lock(&p->sb->lock);
	ov.cur = p->rlim[res].cur;
	ov.max = p->rlim[res].max;
	/* Raising a hard limit needs CAP_SYS_RESOURCE, as Linux. */
	if (new_ptr && nv.max > ov.max && !lbx_cred_capable(&s->t->cred))
		ret = -EPERM;
	else if (new_ptr) {
		p->rlim[res].cur = nv.cur;
		p->rlim[res].max = nv.max;
	}
	lbx_plat_mutex_unlock(&p->sb->lock);
	if (ret)
		return ret;
	if (old_ptr)
		ret = lbx_copy_to_guest(old_ptr, &ov, sizeof(ov));
	return ret;
}

LBX_SYSCALL(prlimit64)
{
	if (a0 && (u32)a0 != s->p->pid)
		return -ESRCH;
	return do_prlimit(s, (u32)a1, a2, a3);
}

LBX_SYSCALL(getrlimit)
{
	return do_prlimit(s, (u32)a0, 0, a1);
}

void lbx_linux_rlimits_init(struct lbx_process *p)
{
	int i;

	for (i = 0; i < LBX_RLIM_NLIMITS; i++) {
		p->rlim[i].cur = LBX_RLIM_INFINITY;
		p->rlim[i].max = LBX_RLIM_INFINITY;
	}
	p->rlim[LX_RLIMIT_STACK].cur = 8ULL << 20;
	/* As Linux's init: only a capable process may lower its nice value. */
	p->rlim[LX_RLIMIT_NICE].cur = 0;
	p->rlim[LX_RLIMIT_NICE].max = 0;
	p->rlim[LX_RLIMIT_NOFILE].cur = p->sb->limits.max_fds;
	p->rlim[LX_RLIMIT_NOFILE].max = p->sb->limits.max_fds;
	p->rlim[LX_RLIMIT_NPROC].cur = p->sb->limits.max_procs;
	p->rlim[LX_RLIMIT_NPROC].max = p->sb->limits.max_procs;
	p->rlim[LBX_RLIMIT_SIGPENDING].cur = LBX_SIGQUEUE_MAX;
	p->rlim[LBX_RLIMIT_SIGPENDING].max = LBX_SIGQUEUE_MAX;
}

LBX_SYSCALL(sched_yield)
{
	return 0;
}

LBX_SYSCALL(getrandom)
{
	u8 buf[256];
	u64 done = 0, len = a1;

	if (a2 & ~(u64)(LX_GRND_NONBLOCK | LX_GRND_RANDOM | LX_GRND_INSECURE))
		return -EINVAL;
	if ((a2 & LX_GRND_INSECURE) && (a2 & LX_GRND_RANDOM))
		return -EINVAL;
	if (len > 0x1ffffff)	/* Linux caps one call at 32 MiB - 1 */
		len = 0x1ffffff;
	while (done < len) {
		size_t n = lbx_min(len - done, (u64)sizeof(buf));

		lbx_plat_random(buf, n);
		if (lbx_copy_to_guest(a0 + done, buf, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	memset(buf, 0, sizeof(buf));
	return done;
}
