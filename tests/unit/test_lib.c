// SPDX-License-Identifier: GPL-2.0
/* core/lib: the bounded formatter and string helpers. */
#include <litebox/core.h>
#include "lbx_test.h"

TEST(snprintf_formats_like_libc)
{
	char buf[128], ref[128];

	lbx_snprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%u|%x|%X|%lld|%s|%.3s|%c|%%",
		     -42, 7, 7, -7, 4000000000u, 0xbeef, 0xbeef, -1234567890123LL,
		     "str", "abcdef", 'z');
	snprintf(ref, sizeof(ref), "%d|%5d|%-5d|%05d|%u|%x|%X|%lld|%s|%.3s|%c|%%",
		 -42, 7, 7, -7, 4000000000u, 0xbeef, 0xbeef, -1234567890123LL,
		 "str", "abcdef", 'z');
	ASSERT_STREQ(buf, ref);
}

TEST(snprintf_truncates_and_reports_full_length)
{
	char buf[8];
	int n = lbx_snprintf(buf, sizeof(buf), "%s-%d", "abcdefgh", 12345);

	ASSERT_EQ(n, 14);
	ASSERT_STREQ(buf, "abcdefg");
	ASSERT_EQ(lbx_snprintf(NULL, 0, "%d", 100), 3);
}

TEST(snprintf_extremes)
{
	char buf[64], ref[64];

	lbx_snprintf(buf, sizeof(buf), "%lld %llu %lx", (long long)(-9223372036854775807LL - 1),
		     18446744073709551615ULL, 0xffffffffffffffffUL);
	snprintf(ref, sizeof(ref), "%lld %llu %lx", (long long)(-9223372036854775807LL - 1),
		 18446744073709551615ULL, 0xffffffffffffffffUL);
	ASSERT_STREQ(buf, ref);
}

TEST(strscpy_truncates_with_e2big)
{
	char buf[4];

	ASSERT_EQ(lbx_strscpy(buf, "ab", sizeof(buf)), 2);
	ASSERT_STREQ(buf, "ab");
	ASSERT_EQ(lbx_strscpy(buf, "abcd", sizeof(buf)), -E2BIG);
	ASSERT_STREQ(buf, "abc");
	ASSERT_EQ(lbx_strscpy(buf, "x", 0), -E2BIG);
}
