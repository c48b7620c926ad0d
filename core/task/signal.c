// SPDX-License-Identifier: GPL-2.0
/*
 * Sending signals between a sandbox's threads and processes: dispositions
 * that discard a signal at once, pending sets, and waking the target. What a
 * delivered signal does to the target's registers is the shim's business.
 */
#include <litebox/task.h>
#include <litebox/waitqueue.h>

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define LX_SIG_DFL	0
#define LX_SIG_IGN	1
#define LX_SIGKILL	9
#define LX_SIGSTOP	19
#define LX_SIGALRM	14
#define LX_SI_KERNEL	0x80

int lbx_signal_default_action(u32 sig)
{
	switch (sig) {
	case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24: case 25: case 31:
		return LBX_SIGDFL_CORE;	/* QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS */
	case 17: case 23: case 28:
		return LBX_SIGDFL_IGN;	/* CHLD URG WINCH */
	case 18:
		return LBX_SIGDFL_CONT;
	case 19: case 20: case 21: case 22:
		return LBX_SIGDFL_STOP;
	default:
		return LBX_SIGDFL_TERM;
	}
}

bool lbx_signal_ignored(struct lbx_process *p, u32 sig)
{
	u64 h = p->sigactions[sig - 1].handler;
	int d;

	if (sig == LX_SIGKILL || sig == LX_SIGSTOP)
		return false;
	if (h == LX_SIG_IGN)
		return true;
	d = lbx_signal_default_action(sig);
	return h == LX_SIG_DFL && (d == LBX_SIGDFL_IGN || d == LBX_SIGDFL_CONT);
}

void lbx_signal_queue(struct lbx_thread *t, const struct lbx_siginfo *info)
{
	struct lbx_sandbox *sb = t->proc->sb;
	u32 sig = (u32)info->signo;
	bool wake;

	lbx_plat_mutex_lock(&sb->lock);
	/* Standard signals do not queue: a second one merges into the first. */
	if (!(t->sigpending & SIGBIT(sig)))
		t->siginfo[sig - 1] = *info;
	t->sigpending |= SIGBIT(sig);
	wake = !(t->sigmask & SIGBIT(sig)) || sig == LX_SIGKILL;
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_wake_up_key(&sb->sig_wq, -1, 0x1 /* LX_POLLIN */);
	if (!wake)
		return;
	/* Out of any LiteBox wait, and out of guest code. */
	lbx_thread_interrupt(t);
	if (t != lbx_plat_current())
		lbx_plat_thread_kick(t);
}

bool lbx_signal_set_mask(struct lbx_thread *t, u64 mask)
{
	struct lbx_sandbox *sb = t->proc->sb;
	bool ready;

	lbx_plat_mutex_lock(&sb->lock);
	t->sigmask = mask & ~LBX_SIG_UNBLOCKABLE;
	ready = t->sigpending & ~t->sigmask;
	if (ready)
		__atomic_store_n(&t->interrupt, 1, __ATOMIC_SEQ_CST);
	lbx_plat_mutex_unlock(&sb->lock);
	return ready;
}

bool lbx_signal_ready(struct lbx_thread *t)
{
	struct lbx_sandbox *sb = t->proc->sb;
	bool ready;

	lbx_plat_mutex_lock(&sb->lock);
	ready = t->sigpending & ~(t->sigmask & ~LBX_SIG_UNBLOCKABLE);
	lbx_plat_mutex_unlock(&sb->lock);
	return ready;
}

int lbx_signal_process(struct lbx_process *p, const struct lbx_siginfo *info)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_thread *t = NULL;

	if (!info->signo || lbx_signal_ignored(p, (u32)info->signo))
		return 0;
	lbx_plat_mutex_lock(&sb->lock);
	if (!p->exiting && !lbx_list_empty(&p->threads)) {
		t = lbx_list_entry(p->threads.next, struct lbx_thread, proc_node);
		lbx_thread_get(t);
	}
	lbx_plat_mutex_unlock(&sb->lock);
	if (!t)
		return 0;	/* a zombie: signals are discarded */
	lbx_signal_queue(t, info);
	lbx_thread_put(t);
	return 0;
}

/* ---- ITIMER_REAL ---- */

void lbx_itimer_real_set(struct lbx_process *p, u64 value, u64 interval,
			 u64 *old_value, u64 *old_interval)
{
	struct lbx_sandbox *sb = p->sb;
	u64 now = lbx_plat_now_mono(), exp;

	lbx_plat_mutex_lock(&sb->lock);
	exp = p->itimer_real_expires;
	if (old_value)
		*old_value = exp > now ? exp - now : exp ? 1 : 0;
	if (old_interval)
		*old_interval = p->itimer_real_interval;
	if (!value) {
		exp = 0;
		interval = 0;
	} else if (lbx_add_overflow(now, value, &exp) || exp == LBX_NO_DEADLINE) {
		exp = LBX_NO_DEADLINE - 1;
	}
	__atomic_store_n(&p->itimer_real_expires, exp, __ATOMIC_RELAXED);
	p->itimer_real_interval = interval;
	lbx_plat_mutex_unlock(&sb->lock);
}

void lbx_itimer_real_get(struct lbx_process *p, u64 *value, u64 *interval)
{
	u64 now = lbx_plat_now_mono(), exp;

	lbx_plat_mutex_lock(&p->sb->lock);
	exp = p->itimer_real_expires;
	*value = exp > now ? exp - now : exp ? 1 : 0;
	*interval = p->itimer_real_interval;
	lbx_plat_mutex_unlock(&p->sb->lock);
}

u64 lbx_itimer_clamp(struct lbx_thread *t, u64 deadline)
{
	u64 exp;

	if (!t || !t->proc)
		return deadline;
	exp = __atomic_load_n(&t->proc->itimer_real_expires, __ATOMIC_RELAXED);
	return exp && exp < deadline ? exp : deadline;
}

bool lbx_itimer_expire(struct lbx_thread *t)
{
	struct lbx_siginfo info;
	struct lbx_process *p;
	u64 now, exp, iv, n, step;
	bool fire = false;

	if (!t || !t->proc ||
	    !__atomic_load_n(&t->proc->itimer_real_expires, __ATOMIC_RELAXED))
		return false;
	p = t->proc;
	now = lbx_plat_now_mono();
	lbx_plat_mutex_lock(&p->sb->lock);
	exp = p->itimer_real_expires;
	iv = p->itimer_real_interval;
	if (exp && now >= exp) {
		fire = true;
		if (!iv) {
			exp = 0;
		} else {
			/* Missed periods merge into one signal, as Linux's. */
			n = (now - exp) / iv + 1;
			if (lbx_mul_overflow(n, iv, &step) ||
			    lbx_add_overflow(exp, step, &exp))
				exp = 0;
		}
		__atomic_store_n(&p->itimer_real_expires, exp, __ATOMIC_RELAXED);
	}
	lbx_plat_mutex_unlock(&p->sb->lock);
	if (!fire)
		return false;
	memset(&info, 0, sizeof(info));
	info.signo = LX_SIGALRM;
	info.code = LX_SI_KERNEL;
	lbx_signal_process(p, &info);
	return true;
}
