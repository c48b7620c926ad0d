// SPDX-License-Identifier: GPL-2.0
/*
 * spawn_timer: start-to-exit time of a command (a static program: gcc -static).
 *
 *   spawn_timer [-n N] [-w WARMUP] [-l LABEL] PROGRAM [ARGS...]
 *
 * Runs PROGRAM N times (default 50) after WARMUP untimed runs (default 3),
 * one after the other: fork, execvp, waitpid, with stdin and stdout on
 * /dev/null (stderr is kept). Each run is timed with
 * clock_gettime(CLOCK_MONOTONIC) from before fork to after waitpid. Prints
 *
 *   # LABEL: N runs, min ... median ... mean ... max ... ns
 *   bench: LABEL MEDIAN ns
 *
 * Exits 1 (and prints "bench: LABEL error") if a run does not exit with 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run; returns the wait status, or -1 if fork failed. */
static int run_once(char **argv)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			if (null > 2)
				close(null);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "spawn_timer: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

int main(int argc, char **argv)
{
	int n = 50, warm = 3, c, i, st;
	const char *label = "start-exit";
	double *t, sum = 0, t0;

	while ((c = getopt(argc, argv, "+n:w:l:h")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'l': label = optarg; break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"Usage: spawn_timer [-n N] [-w WARMUP] [-l LABEL] PROGRAM [ARGS...]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc || n < 1 || warm < 0) {
		fprintf(stderr, "Usage: spawn_timer [-n N] [-w WARMUP] [-l LABEL] PROGRAM [ARGS...]\n");
		return 2;
	}
	t = calloc(n, sizeof(*t));
	if (!t)
		return 1;
	for (i = -warm; i < n; i++) {
		t0 = now_ns();
		st = run_once(argv + optind);
		if (st != 0) {
			printf("# %s: run %d of %s: %s 0x%x\n", label, i, argv[optind],
			       st < 0 ? "fork/wait failed" : "wait status", st);
			printf("bench: %s error\n", label);
			return 1;
		}
		if (i >= 0) {
			t[i] = now_ns() - t0;
			sum += t[i];
		}
	}
	qsort(t, n, sizeof(*t), cmp_double);
	printf("# %s: %d runs of %s, min %.0f median %.0f mean %.0f max %.0f ns\n",
	       label, n, argv[optind], t[0], t[n / 2], sum / n, t[n - 1]);
	printf("bench: %s %.1f ns\n", label, t[n / 2]);
	return 0;
}
