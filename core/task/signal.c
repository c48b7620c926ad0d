// SPDX-License-Identifier: GPL-2.0
/*
 * Sending signals between a sandbox's threads and processes: dispositions
 * that discard a signal at once, pending sets, and waking the target. What a
 * delivered signal does to the target's registers is the shim's business.
 */
#include <litebox/ptimer.h>
#include <litebox/task.h>
#include <litebox/waitqueue.h>

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define LX_SIG_DFL	0
#define LX_SIG_IGN	1
#define LX_SIGKILL	9
#define LX_SIGSTOP	19
#define LX_SIGCONT	18
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

	/* SIGCONT continues a stopped process whatever its disposition
	 * (lbx_jobctl_prepare() at the send); its delivery discards it. */
	if (sig == LX_SIGKILL || sig == LX_SIGSTOP || sig == LX_SIGCONT)
		return false;
	if (h == LX_SIG_IGN)
		return true;
	d = lbx_signal_default_action(sig);
	return h == LX_SIG_DFL && (d == LBX_SIGDFL_IGN || d == LBX_SIGDFL_CONT);
}

/* SI_USER: kill()'s code, the one send that may lose its siginfo. */
#define LX_SI_USER	0

static bool is_rt(u32 sig)
{
	return sig >= LBX_SIGRTMIN;
}

/*
 * Under sb->lock: appends e (NULL: no room, the siginfo is lost) to t's
 * queue of real-time signals; the signal is pending either way.
 */
static void rtq_append(struct lbx_thread *t, struct lbx_sigqueue *e)
{
	if (!e)
		return;
	e->next = NULL;
	if (t->rtq_tail)
		t->rtq_tail->next = e;
	else
		t->rtq_head = e;
	t->rtq_tail = e;
}

/* Under sb->lock: room for one more queued signal within t's limit. */
static bool rtq_charge(struct lbx_thread *t)
{
	struct lbx_sandbox *sb = t->proc->sb;
	u64 limit = t->proc->rlim[LBX_RLIMIT_SIGPENDING].cur;

	if (limit > LBX_SIGQUEUE_MAX)
		limit = LBX_SIGQUEUE_MAX;
	if (__atomic_load_n(&sb->nr_sigqueued, __ATOMIC_RELAXED) >= limit)
		return false;
	__atomic_fetch_add(&sb->nr_sigqueued, 1, __ATOMIC_RELAXED);
	return true;
}

static void rtq_free(struct lbx_sandbox *sb, struct lbx_sigqueue *e)
{
	__atomic_fetch_sub(&sb->nr_sigqueued, 1, __ATOMIC_RELAXED);
	lbx_plat_free(e);
}

int lbx_signal_queue_locked(struct lbx_thread *t, const struct lbx_siginfo *info,
			    struct lbx_sigqueue *e, bool *wake)
{
	u32 sig = (u32)info->signo;

	*wake = false;
	if (sig < 1 || sig > LBX_NSIG) {
		lbx_plat_free(e);
		return -EINVAL;
	}
	if (!is_rt(sig)) {
		lbx_plat_free(e);
		/* Standard signals do not queue: a second one merges into
		 * the first. */
		if (!(t->sigpending & SIGBIT(sig)))
			t->siginfo[sig - 1] = *info;
	} else if (!e || !rtq_charge(t)) {
		if (info->code != LX_SI_USER) {
			lbx_plat_free(e);
			return e ? -EAGAIN : -ENOMEM;
		}
		/* kill(): the signal still arrives, its siginfo does not. */
		lbx_plat_free(e);
	} else {
		e->info = *info;
		rtq_append(t, e);
	}
	t->sigpending |= SIGBIT(sig);
	*wake = !(t->sigmask & SIGBIT(sig)) || sig == LX_SIGKILL;
	return 0;
}

void lbx_signal_wake(struct lbx_thread *t, bool wake)
{
	lbx_wake_up_key(&t->proc->sb->sig_wq, -1, 0x1 /* LX_POLLIN */);
	if (!wake)
		return;
	/* Out of any LiteBox wait, and out of guest code. */
	lbx_thread_interrupt(t);
	if (t != lbx_plat_current())
		lbx_plat_thread_kick(t);
}

int lbx_signal_queue(struct lbx_thread *t, const struct lbx_siginfo *info)
{
	struct lbx_sandbox *sb = t->proc->sb;
	struct lbx_sigqueue *e = NULL;
	u32 sig = (u32)info->signo;
	bool wake;
	int ret;

	if (sig < 1 || sig > LBX_NSIG)
		return -EINVAL;
	lbx_jobctl_prepare(t->proc, sig);
	/* Allocated outside the lock, given back if over the limit. */
	if (is_rt(sig))
		e = lbx_plat_alloc(sizeof(*e));
	lbx_plat_mutex_lock(&sb->lock);
	ret = lbx_signal_queue_locked(t, info, e, &wake);
	lbx_plat_mutex_unlock(&sb->lock);
	if (ret)
		return ret;
	if (sig == LX_SIGKILL)
		lbx_jobctl_wake(t->proc);	/* a stopped process dies too */
	lbx_signal_wake(t, wake);
	return 0;
}

u32 lbx_signal_dequeue_locked(struct lbx_thread *t, u64 mask,
			      struct lbx_siginfo *info)
{
	struct lbx_sigqueue *e, *prev = NULL, *found = NULL, *found_prev = NULL;
	u64 ready = t->sigpending & mask;
	bool more = false;
	u32 sig;

	if (!ready)
		return 0;
	sig = (u32)__builtin_ctzll(ready) + 1;
	if (!is_rt(sig)) {
		*info = t->siginfo[sig - 1];
		t->sigpending &= ~SIGBIT(sig);
		if (info->code == LBX_SI_TIMER)
			lbx_ptimer_dequeued_locked(t, info);
		return sig;
	}
	/* The oldest instance; the signal stays pending if there is another. */
	for (e = t->rtq_head; e; prev = e, e = e->next) {
		if ((u32)e->info.signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = e;
		found_prev = prev;
	}
	if (!more)
		t->sigpending &= ~SIGBIT(sig);
	if (!found) {
		/* Sent beyond the queue limit by kill(): no siginfo kept. */
		memset(info, 0, sizeof(*info));
		info->signo = (s32)sig;
		info->code = LX_SI_USER;
		return sig;
	}
	if (found_prev)
		found_prev->next = found->next;
	else
		t->rtq_head = found->next;
	if (t->rtq_tail == found)
		t->rtq_tail = found_prev;
	*info = found->info;
	rtq_free(t->proc->sb, found);
	if (info->code == LBX_SI_TIMER)
		lbx_ptimer_dequeued_locked(t, info);
	return sig;
}

u32 lbx_signal_queued_locked(struct lbx_thread *t, u32 sig)
{
	struct lbx_sigqueue *e;
	u32 n = 0;

	if (!is_rt(sig))
		return (t->sigpending & SIGBIT(sig)) ? 1 : 0;
	for (e = t->rtq_head; e; e = e->next)
		n += (u32)e->info.signo == sig;
	return n;
}

void lbx_signal_flush(struct lbx_thread *t)
{
	struct lbx_sigqueue *e = t->rtq_head, *next;

	/* The last reference: nobody else reaches t's queue. */
	for (; e; e = next) {
		next = e->next;
		rtq_free(t->proc->sb, e);
	}
	t->rtq_head = NULL;
	t->rtq_tail = NULL;
}

/* Under sb->lock: whether t would take sig now (Linux's wants_signal()). */
static bool wants_signal(struct lbx_thread *t, u32 sig)
{
	return !(t->sigmask & SIGBIT(sig)) ||
	       (__atomic_load_n(&t->sigwait_set, __ATOMIC_RELAXED) & SIGBIT(sig));
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

struct lbx_thread *lbx_signal_target_locked(struct lbx_process *p, u32 sig)
{
	struct lbx_list_head *pos;
	struct lbx_thread *t;

	if (p->exiting || lbx_list_empty(&p->threads))
		return NULL;	/* a zombie: signals are discarded */
	/* The main thread unless it blocks sig and another takes it. */
	t = lbx_list_entry(p->threads.next, struct lbx_thread, proc_node);
	if (wants_signal(t, sig))
		return t;
	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *o = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (wants_signal(o, sig))
			return o;
	}
	return t;
}

int lbx_signal_process(struct lbx_process *p, const struct lbx_siginfo *info)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_thread *t;
	u32 sig = (u32)info->signo;
	int ret;

	if (!sig || lbx_signal_ignored(p, sig))
		return 0;
	lbx_plat_mutex_lock(&sb->lock);
	t = lbx_signal_target_locked(p, sig);
	if (t)
		lbx_thread_get(t);
	lbx_plat_mutex_unlock(&sb->lock);
	if (!t)
		return 0;
	ret = lbx_signal_queue(t, info);
	lbx_thread_put(t);
	return ret;
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
	if (exp && exp < deadline)
		deadline = exp;
	/* POSIX timers on a clock (ptimer.c) wake a sleeper the same way. */
	exp = __atomic_load_n(&t->proc->ptimer_next, __ATOMIC_RELAXED);
	return exp && exp < deadline ? exp : deadline;
}

static bool itimer_real_expire(struct lbx_thread *t)
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

bool lbx_itimer_expire(struct lbx_thread *t)
{
	bool real = itimer_real_expire(t);

	return lbx_ptimers_expire(t) || real;
}
