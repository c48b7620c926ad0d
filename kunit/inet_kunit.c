// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_inet: TCP over lwIP's loopback (core/net/inet.c) in kernel mode,
 * through the socket layer's calls, as tcp(7) has it: listen, connect,
 * accept, 64 KiB each way with the bytes checked, an orderly close (EOF,
 * then EPIPE), and a listener's accept of a connection whose client
 * closed (the data, then EOF) or reset it (ECONNRESET, then EOF) before
 * it was accepted, as Linux does (checked natively).
 *
 * lwIP runs with NO_SYS=1: there is no tcpip thread. Every call into it
 * takes inet.c's one lock and drains the loopback queue before returning,
 * so these cases need no thread of their own: a connect has reached the
 * listener, a send the peer's receive queue, a close the peer, when the
 * call returns. lwIP's timers (not needed here) run from litebox.ko's
 * workqueue, which the module's init (it runs in litebox_kunit.ko too)
 * has set up. The sockets belong to no sandbox (a kthread has no LiteBox
 * thread): they all see each other, as one sandbox's do.
 */
#include <litebox/inet.h>
#include <litebox/net.h>
#include <litebox/poll.h>
#include "lbx_kunit.h"

#define BULK		(64 * 1024)

struct sin {
	u16 family;
	u16 port;
	u32 addr;
	u8 zero[8];
};

/* ---- fixture: a VFS holding the case's sockets (lbx_kunit.h) ---- */

static struct lbx_kunit_fs *in_init(struct kunit *test)
{
	lbx_inet_init();
	return lbx_kunit_fs_init(test, 64ULL << 20);
}

static struct lbx_file *tcp(struct kunit *test, struct lbx_kunit_fs *x)
{
	struct lbx_file *f = NULL;

	KUNIT_ASSERT_EQ(test, lbx_sock_create(x->vfs, LX_AF_INET, LX_SOCK_STREAM, 0, &f), 0);
	return lbx_kunit_hold(test, x, f);
}

static struct sin lo4(u16 port)
{
	return (struct sin){ .family = LX_AF_INET, .port = htons(port),
			     .addr = htonl(0x7f000001) };
}

/* A listener on 127.0.0.1, an ephemeral port (*addr: its name). */
static struct lbx_file *listener(struct kunit *test, struct lbx_kunit_fs *x, struct sin *addr)
{
	struct lbx_file *l = tcp(test, x);
	struct sin a = lo4(0);
	u32 len = sizeof(*addr);

	KUNIT_ASSERT_EQ(test, lbx_sock_bind(l, &a, sizeof(a)), 0);
	KUNIT_ASSERT_EQ(test, lbx_sock_listen(l, 8), 0);
	KUNIT_ASSERT_EQ(test, lbx_sock_getname(l, addr, &len, false), 0);
	KUNIT_ASSERT_EQ(test, len, (u32)sizeof(*addr));
	KUNIT_ASSERT_NE(test, addr->port, 0);
	return l;
}

static struct lbx_file *accept1(struct kunit *test, struct lbx_kunit_fs *x, struct lbx_file *l)
{
	struct lbx_file *s = NULL;

	KUNIT_ASSERT_EQ(test, lbx_sock_accept(l, 0, &s, NULL, NULL), 0);
	return lbx_kunit_hold(test, x, s);
}

static void pattern(u8 *buf, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (u8)(i * 7 + seed + (i >> 12));
}

/* ---- cases ---- */

/*
 * listen, connect, accept; 64 KiB each way (a blocking send of all of it
 * fits the peer's window and the send buffer, so no thread is needed),
 * received whole with MSG_WAITALL and compared; the names of both ends;
 * then an orderly close: EOF at the peer, EPIPE for a send after it.
 */
static void tcp_loopback_64k_both_ways(struct kunit *test)
{
	struct lbx_kunit_fs *x = in_init(test);
	struct lbx_file *l, *c, *s;
	struct sin la, a;
	u8 *out, *in;
	u32 len;

	out = kunit_kmalloc(test, BULK, GFP_KERNEL);
	in = kunit_kmalloc(test, BULK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);

	l = listener(test, x, &la);
	KUNIT_EXPECT_EQ(test, lbx_file_poll(l, NULL) & LX_POLLIN, 0U);
	c = tcp(test, x);
	KUNIT_ASSERT_EQ(test, lbx_sock_connect(c, &la, sizeof(la)), 0);
	KUNIT_EXPECT_NE(test, lbx_file_poll(l, NULL) & LX_POLLIN, 0U);
	s = accept1(test, x, l);
	KUNIT_EXPECT_EQ(test, lbx_file_poll(l, NULL) & LX_POLLIN, 0U);
	/* The accepted socket's peer is the client's own name. */
	len = sizeof(a);
	KUNIT_EXPECT_EQ(test, lbx_sock_getname(s, &a, &len, true), 0);
	KUNIT_EXPECT_EQ(test, a.addr, htonl(0x7f000001));
	{
		struct sin ca;
		u32 clen = sizeof(ca);

		KUNIT_EXPECT_EQ(test, lbx_sock_getname(c, &ca, &clen, false), 0);
		KUNIT_EXPECT_EQ(test, a.port, ca.port);
	}

	/* Client to server. */
	pattern(out, BULK, 1);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(c, out, BULK, 0), (long)BULK);
	memset(in, 0, BULK);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, in, BULK, LX_MSG_WAITALL), (long)BULK);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, BULK), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, in, 1, LX_MSG_DONTWAIT), (long)-EAGAIN);
	/* Server to client. */
	pattern(out, BULK, 99);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(s, out, BULK, 0), (long)BULK);
	memset(in, 0, BULK);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(c, in, BULK, LX_MSG_WAITALL), (long)BULK);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, BULK), 0);

	/* Close: the peer reads EOF; sending to a closed peer is answered
	 * with RST, then EPIPE (CLOSE_WAIT, as Linux). */
	lbx_kunit_close(x, c);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, in, 16, 0), 0L);
	KUNIT_EXPECT_NE(test, lbx_file_poll(s, NULL) & LX_POLLRDHUP, 0U);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(s, "x", 1, LX_MSG_NOSIGNAL), 1L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(s, "x", 1, LX_MSG_NOSIGNAL), (long)-EPIPE);
	lbx_kunit_fs_fini(test, x);
}

/*
 * A connection whose client goes before the listener accepts it is still
 * accepted, as on Linux: after a close (FIN) with the data it sent, which
 * the accepted socket reads, then EOF; after a reset (SO_LINGER 0), the
 * accepted socket's first read is ECONNRESET, the next EOF.
 */
static void tcp_accept_after_peer_close_or_reset(struct kunit *test)
{
	struct lbx_kunit_fs *x = in_init(test);
	struct { int on, secs; } lg = { 1, 0 };
	struct lbx_file *l, *c, *s;
	struct sin la;
	char buf[16];

	l = listener(test, x, &la);

	c = tcp(test, x);
	KUNIT_ASSERT_EQ(test, lbx_sock_connect(c, &la, sizeof(la)), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(c, "hi", 2, 0), 2L);
	lbx_kunit_close(x, c);
	KUNIT_EXPECT_NE(test, lbx_file_poll(l, NULL) & LX_POLLIN, 0U);
	s = accept1(test, x, l);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, buf, sizeof(buf), 0), 2L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hi", 2), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, buf, sizeof(buf), 0), 0L);
	lbx_kunit_close(x, s);

	c = tcp(test, x);
	KUNIT_ASSERT_EQ(test, lbx_sock_connect(c, &la, sizeof(la)), 0);
	KUNIT_EXPECT_EQ(test, lbx_sock_setsockopt(c, LX_SOL_SOCKET, LX_SO_LINGER,
						  &lg, sizeof(lg)), 0);
	lbx_kunit_close(x, c);
	KUNIT_EXPECT_NE(test, lbx_file_poll(l, NULL) & LX_POLLIN, 0U);
	s = accept1(test, x, l);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, buf, sizeof(buf), 0), (long)-ECONNRESET);
	KUNIT_EXPECT_EQ(test, lbx_kunit_recv(s, buf, sizeof(buf), 0), 0L);
	lbx_kunit_close(x, s);

	/* Nothing else queued: a non-blocking accept is EAGAIN. */
	lbx_file_set_flags(l, lbx_file_get_flags(l) | LX_O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, lbx_sock_accept(l, 0, &s, NULL, NULL), -EAGAIN);
	lbx_kunit_fs_fini(test, x);
}

static struct kunit_case inet_cases[] = {
	KUNIT_CASE(tcp_loopback_64k_both_ways),
	KUNIT_CASE(tcp_accept_after_peer_close_or_reset),
	{}
};

static struct kunit_suite inet_suite = {
	.name = "litebox_inet",
	.test_cases = inet_cases,
};

kunit_test_suite(inet_suite);
