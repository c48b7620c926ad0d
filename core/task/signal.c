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
	if (!wake)
		return;
	/* Out of any LiteBox wait, and out of guest code. */
	lbx_thread_interrupt(t);
	if (t != lbx_plat_current())
		lbx_plat_thread_kick(t);
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
