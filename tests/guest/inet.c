// SPDX-License-Identifier: GPL-2.0
/*
 * TCP and UDP over the loopback in one process: a non-blocking server and
 * client driven by poll, a bulk transfer with backpressure, EOF, RST,
 * EPIPE and SIGPIPE, refused connections, SO_RCVTIMEO, epoll, UDP, IPv6.
 * Ports are ephemeral (bind port 0), so runs never collide.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe++;
}

static volatile sig_atomic_t got_alarm;

static void on_alarm(int sig)
{
	got_alarm++;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int listener4(struct sockaddr_in *a)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(*a);

	CHECK(s >= 0, "socket");
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(s, (struct sockaddr *)a, sizeof(*a)) == 0, "bind");
	CHECK(listen(s, 16) == 0, "listen");
	CHECK(getsockname(s, (struct sockaddr *)a, &len) == 0 && a->sin_port != 0, "getsockname");
	return s;
}

static int wait_for(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r = poll(&p, 1, ms);

	return r == 1 ? p.revents : 0;
}

static void test_nonblocking_pair(void)
{
	struct sockaddr_in a, peer, self;
	socklen_t len;
	int l, c, s, err = -1, r;
	char buf[64];

	l = listener4(&a);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == 0 || errno == EINPROGRESS, "non-blocking connect: %d", r);
	CHECK(wait_for(c, POLLOUT, 2000) & POLLOUT, "connect completes (POLLOUT)");
	len = sizeof(err);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR %d", err);
	CHECK(wait_for(l, POLLIN, 2000) & POLLIN, "listener readable");
	len = sizeof(peer);
	s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	CHECK(s >= 0, "accept4");
	len = sizeof(self);
	CHECK(getsockname(c, (struct sockaddr *)&self, &len) == 0, "client getsockname");
	CHECK(self.sin_port == peer.sin_port && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "accept's address is the client's name");
	len = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == a.sin_port,
	      "client getpeername");
	CHECK(recv(s, buf, sizeof(buf), 0) == -1 && errno == EAGAIN, "nothing to read: EAGAIN");

	/* Ping-pong of small messages: no Nagle / delayed-ACK stall. */
	{
		double t0 = now_ms();
		int i, ok = 1;

		for (i = 0; i < 200 && ok; i++) {
			ok = send(c, "ping", 4, 0) == 4 &&
			     (wait_for(s, POLLIN, 2000) & POLLIN) &&
			     recv(s, buf, sizeof(buf), 0) == 4 &&
			     send(s, "pong", 4, 0) == 4 &&
			     (wait_for(c, POLLIN, 2000) & POLLIN) &&
			     recv(c, buf, sizeof(buf), 0) == 4 &&
			     !memcmp(buf, "pong", 4);
		}
		CHECK(ok, "200 round trips (stopped at %d)", i);
		printf("  200 TCP round trips in %.1f ms\n", now_ms() - t0);
	}

	/* Bulk transfer, both ends non-blocking, driven by poll. */
	{
		static char out[1 << 20], in[65536];
		size_t sent = 0, got = 0;
		unsigned long sum_out = 0, sum_in = 0;
		int iter = 0, eagain = 0;
		double t0 = now_ms();

		for (size_t i = 0; i < sizeof(out); i++) {
			out[i] = (char)(i * 31 + (i >> 9));
			sum_out += (unsigned char)out[i];
		}
		while (got < sizeof(out) && iter++ < 100000) {
			struct pollfd p[2] = {
				{ .fd = c, .events = sent < sizeof(out) ? POLLOUT : 0 },
				{ .fd = s, .events = POLLIN },
			};

			if (poll(p, 2, 2000) <= 0)
				break;
			if (p[0].revents & POLLOUT) {
				ssize_t n = send(c, out + sent, sizeof(out) - sent, 0);

				if (n > 0)
					sent += n;
				else if (errno == EAGAIN)
					eagain++;
			}
			if (p[1].revents & POLLIN) {
				ssize_t n = recv(s, in, sizeof(in), 0);

				for (ssize_t k = 0; k < n; k++)
					sum_in += (unsigned char)in[k];
				if (n > 0)
					got += n;
			}
		}
		CHECK(got == sizeof(out) && sum_in == sum_out, "1 MiB intact (%zu bytes)", got);
		printf("  1 MiB non-blocking TCP transfer in %.1f ms\n", now_ms() - t0);
	}

	/* Half close: EOF on one side, the other direction still works. */
	CHECK(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	CHECK(wait_for(s, POLLIN, 2000) & POLLIN, "EOF is readable");
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "recv sees EOF");
	CHECK(wait_for(s, POLLRDHUP, 2000) & POLLRDHUP, "POLLRDHUP");
	CHECK(send(s, "bye", 3, 0) == 3, "send after the peer's SHUT_WR");
	CHECK(wait_for(c, POLLIN, 2000) & POLLIN, "reply readable");
	CHECK(recv(c, buf, sizeof(buf), 0) == 3, "reply");
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);

	close(c);
	close(s);

	/* The peer closes: writing gets a RST back; then EPIPE and SIGPIPE. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "blocking connect");
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept");
	close(c);
	CHECK(wait_for(s, POLLIN, 2000) & POLLIN, "FIN readable");
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "EOF");
	got_sigpipe = 0;
	CHECK(send(s, "x", 1, 0) == 1 || errno == EPIPE, "first write after the peer closed");
	usleep(20000);
	CHECK_ERR(send(s, "x", 1, 0), EPIPE);
	CHECK(got_sigpipe >= 1, "SIGPIPE raised (%d)", (int)got_sigpipe);
	got_sigpipe = 0;
	CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(got_sigpipe == 0, "no SIGPIPE with MSG_NOSIGNAL");
	close(s);

	/* Unread data at close: the peer sees ECONNRESET. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "blocking connect");
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept");
	CHECK(send(c, "unread", 6, 0) == 6, "send");
	CHECK(wait_for(s, POLLIN, 2000) & POLLIN, "data arrived");
	close(s);
	CHECK(wait_for(c, POLLIN, 2000) & (POLLERR | POLLHUP), "reset seen by poll");
	CHECK_ERR(recv(c, buf, sizeof(buf), 0), ECONNRESET);
	close(c);

	/* Refused once nobody listens. */
	close(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED), "non-blocking refused");
	if (r == -1 && errno == EINPROGRESS) {
		CHECK(wait_for(c, POLLOUT, 2000) & (POLLERR | POLLHUP), "refused: POLLERR");
		len = sizeof(err);
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
		      "SO_ERROR ECONNREFUSED (%d)", err);
	}
	close(c);
}

static void test_timeouts_and_epoll(void)
{
	struct sockaddr_in a;
	struct timeval tv = { 0, 100000 };
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	int l, c, s, ep, one = 1, v = 0;
	socklen_t len = sizeof(v);
	double t0;
	char buf[16];

	l = listener4(&a);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	s = accept(l, NULL, NULL);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "TCP_NODELAY");
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v, "TCP_NODELAY reads back");
	CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0, "SO_KEEPALIVE");
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
	t0 = now_ms();
	CHECK_ERR(recv(c, buf, sizeof(buf), 0), EAGAIN);
	CHECK(now_ms() - t0 >= 90 && now_ms() - t0 < 2000, "timed out after %.0f ms", now_ms() - t0);

	ep = epoll_create1(0);
	ev.data.fd = c;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0, "epoll_ctl");
	CHECK(epoll_wait(ep, out, 4, 0) == 0, "nothing ready");
	CHECK(send(s, "e", 1, 0) == 1, "send");
	CHECK(epoll_wait(ep, out, 4, 1000) == 1 && out[0].data.fd == c, "epoll sees data");
	{
		int n = -1;

		CHECK(ioctl(c, FIONREAD, &n) == 0 && n == 1, "FIONREAD %d", n);
	}
	CHECK(recv(c, buf, sizeof(buf), 0) == 1, "recv");
	/* FIONBIO (Python's settimeout) makes the socket non-blocking. */
	one = 1;
	CHECK(ioctl(c, FIONBIO, &one) == 0, "FIONBIO");
	CHECK(fcntl(c, F_GETFL) & O_NONBLOCK, "O_NONBLOCK set by FIONBIO");
	CHECK_ERR(recv(c, buf, sizeof(buf), 0), EAGAIN);
	close(ep);

	/* A signal without SA_RESTART interrupts blocking accept and recv. */
	{
		struct sigaction sa = { .sa_handler = on_alarm };
		struct itimerval it = { .it_value = { 0, 50000 } };
		int fl = fcntl(c, F_GETFL);

		fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
		tv.tv_usec = 0;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		CHECK_ERR(recv(c, buf, sizeof(buf), 0), EINTR);
		setitimer(ITIMER_REAL, &it, NULL);
		CHECK_ERR(accept(l, NULL, NULL), EINTR);
		CHECK(got_alarm == 2, "two SIGALRMs handled (%d)", (int)got_alarm);
	}
	close(c);
	close(s);
	close(l);
}

/* Many short connections: accept queue, close, TIME_WAIT, port reuse. */
static void test_many_connections(void)
{
	struct sockaddr_in a;
	int l = listener4(&a), i, ok = 1;
	double t0 = now_ms();
	char b;

	for (i = 0; i < 300 && ok; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		ok = connect(c, (struct sockaddr *)&a, sizeof(a)) == 0;
		s = accept(l, NULL, NULL);
		ok = ok && s >= 0 && send(c, "q", 1, 0) == 1 && recv(s, &b, 1, 0) == 1 &&
		     send(s, "r", 1, 0) == 1 && recv(c, &b, 1, 0) == 1;
		close(c);
		ok = ok && recv(s, &b, 1, 0) == 0;
		close(s);
	}
	CHECK(ok, "300 connections (stopped at %d)", i);
	printf("  300 TCP connect/accept/exchange/close in %.1f ms\n", now_ms() - t0);
	/* A listener's port is not shared, even with SO_REUSEADDR. */
	{
		int one = 1, l2 = socket(AF_INET, SOCK_STREAM, 0);

		setsockopt(l2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		CHECK_ERR(bind(l2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
		close(l2);
	}
	close(l);
}

static void test_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b, from;
	socklen_t len = sizeof(b), flen = sizeof(from);
	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[2048];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	b = a;
	CHECK(bind(u1, (struct sockaddr *)&a, sizeof(a)) == 0, "udp bind");
	CHECK(bind(u2, (struct sockaddr *)&b, sizeof(b)) == 0, "udp bind");
	len = sizeof(a);
	getsockname(u1, (struct sockaddr *)&a, &len);
	len = sizeof(b);
	getsockname(u2, (struct sockaddr *)&b, &len);
	CHECK_ERR(recv(u2, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK(sendto(u1, "dgram", 5, 0, (struct sockaddr *)&b, sizeof(b)) == 5, "sendto");
	CHECK(wait_for(u2, POLLIN, 2000) & POLLIN, "udp readable");
	CHECK(recvfrom(u2, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 5 &&
	      !memcmp(buf, "dgram", 5), "recvfrom");
	CHECK(from.sin_port == a.sin_port && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "source address");
	/* Boundaries kept, truncation flagged. */
	CHECK(sendto(u1, "0123456789", 10, 0, (struct sockaddr *)&b, sizeof(b)) == 10, "sendto");
	CHECK(sendto(u1, "ab", 2, 0, (struct sockaddr *)&b, sizeof(b)) == 2, "sendto");
	{
		struct iovec iov = { buf, 4 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

		CHECK(recvmsg(u2, &m, 0) == 4 && (m.msg_flags & MSG_TRUNC), "MSG_TRUNC");
	}
	CHECK(recv(u2, buf, sizeof(buf), 0) == 2, "next datagram whole");
	/* Connected UDP. */
	CHECK(connect(u1, (struct sockaddr *)&b, sizeof(b)) == 0, "udp connect");
	CHECK(send(u1, "c", 1, 0) == 1, "send on connected udp");
	CHECK(recv(u2, buf, sizeof(buf), 0) == 1, "recv");
	close(u1);
	close(u2);
}

static void test_ipv6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET6, SOCK_STREAM, 0), c, s;
	char buf[8];

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0) {
		/* The reference host may have no IPv6; LiteBox always has ::1. */
		printf("  note: no IPv6 loopback here (%s); skipping the IPv6 checks\n",
		       strerror(errno));
		if (l >= 0)
			close(l);
		return;
	}
	CHECK(listen(l, 4) == 0, "listen6");
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0 && a.sin6_port, "getsockname6");
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect6");
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept6");
	CHECK(send(c, "six", 3, 0) == 3 && recv(s, buf, sizeof(buf), 0) == 3, "v6 data");
	close(c);
	close(s);
	close(l);
}

int main(void)
{
	signal(SIGPIPE, on_sigpipe);
	test_nonblocking_pair();
	test_timeouts_and_epoll();
	test_many_connections();
	test_udp();
	test_ipv6();
	return gt_finish();
}
