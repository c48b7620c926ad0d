/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness in the shape of kselftest_harness.h: TEST(name)
 * defines a case, ASSERT_* stops the case on failure, EXPECT_* records the
 * failure and goes on. Each unit-test binary prints TAP and a summary line
 * "# unit: N passed, N failed" that scripts/check counts.
 *
 * Unit tests link core/, shims/ and the userland platform, built with
 * AddressSanitizer and UBSan.
 */
#ifndef LBX_TEST_H
#define LBX_TEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lbx_test_case {
	const char *name;
	void (*fn)(void);
	struct lbx_test_case *next;
};

extern struct lbx_test_case *lbx_test_list;
extern jmp_buf lbx_test_jmp;
extern int lbx_test_failed_now;

void lbx_test_register(struct lbx_test_case *tc);

#define TEST(name)							\
	static void test_##name(void);					\
	static struct lbx_test_case tc_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		lbx_test_register(&tc_##name);				\
	}								\
	static void test_##name(void)

#define LBX__FAIL(fatal, fmt, ...)					\
	do {								\
		printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
		lbx_test_failed_now = 1;				\
		if (fatal)						\
			longjmp(lbx_test_jmp, 1);			\
	} while (0)

#define LBX__CMP(fatal, a, op, b)					\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (!(_a op _b))					\
			LBX__FAIL(fatal, "expected %s %s %s (%lld vs %lld)", \
				  #a, #op, #b, _a, _b);			\
	} while (0)

#define ASSERT_EQ(a, b) LBX__CMP(1, a, ==, b)
#define ASSERT_NE(a, b) LBX__CMP(1, a, !=, b)
#define ASSERT_LT(a, b) LBX__CMP(1, a, <, b)
#define ASSERT_LE(a, b) LBX__CMP(1, a, <=, b)
#define ASSERT_GT(a, b) LBX__CMP(1, a, >, b)
#define ASSERT_GE(a, b) LBX__CMP(1, a, >=, b)
#define ASSERT_TRUE(a) LBX__CMP(1, !!(a), ==, 1)
#define ASSERT_FALSE(a) LBX__CMP(1, !!(a), ==, 0)
#define ASSERT_NULL(a) LBX__CMP(1, (a) == NULL, ==, 1)
#define ASSERT_NOT_NULL(a) LBX__CMP(1, (a) != NULL, ==, 1)
#define EXPECT_EQ(a, b) LBX__CMP(0, a, ==, b)
#define EXPECT_NE(a, b) LBX__CMP(0, a, !=, b)
#define EXPECT_TRUE(a) LBX__CMP(0, !!(a), ==, 1)
#define EXPECT_FALSE(a) LBX__CMP(0, !!(a), ==, 0)
#define EXPECT_LT(a, b) LBX__CMP(0, a, <, b)
#define EXPECT_LE(a, b) LBX__CMP(0, a, <=, b)
#define EXPECT_GT(a, b) LBX__CMP(0, a, >, b)
#define EXPECT_GE(a, b) LBX__CMP(0, a, >=, b)
#define EXPECT_NULL(a) LBX__CMP(0, (a) == NULL, ==, 1)

#define ASSERT_STREQ(a, b)						\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b))			\
			LBX__FAIL(1, "expected \"%s\" == \"%s\"",	\
				  _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)

#define ASSERT_MEMEQ(a, b, n)						\
	do {								\
		if (memcmp((a), (b), (n)))				\
			LBX__FAIL(1, "memory differs: %s vs %s (%zu bytes)", \
				  #a, #b, (size_t)(n));			\
	} while (0)

#endif
