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

/* ---- placement of non-fixed mappings ---- */

#define STACK_TOP	0x7ffff0000000ULL
#define STACK_SIZE	(8ULL << 20)
#define GAP		LBX_MM_STACK_GUARD_GAP

/* A map with a main stack and Linux's default layout below it. */
static struct lbx_mm *layout_mm(void)
{
	struct lbx_mm *mm;

	if (lbx_mm_create(&mm))
		return NULL;
	lbx_mm_set_layout(mm, STACK_TOP, STACK_SIZE, false);
	if (lbx_mm_insert(mm, STACK_TOP - STACK_SIZE, STACK_TOP, RW, LBX_VMA_GROWSDOWN, 0,
			  "[stack]")) {
		lbx_mm_destroy(mm);
		return NULL;
	}
	return mm;
}

/* Places and records len bytes as mmap(addr, len, flags) would. */
static int place(struct lbx_mm *mm, u64 addr, u64 len, int flags, u64 *out)
{
	int ret = lbx_mm_get_unmapped_area(mm, addr, len, flags, out);

	if (!ret)
		ret = lbx_mm_insert(mm, *out, *out + len, RW, 0, 0, NULL);
	return ret;
}

TEST(layout_puts_mmap_base_128m_below_the_stack)
{
	struct lbx_mm *mm = layout_mm();

	ASSERT_NOT_NULL(mm);
	ASSERT_FALSE(mm->bottom_up);
	/* 8 MiB + 1 MiB of gap is less than Linux's 128 MiB minimum. */
	ASSERT_EQ(mm->mmap_base, STACK_TOP - (128ULL << 20));
	lbx_mm_set_layout(mm, STACK_TOP, 1ULL << 30, false);
	ASSERT_EQ(mm->mmap_base, STACK_TOP - (1ULL << 30) - GAP);
	lbx_mm_set_layout(mm, STACK_TOP, ~0ULL, false);
	ASSERT_EQ(mm->mmap_base, STACK_TOP - LBX_MM_GAP_MAX);
	lbx_mm_destroy(mm);
}

TEST(placement_is_top_down_below_mmap_base)
{
	struct lbx_mm *mm = layout_mm();
	u64 a, b, c;

	ASSERT_NOT_NULL(mm);
	ASSERT_EQ(place(mm, 0, P, 0, &a), 0);
	ASSERT_EQ(a, mm->mmap_base - P);
	ASSERT_EQ(place(mm, 0, 4 * P, 0, &b), 0);
	ASSERT_EQ(b, a - 4 * P);
	ASSERT_EQ(place(mm, 0, P, 0, &c), 0);
	ASSERT_EQ(c, b - P);
	/* A hole left by munmap is reused, highest first. */
	ASSERT_EQ(lbx_mm_remove(mm, b + P, b + 3 * P), 0);
	ASSERT_EQ(place(mm, 0, P, 0, &c), 0);
	ASSERT_EQ(c, b + 2 * P);
	/* Too big for the hole: below everything. */
	ASSERT_EQ(place(mm, 0, 2 * P, 0, &c), 0);
	ASSERT_LT(c, b);
	lbx_mm_destroy(mm);
}

TEST(hint_is_honoured_when_free_and_ignored_when_not)
{
	struct lbx_mm *mm = layout_mm();
	u64 a, b;

	ASSERT_NOT_NULL(mm);
	ASSERT_EQ(place(mm, 0x200000000ULL, 2 * P, 0, &a), 0);
	ASSERT_EQ(a, 0x200000000ULL);
	/* Unaligned: rounded down, as x86 does. */
	ASSERT_EQ(place(mm, 0x300000123ULL, P, 0, &b), 0);
	ASSERT_EQ(b, 0x300000000ULL);
	/* Taken (partly): the hint is ignored, the search places it. */
	ASSERT_EQ(place(mm, a + P, 2 * P, 0, &b), 0);
	ASSERT_EQ(b, mm->mmap_base - 2 * P);
	/* Below mmap_min_addr: raised to it (round_hint_to_min). */
	ASSERT_EQ(place(mm, 0x1000, P, 0, &b), 0);
	ASSERT_EQ(b, LBX_MM_MIN_ADDR);
	/* Past the top of the address space: ignored. */
	ASSERT_EQ(place(mm, LBX_MM_TASK_SIZE - P, 2 * P, 0, &b), 0);
	ASSERT_LT(b, mm->mmap_base);
	lbx_mm_destroy(mm);
}

TEST(fixed_and_fixed_noreplace)
{
	struct lbx_mm *mm = layout_mm();
	u64 a;

	ASSERT_NOT_NULL(mm);
	ASSERT_EQ(place(mm, 0x100000000ULL, 4 * P, LBX_MAP_FIXED_NOREPLACE, &a), 0);
	ASSERT_EQ(a, 0x100000000ULL);
	/* Any overlap: EEXIST, and nothing recorded. */
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, a + 3 * P, 2 * P, LBX_MAP_FIXED_NOREPLACE, &a),
		  -EEXIST);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0x100000000ULL - P, 2 * P,
					   LBX_MAP_FIXED_NOREPLACE, &a), -EEXIST);
	/* Right next to it: fine (no gap for fixed mappings). */
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0x100000000ULL + 4 * P, P,
					   LBX_MAP_FIXED_NOREPLACE, &a), 0);
	/* FIXED replaces, so an overlap is fine. */
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0x100000000ULL, P, LBX_MAP_FIXED, &a), 0);
	ASSERT_EQ(a, 0x100000000ULL);
	/* Fixed below mmap_min_addr, unaligned, past the top. */
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0, P, LBX_MAP_FIXED, &a), -EPERM);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, LBX_MM_MIN_ADDR - P, P, LBX_MAP_FIXED, &a),
		  -EPERM);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0x100000001ULL, P, LBX_MAP_FIXED, &a), -EINVAL);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, LBX_MM_TASK_SIZE, P, LBX_MAP_FIXED, &a),
		  -EINVAL);
	lbx_mm_destroy(mm);
}

TEST(enomem_when_nothing_fits)
{
	struct lbx_mm *mm = layout_mm();
	u64 a;

	ASSERT_NOT_NULL(mm);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0, LBX_MM_TASK_SIZE, 0, &a), -ENOMEM);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0, 0, 0, &a), -ENOMEM);
	/* Fill everything but one page below the stack's guard gap. */
	ASSERT_EQ(lbx_mm_insert(mm, LBX_MM_MIN_ADDR, STACK_TOP - STACK_SIZE - GAP - P, RW,
				0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_insert(mm, STACK_TOP, LBX_MM_TASK_SIZE, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0, 2 * P, 0, &a), -ENOMEM);
	/* The page that is left is found: top-down fails, the bottom-up
	 * fallback (as Linux's) finds it above mmap_base. */
	ASSERT_EQ(place(mm, 0, P, 0, &a), 0);
	ASSERT_EQ(a, STACK_TOP - STACK_SIZE - GAP - P);
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, 0, P, 0, &a), -ENOMEM);
	lbx_mm_destroy(mm);
}

TEST(the_stack_guard_gap_is_kept)
{
	struct lbx_mm *mm = layout_mm();
	u64 bottom = STACK_TOP - STACK_SIZE, a;

	ASSERT_NOT_NULL(mm);
	/* A hint inside the gap is not taken; right below it is. */
	ASSERT_EQ(place(mm, bottom - P, P, 0, &a), 0);
	ASSERT_NE(a, bottom - P);
	ASSERT_EQ(place(mm, bottom - GAP - P, P, 0, &a), 0);
	ASSERT_EQ(a, bottom - GAP - P);
	/* A search that would end at the stack stops at its gap. */
	ASSERT_EQ(lbx_mm_find_free(mm, P, bottom - GAP, STACK_TOP, false, &a), -ENOMEM);
	ASSERT_EQ(lbx_mm_find_free(mm, P, bottom - 2 * GAP, STACK_TOP, false, &a), 0);
	ASSERT_EQ(a, bottom - GAP - 2 * P);
	/* Fixed mappings may still go there (MAP_FIXED_NOREPLACE too). */
	ASSERT_EQ(lbx_mm_get_unmapped_area(mm, bottom - P, P, LBX_MAP_FIXED_NOREPLACE, &a), 0);
	/* An ordinary mapping keeps no gap. */
	ASSERT_EQ(lbx_mm_insert(mm, 0x100000000ULL, 0x100000000ULL + P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(place(mm, 0x100000000ULL - P, P, 0, &a), 0);
	ASSERT_EQ(a, 0x100000000ULL - P);
	lbx_mm_destroy(mm);
}

TEST(find_free_searches_a_window_both_ways)
{
	struct lbx_mm *mm = layout_mm();
	u64 a;

	ASSERT_NOT_NULL(mm);
	ASSERT_EQ(lbx_mm_insert(mm, 0x20 * P, 0x30 * P, RW, 0, 0, NULL), 0);
	ASSERT_EQ(lbx_mm_find_free(mm, 2 * P, 0x10 * P, 0x40 * P, false, &a), 0);
	ASSERT_EQ(a, 0x3e * P);
	ASSERT_EQ(lbx_mm_find_free(mm, 2 * P, 0x10 * P, 0x40 * P, true, &a), 0);
	ASSERT_EQ(a, 0x10 * P);
	ASSERT_EQ(lbx_mm_find_free(mm, 2 * P, 0x18 * P, 0x34 * P, false, &a), 0);
	ASSERT_EQ(a, 0x32 * P);
	ASSERT_EQ(lbx_mm_find_free(mm, 2 * P, 0x1f * P, 0x31 * P, true, &a), -ENOMEM);
	ASSERT_EQ(lbx_mm_find_free(mm, 2 * P, 0x30 * P, 0x30 * P, true, &a), -ENOMEM);
	lbx_mm_destroy(mm);
}

TEST(legacy_layout_is_bottom_up)
{
	struct lbx_mm *mm = layout_mm(), *copy;
	u64 a, b;

	ASSERT_NOT_NULL(mm);
	lbx_mm_set_layout(mm, STACK_TOP, STACK_SIZE, true);
	ASSERT_TRUE(mm->bottom_up);
	ASSERT_EQ(place(mm, 0, P, 0, &a), 0);
	ASSERT_EQ(a, LBX_MM_UNMAPPED_BASE);
	ASSERT_EQ(place(mm, 0, 2 * P, 0, &b), 0);
	ASSERT_EQ(b, a + P);
	/* fork keeps the layout. */
	ASSERT_EQ(lbx_mm_copy(mm, &copy), 0);
	ASSERT_TRUE(copy->bottom_up);
	ASSERT_EQ(copy->mmap_base, mm->mmap_base);
	ASSERT_EQ(place(copy, 0, P, 0, &b), 0);
	ASSERT_EQ(b, a + 3 * P);
	lbx_mm_destroy(copy);
	lbx_mm_destroy(mm);
}

TEST(shared_ranges_keep_object_and_offsets)
{
	struct lbx_mm *mm, *copy;
	u64 a = lbx_mm_new_obj_id(), b = lbx_mm_new_obj_id();
	struct lbx_vma v;

	ASSERT_NE(a, 0);
	ASSERT_NE(a, b);
	ASSERT_EQ(lbx_mm_create(&mm), 0);
	ASSERT_EQ(lbx_mm_insert_shared(mm, 0x10 * P, 0x14 * P, RW, LBX_VMA_SHARED, 0, a,
				       "/dev/zero (deleted)"), 0);
	/* A split (mprotect of the middle) gives the parts their offsets. */
	ASSERT_EQ(lbx_mm_protect(mm, 0x11 * P, 0x12 * P, R), 0);
	ASSERT_STREQ(render(mm),
		     "00010000-00011000 rw-s 00000000 00:00 0                                  /dev/zero (deleted)\n"
		     "00011000-00012000 r--s 00001000 00:00 0                                  /dev/zero (deleted)\n"
		     "00012000-00014000 rw-s 00002000 00:00 0                                  /dev/zero (deleted)\n");
	ASSERT_EQ(lbx_mm_lookup(mm, 0x13 * P, &v), 0);
	ASSERT_EQ(v.obj, a);
	ASSERT_EQ(v.offset, 2 * P);
	/* Same protection again: one range. */
	ASSERT_EQ(lbx_mm_protect(mm, 0x11 * P, 0x12 * P, RW), 0);
	ASSERT_EQ(mm->count, 1);
	/* Another object right after it, or the same object at a
	 * non-following offset, stays separate. */
	ASSERT_EQ(lbx_mm_insert_shared(mm, 0x14 * P, 0x15 * P, RW, LBX_VMA_SHARED, 4 * P, b,
				       "/dev/zero (deleted)"), 0);
	ASSERT_EQ(lbx_mm_insert_shared(mm, 0x15 * P, 0x16 * P, RW, LBX_VMA_SHARED, 9 * P, b,
				       "/dev/zero (deleted)"), 0);
	ASSERT_EQ(mm->count, 3);
	ASSERT_EQ(lbx_mm_insert_shared(mm, 0x16 * P, 0x17 * P, RW, LBX_VMA_SHARED, 10 * P, b,
				       "/dev/zero (deleted)"), 0);
	ASSERT_EQ(mm->count, 3);
	/* fork: the copy knows the ranges are shared, and their objects. */
	ASSERT_EQ(lbx_mm_copy(mm, &copy), 0);
	ASSERT_EQ(lbx_mm_lookup(copy, 0x16 * P, &v), 0);
	ASSERT_TRUE(v.flags & LBX_VMA_SHARED);
	ASSERT_EQ(v.obj, b);
	ASSERT_EQ(v.start, 0x15 * P);
	ASSERT_EQ(v.offset, 9 * P);
	/* munmap of a part keeps the offset of what follows it. */
	ASSERT_EQ(lbx_mm_remove(copy, 0x10 * P, 0x12 * P), 0);
	ASSERT_EQ(lbx_mm_lookup(copy, 0x12 * P, &v), 0);
	ASSERT_EQ(v.offset, 2 * P);
	ASSERT_EQ(v.obj, a);
	lbx_mm_destroy(copy);
	lbx_mm_destroy(mm);
}

/* Trampoline regions (the rewriter's): one is an orphan once no range of
 * the map overlaps the code it serves, and only after executable memory
 * went; splits, merges and fork keep what each serves. */
TEST(trampoline_regions_go_with_their_code)
{
	const u32 RX = LBX_PROT_READ | LBX_PROT_EXEC;
	struct lbx_mm *mm, *copy;
	struct lbx_vma v;
	u64 s, e;

	ASSERT_EQ(lbx_mm_create(&mm), 0);
	/* Two libraries' code, each with a region just below it. */
	ASSERT_EQ(lbx_mm_insert(mm, 0x20 * P, 0x28 * P, RX, LBX_VMA_FILE, 0, "/lib/a"), 0);
	ASSERT_EQ(lbx_mm_insert(mm, 0x30 * P, 0x38 * P, RX, LBX_VMA_FILE, 0, "/lib/b"), 0);
	ASSERT_EQ(lbx_mm_insert_tramp(mm, 0x10 * P, 0x11 * P, RX, 0x21 * P, 0x27 * P,
				      "[lbx-rewrite]"), 0);
	ASSERT_EQ(lbx_mm_insert_tramp(mm, 0x11 * P, 0x13 * P, RX, 0x31 * P, 0x32 * P,
				      "[lbx-rewrite]"), 0);
	ASSERT_EQ(lbx_mm_insert_tramp(mm, 0x10 * P, 0x11 * P, RX, 7, 3, "x"), -EINVAL);
	/* Adjacent regions of different code stay apart; /proc shows no
	 * offset for them. */
	ASSERT_EQ(mm->count, 4);
	ASSERT_NE(strstr(render(mm), "00010000-00011000 r-xp 00000000 00:00 0"), NULL);
	/* Nothing executable went yet: no orphan, even unasked. */
	ASSERT_EQ(lbx_mm_find_orphan(mm, &s, &e), -ENOENT);
	/* Part of a's code goes: its sites' range still overlaps the rest. */
	ASSERT_EQ(lbx_mm_remove(mm, 0x20 * P, 0x24 * P), 0);
	ASSERT_EQ(lbx_mm_find_orphan(mm, &s, &e), -ENOENT);
	/* A split of b's region (mprotect of a part) keeps what it serves. */
	ASSERT_EQ(lbx_mm_protect(mm, 0x12 * P, 0x13 * P, R), 0);
	ASSERT_EQ(mm->count, 5);
	ASSERT_EQ(lbx_mm_lookup(mm, 0x12 * P, &v), 0);
	ASSERT_TRUE(v.flags & LBX_VMA_TRAMP);
	ASSERT_EQ(v.serves_lo, 0x31 * P);
	ASSERT_EQ(v.serves_hi, 0x32 * P);
	ASSERT_EQ(lbx_mm_protect(mm, 0x12 * P, 0x13 * P, RX), 0);
	ASSERT_EQ(mm->count, 4);
	/* fork, then the rest of a goes in the child only. */
	ASSERT_EQ(lbx_mm_copy(mm, &copy), 0);
	ASSERT_EQ(lbx_mm_remove(copy, 0x24 * P, 0x28 * P), 0);
	ASSERT_EQ(lbx_mm_find_orphan(copy, &s, &e), 0);
	ASSERT_EQ(s, 0x10 * P);
	ASSERT_EQ(e, 0x11 * P);
	ASSERT_EQ(lbx_mm_remove(copy, s, e), 0);
	ASSERT_EQ(lbx_mm_find_orphan(copy, &s, &e), -ENOENT);
	ASSERT_EQ(lbx_mm_find_orphan(mm, &s, &e), -ENOENT);
	lbx_mm_destroy(copy);
	/* Pinned (patched code moved): never an orphan again, until exec. */
	lbx_mm_pin_tramps(mm);
	ASSERT_EQ(lbx_mm_remove(mm, 0x20 * P, 0x40 * P), 0);
	ASSERT_EQ(lbx_mm_find_orphan(mm, &s, &e), -ENOENT);
	lbx_mm_clear(mm, NULL);
	ASSERT_EQ(lbx_mm_insert(mm, 0x30 * P, 0x38 * P, RX, LBX_VMA_FILE, 0, "/lib/b"), 0);
	ASSERT_EQ(lbx_mm_insert_tramp(mm, 0x11 * P, 0x12 * P, RX, 0x31 * P, 0x32 * P,
				      "[lbx-rewrite]"), 0);
	ASSERT_EQ(lbx_mm_remove(mm, 0x30 * P, 0x38 * P), 0);
	ASSERT_EQ(lbx_mm_find_orphan(mm, &s, &e), 0);
	ASSERT_EQ(s, 0x11 * P);
	lbx_mm_destroy(mm);
}
