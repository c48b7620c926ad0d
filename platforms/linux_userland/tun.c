// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-run's network device: a host TUN device (IFF_TUN | IFF_NO_PI: each
 * read or write is one bare IPv4 or IPv6 packet) as the far end of the
 * sandbox's lwIP interface (core/net/inet.c, lbx_inet_if_*).
 *
 * One host thread, the net thread, owns the reading side. It sleeps in
 * ppoll() on the TUN fd and an eventfd, hands every packet it reads to
 * lbx_inet_if_input(), and runs lwIP's timers (lbx_inet_poll()) at the
 * deadline core arms through lbx_plat_net_timer_arm(), which lbx-run has
 * no other thread for. It never spins: with nothing to read and no timer
 * armed it sleeps until a packet comes or core arms one.
 *
 * lwIP's output writes to the TUN fd from whichever thread holds the
 * stack's lock (a guest thread in a socket call, or the net thread), through
 * one transmit buffer that lock guards.
 *
 * The net thread is made before lbx-run installs its seccomp filter, so it
 * runs outside it (and with every signal blocked: they are the guest's). It
 * is LiteBox's own thread; userland mode is not a security boundary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#include <litebox/inet.h>
#include <litebox/platform.h>
#include "userland.h"

/* The largest IP packet (an IPv6 jumbogram aside). */
#define TUN_MAX_PACKET	65535U
/* How long the end of lbx-run waits for TCP data still in flight. */
#define TUN_LINGER_NS	(5ULL * 1000 * 1000 * 1000)

struct lbx_tun {
	int fd;				/* the TUN device */
	int kick;			/* eventfd: a new deadline, or stop */
	pthread_t thread;
	bool running;
	bool stop;			/* atomic */
	u64 deadline;			/* atomic: lwIP's next timer */
	struct lbx_inet_if *ifp;
	u8 tx[TUN_MAX_PACKET];		/* the stack's lock */
	u8 rx[TUN_MAX_PACKET];		/* the net thread's */
};

/* lbx-run runs one sandbox: at most one device per process. tun_live is
 * set while the net thread runs (it then runs lwIP's timers). */
static struct lbx_tun *tun_dev;
static struct lbx_tun *tun_live;
static __thread bool on_net_thread;

static void tun_kick(struct lbx_tun *t)
{
	u64 one = 1;

	/* Fails only when the counter is saturated: a wake is pending then. */
	if (write(t->kick, &one, sizeof(one)) < 0)
		return;
}

/* ---- lwIP's output (the stack's lock held) ---- */

static void *tun_tx_alloc(void *ctx, u32 len, void **token)
{
	struct lbx_tun *t = ctx;

	if (len > sizeof(t->tx))
		return NULL;
	*token = (void *)(uintptr_t)len;
	return t->tx;
}

static void tun_tx_send(void *ctx, void *token)
{
	struct lbx_tun *t = ctx;
	size_t len = (uintptr_t)token;
	ssize_t n;

	/* Non-blocking: when the host's queue is full the packet is dropped,
	 * as a full device queue drops it; TCP sends it again. */
	do {
		n = write(t->fd, t->tx, len);
	} while (n < 0 && errno == EINTR);
}

static const struct lbx_inet_if_ops tun_if_ops = {
	.tx_alloc = tun_tx_alloc,
	.tx_send = tun_tx_send,
};

/* ---- the net thread ---- */

bool lbx_plat_net_timer_arm(u64 deadline_ns)
{
	struct lbx_tun *t = __atomic_load_n(&tun_live, __ATOMIC_ACQUIRE);
	u64 old;

	if (!t)
		return false;	/* no thread: core runs the timers itself */
	old = __atomic_exchange_n(&t->deadline, deadline_ns, __ATOMIC_ACQ_REL);
	/* A later deadline needs no wake: the thread wakes at the earlier one
	 * and then sleeps until this one. */
	if (deadline_ns < old && !on_net_thread)
		tun_kick(t);
	return true;
}

/* Hands what the device has queued to lwIP. */
static void tun_read_all(struct lbx_tun *t)
{
	ssize_t n;

	for (;;) {
		n = read(t->fd, t->rx, sizeof(t->rx));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN: drained */
		}
		if (n == 0)
			return;
		lbx_inet_if_input(t->ifp, t->rx, (u32)n);
	}
}

static void *tun_thread(void *arg)
{
	struct lbx_tun *t = arg;

	on_net_thread = true;
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[2] = {
			{ .fd = t->fd, .events = POLLIN },
			{ .fd = t->kick, .events = POLLIN },
		};
		u64 d = __atomic_load_n(&t->deadline, __ATOMIC_ACQUIRE);
		u64 now = lbx_plat_now_mono();
		struct timespec ts, *tsp = NULL;

		if (d != LBX_NO_DEADLINE) {
			u64 left = d > now ? d - now : 0;

			ts.tv_sec = left / 1000000000ULL;
			ts.tv_nsec = left % 1000000000ULL;
			tsp = &ts;
		}
		if (ppoll(p, 2, tsp, NULL) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			u64 v;

			if (read(t->kick, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
		}
		if (p[0].revents & POLLIN)
			tun_read_all(t);
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break;
		if (d != LBX_NO_DEADLINE && lbx_plat_now_mono() >= d &&
		    __atomic_compare_exchange_n(&t->deadline, &d, LBX_NO_DEADLINE,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			lbx_inet_poll();	/* re-arms while connections exist */
	}
	return NULL;
}

/* ---- life cycle ---- */

int lbx_userland_tun_open(const char *name)
{
	struct ifreq ifr;
	struct lbx_tun *t;
	size_t len = strlen(name);
	int ret;

	if (tun_dev || !len || len >= IFNAMSIZ)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->deadline = LBX_NO_DEADLINE;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		ret = -errno;
		goto err_free;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, len);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		goto err_close;
	}
	t->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->kick < 0) {
		ret = -errno;
		goto err_close;
	}
	tun_dev = t;
	return 0;
err_close:
	close(t->fd);
err_free:
	free(t);
	return ret;
}

int lbx_userland_tun_start(u32 owner, const struct lbx_inet_if_config *cfg)
{
	struct lbx_tun *t = tun_dev;
	sigset_t all, old;
	int ret;

	if (!t || t->running)
		return -EINVAL;
	ret = lbx_inet_if_add(owner, cfg, &tun_if_ops, t, &t->ifp);
	if (ret)
		return ret;
	/* The thread takes every signal blocked: they are the guest's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&t->thread, NULL, tun_thread, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		lbx_inet_if_detach(t->ifp);
		lbx_inet_if_free(t->ifp);
		t->ifp = NULL;
		return ret;
	}
	t->running = true;
	__atomic_store_n(&tun_live, t, __ATOMIC_RELEASE);
	return 0;
}

void lbx_userland_tun_close(void)
{
	struct lbx_tun *t = tun_dev;

	if (!t)
		return;
	if (t->running) {
		/* The guest has closed its sockets; as Linux goes on sending
		 * after a process exits, let lwIP deliver what they left
		 * (the net thread takes the ACKs), for TUN_LINGER_NS at most:
		 * detaching resets what is still in flight. */
		u64 end = lbx_plat_now_mono() + TUN_LINGER_NS;
		const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

		while (lbx_inet_if_sending(t->ifp) && lbx_plat_now_mono() < end)
			nanosleep(&tick, NULL);
		__atomic_store_n(&tun_live, NULL, __ATOMIC_RELEASE);
		__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
		tun_kick(t);
		pthread_join(t->thread, NULL);		/* no more input */
		lbx_inet_if_detach(t->ifp);		/* no more output */
		lbx_inet_if_free(t->ifp);
	}
	close(t->kick);
	close(t->fd);
	tun_dev = NULL;
	free(t);
}
