// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process timers (core/task/ptimer.c): ids and the limits (LBX_PTIMER_MAX
 * and RLIMIT_SIGPENDING, charged and given back), sigevent checks, a
 * one-shot's SI_TIMER signal, overruns while the signal is queued and their
 * report at dequeue, SIGEV_NONE, the sleepers' clamp, a queued signal that
 * outlives its timer, release at exec/exit, and ITIMER_VIRTUAL/PROF on the
 * process CPU clock.
 */
#include <litebox/core.h>
#include <litebox/ptimer.h>
#include <litebox/task.h>
#include "lbx_test.h"
#include "test_task_util.h"

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define MS		1000000ULL

/* Signals stay pending for inspection: everything blocked. */
static void pf_init(struct task_fix *x, u64 sigpending_limit)
{
	task_fix_init(x, sigpending_limit);
	x->t->sigmask = ~0ULL;
}

static void spin_until(u64 mono)
{
	while (lbx_plat_now_mono() < mono)
		;
}

static u32 take(struct lbx_thread *t, struct lbx_siginfo *info)
{
	u32 sig;

	lbx_plat_mutex_lock(&t->proc->sb->lock);
	sig = lbx_signal_dequeue_locked(t, ~0ULL, info);
	lbx_plat_mutex_unlock(&t->proc->sb->lock);
	return sig;
}

static struct lbx_sigevent sigev(u32 notify, u32 signo, u64 value)
{
	struct lbx_sigevent ev = { .notify = notify, .signo = signo, .value = value };

	return ev;
}

TEST(ptimer_ids_limits_and_charge)
{
	struct lbx_sigevent ev = sigev(LBX_SIGEV_NONE, 0, 0);
	struct lbx_itimer cur;
	struct task_fix x;
	u32 id, i;

	pf_init(&x, 4);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
		EXPECT_EQ(id, i);	/* the lowest free id */
	}
	EXPECT_EQ(x.sb->nr_sigqueued, 4);
	/* Each timer holds a queued-signal slot: RLIMIT_SIGPENDING is full. */
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EAGAIN);
	ASSERT_EQ(lbx_ptimer_delete(x.t, 1), 0);
	EXPECT_EQ(lbx_ptimer_delete(x.t, 1), -EINVAL);
	EXPECT_EQ(lbx_ptimer_gettime(x.t, 1, &cur), -EINVAL);
	EXPECT_EQ(lbx_ptimer_getoverrun(x.t, 1), -EINVAL);
	EXPECT_EQ(lbx_ptimer_delete(x.t, LBX_PTIMER_MAX + 5), -EINVAL);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	EXPECT_EQ(id, 1);
	/* LBX_PTIMER_MAX, whatever the rlimit. */
	x.p->rlim[LBX_RLIMIT_SIGPENDING].cur = LBX_SIGQUEUE_MAX;
	for (i = 4; i < LBX_PTIMER_MAX; i++)
		ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EAGAIN);
	EXPECT_EQ(x.sb->nr_sigqueued, LBX_PTIMER_MAX);
	/* exec/exit: all go, and their slots with them. */
	lbx_ptimers_release(x.p);
	EXPECT_EQ(x.sb->nr_sigqueued, 0);
	EXPECT_NULL(x.p->ptimers);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	EXPECT_EQ(id, 0);
	task_fix_fini(&x);
	/* (the exit released the last one: leak-checked by ASan) */
}

TEST(ptimer_sigevent_checks)
{
	struct lbx_sigevent ev;
	struct task_fix x;
	u32 id;

	pf_init(&x, 64);
	ev = sigev(LBX_SIGEV_SIGNAL, 0, 0);
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EINVAL);
	ev = sigev(LBX_SIGEV_SIGNAL, 65, 0);
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EINVAL);
	ev = sigev(3, 10, 0);
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EINVAL);
	ev = sigev(LBX_SIGEV_THREAD_ID, 10, 0);
	ev.tid = x.t->tid + 100;	/* no such thread in the process */
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), -EINVAL);
	ev.tid = x.t->tid;
	EXPECT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	EXPECT_EQ(lbx_ptimer_create(x.t, 0, 0, &ev, &id), -EINVAL);
	EXPECT_EQ(x.sb->nr_sigqueued, 1);
	task_fix_fini(&x);
}

TEST(ptimer_one_shot_signal)
{
	struct lbx_sigevent ev = sigev(LBX_SIGEV_SIGNAL, 40, 0xabcd);
	struct lbx_itimer val = { .value = 20 * MS }, cur, old;
	struct lbx_siginfo info;
	struct task_fix x;
	u64 t0;
	u32 id;

	pf_init(&x, 64);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(lbx_ptimer_settime(x.t, id, false, &val, &old), 0);
	EXPECT_EQ(old.value, 0);
	/* Sleepers wake for it. */
	EXPECT_LE(lbx_itimer_clamp(x.t, LBX_NO_DEADLINE), t0 + 30 * MS);
	EXPECT_GE(lbx_itimer_clamp(x.t, LBX_NO_DEADLINE), t0 + 20 * MS);
	EXPECT_EQ(lbx_itimer_clamp(x.t, 5), 5);
	ASSERT_EQ(lbx_ptimer_gettime(x.t, id, &cur), 0);
	EXPECT_GT(cur.value, 0);
	EXPECT_LE(cur.value, 20 * MS);
	EXPECT_FALSE(lbx_itimer_expire(x.t));	/* not yet */
	EXPECT_EQ(x.t->sigpending, 0);
	spin_until(lbx_itimer_clamp(x.t, LBX_NO_DEADLINE));
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(x.t->sigpending, SIGBIT(40));
	EXPECT_EQ(x.p->ptimer_next, 0);		/* a one-shot is done */
	EXPECT_FALSE(lbx_itimer_expire(x.t));
	ASSERT_EQ(take(x.t, &info), 40);
	EXPECT_EQ(info.code, LBX_SI_TIMER);
	EXPECT_EQ(info.timer.tid, (s32)id);
	EXPECT_EQ(info.timer.value, 0xabcd);
	EXPECT_EQ(info.timer.overrun, 0);
	ASSERT_EQ(lbx_ptimer_gettime(x.t, id, &cur), 0);
	EXPECT_EQ(cur.value, 0);
	EXPECT_EQ(lbx_ptimer_delete(x.t, id), 0);
	task_fix_fini(&x);
}

TEST(ptimer_overrun_while_queued)
{
	struct lbx_sigevent ev = sigev(LBX_SIGEV_SIGNAL, 12, 1);	/* standard */
	struct lbx_itimer val = { .value = MS, .interval = MS };
	struct lbx_siginfo info;
	struct task_fix x;
	u64 t0;
	u32 id;

	pf_init(&x, 64);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(lbx_ptimer_settime(x.t, id, false, &val, NULL), 0);
	spin_until(t0 + MS * 11 / 2);		/* 5 expiries at least */
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(x.t->sigpending, SIGBIT(12));
	EXPECT_GT(x.p->ptimer_next, t0 + 5 * MS);	/* reloaded */
	/* 2 more at least, while queued (relative to the reload: a busy
	 * host may have stalled us past some already). */
	spin_until(x.p->ptimer_next + MS * 3 / 2);
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(lbx_ptimer_getoverrun(x.t, id), 0);	/* nothing delivered yet */
	ASSERT_EQ(take(x.t, &info), 12);
	EXPECT_EQ(info.code, LBX_SI_TIMER);
	EXPECT_GE(info.timer.overrun, 4 + 2);
	EXPECT_LE(info.timer.overrun, 10000);
	EXPECT_EQ(lbx_ptimer_getoverrun(x.t, id), info.timer.overrun);
	/* The next expiry queues a new signal. */
	spin_until(lbx_plat_now_mono() + 2 * MS);
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(x.t->sigpending, SIGBIT(12));
	/* Deleted with its signal queued: the signal stays, as it was. */
	ASSERT_EQ(lbx_ptimer_delete(x.t, id), 0);
	EXPECT_EQ(x.p->ptimer_next, 0);
	ASSERT_EQ(take(x.t, &info), 12);
	EXPECT_EQ(info.code, LBX_SI_TIMER);
	EXPECT_EQ(info.timer.tid, (s32)id);
	task_fix_fini(&x);
}

TEST(ptimer_rt_signal_queued_once)
{
	struct lbx_sigevent ev = sigev(LBX_SIGEV_THREAD_ID, 50, 9);
	struct lbx_itimer val = { .value = MS, .interval = MS };
	struct lbx_siginfo info;
	struct task_fix x;
	u64 t0;
	u32 id;

	pf_init(&x, 64);
	ev.tid = x.t->tid;
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_REALTIME, 0, &ev, &id), 0);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(lbx_ptimer_settime(x.t, id, false, &val, NULL), 0);
	spin_until(t0 + 2 * MS);
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	spin_until(x.p->ptimer_next + MS * 3 / 2);
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	/* One instance queued (and one slot for the timer itself). */
	EXPECT_EQ(lbx_signal_queued_locked(x.t, 50), 1);
	EXPECT_EQ(x.sb->nr_sigqueued, 2);
	ASSERT_EQ(take(x.t, &info), 50);
	EXPECT_GE(info.timer.overrun, 2);
	EXPECT_EQ(info.timer.value, 9);
	EXPECT_EQ(take(x.t, &info), 0);
	lbx_ptimers_release(x.p);
	EXPECT_EQ(x.sb->nr_sigqueued, 0);
	task_fix_fini(&x);
}

TEST(ptimer_sigev_none_and_abstime)
{
	struct lbx_sigevent ev = sigev(LBX_SIGEV_NONE, 0, 0);
	struct lbx_itimer val, cur;
	struct task_fix x;
	u64 t0;
	u32 id;

	pf_init(&x, 64);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_MONOTONIC, 0, &ev, &id), 0);
	t0 = lbx_plat_now_mono();
	val.value = t0 + MS;		/* absolute, on the monotonic clock */
	val.interval = 0;
	ASSERT_EQ(lbx_ptimer_settime(x.t, id, true, &val, NULL), 0);
	spin_until(t0 + 2 * MS);
	lbx_itimer_expire(x.t);
	EXPECT_EQ(x.t->sigpending, 0);		/* SIGEV_NONE: no signal */
	ASSERT_EQ(lbx_ptimer_gettime(x.t, id, &cur), 0);
	EXPECT_EQ(cur.value, 0);
	/* A CLOCK_REALTIME absolute time in the past: due at once. */
	ev = sigev(LBX_SIGEV_SIGNAL, 10, 0);
	ASSERT_EQ(lbx_ptimer_create(x.t, LBX_PCLOCK_REALTIME, 0, &ev, &id), 0);
	val.value = 1;
	ASSERT_EQ(lbx_ptimer_settime(x.t, id, true, &val, NULL), 0);
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(x.t->sigpending, SIGBIT(10));
	task_fix_fini(&x);
}

TEST(ptimer_itimer_cpu)
{
	struct task_fix x;
	u64 v, i, ov, oi;
	volatile u64 n = 0;

	pf_init(&x, 64);
	lbx_itimer_cpu_set(x.t, LBX_ITIMER_PROF, 10 * LBX_NSEC_PER_SEC, MS, &ov, &oi);
	EXPECT_EQ(ov, 0);
	EXPECT_EQ(x.p->cpu_timers, 1);
	lbx_itimer_cpu_get(x.t, LBX_ITIMER_PROF, &v, &i);
	EXPECT_GT(v, 9 * LBX_NSEC_PER_SEC);
	EXPECT_LE(v, 10 * LBX_NSEC_PER_SEC);
	EXPECT_EQ(i, MS);
	/* Re-armed for 1 us of CPU time, and some computing: SIGPROF. */
	lbx_itimer_cpu_set(x.t, LBX_ITIMER_PROF, 1000, 0, &ov, &oi);
	EXPECT_GT(ov, 9 * LBX_NSEC_PER_SEC);
	EXPECT_EQ(oi, MS);
	while (n < 10000000)
		n++;
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_EQ(x.t->sigpending, SIGBIT(27));
	EXPECT_EQ(x.p->cpu_timers, 0);		/* a one-shot is done */
	lbx_itimer_cpu_get(x.t, LBX_ITIMER_PROF, &v, &i);
	EXPECT_EQ(v, 0);
	/* ITIMER_VIRTUAL: SIGVTALRM; released timers do not touch it. */
	lbx_itimer_cpu_set(x.t, LBX_ITIMER_VIRTUAL, 1000, 0, NULL, NULL);
	lbx_ptimers_release(x.p);
	EXPECT_EQ(x.p->cpu_timers, 1);
	for (n = 0; n < 10000000; n++)
		;
	EXPECT_TRUE(lbx_itimer_expire(x.t));
	EXPECT_TRUE(x.t->sigpending & SIGBIT(26));
	task_fix_fini(&x);
}
