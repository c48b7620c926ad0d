// SPDX-License-Identifier: GPL-2.0
/*
 * UDP over a sandbox's network device, both ways (tests/vm/run-all.sh): runs
 * natively on the VM's host side and as a guest (a static program).
 *   udp_echo server PORT       answers one datagram, upper-cased; prints it
 *   udp_echo client ADDR PORT MSG
 *                              sends MSG until an answer comes (30 s); prints it
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	socklen_t flen = sizeof(from);
	char buf[256];
	int s = socket(AF_INET, SOCK_DGRAM, 0), i;
	ssize_t n;

	if (s < 0 || argc < 3)
		return 2;
	if (!strcmp(argv[1], "server")) {
		a.sin_port = htons(atoi(argv[2]));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)))
			return perror("bind"), 1;
		n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return perror("recvfrom"), 1;
		buf[n] = 0;
		printf("server got %s from %s\n", buf, inet_ntoa(from.sin_addr));
		for (i = 0; i < n; i++)
			buf[i] = toupper((unsigned char)buf[i]);
		if (sendto(s, buf, n, 0, (struct sockaddr *)&from, flen) != n)
			return perror("sendto"), 1;
		return 0;
	}
	if (argc < 5)
		return 2;
	struct timeval tv = { .tv_usec = 300000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, argv[2], &a.sin_addr);
	a.sin_port = htons(atoi(argv[3]));
	for (i = 0; i < 100; i++) {
		if (sendto(s, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			return perror("sendto"), 1;
		n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n >= 0) {
			buf[n] = 0;
			printf("client got %s\n", buf);
			return 0;
		}
	}
	fprintf(stderr, "no answer\n");
	return 1;
}
