// SPDX-License-Identifier: GPL-2.0
/*
 * Connection churn over the loopback in one process: N times (argv[1],
 * default 600) connect, accept, one byte each way, the client closing
 * first, so every connection leaves a TIME_WAIT behind. Each must work:
 * a network stack that keeps every TIME_WAIT (lwIP's list, shared by all
 * sandboxes) slows down and fails after thousands. tests/vm/run-all.sh also
 * runs it with a larger N and checks litebox.ko's TIME_WAIT bound.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest_test.h"

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int n = argc > 1 ? atoi(argv[1]) : 600, i, ls, ok = 0, first_bad = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(ls >= 0, "socket");
	CHECK(bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0, "bind 127.0.0.1:0");
	CHECK(getsockname(ls, (struct sockaddr *)&a, &alen) == 0 && a.sin_port, "getsockname");
	CHECK(listen(ls, 16) == 0, "listen");
	for (i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s = -1;
		char b = 'x';
		bool good = c >= 0 &&
			    connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			    (s = accept(ls, NULL, NULL)) >= 0 &&
			    write(c, &b, 1) == 1 && read(s, &b, 1) == 1 &&
			    write(s, &b, 1) == 1 && read(c, &b, 1) == 1 && b == 'x';

		/* The client closes first: its side goes to TIME_WAIT. */
		if (c >= 0)
			close(c);
		if (s >= 0) {
			good = good && read(s, &b, 1) == 0;	/* the client's FIN */
			close(s);
		}
		if (good)
			ok++;
		else if (first_bad < 0)
			first_bad = i;
	}
	CHECK(ok == n, "%d connections, each with one byte each way and EOF (%d worked; first failure: %d)",
	      n, ok, first_bad);
	close(ls);
	return gt_finish();
}
