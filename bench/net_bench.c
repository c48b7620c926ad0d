// SPDX-License-Identifier: GPL-2.0
/*
 * TCP benchmarks, a static program run natively, under lbx-run and under
 * lbx-launch (bench/net-vm.sh). Clients print syscall_bench's format,
 * "bench: NAME NS ns" (the median of RUNS timed runs, ns per operation)
 * and "# ..." details, so that bench/table.awk compares two sides.
 *
 *   net_bench sink PORT
 *       serves stream clients one after another, forever: reads each to
 *       EOF, then answers the byte count (8 bytes) and closes
 *   net_bench stream NAME ADDR PORT MB RUNS
 *       per run, one connection: writes MB MiB in 64 KiB writes, half-closes
 *       and waits for the sink's count (so the data has arrived); reports
 *       ns per 64 KiB and MB/s
 *   net_bench echo1 PORT
 *       serves connections one after another, forever: reads one byte,
 *       writes it back, closes
 *   net_bench crr NAME ADDR PORT SECONDS RUNS
 *       connect, write one byte, read it back, close, as often as SECONDS
 *       allows; reports ns per connection and connections per second
 *   net_bench crr-loop NAME SECONDS RUNS
 *       the same over 127.0.0.1 with its own echo1 server (a child process)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(64 * 1024)
#define MAX_RUNS 64

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "net_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return sizeof(*a6);
	}
	errno = EINVAL;
	die(addr);
	return 0;
}

static int listener(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;

	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 128))
		die("bind/listen");
	return s;
}

/* Connects, retrying for 30 s while the server is not there yet. */
static int dial(const struct sockaddr_storage *ss, socklen_t len)
{
	int i, s;

	for (i = 0; i < 300; i++) {
		s = socket(ss->ss_family, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (!connect(s, (const struct sockaddr *)ss, len))
			return s;
		if (errno != ECONNREFUSED && errno != ENETUNREACH && errno != ETIMEDOUT)
			die("connect");
		close(s);
		usleep(100000);
	}
	die("connect (30 s)");
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of n per-operation times, with syscall_bench's lines. */
static void report(const char *name, uint64_t *ns, int n, const char *unit,
		   double per_sec_scale)
{
	uint64_t med;

	qsort(ns, n, sizeof(*ns), cmp_u64);
	med = ns[n / 2];
	printf("# net_bench: %s min %llu median %llu max %llu ns; %.1f %s\n", name,
	       (unsigned long long)ns[0], (unsigned long long)med,
	       (unsigned long long)ns[n - 1], per_sec_scale * 1e9 / med, unit);
	printf("bench: %s %llu ns\n", name, (unsigned long long)med);
}

static void sink(int port)
{
	int s = listener(port);
	static char buf[CHUNK];

	for (;;) {
		uint64_t total = 0;
		ssize_t n;
		int c = accept(s, NULL, NULL);

		if (c < 0)
			die("accept");
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += n;
		if (write(c, &total, sizeof(total)) != sizeof(total))
			die("write count");
		close(c);
	}
}

static void stream(const char *name, const char *addr, int port, int mb, int runs)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	static char buf[CHUNK];
	uint64_t ns[MAX_RUNS];
	int r;

	memset(buf, 'x', sizeof(buf));
	for (r = 0; r < runs; r++) {
		uint64_t want = (uint64_t)mb << 20, sent = 0, got = 0, t0;
		int s = dial(&ss, len);

		t0 = now_ns();
		while (sent < want) {
			ssize_t n = write(s, buf, sizeof(buf));

			if (n <= 0)
				die("write");
			sent += n;
		}
		if (shutdown(s, SHUT_WR))
			die("shutdown");
		if (read(s, &got, sizeof(got)) != sizeof(got) || got != sent) {
			fprintf(stderr, "net_bench: the sink counted %llu of %llu bytes\n",
				(unsigned long long)got, (unsigned long long)sent);
			exit(1);
		}
		ns[r] = (now_ns() - t0) / (want / CHUNK);
		close(s);
	}
	report(name, ns, runs, "MB/s", CHUNK / 1048576.0);
}

static void echo1(int s)
{
	for (;;) {
		char b;
		int c = accept(s, NULL, NULL);

		if (c < 0)
			die("accept");
		if (read(c, &b, 1) == 1 && write(c, &b, 1) != 1)
			die("write");
		close(c);
	}
}

static void crr(const char *name, const char *addr, int port, double secs, int runs)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr, port);
	uint64_t ns[MAX_RUNS];
	int r, s;

	/* One untimed connection: the server is up. */
	s = dial(&ss, len);
	close(s);
	for (r = 0; r < runs; r++) {
		uint64_t t0 = now_ns(), end = t0 + (uint64_t)(secs * 1e9), n = 0, t;

		do {
			char b = 'x';

			s = socket(ss.ss_family, SOCK_STREAM, 0);
			if (s < 0 || connect(s, (struct sockaddr *)&ss, len))
				die("connect");
			if (write(s, &b, 1) != 1 || read(s, &b, 1) != 1)
				die("exchange");
			close(s);
			n++;
			t = now_ns();
		} while (t < end);
		ns[r] = (t - t0) / n;
	}
	report(name, ns, runs, "connections/s", 1.0);
}

static int runs_arg(const char *s)
{
	int r = atoi(s);

	return r < 1 ? 1 : r > MAX_RUNS ? MAX_RUNS : r;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "sink"))
		sink(atoi(argv[2]));
	else if (argc == 3 && !strcmp(argv[1], "echo1"))
		echo1(listener(atoi(argv[2])));
	else if (argc == 7 && !strcmp(argv[1], "stream"))
		stream(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), runs_arg(argv[6]));
	else if (argc == 7 && !strcmp(argv[1], "crr"))
		crr(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), runs_arg(argv[6]));
	else if (argc == 5 && !strcmp(argv[1], "crr-loop")) {
		int s = listener(5999);
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid)
			echo1(s);
		close(s);
		crr(argv[2], "127.0.0.1", 5999, atof(argv[3]), runs_arg(argv[4]));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else {
		fprintf(stderr, "usage: see bench/net_bench.c\n");
		return 2;
	}
	return 0;
}
