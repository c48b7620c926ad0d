// SPDX-License-Identifier: GPL-2.0
/*
 * AF_UNIX sockets across processes: a forked server and clients over a
 * path name, blocking reads and writes that wait for the other process,
 * bounded buffers (a writer blocks until the reader drains), fd passing
 * between processes, SO_PEERCRED with the peer's pid, EOF and EPIPE when
 * a process exits. Multi-process: native and lbx-launch only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

#define PATH "/tmp/lbx-mp-sock"

static socklen_t mkaddr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, PATH);
	return offsetof(struct sockaddr_un, sun_path) + strlen(PATH) + 1;
}

static int wait_ok(pid_t pid)
{
	int st = -1;

	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A server process echoes upper-cased lines to two clients in turn. */
static void test_server(void)
{
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a);
	int l, i, ready[2];
	pid_t srv;
	char buf[64];

	unlink(PATH);
	CHECK(pipe(ready) == 0, "pipe");
	srv = fork();
	if (srv == 0) {
		int bad = 0;

		close(ready[0]);
		l = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(l, (struct sockaddr *)&a, alen) || listen(l, 4))
			_exit(2);
		write(ready[1], "r", 1);
		for (i = 0; i < 2; i++) {
			int c = accept(l, NULL, NULL), n, k;
			struct ucred cr;
			socklen_t len = sizeof(cr);

			if (c < 0)
				_exit(3);
			if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
			    cr.pid == getpid())
				bad++;
			while ((n = read(c, buf, sizeof(buf))) > 0) {
				for (k = 0; k < n; k++)
					if (buf[k] >= 'a' && buf[k] <= 'z')
						buf[k] -= 32;
				write(c, buf, n);
			}
			close(c);
		}
		close(l);
		_exit(bad ? 4 : 0);
	}
	close(ready[1]);
	CHECK(read(ready[0], buf, 1) == 1, "server ready");
	close(ready[0]);
	for (i = 0; i < 2; i++) {
		pid_t cl = fork();

		if (cl == 0) {
			int c = socket(AF_UNIX, SOCK_STREAM, 0), n;
			struct ucred cr;
			socklen_t len = sizeof(cr);

			if (connect(c, (struct sockaddr *)&a, alen))
				_exit(2);
			if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) || cr.pid != srv)
				_exit(5);
			write(c, "hello", 5);
			n = read(c, buf, sizeof(buf));
			if (n != 5 || memcmp(buf, "HELLO", 5))
				_exit(3);
			shutdown(c, SHUT_WR);
			n = read(c, buf, sizeof(buf));
			_exit(n == 0 ? 0 : 4);
		}
		CHECK(wait_ok(cl), "client %d", i);
	}
	CHECK(wait_ok(srv), "server");
	unlink(PATH);
}

/* 1 MiB through a socketpair: the writer blocks on the bounded buffer. */
static void test_bulk(void)
{
	int sv[2], sz = 8192;
	long total = 0;
	pid_t pid;
	char buf[4096];
	unsigned sum = 0, want = 0;
	long i;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		for (i = 0; i < (1 << 20) / (long)sizeof(buf); i++) {
			int k;

			for (k = 0; k < (int)sizeof(buf); k++)
				buf[k] = (char)(i + k);
			if (write(sv[0], buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		}
		_exit(0);
	}
	close(sv[0]);
	for (;;) {
		ssize_t n = read(sv[1], buf, sizeof(buf));
		ssize_t k;

		if (n <= 0)
			break;
		for (k = 0; k < n; k++)
			sum = sum * 31 + (unsigned char)buf[k];
		total += n;
	}
	for (i = 0; i < (1 << 20) / 4096; i++) {
		int k;

		for (k = 0; k < 4096; k++)
			want = want * 31 + (unsigned char)(char)(i + k);
	}
	CHECK(total == 1 << 20 && sum == want, "bulk: %ld bytes", total);
	CHECK(wait_ok(pid), "writer");
	close(sv[1]);
}

/* The child opens a file and passes it to the parent. */
static void test_pass_fd(void)
{
	int sv[2], fd = -1;
	pid_t pid;
	char buf[32], cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr m = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct cmsghdr *c;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "pair");
	pid = fork();
	if (pid == 0) {
		int p[2];

		close(sv[0]);
		if (pipe(p))
			_exit(1);
		write(p[1], "from child", 10);
		close(p[1]);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		iov.iov_base = "fd";
		iov.iov_len = 2;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &p[0], sizeof(int));
		_exit(sendmsg(sv[1], &m, 0) == 2 ? 0 : 2);
	}
	close(sv[1]);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	CHECK(recvmsg(sv[0], &m, 0) == 2, "recvmsg");
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	CHECK(fd >= 0, "got an fd");
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 10 && !memcmp(buf, "from child", 10),
	      "the child's pipe");
	CHECK(wait_ok(pid), "child");
	/* The child exited: EOF on seqpacket. */
	CHECK(recv(sv[0], buf, sizeof(buf), 0) == 0, "EOF");
	if (fd >= 0)
		close(fd);
	close(sv[0]);
}

/* A reader blocked in poll and in read wakes when the other process writes. */
static void test_wakeup(void)
{
	int sv[2];
	pid_t pid;
	struct pollfd p;
	char c;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "pair");
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		send(sv[1], "a", 1, 0);
		usleep(100000);
		send(sv[1], "b", 1, 0);
		_exit(0);
	}
	p.fd = sv[0];
	p.events = POLLIN;
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll woke");
	CHECK(recv(sv[0], &c, 1, 0) == 1 && c == 'a', "a");
	CHECK(recv(sv[0], &c, 1, 0) == 1 && c == 'b', "blocking recv woke");
	CHECK(wait_ok(pid), "child");
	close(sv[0]);
	close(sv[1]);

	/* The peer process exits: EPIPE, and SIGPIPE by default. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	pid = fork();
	if (pid == 0)
		_exit(0);
	close(sv[1]);
	CHECK(wait_ok(pid), "child");
	pid = fork();
	if (pid == 0) {
		write(sv[0], "x", 1);
		_exit(0);
	}
	{
		int st = 0;

		waitpid(pid, &st, 0);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "SIGPIPE: %#x", st);
	}
	close(sv[0]);
}

int main(void)
{
	test_server();
	test_bulk();
	test_pass_fd();
	test_wakeup();
	return gt_finish();
}
