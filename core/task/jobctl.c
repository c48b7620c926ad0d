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
 */
#include <litebox/task.h>
#include <litebox/waitqueue.h>

#define SIGBIT(n)		(1ULL << ((n) - 1))
#define LX_SIGKILL		9
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
