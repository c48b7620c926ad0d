/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest memory map: which ranges of a guest process's address space
 * LiteBox mapped for it, with their protection and name. The platform does
 * the mapping; this map is LiteBox's record of it, used to unmap the old
 * image at execve, to answer mprotect's ENOMEM, and for /proc/self/maps.
 */
#ifndef LITEBOX_MM_H
#define LITEBOX_MM_H

#include <litebox/core.h>
#include <litebox/list.h>

#define LBX_VMA_NAME_MAX 64

struct lbx_vma {
	struct lbx_list_head node;	/* sorted by start */
	u64 start;
	u64 end;			/* exclusive, page-aligned */
	u32 prot;			/* LBX_PROT_* */
	u32 flags;			/* LBX_VMA_* */
	u64 offset;			/* file (or shared object) offset */
	u64 obj;			/* LBX_VMA_SHARED: the object's id */
	char name[LBX_VMA_NAME_MAX];	/* "[heap]", "[stack]", a path, or "" */
	/* LBX_VMA_TRAMP: the code whose rewritten syscall sites jump here. */
	u64 serves_lo, serves_hi;
};

/*
 * LBX_VMA_SHARED: MAP_SHARED; its pages belong to a shared object (a file's
 * or an anonymous one) named by obj, a sandbox-unique id from
 * lbx_mm_new_obj_id(), at offset: shared futexes are keyed by (obj, offset).
 */
#define LBX_VMA_SHARED	(1U << 0)
#define LBX_VMA_FILE	(1U << 1)	/* offset is a file offset */
#define LBX_VMA_SCANNED	(1U << 2)	/* its syscall sites were rewritten */
#define LBX_VMA_GROWSDOWN (1U << 3)	/* a stack: keeps the guard gap below it */
/* A shared mapping of a file not open for writing: mprotect may not add
 * PROT_WRITE (Linux's missing VM_MAYWRITE). */
#define LBX_VMA_NOMAYWRITE (1U << 4)
/* The rewriter's trampolines for the code in [serves_lo, serves_hi). */
#define LBX_VMA_TRAMP	(1U << 5)

/*
 * The layout of a guest address space, as Linux x86-64 (4-level paging)
 * lays one out: non-fixed mappings go top-down below mmap_base, which lies
 * below the stack, or bottom-up from a third of the address space in the
 * legacy layout; nothing goes below vm.mmap_min_addr; a stack keeps
 * stack_guard_gap below it free of non-fixed mappings.
 */
#define LBX_MM_TASK_SIZE	0x7ffffffff000ULL	/* TASK_SIZE_MAX */
#define LBX_MM_MIN_ADDR		0x10000ULL		/* vm.mmap_min_addr */
#define LBX_MM_UNMAPPED_BASE	0x2aaaaaaab000ULL	/* PAGE_ALIGN(TASK_SIZE / 3) */
#define LBX_MM_STACK_GUARD_GAP	(256ULL * LBX_PAGE_SIZE)	/* stack_guard_gap */
#define LBX_MM_GAP_MIN		(128ULL << 20)		/* mmap_base: at least this below */
#define LBX_MM_GAP_MAX		(LBX_MM_TASK_SIZE / 6 * 5) /* the stack top, at most this */

struct lbx_mm {
	struct lbx_plat_mutex lock;
	struct lbx_list_head vmas;
	u32 count;
	u64 mmap_base;			/* top of the top-down search (bottom of bottom-up) */
	bool bottom_up;			/* the legacy layout */
	/* Executable memory left the map since lbx_mm_find_orphan() last
	 * found nothing: a trampoline region may have lost its code. */
	bool exec_gone;
	/* Patched code was moved (mremap): its jumps still reach the old
	 * regions, which therefore stay until exec. */
	bool tramps_pinned;
};

#define LBX_MM_MAX_VMAS 65530	/* vm.max_map_count */

int lbx_mm_create(struct lbx_mm **out);
void lbx_mm_destroy(struct lbx_mm *mm);
/* fork: the same map. */
int lbx_mm_copy(struct lbx_mm *src, struct lbx_mm **out);

/* Records [start, end) as mapped, replacing whatever overlapped it. */
int lbx_mm_insert(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u32 flags,
		  u64 offset, const char *name);
/* The same for a shared range: its pages are object obj's from offset on. */
int lbx_mm_insert_shared(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u32 flags,
			 u64 offset, u64 obj, const char *name);
/* A trampoline region at [start, end) for the code in [lo, hi). */
int lbx_mm_insert_tramp(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u64 lo, u64 hi,
			const char *name);
/*
 * A trampoline region whose code is all gone (no mapping overlaps the code
 * it serves): 0 and its range in *start, *end (still in the map: the
 * caller unmaps it), or -ENOENT. Cheap unless executable memory was
 * removed since it last returned -ENOENT.
 */
int lbx_mm_find_orphan(struct lbx_mm *mm, u64 *start, u64 *end);
/* No trampoline region is an orphan from now on (patched code moved). */
void lbx_mm_pin_tramps(struct lbx_mm *mm);
/* A new shared object id, never 0, unique for the module's (or process's)
 * lifetime. */
u64 lbx_mm_new_obj_id(void);
/* Forgets [start, end), splitting ranges that straddle its edges. */
int lbx_mm_remove(struct lbx_mm *mm, u64 start, u64 end);
/* Sets the protection of [start, end); -ENOMEM (nothing changed) when a
 * part of it is not mapped, as mprotect(2). */
int lbx_mm_protect(struct lbx_mm *mm, u64 start, u64 end, u32 prot);
/* True when no part of [start, end) is mapped. */
bool lbx_mm_is_free(struct lbx_mm *mm, u64 start, u64 end);
/* Copies the range containing addr into *out; -ENOENT when unmapped. */
int lbx_mm_lookup(struct lbx_mm *mm, u64 addr, struct lbx_vma *out);
/* Sets flag on every range that overlaps [start, end). */
void lbx_mm_set_flag(struct lbx_mm *mm, u64 start, u64 end, u32 flag);
/*
 * Sets the layout for a stack whose top is stack_top and which may use
 * stack_max bytes: mmap_base = stack_top - clamp(stack_max + guard gap,
 * 128 MiB, 5/6 of the address space), as Linux's mmap_base(); legacy
 * puts mmap_base at LBX_MM_UNMAPPED_BASE and searches bottom-up.
 */
void lbx_mm_set_layout(struct lbx_mm *mm, u64 stack_top, u64 stack_max, bool legacy);
/*
 * Linux's get_unmapped_area for len (page-aligned) bytes. flags:
 * LBX_MAP_FIXED (addr, if page-aligned and at or above mmap_min_addr:
 * -EPERM below it), LBX_MAP_FIXED_NOREPLACE (the same, -EEXIST when any of
 * it is mapped), or 0: addr is a hint, taken (rounded down to a page, and
 * up to mmap_min_addr) when it and the stack guard gaps are free, else the
 * layout's search, top-down falling back to bottom-up above
 * LBX_MM_UNMAPPED_BASE as Linux does. -ENOMEM when nothing fits.
 */
int lbx_mm_get_unmapped_area(struct lbx_mm *mm, u64 addr, u64 len, int flags, u64 *out);
/*
 * The free range of len bytes within [lo, hi) (guard gaps kept) that is
 * highest (or, with up, lowest); -ENOMEM when none. For callers with
 * constraints of their own: a range within reach of code, a retry below
 * host memory that the map does not know.
 */
int lbx_mm_find_free(struct lbx_mm *mm, u64 len, u64 lo, u64 hi, bool up, u64 *out);
/* Removes every range, calling unmap(start, len) on each (execve). */
void lbx_mm_clear(struct lbx_mm *mm, int (*unmap)(u64 start, u64 len));
/* Renders /proc/self/maps into buf; returns the full length. */
size_t lbx_mm_render_maps(struct lbx_mm *mm, char *buf, size_t size);

#endif
