// SPDX-License-Identifier: GPL-2.0
/*
 * Guest signal delivery: choosing a pending signal, default actions, and the
 * x86-64 rt_sigframe a handler runs on (the layout Linux builds, so that
 * libc's restorer and siginfo/ucontext consumers work unchanged), and
 * rt_sigreturn. Delivery happens when a thread leaves LiteBox: at the end of
 * a system call, or at an event entry (a host signal or fault).
 */
#include <litebox/waitqueue.h>
#include "shim.h"

#define LX_SIG_DFL		0
#define LX_SIG_IGN		1
#define LX_SA_SIGINFO		0x00000004
#define LX_SA_ONSTACK		0x08000000
#define LX_SA_RESTART		0x10000000
#define LX_SA_NODEFER		0x40000000
#define LX_SA_RESETHAND		0x80000000
#define LX_SA_RESTORER		0x04000000
#define LX_SS_ONSTACK		1
#define LX_SS_DISABLE		2
#define LX_SS_AUTODISARM	(1U << 31)
#define LX_UC_SIGCONTEXT_SS	0x2
#define LX_UC_STRICT_RESTORE_SS	0x4
#define LX_NR_rt_sigreturn	15

#define SIGBIT(n)		(1ULL << ((n) - 1))

struct lx_sigcontext {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;
	u64 reserved1[8];
};

struct lx_stack {
	u64 sp;
	u32 flags;
	u32 pad;
	u64 size;
};

struct lx_ucontext {
	u64 uc_flags;
	u64 uc_link;
	struct lx_stack uc_stack;
	struct lx_sigcontext uc_mcontext;
	u64 uc_sigmask;
};

struct lx_rt_sigframe {
	u64 pretcode;
	struct lx_ucontext uc;
	struct lbx_siginfo info;
};

/* The lowest pending signal the thread does not block, dequeued; 0: none.
 * *cont_seq: the process's count of SIGCONTs at that moment. */
static u32 dequeue(struct lbx_thread *t, struct lbx_siginfo *info, u32 *cont_seq)
{
	u32 sig;

	lbx_plat_mutex_lock(&t->proc->sb->lock);
	sig = lbx_signal_dequeue_locked(t, ~(t->sigmask & ~LBX_SIG_UNBLOCKABLE), info);
	*cont_seq = t->proc->cont_seq;
	if (!(t->sigpending & ~t->sigmask))
		lbx_thread_clear_interrupt(t);
	lbx_plat_mutex_unlock(&t->proc->sb->lock);
	return sig;
}

/* As exit_group (sys_proc.c): the other threads first. */
static void die_by_signal(struct lbx_sys *s, u32 sig, bool core)
{
	switch (lbx_process_zap_others(s->t)) {
	case LBX_ZAP_KILLED:
		lbx_linux_thread_die(s, 0);
		return;
	case LBX_ZAP_HOST_DEATH:
		/* The host-death path exits the process. */
		s->res->hostop = LBX_HOP_EXIT_GROUP;
		s->res->arg[0] = 128 + sig;
		return;
	case LBX_ZAP_ALONE:
		lbx_linux_robust_exit_all(s->t);
		lbx_linux_record_usage(s->p);
		lbx_process_exit(s->p, (int)sig | (core ? 0x80 : 0));
		break;
	}
	s->res->hostop = LBX_HOP_EXIT_GROUP;
	s->res->arg[0] = lbx_linux_exit_status(s->p);
}

static bool on_altstack(const struct lbx_thread *t, u64 sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

/*
 * Parks the thread while its process is stopped. Returns true when the
 * entry must end now: the process exits (the thread with it), or a host
 * signal came first (the stub handles it, and parks again at its entry).
 */
static bool park(struct lbx_sys *s)
{
	int ret = lbx_jobctl_park(s->t);

	if (LBX_READ_ONCE(s->p->exiting)) {
		s->res->hostop = LBX_HOP_EXIT_GROUP;
		s->res->arg[0] = lbx_linux_exit_status(s->p);
		return true;
	}
	return ret != 0;
}

bool lbx_linux_park(struct lbx_sys *s)
{
	return park(s);
}

/* Builds the handler's frame and points the registers at the handler. */
static int setup_frame(struct lbx_sys *s, u32 sig, const struct lbx_sigaction *act,
		       const struct lbx_siginfo *info)
{
	struct lbx_cpu_regs *r = s->regs;
	struct lbx_thread *t = s->t;
	struct lx_rt_sigframe f;
	u64 sp = r->rsp;

	if ((act->flags & LX_SA_ONSTACK) && t->altstack_size && !on_altstack(t, sp)) {
		sp = t->altstack_sp + t->altstack_size;
	} else {
		sp -= 128;	/* the red zone */
	}
	sp -= sizeof(f);
	sp = LBX_ALIGN_DOWN(sp, 16) - 8;	/* as after a call */

	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = LX_UC_SIGCONTEXT_SS | LX_UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.sp = t->altstack_sp;
	f.uc.uc_stack.size = t->altstack_size;
	f.uc.uc_stack.flags = !t->altstack_size ? LX_SS_DISABLE :
			      on_altstack(t, r->rsp) ? LX_SS_ONSTACK : 0;
	f.uc.uc_mcontext = (struct lx_sigcontext){
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rdi = r->rdi, .rsi = r->rsi, .rbp = r->rbp, .rbx = r->rbx,
		.rdx = r->rdx, .rax = r->rax, .rcx = r->rcx, .rsp = r->rsp,
		.rip = r->rip, .eflags = r->rflags, .cs = 0x33, .ss = 0x2b,
		.trapno = info->trapno, .err = 0, .oldmask = t->sigmask,
		.cr2 = info->addr,
	};
	/* sigsuspend's handler returns to the mask from before the call. */
	f.uc.uc_sigmask = s->restore_sigmask ? s->saved_sigmask : t->sigmask;
	f.info = *info;
	if (lbx_copy_to_guest(sp, &f, sizeof(f)))
		return -EFAULT;
	/* The frame's sigreturn restores it now, not the way out. */
	s->restore_sigmask = false;

	if ((act->flags & LX_SA_ONSTACK) && (t->altstack_flags & LX_SS_AUTODISARM)) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
	}
	memset(r, 0, sizeof(*r));
	r->rip = act->handler;
	r->rsp = sp;
	r->rdi = sig;
	r->rsi = sp + __builtin_offsetof(struct lx_rt_sigframe, info);
	r->rdx = sp + __builtin_offsetof(struct lx_rt_sigframe, uc);
	r->rflags = f.uc.uc_mcontext.eflags & ~0x40500ULL;	/* clear TF, DF, RF-ish */
	s->res->flags |= LBX_RES_ALL_REGS;
	t->sig_frames++;
	return 0;
}

/* The guest executes the system call again: back over the 2-byte syscall
 * instruction, the number in rax. rip changed: all registers are returned. */
static void restart(struct lbx_sys *s, long nr)
{
	s->regs->rax = (u64)nr;
	s->regs->rip -= 2;
	s->res->flags |= LBX_RES_ALL_REGS;
}

/*
 * Delivers at most one signal to the thread leaving LiteBox with s->regs.
 * interrupted_nr >= 0 when a system call returned -EINTR: it is restarted
 * (the guest re-executes it) when no handler runs or the handler has
 * SA_RESTART, else the guest sees EINTR.
 */
void lbx_linux_deliver_signal(struct lbx_sys *s, long interrupted_nr)
{
	struct lbx_thread *t = s->t;
	struct lbx_sigaction act;
	struct lbx_siginfo info;
	u32 sig, cont_seq;

	for (;;) {
		sig = dequeue(t, &info, &cont_seq);
		if (!sig)
			break;
		lbx_plat_mutex_lock(&s->p->sb->lock);
		act = s->p->sigactions[sig - 1];
		/* SA_RESETHAND: one shot (Linux resets the handler only). */
		if (act.handler > LX_SIG_IGN && (act.flags & LX_SA_RESETHAND))
			s->p->sigactions[sig - 1].handler = LX_SIG_DFL;
		lbx_plat_mutex_unlock(&s->p->sb->lock);
		if (act.handler == LX_SIG_IGN && sig != 9 && sig != 19)
			continue;
		lbx_plat_trace_signal(t, sig, act.handler);
		if (act.handler == LX_SIG_DFL || sig == 9 || sig == 19) {
			int d = lbx_signal_default_action(sig);

			if (d == LBX_SIGDFL_IGN || d == LBX_SIGDFL_CONT)
				continue;
			if (d == LBX_SIGDFL_STOP) {
				/* SIGTSTP, SIGTTIN, SIGTTOU: nothing in an
				 * orphaned process group (SIGSTOP always). */
				if (sig != 19 && lbx_jobctl_pgrp_orphaned(s->p))
					continue;
				/* The whole process stops; this thread parks
				 * here, then looks for more signals. */
				lbx_jobctl_stop(t, sig, cont_seq);
				if (park(s))
					break;
				continue;
			}
			die_by_signal(s, sig, d == LBX_SIGDFL_CORE);
			return;
		}
		/* A handler; an interrupted sleep's restart block goes, as at
		 * Linux's sigreturn. */
		t->restart_pending = false;
		if (interrupted_nr >= 0) {
			if (s->restart_block) {
				/* Never restarted after a handler (signal(7)). */
				s->regs->rax = (u64)-EINTR;
			} else if ((act.flags & LX_SA_RESTART) || s->restart_always) {
				restart(s, interrupted_nr);
			} else {
				s->regs->rax = (u64)-EINTR;
			}
			interrupted_nr = -1;
		}
		if (!(act.flags & LX_SA_RESTORER) || setup_frame(s, sig, &act, &info)) {
			/* No way to return from a handler, or an unusable stack. */
			die_by_signal(s, 11, true);
			return;
		}
		lbx_signal_set_mask(t, t->sigmask | act.mask |
					 (act.flags & LX_SA_NODEFER ? 0 : SIGBIT(sig)));
		return;
	}
	if (interrupted_nr >= 0) {
		/* Interrupted with nothing to deliver: try the call again, or
		 * go on with it (restart_syscall: a sleep's remaining time). */
		restart(s, s->restart_block ? LX_NR_restart_syscall : interrupted_nr);
	}
}

LBX_SYSCALL(rt_sigreturn)
{
	struct lbx_cpu_regs *r = s->regs;
	struct lbx_thread *t = s->t;
	struct lx_rt_sigframe f;
	u64 frame = r->rsp - 8;	/* the handler's ret popped pretcode */

	if (lbx_copy_from_guest(&f, frame, sizeof(f))) {
		die_by_signal(s, 11, true);
		return 0;
	}
	r->r8 = f.uc.uc_mcontext.r8;
	r->r9 = f.uc.uc_mcontext.r9;
	r->r10 = f.uc.uc_mcontext.r10;
	r->r11 = f.uc.uc_mcontext.r11;
	r->r12 = f.uc.uc_mcontext.r12;
	r->r13 = f.uc.uc_mcontext.r13;
	r->r14 = f.uc.uc_mcontext.r14;
	r->r15 = f.uc.uc_mcontext.r15;
	r->rdi = f.uc.uc_mcontext.rdi;
	r->rsi = f.uc.uc_mcontext.rsi;
	r->rbp = f.uc.uc_mcontext.rbp;
	r->rbx = f.uc.uc_mcontext.rbx;
	r->rdx = f.uc.uc_mcontext.rdx;
	r->rax = f.uc.uc_mcontext.rax;
	r->rcx = f.uc.uc_mcontext.rcx;
	r->rsp = f.uc.uc_mcontext.rsp;
	r->rip = f.uc.uc_mcontext.rip;
	/* User-changeable flags only (CF PF AF ZF SF TF DF OF AC, as Linux's FIX_EFLAGS). */
	r->rflags = (r->rflags & ~0x40dd5ULL) | (f.uc.uc_mcontext.eflags & 0x40dd5ULL) | 0x200;
	lbx_signal_set_mask(t, f.uc.uc_sigmask);
	/* As sigaltstack(&uc_stack, NULL) would, ignoring errors like Linux. */
	if (!on_altstack(t, r->rsp)) {
		if (f.uc.uc_stack.flags & LX_SS_DISABLE) {
			t->altstack_sp = 0;
			t->altstack_size = 0;
		} else if (f.uc.uc_stack.size >= 2048) {
			t->altstack_sp = f.uc.uc_stack.sp;
			t->altstack_size = f.uc.uc_stack.size;
		}
	}
	s->res->flags |= LBX_RES_ALL_REGS;
	if (t->sig_frames)
		t->sig_frames--;
	return (long)r->rax;
}

void lbx_linux_event(struct lbx_thread *t, const struct lbx_event_info *ev,
		     struct lbx_cpu_regs *regs, struct lbx_resume *res)
{
	struct lbx_sys s = { .t = t, .p = t->proc, .regs = regs, .res = res };
	struct lbx_siginfo info = { .signo = (s32)ev->signo };

	memset(res, 0, sizeof(*res));
	if (ev->kind != 3 && (ev->signo < 1 || ev->signo > LBX_NSIG))
		return;
	if (LBX_READ_ONCE(s.p->exiting)) {
		res->hostop = LBX_HOP_EXIT_GROUP;
		res->arg[0] = lbx_linux_exit_status(s.p);
		return;
	}
	t->resume = res;
	switch (ev->kind) {
	case 1:		/* a host signal: as kill() from outside the sandbox */
		info.code = 0;	/* SI_USER */
		lbx_signal_process(s.p, &info);
		break;
	case 2: {	/* a fault: forced, as Linux's force_sig_fault() */
		struct lbx_sigaction *a = &s.p->sigactions[ev->signo - 1];

		info.code = ev->code;
		info.addr = ev->addr;
		info.trapno = ev->trapno;
		lbx_plat_trace_fault(t, ev->signo, ev->addr);
		lbx_plat_mutex_lock(&s.p->sb->lock);
		if (a->handler == LX_SIG_IGN || (t->sigmask & SIGBIT(ev->signo))) {
			memset(a, 0, sizeof(*a));
			t->sigmask &= ~SIGBIT(ev->signo);
		}
		lbx_plat_mutex_unlock(&s.p->sb->lock);
		lbx_signal_queue(t, &info);
		break;
	}
	default:	/* a kick: a signal is pending, or the CPU-time tick */
		lbx_itimer_expire(t);
		break;
	}
	/* With a direct entry's exit work deferred, the guest is on its way
	 * to LBX_NR_RESUME: the signal waits for it. */
	if (!ev->nested && !t->deferred.valid)
		lbx_linux_leave(&s, -1);
	else if (ev->nested)
		/* A host signal ended a parked entry: park again here, where
		 * the stub blocks host signals (but SIGKILL). */
		park(&s);
	t->resume = NULL;
}
