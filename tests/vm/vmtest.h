/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal kselftest-like harness for the programs the VM tests run
 * natively against /dev/litebox: TEST(name) cases, EXPECT_* checks, TAP out.
 */
#ifndef LBX_VMTEST_H
#define LBX_VMTEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct vmtest {
	const char *name;
	void (*fn)(void);
};

static int vt_failed_now;
static int vt_pass, vt_fail;

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			vt_failed_now = 1;				\
			printf("#   %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

/* expr must fail with errno e. */
#define EXPECT_ERRNO(expr, e)						\
	do {								\
		long _r;						\
		errno = 0;						\
		_r = (long)(expr);					\
		EXPECT(_r == -1 && errno == (e),			\
		       "%s returned %ld errno %d (%s), expected %s",	\
		       #expr, _r, errno, strerror(errno), #e);		\
	} while (0)

static inline int vt_run(const struct vmtest *t, int n)
{
	int i;

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		vt_failed_now = 0;
		t[i].fn();
		if (vt_failed_now)
			vt_fail++;
		else
			vt_pass++;
		printf("%s %d - %s\n", vt_failed_now ? "not ok" : "ok", i + 1, t[i].name);
		fflush(stdout);
	}
	return vt_fail ? 1 : 0;
}

#endif
