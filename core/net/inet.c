// SPDX-License-Identifier: GPL-2.0
/*
 * AF_INET and AF_INET6: TCP (SOCK_STREAM) and UDP (SOCK_DGRAM) over lwIP's
 * raw API, behind the socket layer's struct lbx_sock_ops (litebox/net.h).
 *
 * One lwIP instance serves the whole program and one sleeping lock,
 * inet_lock, serialises every call into it (core/net/README.md): lwIP's
 * callbacks run under it and touch struct inet_sock only under it. After
 * each call into lwIP the loopback queue is drained (inet_unlock()), so that
 * what a call sent has reached its peer socket when it returns. lwIP's
 * timers run on the way through and from every bounded wait.
 *
 * An inet_sock is owned by its socket file (sk->priv), or, between the
 * handshake and accept(), by its listener's accept queue. Its pcb, while
 * it has one, carries it as the callbacks' argument; closing detaches the
 * callbacks before the inet_sock is freed, and lwIP finishes (FIN, TIME_WAIT)
 * with the pcb alone.
 */
#include <litebox/net.h>
#include <litebox/poll.h>
#include <litebox/inet.h>
#include <litebox/list.h>
#include <litebox/task.h>
#include <litebox/waitqueue.h>

#include "lwip/opt.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lbx_lwip_hooks.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#define LX_IPPROTO_IP		0
#define LX_IPPROTO_TCP		6
#define LX_IPPROTO_UDP		17
#define LX_IPPROTO_IPV6		41

#define LX_IP_TOS		1
#define LX_IP_TTL		2
#define LX_IP_RECVERR		11
#define LX_IPV6_UNICAST_HOPS	16
#define LX_IPV6_V6ONLY		26
#define LX_IPV6_TCLASS		67

#define LX_TCP_NODELAY		1
#define LX_TCP_MAXSEG		2
#define LX_TCP_CORK		3
#define LX_TCP_KEEPIDLE		4
#define LX_TCP_KEEPINTVL	5
#define LX_TCP_KEEPCNT		6
#define LX_TCP_DEFER_ACCEPT	9
#define LX_TCP_QUICKACK		12
#define LX_TCP_USER_TIMEOUT	18

#define LX_SIOCINQ		0x541b	/* FIONREAD */
#define LX_SIOCOUTQ		0x5411	/* TIOCOUTQ */

/* Linux's default and bounds of SO_RCVBUF / SO_SNDBUF (as reported). */
#define INET_BUF_DEFAULT	212992U
#define INET_BUF_MIN		2304U
#define INET_BUF_MAX		(4U << 20)
/* Largest UDP payload over IPv4 and IPv6. */
#define UDP_MAX_V4		65507U
#define UDP_MAX_V6		65527U
/* Bytes copied from the guest per tcp_write(). */
#define INET_BOUNCE		(16U * 1024)

enum inet_state {
	ST_NEW,			/* not connected (maybe bound) */
	ST_LISTEN,
	ST_CONNECTING,
	ST_CONNECTED,
	ST_CLOSED,		/* the connection is over: reset, or refused */
};

struct inet_dgram {
	struct lbx_list_head node;
	struct pbuf *p;
	ip_addr_t addr;
	u16 port;
};

struct inet_sock {
	struct lbx_sock *sk;		/* NULL while in an accept queue */
	u32 owner;			/* the sandbox's id (0: none, tests) */
	int family;			/* LX_AF_INET, LX_AF_INET6 */
	int type;			/* LX_SOCK_STREAM, LX_SOCK_DGRAM */
	struct tcp_pcb *tcp;		/* NULL once lwIP let go of it */
	struct udp_pcb *udp;
	enum inet_state state;
	int err;			/* pending error (SO_ERROR), > 0 */
	bool connect_nb;		/* a non-blocking connect to report */
	bool rcv_eof;			/* FIN received */
	bool shut_rd;
	bool shut_wr;

	/* TCP: received bytes, not yet read (and not yet tcp_recved). */
	struct pbuf *rcv;
	u32 rcv_len;

	/* UDP: datagrams, and their bytes (bounded by rcvbuf). */
	struct lbx_list_head dgrams;
	u32 dgram_bytes;

	/* Listener: connections not yet accepted. */
	struct lbx_list_head acceptq;
	u32 nacc;
	u32 backlog;
	struct lbx_list_head node;	/* in the listener's acceptq */

	struct lbx_waitqueue wq;	/* every readiness change, keyed */

	/* Options. */
	bool reuseaddr, reuseport, keepalive, nodelay, v6only, broadcast;
	bool linger_on, cork, quickack, recverr, oobinline;
	int linger;			/* seconds */
	u32 rcvbuf, sndbuf;
	int tos, ttl, tclass, hops;
	u32 keepidle, keepintvl, keepcnt, user_timeout, defer_accept;
};

static const struct lbx_sock_ops inet_ops;

/* ---- the stack and its lock ---- */

enum { INET_DOWN, INET_STARTING, INET_UP };
static u32 inet_stage;
static struct lbx_plat_mutex inet_lock;
static struct netif *inet_loop;

/* Brings lwIP up once per program (the first socket, or lbx_inet_init). */
static void inet_start(void)
{
	u32 s = __atomic_load_n(&inet_stage, __ATOMIC_ACQUIRE);
	struct netif *n;

	while (s != INET_UP) {
		u32 expect = INET_DOWN;

		if (s == INET_DOWN &&
		    __atomic_compare_exchange_n(&inet_stage, &expect,
						INET_STARTING, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			lbx_plat_mutex_init(&inet_lock);
			lwip_init();
			NETIF_FOREACH(n) {
				if (n->name[0] == 'l' && n->name[1] == 'o')
					inet_loop = n;
			}
			/* Loopback traffic stays in memory: no checksums. */
			if (inet_loop)
				NETIF_SET_CHECKSUM_CTRL(inet_loop,
							NETIF_CHECKSUM_DISABLE_ALL);
			__atomic_store_n(&inet_stage, INET_UP, __ATOMIC_RELEASE);
			lbx_plat_wake(&inet_stage, -1);
			return;
		}
		lbx_plat_wait(&inet_stage, INET_STARTING, LBX_NO_DEADLINE, false);
		s = __atomic_load_n(&inet_stage, __ATOMIC_ACQUIRE);
	}
}

void lbx_inet_init(void)
{
	inet_start();
}

static u64 inet_next_timer(void)
{
	u32 ms = sys_timeouts_sleeptime();

	if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return LBX_NO_DEADLINE;
	return lbx_plat_now_mono() + (u64)ms * 1000000ULL;
}

/* Whether an interface (the loopback, or a sandbox's interface sending to
 * its own address) has queued packets to itself. */
static bool loop_queued(void)
{
	struct netif *n;

	NETIF_FOREACH(n) {
		if (n->loop_first)
			return true;
	}
	return false;
}

/*
 * Acknowledges at once what lwIP would acknowledge at its next fast timer:
 * on the loopback an ACK costs nothing, and a delayed one stalls every
 * exchange of small messages behind Nagle for up to 250 ms.
 */
static void ack_delayed(void)
{
	struct tcp_pcb *pcb;

	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		if (pcb->flags & TF_ACK_DELAY) {
			tcp_ack_now(pcb);
			tcp_output(pcb);
		}
	}
}

/* The deadline the platform's timer is armed for (inet_lock). */
static u64 inet_armed = LBX_NO_DEADLINE;

/* While TCP connections exist, has the platform run the timers at lwIP's
 * next timeout (where it has a timer thread). */
static void inet_arm_timer(void)
{
	u64 next, now;

	if (!tcp_active_pcbs && !tcp_tw_pcbs)
		return;
	next = inet_next_timer();
	if (next == LBX_NO_DEADLINE)
		return;
	now = lbx_plat_now_mono();
	if (inet_armed != LBX_NO_DEADLINE && inet_armed > now && inet_armed <= next)
		return;		/* an earlier run is due already */
	if (lbx_plat_net_timer_arm(next))
		inet_armed = next;
}

/*
 * TIME_WAIT connections are kept at most LBX_INET_MAX_TIME_WAIT, the oldest
 * dropped first, as Linux's tcp_max_tw_buckets does. lwIP keeps them in one
 * list for all sandboxes, for 2 * TCP_MSL, and scans it for every new
 * connection (tcp_new_port, and every SYN in tcp_input): without a bound,
 * a guest that opens and closes connections in a loop makes every
 * sandbox's connections slower and holds unbounded kernel memory (lwIP's
 * pools are plain allocations). The list is counted only when a
 * connection entered TIME_WAIT since the last look (lwIP pushes at its
 * head, so the oldest are at the tail).
 */
static void inet_trim_time_wait(void)
{
	static struct tcp_pcb *seen;
	struct tcp_pcb *pcb, *next;
	u32 n = 0;

	if (tcp_tw_pcbs == seen)
		return;
	for (pcb = tcp_tw_pcbs; pcb && n < LBX_INET_MAX_TIME_WAIT; pcb = pcb->next)
		n++;
	/* pcb: the first one over the bound; it and all older ones go. */
	for (; pcb; pcb = next) {
		next = pcb->next;
		tcp_abort(pcb);		/* TIME_WAIT: unlinked and freed, no RST */
	}
	seen = tcp_tw_pcbs;
}

/* Delivers what the loopback interface queued, and whatever that sends in
 * turn, then runs the timers that are due. */
static void inet_pump(void)
{
	struct netif *n;
	int rounds;

	sys_check_timeouts();
	for (rounds = 0; rounds < 10000; rounds++) {
		if (!loop_queued()) {
			ack_delayed();
			if (!loop_queued())
				break;
		}
		NETIF_FOREACH(n) {
			if (n->loop_first)
				netif_poll(n);
		}
	}
	inet_trim_time_wait();
	inet_arm_timer();
}

static void inet_lock_stack(void)
{
	lbx_plat_mutex_lock(&inet_lock);
}

static void inet_unlock(void)
{
	inet_pump();
	lbx_plat_mutex_unlock(&inet_lock);
}

void lbx_inet_poll(void)
{
	if (__atomic_load_n(&inet_stage, __ATOMIC_ACQUIRE) != INET_UP)
		return;
	inet_lock_stack();
	inet_unlock();
}

/*
 * Sleeps on is->wq until cond(arg), with inet_lock held around cond and
 * dropped while asleep, waking at lwIP's timeouts to run them. Returns 0,
 * -EAGAIN after deadline (SO_RCVTIMEO / SO_SNDTIMEO: Linux's EAGAIN) or
 * -EINTR.
 */
static int inet_wait(struct inet_sock *is, bool (*cond)(void *), void *arg,
		     u64 deadline)
{
	for (;;) {
		u64 d, t;
		int ret;

		inet_pump();
		t = inet_next_timer();
		d = lbx_min(deadline, t);
		ret = lbx_wait_event_locked(&is->wq, cond, arg, &inet_lock, d,
					    lbx_current(), LBX_WQ_INTERRUPTIBLE);
		if (ret != -ETIMEDOUT)
			return ret;
		if (d == deadline && lbx_plat_now_mono() >= deadline)
			return -EAGAIN;
	}
}

static void inet_wake(struct inet_sock *is, u32 key)
{
	lbx_wake_up_key(&is->wq, -1, key);
}

static int err_to_errno(err_t e)
{
	switch (e) {
	case ERR_OK:		return 0;
	case ERR_MEM:		return -ENOMEM;
	case ERR_BUF:		return -ENOBUFS;
	case ERR_TIMEOUT:	return -ETIMEDOUT;
	case ERR_RTE:		return -ENETUNREACH;
	case ERR_INPROGRESS:	return -EINPROGRESS;
	case ERR_VAL:		return -EINVAL;
	case ERR_WOULDBLOCK:	return -EAGAIN;
	case ERR_USE:		return -EADDRINUSE;
	case ERR_ALREADY:	return -EALREADY;
	case ERR_ISCONN:	return -EISCONN;
	case ERR_CONN:		return -ENOTCONN;
	case ERR_IF:		return -ENETUNREACH;
	case ERR_ABRT:		return -ECONNABORTED;
	case ERR_RST:		return -ECONNRESET;
	case ERR_CLSD:		return -ENOTCONN;
	case ERR_ARG:		return -EINVAL;
	default:		return -EIO;
	}
}

/* ---- addresses ---- */

struct lx_sockaddr_in {
	u16 family;
	u16 port;		/* network order */
	u32 addr;		/* network order */
	u8 zero[8];
};

struct lx_sockaddr_in6 {
	u16 family;
	u16 port;
	u32 flowinfo;
	u8 addr[16];
	u32 scope_id;
};

static const u8 v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void set_loopback(ip_addr_t *ip, bool v6)
{
	if (v6)
		IP_ADDR6_HOST(ip, 0, 0, 0, 1);
	else
		IP_ADDR4(ip, 127, 0, 0, 1);
}

static u16 be16(u16 x)
{
	return (u16)__builtin_bswap16(x);
}

/*
 * A guest address into lwIP's form. An AF_INET6 socket takes IPv4-mapped
 * addresses as IPv4 and "::" as any address of either version (unless
 * IPV6_V6ONLY), as Linux's dual-stack sockets do.
 */
static int addr_from_lx(struct inet_sock *is, const void *addr, u32 len,
			ip_addr_t *ip, u16 *port)
{
	u16 fam;

	if (len < sizeof(u16))
		return -EINVAL;
	memcpy(&fam, addr, sizeof(fam));
	if (is->family == LX_AF_INET) {
		struct lx_sockaddr_in sin;

		if (len < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, addr, sizeof(sin));
		/* Linux takes AF_UNSPEC with INADDR_ANY in bind. */
		if (fam != LX_AF_INET &&
		    !(fam == LX_AF_UNSPEC && sin.addr == 0))
			return -EAFNOSUPPORT;
		ip_addr_set_ip4_u32_val(*ip, sin.addr);
		*port = be16(sin.port);
		return 0;
	}
	{
		struct lx_sockaddr_in6 sin6;
		u32 w[4];

		if (len < 24)	/* SIN6_LEN_RFC2133: no scope id */
			return -EINVAL;
		memset(&sin6, 0, sizeof(sin6));
		memcpy(&sin6, addr, lbx_min(len, (u32)sizeof(sin6)));
		if (fam != LX_AF_INET6)
			return -EAFNOSUPPORT;
		*port = be16(sin6.port);
		if (!memcmp(sin6.addr, v4mapped_prefix, 12)) {
			u32 v4;

			if (is->v6only)
				return -ENETUNREACH;
			memcpy(&v4, sin6.addr + 12, 4);
			ip_addr_set_ip4_u32_val(*ip, v4);
			return 0;
		}
		memcpy(w, sin6.addr, 16);
		if (!(w[0] | w[1] | w[2] | w[3]) && !is->v6only) {
			ip_addr_copy(*ip, *IP_ANY_TYPE);
			return 0;
		}
		IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
		return 0;
	}
}

/* lwIP's address into the socket's family (IPv4 as mapped in AF_INET6). */
static u32 addr_to_lx(struct inet_sock *is, const ip_addr_t *ip, u16 port,
		      void *out)
{
	if (is->family == LX_AF_INET) {
		struct lx_sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.family = LX_AF_INET;
		sin.port = be16(port);
		if (ip && IP_IS_V4(ip))
			sin.addr = ip4_addr_get_u32(ip_2_ip4(ip));
		memcpy(out, &sin, sizeof(sin));
		return sizeof(sin);
	}
	{
		struct lx_sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.family = LX_AF_INET6;
		sin6.port = be16(port);
		if (ip && IP_IS_V4(ip) && !ip_addr_isany(ip)) {
			u32 v4 = ip4_addr_get_u32(ip_2_ip4(ip));

			memcpy(sin6.addr, v4mapped_prefix, 12);
			memcpy(sin6.addr + 12, &v4, 4);
		} else if (ip && IP_IS_V6(ip)) {
			memcpy(sin6.addr, ip_2_ip6(ip)->addr, 16);
		}
		memcpy(out, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
}

/* ---- the inet_sock ---- */

/* The sandbox of the calling guest thread: sockets of different sandboxes
 * never talk to each other (the one stack is shared; README.md). */
static u32 current_owner(void)
{
	struct lbx_thread *t = lbx_current();

	return t && t->proc && t->proc->sb ? t->proc->sb->id : 0;
}

static struct inet_sock *inet_sock_new(int family, int type)
{
	struct inet_sock *is = lbx_plat_alloc(sizeof(*is));

	if (!is)
		return NULL;
	is->owner = current_owner();
	is->family = family;
	is->type = type;
	is->state = ST_NEW;
	lbx_list_init(&is->dgrams);
	lbx_list_init(&is->acceptq);
	lbx_list_init(&is->node);
	lbx_waitqueue_init(&is->wq);
	is->rcvbuf = INET_BUF_DEFAULT;
	is->sndbuf = INET_BUF_DEFAULT;
	is->ttl = IP_DEFAULT_TTL;
	is->hops = 64;
	return is;
}

static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		/* A struct tcp_pcb_listen: only the listener's fields. */
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

/* Drops the pcb at once, with a RST where it is connected. */
static void tcp_kill(struct inet_sock *is)
{
	if (!is->tcp)
		return;
	tcp_detach(is->tcp);
	if (is->tcp->state == LISTEN)
		tcp_close(is->tcp);	/* never fails for a listener */
	else
		tcp_abort(is->tcp);
	is->tcp = NULL;
}

static void inet_sock_free(struct inet_sock *is)
{
	struct lbx_list_head *pos, *n;

	if (is->rcv)
		pbuf_free(is->rcv);
	lbx_list_for_each_safe(pos, n, &is->dgrams) {
		struct inet_dgram *d = lbx_list_entry(pos, struct inet_dgram, node);

		lbx_list_del(&d->node);
		pbuf_free(d->p);
		lbx_plat_free(d);
	}
	lbx_plat_free(is);
}

/* ---- lwIP's TCP callbacks (inet_lock held) ---- */

static void set_closed(struct inet_sock *is, int err)
{
	is->state = ST_CLOSED;
	if (err)
		is->err = err;
	inet_wake(is, LX_POLLIN | LX_POLLOUT | LX_POLLERR | LX_POLLHUP |
		  LX_POLLRDHUP | LX_POLLRDNORM | LX_POLLWRNORM);
}

static void tcp_err_cb(void *arg, err_t e)
{
	struct inet_sock *is = arg;

	if (!is)
		return;
	/* lwIP has freed the pcb. */
	is->tcp = NULL;
	if (is->state == ST_CONNECTING)
		set_closed(is, e == ERR_RST ? ECONNREFUSED : ETIMEDOUT);
	else if (e == ERR_RST)
		/* After the peer's FIN (CLOSE_WAIT) Linux reports EPIPE. */
		set_closed(is, is->rcv_eof ? EPIPE : ECONNRESET);
	else if (e == ERR_ABRT)
		set_closed(is, ECONNABORTED);
	else
		set_closed(is, -err_to_errno(e));
}

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			 err_t e)
{
	struct inet_sock *is = arg;

	if (!is) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		is->rcv_eof = true;
		inet_wake(is, LX_POLLIN | LX_POLLRDNORM | LX_POLLRDHUP);
		return ERR_OK;
	}
	if (is->rcv)
		pbuf_cat(is->rcv, p);
	else
		is->rcv = p;
	is->rcv_len += p->tot_len;
	inet_wake(is, LX_POLLIN | LX_POLLRDNORM);
	return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *is = arg;

	if (is)
		inet_wake(is, LX_POLLOUT | LX_POLLWRNORM);
	return ERR_OK;
}

static void tcp_setup(struct inet_sock *is, struct tcp_pcb *pcb)
{
	is->tcp = pcb;
	tcp_arg(pcb, is);
	tcp_recv(pcb, tcp_recv_cb);
	tcp_sent(pcb, tcp_sent_cb);
	tcp_err(pcb, tcp_err_cb);
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t e)
{
	struct inet_sock *is = arg;

	if (!is)
		return ERR_OK;
	is->state = ST_CONNECTED;
	inet_wake(is, LX_POLLOUT | LX_POLLWRNORM);
	return ERR_OK;
}

static void apply_tcp_options(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->tcp;

	if (!pcb || pcb->state == LISTEN)
		return;
	if (is->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (is->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	if (is->keepidle)
		pcb->keep_idle = is->keepidle * 1000U;
	if (is->keepintvl)
		pcb->keep_intvl = is->keepintvl * 1000U;
	if (is->keepcnt)
		pcb->keep_cnt = is->keepcnt;
	pcb->ttl = (u8)is->ttl;
}

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t e)
{
	struct inet_sock *ls = arg, *is;

	if (!ls || e != ERR_OK || !newpcb)
		return ERR_VAL;
	if (ls->nacc >= ls->backlog)
		return ERR_MEM;		/* lwIP aborts it: the client sees RST */
	is = inet_sock_new(ls->family, ls->type);
	if (!is)
		return ERR_MEM;
	/* Inherited, as Linux's accepted sockets do. */
	is->owner = ls->owner;
	is->nodelay = ls->nodelay;
	is->keepalive = ls->keepalive;
	is->keepidle = ls->keepidle;
	is->keepintvl = ls->keepintvl;
	is->keepcnt = ls->keepcnt;
	is->rcvbuf = ls->rcvbuf;
	is->sndbuf = ls->sndbuf;
	is->linger_on = ls->linger_on;
	is->linger = ls->linger;
	is->ttl = ls->ttl;
	is->state = ST_CONNECTED;
	tcp_setup(is, newpcb);
	apply_tcp_options(is);
	lbx_list_add_tail(&is->node, &ls->acceptq);
	ls->nacc++;
	inet_wake(ls, LX_POLLIN | LX_POLLRDNORM);
	return ERR_OK;
}

/* ---- sandbox interfaces (the platform's lbx<N> devices) ---- */

/*
 * Each is an lwIP netif that is up but never "link up": lwIP's own routing
 * (ip4_route, ip6_route) skips interfaces without a link, so the only way
 * out through one is lbx_inet_route4/6 (lwIP's route hooks), which pick the
 * interface of the sending socket's sandbox: by the packet's source address
 * when it has one (an established connection, a reply), else by the calling
 * guest thread's sandbox (connect, an unbound sendto). What arrives on an
 * interface must be addressed to it exactly and reaches only its sandbox's
 * sockets (lbx_inet_tcp_inpacket, udp_recv_cb).
 */
#define INET_IF_MAX	200	/* lwIP numbers netifs in a byte */

struct lbx_inet_if {
	struct netif nif;		/* nif.state: this */
	u32 owner;
	u8 family;
	u8 prefix;
	bool has_gw;
	bool dead;			/* detached (inet_lock) */
	u16 mtu;
	ip_addr_t addr;
	const struct lbx_inet_if_ops *ops;
	void *ctx;
	struct lbx_list_head node;	/* in inet_ifs (inet_lock) */
};

static struct lbx_list_head inet_ifs = { &inet_ifs, &inet_ifs };
static u32 inet_nifs;

/* The sandbox interface behind an lwIP netif, or NULL (the loopback). */
static struct lbx_inet_if *if_of_netif(struct netif *n)
{
	if (!n || n->name[0] != 'l' || n->name[1] != 'x')
		return NULL;
	return n->state;
}

static struct lbx_inet_if *if_of_owner(u32 owner)
{
	struct lbx_list_head *pos;

	if (!owner)
		return NULL;
	lbx_list_for_each(pos, &inet_ifs) {
		struct lbx_inet_if *ifp = lbx_list_entry(pos, struct lbx_inet_if, node);

		if (ifp->owner == owner)
			return ifp;
	}
	return NULL;
}

static struct lbx_inet_if *if_of_addr(const ip_addr_t *ip)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &inet_ifs) {
		struct lbx_inet_if *ifp = lbx_list_entry(pos, struct lbx_inet_if, node);

		if (ip_addr_cmp(&ifp->addr, ip))
			return ifp;
	}
	return NULL;
}

/* Whether the first `prefix` bits of a and b agree. */
static bool prefix_match(const u8 *a, const u8 *b, u32 prefix)
{
	u32 i;

	for (i = 0; i < prefix / 8; i++)
		if (a[i] != b[i])
			return false;
	if (prefix % 8) {
		u8 mask = (u8)(0xff00 >> (prefix % 8));

		return !((a[i] ^ b[i]) & mask);
	}
	return true;
}

static const u8 *ip_bytes(const ip_addr_t *ip)
{
	return IP_IS_V4(ip) ? (const u8 *)&ip_2_ip4(ip)->addr :
			      (const u8 *)ip_2_ip6(ip)->addr;
}

/*
 * Whether the calling sandbox may send to ip: the loopback always; other
 * destinations through its own interface, within its prefix or (with a
 * gateway) anywhere of its family. -ENETUNREACH otherwise, as Linux with no
 * route. inet_lock held.
 */
static int route_check(const ip_addr_t *ip)
{
	struct lbx_inet_if *ifp;

	if (ip_addr_isloopback(ip))
		return 0;
	ifp = if_of_owner(current_owner());
	if (!ifp || IP_GET_TYPE(ip) != IP_GET_TYPE(&ifp->addr))
		return -ENETUNREACH;
	if (ifp->has_gw || prefix_match(ip_bytes(ip), ip_bytes(&ifp->addr),
					ifp->prefix))
		return 0;
	return -ENETUNREACH;
}

/* Whether ip is an address of the calling sandbox's interface. */
static bool own_address(const ip_addr_t *ip)
{
	struct lbx_inet_if *ifp = if_of_owner(current_owner());

	return ifp && ip_addr_cmp(&ifp->addr, ip);
}

static struct netif *route_pick(const ip_addr_t *src, bool src_any)
{
	struct lbx_inet_if *ifp;

	if (!src_any) {
		if (ip_addr_isloopback(src))
			return NULL;
		ifp = if_of_addr(src);
	} else {
		ifp = if_of_owner(current_owner());
	}
	if (!ifp || ifp->dead)
		return NULL;
	return &ifp->nif;
}

struct netif *lbx_inet_route4(const ip4_addr_t *src, const ip4_addr_t *dest)
{
	ip_addr_t s = { 0 };
	struct netif *n;

	if (ip4_addr_isloopback(dest))
		return NULL;
	if (src)
		ip_addr_copy_from_ip4(s, *src);
	n = route_pick(&s, !src || ip4_addr_isany(src));
	if (n && !IP_IS_V4(&if_of_netif(n)->addr))
		return NULL;
	return n;
}

struct netif *lbx_inet_route6(const ip6_addr_t *src, const ip6_addr_t *dest)
{
	ip_addr_t s = { 0 };
	struct netif *n;

	if (ip6_addr_isloopback(dest))
		return NULL;
	if (src) {
		ip_addr_copy_from_ip6(s, *src);
		ip6_addr_clear_zone(ip_2_ip6(&s));
	}
	n = route_pick(&s, !src || ip6_addr_isany(src));
	if (n && !IP_IS_V6(&if_of_netif(n)->addr))
		return NULL;
	return n;
}

static err_t if_tx(struct netif *n, struct pbuf *p)
{
	struct lbx_inet_if *ifp = n->state;
	void *buf, *token;

	if (ifp->dead)
		return ERR_IF;
	buf = ifp->ops->tx_alloc(ifp->ctx, p->tot_len, &token);
	if (!buf)
		return ERR_MEM;
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	ifp->ops->tx_send(ifp->ctx, token);
	return ERR_OK;
}

static err_t if_output4(struct netif *n, struct pbuf *p, const ip4_addr_t *next)
{
	return if_tx(n, p);
}

static err_t if_output6(struct netif *n, struct pbuf *p, const ip6_addr_t *next)
{
	return if_tx(n, p);
}

static err_t if_init(struct netif *n)
{
	struct lbx_inet_if *ifp = n->state;

	n->name[0] = 'l';
	n->name[1] = 'x';
	n->output = if_output4;
	n->output_ip6 = if_output6;
	n->mtu = ifp->mtu;
#if LWIP_ND6_ALLOW_RA_UPDATES
	n->mtu6 = ifp->mtu;
#endif
	n->hwaddr_len = 0;
	n->flags = 0;		/* point to point; never NETIF_FLAG_LINK_UP */
	return ERR_OK;
}

int lbx_inet_if_add(u32 owner, const struct lbx_inet_if_config *cfg,
		    const struct lbx_inet_if_ops *ops, void *ctx,
		    struct lbx_inet_if **out)
{
	struct lbx_inet_if *ifp;
	int ret = 0;

	if (!owner || (cfg->family != LX_AF_INET && cfg->family != LX_AF_INET6))
		return -EINVAL;
	ifp = lbx_plat_alloc(sizeof(*ifp));
	if (!ifp)
		return -ENOMEM;
	ifp->owner = owner;
	ifp->family = cfg->family;
	ifp->prefix = cfg->prefix;
	ifp->mtu = cfg->mtu ? cfg->mtu : 1500;
	ifp->ops = ops;
	ifp->ctx = ctx;
	lbx_list_init(&ifp->node);
	{
		static const u8 zero[16];

		ifp->has_gw = memcmp(cfg->gw, zero, 16) != 0;
	}
	if (cfg->family == LX_AF_INET) {
		u32 a;

		memcpy(&a, cfg->addr, 4);
		ip_addr_set_ip4_u32_val(ifp->addr, a);
	} else {
		u32 w[4];

		memcpy(w, cfg->addr, 16);
		IP_ADDR6(&ifp->addr, w[0], w[1], w[2], w[3]);
	}
	inet_start();
	inet_lock_stack();
	if (if_of_owner(owner)) {
		ret = -EEXIST;
		goto out;
	}
	if (if_of_addr(&ifp->addr)) {
		ret = -EADDRINUSE;
		goto out;
	}
	if (inet_nifs >= INET_IF_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	if (cfg->family == LX_AF_INET) {
		ip4_addr_t mask;
		u32 m = cfg->prefix ? ~0U << (32 - cfg->prefix) : 0;

		ip4_addr_set_u32(&mask, __builtin_bswap32(m));
		if (!netif_add(&ifp->nif, ip_2_ip4(&ifp->addr), &mask,
			       IP4_ADDR_ANY4, ifp, if_init, ip_input)) {
			ret = -ENOMEM;
			goto out;
		}
	} else {
		s8_t idx;

		if (!netif_add_noaddr(&ifp->nif, ifp, if_init, ip_input)) {
			ret = -ENOMEM;
			goto out;
		}
		if (netif_add_ip6_address(&ifp->nif, ip_2_ip6(&ifp->addr),
					  &idx) != ERR_OK) {
			netif_remove(&ifp->nif);
			ret = -ENOMEM;
			goto out;
		}
		netif_ip6_addr_set_state(&ifp->nif, idx, IP6_ADDR_PREFERRED);
	}
	netif_set_up(&ifp->nif);
	lbx_list_add_tail(&ifp->node, &inet_ifs);
	inet_nifs++;
	*out = ifp;
out:
	inet_unlock();
	if (ret)
		lbx_plat_free(ifp);
	return ret;
}

/* Whether a packet from the platform is addressed to the interface. */
static bool if_accepts(struct lbx_inet_if *ifp, const u8 *pkt, u32 len)
{
	u8 ver = pkt[0] >> 4;

	if (ver == 4 && IP_IS_V4(&ifp->addr) && len >= 20)
		return !memcmp(pkt + 16, ip_bytes(&ifp->addr), 4);
	if (ver == 6 && IP_IS_V6(&ifp->addr) && len >= 40)
		return !memcmp(pkt + 24, ip_bytes(&ifp->addr), 16);
	return false;
}

void lbx_inet_if_input(struct lbx_inet_if *ifp, const void *pkt, u32 len)
{
	struct pbuf *p;

	if (!len || len > 0xffff)
		return;
	inet_lock_stack();
	if (ifp->dead || !if_accepts(ifp, pkt, len))
		goto out;
	p = pbuf_alloc(PBUF_RAW, (u16)len, PBUF_RAM);
	if (!p)
		goto out;
	memcpy(p->payload, pkt, len);
	if (ifp->nif.input(p, &ifp->nif) != ERR_OK)
		pbuf_free(p);
out:
	inet_unlock();
}

bool lbx_inet_if_sending(struct lbx_inet_if *ifp)
{
	struct tcp_pcb *pcb;
	bool busy = false;

	inet_lock_stack();
	for (pcb = tcp_active_pcbs; pcb && !busy; pcb = pcb->next) {
		if (!ip_addr_cmp(&pcb->local_ip, &ifp->addr))
			continue;
		busy = pcb->unsent || pcb->unacked || pcb->state == FIN_WAIT_1 ||
		       pcb->state == CLOSING || pcb->state == LAST_ACK;
	}
	inet_unlock();
	return busy;
}

void lbx_inet_if_detach(struct lbx_inet_if *ifp)
{
	inet_lock_stack();
	if (!ifp->dead) {
		/* lwIP aborts the connections on its address (a RST goes
		 * out) and unbinds UDP sockets from it. */
		netif_remove(&ifp->nif);
		ifp->dead = true;
		lbx_list_del(&ifp->node);
		inet_nifs--;
	}
	inet_unlock();
}

void lbx_inet_if_free(struct lbx_inet_if *ifp)
{
	lbx_plat_free(ifp);
}

/* ---- sandboxes do not talk to each other ---- */

err_t lbx_inet_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
			    struct pbuf *p)
{
	struct inet_sock *ls, *cs;
	struct tcp_pcb *c;
	u8 flags = TCPH_FLAGS(hdr);

	struct lbx_inet_if *inif = if_of_netif(ip_current_input_netif());

	if (inif) {
		/* From a sandbox's interface: for that sandbox's sockets only
		 * (a pcb without a socket is closing on the interface's own
		 * address). */
		cs = pcb->callback_arg;
		if (!cs || cs->owner == inif->owner)
			return ERR_OK;
		if (pcb->state == LISTEN &&
		    (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
			tcp_rst(NULL, 0, hdr->seqno + 1, ip_current_dest_addr(),
				ip_current_src_addr(), hdr->dest, hdr->src);
		return ERR_ABRT;
	}
	if (pcb->state != LISTEN || (flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return ERR_OK;
	ls = pcb->callback_arg;
	if (!ls)
		return ERR_OK;
	/* The client: the loopback's SYN_SENT pcb on the source port. */
	for (c = tcp_active_pcbs; c; c = c->next) {
		if (c->state == SYN_SENT && c->local_port == hdr->src &&
		    c->remote_port == hdr->dest)
			break;
	}
	if (!c || !c->callback_arg)
		return ERR_OK;
	cs = c->callback_arg;
	if (cs->owner == ls->owner)
		return ERR_OK;
	/* Another sandbox's listener: answer as if nobody listened. */
	tcp_rst(NULL, 0, hdr->seqno + 1, ip_current_dest_addr(),
		ip_current_src_addr(), hdr->dest, hdr->src);
	return ERR_ABRT;
}

/* Whether the datagram's sender (a loopback UDP pcb on its source port)
 * belongs to is's sandbox. */
static bool same_owner_udp(struct inet_sock *is, const ip_addr_t *addr,
			   u16 port)
{
	struct udp_pcb *u;

	for (u = udp_pcbs; u; u = u->next) {
		if (u->local_port == port && u->recv_arg &&
		    (ip_addr_isany(&u->local_ip) || ip_addr_cmp(&u->local_ip, addr)))
			return ((struct inet_sock *)u->recv_arg)->owner == is->owner;
	}
	return true;
}

/* ---- lwIP's UDP callback ---- */

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr, u16_t port)
{
	struct inet_sock *is = arg;
	struct inet_dgram *d;

	struct lbx_inet_if *inif = if_of_netif(ip_current_input_netif());

	if (!is || is->shut_rd ||
	    (inif ? inif->owner != is->owner : !same_owner_udp(is, addr, port)) ||
	    is->dgram_bytes + p->tot_len > is->rcvbuf) {
		pbuf_free(p);	/* Linux drops what does not fit, too */
		return;
	}
	d = lbx_plat_alloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->p = p;
	ip_addr_copy(d->addr, *addr);
	d->port = port;
	lbx_list_add_tail(&d->node, &is->dgrams);
	is->dgram_bytes += p->tot_len;
	inet_wake(is, LX_POLLIN | LX_POLLRDNORM);
}

/* ---- socket creation ---- */

static int inet_make_pcb(struct inet_sock *is)
{
	u8 iptype = is->family == LX_AF_INET ? IPADDR_TYPE_V4 :
		    is->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;

	if (is->type == LX_SOCK_STREAM) {
		struct tcp_pcb *pcb = tcp_new_ip_type(iptype);

		if (!pcb)
			return -ENOMEM;
		tcp_setup(is, pcb);
		apply_tcp_options(is);
		return 0;
	}
	is->udp = udp_new_ip_type(iptype);
	if (!is->udp)
		return -ENOMEM;
	udp_recv(is->udp, udp_recv_cb, is);
	return 0;
}

static int inet_attach(struct inet_sock *is, struct lbx_vfs *vfs, int protocol,
		       u32 fflags, struct lbx_file **out)
{
	struct lbx_sock *sk;
	int ret;

	ret = lbx_sock_alloc(vfs, is->family, is->type, protocol, fflags, &sk);
	if (ret)
		return ret;
	sk->ops = &inet_ops;
	sk->priv = is;
	is->sk = sk;
	*out = sk->file;
	return 0;
}

static int inet_create(struct lbx_vfs *vfs, int type, int protocol,
		       u32 fflags, struct lbx_file **out, int family)
{
	struct inet_sock *is;
	int ret;

	if (type == LX_SOCK_STREAM) {
		if (protocol && protocol != LX_IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = LX_IPPROTO_TCP;
	} else if (type == LX_SOCK_DGRAM) {
		if (protocol && protocol != LX_IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		protocol = LX_IPPROTO_UDP;
	} else {
		return -ESOCKTNOSUPPORT;
	}
	inet_start();
	is = inet_sock_new(family, type);
	if (!is)
		return -ENOMEM;
	inet_lock_stack();
	ret = inet_make_pcb(is);
	inet_unlock();
	if (ret)
		goto err;
	ret = inet_attach(is, vfs, protocol, fflags, out);
	if (ret)
		goto err;
	return 0;
err:
	inet_lock_stack();
	if (is->udp)
		udp_remove(is->udp);
	tcp_kill(is);
	inet_unlock();
	inet_sock_free(is);
	return ret;
}

static int inet4_create(struct lbx_vfs *vfs, int type, int protocol,
			u32 fflags, struct lbx_file **out)
{
	return inet_create(vfs, type, protocol, fflags, out, LX_AF_INET);
}

static int inet6_create(struct lbx_vfs *vfs, int type, int protocol,
			u32 fflags, struct lbx_file **out)
{
	return inet_create(vfs, type, protocol, fflags, out, LX_AF_INET6);
}

static const struct lbx_net_family inet4_family = {
	.family = LX_AF_INET,
	.create = inet4_create,
};

static const struct lbx_net_family inet6_family = {
	.family = LX_AF_INET6,
	.create = inet6_create,
};

const struct lbx_net_family *lbx_net_inet_family(int family)
{
	if (family == LX_AF_INET)
		return &inet4_family;
	if (family == LX_AF_INET6)
		return &inet6_family;
	return NULL;
}

static struct inet_sock *INET(struct lbx_sock *sk)
{
	return sk->priv;
}

/* ---- bind, listen, accept, connect ---- */

static bool is_bound(struct inet_sock *is)
{
	if (is->tcp)
		return is->tcp->local_port != 0;
	if (is->udp)
		return is->udp->local_port != 0;
	return true;
}

static bool listener_on(const ip_addr_t *ip, u16 port)
{
	struct tcp_pcb_listen *l;

	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		if (l->local_port == port &&
		    (ip_addr_isany(&l->local_ip) || ip_addr_isany(ip) ||
		     ip_addr_cmp(&l->local_ip, ip)))
			return true;
	}
	return false;
}

static int inet_bind(struct lbx_sock *sk, const void *addr, u32 len)
{
	struct inet_sock *is = INET(sk);
	ip_addr_t ip;
	u16 port;
	err_t e;
	int ret;

	ret = addr_from_lx(is, addr, len, &ip, &port);
	if (ret)
		return ret;
	inet_lock_stack();
	if (is->state != ST_NEW || is_bound(is)) {
		ret = -EINVAL;
		goto out;
	}
	/* Only local addresses: the loopback's, the sandbox's interface's,
	 * and "any". */
	if (!ip_addr_isany(&ip) && !ip_addr_isloopback(&ip) &&
	    !own_address(&ip)) {
		ret = -EADDRNOTAVAIL;
		goto out;
	}
	if (is->tcp) {
		if (port && listener_on(&ip, port)) {
			/* Linux: even SO_REUSEADDR does not share a port with
			 * a listener (lwIP would). */
			ret = -EADDRINUSE;
			goto out;
		}
		if (is->reuseaddr)
			ip_set_option(is->tcp, SOF_REUSEADDR);
		e = tcp_bind(is->tcp, &ip, port);
	} else {
		if (is->reuseaddr || is->reuseport)
			ip_set_option(is->udp, SOF_REUSEADDR);
		e = udp_bind(is->udp, &ip, port);
	}
	ret = err_to_errno(e);
out:
	inet_unlock();
	return ret;
}

static int inet_listen(struct lbx_sock *sk, int backlog)
{
	struct inet_sock *is = INET(sk);
	struct tcp_pcb *lpcb;
	int ret = 0;

	if (is->type != LX_SOCK_STREAM)
		return -EOPNOTSUPP;
	if (backlog < 0 || backlog > LX_SOMAXCONN)
		backlog = LX_SOMAXCONN;
	inet_lock_stack();
	if (is->state == ST_LISTEN) {
		is->backlog = (u32)backlog + 1;
		goto out;
	}
	if (is->state != ST_NEW || !is->tcp) {
		ret = -EINVAL;
		goto out;
	}
	if (!is_bound(is)) {
		/* Linux binds an unbound listener to an ephemeral port. */
		if (is->reuseaddr)
			ip_set_option(is->tcp, SOF_REUSEADDR);
		ret = err_to_errno(tcp_bind(is->tcp, is->family == LX_AF_INET ?
					    IP4_ADDR_ANY : IP_ANY_TYPE, 0));
		if (ret)
			goto out;
	}
	lpcb = tcp_listen_with_backlog(is->tcp, 255);
	if (!lpcb) {
		ret = -ENOMEM;
		goto out;
	}
	/* The old pcb is gone; the listener has its own. */
	is->tcp = lpcb;
	tcp_arg(lpcb, is);
	tcp_accept(lpcb, tcp_accept_cb);
	is->backlog = (u32)backlog + 1;
	is->state = ST_LISTEN;
out:
	inet_unlock();
	return ret;
}

static bool accept_ready(void *arg)
{
	struct inet_sock *is = arg;

	return is->nacc || is->state != ST_LISTEN || is->shut_rd;
}

static int inet_accept(struct lbx_sock *sk, u32 fflags, bool nonblock,
		       struct lbx_file **out)
{
	struct inet_sock *is = INET(sk), *c;
	int ret;

	inet_lock_stack();
	if (is->state != ST_LISTEN || is->shut_rd) {
		ret = -EINVAL;
		goto out;
	}
	if (!is->nacc) {
		if (nonblock) {
			ret = -EAGAIN;
			goto out;
		}
		ret = inet_wait(is, accept_ready, is, lbx_sock_rcv_deadline(sk));
		if (ret)
			goto out;
		if (is->state != ST_LISTEN || (is->shut_rd && !is->nacc)) {
			ret = -EINVAL;
			goto out;
		}
	}
	c = lbx_list_entry(is->acceptq.next, struct inet_sock, node);
	lbx_list_del(&c->node);
	lbx_list_init(&c->node);
	is->nacc--;
	ret = inet_attach(c, sk->vfs, sk->protocol, fflags, out);
	if (ret) {
		tcp_kill(c);
		inet_sock_free(c);
	}
out:
	inet_unlock();
	return ret;
}

static bool connect_done(void *arg)
{
	struct inet_sock *is = arg;

	return is->state != ST_CONNECTING;
}

/* The outcome of a finished connect, reported once. */
static int connect_result(struct inet_sock *is)
{
	int err = is->err;

	is->connect_nb = false;
	if (is->state == ST_CONNECTED)
		return 0;
	is->err = 0;
	return err ? -err : -ECONNREFUSED;
}

static int tcp_connect_op(struct inet_sock *is, const ip_addr_t *ip, u16 port,
			  bool nonblock, u64 deadline)
{
	err_t e;
	int ret;

	switch (is->state) {
	case ST_CONNECTING:
		if (nonblock)
			return -EALREADY;
		break;
	case ST_CONNECTED:
		if (is->connect_nb)
			return connect_result(is);
		return -EISCONN;
	case ST_LISTEN:
		return -EISCONN;
	case ST_CLOSED:
		if (is->connect_nb)
			return connect_result(is);
		return -ECONNABORTED;
	case ST_NEW:
		if (!is->tcp)
			return -EINVAL;
		if (port == 0)
			return -ECONNREFUSED;
		ret = route_check(ip);
		if (ret)
			return ret;
		apply_tcp_options(is);
		e = tcp_connect(is->tcp, ip, port, tcp_connected_cb);
		if (e != ERR_OK)
			return err_to_errno(e);
		is->state = ST_CONNECTING;
		if (nonblock) {
			is->connect_nb = true;
			return -EINPROGRESS;
		}
		break;
	}
	ret = inet_wait(is, connect_done, is, deadline);
	if (ret == -EAGAIN)
		return -EINPROGRESS;	/* SO_SNDTIMEO: Linux's answer */
	if (ret)
		return ret;
	return connect_result(is);
}

static int udp_connect_op(struct inet_sock *is, const void *addr, u32 len,
			  const ip_addr_t *ip, u16 port)
{
	u16 fam;

	memcpy(&fam, addr, sizeof(fam));
	if (fam == LX_AF_UNSPEC) {
		udp_disconnect(is->udp);
		is->state = ST_NEW;
		return 0;
	}
	if (route_check(ip) || udp_connect(is->udp, ip, port) != ERR_OK)
		return -ENETUNREACH;
	is->state = ST_CONNECTED;
	return 0;
}

static int inet_connect(struct lbx_sock *sk, const void *addr, u32 len,
			bool nonblock)
{
	struct inet_sock *is = INET(sk);
	ip_addr_t ip;
	u16 port, fam = 0;
	int ret;

	if (len >= sizeof(fam))
		memcpy(&fam, addr, sizeof(fam));
	if (is->type == LX_SOCK_DGRAM && fam == LX_AF_UNSPEC) {
		if (len < sizeof(fam))
			return -EINVAL;
		ip_addr_set_zero(&ip);
		port = 0;
	} else {
		ret = addr_from_lx(is, addr, len, &ip, &port);
		if (ret)
			return ret;
	}
	/* "any" as a destination is the loopback (Linux does the same). */
	if (ip_addr_isany(&ip) && fam != LX_AF_UNSPEC) {
		set_loopback(&ip, is->family != LX_AF_INET && !IP_IS_V4(&ip));
	}
	inet_lock_stack();
	if (is->type == LX_SOCK_STREAM)
		ret = tcp_connect_op(is, &ip, port, nonblock,
				     lbx_sock_snd_deadline(sk));
	else
		ret = udp_connect_op(is, addr, len, &ip, port);
	inet_unlock();
	return ret;
}

static int inet_shutdown(struct lbx_sock *sk, int how)
{
	struct inet_sock *is = INET(sk);
	int ret = 0;

	if (how < LX_SHUT_RD || how > LX_SHUT_RDWR)
		return -EINVAL;
	inet_lock_stack();
	if (is->type == LX_SOCK_STREAM && is->state == ST_LISTEN) {
		/* Linux: a listener shut for reading stops listening. */
		if (how != LX_SHUT_WR) {
			is->shut_rd = true;
			inet_wake(is, LX_POLLIN | LX_POLLHUP);
		}
		goto out;
	}
	if (is->state != ST_CONNECTED && is->state != ST_CONNECTING &&
	    !(is->type == LX_SOCK_DGRAM)) {
		ret = -ENOTCONN;
		goto out;
	}
	if (is->type == LX_SOCK_DGRAM && is->state != ST_CONNECTED) {
		ret = -ENOTCONN;
		goto out;
	}
	if (how != LX_SHUT_WR)
		is->shut_rd = true;
	if (how != LX_SHUT_RD && !is->shut_wr) {
		is->shut_wr = true;
		if (is->tcp && is->state == ST_CONNECTED)
			tcp_shutdown(is->tcp, 0, 1);	/* FIN after the data */
	}
	inet_wake(is, LX_POLLIN | LX_POLLOUT | LX_POLLRDHUP | LX_POLLHUP);
out:
	inet_unlock();
	return ret;
}

/* ---- TCP data ---- */

struct io_cond {
	struct inet_sock *is;
	size_t want;
};

static bool tcp_can_read(void *arg)
{
	struct inet_sock *is = ((struct io_cond *)arg)->is;

	return is->rcv_len || is->rcv_eof || is->shut_rd || is->err ||
	       is->state == ST_CLOSED || is->state == ST_NEW;
}

/*
 * Room for the next tcp_write(): within the send buffer, and within the
 * segment queue. tcp_write() fails (ERR_MEM) rather than queue more than
 * TCP_SND_QUEUELEN pbufs: one for what it appends to the last segment,
 * then one per segment of at most its mss_local. Over a device (an MTU of
 * 1500) a segment is far smaller than TCP_MSS, so the queue, not the
 * buffer, is what runs out.
 */
static u32 tcp_room(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->tcp;
	u32 q, seg;

	if (!pcb)
		return 0;
	q = tcp_sndqueuelen(pcb);
	if (q + 2 >= TCP_SND_QUEUELEN)
		return 0;
	seg = lbx_min((u32)pcb->mss, (u32)(pcb->snd_wnd_max / 2));
	if (!seg)
		seg = pcb->mss;
	return lbx_min((u32)tcp_sndbuf(pcb), (TCP_SND_QUEUELEN - 2 - q) * seg);
}

static bool tcp_can_write(void *arg)
{
	struct inet_sock *is = ((struct io_cond *)arg)->is;

	return is->state != ST_CONNECTED || is->shut_wr || is->err ||
	       tcp_room(is) > 0;
}

static void tcp_consumed(struct inet_sock *is, u32 n)
{
	is->rcv = pbuf_free_header(is->rcv, (u16)n);
	is->rcv_len -= n;
	if (is->tcp)
		tcp_recved(is->tcp, (u16)n);
}

static ssize_t tcp_recv_op(struct inet_sock *is, struct lbx_msg *m, u32 flags,
			   bool nonblock, u64 deadline)
{
	size_t want = lbx_msg_iter_count(&m->iter), done = 0;
	struct io_cond c = { .is = is };
	int ret = 0;

	if (flags & LX_MSG_OOB)
		return -EINVAL;
	if (is->state == ST_NEW || is->state == ST_LISTEN)
		return -ENOTCONN;
	m->name_len = 0;
	if (!want)
		return 0;
	while (done < want) {
		if (!is->rcv_len) {
			/* Linux's order: end of stream, error, shutdown. */
			if (is->rcv_eof)
				break;
			if (is->err) {
				if (done)
					break;
				ret = -is->err;
				is->err = 0;
				break;
			}
			if (is->shut_rd || is->state == ST_CLOSED)
				break;
			if (done && !(flags & LX_MSG_WAITALL))
				break;
			if (nonblock) {
				if (!done)
					ret = -EAGAIN;
				break;
			}
			ret = inet_wait(is, tcp_can_read, &c, deadline);
			if (ret) {
				if (done)
					ret = 0;
				break;
			}
			continue;
		}
		/* Copy from the head of the queue. */
		{
			struct pbuf *q;
			u32 off = 0, n;

			n = (u32)lbx_min((size_t)is->rcv_len, want - done);
			n = lbx_min(n, 0xffffU);
			if (flags & LX_MSG_PEEK)
				n = (u32)lbx_min((size_t)is->rcv_len, want - done);
			for (q = is->rcv; q && off < n; q = q->next) {
				u32 chunk = lbx_min((u32)q->len, n - off);

				if (!(flags & LX_MSG_TRUNC)) {
					if (lbx_msg_copy_to(&m->iter, q->payload, chunk)) {
						ret = -EFAULT;
						break;
					}
				}
				off += chunk;
			}
			if (ret)
				break;
			done += off;
			if (flags & LX_MSG_PEEK)
				break;
			tcp_consumed(is, off);
			if (is->tcp)
				tcp_output(is->tcp);	/* a window update */
		}
	}
	if (done)
		return (ssize_t)done;
	return ret;
}

static ssize_t tcp_send_op(struct inet_sock *is, struct lbx_msg *m, u32 flags,
			   bool nonblock, u64 deadline)
{
	size_t want = lbx_msg_iter_count(&m->iter), done = 0;
	struct io_cond c = { .is = is };
	u8 *bounce = NULL;
	int ret = 0;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	if (is->state == ST_CONNECTING) {
		if (nonblock)
			return -EAGAIN;
		ret = inet_wait(is, connect_done, is, deadline);
		if (ret)
			return ret;
	}
	while (done < want) {
		u32 room, n;
		err_t e;

		if (is->err) {
			ret = -is->err;
			is->err = 0;
			break;
		}
		if (is->state != ST_CONNECTED || is->shut_wr || !is->tcp) {
			ret = -EPIPE;
			break;
		}
		room = tcp_room(is);
		if (!room) {
			if (nonblock) {
				ret = -EAGAIN;
				break;
			}
			tcp_output(is->tcp);
			ret = inet_wait(is, tcp_can_write, &c, deadline);
			if (ret)
				break;
			continue;
		}
		if (!bounce) {
			bounce = lbx_plat_alloc(INET_BOUNCE);
			if (!bounce) {
				ret = -ENOMEM;
				break;
			}
		}
		n = (u32)lbx_min((size_t)lbx_min(room, INET_BOUNCE), want - done);
		if (lbx_msg_copy_from(&m->iter, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		e = tcp_write(is->tcp, bounce, (u16)n, TCP_WRITE_FLAG_COPY |
			      ((done + n < want || (flags & LX_MSG_MORE) || is->cork) ?
			       TCP_WRITE_FLAG_MORE : 0));
		if (e != ERR_OK) {
			ret = e == ERR_MEM ? -ENOBUFS : err_to_errno(e);
			break;
		}
		done += n;
		if (!(flags & LX_MSG_MORE) && !is->cork)
			tcp_output(is->tcp);
	}
	if (is->tcp && done)
		tcp_output(is->tcp);
	lbx_plat_free(bounce);
	if (done)
		return (ssize_t)done;
	return ret;
}

/* ---- UDP data ---- */

static bool udp_can_read(void *arg)
{
	struct inet_sock *is = ((struct io_cond *)arg)->is;

	return !lbx_list_empty(&is->dgrams) || is->shut_rd || is->err;
}

static ssize_t udp_recv_op(struct inet_sock *is, struct lbx_msg *m, u32 flags,
			   bool nonblock, u64 deadline)
{
	struct io_cond c = { .is = is };
	struct inet_dgram *d;
	struct pbuf *q;
	size_t want = lbx_msg_iter_count(&m->iter), off = 0;
	u32 len;
	int ret;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	while (lbx_list_empty(&is->dgrams)) {
		if (is->err) {
			ret = -is->err;
			is->err = 0;
			return ret;
		}
		if (is->shut_rd)
			return 0;
		if (nonblock)
			return -EAGAIN;
		ret = inet_wait(is, udp_can_read, &c, deadline);
		if (ret)
			return ret;
	}
	d = lbx_list_entry(is->dgrams.next, struct inet_dgram, node);
	len = d->p->tot_len;
	for (q = d->p; q && off < want; q = q->next) {
		size_t chunk = lbx_min((size_t)q->len, want - off);

		if (lbx_msg_copy_to(&m->iter, q->payload, chunk))
			return -EFAULT;
		off += chunk;
	}
	if (m->name)
		m->name_len = addr_to_lx(is, &d->addr, d->port, m->name);
	if (len > want)
		m->msg_flags |= LX_MSG_TRUNC;
	if (!(flags & LX_MSG_PEEK)) {
		lbx_list_del(&d->node);
		is->dgram_bytes -= len;
		pbuf_free(d->p);
		lbx_plat_free(d);
	}
	return (flags & LX_MSG_TRUNC) ? (ssize_t)len : (ssize_t)off;
}

static ssize_t udp_send_op(struct inet_sock *is, struct lbx_msg *m, u32 flags)
{
	size_t len = lbx_msg_iter_count(&m->iter);
	ip_addr_t ip;
	u16 port;
	struct pbuf *p;
	err_t e;
	int ret;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	if (is->shut_wr)
		return -EPIPE;
	if (m->name_len) {
		ret = addr_from_lx(is, m->name, m->name_len, &ip, &port);
		if (ret)
			return ret;
		if (!port)
			return -EINVAL;
		if (ip_addr_isany(&ip))
			set_loopback(&ip, is->family != LX_AF_INET && !IP_IS_V4(&ip));
	} else if (is->state == ST_CONNECTED) {
		ip_addr_copy(ip, is->udp->remote_ip);
		port = is->udp->remote_port;
	} else {
		return -EDESTADDRREQ;
	}
	if (len > (IP_IS_V4(&ip) ? UDP_MAX_V4 : UDP_MAX_V6))
		return -EMSGSIZE;
	ret = route_check(&ip);
	if (ret)
		return ret;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16)len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (len && lbx_msg_copy_from(&m->iter, p->payload, len)) {
		pbuf_free(p);
		return -EFAULT;
	}
	if (IP_IS_V4(&ip) && ip4_addr_get_u32(ip_2_ip4(&ip)) == 0xffffffffU &&
	    !is->broadcast) {
		pbuf_free(p);
		return -EACCES;
	}
	e = udp_sendto(is->udp, p, &ip, port);
	pbuf_free(p);
	if (e != ERR_OK)
		return e == ERR_MEM ? -ENOBUFS : err_to_errno(e);
	return (ssize_t)len;
}

static ssize_t inet_sendmsg(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			    bool nonblock)
{
	struct inet_sock *is = INET(sk);
	ssize_t ret;

	inet_lock_stack();
	if (is->type == LX_SOCK_STREAM)
		ret = tcp_send_op(is, m, flags, nonblock,
				  lbx_sock_snd_deadline(sk));
	else
		ret = udp_send_op(is, m, flags);
	inet_unlock();
	return ret;
}

static ssize_t inet_recvmsg(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			    bool nonblock)
{
	struct inet_sock *is = INET(sk);
	ssize_t ret;

	m->control_len = 0;
	inet_lock_stack();
	if (is->type == LX_SOCK_STREAM)
		ret = tcp_recv_op(is, m, flags, nonblock,
				  lbx_sock_rcv_deadline(sk));
	else
		ret = udp_recv_op(is, m, flags, nonblock,
				  lbx_sock_rcv_deadline(sk));
	inet_unlock();
	return ret;
}

/* ---- names ---- */

static int inet_getname(struct lbx_sock *sk, void *addr, u32 *len, bool peer)
{
	struct inet_sock *is = INET(sk);
	const ip_addr_t *ip = NULL;
	u16 port = 0;
	int ret = 0;

	inet_lock_stack();
	if (peer) {
		if (is->state != ST_CONNECTED ||
		    (is->type == LX_SOCK_STREAM && !is->tcp)) {
			ret = -ENOTCONN;
			goto out;
		}
		if (is->tcp) {
			ip = &is->tcp->remote_ip;
			port = is->tcp->remote_port;
		} else {
			ip = &is->udp->remote_ip;
			port = is->udp->remote_port;
		}
	} else if (is->tcp) {
		ip = &is->tcp->local_ip;
		port = is->tcp->local_port;
	} else if (is->udp) {
		ip = &is->udp->local_ip;
		port = is->udp->local_port;
	}
	*len = addr_to_lx(is, ip, port, addr);
out:
	inet_unlock();
	return ret;
}

/* ---- options ---- */

struct lx_linger {
	s32 onoff;
	s32 linger;
};

static int get_int(const void *val, u32 len, int *out)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

static int put_int(void *val, u32 *len, int v)
{
	u32 n = lbx_min(*len, (u32)sizeof(int));

	memcpy(val, &v, n);
	*len = n;
	return 0;
}

static int inet_setsockopt(struct lbx_sock *sk, int level, int name,
			   const void *val, u32 len)
{
	struct inet_sock *is = INET(sk);
	int v = 0, ret = 0;

	if (level == LX_SOL_SOCKET && name == LX_SO_LINGER) {
		struct lx_linger l;

		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		inet_lock_stack();
		is->linger_on = l.onoff != 0;
		is->linger = l.linger < 0 ? 0 : l.linger;
		inet_unlock();
		return 0;
	}
	ret = get_int(val, len, &v);
	if (ret)
		return ret;
	inet_lock_stack();
	switch (level) {
	case LX_SOL_SOCKET:
		switch (name) {
		case LX_SO_REUSEADDR:
			is->reuseaddr = v != 0;
			break;
		case LX_SO_REUSEPORT:
			/* Accepted; lwIP has no load-balanced port groups,
			 * so it only relaxes the bind like SO_REUSEADDR for
			 * UDP. */
			is->reuseport = v != 0;
			break;
		case LX_SO_KEEPALIVE:
			is->keepalive = v != 0;
			apply_tcp_options(is);
			break;
		case LX_SO_BROADCAST:
			is->broadcast = v != 0;
			break;
		case LX_SO_RCVBUF:
		case LX_SO_RCVBUFFORCE:
		case LX_SO_SNDBUF:
		case LX_SO_SNDBUFFORCE: {
			u32 b = v < 0 ? 0 : (u32)v;

			b = lbx_min(b, INET_BUF_MAX / 2) * 2;	/* as Linux */
			b = lbx_max(b, INET_BUF_MIN);
			if (name == LX_SO_RCVBUF || name == LX_SO_RCVBUFFORCE)
				is->rcvbuf = b;
			else
				is->sndbuf = b;
			break;
		}
		case LX_SO_OOBINLINE:
			is->oobinline = v != 0;
			break;
		case LX_SO_DONTROUTE:
		case LX_SO_RCVLOWAT:
		case LX_SO_SNDLOWAT:
		case LX_SO_DEBUG:
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	case LX_IPPROTO_TCP:
		if (is->type != LX_SOCK_STREAM) {
			ret = -ENOPROTOOPT;
			break;
		}
		switch (name) {
		case LX_TCP_NODELAY:
			is->nodelay = v != 0;
			break;
		case LX_TCP_CORK:
			is->cork = v != 0;
			if (!is->cork && is->tcp && is->state == ST_CONNECTED)
				tcp_output(is->tcp);
			break;
		case LX_TCP_KEEPIDLE:
		case LX_TCP_KEEPINTVL:
			if (v < 1 || v > 32767) {
				ret = -EINVAL;
				break;
			}
			if (name == LX_TCP_KEEPIDLE)
				is->keepidle = (u32)v;
			else
				is->keepintvl = (u32)v;
			break;
		case LX_TCP_KEEPCNT:
			if (v < 1 || v > 127) {
				ret = -EINVAL;
				break;
			}
			is->keepcnt = (u32)v;
			break;
		case LX_TCP_MAXSEG:
		case LX_TCP_QUICKACK:
			is->quickack = v != 0;
			break;
		case LX_TCP_USER_TIMEOUT:
			is->user_timeout = (u32)v;
			break;
		case LX_TCP_DEFER_ACCEPT:
			is->defer_accept = (u32)v;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		apply_tcp_options(is);
		break;
	case LX_IPPROTO_IP:
		switch (name) {
		case LX_IP_TOS:
			is->tos = v & 0xff;
			break;
		case LX_IP_TTL:
			if (v == -1)
				v = IP_DEFAULT_TTL;
			if (v < 1 || v > 255) {
				ret = -EINVAL;
				break;
			}
			is->ttl = v;
			if (is->udp)
				is->udp->ttl = (u8)v;
			apply_tcp_options(is);
			break;
		case LX_IP_RECVERR:
			is->recverr = v != 0;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	case LX_IPPROTO_IPV6:
		if (is->family != LX_AF_INET6) {
			ret = -ENOPROTOOPT;
			break;
		}
		switch (name) {
		case LX_IPV6_V6ONLY:
			if (is_bound(is) && (is->tcp ? is->tcp->local_port :
					     is->udp->local_port)) {
				ret = -EINVAL;
				break;
			}
			is->v6only = v != 0;
			if (is->tcp)
				IP_SET_TYPE_VAL(is->tcp->local_ip, v ?
						IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);
			if (is->udp)
				IP_SET_TYPE_VAL(is->udp->local_ip, v ?
						IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);
			break;
		case LX_IPV6_UNICAST_HOPS:
			is->hops = v < 0 ? 64 : v;
			break;
		case LX_IPV6_TCLASS:
			is->tclass = v;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	inet_unlock();
	return ret;
}

static int inet_getsockopt(struct lbx_sock *sk, int level, int name,
			   void *val, u32 *len)
{
	struct inet_sock *is = INET(sk);
	int v = 0, ret = 0;

	inet_lock_stack();
	switch (level) {
	case LX_SOL_SOCKET:
		switch (name) {
		case LX_SO_LINGER: {
			struct lx_linger l = { is->linger_on, is->linger };
			u32 n = lbx_min(*len, (u32)sizeof(l));

			memcpy(val, &l, n);
			*len = n;
			goto out;
		}
		case LX_SO_ERROR:
			v = is->err;
			is->err = 0;
			break;
		case LX_SO_REUSEADDR:
			v = is->reuseaddr;
			break;
		case LX_SO_REUSEPORT:
			v = is->reuseport;
			break;
		case LX_SO_KEEPALIVE:
			v = is->keepalive;
			break;
		case LX_SO_BROADCAST:
			v = is->broadcast;
			break;
		case LX_SO_RCVBUF:
			v = (int)is->rcvbuf;
			break;
		case LX_SO_SNDBUF:
			v = (int)is->sndbuf;
			break;
		case LX_SO_OOBINLINE:
			v = is->oobinline;
			break;
		case LX_SO_TYPE:
			v = is->type;
			break;
		case LX_SO_DOMAIN:
			v = is->family;
			break;
		case LX_SO_PROTOCOL:
			v = is->type == LX_SOCK_STREAM ? LX_IPPROTO_TCP :
			    LX_IPPROTO_UDP;
			break;
		case LX_SO_ACCEPTCONN:
			v = is->state == ST_LISTEN;
			break;
		case LX_SO_RCVLOWAT:
		case LX_SO_SNDLOWAT:
			v = 1;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	case LX_IPPROTO_TCP:
		if (is->type != LX_SOCK_STREAM) {
			ret = -ENOPROTOOPT;
			break;
		}
		switch (name) {
		case LX_TCP_NODELAY:
			v = is->nodelay;
			break;
		case LX_TCP_CORK:
			v = is->cork;
			break;
		case LX_TCP_MAXSEG:
			v = is->tcp && is->state == ST_CONNECTED ?
			    is->tcp->mss : TCP_MSS;
			break;
		case LX_TCP_KEEPIDLE:
			v = is->keepidle ? (int)is->keepidle : 7200;
			break;
		case LX_TCP_KEEPINTVL:
			v = is->keepintvl ? (int)is->keepintvl : 75;
			break;
		case LX_TCP_KEEPCNT:
			v = is->keepcnt ? (int)is->keepcnt : 9;
			break;
		case LX_TCP_QUICKACK:
			v = is->quickack;
			break;
		case LX_TCP_USER_TIMEOUT:
			v = (int)is->user_timeout;
			break;
		case LX_TCP_DEFER_ACCEPT:
			v = (int)is->defer_accept;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	case LX_IPPROTO_IP:
		switch (name) {
		case LX_IP_TOS:
			v = is->tos;
			break;
		case LX_IP_TTL:
			v = is->ttl;
			break;
		case LX_IP_RECVERR:
			v = is->recverr;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	case LX_IPPROTO_IPV6:
		if (is->family != LX_AF_INET6) {
			ret = -ENOPROTOOPT;
			break;
		}
		switch (name) {
		case LX_IPV6_V6ONLY:
			v = is->v6only;
			break;
		case LX_IPV6_UNICAST_HOPS:
			v = is->hops;
			break;
		case LX_IPV6_TCLASS:
			v = is->tclass;
			break;
		default:
			ret = -ENOPROTOOPT;
		}
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	if (!ret)
		put_int(val, len, v);
out:
	inet_unlock();
	return ret;
}

/* ---- readiness ---- */

static u32 inet_poll(struct lbx_sock *sk, struct lbx_poll_table *pt)
{
	struct inet_sock *is = INET(sk);
	u32 mask = 0;

	lbx_poll_add(pt, &is->wq);
	inet_lock_stack();
	inet_pump();
	if (is->err)
		mask |= LX_POLLERR;
	if (is->type == LX_SOCK_DGRAM) {
		if (!lbx_list_empty(&is->dgrams))
			mask |= LX_POLLIN | LX_POLLRDNORM;
		if (is->shut_rd)
			mask |= LX_POLLIN | LX_POLLRDNORM | LX_POLLRDHUP;
		if (is->shut_rd && is->shut_wr)
			mask |= LX_POLLHUP;
		mask |= LX_POLLOUT | LX_POLLWRNORM;
		goto out;
	}
	switch (is->state) {
	case ST_LISTEN:
		if (is->nacc)
			mask |= LX_POLLIN | LX_POLLRDNORM;
		break;
	case ST_NEW:
		mask |= LX_POLLOUT | LX_POLLWRNORM | LX_POLLHUP;
		break;
	case ST_CONNECTING:
		break;
	case ST_CLOSED:
		mask |= LX_POLLIN | LX_POLLRDNORM | LX_POLLRDHUP | LX_POLLHUP |
			LX_POLLOUT | LX_POLLWRNORM;
		break;
	case ST_CONNECTED:
		if (is->rcv_len || is->rcv_eof || is->shut_rd)
			mask |= LX_POLLIN | LX_POLLRDNORM;
		if (is->rcv_eof || is->shut_rd)
			mask |= LX_POLLRDHUP;
		if (is->rcv_eof && is->shut_wr)
			mask |= LX_POLLHUP;
		if (is->shut_wr || tcp_room(is) >= TCP_SNDLOWAT)
			mask |= LX_POLLOUT | LX_POLLWRNORM;
		break;
	}
out:
	/* Sleep no longer than lwIP's next timer: it runs when we wake. */
	if (is->type == LX_SOCK_STREAM && is->state != ST_LISTEN)
		lbx_poll_deadline(pt, inet_next_timer());
	inet_unlock();
	return mask;
}

static long inet_ioctl(struct lbx_sock *sk, u32 cmd, u64 arg)
{
	struct inet_sock *is = INET(sk);
	s32 n = 0;

	inet_lock_stack();
	if (cmd == LX_SIOCINQ) {
		if (is->type == LX_SOCK_STREAM) {
			n = (s32)is->rcv_len;
		} else if (!lbx_list_empty(&is->dgrams)) {
			struct inet_dgram *d = lbx_list_entry(is->dgrams.next,
						struct inet_dgram, node);
			n = d->p->tot_len;
		}
	} else if (cmd == LX_SIOCOUTQ) {
		if (is->tcp && is->state == ST_CONNECTED)
			n = (s32)(TCP_SND_BUF - is->tcp->snd_buf);
	} else {
		inet_unlock();
		return -ENOTTY;
	}
	inet_unlock();
	return lbx_copy_to_guest(arg, &n, sizeof(n));
}

/* ---- close ---- */

static bool tcp_all_acked(void *arg)
{
	struct inet_sock *is = arg;

	return !is->tcp || (!is->tcp->unsent && !is->tcp->unacked);
}

static void inet_release(struct lbx_sock *sk)
{
	struct inet_sock *is = INET(sk), *c;

	inet_lock_stack();
	is->sk = NULL;
	if (is->udp) {
		udp_remove(is->udp);
		is->udp = NULL;
	}
	if (is->state == ST_LISTEN) {
		/* Connections nobody accepted are reset, as Linux does. */
		while (!lbx_list_empty(&is->acceptq)) {
			c = lbx_list_entry(is->acceptq.next, struct inet_sock, node);
			lbx_list_del(&c->node);
			tcp_kill(c);
			inet_sock_free(c);
		}
		tcp_kill(is);
	} else if (is->tcp) {
		if (is->linger_on && !is->linger) {
			tcp_kill(is);		/* SO_LINGER 0: RST */
		} else {
			if (is->linger_on && is->state == ST_CONNECTED) {
				/* SO_LINGER: wait for the data to be acked. */
				tcp_output(is->tcp);
				inet_wait(is, tcp_all_acked, is,
					  lbx_plat_now_mono() +
					  (u64)is->linger * LBX_NSEC_PER_SEC);
			}
			if (is->tcp) {
				struct tcp_pcb *pcb = is->tcp;

				/* Unread data makes lwIP reset the
				 * connection, as Linux does. */
				tcp_detach(pcb);
				if (tcp_close(pcb) != ERR_OK)
					tcp_abort(pcb);
				is->tcp = NULL;
			}
		}
	}
	inet_unlock();
	inet_sock_free(is);
}

static const struct lbx_sock_ops inet_ops = {
	.bind = inet_bind,
	.listen = inet_listen,
	.accept = inet_accept,
	.connect = inet_connect,
	.shutdown = inet_shutdown,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.poll = inet_poll,
	.ioctl = inet_ioctl,
	.release = inet_release,
};

void lbx_inet_counts(struct lbx_inet_counts *c)
{
	struct tcp_pcb *pcb;
	struct tcp_pcb_listen *l;

	memset(c, 0, sizeof(*c));
	if (__atomic_load_n(&inet_stage, __ATOMIC_ACQUIRE) != INET_UP)
		return;
	inet_lock_stack();
	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		c->tcp_active++;
	for (pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		c->tcp_time_wait++;
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		c->tcp_listen++;
	inet_unlock();
}

/* ---- teardown (module exit) ---- */

void lbx_inet_exit(void)
{
	struct tcp_pcb *pcb, *next;
	struct udp_pcb *u, *un;
	struct tcp_pcb **lists[] = {
		&tcp_active_pcbs, &tcp_tw_pcbs, &tcp_bound_pcbs,
	};
	u32 i;

	if (__atomic_load_n(&inet_stage, __ATOMIC_ACQUIRE) != INET_UP)
		return;
	inet_lock_stack();
	/* Every socket file is gone: what is left belongs to lwIP alone
	 * (closing connections, TIME_WAIT). */
	for (i = 0; i < LBX_ARRAY_SIZE(lists); i++) {
		for (pcb = *lists[i]; pcb; pcb = next) {
			next = pcb->next;
			tcp_detach(pcb);
			tcp_abandon(pcb, 0);
		}
	}
	for (pcb = (struct tcp_pcb *)tcp_listen_pcbs.pcbs; pcb; pcb = next) {
		next = pcb->next;
		tcp_close(pcb);
	}
	for (u = udp_pcbs; u; u = un) {
		un = u->next;
		udp_remove(u);
	}
	inet_pump();
	/* The pump re-armed lwIP's timers: their entries go too (lwIP has no
	 * deinit; kmemleak saw them at module exit). */
	{
		struct sys_timeo **list = sys_timeouts_get_next_timeout();

		while (*list) {
			struct sys_timeo *t = *list;

			*list = t->next;
			memp_free(MEMP_SYS_TIMEOUT, t);
		}
	}
	lbx_plat_mutex_unlock(&inet_lock);
}
