// SPDX-License-Identifier: GPL-2.0
/* The x86-64 syscall table and the dispatcher every guest syscall goes through. */
#include "shim.h"

static const lbx_sys_fn lbx_syscall_table[LBX_MAX_SYSCALL_NR] = {
#define LBX_IMPL(name) [LX_NR_##name] = lbx_sys_##name,
#include "syscall_impl.h"
#undef LBX_IMPL
};

static const char *const lbx_syscall_names[LBX_MAX_SYSCALL_NR] = {
#define X(nr, name) [nr] = #name,
	LBX_SYSCALL_NAME_LIST
#undef X
};

const char *lbx_linux_syscall_name(u64 nr)
{
	return nr < LBX_MAX_SYSCALL_NR ? lbx_syscall_names[nr] : NULL;
}

/* Unimplemented: -ENOSYS, counted, and logged once per sandbox per number. */
static long sys_enosys(struct lbx_sys *s, u64 nr)
{
	struct lbx_sandbox *sb = s->p->sb;
	const char *name = lbx_linux_syscall_name(nr);
	bool first = false;

	lbx_plat_mutex_lock(&sb->lock);
	sb->stats.enosys++;
	if (nr < LBX_MAX_SYSCALL_NR) {
		u64 bit = 1ULL << (nr % 64);

		first = !(sb->stats.enosys_seen[nr / 64] & bit);
		sb->stats.enosys_seen[nr / 64] |= bit;
	}
	lbx_plat_mutex_unlock(&sb->lock);
	if (first)
		lbx_info("sandbox %u: unimplemented syscall %llu (%s)", sb->id,
			 (unsigned long long)nr, name ? name : "unknown");
	return -ENOSYS;
}

/* Calls a direct entry cannot serve: they replace every register, or end
 * in a signal frame by design, or end the thread, whose stack (where the
 * direct entry's frame lies) another thread may unmap as soon as the exit
 * clears its CLONE_CHILD_CLEARTID word. They take the trapping path, whose
 * frame is on the stub's own stack, from the start. */
static bool needs_trap(u64 nr)
{
	return nr == LX_NR_rt_sigreturn || nr == LX_NR_execve ||
	       nr == LX_NR_execveat || nr == LX_NR_rt_sigsuspend ||
	       nr == LX_NR_pause || nr == LX_NR_exit || nr == LX_NR_exit_group;
}

/* Keeps a direct entry's exit work for the trapping path (LBX_RESUME_NR):
 * the stub's frame lies on the guest stack, where a signal frame would go. */
static void defer_exit(struct lbx_sys *s, long interrupted_nr)
{
	struct lbx_deferred *d = &s->t->deferred;

	d->valid = true;
	d->no_restart = s->no_restart;
	d->restart_block = s->restart_block;
	d->restore_sigmask = s->restore_sigmask;
	d->interrupted_nr = interrupted_nr;
	d->saved_sigmask = s->saved_sigmask;
	d->regs = *s->regs;
	s->regs->rax = LBX_RESUME_NR;
	s->res->flags = (s->res->flags & LBX_RES_SET_FS) | LBX_RES_TRAP;
}

/* LBX_RESUME_NR from the trap that follows a deferral: the deferred state
 * is the guest's, at the same instruction. */
static bool resume_deferred(struct lbx_sys *s)
{
	struct lbx_deferred *d = &s->t->deferred;

	if (!d->valid || d->regs.rip != s->regs->rip)
		return false;
	d->valid = false;
	*s->regs = d->regs;
	s->no_restart = d->no_restart;
	s->restart_block = d->restart_block;
	s->restore_sigmask = d->restore_sigmask;
	s->saved_sigmask = d->saved_sigmask;
	s->res->flags |= LBX_RES_ALL_REGS;
	lbx_linux_leave(s, d->interrupted_nr);
	return true;
}

static bool leave_has_work(struct lbx_sys *s, long interrupted_nr)
{
	return interrupted_nr >= 0 || s->restore_sigmask || lbx_signal_deliverable(s->t) ||
	       LBX_READ_ONCE(s->p->stopped);
}

void lbx_linux_syscall(struct lbx_thread *t, struct lbx_cpu_regs *regs,
		       struct lbx_resume *res, u32 flags)
{
	struct lbx_sys s = { .t = t, .p = t->proc, .regs = regs, .res = res };
	bool direct = flags & LBX_SYS_DIRECT;
	u64 nr = regs->rax;
	lbx_sys_fn fn = NULL;
	long ret, interrupted;

	memset(res, 0, sizeof(*res));
	if (LBX_READ_ONCE(s.p->exiting)) {
		/* An exited process has nothing left to serve a call with: it
		 * exits again, whatever its stub does with the first answer. */
		res->hostop = LBX_HOP_EXIT_GROUP;
		res->arg[0] = lbx_linux_exit_status(s.p);
		return;
	}
	if (direct && (needs_trap(nr) || LBX_READ_ONCE(t->exec_killed))) {
		res->flags = LBX_RES_TRAP;
		return;
	}
	t->resume = res;
	if (LBX_READ_ONCE(t->exec_killed)) {
		/* Another thread's execve: gone before any more guest code. */
		lbx_linux_thread_die(&s, 0);
		t->resume = NULL;
		return;
	}
	if (nr == LBX_RESUME_NR && !direct && resume_deferred(&s)) {
		t->resume = NULL;
		return;
	}
	/* Anything else drops a deferral: the guest moved on without it. */
	t->deferred.valid = false;
	__atomic_fetch_add(&s.p->sb->stats.syscalls, 1, __ATOMIC_RELAXED);
	if (direct)	/* a statistic: a lost count is fine, a locked add is not */
		LBX_WRITE_ONCE(s.p->sb->stats.direct, LBX_READ_ONCE(s.p->sb->stats.direct) + 1);
	else if (s.p->sb->direct_entry)
		lbx_linux_rewrite_lazy(&s);
	if (nr < LBX_MAX_SYSCALL_NR)
		fn = lbx_syscall_table[nr];
	if (fn)
		ret = fn(&s, regs->rdi, regs->rsi, regs->rdx, regs->r10,
			 regs->r8, regs->r9);
	else
		ret = sys_enosys(&s, nr);
	lbx_stats_syscall_done(s.p->sb, nr, ret, res->flags & LBX_RES_ALL_REGS);
	if (!(res->flags & LBX_RES_ALL_REGS))
		regs->rax = (u64)ret;
	if (res->hostop != LBX_HOP_EXIT_GROUP && res->hostop != LBX_HOP_EXIT_THREAD) {
		/* A due ITIMER_REAL fires on the way out (cheap when unarmed). */
		lbx_itimer_expire(t);
		interrupted = ret == -EINTR && !(res->flags & LBX_RES_ALL_REGS) &&
			      !s.eintr_result ? (long)nr : -1;
		if (!direct)
			lbx_linux_leave(&s, interrupted);
		else if ((res->flags & LBX_RES_ALL_REGS) || leave_has_work(&s, interrupted))
			defer_exit(&s, interrupted);
	}
	t->resume = NULL;
}

/*
 * On the way out of LiteBox: deliver a pending signal. A call interrupted
 * with nothing to deliver is restarted; pause and sigsuspend return -EINTR
 * once a signal is delivered.
 */
void lbx_linux_leave(struct lbx_sys *s, long interrupted_nr)
{
	struct lbx_thread *t = s->t;
	bool ready;

	/* A stopped process's threads sleep here until it continues. A
	 * host signal that ends the sleep early is handled by the stub,
	 * whose event entry parks again. */
	if (LBX_READ_ONCE(s->p->stopped) && lbx_linux_park(s) &&
	    s->res->hostop == LBX_HOP_EXIT_GROUP)
		return;
	/* Killed by another thread's execve (once any host operation of
	 * this entry is done: de_thread kicks it again). */
	if (LBX_READ_ONCE(t->exec_killed) && s->res->hostop == LBX_HOP_NONE) {
		lbx_linux_thread_die(s, 0);
		return;
	}
	ready = lbx_signal_deliverable(t);
	if (ready || interrupted_nr >= 0) {
		if (s->no_restart && ready)
			interrupted_nr = -1;	/* the -EINTR stays */
		lbx_linux_deliver_signal(s, interrupted_nr);
	}
	/*
	 * sigsuspend, ppoll, pselect6: without a handler frame to restore it
	 * (none was set up, or the call restarts, as after a host signal
	 * that was nothing to the guest), the caller's mask is back now, so
	 * that a restarted sigsuspend saves that mask and not its own.
	 */
	if (s->restore_sigmask) {
		s->restore_sigmask = false;
		lbx_signal_set_mask(t, s->saved_sigmask);
	}
}
