// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_mm: core/mm/mm.c, LiteBox's record of a guest address space,
 * against the semantics of the Linux calls it tracks: mmap over a mapping
 * replaces the overlap, munmap of part of a mapping splits it (the file
 * offset of the tail moving with it), mprotect over a hole is -ENOMEM and
 * changes nothing, neighbours with equal attributes merge, fork copies the
 * map and execve clears it.
 */
#include <litebox/mm.h>
#include "lbx_kunit.h"

#define RW	(LBX_PROT_READ | LBX_PROT_WRITE)
#define R	LBX_PROT_READ
#define P	0x1000ULL

/* The map destroyed when the test ends, even after a failed assertion. */
static int mm_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void mm_res_free(struct kunit_resource *res)
{
	lbx_mm_destroy(res->data);
}

static struct lbx_mm *new_mm(struct kunit *test)
{
	struct lbx_mm *mm;

	KUNIT_ASSERT_EQ(test, lbx_mm_create(&mm), 0);
	if (!kunit_alloc_resource(test, mm_res_init, mm_res_free, GFP_KERNEL, mm)) {
		lbx_mm_destroy(mm);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	return mm;
}

/*
 * The ranges as "start-end prot offset name;" (page numbers, hex), read
 * straight from the list so the checks do not depend on the maps format.
 * Also checks the list is sorted, non-overlapping and counted right.
 */
static const char *layout(struct kunit *test, struct lbx_mm *mm)
{
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	struct lbx_list_head *pos;
	size_t len = 0;
	u64 prev_end = 0;
	u32 n = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = lbx_list_entry(pos, struct lbx_vma, node);

		KUNIT_EXPECT_LT(test, v->start, v->end);
		KUNIT_EXPECT_LE(test, prev_end, v->start);
		prev_end = v->end;
		n++;
		len += scnprintf(buf + len, 1024 - len, "%llx-%llx %s%s %llx %s;",
				 v->start / P, v->end / P,
				 v->prot & LBX_PROT_READ ? "r" : "-",
				 v->prot & LBX_PROT_WRITE ? "w" : "-",
				 v->offset, v->name);
	}
	KUNIT_EXPECT_EQ(test, n, mm->count);
	return buf;
}

/* Adjacent ranges with the same attributes become one; a different
 * protection or name keeps them apart. */
static void insert_merges_equal_neighbours(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test);

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x12 * P, 0x14 * P, RW, 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 1u);
	/* Filling a hole between two equal ranges joins all three. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x16 * P, 0x18 * P, RW, 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 2u);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x14 * P, 0x16 * P, RW, 0, 0, NULL), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-18 rw 0 ;");
	/* Not merged: another protection, another name. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x18 * P, 0x19 * P, R, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x19 * P, 0x1a * P, R, 0, 0, "[heap]"), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-18 rw 0 ;18-19 r- 0 ;19-1a r- 0 [heap];");
	/* An empty or inverted range is -EINVAL. */
	KUNIT_EXPECT_EQ(test, lbx_mm_insert(mm, 0x30 * P, 0x30 * P, RW, 0, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_mm_insert(mm, 0x31 * P, 0x30 * P, RW, 0, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mm->count, 3u);
}

/* mmap(MAP_FIXED) over part of a mapping replaces just the overlap. */
static void insert_over_existing_replaces_the_overlap(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test);

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x14 * P, 0x16 * P, R, 0, 0, "[x]"), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 3u);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-14 rw 0 ;14-16 r- 0 [x];16-20 rw 0 ;");
	/* Over two ranges and the gap between. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x30 * P, 0x32 * P, RW, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x1f * P, 0x31 * P, R, 0, 0, "[y]"), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-14 rw 0 ;14-16 r- 0 [x];16-1f rw 0 ;1f-31 r- 0 [y];31-32 rw 0 ;");
	/* Putting the old attributes back merges everything again. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x14 * P, 0x32 * P, RW, 0, 0, NULL), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-32 rw 0 ;");
}

/* munmap of the middle of a mapping leaves two; of its head, moves the
 * tail's file offset; of nothing, is not an error. */
static void remove_splits_partial_ranges(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test);

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_remove(mm, 0x12 * P, 0x13 * P), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 2u);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-12 rw 0 ;13-20 rw 0 ;");
	KUNIT_EXPECT_FALSE(test, lbx_mm_is_free(mm, 0x11 * P, 0x12 * P));
	KUNIT_EXPECT_TRUE(test, lbx_mm_is_free(mm, 0x12 * P, 0x13 * P));
	KUNIT_EXPECT_FALSE(test, lbx_mm_is_free(mm, 0x12 * P, 0x14 * P));
	KUNIT_EXPECT_FALSE(test, lbx_mm_is_free(mm, 0x0, 0x100 * P));

	/* A file mapping at offset 0x1000: cutting its first page moves the
	 * rest to offset 0x2000, as /proc/self/maps shows on Linux. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x40 * P, 0x44 * P, R, LBX_VMA_FILE, 0x1000, "/bin/x"), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_remove(mm, 0x40 * P, 0x41 * P), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_remove(mm, 0x42 * P, 0x43 * P), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-12 rw 0 ;13-20 rw 0 ;41-42 r- 2000 /bin/x;43-44 r- 4000 /bin/x;");

	/* Unmapped ranges are fine to remove (munmap semantics). */
	KUNIT_EXPECT_EQ(test, lbx_mm_remove(mm, 0x80 * P, 0x90 * P), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 4u);
	KUNIT_EXPECT_EQ(test, lbx_mm_remove(mm, 0x0, 0x100 * P), 0);
	KUNIT_EXPECT_EQ(test, mm->count, 0u);
	KUNIT_EXPECT_TRUE(test, lbx_mm_is_free(mm, 0x0, ~0ULL));
}

/* mprotect of a range with a hole in it: -ENOMEM, and no part of the
 * mapped ranges changed (mprotect(2) checks before it changes). */
static void protect_of_a_hole_is_enomem_and_changes_nothing(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test);
	const char *before;

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x13 * P, 0x15 * P, RW, 0, 0, NULL), 0);
	before = layout(test, mm);
	KUNIT_EXPECT_STREQ(test, before, "10-12 rw 0 ;13-15 rw 0 ;");
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x11 * P, 0x14 * P, R), -ENOMEM);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), before);
	/* Past the end, before the start, wholly unmapped. */
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x14 * P, 0x16 * P, R), -ENOMEM);
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x0f * P, 0x11 * P, R), -ENOMEM);
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x20 * P, 0x21 * P, R), -ENOMEM);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), before);
	/* The mapped part alone is fine. */
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x13 * P, 0x14 * P, R), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-12 rw 0 ;13-14 r- 0 ;14-15 rw 0 ;");
}

/* mprotect of the middle splits in three; restoring merges back to one.
 * A range made of two adjacent mappings is covered (no hole). */
static void protect_splits_and_merges_back(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test);

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x20 * P, RW, 0, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x14 * P, 0x18 * P, R), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-14 rw 0 ;14-18 r- 0 ;18-20 rw 0 ;");
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x14 * P, 0x18 * P, RW), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm), "10-20 rw 0 ;");
	/* Across the boundary of two different mappings. */
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x20 * P, 0x24 * P, RW, 0, 0, "[stack]"), 0);
	KUNIT_EXPECT_EQ(test, lbx_mm_protect(mm, 0x1e * P, 0x22 * P, R), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-1e rw 0 ;1e-20 r- 0 ;20-22 r- 0 [stack];22-24 rw 0 [stack];");
}

static int unmapped_pages, unmap_calls;

static int count_unmap(u64 start, u64 len)
{
	unmapped_pages += len / P;
	unmap_calls++;
	return 0;
}

/* fork copies the map (then each evolves alone); execve clears it,
 * unmapping every range once. */
static void copy_and_clear(struct kunit *test)
{
	struct lbx_mm *mm = new_mm(test), *copy;

	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x10 * P, 0x12 * P, RW, 0, 0, "[heap]"), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_insert(mm, 0x20 * P, 0x23 * P, R, LBX_VMA_SHARED,
					    0x1000, "/bin/x"), 0);
	KUNIT_ASSERT_EQ(test, lbx_mm_copy(mm, &copy), 0);
	if (!kunit_alloc_resource(test, mm_res_init, mm_res_free, GFP_KERNEL, copy)) {
		lbx_mm_destroy(copy);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	KUNIT_EXPECT_EQ(test, copy->count, 2u);
	KUNIT_EXPECT_STREQ(test, layout(test, copy), layout(test, mm));
	/* Independent after the copy. */
	KUNIT_EXPECT_EQ(test, lbx_mm_remove(copy, 0x10 * P, 0x11 * P), 0);
	KUNIT_EXPECT_STREQ(test, layout(test, mm),
			   "10-12 rw 0 [heap];20-23 r- 1000 /bin/x;");

	unmapped_pages = unmap_calls = 0;
	lbx_mm_clear(mm, count_unmap);
	KUNIT_EXPECT_EQ(test, unmap_calls, 2);
	KUNIT_EXPECT_EQ(test, unmapped_pages, 5);
	KUNIT_EXPECT_EQ(test, mm->count, 0u);
	KUNIT_EXPECT_TRUE(test, lbx_mm_is_free(mm, 0, ~0ULL));
	/* The copy did not lose anything but its own first page. */
	KUNIT_EXPECT_STREQ(test, layout(test, copy),
			   "11-12 rw 0 [heap];20-23 r- 1000 /bin/x;");
	KUNIT_EXPECT_TRUE(test, lbx_list_entry(copy->vmas.prev, struct lbx_vma,
					       node)->flags & LBX_VMA_SHARED);
	/* Clearing with no unmap callback only forgets. */
	lbx_mm_clear(copy, NULL);
	KUNIT_EXPECT_EQ(test, copy->count, 0u);
}

static struct kunit_case mm_cases[] = {
	KUNIT_CASE(insert_merges_equal_neighbours),
	KUNIT_CASE(insert_over_existing_replaces_the_overlap),
	KUNIT_CASE(remove_splits_partial_ranges),
	KUNIT_CASE(protect_of_a_hole_is_enomem_and_changes_nothing),
	KUNIT_CASE(protect_splits_and_merges_back),
	KUNIT_CASE(copy_and_clear),
	{}
};

static struct kunit_suite mm_suite = {
	.name = "litebox_mm",
	.test_cases = mm_cases,
};

kunit_test_suite(mm_suite);
