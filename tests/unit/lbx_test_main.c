// SPDX-License-Identifier: GPL-2.0
/* Runs every TEST() of one unit-test binary and prints TAP. */
#include "lbx_test.h"

struct lbx_test_case *lbx_test_list;
jmp_buf lbx_test_jmp;
int lbx_test_failed_now;

void lbx_test_register(struct lbx_test_case *tc)
{
	struct lbx_test_case **p = &lbx_test_list;

	/* Keep source order: constructors run in definition order. */
	while (*p)
		p = &(*p)->next;
	*p = tc;
}

static void run_one(struct lbx_test_case *tc)
{
	lbx_test_failed_now = 0;
	if (!setjmp(lbx_test_jmp))
		tc->fn();
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	struct lbx_test_case *tc;
	int n = 0, passed = 0, failed = 0;

	for (tc = lbx_test_list; tc; tc = tc->next)
		if (!only || !strcmp(only, tc->name))
			n++;
	printf("TAP version 13\n1..%d\n", n);
	for (tc = lbx_test_list; tc; tc = tc->next) {
		if (only && strcmp(only, tc->name))
			continue;
		run_one(tc);
		if (lbx_test_failed_now)
			failed++;
		else
			passed++;
		printf("%s %d - %s\n", lbx_test_failed_now ? "not ok" : "ok",
		       passed + failed, tc->name);
		fflush(stdout);
	}
	printf("# unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
