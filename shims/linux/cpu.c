// SPDX-License-Identifier: GPL-2.0
/* What the guest learns about the CPU through auxv. */
#include "shim.h"
#include "cpu.h"

static void lbx_cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

u64 lbx_cpu_hwcap(void)
{
	u32 a, b, c, d;

	/* x86's AT_HWCAP is CPUID.1:EDX, as Linux reports it. */
	lbx_cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

u64 lbx_cpu_minsigstksz(void)
{
	u32 a, b, c, d, max;

	lbx_cpuid(0, 0, &max, &b, &c, &d);
	if (max < 0xd)
		return 2048;
	/* EBX of leaf 0xD: XSAVE area size for the features enabled in XCR0,
	 * plus the rest of a signal frame (siginfo, ucontext, alignment). */
	lbx_cpuid(0xd, 0, &a, &b, &c, &d);
	return lbx_max((u64)b + 1024, 2048ULL);
}
