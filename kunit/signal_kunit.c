// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_signal: core/task/signal.c in kernel mode, as signal(7) and
 * sigqueue(3) have it: standard signals coalesce, real-time ones queue in
 * order with their siginfo, lowest number first; dequeueing honours the
 * mask it is given; RLIMIT_SIGPENDING bounds the queue for the whole
 * sandbox (-EAGAIN for sigqueue/tgkill, a siginfo-less signal for kill);
 * what is deliverable (SIGKILL and SIGSTOP cannot be blocked); the thread a
 * process-directed signal goes to. Queued entries go with their thread
 * (kmemleak watches).
 */
#include <litebox/task.h>
#include "lbx_kunit.h"

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define T_SI_USER		0
#define T_SI_QUEUE	(-1)
#define T_SI_TKILL	(-6)

/* ---- fixture: a sandbox, a process, its thread; torn down as a resource ---- */

struct sig_fix {
	struct lbx_sandbox *sb;
	struct lbx_process *p;
	struct lbx_thread *t;
	struct lbx_thread *extra[2];	/* more threads of p */
	int nextra;
};

static int sig_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* Reverse order of creation. */
static void sig_teardown(struct sig_fix *x)
{
	while (x->nextra > 0) {
		struct lbx_thread *t = x->extra[--x->nextra];

		lbx_thread_exit(t);
		lbx_thread_put(t);
	}
	if (x->t) {
		lbx_process_exit(x->p, 0);
		lbx_thread_exit(x->t);
		lbx_thread_put(x->t);
		x->t = NULL;
	}
	if (x->sb)
		lbx_sandbox_put(x->sb);
	x->sb = NULL;
}

static void sig_res_free(struct kunit_resource *res)
{
	sig_teardown(res->data);
}

static struct sig_fix *sig_init(struct kunit *test, u64 sigpending_limit)
{
	struct sig_fix *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct lbx_limits lim = { 0 };

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, sig_res_init, sig_res_free,
							 GFP_KERNEL, x));
	KUNIT_ASSERT_EQ(test, lbx_sandbox_create(&lim, NULL, &x->sb), 0);
	KUNIT_ASSERT_EQ(test, lbx_process_create(x->sb, NULL, &x->t), 0);
	x->p = x->t->proc;
	x->p->rlim[LBX_RLIMIT_SIGPENDING].cur = sigpending_limit;
	x->p->rlim[LBX_RLIMIT_SIGPENDING].max = sigpending_limit;
	return x;
}

static struct lbx_thread *sig_thread(struct kunit *test, struct sig_fix *x)
{
	struct lbx_thread *t;

	KUNIT_ASSERT_LT(test, x->nextra, (int)ARRAY_SIZE(x->extra));
	KUNIT_ASSERT_EQ(test, lbx_thread_create(x->p, &t), 0);
	x->extra[x->nextra++] = t;
	return t;
}

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

/* ---- cases ---- */

static void rt_signals_queue_in_order_standard_ones_coalesce(struct kunit *test)
{
	struct sig_fix *x = sig_init(test, 64);
	struct lbx_siginfo info;

	x->t->sigmask = ~0ULL;		/* everything stays pending */
	KUNIT_ASSERT_EQ(test, send(x->t, 35, T_SI_QUEUE, 1), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 34, T_SI_QUEUE, 2), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 35, T_SI_QUEUE, 3), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 10, T_SI_USER, 4), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 10, T_SI_USER, 5), 0);	/* merges */
	KUNIT_EXPECT_EQ(test, x->t->sigpending, SIGBIT(10) | SIGBIT(34) | SIGBIT(35));
	KUNIT_EXPECT_EQ(test, queued(x->t, 35), 2U);
	KUNIT_EXPECT_EQ(test, x->sb->nr_sigqueued, 3U);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 10U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 4ULL);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 34U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 2ULL);
	KUNIT_EXPECT_EQ(test, info.code, T_SI_QUEUE);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 35U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 1ULL);
	KUNIT_EXPECT_TRUE(test, x->t->sigpending & SIGBIT(35));	/* one left */
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 35U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 3ULL);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 0U);
	KUNIT_EXPECT_EQ(test, x->t->sigpending, 0ULL);
	KUNIT_EXPECT_EQ(test, x->sb->nr_sigqueued, 0U);
	KUNIT_EXPECT_NULL(test, x->t->rtq_head);
	KUNIT_EXPECT_NULL(test, x->t->rtq_tail);
}

/* Only the signals asked for come out; the queue's middle entry is
 * unlinked with its tail kept right. */
static void dequeue_honours_the_mask(struct kunit *test)
{
	struct sig_fix *x = sig_init(test, 64);
	struct lbx_siginfo info;

	x->t->sigmask = ~0ULL;
	KUNIT_ASSERT_EQ(test, send(x->t, 40, T_SI_QUEUE, 1), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 33, T_SI_QUEUE, 2), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 40, T_SI_QUEUE, 3), 0);
	KUNIT_EXPECT_EQ(test, take(x->t, SIGBIT(40), &info), 40U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 1ULL);
	KUNIT_ASSERT_EQ(test, send(x->t, 40, T_SI_QUEUE, 4), 0);
	KUNIT_EXPECT_EQ(test, take(x->t, SIGBIT(40), &info), 40U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 3ULL);
	KUNIT_EXPECT_EQ(test, take(x->t, SIGBIT(40), &info), 40U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 4ULL);
	KUNIT_EXPECT_EQ(test, take(x->t, SIGBIT(40), &info), 0U);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 33U);
	KUNIT_EXPECT_EQ(test, x->sb->nr_sigqueued, 0U);
}

/* RLIMIT_SIGPENDING, counted over the whole sandbox: sigqueue and tgkill
 * get -EAGAIN, kill() still makes the signal pending without its siginfo;
 * a thread that goes frees what was queued on it. */
static void queue_limit_counts_the_sandbox(struct kunit *test)
{
	struct sig_fix *x = sig_init(test, 3);
	struct lbx_thread *t2 = sig_thread(test, x);
	struct lbx_siginfo info;

	x->t->sigmask = ~0ULL;
	t2->sigmask = ~0ULL;
	KUNIT_ASSERT_EQ(test, send(x->t, 34, T_SI_QUEUE, 1), 0);
	KUNIT_ASSERT_EQ(test, send(t2, 34, T_SI_QUEUE, 2), 0);
	KUNIT_ASSERT_EQ(test, send(t2, 35, T_SI_QUEUE, 3), 0);
	KUNIT_EXPECT_EQ(test, send(x->t, 35, T_SI_QUEUE, 4), -EAGAIN);
	KUNIT_EXPECT_EQ(test, send(x->t, 36, T_SI_TKILL, 4), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, x->t->sigpending & SIGBIT(36));
	KUNIT_EXPECT_EQ(test, send(x->t, 37, T_SI_USER, 99), 0);
	KUNIT_EXPECT_TRUE(test, x->t->sigpending & SIGBIT(37));
	KUNIT_EXPECT_EQ(test, send(x->t, 12, T_SI_QUEUE, 5), 0);	/* standard: not counted */
	KUNIT_EXPECT_EQ(test, x->sb->nr_sigqueued, 3U);
	x->nextra--;
	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	KUNIT_EXPECT_EQ(test, x->sb->nr_sigqueued, 1U);
	KUNIT_EXPECT_EQ(test, send(x->t, 35, T_SI_QUEUE, 4), 0);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 12U);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 34U);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 35U);
	KUNIT_EXPECT_EQ(test, info.rt.value, 4ULL);
	KUNIT_EXPECT_EQ(test, take(x->t, ~0ULL, &info), 37U);
	KUNIT_EXPECT_EQ(test, info.code, T_SI_USER);
	KUNIT_EXPECT_EQ(test, info.rt.value, 0ULL);
	/* A zero limit queues no real-time siginfo at all; bad numbers. */
	x->p->rlim[LBX_RLIMIT_SIGPENDING].cur = 0;
	KUNIT_EXPECT_EQ(test, send(x->t, 50, T_SI_QUEUE, 1), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, x->t->sigpending & SIGBIT(50));
	KUNIT_EXPECT_EQ(test, send(x->t, 0, T_SI_USER, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, send(x->t, 65, T_SI_USER, 1), -EINVAL);
}

/* Deliverable: pending and not blocked; SIGKILL and SIGSTOP whatever
 * the mask says. Left pending in the queue, they go with the thread. */
static void blocked_signals_are_not_deliverable_but_kill_and_stop_are(struct kunit *test)
{
	struct sig_fix *x = sig_init(test, 16);

	x->t->sigmask = ~0ULL;
	KUNIT_ASSERT_EQ(test, send(x->t, 10, T_SI_USER, 0), 0);
	KUNIT_ASSERT_EQ(test, send(x->t, 34, T_SI_QUEUE, 1), 0);
	KUNIT_EXPECT_EQ(test, lbx_signal_deliverable(x->t), 0ULL);
	x->t->sigmask = ~SIGBIT(34);
	KUNIT_EXPECT_EQ(test, lbx_signal_deliverable(x->t), SIGBIT(34));
	x->t->sigmask = ~0ULL;
	KUNIT_ASSERT_EQ(test, send(x->t, 19, T_SI_USER, 0), 0);	/* SIGSTOP */
	KUNIT_EXPECT_EQ(test, lbx_signal_deliverable(x->t), SIGBIT(19));
	KUNIT_ASSERT_EQ(test, send(x->t, 9, T_SI_USER, 0), 0);	/* SIGKILL */
	KUNIT_EXPECT_EQ(test, lbx_signal_deliverable(x->t), SIGBIT(9) | SIGBIT(19));
	KUNIT_EXPECT_EQ(test, LBX_SIG_UNBLOCKABLE, SIGBIT(9) | SIGBIT(19));
}

/* A process-directed signal goes to the main thread if it takes it, else
 * to a thread that does not block it, else to one waiting for it in
 * sigtimedwait, else to the main thread; an ignored one is discarded. */
static void process_signal_picks_a_thread(struct kunit *test)
{
	struct sig_fix *x = sig_init(test, 16);
	struct lbx_thread *t2 = sig_thread(test, x), *t3 = sig_thread(test, x);
	struct lbx_siginfo info = { .signo = 34, .code = T_SI_QUEUE };

	x->p->sigactions[34 - 1].handler = 0x1000;	/* caught */
	x->p->sigactions[10 - 1].handler = 0x1000;
	KUNIT_ASSERT_EQ(test, lbx_signal_process(x->p, &info), 0);
	KUNIT_EXPECT_EQ(test, queued(x->t, 34), 1U);
	x->t->sigmask = ~0ULL;
	t2->sigmask = ~0ULL;
	KUNIT_ASSERT_EQ(test, lbx_signal_process(x->p, &info), 0);
	KUNIT_EXPECT_EQ(test, queued(t3, 34), 1U);
	t3->sigmask = ~0ULL;
	t2->sigwait_set = SIGBIT(34);
	KUNIT_ASSERT_EQ(test, lbx_signal_process(x->p, &info), 0);
	KUNIT_EXPECT_EQ(test, queued(t2, 34), 1U);
	t2->sigwait_set = 0;
	info.signo = 10;
	KUNIT_ASSERT_EQ(test, lbx_signal_process(x->p, &info), 0);
	KUNIT_EXPECT_EQ(test, x->t->sigpending, SIGBIT(34) | SIGBIT(10));
	x->p->sigactions[34 - 1].handler = 1;		/* SIG_IGN */
	info.signo = 34;
	KUNIT_ASSERT_EQ(test, lbx_signal_process(x->p, &info), 0);
	KUNIT_EXPECT_EQ(test, queued(x->t, 34), 1U);
}

static struct kunit_case signal_cases[] = {
	KUNIT_CASE(rt_signals_queue_in_order_standard_ones_coalesce),
	KUNIT_CASE(dequeue_honours_the_mask),
	KUNIT_CASE(queue_limit_counts_the_sandbox),
	KUNIT_CASE(blocked_signals_are_not_deliverable_but_kill_and_stop_are),
	KUNIT_CASE(process_signal_picks_a_thread),
	{}
};

static struct kunit_suite signal_suite = {
	.name = "litebox_signal",
	.test_cases = signal_cases,
};

kunit_test_suite(signal_suite);
