// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_unix: the AF_UNIX layer (core/net/unix.c, socket.c) in kernel
 * mode, as unix(7) has it: a stream pair keeps no boundaries, peeks,
 * reads end of file after the peer's shutdown and EPIPE after its close;
 * datagram and seqpacket pairs keep boundaries (MSG_TRUNC gives the real
 * length); SCM_RIGHTS takes a reference at send, hands it to the new
 * descriptor at receive, refuses a socket's own queue (ETOOMANYREFS), and
 * releases files still in flight with the receiving socket.
 * (TCP over lwIP's loopback: litebox_inet, kunit/inet_kunit.c.)
 */
#include <litebox/fdtable.h>
#include <litebox/net.h>
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include "lbx_kunit.h"

/* ---- fixture: a VFS holding the case's files, and a descriptor table ---- */

struct ux_fix {
	struct lbx_kunit_fs *fx;
	struct lbx_fdtable *fdt;
};

static int ux_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void ux_teardown(struct ux_fix *x)
{
	if (x->fdt)
		lbx_fdtable_put(x->fdt);
	x->fdt = NULL;
}

static void ux_res_free(struct kunit_resource *res)
{
	ux_teardown(res->data);
}

/* The table's resource comes after the VFS fixture's: it goes first. */
static struct ux_fix *ux_init(struct kunit *test)
{
	struct ux_fix *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->fx = lbx_kunit_fs_init(test, 64ULL << 20);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, ux_res_init, ux_res_free,
							 GFP_KERNEL, x));
	KUNIT_ASSERT_EQ(test, lbx_fdtable_create(64, &x->fdt), 0);
	return x;
}

static void ux_fini(struct kunit *test, struct ux_fix *x)
{
	ux_teardown(x);
	lbx_kunit_fs_fini(test, x->fx);
}

static void pair(struct kunit *test, struct ux_fix *x, int type, struct lbx_file **a,
		 struct lbx_file **b)
{
	KUNIT_ASSERT_EQ(test, lbx_sock_socketpair(x->fx->vfs, LX_AF_UNIX, type, 0, a, b), 0);
	lbx_kunit_hold(test, x->fx, *a);
	lbx_kunit_hold(test, x->fx, *b);
}

/* Every receive here is non-blocking: a missing message fails, never hangs. */
static long krecv(struct lbx_file *f, void *buf, size_t n, u32 flags)
{
	return lbx_kunit_recv(f, buf, n, flags | LX_MSG_DONTWAIT);
}

static long send_fd(struct ux_fix *x, struct lbx_file *s, int fd)
{
	u8 cbuf[LBX_CMSG_SPACE(sizeof(int))];
	struct lbx_cmsghdr *c = (void *)cbuf;
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, "F", 1);
	c->len = LBX_CMSG_LEN(sizeof(int));
	c->level = LX_SOL_SOCKET;
	c->type = LX_SCM_RIGHTS;
	memcpy(LBX_CMSG_DATA(c), &fd, sizeof(fd));
	m.control = cbuf;
	m.control_len = sizeof(cbuf);
	m.fdt = x->fdt;
	return lbx_sock_sendmsg(s, &m, 0);
}

/* ---- cases ---- */

static void stream_pair_has_no_boundaries_and_ends(struct kunit *test)
{
	struct ux_fix *x = ux_init(test);
	struct lbx_file *a, *b;
	char buf[16];

	pair(test, x, LX_SOCK_STREAM, &a, &b);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(a, "abc", 3, 0), 3L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(a, "def", 3, 0), 3L);
	KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), LX_MSG_PEEK), 6L);
	KUNIT_EXPECT_EQ(test, krecv(b, buf, 2, 0), 2L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "ab", 2), 0);
	KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), 0), 4L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "cdef", 4), 0);
	KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), 0), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_sock_shutdown(a, LX_SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), 0), 0L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(a, "x", 1, 0), (long)-EPIPE);
	KUNIT_EXPECT_TRUE(test, lbx_file_poll(b, NULL) & LX_POLLRDHUP);
	lbx_kunit_close(x->fx, a);
	KUNIT_EXPECT_TRUE(test, lbx_file_poll(b, NULL) & LX_POLLHUP);
	KUNIT_EXPECT_EQ(test, lbx_kunit_send(b, "x", 1, 0), (long)-EPIPE);
	ux_fini(test, x);
}

static void dgram_and_seqpacket_keep_boundaries(struct kunit *test)
{
	struct ux_fix *x = ux_init(test);
	struct lbx_file *a, *b;
	char buf[16];
	int type;

	for (type = LX_SOCK_DGRAM; type <= LX_SOCK_SEQPACKET; type += 3) {
		pair(test, x, type, &a, &b);
		KUNIT_EXPECT_EQ(test, lbx_kunit_send(a, "hello", 5, 0), 5L);
		KUNIT_EXPECT_EQ(test, lbx_kunit_send(a, "xy", 2, 0), 2L);
		KUNIT_EXPECT_EQ(test, krecv(b, buf, 3, LX_MSG_TRUNC), 5L);
		KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), 0), 2L);
		KUNIT_EXPECT_EQ(test, memcmp(buf, "xy", 2), 0);
		lbx_kunit_close(x->fx, a);
		if (type == LX_SOCK_SEQPACKET)
			KUNIT_EXPECT_EQ(test, krecv(b, buf, sizeof(buf), 0), 0L);
		else
			KUNIT_EXPECT_EQ(test, lbx_kunit_send(b, "z", 1, 0), (long)-ECONNREFUSED);
		lbx_kunit_close(x->fx, b);
	}
	ux_fini(test, x);
}

static void scm_rights_moves_references(struct kunit *test)
{
	struct ux_fix *x = ux_init(test);
	struct lbx_file *a, *b, *rd, *wr, *got;
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;
	u8 cbuf[64];
	char buf[4];
	int fd, nfd;
	u32 refs;

	pair(test, x, LX_SOCK_STREAM, &a, &b);
	KUNIT_ASSERT_EQ(test, lbx_pipe_create(x->fx->vfs, 0, &rd, &wr), 0);
	lbx_kunit_hold(test, x->fx, rd);
	lbx_kunit_hold(test, x->fx, wr);
	fd = lbx_fd_install(x->fdt, wr, 0, 0);	/* a reference of its own */
	KUNIT_ASSERT_GE(test, fd, 0);
	refs = wr->refs;
	KUNIT_EXPECT_EQ(test, send_fd(x, a, fd), 1L);
	KUNIT_EXPECT_EQ(test, wr->refs, refs + 1);	/* taken at send */
	KUNIT_EXPECT_EQ(test, send_fd(x, a, 999), (long)-EBADF);
	KUNIT_EXPECT_EQ(test, wr->refs, refs + 1);
	lbx_fd_close(x->fdt, fd);
	lbx_msg_iter_kernel(&m.iter, &v, buf, sizeof(buf));
	m.control = cbuf;
	m.control_cap = sizeof(cbuf);
	m.fdt = x->fdt;
	KUNIT_ASSERT_EQ(test, lbx_sock_recvmsg(b, &m, LX_MSG_DONTWAIT), 1L);
	KUNIT_EXPECT_EQ(test, m.msg_flags & LX_MSG_CTRUNC, 0U);
	KUNIT_ASSERT_EQ(test, m.control_len, (u32)LBX_CMSG_SPACE(sizeof(int)));
	memcpy(&nfd, LBX_CMSG_DATA(cbuf), sizeof(nfd));
	got = lbx_fd_get(x->fdt, nfd);
	KUNIT_ASSERT_PTR_EQ(test, got, wr);
	lbx_file_put(got);
	KUNIT_EXPECT_EQ(test, wr->refs, refs);		/* held by the new fd */
	/* A socket cannot be sent into its own queue. */
	fd = lbx_fd_install(x->fdt, b, 0, 0);
	KUNIT_ASSERT_GE(test, fd, 0);
	KUNIT_EXPECT_EQ(test, send_fd(x, a, fd), (long)-ETOOMANYREFS);
	lbx_fd_close(x->fdt, fd);
	/* In flight when the receiver goes: released with its queue. */
	KUNIT_EXPECT_EQ(test, send_fd(x, a, nfd), 1L);
	lbx_fd_close(x->fdt, nfd);
	lbx_kunit_close(x->fx, wr);
	KUNIT_EXPECT_EQ(test, wr->refs, 1U);		/* only the message's */
	lbx_kunit_close(x->fx, a);
	lbx_kunit_close(x->fx, b);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(rd, buf, sizeof(buf)), 0L);	/* EOF */
	ux_fini(test, x);
}

static struct kunit_case unix_cases[] = {
	KUNIT_CASE(stream_pair_has_no_boundaries_and_ends),
	KUNIT_CASE(dgram_and_seqpacket_keep_boundaries),
	KUNIT_CASE(scm_rights_moves_references),
	{}
};

static struct kunit_suite unix_suite = {
	.name = "litebox_unix",
	.test_cases = unix_cases,
};

kunit_test_suite(unix_suite);
