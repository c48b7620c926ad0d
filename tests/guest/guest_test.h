/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest test programs: small static programs that check one area against
 * Linux semantics. Each runs natively first (the reference) and then under
 * lbx-run and lbx-launch; the verdict is the last line: "PASS name" or
 * "FAIL name", and the exit status (0 or 1).
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int gt_failures;
static int gt_checks;

#define CHECK(cond, ...)						\
	do {								\
		gt_checks++;						\
		if (!(cond)) {						\
			gt_failures++;					\
			printf("  check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf(" (errno %d %s)\n", errno, strerror(errno)); \
		}							\
	} while (0)

/* A syscall returning -1 with errno e. */
#define CHECK_ERR(expr, e)						\
	do {								\
		long _r;						\
		errno = 0;						\
		_r = (long)(expr);					\
		CHECK(_r == -1 && errno == (e), "%s gave %ld, expected -1 with %s", \
		      #expr, _r, #e);					\
	} while (0)

/* Nanoseconds: of a timespec, of clock c now, and back to a timespec. */
static inline long long gt_ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static inline long long gt_now_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return gt_ts_ns(&t);
}

static inline struct timespec gt_ns_ts(long long ns)
{
	struct timespec t = { ns / 1000000000LL, ns % 1000000000LL };

	return t;
}

extern char *program_invocation_short_name;

/* The verdict names the program as invoked, so that the dynamically linked
 * build of a test (name_dyn) reports under its own name. */
static inline int gt_finish(void)
{
	printf("%s %s (%d checks, %d failed)\n", gt_failures ? "FAIL" : "PASS",
	       program_invocation_short_name, gt_checks, gt_failures);
	fflush(stdout);
	return gt_failures ? 1 : 0;
}

#endif
