// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling and system information: sysinfo, getcpu, CPU affinity,
 * scheduling policies and priorities, nice values, membarrier.
 *
 * The host schedules the guest's threads; LiteBox presents one CPU (cpu 0,
 * node 0), the one /proc/cpuinfo and /proc/stat show. Nice values and the
 * non-real-time policies (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE) are
 * recorded per thread and reported back, not enforced; who may set them
 * follows Linux (setpriority below). Real-time scheduling is not
 * provided, even to a capable guest: SCHED_FIFO
 * and SCHED_RR fail with EPERM, as for a process without CAP_SYS_NICE and
 * with RLIMIT_RTPRIO 0; SCHED_DEADLINE with EINVAL (it needs
 * sched_setattr, which is not served).
 */
#include "shim.h"

#define LX_SCHED_OTHER		0
#define LX_SCHED_FIFO		1
#define LX_SCHED_RR		2
#define LX_SCHED_BATCH		3
#define LX_SCHED_IDLE		5
#define LX_SCHED_DEADLINE	6
#define LX_SCHED_RESET_ON_FORK	0x40000000
#define LX_MAX_RT_PRIO		100

#define LX_PRIO_PROCESS		0
#define LX_PRIO_PGRP		1
#define LX_PRIO_USER		2
#define LX_MIN_NICE		(-20)
#define LX_MAX_NICE		19
#define LX_RLIMIT_NICE		13

/* The CPUs LiteBox presents: cpu 0 only (nr_cpu_ids 1). */
#define NR_CPUS_SHOWN		1
/* Linux's cpumask_size() for that many CPUs: whole longs. */
#define CPUMASK_SIZE		8

void lbx_linux_sched_inherit(struct lbx_thread *child, const struct lbx_thread *parent)
{
	child->nice = parent->nice;
	child->sched_policy = parent->sched_policy;
	if (parent->sched_policy & LX_SCHED_RESET_ON_FORK) {
		/* Back to SCHED_OTHER and no better than nice 0. */
		child->sched_policy = LX_SCHED_OTHER;
		if (child->nice < 0)
			child->nice = 0;
	}
}

/* ---- sysinfo, getcpu ---- */

struct lx_sysinfo {
	s64 uptime;
	u64 loads[3];
	u64 totalram;
	u64 freeram;
	u64 sharedram;
	u64 bufferram;
	u64 totalswap;
	u64 freeswap;
	u16 procs;
	u16 pad;
	u32 pad2;
	u64 totalhigh;
	u64 freehigh;
	u32 mem_unit;
	u8 f[4];
};
_Static_assert(sizeof(struct lx_sysinfo) == 112, "struct sysinfo ABI");

/*
 * The figures /proc shows: memory is the sandbox's file-system memory (as
 * /proc/meminfo's MemTotal, MemFree and Shmem), procs the sandbox's tasks
 * (threads, as Linux counts, and as /proc/loadavg's), the load 0 (as
 * /proc/loadavg), the uptime the monotonic clock's (as /proc/uptime).
 */
LBX_SYSCALL(sysinfo)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_memacct *a = &sb->fs_mem;
	struct lx_sysinfo si;
	u64 now = lbx_plat_now_mono(), used = lbx_memacct_used(a);
	u32 threads;

	memset(&si, 0, sizeof(si));
	si.uptime = (s64)(now / LBX_NSEC_PER_SEC + (now % LBX_NSEC_PER_SEC ? 1 : 0));
	si.totalram = a->limit;
	si.freeram = a->limit > used ? a->limit - used : 0;
	si.sharedram = used;
	lbx_plat_mutex_lock(&sb->lock);
	threads = sb->nr_threads;
	lbx_plat_mutex_unlock(&sb->lock);
	si.procs = (u16)lbx_min(threads, 0xffffU);
	si.mem_unit = 1;
	return lbx_copy_to_guest(a0, &si, sizeof(si));
}

LBX_SYSCALL(getcpu)
{
	u32 zero = 0;

	/* a2 (struct getcpu_cache) is unused since Linux 2.6.24. */
	if (a0 && lbx_copy_to_guest(a0, &zero, sizeof(zero)))
		return -EFAULT;
	if (a1 && lbx_copy_to_guest(a1, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}

/* ---- finding the target thread ---- */

/* The thread tid of the sandbox (0: the caller), with a reference; pid < 0
 * is -EINVAL (-ESRCH for the affinity calls, which Linux does not check),
 * an unknown one -ESRCH. */
static long get_thread_neg(struct lbx_sys *s, s64 pid, struct lbx_thread **out,
			   long neg)
{
	s32 tid = (s32)pid;

	if (tid < 0)
		return neg;
	if (!tid || (u32)tid == s->t->tid) {
		lbx_thread_get(s->t);
		*out = s->t;
		return 0;
	}
	*out = lbx_thread_find(s->p->sb, (u32)tid);
	return *out ? 0 : -ESRCH;
}

static long get_thread(struct lbx_sys *s, s64 pid, struct lbx_thread **out)
{
	return get_thread_neg(s, pid, out, -EINVAL);
}

/* ---- affinity ---- */

LBX_SYSCALL(sched_getaffinity)
{
	u8 mask[CPUMASK_SIZE] = { 1 };	/* cpu 0 */
	struct lbx_thread *t;
	long ret;

	if (a1 * 8 < NR_CPUS_SHOWN || (a1 & (sizeof(u64) - 1)))
		return -EINVAL;
	ret = get_thread_neg(s, (s64)a0, &t, -ESRCH);
	if (ret)
		return ret;
	lbx_thread_put(t);
	if (lbx_copy_to_guest(a2, mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);	/* the bytes written: min(len, cpumask_size) */
}

LBX_SYSCALL(sched_setaffinity)
{
	u8 mask[CPUMASK_SIZE] = { 0 };
	struct lbx_thread *t;
	long ret;

	/* A shorter mask is zero-extended, a longer one cut to size. */
	if (lbx_copy_from_guest(mask, a2, lbx_min(a1, sizeof(mask))))
		return -EFAULT;
	ret = get_thread_neg(s, (s64)a0, &t, -ESRCH);
	if (ret)
		return ret;
	lbx_thread_put(t);
	/* Only CPUs that exist count: none of them is -EINVAL. */
	if (!(mask[0] & 1))
		return -EINVAL;
	return 0;
}

/* ---- policies ---- */

struct lx_sched_param {
	s32 sched_priority;
};

static bool rt_policy(u32 policy)
{
	return policy == LX_SCHED_FIFO || policy == LX_SCHED_RR;
}

static bool valid_policy(u32 policy)
{
	switch (policy) {
	case LX_SCHED_OTHER:
	case LX_SCHED_FIFO:
	case LX_SCHED_RR:
	case LX_SCHED_BATCH:
	case LX_SCHED_IDLE:
	case LX_SCHED_DEADLINE:
		return true;
	default:
		return false;
	}
}

/* Linux's __sched_setscheduler() checks, in its order; policy -1: keep
 * t's (sched_setparam). */
static long set_sched(struct lbx_thread *t, s32 policy, s32 prio)
{
	u32 reset = LBX_READ_ONCE(t->sched_policy) & LX_SCHED_RESET_ON_FORK;
	u32 pol;

	if (policy < 0) {
		pol = LBX_READ_ONCE(t->sched_policy) & ~LX_SCHED_RESET_ON_FORK;
	} else {
		reset = (u32)policy & LX_SCHED_RESET_ON_FORK;
		pol = (u32)policy & ~LX_SCHED_RESET_ON_FORK;
		if (!valid_policy(pol))
			return -EINVAL;
	}
	if (prio < 0 || prio > LX_MAX_RT_PRIO - 1)
		return -EINVAL;
	if (pol == LX_SCHED_DEADLINE || rt_policy(pol) != (prio != 0))
		return -EINVAL;
	if (rt_policy(pol))
		return -EPERM;	/* real-time scheduling is not provided */
	LBX_WRITE_ONCE(t->sched_policy, pol | reset);
	return 0;
}

static long setscheduler(struct lbx_sys *s, s64 pid, s32 policy, u64 uparam)
{
	struct lx_sched_param param;
	struct lbx_thread *t;
	long ret;

	if (!uparam || (s32)pid < 0)
		return -EINVAL;
	if (lbx_copy_from_guest(&param, uparam, sizeof(param)))
		return -EFAULT;
	ret = get_thread(s, pid, &t);
	if (ret)
		return ret;
	ret = set_sched(t, policy, param.sched_priority);
	lbx_thread_put(t);
	return ret;
}

LBX_SYSCALL(sched_setscheduler)
{
	if ((s32)a1 < 0)
		return -EINVAL;
	return setscheduler(s, (s64)a0, (s32)a1, a2);
}

LBX_SYSCALL(sched_setparam)
{
	return setscheduler(s, (s64)a0, -1, a1);
}

LBX_SYSCALL(sched_getscheduler)
{
	struct lbx_thread *t;
	long ret;

	ret = get_thread(s, (s64)a0, &t);
	if (ret)
		return ret;
	ret = LBX_READ_ONCE(t->sched_policy);
	lbx_thread_put(t);
	return ret;
}

LBX_SYSCALL(sched_getparam)
{
	struct lx_sched_param param = { 0 };	/* no real-time priority */
	struct lbx_thread *t;
	long ret;

	if (!a1 || (s32)a0 < 0)
		return -EINVAL;
	ret = get_thread(s, (s64)a0, &t);
	if (ret)
		return ret;
	lbx_thread_put(t);
	return lbx_copy_to_guest(a1, &param, sizeof(param));
}

LBX_SYSCALL(sched_get_priority_max)
{
	switch ((s32)a0) {
	case LX_SCHED_FIFO:
	case LX_SCHED_RR:
		return LX_MAX_RT_PRIO - 1;
	case LX_SCHED_OTHER:
	case LX_SCHED_BATCH:
	case LX_SCHED_IDLE:
	case LX_SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

LBX_SYSCALL(sched_get_priority_min)
{
	switch ((s32)a0) {
	case LX_SCHED_FIFO:
	case LX_SCHED_RR:
		return 1;
	case LX_SCHED_OTHER:
	case LX_SCHED_BATCH:
	case LX_SCHED_IDLE:
	case LX_SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* The time slice: none for the policies LiteBox has but SCHED_OTHER's
 * nominal one (CFS reports its slice; 4 ms, one tick at HZ=250). */
LBX_SYSCALL(sched_rr_get_interval)
{
	struct { s64 tv_sec; s64 tv_nsec; } ts = { 0, 4000000 };
	struct lbx_thread *t;
	long ret;

	ret = get_thread(s, (s64)a0, &t);
	if (ret)
		return ret;
	if ((LBX_READ_ONCE(t->sched_policy) & ~LX_SCHED_RESET_ON_FORK) != LX_SCHED_OTHER)
		ts.tv_nsec = 0;
	lbx_thread_put(t);
	return lbx_copy_to_guest(a1, &ts, sizeof(ts));
}

/* ---- nice values ---- */

/*
 * Calls fn on each thread that (which, who) names, under sb->lock; returns
 * how many. PRIO_PROCESS names one thread (Linux's per-thread nice),
 * PRIO_PGRP the threads of a process group, PRIO_USER the threads whose
 * real uid is who (0: the caller's process group, real uid).
 */
static long for_each_prio_target(struct lbx_sys *s, u32 which, s32 who,
				 void (*fn)(struct lbx_thread *t, void *arg), void *arg)
{
	struct lbx_sandbox *sb = s->p->sb;
	struct lbx_list_head *pp, *tp;
	long n = 0;

	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pp, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pp, struct lbx_process, sb_node);
		bool proc_match;

		if (p->exiting)
			continue;
		switch (which) {
		case LX_PRIO_PGRP:
			proc_match = p->pgid == (who ? (u32)who : s->p->pgid);
			break;
		default:
			proc_match = true;
			break;
		}
		if (!proc_match)
			continue;
		lbx_list_for_each(tp, &p->threads) {
			struct lbx_thread *t = lbx_list_entry(tp, struct lbx_thread, proc_node);

			if (which == LX_PRIO_PROCESS && t->tid != (who ? (u32)who : s->t->tid))
				continue;
			if (which == LX_PRIO_USER &&
			    t->cred.uid != (who ? (u32)who : s->t->cred.uid))
				continue;
			fn(t, arg);
			n++;
		}
	}
	lbx_plat_mutex_unlock(&sb->lock);
	return n;
}

static void best_nice(struct lbx_thread *t, void *arg)
{
	s32 *best = arg;

	if (t->nice < *best)
		*best = t->nice;
}

struct nice_set {
	s32 nice;
	const struct lbx_cred *cred;	/* the caller's */
	long error;			/* -ESRCH until a target is set */
};

/*
 * Linux's set_one_prio(): the caller's effective uid must be the target's
 * real or effective uid (EPERM), and lowering the nice value needs
 * 20 - nice within the target's RLIMIT_NICE (EACCES), unless the caller is
 * capable (CAP_SYS_NICE). A failure is remembered; a later success does
 * not clear it.
 */
static void set_nice(struct lbx_thread *t, void *arg)
{
	struct nice_set *ns = arg;
	const struct lbx_cred *tc = &t->cred;
	bool capable = lbx_cred_capable(ns->cred);

	if (tc->uid != ns->cred->euid && tc->euid != ns->cred->euid && !capable) {
		ns->error = -EPERM;
		return;
	}
	if (ns->nice < t->nice && !capable &&
	    (u64)(20 - ns->nice) > t->proc->rlim[LX_RLIMIT_NICE].cur) {
		ns->error = -EACCES;
		return;
	}
	if (ns->error == -ESRCH)
		ns->error = 0;
	t->nice = ns->nice;
}

static long prio_check(u64 which, u64 who)
{
	if (which > LX_PRIO_USER)
		return -EINVAL;
	if ((s32)who < 0)
		return -ESRCH;	/* no such id */
	return 0;
}

/* getpriority(2): 20 - nice of the best (lowest-nice) target, in 1..40. */
LBX_SYSCALL(getpriority)
{
	s32 best = LX_MAX_NICE + 1;
	long ret = prio_check(a0, a1);

	if (ret)
		return ret;
	if (!for_each_prio_target(s, (u32)a0, (s32)a1, best_nice, &best))
		return -ESRCH;
	return 20 - best;
}

/* setpriority(2): recorded (not enforced), with Linux's permission checks;
 * the value is clamped to -20..19. */
LBX_SYSCALL(setpriority)
{
	struct nice_set ns = { .nice = (s32)a2, .error = -ESRCH };
	long ret = prio_check(a0, a1);

	if (ret)
		return ret;
	if (ns.nice < LX_MIN_NICE)
		ns.nice = LX_MIN_NICE;
	if (ns.nice > LX_MAX_NICE)
		ns.nice = LX_MAX_NICE;
	/* Read under sb->lock, where for_each_prio_target() calls set_nice. */
	ns.cred = &s->t->cred;
	for_each_prio_target(s, (u32)a0, (s32)a1, set_nice, &ns);
	return ns.error;
}

/* ---- membarrier ---- */

#define LX_MEMBARRIER_CMD_QUERY				0
#define LX_MEMBARRIER_CMD_GLOBAL			(1 << 0)
#define LX_MEMBARRIER_CMD_GLOBAL_EXPEDITED		(1 << 1)
#define LX_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED	(1 << 2)
#define LX_MEMBARRIER_CMD_PRIVATE_EXPEDITED		(1 << 3)
#define LX_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED	(1 << 4)

/*
 * The commands LiteBox honours: each barrier is a grace period on the host
 * (lbx_plat_membarrier()), after which every CPU running any of the
 * sandbox's threads has executed a full barrier: what GLOBAL promises,
 * and more than the expedited ones need. Not offered: the SYNC_CORE
 * commands (returning to a thread through sysret does not serialize its
 * core) and the RSEQ ones (no rseq).
 */
#define LX_MEMBARRIER_SUPPORTED						\
	(LX_MEMBARRIER_CMD_GLOBAL | LX_MEMBARRIER_CMD_GLOBAL_EXPEDITED |	\
	 LX_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |				\
	 LX_MEMBARRIER_CMD_PRIVATE_EXPEDITED |					\
	 LX_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)

LBX_SYSCALL(membarrier)
{
	struct lbx_process *p = s->p;
	u32 reg;

	if (a1)
		return -EINVAL;	/* flags: only MEMBARRIER_CMD_FLAG_CPU, for RSEQ */
	switch (a0) {
	case LX_MEMBARRIER_CMD_QUERY:
		return LX_MEMBARRIER_SUPPORTED;
	case LX_MEMBARRIER_CMD_GLOBAL:
		return lbx_plat_membarrier(false);
	case LX_MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		/* Only registered processes need to be reached: none is
		 * fine too (Linux returns 0 without any). */
		return lbx_plat_membarrier(true);
	case LX_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
	case LX_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		lbx_plat_mutex_lock(&p->sb->lock);
		p->membarrier_reg |= (u32)a0;
		lbx_plat_mutex_unlock(&p->sb->lock);
		return 0;
	case LX_MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		reg = LBX_READ_ONCE(p->membarrier_reg);
		if (!(reg & LX_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
			return -EPERM;
		return lbx_plat_membarrier(true);
	default:
		return -EINVAL;
	}
}
