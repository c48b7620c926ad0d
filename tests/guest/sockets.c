// SPDX-License-Identifier: GPL-2.0
/*
 * AF_UNIX sockets within one process (runs under lbx-run too): socketpair
 * of each type, bind/listen/connect/accept on path and abstract names,
 * non-blocking calls, poll, shutdown, SCM_RIGHTS and SCM_CREDENTIALS,
 * options, readv/writev, MSG_PEEK/TRUNC/WAITALL.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "guest_test.h"

static socklen_t mkaddr(struct sockaddr_un *a, const char *path, int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		a->sun_path[0] = 0;
		strcpy(a->sun_path + 1, path);
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	}
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void test_pairs(void)
{
	int sv[2], type, v;
	socklen_t len;
	char buf[64];

	for (type = SOCK_STREAM; type <= SOCK_SEQPACKET; type++) {
		if (type == SOCK_RAW || type == 4)
			continue;
		CHECK(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair type %d", type);
		CHECK(write(sv[0], "hello", 5) == 5, "write");
		CHECK(read(sv[1], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "read");
		CHECK(send(sv[1], "back", 4, 0) == 4, "send");
		CHECK(recv(sv[0], buf, sizeof(buf), 0) == 4, "recv");
		len = sizeof(v);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == type,
		      "SO_TYPE %d", v);
		CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_UNIX,
		      "SO_DOMAIN %d", v);
		close(sv[0]);
		close(sv[1]);
	}
	/* SOCK_RAW is SOCK_DGRAM for AF_UNIX. */
	CHECK(socketpair(AF_UNIX, SOCK_RAW, 0, sv) == 0, "SOCK_RAW");
	len = sizeof(v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_DGRAM, "raw is dgram");
	close(sv[0]);
	close(sv[1]);
	CHECK_ERR(socketpair(AF_UNIX, 4, 0, sv), ESOCKTNOSUPPORT);
	CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 7, sv), EPROTONOSUPPORT);
	CHECK_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(getsockopt(0 + 100, SOL_SOCKET, SO_TYPE, &v, &len), EBADF);
}

static void test_boundaries(void)
{
	int sv[2];
	char buf[64];
	struct iovec iov[2];

	/* Datagrams keep their boundaries; MSG_TRUNC; readv/writev are one
	 * message. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "dgram pair");
	send(sv[0], "abc", 3, 0);
	send(sv[0], "defgh", 5, 0);
	CHECK(recv(sv[1], buf, 2, 0) == 2, "short read truncates");
	CHECK(recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC) == 5, "MSG_TRUNC gives the length");
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 5 && !memcmp(buf, "defgh", 5), "second");
	iov[0].iov_base = "12";
	iov[0].iov_len = 2;
	iov[1].iov_base = "345";
	iov[1].iov_len = 3;
	CHECK(writev(sv[0], iov, 2) == 5, "writev");
	iov[0].iov_base = buf;
	iov[0].iov_len = 1;
	iov[1].iov_base = buf + 1;
	iov[1].iov_len = 10;
	CHECK(readv(sv[1], iov, 2) == 5 && !memcmp(buf, "12345", 5), "readv one message");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);

	/* Streams merge; MSG_PEEK; MSG_WAITALL. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "stream pair");
	send(sv[0], "abc", 3, 0);
	send(sv[0], "def", 3, 0);
	CHECK(recv(sv[1], buf, sizeof(buf), MSG_PEEK) == 6, "peek sees both");
	{
		/* A peek with MSG_WAITALL returns what is queued, without
		 * waiting (litebox.ko spun in the kernel here: a soft lockup
		 * found by tests/vm/sysfuzz_guest.c). The timeout only bounds
		 * a wrong wait. */
		struct timeval tv = { 2, 0 }, t0, t1;
		long ms;

		setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		gettimeofday(&t0, NULL);
		CHECK(recv(sv[1], buf, sizeof(buf), MSG_PEEK | MSG_WAITALL) == 6,
		      "peek with MSG_WAITALL");
		gettimeofday(&t1, NULL);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
		CHECK(ms < 1000, "it did not wait (%ld ms)", ms);
		tv.tv_sec = 0;
		setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	CHECK(recv(sv[1], buf, 4, MSG_WAITALL) == 4 && !memcmp(buf, "abcd", 4), "waitall");
	/* An empty send on a stream sends nothing: a peek still finds
	 * nothing (an empty record made litebox.ko spin). */
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 2, "the rest of the stream");
	CHECK(send(sv[0], "", 0, 0) == 0, "an empty send");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT), EAGAIN);
	send(sv[0], "ef", 2, 0);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 2, "rest");
	{
		int n = -1;

		send(sv[0], "xyz", 3, 0);
		CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && n == 3, "FIONREAD %d", n);
		recv(sv[1], buf, sizeof(buf), 0);
	}
	/* Seqpacket keeps boundaries and reports EOF. */
	close(sv[0]);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 0, "EOF after close");
	close(sv[1]);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "seqpacket pair");
	send(sv[0], "one", 3, 0);
	send(sv[0], "two!", 4, 0);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 3, "first record");
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 4, "second record");
	shutdown(sv[0], SHUT_WR);
	CHECK(recv(sv[1], buf, sizeof(buf), 0) == 0, "EOF after SHUT_WR");
	close(sv[0]);
	close(sv[1]);
}

static void test_pipe_errors(void)
{
	int sv[2];
	char buf[8];
	struct pollfd p;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	close(sv[1]);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	p.fd = sv[0];
	p.events = POLLIN | POLLOUT | POLLRDHUP;
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && (p.revents & POLLRDHUP),
	      "poll after peer close: %#x", p.revents);
	CHECK(read(sv[0], buf, sizeof(buf)) == 0, "EOF");
	close(sv[0]);

	/* SHUT_RD on one side: the other's writes fail. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	shutdown(sv[1], SHUT_RD);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(sv[0], 7), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

static void test_listen(int abstract)
{
	struct sockaddr_un a, b;
	socklen_t alen, blen;
	int l, c, s, c2, v;
	char buf[16];
	struct ucred cr;
	socklen_t len;

	alen = mkaddr(&a, abstract ? "lbx-sockets-test" : "/tmp/lbx-sock", abstract);
	if (!abstract)
		unlink("/tmp/lbx-sock");
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0, "socket");
	CHECK(fcntl(l, F_GETFD) == FD_CLOEXEC, "SOCK_CLOEXEC");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), abstract ? ECONNREFUSED : ENOENT);
	CHECK_ERR(listen(l, 5), EINVAL);
	CHECK(bind(l, (struct sockaddr *)&a, alen) == 0, "bind");
	if (!abstract) {
		struct stat st;

		CHECK(stat("/tmp/lbx-sock", &st) == 0 && S_ISSOCK(st.st_mode), "socket inode");
	}
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(s, (struct sockaddr *)&a, alen), EADDRINUSE);
	close(s);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
	CHECK(listen(l, 1) == 0, "listen");
	len = sizeof(v);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1, "ACCEPTCONN");
	CHECK(connect(c, (struct sockaddr *)&a, alen) == 0, "connect");
	CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), EISCONN);
	blen = sizeof(b);
	s = accept4(l, (struct sockaddr *)&b, &blen, SOCK_NONBLOCK);
	CHECK(s >= 0, "accept4");
	CHECK(blen == sizeof(sa_family_t), "peer of an unbound client: %u", blen);
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "SOCK_NONBLOCK on accept4");
	CHECK_ERR(read(s, buf, sizeof(buf)), EAGAIN);
	blen = sizeof(b);
	CHECK(getpeername(c, (struct sockaddr *)&b, &blen) == 0 && blen == alen &&
	      !memcmp(&a, &b, alen), "getpeername");
	blen = sizeof(b);
	CHECK(getsockname(s, (struct sockaddr *)&b, &blen) == 0 && blen == alen,
	      "getsockname of the accepted socket");
	CHECK(write(c, "ping", 4) == 4 && read(s, buf, sizeof(buf)) == 4, "data");
	len = sizeof(cr);
	CHECK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 &&
	      cr.pid == (pid_t)getpid() && cr.uid == getuid(), "SO_PEERCRED %d", cr.pid);
	len = sizeof(cr);
	CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 &&
	      cr.pid == (pid_t)getpid(), "SO_PEERCRED of the listener");

	/* Backlog: non-blocking connects beyond it fail with EAGAIN. */
	{
		int cs[8], i, ok = 0, again = 0;

		for (i = 0; i < 8; i++) {
			cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (connect(cs[i], (struct sockaddr *)&a, alen) == 0)
				ok++;
			else if (errno == EAGAIN)
				again++;
		}
		CHECK(ok >= 1 && ok <= 3 && again == 8 - ok, "backlog: %d ok %d EAGAIN", ok, again);
		for (i = 0; i < ok; i++) {
			c2 = accept(l, NULL, NULL);
			CHECK(c2 >= 0, "accept pending");
			close(c2);
		}
		fcntl(l, F_SETFL, O_NONBLOCK);
		CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
		for (i = 0; i < 8; i++)
			close(cs[i]);
	}
	close(c);
	close(s);
	close(l);
	if (!abstract) {
		/* The name outlives the socket, as on Linux. */
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK_ERR(connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
		close(c);
		unlink("/tmp/lbx-sock");
	}
}

static void test_dgram_named(void)
{
	struct sockaddr_un a, from;
	socklen_t alen, flen;
	int r, s;
	char buf[16];

	alen = mkaddr(&a, "lbx-dgram", 1);
	r = socket(AF_UNIX, SOCK_DGRAM, 0);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(r, (struct sockaddr *)&a, alen) == 0, "bind dgram");
	CHECK(sendto(s, "hi", 2, 0, (struct sockaddr *)&a, alen) == 2, "sendto");
	flen = sizeof(from);
	CHECK(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 2,
	      "recvfrom");
	CHECK(flen == 0, "unbound sender: %u", flen);
	/* Autobind: an empty bind gives an abstract name. */
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0, "autobind");
	sendto(s, "x", 1, 0, (struct sockaddr *)&a, alen);
	flen = sizeof(from);
	CHECK(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 1 &&
	      flen == 8 && from.sun_path[0] == 0, "autobound sender %u", flen);
	CHECK_ERR(send(s, "x", 1, 0), ENOTCONN);
	close(r);
	CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, alen), ECONNREFUSED);
	close(s);
}

static void test_nonblock_poll(void)
{
	int sv[2], n = 0, ep;
	char buf[4096];
	struct pollfd p[2];
	struct epoll_event ev;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "pair");
	memset(buf, 'x', sizeof(buf));
	while (write(sv[0], buf, sizeof(buf)) > 0 && n < 10000)
		n++;
	CHECK(errno == EAGAIN, "full socket gives EAGAIN");
	p[0].fd = sv[0];
	p[0].events = POLLOUT;
	p[1].fd = sv[1];
	p[1].events = POLLIN;
	CHECK(poll(p, 2, 0) == 1 && !p[0].revents && p[1].revents == POLLIN, "poll: %#x %#x",
	      p[0].revents, p[1].revents);
	ep = epoll_create1(0);
	ev.events = EPOLLOUT;
	ev.data.fd = sv[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll: not writable");
	while (read(sv[1], buf, sizeof(buf)) > 0)
		;
	CHECK(epoll_wait(ep, &ev, 1, 1000) == 1 && (ev.events & EPOLLOUT), "epoll: writable");
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

static int send_fds(int s, const int *fds, int n, const char *data)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct msghdr m = { 0 };
	struct iovec iov = { (void *)data, strlen(data) };
	struct cmsghdr *c;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(s, &m, 0);
}

static int recv_fds(int s, int *fds, int max, char *buf, size_t len, int *flags,
		    size_t clen)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	struct msghdr m = { 0 };
	struct iovec iov = { buf, len };
	struct cmsghdr *c;
	int n = 0, r;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = clen ? clen : sizeof(cbuf);
	r = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return -1;
	*flags = m.msg_flags;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(c), sizeof(int) * (n < max ? n : max));
		}
	return n;
}

static void test_scm_rights(void)
{
	int sv[2], pfd[2], got[8], flags = 0, n, sp[2];
	char buf[16];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	CHECK(pipe(pfd) == 0, "pipe");
	CHECK(send_fds(sv[0], &pfd[1], 1, "F") == 1, "send an fd");
	close(pfd[1]);
	n = recv_fds(sv[1], got, 8, buf, sizeof(buf), &flags, 0);
	CHECK(n == 1 && got[0] >= 0 && !(flags & MSG_CTRUNC), "received %d", n);
	CHECK(fcntl(got[0], F_GETFD) == FD_CLOEXEC, "MSG_CMSG_CLOEXEC");
	CHECK(write(got[0], "via", 3) == 3 && read(pfd[0], buf, sizeof(buf)) == 3,
	      "the passed pipe works");
	close(got[0]);
	/* The write end is closed everywhere now: EOF. */
	CHECK(read(pfd[0], buf, sizeof(buf)) == 0, "the passed reference was dropped");

	/* No room for the fds: MSG_CTRUNC, and the files are dropped. */
	CHECK(pipe(pfd) == 0, "pipe");
	send_fds(sv[0], &pfd[1], 1, "G");
	close(pfd[1]);
	n = recv_fds(sv[1], got, 8, buf, sizeof(buf), &flags, 1);
	CHECK(n == 0 && (flags & MSG_CTRUNC), "MSG_CTRUNC %#x", flags);
	CHECK(read(pfd[0], buf, sizeof(buf)) == 0, "the dropped fd was closed");
	close(pfd[0]);

	/* Sockets over sockets; a socket over itself is refused, and
	 * closing with fds in flight releases them. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0, "pair 2");
	CHECK(send_fds(sv[0], &sp[0], 1, "S") == 1, "send a socket");
	n = recv_fds(sv[1], got, 8, buf, sizeof(buf), &flags, 0);
	CHECK(n == 1, "got a socket");
	CHECK(send(got[0], "z", 1, 0) == 1 && recv(sp[1], buf, 1, 0) == 1, "passed socket works");
	close(got[0]);
	CHECK(pipe(pfd) == 0, "pipe");
	send_fds(sv[0], &pfd[1], 1, "H");
	close(pfd[1]);
	close(sv[0]);
	close(sv[1]);
	CHECK(read(pfd[0], buf, sizeof(buf)) == 0, "in-flight fds released at close");
	close(pfd[0]);
	/* A socket sent into its own queue: Linux takes it (its garbage
	 * collector frees the cycle later); LiteBox refuses the cycle. */
	CHECK(send_fds(sp[1], &sp[0], 1, "L") == 1 || errno == ETOOMANYREFS, "self %d", errno);
	close(sp[0]);
	close(sp[1]);
	CHECK_ERR(send_fds(sp[0], &sp[0], 1, "x"), EBADF);
}

static void test_creds(void)
{
	int sv[2], on = 1;
	char buf[16], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr m = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct cmsghdr *c;
	struct ucred *uc = NULL;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "pair");
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0, "PASSCRED");
	send(sv[0], "c", 1, 0);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_type == SCM_CREDENTIALS)
			uc = (struct ucred *)CMSG_DATA(c);
	CHECK(uc && uc->pid == getpid() && uc->uid == getuid(), "SCM_CREDENTIALS");
	close(sv[0]);
	close(sv[1]);
}

static void test_options(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), v = 4096, w;
	socklen_t len = sizeof(w);
	struct timeval tv = { 0, 50000 }, tv2;
	int sv[2];
	char c;

	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0, "SO_SNDBUF");
	CHECK(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &w, &len) == 0 && w == 8192, "doubled %d", w);
	len = sizeof(w);
	CHECK(getsockopt(s, SOL_SOCKET, SO_ERROR, &w, &len) == 0 && w == 0, "SO_ERROR");
	CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	close(s);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "RCVTIMEO");
	len = sizeof(tv2);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) == 0 &&
	      tv2.tv_usec >= 50000 && tv2.tv_usec < 60000, "RCVTIMEO back (jiffies)");
	CHECK_ERR(read(sv[0], &c, 1), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	CHECK_ERR(recv(0 + 1000, &c, 1, 0), EBADF);
	{
		int fd = open("/", O_RDONLY);

		CHECK_ERR(recv(fd, &c, 1, 0), ENOTSOCK);
		close(fd);
	}
	CHECK_ERR(sendmsg(-1, (struct msghdr *)8, 0), EBADF);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(sendmsg(s, (struct msghdr *)8, 0), EFAULT);
	close(s);
}

int main(void)
{
	test_pairs();
	test_boundaries();
	test_pipe_errors();
	test_listen(0);
	test_listen(1);
	test_dgram_named();
	test_nonblock_poll();
	test_scm_rights();
	test_creds();
	test_options();
	return gt_finish();
}
