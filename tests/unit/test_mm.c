// SPDX-License-Identifier: GPL-2.0
/* core/mm: the guest memory map. */
#include <litebox/mm.h>
#include "lbx_test.h"

#define RW (LBX_PROT_READ | LBX_PROT_WRITE)
#define R LBX_PROT_READ
#define P 0x1000ULL

static char maps[4096];

static const char *render(struct lbx_mm *mm)
{
	lbx_mm_render_maps(mm, maps, sizeof(maps));
	return maps;
}

TEST(insert_merges_neighbours)
{
	struct lbx_mm *mm;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x12 * P, 0x14 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(mm->count, 1);
	ASSERT_STREQ(render(mm), "00010000-00014000 rw-p 00000000 00:00 0\n");
	lbx_mm_destroy(mm);
}

TEST(insert_over_existing_replaces_the_overlap)
{
	struct lbx_mm *mm;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x14 * P, 0x16 * P, R, 0, 0, "[x]"), 0);
	ASSERT_EQ(mm->count, 3);
	ASSERT_STREQ(render(mm),
		     "00010000-00014000 rw-p 00000000 00:00 0\n"
		     "00014000-00016000 r--p 00000000 00:00 0                                  [x]\n"
		     "00016000-00020000 rw-p 00000000 00:00 0\n");
	lbx_mm_destroy(mm);
}

TEST(remove_splits_partial_ranges)
{
	struct lbx_mm *mm;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_remove(mm, 0x12 * P, 0x13 * P), 0);
	ASSERT_EQ(mm->count, 2);
	ASSERT_FALSE(lbx_mm_is_free(mm, 0x11 * P, 0x12 * P));
	ASSERT_TRUE(lbx_mm_is_free(mm, 0x12 * P, 0x13 * P));
	ASSERT_FALSE(lbx_mm_is_free(mm, 0x12 * P, 0x14 * P));
	/* Removing an unmapped range is fine (munmap semantics). */
	ASSERT_EQ(lbx_mm_remove(mm, 0x40 * P, 0x50 * P), 0);
	ASSERT_EQ(lbx_mm_remove(mm, 0x0, 0x100 * P), 0);
	ASSERT_EQ(mm->count, 0);
	lbx_mm_destroy(mm);
}

TEST(protect_splits_and_merges_back)
{
	struct lbx_mm *mm;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_protect(mm, 0x14 * P, 0x18 * P, R), 0);
	ASSERT_EQ(mm->count, 3);
	ASSERT_EQ(lbx_mm_protect(mm, 0x14 * P, 0x18 * P, RW), 0);
	ASSERT_EQ(mm->count, 1);
	lbx_mm_destroy(mm);
}

TEST(protect_of_a_hole_is_enomem_and_changes_nothing)
{
	struct lbx_mm *mm;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x13 * P, 0x15 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_protect(mm, 0x11 * P, 0x14 * P, R), -ENOMEM);
	ASSERT_STREQ(render(mm),
		     "00010000-00012000 rw-p 00000000 00:00 0\n"
		     "00013000-00015000 rw-p 00000000 00:00 0\n");
	lbx_mm_destroy(mm);
}

static int unmapped;
static int count_unmap(u64 start, u64 len)
{
	unmapped += len / P;
	return 0;
}

TEST(copy_and_clear)
{
	struct lbx_mm *mm, *copy;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, "[heap]"), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x20 * P, 0x23 * P, R, 0, 0x1000, "/bin/x"), 0);
	ASSERT_EQ(lbx_mm_copy(mm, &copy), 0);
	ASSERT_EQ(copy->count, 2);
	unmapped = 0;
	lbx_mm_clear(mm, count_unmap);
	ASSERT_EQ(unmapped, 5);
	ASSERT_EQ(mm->count, 0);
	ASSERT_EQ(copy->count, 2);
	lbx_mm_destroy(copy);
	lbx_mm_destroy(mm);
}
