// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-run's seccomp filter, run by a small classic-BPF interpreter on
 * chosen instruction pointers: allowed from inside lbx-run's text only,
 * wherever ASLR put it, across a 4 GiB boundary too.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../../userspace_tools/lbx-run/filter.c"

#include "lbx_test.h"

/* Runs the filter's instructions (LD W ABS, JEQ/JGE K, RET K) on d. */
static uint32_t run_bpf(const struct sock_filter *f, int n, const struct seccomp_data *d)
{
	uint32_t a = 0;
	int pc = 0;

	while (pc >= 0 && pc < n) {
		const struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&a, (const char *)d + i->k, 4);
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == i->k ? i->jt : i->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= i->k ? i->jt : i->jf);
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			return 0xdead;	/* an instruction this test does not know */
		}
	}
	return 0xbad;	/* ran off the end */
}

static uint32_t verdict(uintptr_t start, uintptr_t end, uint64_t ip)
{
	struct sock_filter f[LBX_RUN_FILTER_MAX];
	struct seccomp_data d = { .nr = 39, .arch = AUDIT_ARCH_X86_64,
				  .instruction_pointer = ip };
	int n = lbx_run_filter_build(start, end, f);

	if (n < 0)
		return 0xe;
	return run_bpf(f, n, &d);
}

static void check_range(uintptr_t s, uintptr_t e)
{
	EXPECT_EQ(verdict(s, e, s), SECCOMP_RET_ALLOW);
	EXPECT_EQ(verdict(s, e, e - 1), SECCOMP_RET_ALLOW);
	EXPECT_EQ(verdict(s, e, s + (e - s) / 2), SECCOMP_RET_ALLOW);
	EXPECT_EQ(verdict(s, e, s - 1), SECCOMP_RET_TRAP);
	EXPECT_EQ(verdict(s, e, e), SECCOMP_RET_TRAP);
	EXPECT_EQ(verdict(s, e, 0), SECCOMP_RET_TRAP);
	EXPECT_EQ(verdict(s, e, s + (1ULL << 32)), SECCOMP_RET_TRAP);
	EXPECT_EQ(verdict(s, e, e - 1 - (1ULL << 32)), SECCOMP_RET_TRAP);
	EXPECT_EQ(verdict(s, e, ~0ULL), SECCOMP_RET_TRAP);
}

TEST(filter_text_below_a_boundary)
{
	check_range(0x7f1234500000ULL, 0x7f1234600000ULL);
	check_range(0x7f1200000000ULL, 0x7f12ffff0000ULL);
}

TEST(filter_text_across_a_boundary)
{
	/* The failure this test was written for: ASLR put lbx-run's text
	 * across 0x7f1300000000 and the filter refused to be built. */
	check_range(0x7f12fff80000ULL, 0x7f1300080000ULL);
	check_range(0x7f12ffffff00ULL, 0x7f1300000001ULL);
	check_range(0x7f12fff00000ULL, 0x7f1300000000ULL);	/* ends on it */
	check_range(0x7f1300000000ULL, 0x7f1300100000ULL);	/* starts on it */
}

TEST(filter_other_arch_and_x32_kill)
{
	struct sock_filter f[LBX_RUN_FILTER_MAX];
	struct seccomp_data d = { .nr = 39, .arch = AUDIT_ARCH_I386,
				  .instruction_pointer = 0x7f1234500010ULL };
	int n = lbx_run_filter_build(0x7f1234500000ULL, 0x7f1234600000ULL, f);

	ASSERT_GT(n, 0);
	EXPECT_EQ(run_bpf(f, n, &d), SECCOMP_RET_KILL_PROCESS);
	d.arch = AUDIT_ARCH_X86_64;
	d.nr = 0x40000000 | 39;
	EXPECT_EQ(run_bpf(f, n, &d), SECCOMP_RET_KILL_PROCESS);
}

TEST(filter_bad_ranges)
{
	struct sock_filter f[LBX_RUN_FILTER_MAX];

	EXPECT_EQ(lbx_run_filter_build(0x1000, 0x1000, f), -EINVAL);
	EXPECT_EQ(lbx_run_filter_build(0x2000, 0x1000, f), -EINVAL);
	EXPECT_EQ(lbx_run_filter_build(0x7f00fff00000ULL, 0x7f0200000010ULL, f), -EINVAL);
}
