// SPDX-License-Identifier: GPL-2.0
/* core/net/inet.c: TCP and UDP over lwIP's loopback, through the socket
 * layer's calls, with real threads for the blocking cases. */
#include <pthread.h>
#include <unistd.h>

#include <litebox/net.h>
#include <litebox/inet.h>
#include <litebox/poll.h>
#include "test_vfs_util.h"

#define LX_IPPROTO_TCP	6
#define LX_TCP_NODELAY	1
#define LX_IPPROTO_IPV6	41
#define LX_IPV6_V6ONLY	26

struct sin {
	u16 family;
	u16 port;
	u32 addr;
	u8 zero[8];
};

struct sin6 {
	u16 family;
	u16 port;
	u32 flow;
	u8 addr[16];
	u32 scope;
};

static struct fsfix fx;

static struct lbx_file *sock(int family, int type)
{
	struct lbx_file *f = NULL;

	ASSERT_EQ(lbx_sock_create(fx.vfs, family, type, 0, &f), 0);
	return f;
}

static struct sin lo4(u16 port)
{
	struct sin s = { .family = LX_AF_INET, .port = __builtin_bswap16(port),
			 .addr = __builtin_bswap32(0x7f000001) };

	return s;
}

static u16 port_of(struct lbx_file *f)
{
	struct sin6 a;	/* big enough for either */
	u32 len = sizeof(a);

	ASSERT_EQ(lbx_sock_getname(f, &a, &len, false), 0);
	return __builtin_bswap16(a.port);
}

static long snd(struct lbx_file *f, const void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, (void *)buf, n);
	return lbx_sock_sendmsg(f, &m, flags);
}

static long sndto(struct lbx_file *f, const void *buf, size_t n, void *to, u32 tolen)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, (void *)buf, n);
	m.name = to;
	m.name_len = tolen;
	return lbx_sock_sendmsg(f, &m, 0);
}

static long rcv(struct lbx_file *f, void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, buf, n);
	return lbx_sock_recvmsg(f, &m, flags);
}

static long rcvfrom(struct lbx_file *f, void *buf, size_t n, u32 flags,
		    void *from, u32 *fromlen, u32 *msg_flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;
	u8 name[LBX_SOCKADDR_MAX];
	long r;

	lbx_msg_iter_kernel(&m.iter, &v, buf, n);
	m.name = name;
	r = lbx_sock_recvmsg(f, &m, flags);
	if (from) {
		memcpy(from, name, lbx_min(*fromlen, m.name_len));
		*fromlen = m.name_len;
	}
	if (msg_flags)
		*msg_flags = m.msg_flags;
	return r;
}

static int sockerr(struct lbx_file *f)
{
	int v = -1;
	u32 len = sizeof(v);

	ASSERT_EQ(lbx_sock_getsockopt(f, LX_SOL_SOCKET, LX_SO_ERROR, &v, &len), 0);
	return v;
}

static u32 pollf(struct lbx_file *f)
{
	return lbx_file_poll(f, NULL);
}

/* A listener on 127.0.0.1, an ephemeral port. */
static struct lbx_file *listener(u16 *port)
{
	struct lbx_file *l = sock(LX_AF_INET, LX_SOCK_STREAM);
	struct sin a = lo4(0);
	int one = 1;

	ASSERT_EQ(lbx_sock_setsockopt(l, LX_SOL_SOCKET, LX_SO_REUSEADDR, &one, sizeof(one)), 0);
	ASSERT_EQ(lbx_sock_bind(l, &a, sizeof(a)), 0);
	ASSERT_EQ(lbx_sock_listen(l, 8), 0);
	*port = port_of(l);
	ASSERT_NE(*port, 0);
	return l;
}

/* A connected pair: c (client) and s (accepted). */
static void pair(struct lbx_file **c, struct lbx_file **s, struct lbx_file **l)
{
	u16 port;
	struct sin a;

	*l = listener(&port);
	a = lo4(port);
	*c = sock(LX_AF_INET, LX_SOCK_STREAM);
	ASSERT_EQ(lbx_sock_connect(*c, &a, sizeof(a)), 0);
	ASSERT_EQ(lbx_sock_accept(*l, 0, s, NULL, NULL), 0);
}

static void setup(void)
{
	fix_init(&fx);
	lbx_inet_init();
}

static void put(struct lbx_file *f)
{
	if (f)
		lbx_file_put(f);
}

TEST(inet_tcp_echo)
{
	struct lbx_file *l, *c, *s;
	struct sin a, b;
	u32 len;
	char buf[64];

	setup();
	pair(&c, &s, &l);
	EXPECT_EQ(snd(c, "hello", 5, 0), 5);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(rcv(s, buf, sizeof(buf), 0), 5);
	EXPECT_EQ(memcmp(buf, "hello", 5), 0);
	EXPECT_EQ(snd(s, buf, 5, 0), 5);
	EXPECT_EQ(rcv(c, buf + 10, 5, LX_MSG_WAITALL), 5);
	EXPECT_EQ(memcmp(buf + 10, "hello", 5), 0);
	/* Names: the client's peer is the server's name and the reverse. */
	len = sizeof(a);
	EXPECT_EQ(lbx_sock_getname(c, &a, &len, true), 0);
	EXPECT_EQ(len, sizeof(a));
	EXPECT_EQ(a.family, LX_AF_INET);
	EXPECT_EQ(a.addr, __builtin_bswap32(0x7f000001));
	len = sizeof(b);
	EXPECT_EQ(lbx_sock_getname(s, &b, &len, false), 0);
	EXPECT_EQ(a.port, b.port);
	len = sizeof(a);
	EXPECT_EQ(lbx_sock_getname(c, &a, &len, false), 0);
	len = sizeof(b);
	EXPECT_EQ(lbx_sock_getname(s, &b, &len, true), 0);
	EXPECT_EQ(a.port, b.port);
	EXPECT_NE(a.port, 0);
	/* Nothing more to read: non-blocking recv is EAGAIN. */
	EXPECT_EQ(rcv(c, buf, sizeof(buf), LX_MSG_DONTWAIT), -EAGAIN);
	EXPECT_EQ(pollf(c) & LX_POLLIN, 0);
	EXPECT_NE(pollf(c) & LX_POLLOUT, 0);
	/* MSG_PEEK leaves the data. */
	EXPECT_EQ(snd(s, "xyz", 3, 0), 3);
	EXPECT_NE(pollf(c) & LX_POLLIN, 0);
	EXPECT_EQ(rcv(c, buf, 3, LX_MSG_PEEK), 3);
	EXPECT_EQ(rcv(c, buf, 3, 0), 3);
	EXPECT_EQ(memcmp(buf, "xyz", 3), 0);
	put(c);
	put(s);
	put(l);
	fix_fini(&fx);
}

TEST(inet_tcp_eof_and_reset)
{
	struct lbx_file *l, *c, *s;
	char buf[16];
	u32 pm;

	setup();
	pair(&c, &s, &l);
	/* Orderly close: FIN, the peer reads EOF. */
	EXPECT_EQ(lbx_sock_shutdown(c, LX_SHUT_WR), 0);
	EXPECT_EQ(rcv(s, buf, sizeof(buf), 0), 0);
	EXPECT_NE(pollf(s) & LX_POLLRDHUP, 0);
	EXPECT_EQ(snd(c, "x", 1, LX_MSG_NOSIGNAL), -EPIPE);
	/* Half-closed: the other way still works. */
	EXPECT_EQ(snd(s, "ok", 2, 0), 2);
	EXPECT_EQ(rcv(c, buf, sizeof(buf), 0), 2);
	put(c);
	c = NULL;
	/* Writing to a closed peer: it answers RST. After the peer's FIN
	 * (CLOSE_WAIT) Linux reports EPIPE, and reads still see EOF. */
	EXPECT_EQ(snd(s, "x", 1, 0), 1);
	pm = pollf(s);
	EXPECT_NE(pm & LX_POLLERR, 0);
	EXPECT_NE(pm & LX_POLLHUP, 0);
	EXPECT_EQ(rcv(s, buf, sizeof(buf), 0), 0);
	EXPECT_EQ(snd(s, "x", 1, 0), -EPIPE);
	EXPECT_EQ(snd(s, "x", 1, 0), -EPIPE);
	put(s);

	/* Closing with unread data resets the connection. */
	{
		struct sin a = lo4(port_of(l));

		c = sock(LX_AF_INET, LX_SOCK_STREAM);
		ASSERT_EQ(lbx_sock_connect(c, &a, sizeof(a)), 0);
		ASSERT_EQ(lbx_sock_accept(l, 0, &s, NULL, NULL), 0);
	}
	EXPECT_EQ(snd(c, "unread", 6, 0), 6);
	put(s);
	EXPECT_EQ(rcv(c, buf, sizeof(buf), 0), -ECONNRESET);
	EXPECT_EQ(rcv(c, buf, sizeof(buf), 0), 0);
	put(c);

	/* SO_LINGER 0: RST at close. */
	{
		struct sin a = lo4(port_of(l));
		struct { int on, secs; } lg = { 1, 0 };

		c = sock(LX_AF_INET, LX_SOCK_STREAM);
		ASSERT_EQ(lbx_sock_connect(c, &a, sizeof(a)), 0);
		ASSERT_EQ(lbx_sock_accept(l, 0, &s, NULL, NULL), 0);
		EXPECT_EQ(lbx_sock_setsockopt(c, LX_SOL_SOCKET, LX_SO_LINGER, &lg, sizeof(lg)), 0);
		put(c);
		EXPECT_EQ(rcv(s, buf, sizeof(buf), 0), -ECONNRESET);
		put(s);
	}
	put(l);
	fix_fini(&fx);
}

TEST(inet_tcp_nonblocking_connect)
{
	struct lbx_file *l, *c, *s;
	struct sin a;
	u16 port;

	setup();
	l = listener(&port);
	a = lo4(port);
	ASSERT_EQ(lbx_sock_create(fx.vfs, LX_AF_INET, LX_SOCK_STREAM | LX_SOCK_NONBLOCK, 0, &c), 0);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), -EINPROGRESS);
	EXPECT_NE(pollf(c) & LX_POLLOUT, 0);
	EXPECT_EQ(sockerr(c), 0);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), 0);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), -EISCONN);
	EXPECT_NE(pollf(l) & LX_POLLIN, 0);
	ASSERT_EQ(lbx_sock_accept(l, 0, &s, NULL, NULL), 0);
	EXPECT_EQ(pollf(l) & LX_POLLIN, 0);
	put(s);
	put(c);
	put(l);

	/* Refused: no listener on the port any more. */
	ASSERT_EQ(lbx_sock_create(fx.vfs, LX_AF_INET, LX_SOCK_STREAM | LX_SOCK_NONBLOCK, 0, &c), 0);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), -EINPROGRESS);
	EXPECT_NE(pollf(c) & LX_POLLERR, 0);
	EXPECT_EQ(sockerr(c), ECONNREFUSED);
	EXPECT_EQ(sockerr(c), 0);
	put(c);
	c = sock(LX_AF_INET, LX_SOCK_STREAM);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), -ECONNREFUSED);
	put(c);
	/* No route off the loopback. */
	c = sock(LX_AF_INET, LX_SOCK_STREAM);
	a.addr = __builtin_bswap32(0x0a000001);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), -ENETUNREACH);
	put(c);
	fix_fini(&fx);
}

TEST(inet_tcp_backpressure)
{
	struct lbx_file *l, *c, *s;
	static char buf[65536];
	long n, total = 0, got = 0;
	int one = 1;

	setup();
	pair(&c, &s, &l);
	EXPECT_EQ(lbx_sock_setsockopt(c, LX_IPPROTO_TCP, LX_TCP_NODELAY, &one, sizeof(one)), 0);
	memset(buf, 'a', sizeof(buf));
	while ((n = snd(c, buf, sizeof(buf), LX_MSG_DONTWAIT)) > 0)
		total += n;
	EXPECT_EQ(n, -EAGAIN);
	/* Bounded by the peer's window and our send buffer. */
	LBX__CMP(0, total, >, 128 * 1024);
	LBX__CMP(0, total, <=, 600 * 1024);
	EXPECT_EQ(pollf(c) & LX_POLLOUT, 0);
	while (got < total) {
		n = rcv(s, buf, sizeof(buf), 0);
		ASSERT_GT(n, 0);
		got += n;
	}
	EXPECT_EQ(got, total);
	EXPECT_NE(pollf(c) & LX_POLLOUT, 0);
	put(c);
	put(s);
	put(l);
	fix_fini(&fx);
}

struct bulk {
	struct lbx_file *f;
	long bytes;
	long result;
};

static void *bulk_writer(void *arg)
{
	struct bulk *b = arg;
	static char buf[50000];
	long done = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	while (done < b->bytes) {
		long n = snd(b->f, buf, lbx_min((long)sizeof(buf), b->bytes - done), 0);

		if (n <= 0) {
			b->result = n;
			return NULL;
		}
		done += n;
	}
	b->result = done;
	lbx_sock_shutdown(b->f, LX_SHUT_WR);
	return NULL;
}

/* Blocking send and recv across threads: 8 MiB through the loopback. */
TEST(inet_tcp_blocking_threads)
{
	struct lbx_file *l, *c, *s;
	struct bulk b;
	pthread_t t;
	static char buf[70000];
	long n, got = 0;
	u64 t0;

	setup();
	pair(&c, &s, &l);
	b.f = c;
	b.bytes = 8L << 20;
	b.result = 0;
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(pthread_create(&t, NULL, bulk_writer, &b), 0);
	while ((n = rcv(s, buf, sizeof(buf), 0)) > 0)
		got += n;
	pthread_join(t, NULL);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(got, b.bytes);
	EXPECT_EQ(b.result, b.bytes);
	printf("# inet: 8 MiB over loopback TCP in %llu ms\n",
	       (unsigned long long)((lbx_plat_now_mono() - t0) / 1000000));
	put(c);
	put(s);
	put(l);
	fix_fini(&fx);
}

struct acc {
	struct lbx_file *l;
	struct lbx_file *s;
	int ret;
};

static void *acceptor(void *arg)
{
	struct acc *a = arg;

	a->ret = lbx_sock_accept(a->l, 0, &a->s, NULL, NULL);
	return NULL;
}

TEST(inet_tcp_blocking_accept_ipv6)
{
	struct lbx_file *l, *c;
	struct sin6 a = { .family = LX_AF_INET6 }, p;
	struct acc ac = { 0 };
	pthread_t t;
	char buf[8];
	u32 len;

	setup();
	l = sock(LX_AF_INET6, LX_SOCK_STREAM);
	a.addr[15] = 1;	/* ::1 */
	ASSERT_EQ(lbx_sock_bind(l, &a, sizeof(a)), 0);
	ASSERT_EQ(lbx_sock_listen(l, 4), 0);
	a.port = __builtin_bswap16(port_of(l));
	ac.l = l;
	ASSERT_EQ(pthread_create(&t, NULL, acceptor, &ac), 0);
	usleep(20000);
	c = sock(LX_AF_INET6, LX_SOCK_STREAM);
	EXPECT_EQ(lbx_sock_connect(c, &a, sizeof(a)), 0);
	pthread_join(t, NULL);
	ASSERT_EQ(ac.ret, 0);
	len = sizeof(p);
	EXPECT_EQ(lbx_sock_getname(ac.s, &p, &len, true), 0);
	EXPECT_EQ(len, sizeof(p));
	EXPECT_EQ(p.family, LX_AF_INET6);
	EXPECT_EQ(p.addr[15], 1);
	EXPECT_EQ(snd(ac.s, "v6", 2, 0), 2);
	EXPECT_EQ(rcv(c, buf, sizeof(buf), 0), 2);
	put(c);
	put(ac.s);
	put(l);

	/* A dual-stack listener on "::" takes IPv4 clients, seen as mapped. */
	l = sock(LX_AF_INET6, LX_SOCK_STREAM);
	memset(&a, 0, sizeof(a));
	a.family = LX_AF_INET6;
	ASSERT_EQ(lbx_sock_bind(l, &a, sizeof(a)), 0);
	ASSERT_EQ(lbx_sock_listen(l, 4), 0);
	{
		struct sin a4 = lo4(port_of(l));
		struct lbx_file *s;

		c = sock(LX_AF_INET, LX_SOCK_STREAM);
		EXPECT_EQ(lbx_sock_connect(c, &a4, sizeof(a4)), 0);
		ASSERT_EQ(lbx_sock_accept(l, 0, &s, &p, &len), 0);
		EXPECT_EQ(p.family, LX_AF_INET6);
		EXPECT_EQ(p.addr[10], 0xff);
		EXPECT_EQ(p.addr[12], 127);
		put(s);
		put(c);
	}
	put(l);
	fix_fini(&fx);
}

TEST(inet_udp_round_trip)
{
	struct lbx_file *a, *b;
	struct sin sa = lo4(0), sb = lo4(0), from;
	u32 fromlen = sizeof(from), mf = 0;
	char buf[64];

	setup();
	a = sock(LX_AF_INET, LX_SOCK_DGRAM);
	b = sock(LX_AF_INET, LX_SOCK_DGRAM);
	ASSERT_EQ(lbx_sock_bind(a, &sa, sizeof(sa)), 0);
	ASSERT_EQ(lbx_sock_bind(b, &sb, sizeof(sb)), 0);
	sa.port = __builtin_bswap16(port_of(a));
	sb.port = __builtin_bswap16(port_of(b));
	EXPECT_EQ(rcv(b, buf, sizeof(buf), LX_MSG_DONTWAIT), -EAGAIN);
	EXPECT_EQ(pollf(b) & LX_POLLIN, 0);
	EXPECT_EQ(sndto(a, "ping", 4, &sb, sizeof(sb)), 4);
	EXPECT_NE(pollf(b) & LX_POLLIN, 0);
	EXPECT_EQ(rcvfrom(b, buf, sizeof(buf), 0, &from, &fromlen, &mf), 4);
	EXPECT_EQ(memcmp(buf, "ping", 4), 0);
	EXPECT_EQ(fromlen, sizeof(from));
	EXPECT_EQ(from.port, sa.port);
	EXPECT_EQ(from.addr, __builtin_bswap32(0x7f000001));
	/* Datagram boundaries; truncation. */
	EXPECT_EQ(sndto(b, "0123456789", 10, &sa, sizeof(sa)), 10);
	EXPECT_EQ(sndto(b, "ab", 2, &sa, sizeof(sa)), 2);
	EXPECT_EQ(rcvfrom(a, buf, 4, 0, NULL, NULL, &mf), 4);
	EXPECT_NE(mf & LX_MSG_TRUNC, 0);
	EXPECT_EQ(rcvfrom(a, buf, sizeof(buf), LX_MSG_PEEK, NULL, NULL, &mf), 2);
	EXPECT_EQ(rcv(a, buf, sizeof(buf), 0), 2);
	/* Connected: send without an address; unconnected send fails. */
	EXPECT_EQ(snd(a, "x", 1, 0), -EDESTADDRREQ);
	EXPECT_EQ(lbx_sock_connect(a, &sb, sizeof(sb)), 0);
	EXPECT_EQ(snd(a, "conn", 4, 0), 4);
	EXPECT_EQ(rcv(b, buf, sizeof(buf), 0), 4);
	{
		struct sin p;
		u32 len = sizeof(p);

		EXPECT_EQ(lbx_sock_getname(a, &p, &len, true), 0);
		EXPECT_EQ(p.port, sb.port);
	}
	/* Too big for IPv4. */
	{
		static char big[70000];

		EXPECT_EQ(snd(a, big, sizeof(big), 0), -EMSGSIZE);
		EXPECT_EQ(snd(a, big, 65507, 0), 65507);
		EXPECT_EQ(rcv(b, big, sizeof(big), 0), 65507);
	}
	put(a);
	put(b);
	fix_fini(&fx);
}

TEST(inet_options_and_errors)
{
	struct lbx_file *t, *u;
	int v;
	u32 len;
	struct sin a = lo4(0);

	setup();
	t = sock(LX_AF_INET, LX_SOCK_STREAM);
	u = sock(LX_AF_INET, LX_SOCK_DGRAM);
	v = 1;
	EXPECT_EQ(lbx_sock_setsockopt(t, LX_SOL_SOCKET, LX_SO_KEEPALIVE, &v, sizeof(v)), 0);
	EXPECT_EQ(lbx_sock_setsockopt(t, LX_SOL_SOCKET, LX_SO_REUSEPORT, &v, sizeof(v)), 0);
	v = 10000;
	EXPECT_EQ(lbx_sock_setsockopt(t, LX_SOL_SOCKET, LX_SO_RCVBUF, &v, sizeof(v)), 0);
	len = sizeof(v);
	EXPECT_EQ(lbx_sock_getsockopt(t, LX_SOL_SOCKET, LX_SO_RCVBUF, &v, &len), 0);
	EXPECT_EQ(v, 20000);
	len = sizeof(v);
	EXPECT_EQ(lbx_sock_getsockopt(t, LX_SOL_SOCKET, LX_SO_KEEPALIVE, &v, &len), 0);
	EXPECT_EQ(v, 1);
	len = sizeof(v);
	EXPECT_EQ(lbx_sock_getsockopt(t, LX_SOL_SOCKET, LX_SO_TYPE, &v, &len), 0);
	EXPECT_EQ(v, LX_SOCK_STREAM);
	len = sizeof(v);
	EXPECT_EQ(lbx_sock_getsockopt(u, LX_IPPROTO_TCP, LX_TCP_NODELAY, &v, &len), -ENOPROTOOPT);
	/* Not connected. */
	{
		char buf[4];

		EXPECT_EQ(rcv(t, buf, sizeof(buf), 0), -ENOTCONN);
		EXPECT_EQ(snd(t, "x", 1, LX_MSG_NOSIGNAL), -EPIPE);
		len = sizeof(a);
		EXPECT_EQ(lbx_sock_getname(t, &a, &len, true), -ENOTCONN);
	}
	/* Bad addresses. */
	EXPECT_EQ(lbx_sock_bind(t, &a, 4), -EINVAL);
	a.family = LX_AF_INET6;
	EXPECT_EQ(lbx_sock_bind(t, &a, sizeof(a)), -EAFNOSUPPORT);
	a = lo4(0);
	a.addr = __builtin_bswap32(0x0a000001);
	EXPECT_EQ(lbx_sock_bind(t, &a, sizeof(a)), -EADDRNOTAVAIL);
	/* A port in use. */
	a = lo4(0);
	EXPECT_EQ(lbx_sock_bind(t, &a, sizeof(a)), 0);
	EXPECT_EQ(lbx_sock_bind(t, &a, sizeof(a)), -EINVAL);
	EXPECT_EQ(lbx_sock_listen(t, 1), 0);
	{
		struct lbx_file *t2 = sock(LX_AF_INET, LX_SOCK_STREAM);

		a.port = __builtin_bswap16(port_of(t));
		EXPECT_EQ(lbx_sock_bind(t2, &a, sizeof(a)), -EADDRINUSE);
		put(t2);
	}
	{
		struct lbx_file *r = NULL;

		EXPECT_EQ(lbx_sock_create(fx.vfs, LX_AF_INET, LX_SOCK_RAW, 0, &r) < 0, 1);
	}
	put(t);
	put(u);
	fix_fini(&fx);
}
