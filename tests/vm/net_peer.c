// SPDX-License-Identifier: GPL-2.0
/*
 * TCP and UDP, IPv4 or IPv6, between a host and a guest over a sandbox's
 * network device (lbx<N> in tests/vm/run-all.sh, a TUN device in
 * tests/userland/tun.sh). The same static program runs natively on the
 * host side and as the guest. ADDR is IPv4 or IPv6; servers bind the
 * wildcard of the family given (4 or 6). Each prints one line and exits 0
 * when the exchange was right, 1 with a message when not.
 *
 *   net_peer tcp-server 4|6 PORT
 *       accepts one connection, echoes it until EOF, half-closes back;
 *       prints "tcp-server: echoed N bytes from ADDR"
 *   net_peer tcp-client ADDR PORT BYTES
 *       connects (retrying for 30 s while refused or unreachable), sends
 *       BYTES of a pattern, half-closes, reads the same bytes back then EOF;
 *       prints "tcp-client: BYTES bytes echoed by ADDR"
 *   net_peer udp-server 4|6 PORT
 *       answers one datagram, upper-cased; prints "udp-server: got MSG from ADDR"
 *   net_peer udp-client ADDR PORT MSG
 *       sends MSG until an answer comes (30 s); prints "udp-client: got ANSWER"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "net_peer: %s: %s\n", what, strerror(errno));
	return 1;
}

static socklen_t make_addr(struct sockaddr_storage *ss, const char *addr,
			   int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(addr, "4") || inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return sizeof(*a4);
	}
	if (!strcmp(addr, "6") || inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return sizeof(*a6);
	}
	return 0;
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf,
			    size_t len)
{
	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr,
				 buf, len);
	return inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ss)->sin6_addr,
			 buf, len);
}

static int bound_socket(int type, const char *fam, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, fam, port);
	int s, one = 1;

	if (!len)
		return -1;
	s = socket(ss.ss_family, type, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len)) {
		close(s);
		return -1;
	}
	return s;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int tcp_server(const char *fam, int port)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[65536], name[64];
	size_t total = 0;
	ssize_t n;
	int s = bound_socket(SOCK_STREAM, fam, port), c;

	if (s < 0)
		return fail("bind");
	if (listen(s, 1))
		return fail("listen");
	c = accept(s, (struct sockaddr *)&peer, &plen);
	if (c < 0)
		return fail("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(c, buf + off, n - off);

			if (w <= 0)
				return fail("write");
			off += w;
		}
		total += n;
	}
	if (n < 0)
		return fail("read");
	if (shutdown(c, SHUT_WR))
		return fail("shutdown");
	printf("tcp-server: echoed %zu bytes from %s\n", total,
	       addr_str(&peer, name, sizeof(name)));
	close(c);
	close(s);
	return 0;
}

static int tcp_client(const char *addr, int port, size_t bytes)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	size_t sent = 0, got = 0, i;
	unsigned char buf[65536];
	int s = -1, tries;
	ssize_t n;

	if (!len || !strcmp(addr, "4") || !strcmp(addr, "6"))
		return errno = EINVAL, fail("ADDR");
	for (tries = 0; tries < 300; tries++) {
		s = socket(ss.ss_family, SOCK_STREAM, 0);
		if (s < 0)
			return fail("socket");
		if (!connect(s, (struct sockaddr *)&ss, len))
			break;
		if (errno != ECONNREFUSED && errno != ENETUNREACH &&
		    errno != EHOSTUNREACH && errno != ETIMEDOUT)
			return fail("connect");
		close(s);
		s = -1;
		usleep(100000);
	}
	if (s < 0)
		return fail("connect (30 s)");
	/* Send and read back at once: the echo may fill both windows. */
	while (got < bytes) {
		fd_set r, w;

		FD_ZERO(&r);
		FD_ZERO(&w);
		FD_SET(s, &r);
		if (sent < bytes)
			FD_SET(s, &w);
		if (select(s + 1, &r, &w, NULL, NULL) < 0)
			return fail("select");
		if (FD_ISSET(s, &w)) {
			size_t k = bytes - sent < sizeof(buf) ? bytes - sent : sizeof(buf);

			for (i = 0; i < k; i++)
				buf[i] = pattern(sent + i);
			n = write(s, buf, k);
			if (n < 0)
				return fail("write");
			sent += n;
			if (sent == bytes && shutdown(s, SHUT_WR))
				return fail("shutdown");
		}
		if (FD_ISSET(s, &r)) {
			n = read(s, buf, sizeof(buf));
			if (n < 0)
				return fail("read");
			if (n == 0) {
				fprintf(stderr, "net_peer: EOF after %zu of %zu bytes\n",
					got, bytes);
				return 1;
			}
			for (i = 0; i < (size_t)n; i++) {
				if (buf[i] != pattern(got + i)) {
					fprintf(stderr, "net_peer: byte %zu differs\n",
						got + i);
					return 1;
				}
			}
			got += n;
		}
	}
	if (!bytes && shutdown(s, SHUT_WR))
		return fail("shutdown");
	n = read(s, buf, sizeof(buf));
	if (n != 0) {
		fprintf(stderr, "net_peer: no EOF after the echo (%zd)\n", n);
		return 1;
	}
	printf("tcp-client: %zu bytes echoed by %s\n", got, addr);
	close(s);
	return 0;
}

static int udp_server(const char *fam, int port)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[1024], name[64];
	ssize_t n, i;
	int s = bound_socket(SOCK_DGRAM, fam, port);

	if (s < 0)
		return fail("bind");
	n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &plen);
	if (n < 0)
		return fail("recvfrom");
	buf[n] = 0;
	printf("udp-server: got %s from %s\n", buf,
	       addr_str(&peer, name, sizeof(name)));
	fflush(stdout);
	for (i = 0; i < n; i++)
		buf[i] = toupper((unsigned char)buf[i]);
	if (sendto(s, buf, n, 0, (struct sockaddr *)&peer, plen) != n)
		return fail("sendto");
	return 0;
}

static int udp_client(const char *addr, int port, const char *msg)
{
	struct timeval tv = { .tv_usec = 300000 };
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	char buf[1024];
	ssize_t n;
	int s, i;

	if (!len || !strcmp(addr, "4") || !strcmp(addr, "6"))
		return errno = EINVAL, fail("ADDR");
	s = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (s < 0)
		return fail("socket");
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < 100; i++) {
		if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) < 0 &&
		    errno != ENETUNREACH && errno != ECONNREFUSED)
			return fail("sendto");
		n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n >= 0) {
			buf[n] = 0;
			printf("udp-client: got %s\n", buf);
			return 0;
		}
		if (errno != EAGAIN && errno != ECONNREFUSED)
			return fail("recv");
	}
	fprintf(stderr, "net_peer: no answer in 30 s\n");
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "tcp-server"))
		return tcp_server(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "tcp-client"))
		return tcp_client(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "udp-server"))
		return udp_server(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "udp-client"))
		return udp_client(argv[2], atoi(argv[3]), argv[4]);
	fprintf(stderr, "usage: net_peer tcp-server|udp-server 4|6 PORT\n"
		"       net_peer tcp-client ADDR PORT BYTES\n"
		"       net_peer udp-client ADDR PORT MSG\n");
	return 2;
}
