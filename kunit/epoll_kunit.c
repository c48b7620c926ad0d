// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_epoll: core/ipc/epoll.c against epoll(7) in kernel mode:
 * level-triggered reports on every wait, edge-triggered only on a new
 * edge (and the writer's close is one), EPOLLONESHOT disarms until
 * EPOLL_CTL_MOD, an epoll file watched by another epoll file (and by
 * poll), a watch that goes with the last reference to its file,
 * including an epoll file closed before the files it watches, wake-ups
 * that run through chains of 2 to 5 epolls (each epoll's poll_wq lock
 * taken under the one below it: lockdep checks their nesting annotation,
 * and the lane fails on its report), and Linux's ELOOP for cycles and for
 * chains of more than 5 epolls.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <litebox/epoll.h>
#include <litebox/eventfd.h>
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include "lbx_kunit.h"

/* ---- fixture: a VFS holding the case's files (lbx_kunit.h) ---- */

static struct lbx_kunit_fs *ep_init(struct kunit *test)
{
	return lbx_kunit_fs_init(test, 64ULL << 20);
}

static struct lbx_file *keep(struct kunit *test, struct lbx_kunit_fs *e, int ret,
			     struct lbx_file *f)
{
	KUNIT_ASSERT_EQ(test, ret, 0);
	return lbx_kunit_hold(test, e, f);
}

static struct lbx_file *mk_epoll(struct kunit *test, struct lbx_kunit_fs *e)
{
	struct lbx_file *f = NULL;
	int ret = lbx_epoll_create(e->vfs, &f);

	return keep(test, e, ret, f);
}

static struct lbx_file *mk_efd(struct kunit *test, struct lbx_kunit_fs *e, u64 init)
{
	struct lbx_file *f = NULL;
	int ret = lbx_eventfd_create(e->vfs, init, LX_EFD_NONBLOCK, &f);

	return keep(test, e, ret, f);
}

static void mk_pipe(struct kunit *test, struct lbx_kunit_fs *e, struct lbx_file **rd,
		    struct lbx_file **wr)
{
	int ret = lbx_pipe_create(e->vfs, LX_O_NONBLOCK, rd, wr);

	keep(test, e, ret, *rd);
	keep(test, e, 0, *wr);
}

static int ctl(struct lbx_file *ep, int op, int fd, struct lbx_file *tf, u32 events, u64 data)
{
	struct lbx_epoll_event ev = { .events = events, .data = data };

	return lbx_epoll_ctl(ep, op, fd, tf, &ev);
}

/* A wait that does not block. */
static int poll_now(struct lbx_file *ep, struct lbx_epoll_event *ev, u32 max)
{
	return lbx_epoll_wait(ep, ev, max, lbx_plat_now_mono(), NULL);
}

static long put64(struct lbx_file *f, u64 v)
{
	return lbx_kunit_write(f, &v, sizeof(v));
}

/* ---- cases ---- */

/* Level-triggered: reported on every wait while readable, with its data;
 * EPOLL_CTL_MOD changes the events and the data. */
static void level_triggered_reports_every_wait(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *ep = mk_epoll(test, e), *efd = mk_efd(test, e, 0);
	struct lbx_epoll_event ev[4];
	u64 v;

	KUNIT_ASSERT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 3, efd, LX_EPOLLIN, 0xabcdef0123ULL), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, put64(efd, 2), 8L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].events, (u32)LX_EPOLLIN);
	KUNIT_EXPECT_EQ(test, ev[0].data, 0xabcdef0123ULL);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(efd, &v, sizeof(v)), 8L);
	KUNIT_EXPECT_EQ(test, v, 2ULL);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_MOD, 3, efd, LX_EPOLLOUT, 7), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].events, (u32)LX_EPOLLOUT);
	KUNIT_EXPECT_EQ(test, ev[0].data, 7ULL);
	/* Errors: a second ADD, a MOD or DEL of what is not watched. */
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 3, efd, LX_EPOLLIN, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_DEL, 3, efd, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_MOD, 3, efd, LX_EPOLLIN, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_DEL, 3, efd, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 4, ep, LX_EPOLLIN, 0), -EINVAL);
	lbx_kunit_fs_fini(test, e);
}

/* Edge-triggered: a report per new edge, none while the state stays;
 * the last writer's close is an edge (EPOLLHUP). */
static void edge_triggered_reports_each_edge_once(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *ep = mk_epoll(test, e), *rd, *wr;
	struct lbx_epoll_event ev[4];
	char buf[8];

	mk_pipe(test, e, &rd, &wr);
	KUNIT_ASSERT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 3, rd, LX_EPOLLIN | LX_EPOLLET, 1), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(wr, "ab", 2), 2L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].events, (u32)LX_EPOLLIN);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);	/* still readable, no edge */
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(wr, "c", 1), 1L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(rd, buf, sizeof(buf)), 3L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	lbx_kunit_close(e, wr);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].events, (u32)LX_EPOLLHUP);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	lbx_kunit_fs_fini(test, e);
}

/* EPOLLONESHOT: one report, then nothing (even on a new edge) until
 * EPOLL_CTL_MOD re-arms it. */
static void oneshot_disarms_until_mod(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *ep = mk_epoll(test, e), *efd = mk_efd(test, e, 1);
	struct lbx_epoll_event ev[4];

	KUNIT_ASSERT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 3, efd,
				  LX_EPOLLIN | LX_EPOLLONESHOT, 5), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].data, 5ULL);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, put64(efd, 1), 8L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep, LX_EPOLL_CTL_MOD, 3, efd,
				  LX_EPOLLIN | LX_EPOLLONESHOT, 6), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	KUNIT_EXPECT_EQ(test, ev[0].data, 6ULL);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	lbx_kunit_fs_fini(test, e);
}

/* An epoll file in another: the inner one's readiness is the outer's
 * event (found when the inner one is added: no nested wake-up, see the
 * top); poll() on an epoll file sees it too; a cycle is refused. */
static void nested_epoll_reports_inner_readiness(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *outer = mk_epoll(test, e), *inner = mk_epoll(test, e);
	struct lbx_file *efd = mk_efd(test, e, 1), *idle = mk_efd(test, e, 0);
	struct lbx_epoll_event ev[2];
	struct lbx_poll_entry pe = { .file = inner, .events = LX_POLLIN };

	KUNIT_ASSERT_EQ(test, ctl(inner, LX_EPOLL_CTL_ADD, 6, idle, LX_EPOLLIN, 9), 0);
	KUNIT_ASSERT_EQ(test, ctl(outer, LX_EPOLL_CTL_ADD, 4, inner, LX_EPOLLIN, 2), 0);
	KUNIT_EXPECT_EQ(test, ctl(inner, LX_EPOLL_CTL_ADD, 5, outer, LX_EPOLLIN, 3), -ELOOP);
	KUNIT_EXPECT_EQ(test, poll_now(outer, ev, 2), 0);
	KUNIT_EXPECT_EQ(test, ctl(outer, LX_EPOLL_CTL_DEL, 4, inner, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, ctl(inner, LX_EPOLL_CTL_ADD, 3, efd, LX_EPOLLIN, 1), 0);
	KUNIT_ASSERT_EQ(test, ctl(outer, LX_EPOLL_CTL_ADD, 4, inner, LX_EPOLLIN, 2), 0);
	KUNIT_EXPECT_EQ(test, poll_now(outer, ev, 2), 1);
	KUNIT_EXPECT_EQ(test, ev[0].data, 2ULL);
	KUNIT_EXPECT_EQ(test, lbx_poll_wait(&pe, 1, 0, NULL), 1);
	KUNIT_EXPECT_EQ(test, pe.revents, (u32)LX_POLLIN);
	KUNIT_EXPECT_EQ(test, poll_now(inner, ev, 2), 1);
	KUNIT_EXPECT_EQ(test, ev[0].data, 1ULL);
	lbx_kunit_fs_fini(test, e);
}

/* Closing a watched file: a second reference keeps the watch, the last
 * one removes it (and gives its memory back); an epoll file closed before
 * the files it watches leaves them working (KASAN watches the wakeup). */
static void watch_goes_with_the_last_reference(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *ep = mk_epoll(test, e), *ep2 = mk_epoll(test, e), *efd, *rd, *wr;
	struct lbx_epoll_event ev[4];
	u64 before = lbx_memacct_used(&e->acct);

	efd = mk_efd(test, e, 1);
	KUNIT_ASSERT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 3, efd, LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_GT(test, lbx_memacct_used(&e->acct), before);
	lbx_file_get(efd);		/* a dup */
	lbx_file_put(efd);
	KUNIT_EXPECT_EQ(test, lbx_epoll_nr_watches(ep), 1);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 1);
	lbx_kunit_close(e, efd);
	KUNIT_EXPECT_EQ(test, lbx_epoll_nr_watches(ep), 0);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&e->acct), before);

	/* An epoll file's last reference: gone from the epoll watching it;
	 * the files it watched live on and wake nobody that is gone. */
	mk_pipe(test, e, &rd, &wr);
	KUNIT_ASSERT_EQ(test, ctl(ep2, LX_EPOLL_CTL_ADD, 3, rd, LX_EPOLLIN, 0), 0);
	KUNIT_ASSERT_EQ(test, ctl(ep2, LX_EPOLL_CTL_ADD, 4, wr, LX_EPOLLOUT, 0), 0);
	KUNIT_ASSERT_EQ(test, ctl(ep, LX_EPOLL_CTL_ADD, 5, ep2, LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, lbx_epoll_nr_watches(ep), 1);
	KUNIT_EXPECT_EQ(test, lbx_epoll_nr_watches(ep2), 2);
	lbx_kunit_close(e, ep2);
	KUNIT_EXPECT_EQ(test, lbx_epoll_nr_watches(ep), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(wr, "x", 1), 1L);
	KUNIT_EXPECT_EQ(test, poll_now(ep, ev, 4), 0);
	lbx_kunit_fs_fini(test, e);
}

/* An epoll_wait() in a kthread (no guest thread: not interruptible). */
struct ep_sleeper {
	struct lbx_file *ep;
	struct lbx_epoll_event ev;
	int ret;
	struct completion done;
	struct task_struct *task;
};

static int ep_sleeper_fn(void *data)
{
	struct ep_sleeper *s = data;

	s->ret = lbx_epoll_wait(s->ep, &s->ev, 1,
				lbx_plat_now_mono() + 10 * NSEC_PER_SEC, NULL);
	complete(&s->done);
	return 0;
}

/*
 * A chain of levels epolls, ep[0] watching efd and ep[i] watching
 * ep[i - 1]: an eventfd write runs one wake-up through all of them, each
 * poll_wq lock taken under the one below (lockdep checks the subclasses),
 * and the top one reports it, to epoll_wait() and to poll(); a drained
 * eventfd is no longer readable at the top (each epoll re-polls what is
 * below it). Then a sleeper at the top is woken through the chain.
 */
static void nested_wakeup_chain(struct kunit *test, int levels)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *efd = mk_efd(test, e, 0), *ep[5], *top;
	struct lbx_poll_entry pe;
	struct lbx_epoll_event ev[2];
	struct ep_sleeper s = { .ret = -1 };
	struct task_struct *t;
	u64 v;
	int i;

	for (i = 0; i < levels; i++) {
		ep[i] = mk_epoll(test, e);
		KUNIT_ASSERT_EQ(test, ctl(ep[i], LX_EPOLL_CTL_ADD, 3 + i,
					  i ? ep[i - 1] : efd, LX_EPOLLIN, 100 + i), 0);
	}
	top = ep[levels - 1];
	KUNIT_EXPECT_EQ(test, poll_now(top, ev, 2), 0);
	KUNIT_EXPECT_EQ(test, put64(efd, 1), 8L);
	KUNIT_EXPECT_EQ(test, poll_now(top, ev, 2), 1);
	KUNIT_EXPECT_EQ(test, ev[0].data, (u64)(100 + levels - 1));
	KUNIT_EXPECT_EQ(test, ev[0].events, (u32)LX_EPOLLIN);
	pe = (struct lbx_poll_entry){ .file = top, .events = LX_POLLIN };
	KUNIT_EXPECT_EQ(test, lbx_poll_wait(&pe, 1, 0, NULL), 1);
	KUNIT_EXPECT_EQ(test, pe.revents, (u32)LX_POLLIN);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(efd, &v, sizeof(v)), 8L);
	KUNIT_EXPECT_EQ(test, poll_now(top, ev, 2), 0);
	pe.revents = 0;
	KUNIT_EXPECT_EQ(test, lbx_poll_wait(&pe, 1, 0, NULL), 0);

	s.ep = top;
	init_completion(&s.done);
	t = kthread_run(ep_sleeper_fn, &s, "lbx-kunit-epoll");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	msleep(50);		/* (asleep by now, or it finds the event) */
	KUNIT_EXPECT_EQ(test, put64(efd, 1), 8L);
	if (!wait_for_completion_timeout(&s.done, 5 * HZ)) {
		KUNIT_FAIL(test, "the sleeper was not woken within 5 s");
		wait_for_completion(&s.done);	/* its 10 s deadline */
	}
	kthread_stop(t);
	put_task_struct(t);
	KUNIT_EXPECT_EQ(test, s.ret, 1);
	KUNIT_EXPECT_EQ(test, s.ev.data, (u64)(100 + levels - 1));
	lbx_kunit_fs_fini(test, e);
}

static void nested_wakeup_2_levels(struct kunit *test)
{
	nested_wakeup_chain(test, 2);
}

static void nested_wakeup_3_levels(struct kunit *test)
{
	nested_wakeup_chain(test, 3);
}

static void nested_wakeup_4_levels(struct kunit *test)
{
	nested_wakeup_chain(test, 4);
}

static void nested_wakeup_5_levels(struct kunit *test)
{
	nested_wakeup_chain(test, 5);
}

/*
 * ELOOP as Linux 6.1+ (checked natively): a cycle, direct or through
 * others; and a chain of more than 5 epolls (4 watches), whichever way it
 * is built: from the top down, from the bottom up, or by joining two.
 */
static void eloop_cycles_and_depth(struct kunit *test)
{
	struct lbx_kunit_fs *e = ep_init(test);
	struct lbx_file *ep[7];
	int i;

	for (i = 0; i < 7; i++)
		ep[i] = mk_epoll(test, e);
	/* Cycles. */
	KUNIT_ASSERT_EQ(test, ctl(ep[0], LX_EPOLL_CTL_ADD, 1, ep[1], LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[1], LX_EPOLL_CTL_ADD, 0, ep[0], LX_EPOLLIN, 0), -ELOOP);
	KUNIT_ASSERT_EQ(test, ctl(ep[1], LX_EPOLL_CTL_ADD, 2, ep[2], LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[2], LX_EPOLL_CTL_ADD, 0, ep[0], LX_EPOLLIN, 0), -ELOOP);
	/* A second way down to the same epoll is no cycle. */
	KUNIT_EXPECT_EQ(test, ctl(ep[0], LX_EPOLL_CTL_ADD, 2, ep[2], LX_EPOLLIN, 0), 0);
	/* Top down: ep[i] watches ep[i + 1]; the fifth watch is one too many. */
	KUNIT_EXPECT_EQ(test, ctl(ep[2], LX_EPOLL_CTL_ADD, 3, ep[3], LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[3], LX_EPOLL_CTL_ADD, 4, ep[4], LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[4], LX_EPOLL_CTL_ADD, 5, ep[5], LX_EPOLLIN, 0), -ELOOP);
	/* Bottom up: ep[5] watching ep[6] is fine alone, not below ep[4]. */
	KUNIT_EXPECT_EQ(test, ctl(ep[5], LX_EPOLL_CTL_ADD, 6, ep[6], LX_EPOLLIN, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[4], LX_EPOLL_CTL_ADD, 5, ep[5], LX_EPOLLIN, 0), -ELOOP);
	/* Shorter: 2 -> 3 -> 4 -> 5 -> 6 is allowed (4 watches)... */
	KUNIT_EXPECT_EQ(test, ctl(ep[0], LX_EPOLL_CTL_DEL, 1, ep[1], 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[0], LX_EPOLL_CTL_DEL, 2, ep[2], 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[1], LX_EPOLL_CTL_DEL, 2, ep[2], 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ctl(ep[4], LX_EPOLL_CTL_ADD, 5, ep[5], LX_EPOLLIN, 0), 0);
	/* ...one more on top is not... */
	KUNIT_EXPECT_EQ(test, ctl(ep[1], LX_EPOLL_CTL_ADD, 2, ep[2], LX_EPOLLIN, 0), -ELOOP);
	/* ...until an epoll at the bottom is closed (it leaves the graph). */
	lbx_kunit_close(e, ep[6]);
	KUNIT_EXPECT_EQ(test, ctl(ep[1], LX_EPOLL_CTL_ADD, 2, ep[2], LX_EPOLLIN, 0), 0);
	lbx_kunit_fs_fini(test, e);
}

static struct kunit_case epoll_cases[] = {
	KUNIT_CASE(level_triggered_reports_every_wait),
	KUNIT_CASE(edge_triggered_reports_each_edge_once),
	KUNIT_CASE(oneshot_disarms_until_mod),
	KUNIT_CASE(nested_epoll_reports_inner_readiness),
	KUNIT_CASE(watch_goes_with_the_last_reference),
	KUNIT_CASE(nested_wakeup_2_levels),
	KUNIT_CASE(nested_wakeup_3_levels),
	KUNIT_CASE(nested_wakeup_4_levels),
	KUNIT_CASE(nested_wakeup_5_levels),
	KUNIT_CASE(eloop_cycles_and_depth),
	{}
};

static struct kunit_suite epoll_suite = {
	.name = "litebox_epoll",
	.test_cases = epoll_cases,
};

kunit_test_suite(epoll_suite);
