// SPDX-License-Identifier: GPL-2.0
/*
 * TCP and UDP between processes over the loopback: a forked server (a
 * blocking accept loop that echoes, and a UDP echo) and a client in the
 * parent. Blocking waits are woken from the other process.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_test.h"

#define CLIENTS	3
#define BULK	(256 * 1024)

static int echo_server(int l, int u)
{
	static char buf[65536];
	int i, bad = 0;

	for (i = 0; i < CLIENTS; i++) {
		int s = accept(l, NULL, NULL);
		ssize_t n;

		if (s < 0)
			return 10;
		while ((n = recv(s, buf, sizeof(buf), 0)) > 0) {
			ssize_t off = 0;

			while (off < n) {
				ssize_t w = send(s, buf + off, n - off, 0);

				if (w <= 0)
					return 11;
				off += w;
			}
		}
		if (n < 0)
			bad++;
		close(s);
	}
	/* UDP: echo one datagram back to its sender. */
	{
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n <= 0 || sendto(u, buf, n, 0, (struct sockaddr *)&from, len) != n)
			bad++;
	}
	return bad ? 12 : 0;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, ua;
	socklen_t len = sizeof(a);
	int l, u, one = 1, status = -1, i;
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ua = a;
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
	CHECK(listen(l, 8) == 0, "listen");
	CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0, "getsockname");
	u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(bind(u, (struct sockaddr *)&ua, sizeof(ua)) == 0, "udp bind");
	len = sizeof(ua);
	CHECK(getsockname(u, (struct sockaddr *)&ua, &len) == 0, "udp getsockname");
	fflush(stdout);

	pid = fork();
	if (pid == 0)
		_exit(echo_server(l, u));
	CHECK(pid > 0, "fork");
	close(l);
	close(u);
	/* Let the server block in accept first: a cross-process wake. */
	usleep(50000);

	for (i = 0; i < CLIENTS; i++) {
		static char out[BULK], in[BULK];
		size_t sent = 0, got = 0;
		int c = socket(AF_INET, SOCK_STREAM, 0);

		CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect %d", i);
		for (size_t k = 0; k < sizeof(out); k++)
			out[k] = (char)(k * 13 + i);
		/* Send and read back in turns so that neither side's buffers
		 * fill up (the echo server is blocking). */
		while (got < sizeof(out)) {
			if (sent < sizeof(out)) {
				ssize_t w = send(c, out + sent,
						 sizeof(out) - sent < 16384 ? sizeof(out) - sent : 16384, 0);

				if (w <= 0)
					break;
				sent += w;
			}
			while (got < sent) {
				ssize_t r = recv(c, in + got, sizeof(in) - got, 0);

				if (r <= 0)
					goto done;
				got += r;
			}
		}
done:
		CHECK(got == sizeof(out) && !memcmp(in, out, sizeof(out)),
		      "client %d: echo of %d bytes (got %zu)", i, BULK, got);
		CHECK(shutdown(c, SHUT_WR) == 0, "shutdown");
		{
			char b;

			CHECK(recv(c, &b, 1, 0) == 0, "server closed: EOF");
		}
		close(c);
	}

	/* UDP to the server process and back. */
	{
		int c = socket(AF_INET, SOCK_DGRAM, 0);
		char buf[64];
		struct pollfd p = { .fd = c, .events = POLLIN };

		CHECK(sendto(c, "udp-echo", 8, 0, (struct sockaddr *)&ua, sizeof(ua)) == 8, "sendto");
		CHECK(poll(&p, 1, 5000) == 1, "udp reply");
		CHECK(recv(c, buf, sizeof(buf), MSG_DONTWAIT) == 8 && !memcmp(buf, "udp-echo", 8),
		      "udp echo");
		close(c);
	}

	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "server status %#x", status);
	return gt_finish();
}
