// SPDX-License-Identifier: GPL-2.0
/*
 * The userland platform's guest compare-and-exchange (lbx_guest_cmpxchg_u32),
 * both ways it runs: through the kernel (process_vm_*; the unit tests) and
 * as a locked instruction (lbx-run's fast copies).
 */
#include <sys/mman.h>
#include <litebox/core.h>
#include "lbx_test.h"
#include "userland.h"

static void check_cmpxchg(bool fast)
{
	static u32 word[2];
	u32 cur = 0;
	bool was = lbx_userland_fast_copy;

	lbx_userland_fast_copy = fast;
	word[0] = 5;
	EXPECT_EQ(lbx_guest_cmpxchg_u32((u64)(uintptr_t)&word[0], 5, 7, &cur), 0);
	EXPECT_EQ(cur, 5);
	EXPECT_EQ(word[0], 7);
	EXPECT_EQ(lbx_guest_cmpxchg_u32((u64)(uintptr_t)&word[0], 5, 9, &cur), 0);
	EXPECT_EQ(cur, 7);
	EXPECT_EQ(word[0], 7);
	EXPECT_EQ(lbx_guest_cmpxchg_u32((u64)(uintptr_t)&word[0] + 2, 0, 1, &cur), -EINVAL);
	lbx_userland_fast_copy = was;
}

TEST(guestmem_cmpxchg_through_the_kernel)
{
	void *p;
	u32 cur;

	check_cmpxchg(false);
	/* A fault is -EFAULT (the fast path's fixup needs lbx-run's
	 * SIGSEGV handler: not here). */
	p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(lbx_guest_cmpxchg_u32((u64)(uintptr_t)p, 0, 1, &cur), -EFAULT);
	munmap(p, 4096);
}

TEST(guestmem_cmpxchg_locked_instruction)
{
	check_cmpxchg(true);
}
