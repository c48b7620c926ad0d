// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_lib: core/lib in kernel mode: the bounded formatter (checked
 * against literal strings and against the kernel's own vsnprintf, the Linux
 * reference), lbx_strscpy, and the byte accounting.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>

#include "lbx_kunit.h"

/* The formatter agrees with the kernel's snprintf for the formats core uses. */
static void snprintf_matches_kernel_snprintf(struct kunit *test)
{
	static const char fmt[] = "%d|%5d|%-5d|%05d|%u|%x|%X|%o|%lld|%llu|%zu|%s|%.3s|%-6s|%c|%%";
	char got[160], want[160];
	int n, m;

	n = lbx_snprintf(got, sizeof(got), fmt, -42, 7, 7, -7, 4000000000u,
			 0xbeef, 0xbeef, 0755, -1234567890123LL,
			 18446744073709551615ULL, (size_t)12345, "str", "abcdef",
			 "ab", 'z');
	m = snprintf(want, sizeof(want), fmt, -42, 7, 7, -7, 4000000000u,
		     0xbeef, 0xbeef, 0755, -1234567890123LL,
		     18446744073709551615ULL, (size_t)12345, "str", "abcdef",
		     "ab", 'z');
	KUNIT_EXPECT_STREQ(test, got, want);
	KUNIT_EXPECT_EQ(test, n, m);
	KUNIT_EXPECT_STREQ(test, got,
			   "-42|    7|7    |-0007|4000000000|beef|BEEF|755|"
			   "-1234567890123|18446744073709551615|12345|str|abc|ab    |z|%");
}

static void snprintf_integer_extremes(struct kunit *test)
{
	char buf[96];

	lbx_snprintf(buf, sizeof(buf), "%lld %llu %lx %d %i",
		     (long long)(-9223372036854775807LL - 1),
		     18446744073709551615ULL, 0xffffffffffffffffUL,
		     (int)0x80000000u, 0);
	KUNIT_EXPECT_STREQ(test, buf,
			   "-9223372036854775808 18446744073709551615 ffffffffffffffff -2147483648 0");
	lbx_snprintf(buf, sizeof(buf), "[%*d] [%-*d] [%.*s]", 6, 42, 4, 9, 2, "xyz");
	KUNIT_EXPECT_STREQ(test, buf, "[    42] [9   ] [xy]");
	lbx_snprintf(buf, sizeof(buf), "%s|%p", (char *)NULL, (void *)0x1234);
	KUNIT_EXPECT_STREQ(test, buf, "(null)|0x1234");
}

/* C99 semantics: the return value is the length the whole output needs;
 * the buffer always ends with a NUL; size 0 writes nothing. */
static void snprintf_truncates_and_returns_full_length(struct kunit *test)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	KUNIT_EXPECT_EQ(test, lbx_snprintf(buf, sizeof(buf), "%s-%d", "abcdefgh", 12345), 14);
	KUNIT_EXPECT_STREQ(test, buf, "abcdefg");
	memset(buf, 'Z', sizeof(buf));
	KUNIT_EXPECT_EQ(test, lbx_snprintf(buf, 0, "%d", 100), 3);
	KUNIT_EXPECT_EQ(test, buf[0], 'Z');
	KUNIT_EXPECT_EQ(test, lbx_snprintf(NULL, 0, "%s", "hello"), 5);
	KUNIT_EXPECT_EQ(test, lbx_snprintf(buf, 1, "abc"), 3);
	KUNIT_EXPECT_EQ(test, buf[0], '\0');
	KUNIT_EXPECT_EQ(test, lbx_snprintf(buf, sizeof(buf), "%s", ""), 0);
	KUNIT_EXPECT_STREQ(test, buf, "");
}

/* As the kernel's strscpy: the copied length, or -E2BIG with a truncated,
 * terminated copy; size 0 touches nothing. */
static void strscpy_returns_length_or_e2big(struct kunit *test)
{
	char buf[4];

	KUNIT_EXPECT_EQ(test, lbx_strscpy(buf, "ab", sizeof(buf)), (ssize_t)2);
	KUNIT_EXPECT_STREQ(test, buf, "ab");
	KUNIT_EXPECT_EQ(test, lbx_strscpy(buf, "abc", sizeof(buf)), (ssize_t)3);
	KUNIT_EXPECT_STREQ(test, buf, "abc");
	KUNIT_EXPECT_EQ(test, lbx_strscpy(buf, "abcd", sizeof(buf)), (ssize_t)-E2BIG);
	KUNIT_EXPECT_STREQ(test, buf, "abc");
	memset(buf, 'Z', sizeof(buf));
	KUNIT_EXPECT_EQ(test, lbx_strscpy(buf, "x", 0), (ssize_t)-E2BIG);
	KUNIT_EXPECT_EQ(test, buf[0], 'Z');
	/* Same results as the kernel's own strscpy. */
	KUNIT_EXPECT_EQ(test, lbx_strscpy(buf, "abcd", sizeof(buf)),
			strscpy(buf, "abcd", sizeof(buf)));
}

static void memacct_charge_uncharge_enospc(struct kunit *test)
{
	struct lbx_memacct a;

	lbx_memacct_init(&a, 100);
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, 60), 0);
	/* Over the limit: -ENOSPC and nothing charged. */
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, 41), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 60ULL);
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, 40), 0);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 100ULL);
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, 0), 0);
	lbx_memacct_uncharge(&a, 30);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 70ULL);
	KUNIT_EXPECT_EQ(test, a.peak, 100ULL);
	/* A sum that wraps around u64 is over the limit, not under it. */
	KUNIT_EXPECT_EQ(test, lbx_memacct_charge(&a, U64_MAX - 10), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 70ULL);
	lbx_memacct_uncharge(&a, 70);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 0ULL);
}

/* Two threads charge one byte at a time against one limit: exactly limit
 * charges succeed between them (the spinlock, under lockdep). */
struct charger {
	struct lbx_memacct *a;
	int tries;
	int ok;
	struct completion done;
};

static int charger_fn(void *data)
{
	struct charger *c = data;
	int i;

	for (i = 0; i < c->tries; i++) {
		if (!lbx_memacct_charge(c->a, 1))
			c->ok++;
		if (!(i % 256))
			cond_resched();
	}
	complete(&c->done);
	return 0;
}

static void memacct_concurrent_charges_respect_limit(struct kunit *test)
{
	struct lbx_memacct a;
	struct charger c[2] = { { .a = &a, .tries = 6000 }, { .a = &a, .tries = 6000 } };
	struct task_struct *t[2];
	int i;

	lbx_memacct_init(&a, 9000);
	for (i = 0; i < 2; i++) {
		init_completion(&c[i].done);
		t[i] = kthread_create(charger_fn, &c[i], "lbx-kunit-charge%d", i);
		if (IS_ERR(t[i])) {
			/* Stopped before it ever ran: its function never runs. */
			if (i) {
				kthread_stop(t[0]);
				put_task_struct(t[0]);
			}
			KUNIT_ASSERT_FAILURE(test, "kthread_create: %ld", PTR_ERR(t[i]));
		}
		get_task_struct(t[i]);
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
	/* Wait for the work itself: a kthread stopped before it first runs
	 * never calls its function. */
	for (i = 0; i < 2; i++) {
		wait_for_completion(&c[i].done);
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_EXPECT_EQ(test, c[0].ok + c[1].ok, 9000);
	KUNIT_EXPECT_EQ(test, lbx_memacct_used(&a), 9000ULL);
	KUNIT_EXPECT_EQ(test, a.peak, 9000ULL);
}

static struct kunit_case lib_cases[] = {
	KUNIT_CASE(snprintf_matches_kernel_snprintf),
	KUNIT_CASE(snprintf_integer_extremes),
	KUNIT_CASE(snprintf_truncates_and_returns_full_length),
	KUNIT_CASE(strscpy_returns_length_or_e2big),
	KUNIT_CASE(memacct_charge_uncharge_enospc),
	KUNIT_CASE(memacct_concurrent_charges_respect_limit),
	{}
};

static struct kunit_suite lib_suite = {
	.name = "litebox_lib",
	.test_cases = lib_cases,
};

kunit_test_suite(lib_suite);
