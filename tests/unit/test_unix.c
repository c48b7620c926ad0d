// SPDX-License-Identifier: GPL-2.0
/* core/net/unix.c and socket.c: AF_UNIX semantics on kernel buffers. */
#include <pthread.h>
#include <unistd.h>

#include <litebox/fdtable.h>
#include <litebox/net.h>
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include "test_vfs_util.h"

struct ufix {
	struct lbx_sandbox *sb;
	struct lbx_thread *t;
	struct lbx_process *p;
	struct lbx_vfs *vfs;
};

static void ufix_init(struct ufix *x)
{
	struct lbx_limits lim;

	memset(x, 0, sizeof(*x));
	memset(&lim, 0, sizeof(lim));
	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &x->sb), 0);
	ASSERT_EQ(lbx_vfs_create(&x->sb->vfs, x->sb, NULL, 0, NULL, 0, &x->sb->fs_mem), 0);
	ASSERT_EQ(lbx_process_create(x->sb, NULL, &x->t), 0);
	x->p = x->t->proc;
	x->vfs = x->sb->vfs;
	x->p->fs = lbx_plat_alloc(sizeof(*x->p->fs));
	ASSERT_NOT_NULL(x->p->fs);
	ASSERT_EQ(lbx_fs_ctx_init(x->p->fs, x->vfs), 0);
	ASSERT_EQ(lbx_fdtable_create(64, &x->p->files), 0);
	lbx_plat_set_current(x->t);
}

static void ufix_fini(struct ufix *x)
{
	lbx_plat_set_current(NULL);
	lbx_process_exit(x->p, 0);
	lbx_thread_exit(x->t);
	lbx_thread_put(x->t);
	lbx_sandbox_put(x->sb);
}

static long ksend(struct lbx_file *f, const void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, (void *)buf, n);
	return lbx_sock_sendmsg(f, &m, flags);
}

static long krecv(struct lbx_file *f, void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, buf, n);
	return lbx_sock_recvmsg(f, &m, flags);
}

static void pair(struct ufix *x, int type, struct lbx_file **a, struct lbx_file **b)
{
	ASSERT_EQ(lbx_sock_socketpair(x->vfs, LX_AF_UNIX, type, 0, a, b), 0);
}

TEST(unix_stream_pair_and_eof)
{
	struct ufix x;
	struct lbx_file *a, *b;
	char buf[16];

	ufix_init(&x);
	pair(&x, LX_SOCK_STREAM, &a, &b);
	ASSERT_EQ(ksend(a, "abc", 3, 0), 3);
	ASSERT_EQ(ksend(a, "def", 3, 0), 3);
	ASSERT_EQ(krecv(b, buf, sizeof(buf), LX_MSG_PEEK), 6);
	ASSERT_EQ(krecv(b, buf, 2, 0), 2);
	ASSERT_MEMEQ(buf, "ab", 2);
	ASSERT_EQ(krecv(b, buf, sizeof(buf), 0), 4);
	ASSERT_MEMEQ(buf, "cdef", 4);
	ASSERT_EQ(krecv(b, buf, sizeof(buf), LX_MSG_DONTWAIT), -EAGAIN);
	ASSERT_EQ(lbx_sock_shutdown(a, LX_SHUT_WR), 0);
	ASSERT_EQ(krecv(b, buf, sizeof(buf), 0), 0);
	ASSERT_EQ(ksend(a, "x", 1, 0), -EPIPE);
	ASSERT_TRUE(lbx_file_poll(b, NULL) & LX_POLLRDHUP);
	lbx_file_put(a);
	ASSERT_TRUE(lbx_file_poll(b, NULL) & LX_POLLHUP);
	ASSERT_EQ(ksend(b, "x", 1, 0), -EPIPE);
	lbx_file_put(b);
	ufix_fini(&x);
}

TEST(unix_dgram_and_seqpacket_boundaries)
{
	struct ufix x;
	struct lbx_file *a, *b;
	char buf[16];
	int type;

	ufix_init(&x);
	for (type = LX_SOCK_DGRAM; type <= LX_SOCK_SEQPACKET; type += 3) {
		pair(&x, type, &a, &b);
		ASSERT_EQ(ksend(a, "hello", 5, 0), 5);
		ASSERT_EQ(ksend(a, "xy", 2, 0), 2);
		ASSERT_EQ(krecv(b, buf, 3, LX_MSG_TRUNC), 5);
		ASSERT_EQ(krecv(b, buf, sizeof(buf), 0), 2);
		ASSERT_MEMEQ(buf, "xy", 2);
		lbx_file_put(a);
		if (type == LX_SOCK_SEQPACKET)
			ASSERT_EQ(krecv(b, buf, sizeof(buf), 0), 0);
		else
			ASSERT_EQ(ksend(b, "z", 1, 0), -ECONNREFUSED);
		lbx_file_put(b);
	}
	ufix_fini(&x);
}

TEST(unix_buffer_bound_blocks_writer)
{
	struct ufix x;
	struct lbx_file *a, *b;
	static char big[300000];
	long n = 0, r;
	int sz = 4096;

	ufix_init(&x);
	pair(&x, LX_SOCK_STREAM, &a, &b);
	ASSERT_EQ(lbx_sock_setsockopt(a, LX_SOL_SOCKET, LX_SO_SNDBUF, &sz, sizeof(sz)), 0);
	while ((r = ksend(a, big, 1000, LX_MSG_DONTWAIT)) > 0)
		n += r;
	ASSERT_EQ(r, -EAGAIN);
	ASSERT_EQ(n, 8192);
	ASSERT_FALSE(lbx_file_poll(a, NULL) & LX_POLLOUT);
	ASSERT_EQ(krecv(b, big, 100, 0), 100);
	ASSERT_TRUE(lbx_file_poll(a, NULL) & LX_POLLOUT);
	lbx_file_put(a);
	lbx_file_put(b);
	ufix_fini(&x);
}

TEST(unix_listen_backlog_accept)
{
	struct ufix x;
	struct lbx_file *l, *c[4], *s;
	u8 addr[LBX_SOCKADDR_MAX] = { LX_AF_UNIX, 0, 0, 'a', 'b' };
	u32 len;
	int i;

	ufix_init(&x);
	ASSERT_EQ(lbx_sock_create(x.vfs, LX_AF_UNIX, LX_SOCK_STREAM, 0, &l), 0);
	ASSERT_EQ(lbx_sock_bind(l, addr, 5), 0);
	ASSERT_EQ(lbx_sock_listen(l, 1), 0);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(lbx_sock_create(x.vfs, LX_AF_UNIX,
					  LX_SOCK_STREAM | LX_SOCK_NONBLOCK, 0, &c[i]), 0);
	ASSERT_EQ(lbx_sock_connect(c[0], addr, 5), 0);
	ASSERT_EQ(lbx_sock_connect(c[1], addr, 5), 0);
	ASSERT_EQ(lbx_sock_connect(c[2], addr, 5), -EAGAIN);
	ASSERT_EQ(ksend(c[0], "q", 1, 0), 1);
	len = 0;
	ASSERT_EQ(lbx_sock_accept(l, 0, &s, addr + 64, &len), 0);
	ASSERT_EQ(len, 2);
	ASSERT_EQ(krecv(s, addr + 64, 8, 0), 1);
	ASSERT_EQ(lbx_sock_connect(c[2], addr, 5), 0);
	/* Closing the listener resets the pending connections. */
	lbx_file_put(l);
	ASSERT_EQ(krecv(c[1], addr + 64, 8, 0), -ECONNRESET);
	ASSERT_EQ(krecv(c[1], addr + 64, 8, 0), 0);
	ASSERT_EQ(lbx_sock_connect(c[3], addr, 5), -ECONNREFUSED);
	for (i = 0; i < 4; i++)
		lbx_file_put(c[i]);
	lbx_file_put(s);
	ufix_fini(&x);
}

static long send_fd(struct ufix *x, struct lbx_file *s, int fd)
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
	m.fdt = x->p->files;
	return lbx_sock_sendmsg(s, &m, 0);
}

TEST(unix_scm_rights_refcounts)
{
	struct ufix x;
	struct lbx_file *a, *b, *rd, *wr, *got;
	u8 cbuf[64];
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;
	char buf[4];
	int fd, nfd;
	u32 refs;

	ufix_init(&x);
	pair(&x, LX_SOCK_STREAM, &a, &b);
	ASSERT_EQ(lbx_pipe_create(x.vfs, 0, &rd, &wr), 0);
	fd = lbx_fd_install(x.p->files, wr, 0, 0);
	ASSERT_GE(fd, 0);
	refs = wr->refs;
	ASSERT_EQ(send_fd(&x, a, fd), 1);
	ASSERT_EQ(wr->refs, refs + 1);		/* taken at send */
	ASSERT_EQ(send_fd(&x, a, 999), -EBADF);
	ASSERT_EQ(wr->refs, refs + 1);
	lbx_fd_close(x.p->files, fd);
	lbx_msg_iter_kernel(&m.iter, &v, buf, sizeof(buf));
	m.control = cbuf;
	m.control_cap = sizeof(cbuf);
	m.fdt = x.p->files;
	ASSERT_EQ(lbx_sock_recvmsg(b, &m, 0), 1);
	ASSERT_EQ(m.msg_flags & LX_MSG_CTRUNC, 0);
	ASSERT_EQ(m.control_len, LBX_CMSG_SPACE(sizeof(int)));
	memcpy(&nfd, LBX_CMSG_DATA(cbuf), sizeof(nfd));
	got = lbx_fd_get(x.p->files, nfd);
	ASSERT_TRUE(got == wr);
	lbx_file_put(got);
	ASSERT_EQ(wr->refs, refs);		/* now held by the new fd */
	/* A socket cannot be sent into its own queue. */
	fd = lbx_fd_install(x.p->files, b, 0, 0);
	ASSERT_EQ(send_fd(&x, a, fd), -ETOOMANYREFS);
	lbx_fd_close(x.p->files, fd);
	/* In-flight files are released with the receiving socket. */
	ASSERT_EQ(send_fd(&x, a, nfd), 1);
	lbx_fd_close(x.p->files, nfd);
	lbx_file_put(wr);
	ASSERT_EQ(wr->refs, 1);			/* only the message's */
	lbx_file_put(a);
	lbx_file_put(b);
	/* The write end's last reference went with b's queue: EOF. */
	ASSERT_EQ(fread_(rd, buf, sizeof(buf)), 0);
	lbx_file_put(rd);
	ufix_fini(&x);
}

struct race {
	struct lbx_file *f;
	long ret;
	struct lbx_thread *t;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	char buf[8];

	lbx_plat_set_current(r->t);
	r->ret = krecv(r->f, buf, sizeof(buf), 0);
	lbx_plat_set_current(NULL);
	return NULL;
}

TEST(unix_close_wakes_blocked_reader)
{
	struct ufix x;
	struct lbx_file *a, *b;
	struct race r;
	pthread_t th;
	int i;

	ufix_init(&x);
	for (i = 0; i < 20; i++) {
		pair(&x, i & 1 ? LX_SOCK_SEQPACKET : LX_SOCK_STREAM, &a, &b);
		r.f = b;
		r.ret = 99;
		r.t = x.t;
		ASSERT_EQ(pthread_create(&th, NULL, reader, &r), 0);
		if (i & 2)
			usleep(1000);
		lbx_file_put(a);
		pthread_join(th, NULL);
		ASSERT_EQ(r.ret, 0);
		lbx_file_put(b);
	}
	ufix_fini(&x);
}

TEST(unix_path_bind_and_connect)
{
	struct ufix x;
	struct lbx_file *l, *c, *s;
	u8 addr[32] = { LX_AF_UNIX, 0 };
	u8 out[LBX_SOCKADDR_MAX];
	u32 len = sizeof(out);
	struct lbx_kstat st;

	ufix_init(&x);
	memcpy(addr + 2, "/tmp/s", 7);
	ASSERT_EQ(lbx_sock_create(x.vfs, LX_AF_UNIX, LX_SOCK_STREAM, 0, &l), 0);
	ASSERT_EQ(lbx_sock_create(x.vfs, LX_AF_UNIX, LX_SOCK_STREAM, 0, &c), 0);
	ASSERT_EQ(lbx_sock_connect(c, addr, 9), -ENOENT);
	ASSERT_EQ(lbx_sock_bind(l, addr, 9), 0);
	ASSERT_EQ(lbx_vfs_statat(x.p->fs, NULL, "/tmp/s", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISSOCK(st.mode));
	ASSERT_EQ(lbx_sock_connect(c, addr, 9), -ECONNREFUSED);
	ASSERT_EQ(lbx_sock_listen(l, 5), 0);
	ASSERT_EQ(lbx_sock_connect(c, addr, 9), 0);
	ASSERT_EQ(lbx_sock_getname(c, out, &len, true), 0);
	ASSERT_EQ(len, 9);
	ASSERT_MEMEQ(out, addr, 9);
	ASSERT_EQ(lbx_sock_accept(l, 0, &s, NULL, NULL), 0);
	ASSERT_EQ(lbx_sock_bind(s, addr, 9), -EINVAL);
	lbx_file_put(s);
	lbx_file_put(c);
	lbx_file_put(l);
	ufix_fini(&x);
}
