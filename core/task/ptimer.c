// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process timers (see ptimer.h): POSIX timers and the CPU-time interval
 * timers, fired lazily by whichever thread of the process looks at them.
 */
#include <litebox/ptimer.h>

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define LX_SIGALRM	14
#define LX_SIGVTALRM	26
#define LX_SIGPROF	27
#define LX_SI_KERNEL	0x80
#define INT_MAX_	0x7fffffff

struct lbx_ptimer {
	u32 id;
	enum lbx_pclock clock;
	u32 cpu_tid;			/* LBX_PCLOCK_THREAD_CPU: whose clock */
	struct lbx_sigevent ev;
	u64 expires;			/* on the timer's clock; 0: disarmed */
	u64 interval;
	u64 overrun;			/* expiries merged into the queued signal */
	u64 overrun_last;		/* what the last delivery reported */
};

static bool is_cpu(enum lbx_pclock c)
{
	return c == LBX_PCLOCK_PROCESS_CPU || c == LBX_PCLOCK_THREAD_CPU;
}

/* The CPU clocks as the calling thread sees them: its process's user time,
 * user + system time, and its own user + system time. */
struct cpu_now {
	u64 proc_user;
	u64 proc_all;
	u64 thread_all;
};

static void read_cpu(struct cpu_now *c)
{
	u64 u, s;

	lbx_plat_cputime(true, &u, &s);
	c->proc_user = u;
	c->proc_all = u + s;
	lbx_plat_cputime(false, &u, &s);
	c->thread_all = u + s;
}

/* The reading of tm's clock for t; false when t cannot read it (another
 * thread's CPU clock). */
static bool clock_now(struct lbx_thread *t, const struct lbx_ptimer *tm,
		      u64 mono, const struct cpu_now *c, u64 *now)
{
	switch (tm->clock) {
	case LBX_PCLOCK_PROCESS_CPU:
		*now = c->proc_all;
		return true;
	case LBX_PCLOCK_THREAD_CPU:
		*now = c->thread_all;
		return t->tid == tm->cpu_tid;
	default:
		*now = mono;
		return true;
	}
}

/*
 * Counts the periods of a timer due at *expires by now: advances *expires
 * past now (0: a one-shot, or beyond the end of time) and returns how many
 * expiries that was (0: not due).
 */
static u64 advance(u64 *expires, u64 interval, u64 now)
{
	u64 n, step;

	if (!*expires || now < *expires)
		return 0;
	if (!interval) {
		*expires = 0;
		return 1;
	}
	n = (now - *expires) / interval + 1;
	if (lbx_mul_overflow(n, interval, &step) ||
	    lbx_add_overflow(*expires, step, expires))
		*expires = 0;
	return n;
}

/* Under sb->lock: recomputes p's summary for sleepers and for ticks. */
static void refresh_locked(struct lbx_process *p)
{
	u64 next = 0;
	u32 cpu = 0, i;

	for (i = 0; p->ptimers && i < LBX_PTIMER_MAX; i++) {
		struct lbx_ptimer *tm = p->ptimers[i];

		/* SIGEV_NONE: nobody to wake, gettime counts its expiries. */
		if (!tm || !tm->expires || tm->ev.notify == LBX_SIGEV_NONE)
			continue;
		if (is_cpu(tm->clock))
			cpu++;
		else if (!next || tm->expires < next)
			next = tm->expires;
	}
	for (i = 0; i < LBX_ARRAY_SIZE(p->itimer_cpu); i++)
		cpu += p->itimer_cpu[i].expires != 0;
	__atomic_store_n(&p->ptimer_next, next, __ATOMIC_RELAXED);
	__atomic_store_n(&p->cpu_timers, cpu, __ATOMIC_RELAXED);
}

static struct lbx_ptimer *find_locked(struct lbx_process *p, u32 id)
{
	if (!p->ptimers || id >= LBX_PTIMER_MAX)
		return NULL;
	return p->ptimers[id];
}

static struct lbx_thread *thread_of_locked(struct lbx_process *p, u32 tid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (t->tid == tid)
			return t;
	}
	return NULL;
}

/* Under sb->lock: whether a signal of timer tm is still queued on a
 * thread of p (its next expiry is then an overrun). */
static bool sig_queued_locked(struct lbx_process *p, const struct lbx_ptimer *tm)
{
	u32 sig = tm->ev.signo;
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);
		const struct lbx_siginfo *si;
		struct lbx_sigqueue *e;

		if (!(t->sigpending & SIGBIT(sig)))
			continue;
		if (sig < LBX_SIGRTMIN) {
			si = &t->siginfo[sig - 1];
			if (si->code == LBX_SI_TIMER && (u32)si->timer.tid == tm->id)
				return true;
			continue;
		}
		for (e = t->rtq_head; e; e = e->next)
			if ((u32)e->info.signo == sig && e->info.code == LBX_SI_TIMER &&
			    (u32)e->info.timer.tid == tm->id)
				return true;
	}
	return false;
}

/* Threads to wake once sb->lock is dropped (the second half of a queue),
 * each once. */
#define MAX_WAKES	8
struct wakes {
	u32 n;
	struct lbx_thread *t[MAX_WAKES];
	bool wake[MAX_WAKES];
};

/* Under sb->lock. Beyond MAX_WAKES distinct threads (a rare burst), a
 * thread is only marked interrupted: it sees its signal at its next entry
 * into LiteBox or its next wait. */
static void add_wake(struct wakes *w, struct lbx_thread *t, bool wake)
{
	u32 i;

	for (i = 0; i < w->n; i++) {
		if (w->t[i] == t) {
			w->wake[i] |= wake;
			return;
		}
	}
	if (w->n < MAX_WAKES) {
		lbx_thread_get(t);
		w->t[w->n] = t;
		w->wake[w->n++] = wake;
	} else if (wake) {
		__atomic_store_n(&t->interrupt, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * Under sb->lock: tm expired n times (n >= 1). Queues its signal, or counts
 * overruns when it is still queued.
 */
static void fire_locked(struct lbx_process *p, struct lbx_ptimer *tm, u64 n,
			struct wakes *w)
{
	struct lbx_sigqueue *e = NULL;
	struct lbx_siginfo info;
	struct lbx_thread *t;
	bool wake;

	if (tm->ev.notify == LBX_SIGEV_NONE)
		return;
	if (sig_queued_locked(p, tm)) {
		if (lbx_add_overflow(tm->overrun, n, &tm->overrun))
			tm->overrun = ~0ULL;
		return;
	}
	if (lbx_signal_ignored(p, tm->ev.signo))
		return;		/* discarded at once, as Linux's */
	if (tm->ev.notify == LBX_SIGEV_THREAD_ID)
		t = thread_of_locked(p, tm->ev.tid);
	else
		t = lbx_signal_target_locked(p, tm->ev.signo);
	if (!t)
		return;		/* the target is gone: nothing to deliver */
	memset(&info, 0, sizeof(info));
	info.signo = (s32)tm->ev.signo;
	info.code = LBX_SI_TIMER;
	info.timer.tid = (s32)tm->id;
	info.timer.value = tm->ev.value;
	tm->overrun = n - 1;	/* missed besides the one signalled */
	if (tm->ev.signo >= LBX_SIGRTMIN)
		e = lbx_plat_alloc(sizeof(*e));
	if (lbx_signal_queue_locked(t, &info, e, &wake))
		return;		/* beyond RLIMIT_SIGPENDING: lost */
	add_wake(w, t, wake);
}

/* Under sb->lock: an ITIMER_VIRTUAL/PROF expiry (standard signals merge). */
static void fire_itimer_locked(struct lbx_process *p, u32 sig, struct wakes *w)
{
	struct lbx_siginfo info;
	struct lbx_thread *t;
	bool wake;

	if (lbx_signal_ignored(p, sig))
		return;
	t = lbx_signal_target_locked(p, sig);
	if (!t)
		return;
	memset(&info, 0, sizeof(info));
	info.signo = (s32)sig;
	info.code = LX_SI_KERNEL;
	if (lbx_signal_queue_locked(t, &info, NULL, &wake))
		return;
	add_wake(w, t, wake);
}

static void do_wakes(struct wakes *w)
{
	u32 i;

	for (i = 0; i < w->n; i++) {
		lbx_signal_wake(w->t[i], w->wake[i]);
		lbx_thread_put(w->t[i]);
	}
}

/* The tick follows the process's CPU-time timers; only t changes its own. */
static void update_tick(struct lbx_thread *t, bool want)
{
	if (t->cpu_tick == want || t != lbx_plat_current())
		return;
	t->cpu_tick = want;
	lbx_plat_cpu_tick(t, want);
}

bool lbx_ptimers_expire(struct lbx_thread *t)
{
	struct lbx_process *p = t ? t->proc : NULL;
	struct wakes w = { .n = 0 };
	struct cpu_now c = { 0, 0, 0 };
	u64 next, mono, now, n;
	bool fired = false;
	u32 cpu, i;

	if (!p)
		return false;
	next = __atomic_load_n(&p->ptimer_next, __ATOMIC_RELAXED);
	cpu = __atomic_load_n(&p->cpu_timers, __ATOMIC_RELAXED);
	update_tick(t, cpu != 0);
	if (!next && !cpu)
		return false;
	mono = lbx_plat_now_mono();
	if (!cpu && mono < next)
		return false;
	if (cpu)
		read_cpu(&c);
	lbx_plat_mutex_lock(&p->sb->lock);
	for (i = 0; p->ptimers && i < LBX_PTIMER_MAX; i++) {
		struct lbx_ptimer *tm = p->ptimers[i];

		if (!tm || !tm->expires || (is_cpu(tm->clock) && !cpu))
			continue;
		if (!clock_now(t, tm, mono, &c, &now))
			continue;
		n = advance(&tm->expires, tm->interval, now);
		if (n) {
			fire_locked(p, tm, n, &w);
			fired = true;
		}
	}
	for (i = 0; cpu && i < LBX_ARRAY_SIZE(p->itimer_cpu); i++) {
		now = i == 0 ? c.proc_user : c.proc_all;
		/* Missed periods merge into one signal, as Linux's. */
		if (advance(&p->itimer_cpu[i].expires, p->itimer_cpu[i].interval, now)) {
			fire_itimer_locked(p, i == 0 ? LX_SIGVTALRM : LX_SIGPROF, &w);
			fired = true;
		}
	}
	if (fired)
		refresh_locked(p);
	lbx_plat_mutex_unlock(&p->sb->lock);
	do_wakes(&w);
	return fired;
}

void lbx_ptimer_dequeued_locked(struct lbx_thread *t, struct lbx_siginfo *info)
{
	struct lbx_process *p = t->proc;
	struct lbx_ptimer *tm = find_locked(p, (u32)info->timer.tid);
	u64 n;

	if (!tm || tm->ev.signo != (u32)info->signo)
		return;		/* deleted (or replaced) since it was queued */
	/* Expiries since the last look, as overruns of this signal. */
	if (!is_cpu(tm->clock)) {
		n = advance(&tm->expires, tm->interval, lbx_plat_now_mono());
		if (lbx_add_overflow(tm->overrun, n, &tm->overrun))
			tm->overrun = ~0ULL;
		if (n)
			refresh_locked(p);
	}
	tm->overrun_last = tm->overrun;
	tm->overrun = 0;
	info->timer.overrun = (s32)lbx_min(tm->overrun_last, (u64)INT_MAX_);
}

/*
 * Under sb->lock: as Linux, each timer holds a queued-signal entry of its
 * own, counted in RLIMIT_SIGPENDING (LBX_SIGQUEUE_MAX at most) with the
 * queued real-time signals.
 */
static bool charge_locked(struct lbx_process *p)
{
	u64 limit = lbx_min(p->rlim[LBX_RLIMIT_SIGPENDING].cur, (u64)LBX_SIGQUEUE_MAX);

	if (__atomic_load_n(&p->sb->nr_sigqueued, __ATOMIC_RELAXED) >= limit)
		return false;
	__atomic_fetch_add(&p->sb->nr_sigqueued, 1, __ATOMIC_RELAXED);
	return true;
}

static void uncharge(struct lbx_process *p)
{
	__atomic_fetch_sub(&p->sb->nr_sigqueued, 1, __ATOMIC_RELAXED);
}

int lbx_ptimer_create(struct lbx_thread *t, enum lbx_pclock clock, u32 cpu_tid,
		      const struct lbx_sigevent *ev, u32 *id)
{
	struct lbx_process *p = t->proc;
	struct lbx_ptimer **slots = NULL, *tm;
	int ret = 0;
	u32 i;

	if (clock < LBX_PCLOCK_MONOTONIC || clock > LBX_PCLOCK_THREAD_CPU)
		return -EINVAL;
	if (ev) {
		switch (ev->notify) {
		case LBX_SIGEV_SIGNAL:
		case LBX_SIGEV_THREAD_ID:
			if (ev->signo < 1 || ev->signo > LBX_NSIG)
				return -EINVAL;
			break;
		case LBX_SIGEV_NONE:
			break;
		default:
			return -EINVAL;
		}
	}
	tm = lbx_plat_alloc(sizeof(*tm));
	if (!tm)
		return -ENOMEM;
	if (!LBX_READ_ONCE(p->ptimers)) {
		slots = lbx_plat_alloc(LBX_PTIMER_MAX * sizeof(*slots));
		if (!slots) {
			lbx_plat_free(tm);
			return -ENOMEM;
		}
	}
	tm->clock = clock;
	tm->cpu_tid = cpu_tid;
	lbx_plat_mutex_lock(&p->sb->lock);
	if (!p->ptimers) {
		p->ptimers = slots;
		slots = NULL;
	}
	if (ev && ev->notify == LBX_SIGEV_THREAD_ID && !thread_of_locked(p, ev->tid)) {
		ret = -EINVAL;	/* not a thread of the caller's process */
		goto out_unlock;
	}
	for (i = 0; i < LBX_PTIMER_MAX && p->ptimers[i]; i++)
		;
	if (i == LBX_PTIMER_MAX || !charge_locked(p)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	tm->id = i;
	if (ev) {
		tm->ev = *ev;
	} else {
		tm->ev.notify = LBX_SIGEV_SIGNAL;
		tm->ev.signo = LX_SIGALRM;
		tm->ev.value = i;
	}
	p->ptimers[i] = tm;
	tm = NULL;
	*id = i;
out_unlock:
	lbx_plat_mutex_unlock(&p->sb->lock);
	lbx_plat_free(slots);
	lbx_plat_free(tm);
	return ret;
}

/* Under sb->lock: the time left on tm (due but not yet fired: 1 ns). */
static u64 time_left(const struct lbx_ptimer *tm, u64 now)
{
	if (!tm->expires)
		return 0;
	return tm->expires > now ? tm->expires - now : 1;
}

/* The expiry on tm's clock for a setting of val at now; never 0. */
static u64 expiry(const struct lbx_ptimer *tm, bool abs, u64 val, u64 now)
{
	u64 exp, real;

	if (!abs) {
		if (lbx_add_overflow(now, val, &exp) || exp == LBX_NO_DEADLINE)
			exp = LBX_NO_DEADLINE - 1;
		return exp;
	}
	if (tm->clock != LBX_PCLOCK_REALTIME)
		return val;
	/* The wall clock's absolute time, on the monotonic clock. */
	real = lbx_plat_now_real();
	if (val <= real)
		return now ? now : 1;	/* in the past: expires at once */
	if (lbx_add_overflow(now, val - real, &exp) || exp == LBX_NO_DEADLINE)
		exp = LBX_NO_DEADLINE - 1;
	return exp;
}

int lbx_ptimer_settime(struct lbx_thread *t, u32 id, bool abs,
		       const struct lbx_itimer *val, struct lbx_itimer *old)
{
	struct lbx_process *p = t->proc;
	u64 mono = lbx_plat_now_mono(), now;
	struct lbx_ptimer *tm;
	struct cpu_now c = { 0, 0, 0 };
	int ret = 0;

	lbx_plat_mutex_lock(&p->sb->lock);
	tm = find_locked(p, id);
	if (!tm) {
		ret = -EINVAL;
		goto out;
	}
	if (is_cpu(tm->clock))
		read_cpu(&c);	/* never sleeps */
	if (!clock_now(t, tm, mono, &c, &now)) {
		ret = -EINVAL;	/* another thread's CPU clock: not readable */
		goto out;
	}
	if (old) {
		old->value = time_left(tm, now);
		old->interval = tm->interval;
	}
	tm->overrun = 0;
	tm->overrun_last = 0;
	tm->interval = val->value ? val->interval : 0;
	tm->expires = val->value ? expiry(tm, abs, val->value, now) : 0;
	refresh_locked(p);
out:
	lbx_plat_mutex_unlock(&p->sb->lock);
	return ret;
}

int lbx_ptimer_gettime(struct lbx_thread *t, u32 id, struct lbx_itimer *cur)
{
	struct lbx_process *p = t->proc;
	u64 mono, now;
	struct lbx_ptimer *tm;
	struct cpu_now c = { 0, 0, 0 };
	int ret = 0;

	lbx_itimer_expire(t);	/* a due one fires (or counts) first */
	mono = lbx_plat_now_mono();
	lbx_plat_mutex_lock(&p->sb->lock);
	tm = find_locked(p, id);
	if (tm && is_cpu(tm->clock))
		read_cpu(&c);
	if (!tm) {
		ret = -EINVAL;
	} else if (!clock_now(t, tm, mono, &c, &now)) {
		ret = -EINVAL;
	} else {
		if (tm->ev.notify == LBX_SIGEV_NONE)
			advance(&tm->expires, tm->interval, now);
		cur->value = time_left(tm, now);
		cur->interval = tm->interval;
	}
	lbx_plat_mutex_unlock(&p->sb->lock);
	return ret;
}

int lbx_ptimer_getoverrun(struct lbx_thread *t, u32 id)
{
	struct lbx_process *p = t->proc;
	struct lbx_ptimer *tm;
	int ret;

	lbx_plat_mutex_lock(&p->sb->lock);
	tm = find_locked(p, id);
	ret = tm ? (int)lbx_min(tm->overrun_last, (u64)INT_MAX_) : -EINVAL;
	lbx_plat_mutex_unlock(&p->sb->lock);
	return ret;
}

int lbx_ptimer_delete(struct lbx_thread *t, u32 id)
{
	struct lbx_process *p = t->proc;
	struct lbx_ptimer *tm;

	lbx_plat_mutex_lock(&p->sb->lock);
	tm = find_locked(p, id);
	if (tm) {
		p->ptimers[id] = NULL;
		refresh_locked(p);
	}
	lbx_plat_mutex_unlock(&p->sb->lock);
	if (!tm)
		return -EINVAL;
	uncharge(p);
	lbx_plat_free(tm);
	return 0;
}

void lbx_ptimers_release(struct lbx_process *p)
{
	struct lbx_ptimer **slots;
	u32 i;

	lbx_plat_mutex_lock(&p->sb->lock);
	slots = p->ptimers;
	p->ptimers = NULL;
	refresh_locked(p);
	lbx_plat_mutex_unlock(&p->sb->lock);
	if (!slots)
		return;
	for (i = 0; i < LBX_PTIMER_MAX; i++) {
		if (!slots[i])
			continue;
		uncharge(p);
		lbx_plat_free(slots[i]);
	}
	lbx_plat_free(slots);
}

/* ---- ITIMER_VIRTUAL, ITIMER_PROF ---- */

static u64 itimer_clock(int which, const struct cpu_now *c)
{
	return which == LBX_ITIMER_VIRTUAL ? c->proc_user : c->proc_all;
}

void lbx_itimer_cpu_set(struct lbx_thread *t, int which, u64 value, u64 interval,
			u64 *old_value, u64 *old_interval)
{
	struct lbx_process *p = t->proc;
	struct cpu_now c;
	u64 now, exp;
	int i = which == LBX_ITIMER_VIRTUAL ? 0 : 1;

	read_cpu(&c);
	now = itimer_clock(which, &c);
	lbx_plat_mutex_lock(&p->sb->lock);
	exp = p->itimer_cpu[i].expires;
	if (old_value)
		*old_value = exp > now ? exp - now : exp ? 1 : 0;
	if (old_interval)
		*old_interval = p->itimer_cpu[i].interval;
	if (!value) {
		exp = 0;
		interval = 0;
	} else if (lbx_add_overflow(now, value, &exp)) {
		exp = ~0ULL;
	}
	p->itimer_cpu[i].expires = exp;
	p->itimer_cpu[i].interval = interval;
	refresh_locked(p);
	lbx_plat_mutex_unlock(&p->sb->lock);
}

void lbx_itimer_cpu_get(struct lbx_thread *t, int which, u64 *value, u64 *interval)
{
	struct lbx_process *p = t->proc;
	struct cpu_now c;
	u64 now, exp;
	int i = which == LBX_ITIMER_VIRTUAL ? 0 : 1;

	read_cpu(&c);
	now = itimer_clock(which, &c);
	lbx_plat_mutex_lock(&p->sb->lock);
	exp = p->itimer_cpu[i].expires;
	*value = exp > now ? exp - now : exp ? 1 : 0;
	*interval = p->itimer_cpu[i].interval;
	lbx_plat_mutex_unlock(&p->sb->lock);
}
