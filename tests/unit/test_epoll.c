// SPDX-License-Identifier: GPL-2.0
/* core/ipc/epoll.c and core/ipc/timerfd.c */
#include <pthread.h>
#include <unistd.h>

#include <litebox/epoll.h>
#include <litebox/eventfd.h>
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include <litebox/timerfd.h>
#include "test_vfs_util.h"

#define MS	1000000ULL

static struct lbx_file *mk_epoll(struct fsfix *fx)
{
	struct lbx_file *f = NULL;

	if (lbx_epoll_create(fx->vfs, &f))
		return NULL;
	return f;
}

static struct lbx_file *mk_efd(struct fsfix *fx, u64 init)
{
	struct lbx_file *f = NULL;

	if (lbx_eventfd_create(fx->vfs, init, LX_EFD_NONBLOCK, &f))
		return NULL;
	return f;
}

static struct lbx_file *mk_tfd(struct fsfix *fx, u32 clk, u32 flags)
{
	struct lbx_file *f = NULL;

	if (lbx_timerfd_create(fx->vfs, clk, flags, &f))
		return NULL;
	return f;
}

static int ctl(struct lbx_file *ep, int op, int fd, struct lbx_file *tf,
	       u32 events, u64 data)
{
	struct lbx_epoll_event ev = { .events = events, .data = data };

	return lbx_epoll_ctl(ep, op, fd, tf, &ev);
}

/* epoll_wait with a timeout in ms (-1: none). */
static int wait_ms(struct lbx_file *ep, struct lbx_epoll_event *ev, u32 max,
		   long ms)
{
	u64 d = ms < 0 ? LBX_NO_DEADLINE : lbx_plat_now_mono() + (u64)ms * MS;

	return lbx_epoll_wait(ep, ev, max, d, NULL);
}

static long put64(struct lbx_file *f, u64 v)
{
	return fwrite_(f, &v, sizeof(v));
}

static long get64(struct lbx_file *f, u64 *v)
{
	return fread_(f, v, sizeof(*v));
}

TEST(epoll_ctl_errors)
{
	struct fsfix fx;
	struct lbx_file *ep, *ep2, *e, *reg;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	ep2 = mk_epoll(&fx);
	e = mk_efd(&fx, 0);
	ASSERT_NOT_NULL(ep);
	ASSERT_NOT_NULL(ep2);
	ASSERT_NOT_NULL(e);
	ASSERT_TRUE(lbx_file_is_epoll(ep));
	ASSERT_FALSE(lbx_file_is_epoll(e));
	ASSERT_EQ(fopen_(&fx.ctx, "/f", LX_O_CREAT | LX_O_RDWR, 0644, &reg), 0);

	/* Not an epoll; an epoll watching itself. */
	ASSERT_EQ(ctl(e, LX_EPOLL_CTL_ADD, 4, ep, LX_EPOLLIN, 0), -EINVAL);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, ep, LX_EPOLLIN, 0), -EINVAL);
	/* Regular files cannot be watched. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 5, reg, LX_EPOLLIN, 0), -EPERM);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_MOD, 4, e, LX_EPOLLIN, 0), -ENOENT);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_DEL, 4, e, 0, 0), -ENOENT);
	ASSERT_EQ(ctl(ep, 9, 4, e, LX_EPOLLIN, 0), -EINVAL);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 4, e, LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 4, e, LX_EPOLLIN, 0), -EEXIST);
	/* The same file under another fd is another watch. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 6, e, LX_EPOLLIN, 0), 0);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), 2);
	/* EPOLLEXCLUSIVE: not with MOD, not with ONESHOT. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_MOD, 4, e, LX_EPOLLIN | LX_EPOLLEXCLUSIVE, 0), -EINVAL);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 7, e,
		      LX_EPOLLIN | LX_EPOLLEXCLUSIVE | LX_EPOLLONESHOT, 0), -EINVAL);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_DEL, 6, e, 0, 0), 0);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), 1);

	/* Epolls watching epolls: fine one way, a loop the other. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 10, ep2, LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep2, LX_EPOLL_CTL_ADD, 11, ep, LX_EPOLLIN, 0), -ELOOP);

	lbx_file_put(reg);
	lbx_file_put(e);
	lbx_file_put(ep2);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_nesting_depth_limited)
{
	struct fsfix fx;
	struct lbx_file *ep[7];
	int i;

	fix_init(&fx);
	for (i = 0; i < 7; i++) {
		ep[i] = mk_epoll(&fx);
		ASSERT_NOT_NULL(ep[i]);
	}
	/* Bottom up, ep[i] watches ep[i + 1]: 5 epolls (4 watches) is the
	 * most Linux allows; ep[1] on top of ep[2..6] is refused, and ep[0]
	 * then watches a lone ep[1]. */
	for (i = 5; i >= 2; i--)
		ASSERT_EQ(ctl(ep[i], LX_EPOLL_CTL_ADD, 20 + i, ep[i + 1], LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep[1], LX_EPOLL_CTL_ADD, 21, ep[2], LX_EPOLLIN, 0), -ELOOP);
	ASSERT_EQ(ctl(ep[0], LX_EPOLL_CTL_ADD, 20, ep[1], LX_EPOLLIN, 0), 0);
	/* Top down: ep[0] -> ep[1] is there; ep[1] -> ep[2] would make 7. */
	ASSERT_EQ(ctl(ep[1], LX_EPOLL_CTL_ADD, 21, ep[2], LX_EPOLLIN, 0), -ELOOP);
	ASSERT_EQ(ctl(ep[5], LX_EPOLL_CTL_DEL, 25, ep[6], 0, 0), 0);
	ASSERT_EQ(ctl(ep[4], LX_EPOLL_CTL_DEL, 24, ep[5], 0, 0), 0);
	/* 0 -> 1 -> 2 -> 3 -> 4: five, by joining two chains in the middle. */
	ASSERT_EQ(ctl(ep[1], LX_EPOLL_CTL_ADD, 21, ep[2], LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep[4], LX_EPOLL_CTL_ADD, 24, ep[5], LX_EPOLLIN, 0), -ELOOP);
	/* Many paths to the same epolls: checked once each (no blow-up). */
	ASSERT_EQ(ctl(ep[0], LX_EPOLL_CTL_ADD, 30, ep[2], LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep[0], LX_EPOLL_CTL_ADD, 31, ep[3], LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep[1], LX_EPOLL_CTL_ADD, 32, ep[4], LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep[4], LX_EPOLL_CTL_ADD, 34, ep[0], LX_EPOLLIN, 0), -ELOOP);
	for (i = 0; i < 7; i++)
		lbx_file_put(ep[i]);
	fix_fini(&fx);
}

TEST(epoll_level_triggered_eventfd)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[4];
	struct lbx_file *ep, *e;
	u64 v;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	e = mk_efd(&fx, 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, e, LX_EPOLLIN, 0xabcdef0123ULL), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	ASSERT_EQ(put64(e, 2), 8);
	/* Level-triggered: reported on every wait while readable. */
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(ev[0].events, LX_EPOLLIN);
	ASSERT_EQ(ev[0].data, 0xabcdef0123ULL);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(get64(e, &v), 8);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	/* MOD to EPOLLOUT: writable at once. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_MOD, 3, e, LX_EPOLLOUT, 7), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(ev[0].events, LX_EPOLLOUT);
	ASSERT_EQ(ev[0].data, 7);
	lbx_file_put(e);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_edge_triggered_pipe)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[4];
	struct lbx_file *ep, *rd, *wr;
	char buf[8];

	fix_init(&fx);
	ep = mk_epoll(&fx);
	ASSERT_EQ(lbx_pipe_create(fx.vfs, LX_O_NONBLOCK, &rd, &wr), 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, rd, LX_EPOLLIN | LX_EPOLLET, 1), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	ASSERT_EQ(fwrite_(wr, "ab", 2), 2);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(ev[0].events, LX_EPOLLIN);
	/* Still readable, but no new edge. */
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	ASSERT_EQ(fwrite_(wr, "c", 1), 1);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(fread_(rd, buf, sizeof(buf)), 3);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	/* The writer's close is an edge: EPOLLHUP. */
	lbx_file_put(wr);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(ev[0].events, LX_EPOLLHUP);
	lbx_file_put(rd);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_oneshot_until_mod)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[4];
	struct lbx_file *ep, *e;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	e = mk_efd(&fx, 1);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, e, LX_EPOLLIN | LX_EPOLLONESHOT, 5), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	ASSERT_EQ(put64(e, 1), 8);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);	/* disarmed */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_MOD, 3, e, LX_EPOLLIN | LX_EPOLLONESHOT, 6), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	ASSERT_EQ(ev[0].data, 6);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	lbx_file_put(e);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_maxevents_and_round_robin)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[4];
	struct lbx_file *ep, *e[3];
	u64 seen = 0;
	int i;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	for (i = 0; i < 3; i++) {
		e[i] = mk_efd(&fx, 1);
		ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3 + i, e[i], LX_EPOLLIN, i), 0);
	}
	ASSERT_EQ(lbx_epoll_wait(ep, ev, 0, 0, NULL), -EINVAL);
	/* One at a time: every watch comes around. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(wait_ms(ep, ev, 1, 0), 1);
		seen |= 1ULL << ev[0].data;
	}
	ASSERT_EQ(seen, 7);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 3);
	for (i = 0; i < 3; i++)
		lbx_file_put(e[i]);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_watch_goes_with_last_file_reference)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[4];
	struct lbx_file *ep, *e;
	u64 before;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	before = lbx_memacct_used(&fx.acct);
	e = mk_efd(&fx, 1);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, e, LX_EPOLLIN, 0), 0);
	ASSERT_GT(lbx_memacct_used(&fx.acct), before);	/* charged */
	/* A second reference (dup, fork) keeps the watch... */
	lbx_file_get(e);
	lbx_file_put(e);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), 1);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 1);
	/* ...the last one takes it away. */
	lbx_file_put(e);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), 0);
	ASSERT_EQ(wait_ms(ep, ev, 4, 0), 0);
	ASSERT_EQ(lbx_memacct_used(&fx.acct), before);
	lbx_file_put(ep);
	fix_fini(&fx);
}

TEST(epoll_closed_before_its_files)
{
	struct fsfix fx;
	struct lbx_file *ep, *ep2, *rd, *wr;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	ep2 = mk_epoll(&fx);
	ASSERT_EQ(lbx_pipe_create(fx.vfs, 0, &rd, &wr), 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, rd, LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 4, wr, LX_EPOLLOUT, 0), 0);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 5, ep2, LX_EPOLLIN, 0), 0);
	ASSERT_EQ(ctl(ep2, LX_EPOLL_CTL_ADD, 3, rd, LX_EPOLLIN, 0), 0);
	lbx_file_put(ep);
	/* The files live on and wake nobody that is gone (ASan watches). */
	ASSERT_EQ(fwrite_(wr, "x", 1), 1);
	lbx_file_put(wr);
	lbx_file_put(rd);
	lbx_file_put(ep2);
	fix_fini(&fx);
}

TEST(epoll_watch_limit_enospc)
{
	struct fsfix fx;
	struct lbx_file *ep, *e;
	int i, r = 0;

	/* A tiny memory budget stands in for max_user_watches. */
	fix_init_limit(&fx, 16 << 10);
	ep = mk_epoll(&fx);
	e = mk_efd(&fx, 0);
	ASSERT_NOT_NULL(ep);
	ASSERT_NOT_NULL(e);
	for (i = 0; i < 1000; i++) {
		r = ctl(ep, LX_EPOLL_CTL_ADD, i, e, LX_EPOLLIN, 0);
		if (r)
			break;
	}
	ASSERT_EQ(r, -ENOSPC);
	ASSERT_GT(i, 0);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), i);
	lbx_file_put(e);
	ASSERT_EQ(lbx_epoll_nr_watches(ep), 0);
	lbx_file_put(ep);
	fix_fini(&fx);
}

struct waiter_thread {
	pthread_t th;
	struct lbx_file *ep;
	struct lbx_thread *self;
	struct lbx_epoll_event ev[2];
	int ret;
};

static void *epoll_waiter(void *arg)
{
	struct waiter_thread *w = arg;

	lbx_plat_set_current(w->self);
	w->ret = lbx_epoll_wait(w->ep, w->ev, 2, LBX_NO_DEADLINE, w->self);
	lbx_plat_set_current(NULL);
	return NULL;
}

TEST(epoll_wait_woken_by_write)
{
	struct fsfix fx;
	static struct waiter_thread w;
	static struct lbx_thread self;
	struct lbx_file *e;

	fix_init(&fx);
	memset(&w, 0, sizeof(w));
	memset(&self, 0, sizeof(self));
	w.ep = mk_epoll(&fx);
	w.self = &self;
	e = mk_efd(&fx, 0);
	ASSERT_EQ(ctl(w.ep, LX_EPOLL_CTL_ADD, 3, e, LX_EPOLLIN, 42), 0);
	pthread_create(&w.th, NULL, epoll_waiter, &w);
	usleep(30000);
	ASSERT_EQ(put64(e, 1), 8);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, 1);
	ASSERT_EQ(w.ev[0].data, 42);
	lbx_file_put(e);
	lbx_file_put(w.ep);
	fix_fini(&fx);
}

TEST(epoll_wait_interrupted_and_timeout)
{
	struct fsfix fx;
	static struct waiter_thread w;
	static struct lbx_thread self;
	struct lbx_epoll_event ev[1];
	u64 t0;

	fix_init(&fx);
	memset(&w, 0, sizeof(w));
	memset(&self, 0, sizeof(self));
	w.ep = mk_epoll(&fx);
	w.self = &self;
	pthread_create(&w.th, NULL, epoll_waiter, &w);
	usleep(30000);
	lbx_thread_interrupt(&self);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, -EINTR);

	t0 = lbx_plat_now_mono();
	ASSERT_EQ(wait_ms(w.ep, ev, 1, 30), 0);
	ASSERT_GE(lbx_plat_now_mono() - t0, 30 * MS);
	lbx_file_put(w.ep);
	fix_fini(&fx);
}

TEST(epoll_nested_readiness)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[2];
	struct lbx_file *outer, *inner, *e;
	struct lbx_poll_entry pe;
	u64 v;

	fix_init(&fx);
	outer = mk_epoll(&fx);
	inner = mk_epoll(&fx);
	e = mk_efd(&fx, 0);
	ASSERT_EQ(ctl(inner, LX_EPOLL_CTL_ADD, 3, e, LX_EPOLLIN, 1), 0);
	ASSERT_EQ(ctl(outer, LX_EPOLL_CTL_ADD, 4, inner, LX_EPOLLIN, 2), 0);
	ASSERT_EQ(wait_ms(outer, ev, 2, 0), 0);
	ASSERT_EQ(put64(e, 1), 8);
	ASSERT_EQ(wait_ms(outer, ev, 2, 0), 1);
	ASSERT_EQ(ev[0].data, 2);
	/* poll(2) on an epoll file. */
	pe.file = inner;
	pe.events = LX_POLLIN;
	pe.revents = 0;
	ASSERT_EQ(lbx_poll_wait(&pe, 1, 0, NULL), 1);
	ASSERT_EQ(pe.revents, LX_POLLIN);
	/* Drained: neither the epoll file nor the one above it is readable
	 * (polling an epoll re-polls its ready list, as Linux). */
	ASSERT_EQ(get64(e, &v), 8);
	ASSERT_EQ(v, 1);
	pe.revents = 0;
	ASSERT_EQ(lbx_poll_wait(&pe, 1, 0, NULL), 0);
	ASSERT_EQ(wait_ms(outer, ev, 2, 0), 0);
	lbx_file_put(e);
	lbx_file_put(inner);
	lbx_file_put(outer);
	fix_fini(&fx);
}

/* ---- timerfd ---- */

TEST(timerfd_create_flags)
{
	struct fsfix fx;
	struct lbx_file *t;
	struct lbx_itimer v = { 0 }, cur;
	char buf[4];

	fix_init(&fx);
	ASSERT_NULL(mk_tfd(&fx, 2, 0));		/* CPU-time clock */
	ASSERT_NULL(mk_tfd(&fx, 1, 0x10));
	t = mk_tfd(&fx, LBX_TIMERFD_CLOCK_MONOTONIC, LX_TFD_NONBLOCK);
	ASSERT_NOT_NULL(t);
	ASSERT_TRUE(lbx_file_is_timerfd(t));
	ASSERT_EQ(fread_(t, buf, sizeof(buf)), -EINVAL);
	ASSERT_EQ(fread_(t, buf, 0), -EINVAL);
	{
		u64 n;

		ASSERT_EQ(get64(t, &n), -EAGAIN);	/* disarmed */
	}
	ASSERT_EQ(lbx_timerfd_settime(t, 4, &v, NULL), -EINVAL);
	ASSERT_EQ(lbx_timerfd_gettime(t, &cur), 0);
	ASSERT_EQ(cur.value, 0);
	ASSERT_EQ(cur.interval, 0);
	lbx_file_put(t);
	fix_fini(&fx);
}

TEST(timerfd_one_shot_and_periodic_counts)
{
	struct fsfix fx;
	struct lbx_file *t;
	struct lbx_itimer v = { .value = 20 * MS }, cur, old;
	u64 n = 0, t0;

	fix_init(&fx);
	t = mk_tfd(&fx, LBX_TIMERFD_CLOCK_MONOTONIC, 0);
	ASSERT_NOT_NULL(t);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(lbx_timerfd_settime(t, 0, &v, NULL), 0);
	ASSERT_EQ(lbx_timerfd_gettime(t, &cur), 0);
	ASSERT_GT(cur.value, 0);
	ASSERT_LE(cur.value, 20 * MS);
	/* A blocking read sleeps until the expiry. */
	ASSERT_EQ(get64(t, &n), 8);
	ASSERT_EQ(n, 1);
	ASSERT_GE(lbx_plat_now_mono() - t0, 20 * MS);
	ASSERT_EQ(lbx_timerfd_gettime(t, &cur), 0);
	ASSERT_EQ(cur.value, 0);

	/* Periodic: 10 ms; after 55 ms at least 5 expirations are counted. */
	v.value = 10 * MS;
	v.interval = 10 * MS;
	ASSERT_EQ(lbx_timerfd_settime(t, 0, &v, &old), 0);
	ASSERT_EQ(old.value, 0);
	usleep(55000);
	ASSERT_EQ(get64(t, &n), 8);
	ASSERT_GE(n, 5);
	ASSERT_LE(n, 50);
	ASSERT_EQ(get64(t, &n), 8);	/* blocks for the next period */
	ASSERT_GE(n, 1);
	ASSERT_EQ(lbx_timerfd_gettime(t, &cur), 0);
	ASSERT_EQ(cur.interval, 10 * MS);
	/* Disarm: the old setting comes back. */
	v.value = 0;
	ASSERT_EQ(lbx_timerfd_settime(t, 0, &v, &old), 0);
	ASSERT_EQ(old.interval, 10 * MS);
	ASSERT_LE(old.value, 10 * MS);
	lbx_file_put(t);
	fix_fini(&fx);
}

TEST(timerfd_absolute_and_poll)
{
	struct fsfix fx;
	struct lbx_file *t, *rt;
	struct lbx_itimer v = { 0 };
	struct lbx_poll_entry pe;
	u64 n, t0;

	fix_init(&fx);
	t = mk_tfd(&fx, LBX_TIMERFD_CLOCK_MONOTONIC, LX_TFD_NONBLOCK);
	rt = mk_tfd(&fx, LBX_TIMERFD_CLOCK_REALTIME, LX_TFD_NONBLOCK);
	t0 = lbx_plat_now_mono();
	v.value = t0 + 25 * MS;
	ASSERT_EQ(lbx_timerfd_settime(t, LX_TFD_TIMER_ABSTIME, &v, NULL), 0);
	ASSERT_EQ(get64(t, &n), -EAGAIN);
	/* poll(2) wakes up at the expiry with nobody waking the queue. */
	pe.file = t;
	pe.events = LX_POLLIN;
	pe.revents = 0;
	ASSERT_EQ(lbx_poll_wait(&pe, 1, t0 + 2000 * MS, NULL), 1);
	ASSERT_GE(lbx_plat_now_mono(), t0 + 25 * MS);
	ASSERT_LT(lbx_plat_now_mono(), t0 + 1000 * MS);
	ASSERT_EQ(get64(t, &n), 8);
	ASSERT_EQ(n, 1);
	/* An absolute time in the past expires at once. */
	v.value = lbx_plat_now_real() - 1000 * MS;
	ASSERT_EQ(lbx_timerfd_settime(rt, LX_TFD_TIMER_ABSTIME, &v, NULL), 0);
	ASSERT_EQ(get64(rt, &n), 8);
	ASSERT_EQ(n, 1);
	lbx_file_put(rt);
	lbx_file_put(t);
	fix_fini(&fx);
}

TEST(timerfd_in_epoll_lt_and_et)
{
	struct fsfix fx;
	struct lbx_epoll_event ev[2];
	struct lbx_file *ep, *t;
	struct lbx_itimer v = { .value = 15 * MS, .interval = 15 * MS };
	u64 t0, n;
	int got;

	fix_init(&fx);
	ep = mk_epoll(&fx);
	t = mk_tfd(&fx, LBX_TIMERFD_CLOCK_MONOTONIC, LX_TFD_NONBLOCK);
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_ADD, 3, t, LX_EPOLLIN, 9), 0);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(lbx_timerfd_settime(t, 0, &v, NULL), 0);
	ASSERT_EQ(wait_ms(ep, ev, 2, 2000), 1);
	ASSERT_GE(lbx_plat_now_mono() - t0, 15 * MS);
	ASSERT_LT(lbx_plat_now_mono() - t0, 1000 * MS);
	ASSERT_EQ(ev[0].data, 9);
	/* Level-triggered: still ready until read. */
	ASSERT_EQ(wait_ms(ep, ev, 2, 0), 1);
	ASSERT_EQ(get64(t, &n), 8);
	ASSERT_EQ(wait_ms(ep, ev, 2, 0), 0);
	/* Edge-triggered: each expiry is an edge, even unread. */
	ASSERT_EQ(ctl(ep, LX_EPOLL_CTL_MOD, 3, t, LX_EPOLLIN | LX_EPOLLET, 10), 0);
	got = wait_ms(ep, ev, 2, 2000);
	if (got == 1 && wait_ms(ep, ev, 2, 0) == 0)
		got = wait_ms(ep, ev, 2, 2000);	/* the next period */
	ASSERT_EQ(got, 1);
	ASSERT_EQ(ev[0].data, 10);
	lbx_file_put(t);
	lbx_file_put(ep);
	fix_fini(&fx);
}

/* ---- races between the two sides of a watch (ASan checks the frees) ---- */

#define RACE_FILES	8

struct race {
	pthread_t th;
	struct lbx_file *f[RACE_FILES];
	struct lbx_file *ep;
	int go;
};

static void *put_files(void *arg)
{
	struct race *r = arg;
	int i;

	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < RACE_FILES; i++)
		lbx_file_put(r->f[i]);
	return NULL;
}

static void *poll_epoll(void *arg)
{
	struct race *r = arg;
	struct lbx_epoll_event ev[RACE_FILES];
	int i;

	for (i = 0; i < 50; i++)
		lbx_epoll_wait(r->ep, ev, RACE_FILES, 0, NULL);
	return NULL;
}

TEST(epoll_close_races_file_release)
{
	struct fsfix fx;
	static struct race r;
	u64 base;
	int round, i;

	fix_init(&fx);
	base = lbx_memacct_used(&fx.acct);
	for (round = 0; round < 300; round++) {
		memset(&r, 0, sizeof(r));
		r.ep = mk_epoll(&fx);
		ASSERT_NOT_NULL(r.ep);
		for (i = 0; i < RACE_FILES; i++) {
			r.f[i] = mk_efd(&fx, i & 1);
			ASSERT_EQ(ctl(r.ep, LX_EPOLL_CTL_ADD, i, r.f[i], LX_EPOLLIN, i), 0);
		}
		pthread_create(&r.th, NULL, put_files, &r);
		__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
		if (round & 1)
			lbx_epoll_wait(r.ep, (struct lbx_epoll_event[RACE_FILES]){}, RACE_FILES, 0, NULL);
		lbx_file_put(r.ep);	/* races the files' last puts */
		pthread_join(r.th, NULL);
	}
	ASSERT_EQ(lbx_memacct_used(&fx.acct), base);
	fix_fini(&fx);
}

TEST(epoll_wait_races_file_release)
{
	struct fsfix fx;
	static struct race r;
	pthread_t poller;
	int round, i;

	fix_init(&fx);
	for (round = 0; round < 200; round++) {
		memset(&r, 0, sizeof(r));
		r.ep = mk_epoll(&fx);
		for (i = 0; i < RACE_FILES; i++) {
			r.f[i] = mk_efd(&fx, 1);
			ASSERT_EQ(ctl(r.ep, LX_EPOLL_CTL_ADD, i, r.f[i], LX_EPOLLIN, i), 0);
		}
		pthread_create(&poller, NULL, poll_epoll, &r);
		pthread_create(&r.th, NULL, put_files, &r);
		__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
		pthread_join(r.th, NULL);
		pthread_join(poller, NULL);
		ASSERT_EQ(lbx_epoll_nr_watches(r.ep), 0);
		lbx_file_put(r.ep);
	}
	fix_fini(&fx);
}
