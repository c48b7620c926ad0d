// SPDX-License-Identifier: GPL-2.0
/*
 * Core signal queueing (core/task/signal.c): standard signals coalesce,
 * real-time ones queue in order with their siginfo, lowest number first;
 * the RLIMIT_SIGPENDING bound and its two outcomes (lost siginfo for
 * kill(), -EAGAIN for the rest); process-directed target choice; queued
 * entries freed with their thread.
 */
#include <litebox/core.h>
#include <litebox/task.h>
#include "lbx_test.h"
#include "test_task_util.h"

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define SI_USER		0
#define SI_QUEUE	(-1)

static int send(struct lbx_thread *t, int sig, int code, u64 value)
{
	struct lbx_siginfo info;

	memset(&info, 0, sizeof(info));
	info.signo = sig;
	info.code = code;
	info.rt.pid = 7;
	info.rt.value = value;
	return lbx_signal_queue(t, &info);
}

static u32 take(struct lbx_thread *t, u64 mask, struct lbx_siginfo *info)
{
	u32 sig;

	lbx_plat_mutex_lock(&t->proc->sb->lock);
	sig = lbx_signal_dequeue_locked(t, mask, info);
	lbx_plat_mutex_unlock(&t->proc->sb->lock);
	return sig;
}

static u32 queued(struct lbx_thread *t, u32 sig)
{
	u32 n;

	lbx_plat_mutex_lock(&t->proc->sb->lock);
	n = lbx_signal_queued_locked(t, sig);
	lbx_plat_mutex_unlock(&t->proc->sb->lock);
	return n;
}

TEST(signal_rt_queue_in_order_standard_coalesce)
{
	struct lbx_siginfo info;
	struct task_fix x;

	task_fix_init(&x, 64);
	x.t->sigmask = ~0ULL;	/* everything stays pending */
	ASSERT_EQ(send(x.t, 35, SI_QUEUE, 1), 0);
	ASSERT_EQ(send(x.t, 34, SI_QUEUE, 2), 0);
	ASSERT_EQ(send(x.t, 35, SI_QUEUE, 3), 0);
	ASSERT_EQ(send(x.t, 10, SI_USER, 4), 0);
	ASSERT_EQ(send(x.t, 10, SI_USER, 5), 0);	/* merges into the first */
	ASSERT_EQ(send(x.t, 64, SI_QUEUE, 6), 0);
	EXPECT_EQ(x.t->sigpending, SIGBIT(10) | SIGBIT(34) | SIGBIT(35) | SIGBIT(64));
	EXPECT_EQ(queued(x.t, 35), 2);
	EXPECT_EQ(queued(x.t, 34), 1);
	EXPECT_EQ(x.sb->nr_sigqueued, 4);

	ASSERT_EQ(take(x.t, ~0ULL, &info), 10);
	EXPECT_EQ(info.rt.value, 4);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 34);
	EXPECT_EQ(info.rt.value, 2);
	EXPECT_EQ(info.code, SI_QUEUE);
	EXPECT_EQ(info.rt.pid, 7);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 35);
	EXPECT_EQ(info.rt.value, 1);
	/* One instance left: still pending. */
	EXPECT_TRUE(x.t->sigpending & SIGBIT(35));
	ASSERT_EQ(take(x.t, ~0ULL, &info), 35);
	EXPECT_EQ(info.rt.value, 3);
	EXPECT_FALSE(x.t->sigpending & SIGBIT(35));
	ASSERT_EQ(take(x.t, ~0ULL, &info), 64);
	EXPECT_EQ(info.rt.value, 6);
	EXPECT_EQ(take(x.t, ~0ULL, &info), 0);
	EXPECT_EQ(x.t->sigpending, 0);
	EXPECT_EQ(x.sb->nr_sigqueued, 0);
	EXPECT_TRUE(x.t->rtq_head == NULL);
	EXPECT_TRUE(x.t->rtq_tail == NULL);
	task_fix_fini(&x);
}

TEST(signal_dequeue_honours_the_mask)
{
	struct lbx_siginfo info;
	struct task_fix x;

	task_fix_init(&x, 64);
	x.t->sigmask = ~0ULL;
	ASSERT_EQ(send(x.t, 40, SI_QUEUE, 1), 0);
	ASSERT_EQ(send(x.t, 33, SI_QUEUE, 2), 0);
	ASSERT_EQ(send(x.t, 40, SI_QUEUE, 3), 0);
	/* Only 40 asked for: 33 stays, 40's oldest comes out (the queue's
	 * middle entry is unlinked, the tail stays right). */
	ASSERT_EQ(take(x.t, SIGBIT(40), &info), 40);
	EXPECT_EQ(info.rt.value, 1);
	ASSERT_EQ(send(x.t, 40, SI_QUEUE, 4), 0);
	ASSERT_EQ(take(x.t, SIGBIT(40), &info), 40);
	EXPECT_EQ(info.rt.value, 3);
	ASSERT_EQ(take(x.t, SIGBIT(40), &info), 40);
	EXPECT_EQ(info.rt.value, 4);
	EXPECT_EQ(take(x.t, SIGBIT(40), &info), 0);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 33);
	EXPECT_EQ(info.rt.value, 2);
	EXPECT_EQ(x.sb->nr_sigqueued, 0);
	task_fix_fini(&x);
}

TEST(signal_rt_queue_limit)
{
	struct lbx_siginfo info;
	struct task_fix x;

	task_fix_init(&x, 2);
	x.t->sigmask = ~0ULL;
	ASSERT_EQ(send(x.t, 34, SI_QUEUE, 1), 0);
	ASSERT_EQ(send(x.t, 34, SI_QUEUE, 2), 0);
	/* Full: sigqueue and tgkill-style sends fail... */
	EXPECT_EQ(send(x.t, 34, SI_QUEUE, 3), -EAGAIN);
	EXPECT_EQ(send(x.t, 36, -6 /* SI_TKILL */, 3), -EAGAIN);
	EXPECT_FALSE(x.t->sigpending & SIGBIT(36));
	/* ...kill() still makes the signal pending, without its siginfo. */
	EXPECT_EQ(send(x.t, 37, SI_USER, 99), 0);
	EXPECT_TRUE(x.t->sigpending & SIGBIT(37));
	EXPECT_EQ(x.sb->nr_sigqueued, 2);
	/* Standard signals are not counted against the limit. */
	EXPECT_EQ(send(x.t, 12, SI_QUEUE, 5), 0);

	ASSERT_EQ(take(x.t, ~0ULL, &info), 12);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 34);
	EXPECT_EQ(info.rt.value, 1);
	/* Room again. */
	EXPECT_EQ(send(x.t, 34, SI_QUEUE, 3), 0);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 34);
	EXPECT_EQ(info.rt.value, 2);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 34);
	EXPECT_EQ(info.rt.value, 3);
	ASSERT_EQ(take(x.t, ~0ULL, &info), 37);
	EXPECT_EQ(info.code, SI_USER);
	EXPECT_EQ(info.rt.pid, 0);
	EXPECT_EQ(info.rt.value, 0);
	EXPECT_EQ(take(x.t, ~0ULL, &info), 0);
	EXPECT_EQ(x.sb->nr_sigqueued, 0);
	task_fix_fini(&x);
}

TEST(signal_limit_counts_the_whole_sandbox)
{
	struct lbx_thread *t2;
	struct task_fix x;

	task_fix_init(&x, 3);
	x.t->sigmask = ~0ULL;
	ASSERT_EQ(lbx_thread_create(x.p, &t2), 0);
	t2->sigmask = ~0ULL;
	ASSERT_EQ(send(x.t, 34, SI_QUEUE, 1), 0);
	ASSERT_EQ(send(t2, 34, SI_QUEUE, 2), 0);
	ASSERT_EQ(send(t2, 35, SI_QUEUE, 3), 0);
	EXPECT_EQ(send(x.t, 35, SI_QUEUE, 4), -EAGAIN);
	EXPECT_EQ(x.sb->nr_sigqueued, 3);
	/* A thread that goes frees what was queued on it. */
	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	EXPECT_EQ(x.sb->nr_sigqueued, 1);
	EXPECT_EQ(send(x.t, 35, SI_QUEUE, 4), 0);
	task_fix_fini(&x);	/* frees the rest (ASan: no leak) */
}

TEST(signal_zero_limit_queues_nothing)
{
	struct task_fix x;

	task_fix_init(&x, 0);
	x.t->sigmask = ~0ULL;
	EXPECT_EQ(send(x.t, 50, SI_QUEUE, 1), -EAGAIN);
	EXPECT_EQ(x.t->sigpending, 0);
	EXPECT_EQ(send(x.t, 50, SI_USER, 1), 0);
	EXPECT_EQ(x.t->sigpending, SIGBIT(50));
	EXPECT_EQ(send(x.t, 0, SI_USER, 1), -EINVAL);
	EXPECT_EQ(send(x.t, 65, SI_USER, 1), -EINVAL);
	task_fix_fini(&x);
}

TEST(signal_process_directed_target)
{
	struct lbx_thread *t2, *t3;
	struct lbx_siginfo info;
	struct task_fix x;

	task_fix_init(&x, 16);
	ASSERT_EQ(lbx_thread_create(x.p, &t2), 0);
	ASSERT_EQ(lbx_thread_create(x.p, &t3), 0);
	x.p->sigactions[34 - 1].handler = 0x1000;	/* caught: not ignored */
	x.p->sigactions[10 - 1].handler = 0x1000;

	/* The main thread, when it takes the signal. */
	memset(&info, 0, sizeof(info));
	info.signo = 34;
	info.code = SI_QUEUE;
	ASSERT_EQ(lbx_signal_process(x.p, &info), 0);
	EXPECT_EQ(queued(x.t, 34), 1);

	/* A thread that does not block it, when the main thread does. */
	x.t->sigmask = ~0ULL;
	t2->sigmask = ~0ULL;
	ASSERT_EQ(lbx_signal_process(x.p, &info), 0);
	EXPECT_EQ(queued(t3, 34), 1);

	/* One that waits for it in sigtimedwait, though it blocks it. */
	t3->sigmask = ~0ULL;
	t2->sigwait_set = SIGBIT(34);
	ASSERT_EQ(lbx_signal_process(x.p, &info), 0);
	EXPECT_EQ(queued(t2, 34), 1);

	/* Nobody: the main thread. */
	t2->sigwait_set = 0;
	info.signo = 10;
	ASSERT_EQ(lbx_signal_process(x.p, &info), 0);
	EXPECT_EQ(x.t->sigpending, SIGBIT(34) | SIGBIT(10));

	/* Ignored: discarded. */
	x.p->sigactions[34 - 1].handler = 1;	/* SIG_IGN */
	info.signo = 34;
	ASSERT_EQ(lbx_signal_process(x.p, &info), 0);
	EXPECT_EQ(queued(x.t, 34), 1);

	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	lbx_thread_exit(t3);
	lbx_thread_put(t3);
	task_fix_fini(&x);
}
