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
	u64 offset;			/* file offset, for the maps line */
	char name[LBX_VMA_NAME_MAX];	/* "[heap]", "[stack]", a path, or "" */
};

#define LBX_VMA_SHARED	(1U << 0)
#define LBX_VMA_FILE	(1U << 1)	/* offset is a file offset */
#define LBX_VMA_SCANNED	(1U << 2)	/* its syscall sites were rewritten */

struct lbx_mm {
	struct lbx_plat_mutex lock;
	struct lbx_list_head vmas;
	u32 count;
};

#define LBX_MM_MAX_VMAS 65530	/* vm.max_map_count */

int lbx_mm_create(struct lbx_mm **out);
void lbx_mm_destroy(struct lbx_mm *mm);
/* fork: the same map. */
int lbx_mm_copy(struct lbx_mm *src, struct lbx_mm **out);

/* Records [start, end) as mapped, replacing whatever overlapped it. */
int lbx_mm_insert(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u32 flags,
		  u64 offset, const char *name);
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
/* Removes every range, calling unmap(start, len) on each (execve). */
void lbx_mm_clear(struct lbx_mm *mm, int (*unmap)(u64 start, u64 len));
/* Renders /proc/self/maps into buf; returns the full length. */
size_t lbx_mm_render_maps(struct lbx_mm *mm, char *buf, size_t size);

#endif
