// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_rewrite: core/rewrite, the x86-64 length decoder and the syscall
 * scanner, in the kernel they run in at load time: known encodings, the
 * scanner's safety rules (no branch into a patched range, no displaced
 * control transfer, RIP-relative operand or endbr), non-overlapping sites,
 * and the patch bytes emitted for a site.
 */
#include "lbx_kunit.h"
#include <litebox/errno.h>
#include <litebox/rewrite.h>

static void decode_lengths_and_flags(struct kunit *test)
{
	static const struct { const char *b; int len; int flags; } enc[] = {
		{ "\x0f\x05", 2, LBX_X86_SYSCALL | LBX_X86_CTRL },
		{ "\xb8\x27\x00\x00\x00", 5, 0 },
		{ "\x48\xb8\x01\x02\x03\x04\x05\x06\x07\x08", 10, 0 },
		{ "\x48\x8b\x05\x10\x00\x00\x00", 7, LBX_X86_RIPREL },
		{ "\xe8\x00\x00\x00\x00", 5, LBX_X86_REL | LBX_X86_CTRL },
		{ "\x0f\x84\x00\x01\x00\x00", 6, LBX_X86_REL | LBX_X86_CTRL },
		{ "\xf3\x0f\x1e\xfa", 4, LBX_X86_ENDBR },
		{ "\x62\xf1\xfd\x48\x6f\x04\x24", 7, 0 },
		{ "\xc4\xe3\x7d\x39\xc1\x01", 6, 0 },
		{ "\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00", 10, 0 },
	};
	struct lbx_x86_insn in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		KUNIT_EXPECT_EQ_MSG(test, lbx_x86_decode((const u8 *)enc[i].b, enc[i].len, &in),
				    enc[i].len, "encoding %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, (int)in.flags, enc[i].flags, "encoding %zu", i);
		/* One byte short: truncated, never a shorter instruction. */
		KUNIT_EXPECT_EQ(test, lbx_x86_decode((const u8 *)enc[i].b, enc[i].len - 1, &in),
				-EINVAL);
	}
	KUNIT_EXPECT_EQ(test, lbx_x86_decode((const u8 *)"\x06", 1, &in), -EINVAL);
}

static void scan_rules(struct kunit *test)
{
	/* mov $0x27,%eax; syscall; ret: patched over the mov */
	static const u8 pre[] = { 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	/* lea (%rip),%rax; syscall; ret: nothing can move */
	static const u8 rip[] = { 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	/* je to the syscall itself */
	static const u8 tgt[] = { 0x74, 0x05, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	/* two sites back to back */
	static const u8 two[] = { 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05,
				  0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	struct lbx_rw_plan plan;

	KUNIT_ASSERT_EQ(test, lbx_rw_scan(pre, sizeof(pre), &plan), 0);
	KUNIT_ASSERT_EQ(test, plan.n, 1U);
	KUNIT_EXPECT_EQ(test, plan.sites[0].start, 0U);
	KUNIT_EXPECT_EQ(test, plan.sites[0].len, 7);
	lbx_rw_plan_free(&plan);

	KUNIT_ASSERT_EQ(test, lbx_rw_scan(rip, sizeof(rip), &plan), 0);
	KUNIT_EXPECT_EQ(test, plan.n, 0U);
	KUNIT_EXPECT_EQ(test, plan.unsafe, 1U);
	lbx_rw_plan_free(&plan);

	KUNIT_ASSERT_EQ(test, lbx_rw_scan(tgt, sizeof(tgt), &plan), 0);
	KUNIT_EXPECT_EQ(test, plan.n, 0U);
	lbx_rw_plan_free(&plan);

	KUNIT_ASSERT_EQ(test, lbx_rw_scan(two, sizeof(two), &plan), 0);
	KUNIT_ASSERT_EQ(test, plan.n, 2U);
	KUNIT_EXPECT_LE(test, plan.sites[0].start + plan.sites[0].len, plan.sites[1].start);
	lbx_rw_plan_free(&plan);
}

static void emit_patches_and_trampolines(struct kunit *test)
{
	u8 code[] = { 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	const u64 code_at = 0x400000, region_at = 0x500000;
	struct lbx_rw_plan plan;
	size_t pos = 0, size;
	u8 *region;
	s32 rel;

	KUNIT_ASSERT_EQ(test, lbx_rw_scan(code, sizeof(code), &plan), 0);
	KUNIT_ASSERT_EQ(test, plan.n, 1U);
	size = lbx_rw_region_size(&plan, plan.n);
	region = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, region);
	lbx_rw_emit_header(region, region_at, 0x7000);
	KUNIT_EXPECT_EQ(test, lbx_rw_emit(code, code_at, &plan, plan.n, region, region_at,
					  size, &pos), 1U);
	lbx_rw_plan_free(&plan);
	KUNIT_EXPECT_EQ(test, pos, size);
	KUNIT_EXPECT_TRUE(test, lbx_rw_is_region(region, size));
	/* The site: a jmp to the first trampoline, int3 over the rest. */
	KUNIT_EXPECT_EQ(test, code[0], 0xe9);
	memcpy(&rel, code + 1, 4);
	KUNIT_EXPECT_EQ(test, (u64)(code_at + 5 + rel), region_at + LBX_RW_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, code[5], 0xcc);
	KUNIT_EXPECT_EQ(test, code[6], 0xcc);
	KUNIT_EXPECT_EQ(test, code[7], 0xc3);
	/* The trampoline starts with the displaced mov $0x27,%eax. */
	KUNIT_EXPECT_EQ(test, region[LBX_RW_HDR_SIZE], 0xb8);
	KUNIT_EXPECT_EQ(test, region[LBX_RW_HDR_SIZE + 1], 0x27);
}

static struct kunit_case rewrite_cases[] = {
	KUNIT_CASE(decode_lengths_and_flags),
	KUNIT_CASE(scan_rules),
	KUNIT_CASE(emit_patches_and_trampolines),
	{}
};

static struct kunit_suite rewrite_suite = {
	.name = "litebox_rewrite",
	.test_cases = rewrite_cases,
};

kunit_test_suite(rewrite_suite);
