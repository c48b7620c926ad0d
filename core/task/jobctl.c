// SPDX-License-Identifier: GPL-2.0
/*
 * Job control: the group stop that SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU
 * start by their default action, and SIGCONT, as Linux's do_signal_stop(),
 * prepare_signal() and do_notify_parent_cldstop().
 *
 * A stop is decided by the thread that dequeues the stop signal: it marks
 * the process stopped and pulls every other thread out of guest code and
 * out of its waits. Each thread then parks on its way out of LiteBox
 * (lbx_jobctl_park(): a sleep in the kernel, no CPU), and the last one to
 * park tells the parent (SIGCHLD with CLD_STOPPED unless SA_NOCLDSTOP, and
 * a report for wait4's WUNTRACED). A SIGCONT continues the process at the
 * moment it is sent, whatever its disposition (a handler, if any, runs
 * once the threads are back), and tells the parent (CLD_CONTINUED). SIGKILL,
 * the process's exit, another thread's execve (which kills this one) and
 * the sandbox's end also end the parking.
 *
 * Orphaned process groups (POSIX), as Linux's will_become_orphaned_pgrp():
 * a group is orphaned when no live member has a parent in another group of
 * the same session. SIGTSTP, SIGTTIN and SIGTTOU are then discarded by
 * their default action (lbx_jobctl_pgrp_orphaned(), at the dequeue); and
 * a group that an exit orphans while a member is stopped gets SIGHUP, then
 * SIGCONT (Linux's kill_orphaned_pgrp()). The sandbox's first process has
 * no parent in the sandbox: its starter (a shell that runs lbx-launch as a
 * job) counts as a parent in another group of its session, so its group
 * is not orphaned while it lives.
 */
#include <litebox/task.h>
#include <litebox/waitqueue.h>

#define SIGBIT(n)		(1ULL << ((n) - 1))
#define LX_SIGHUP		1
#define LX_SIGKILL		9
#define LX_SI_KERNEL		0x80
#define LX_SIGCHLD		17
#define LX_SIGCONT		18
#define LX_SA_NOCLDSTOP		0x00000001
/* SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU */
#define STOP_SIGS		(SIGBIT(19) | SIGBIT(20) | SIGBIT(21) | SIGBIT(22))

static bool is_stop_sig(u32 sig)
{
	return sig >= 1 && sig <= LBX_NSIG && (STOP_SIGS & SIGBIT(sig));
}

void lbx_jobctl_notify_parent(struct lbx_process *p, int why, u32 sig)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_process *parent = lbx_process_parent_get(p);

	if (parent) {
		bool nocldstop;

		lbx_plat_mutex_lock(&sb->lock);
		nocldstop = parent->sigactions[LX_SIGCHLD - 1].flags & LX_SA_NOCLDSTOP;
		lbx_plat_mutex_unlock(&sb->lock);
		if (!nocldstop) {
			struct lbx_siginfo info = {
				.signo = LX_SIGCHLD,
				.code = why,
				.pid = (s32)p->pid,
				.uid = p->cred.uid,
				.status = (s32)sig,
			};

			lbx_signal_process(parent, &info);
		}
		lbx_process_put(parent);
	}
	/* A waiter with WUNTRACED or WCONTINUED looks again. */
	lbx_plat_mutex_lock(&sb->lock);
	__atomic_fetch_add(&sb->child_events, 1, __ATOMIC_RELEASE);
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_wake_up_all(&sb->child_wq);
}

bool lbx_jobctl_stop_complete_locked(struct lbx_process *p, u32 *sig)
{
	if (!p->stopped || p->stop_notified || p->exiting ||
	    p->nr_parked < p->nr_threads)
		return false;
	p->stop_notified = true;
	p->wait_report = LBX_WAIT_REPORT_STOPPED;
	*sig = p->stop_sig;
	return true;
}

void lbx_jobctl_prepare(struct lbx_process *p, u32 sig)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_list_head *pos;
	bool woke = false, told = false;

	if (sig != LX_SIGCONT && !is_stop_sig(sig))
		return;
	lbx_plat_mutex_lock(&sb->lock);
	if (p->exiting) {
		lbx_plat_mutex_unlock(&sb->lock);
		return;
	}
	/* A stop discards a pending SIGCONT, and SIGCONT pending stops. */
	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		t->sigpending &= sig == LX_SIGCONT ? ~STOP_SIGS : ~SIGBIT(LX_SIGCONT);
	}
	if (sig == LX_SIGCONT)
		p->cont_seq++;
	if (sig == LX_SIGCONT && p->stopped) {
		p->stopped = false;
		woke = true;
		/* A stop the parent was told of: now it learns of the end. */
		if (p->stop_notified) {
			p->wait_report = LBX_WAIT_REPORT_CONTINUED;
			told = true;
		}
		p->stop_notified = false;
	}
	lbx_plat_mutex_unlock(&sb->lock);
	if (woke)
		lbx_wake_up_all(&p->stop_wq);
	if (told)
		lbx_jobctl_notify_parent(p, LBX_CLD_CONTINUED, LX_SIGCONT);
}

void lbx_jobctl_stop(struct lbx_thread *self, u32 sig, u32 cont_seq)
{
	struct lbx_process *p = self->proc;
	struct lbx_sandbox *sb = p->sb;
	struct lbx_list_head *pos;

	lbx_plat_mutex_lock(&sb->lock);
	if (!p->exiting && !p->stopped && p->cont_seq == cont_seq) {
		p->stopped = true;
		p->stop_sig = sig;
		p->stop_notified = false;
		/* Everybody else out of guest code and waits, to park. */
		lbx_list_for_each(pos, &p->threads) {
			struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread,
							      proc_node);

			if (t == self)
				continue;
			lbx_thread_interrupt(t);
			lbx_plat_thread_kick(t);
		}
	}
	lbx_plat_mutex_unlock(&sb->lock);
}

/* Whether a parked thread may go (read without the lock: a hint the waker
 * changed before waking). */
static bool park_over(struct lbx_thread *t)
{
	struct lbx_process *p = t->proc;

	return !LBX_READ_ONCE(p->stopped) || LBX_READ_ONCE(p->exiting) ||
	       LBX_READ_ONCE(p->sb->dying) || LBX_READ_ONCE(t->exec_killed) ||
	       (LBX_READ_ONCE(t->sigpending) & SIGBIT(LX_SIGKILL));
}

int lbx_jobctl_park(struct lbx_thread *self)
{
	struct lbx_process *p = self->proc;
	struct lbx_sandbox *sb = p->sb;
	bool notify;
	u32 sig = 0;
	int ret;

	if (!LBX_READ_ONCE(p->stopped))
		return 0;
	lbx_plat_mutex_lock(&sb->lock);
	if (park_over(self)) {
		lbx_plat_mutex_unlock(&sb->lock);
		return 0;
	}
	p->nr_parked++;
	notify = lbx_jobctl_stop_complete_locked(p, &sig);
	lbx_plat_mutex_unlock(&sb->lock);
	if (notify)
		lbx_jobctl_notify_parent(p, LBX_CLD_STOPPED, sig);
	/*
	 * Not the thread's interruptible sleep: a guest signal sent now stays
	 * pending until the process continues. Only a host signal ends the
	 * sleep early (-EINTR): the entry returns to the stub, which handles
	 * it and parks again with its next entry.
	 */
	ret = lbx_wait_event(&p->stop_wq, park_over(self), LBX_NO_DEADLINE, NULL,
			     LBX_WQ_INTERRUPTIBLE);
	lbx_plat_mutex_lock(&sb->lock);
	p->nr_parked--;
	/* The stop's own interruption, when no signal is left to deliver. */
	if (!(self->sigpending & ~(self->sigmask & ~LBX_SIG_UNBLOCKABLE)))
		lbx_thread_clear_interrupt(self);
	lbx_plat_mutex_unlock(&sb->lock);
	return ret;
}

void lbx_jobctl_wake(struct lbx_process *p)
{
	lbx_wake_up_all(&p->stop_wq);
}

/* ---- orphaned process groups ---- */

/* Under sb->lock: q's parent, if it is alive. */
static struct lbx_process *live_parent_locked(struct lbx_sandbox *sb,
					      const struct lbx_process *q)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *pp = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (pp->pid == q->ppid && pp != q && !pp->exiting)
			return pp;
	}
	return NULL;
}

/*
 * Under sb->lock: whether group pgid is orphaned, or is once `ignored`
 * (NULL: none) is gone: no live member other than `ignored` has a parent
 * in another group of its session.
 */
static bool pgrp_orphaned_locked(struct lbx_sandbox *sb, u32 pgid,
				 const struct lbx_process *ignored)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *q = lbx_list_entry(pos, struct lbx_process, sb_node);
		struct lbx_process *pp;

		if (q->pgid != pgid || q == ignored || q->exiting)
			continue;
		if (!q->ppid)
			return false;	/* the first process: see the top */
		pp = live_parent_locked(sb, q);
		if (pp && pp->pgid != pgid && pp->sid == q->sid)
			return false;
	}
	return true;
}

/* Under sb->lock: a live member of group pgid is stopped. */
static bool pgrp_has_stopped_locked(struct lbx_sandbox *sb, u32 pgid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *q = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (q->pgid == pgid && !q->exiting && q->stopped)
			return true;
	}
	return false;
}

bool lbx_jobctl_pgrp_orphaned(struct lbx_process *p)
{
	struct lbx_sandbox *sb = p->sb;
	bool orphaned;

	lbx_plat_mutex_lock(&sb->lock);
	orphaned = pgrp_orphaned_locked(sb, p->pgid, NULL);
	lbx_plat_mutex_unlock(&sb->lock);
	return orphaned;
}

/*
 * Under sb->lock: parent is (or was, for a child being reparented) q's
 * parent; if that link was q's group's last one to its session and the
 * group has a stopped member, marks every live member for
 * lbx_jobctl_orphan_hangup().
 */
static void orphan_check_locked(struct lbx_sandbox *sb, const struct lbx_process *q,
				const struct lbx_process *parent,
				const struct lbx_process *ignored)
{
	struct lbx_list_head *pos;

	if (!parent || parent->pgid == q->pgid || parent->sid != q->sid ||
	    !pgrp_orphaned_locked(sb, q->pgid, ignored) ||
	    !pgrp_has_stopped_locked(sb, q->pgid))
		return;
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *m = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (m->pgid == q->pgid && !m->exiting)
			m->orphan_hup = true;
	}
}

void lbx_jobctl_exit_orphans_locked(struct lbx_process *p)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_list_head *pos;

	/* p's children, reparented already: p was their link. */
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (c->reparented) {
			c->reparented = false;
			if (!c->exiting)
				orphan_check_locked(sb, c, p, NULL);
		}
	}
	/* p's own group: p may have been its link to the session. */
	orphan_check_locked(sb, p, live_parent_locked(sb, p), p);
}

void lbx_jobctl_orphan_hangup(struct lbx_sandbox *sb)
{
	static const u32 sigs[] = { LX_SIGHUP, LX_SIGCONT };

	for (;;) {
		struct lbx_process *victim = NULL;
		struct lbx_list_head *pos;
		u32 i;

		lbx_plat_mutex_lock(&sb->lock);
		lbx_list_for_each(pos, &sb->procs) {
			struct lbx_process *m = lbx_list_entry(pos, struct lbx_process, sb_node);

			if (m->orphan_hup) {
				m->orphan_hup = false;
				if (!m->exiting) {
					lbx_process_get(m);
					victim = m;
					break;
				}
			}
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (!victim)
			return;
		for (i = 0; i < LBX_ARRAY_SIZE(sigs); i++) {
			struct lbx_siginfo info = {
				.signo = (s32)sigs[i],
				.code = LX_SI_KERNEL,	/* Linux's SEND_SIG_PRIV */
			};

			lbx_signal_process(victim, &info);
		}
		lbx_process_put(victim);
	}
}
