// SPDX-License-Identifier: GPL-2.0
/*
 * The guest memory map: a sorted list of non-overlapping ranges. Adjacent
 * ranges with the same attributes are merged, so a map stays short however
 * a program splits and rejoins its mappings.
 */
#include <litebox/mm.h>

int lbx_mm_create(struct lbx_mm **out)
{
	struct lbx_mm *mm = lbx_plat_alloc(sizeof(*mm));

	if (!mm)
		return -ENOMEM;
	lbx_plat_mutex_init(&mm->lock);
	lbx_list_init(&mm->vmas);
	/* Until the loader places a stack: as for a stack at the very top. */
	lbx_mm_set_layout(mm, LBX_MM_TASK_SIZE, 0, false);
	*out = mm;
	return 0;
}

static void free_all(struct lbx_mm *mm)
{
	struct lbx_list_head *pos, *n;

	lbx_list_for_each_safe(pos, n, &mm->vmas) {
		lbx_list_del(pos);
		lbx_plat_free(lbx_list_entry(pos, struct lbx_vma, node));
	}
	mm->count = 0;
	mm->exec_gone = false;
	mm->tramps_pinned = false;
}

void lbx_mm_destroy(struct lbx_mm *mm)
{
	if (!mm)
		return;
	free_all(mm);
	lbx_plat_free(mm);
}

static struct lbx_vma *vma_of(struct lbx_list_head *pos)
{
	return lbx_list_entry(pos, struct lbx_vma, node);
}

/* Ranges whose offset follows their start: files' and shared objects'. */
static bool has_offset(u32 flags)
{
	return flags & (LBX_VMA_FILE | LBX_VMA_SHARED);
}

static struct lbx_vma *vma_new(u64 start, u64 end, u32 prot, u32 flags,
			       u64 offset, u64 obj, const char *name)
{
	struct lbx_vma *v = lbx_plat_alloc(sizeof(*v));

	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->offset = offset;
	v->obj = obj;
	lbx_strscpy(v->name, name ? name : "", sizeof(v->name));
	return v;
}

int lbx_mm_copy(struct lbx_mm *src, struct lbx_mm **out)
{
	struct lbx_list_head *pos;
	struct lbx_mm *mm;
	int ret;

	ret = lbx_mm_create(&mm);
	if (ret)
		return ret;
	lbx_plat_mutex_lock(&src->lock);
	mm->mmap_base = src->mmap_base;
	mm->bottom_up = src->bottom_up;
	mm->exec_gone = src->exec_gone;
	mm->tramps_pinned = src->tramps_pinned;
	lbx_list_for_each(pos, &src->vmas) {
		struct lbx_vma *v = vma_of(pos);
		struct lbx_vma *c = vma_new(v->start, v->end, v->prot, v->flags,
					    v->offset, v->obj, v->name);

		if (!c) {
			ret = -ENOMEM;
			break;
		}
		c->serves_lo = v->serves_lo;
		c->serves_hi = v->serves_hi;
		lbx_list_add_tail(&c->node, &mm->vmas);
		mm->count++;
	}
	lbx_plat_mutex_unlock(&src->lock);
	if (ret) {
		lbx_mm_destroy(mm);
		return ret;
	}
	*out = mm;
	return 0;
}

/*
 * Splits the range containing addr (if any, and if addr is inside it, not
 * at its start) into [start, addr) and [addr, end). Caller holds the lock.
 */
static int split_at(struct lbx_mm *mm, u64 addr)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos), *tail;

		if (v->start >= addr)
			return 0;
		if (v->end <= addr)
			continue;
		if (mm->count >= LBX_MM_MAX_VMAS)
			return -ENOMEM;
		tail = vma_new(addr, v->end, v->prot, v->flags,
			       has_offset(v->flags) ? v->offset + (addr - v->start) : 0,
			       v->obj, v->name);
		if (!tail)
			return -ENOMEM;
		tail->serves_lo = v->serves_lo;
		tail->serves_hi = v->serves_hi;
		v->end = addr;
		/* Insert after v. */
		tail->node.next = v->node.next;
		tail->node.prev = &v->node;
		v->node.next->prev = &tail->node;
		v->node.next = &tail->node;
		mm->count++;
		return 0;
	}
	return 0;
}

static void remove_locked(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_list_head *pos, *n;

	lbx_list_for_each_safe(pos, n, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start >= start && v->end <= end) {
			if ((v->prot & LBX_PROT_EXEC) && !(v->flags & LBX_VMA_TRAMP))
				mm->exec_gone = true;
			lbx_list_del(pos);
			lbx_plat_free(v);
			mm->count--;
		}
	}
}

static bool same_attrs(const struct lbx_vma *a, const struct lbx_vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->obj == b->obj && !strcmp(a->name, b->name) &&
	       a->serves_lo == b->serves_lo && a->serves_hi == b->serves_hi &&
	       (!has_offset(a->flags) ||
		a->offset + (a->end - a->start) == b->offset);
}

/* Merges neighbours with equal attributes around the whole list. */
static void merge_locked(struct lbx_mm *mm)
{
	struct lbx_list_head *pos = mm->vmas.next;

	while (pos != &mm->vmas && pos->next != &mm->vmas) {
		struct lbx_vma *v = vma_of(pos), *w = vma_of(pos->next);

		if (same_attrs(v, w)) {
			v->end = w->end;
			lbx_list_del(&w->node);
			lbx_plat_free(w);
			mm->count--;
		} else {
			pos = pos->next;
		}
	}
}

int lbx_mm_remove(struct lbx_mm *mm, u64 start, u64 end)
{
	int ret;

	if (end <= start)
		return 0;
	lbx_plat_mutex_lock(&mm->lock);
	ret = split_at(mm, start);
	if (!ret)
		ret = split_at(mm, end);
	if (!ret)
		remove_locked(mm, start, end);
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

u64 lbx_mm_new_obj_id(void)
{
	static u64 last_id;

	return __atomic_add_fetch(&last_id, 1, __ATOMIC_RELAXED);
}

int lbx_mm_insert(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u32 flags,
		  u64 offset, const char *name)
{
	return lbx_mm_insert_shared(mm, start, end, prot, flags, offset, 0, name);
}

static int insert_vma(struct lbx_mm *mm, struct lbx_vma *v)
{
	u64 start = v->start, end = v->end;
	struct lbx_list_head *pos;
	int ret;

	lbx_plat_mutex_lock(&mm->lock);
	ret = split_at(mm, start);
	if (!ret)
		ret = split_at(mm, end);
	if (!ret && mm->count >= LBX_MM_MAX_VMAS)
		ret = -ENOMEM;
	if (ret) {
		lbx_plat_mutex_unlock(&mm->lock);
		lbx_plat_free(v);
		return ret;
	}
	remove_locked(mm, start, end);
	lbx_list_for_each(pos, &mm->vmas)
		if (vma_of(pos)->start >= end)
			break;
	/* Insert before pos (or at the tail). */
	lbx_list_add_tail(&v->node, pos);
	mm->count++;
	merge_locked(mm);
	lbx_plat_mutex_unlock(&mm->lock);
	return 0;
}

int lbx_mm_insert_shared(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u32 flags,
			 u64 offset, u64 obj, const char *name)
{
	struct lbx_vma *v;

	if (end <= start)
		return -EINVAL;
	v = vma_new(start, end, prot, flags, offset, obj, name);
	if (!v)
		return -ENOMEM;
	return insert_vma(mm, v);
}

int lbx_mm_insert_tramp(struct lbx_mm *mm, u64 start, u64 end, u32 prot, u64 lo, u64 hi,
			const char *name)
{
	struct lbx_vma *v;

	if (end <= start || hi <= lo)
		return -EINVAL;
	v = vma_new(start, end, prot, LBX_VMA_TRAMP, 0, 0, name);
	if (!v)
		return -ENOMEM;
	v->serves_lo = lo;
	v->serves_hi = hi;
	return insert_vma(mm, v);
}

/* Caller holds the lock: does any range overlap [start, end)? */
static bool overlapped(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start >= end)
			return false;
		if (v->end > start)
			return true;
	}
	return false;
}

int lbx_mm_find_orphan(struct lbx_mm *mm, u64 *start, u64 *end)
{
	struct lbx_list_head *pos;
	int ret = -ENOENT;

	lbx_plat_mutex_lock(&mm->lock);
	if (!mm->exec_gone || mm->tramps_pinned)
		goto out;
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if ((v->flags & LBX_VMA_TRAMP) &&
		    !overlapped(mm, v->serves_lo, v->serves_hi)) {
			*start = v->start;
			*end = v->end;
			ret = 0;
			goto out;
		}
	}
	mm->exec_gone = false;
out:
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

void lbx_mm_pin_tramps(struct lbx_mm *mm)
{
	lbx_plat_mutex_lock(&mm->lock);
	mm->tramps_pinned = true;
	lbx_plat_mutex_unlock(&mm->lock);
}

/* Caller holds the lock: is every byte of [start, end) mapped? */
static bool covered(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_list_head *pos;
	u64 at = start;

	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->end <= at)
			continue;
		if (v->start > at)
			return false;
		at = v->end;
		if (at >= end)
			return true;
	}
	return false;
}

int lbx_mm_protect(struct lbx_mm *mm, u64 start, u64 end, u32 prot)
{
	struct lbx_list_head *pos;
	int ret;

	if (end <= start)
		return 0;
	lbx_plat_mutex_lock(&mm->lock);
	if (!covered(mm, start, end)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = split_at(mm, start);
	if (!ret)
		ret = split_at(mm, end);
	if (ret)
		goto out;
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start >= start && v->end <= end)
			v->prot = prot;
	}
	merge_locked(mm);
out:
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

bool lbx_mm_is_free(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_list_head *pos;
	bool free = true;

	lbx_plat_mutex_lock(&mm->lock);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start < end && v->end > start) {
			free = false;
			break;
		}
	}
	lbx_plat_mutex_unlock(&mm->lock);
	return free;
}

int lbx_mm_lookup(struct lbx_mm *mm, u64 addr, struct lbx_vma *out)
{
	struct lbx_list_head *pos;
	int ret = -ENOENT;

	lbx_plat_mutex_lock(&mm->lock);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start > addr)
			break;
		if (addr < v->end) {
			*out = *v;
			ret = 0;
			break;
		}
	}
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

void lbx_mm_set_layout(struct lbx_mm *mm, u64 stack_top, u64 stack_max, bool legacy)
{
	u64 gap = stack_max;

	if (lbx_add_overflow(gap, LBX_MM_STACK_GUARD_GAP, &gap) || gap > LBX_MM_GAP_MAX)
		gap = LBX_MM_GAP_MAX;
	if (gap < LBX_MM_GAP_MIN)
		gap = LBX_MM_GAP_MIN;
	stack_top = lbx_min(LBX_ALIGN_DOWN(stack_top, LBX_PAGE_SIZE), LBX_MM_TASK_SIZE);
	lbx_plat_mutex_lock(&mm->lock);
	mm->bottom_up = legacy;
	if (legacy)
		mm->mmap_base = LBX_MM_UNMAPPED_BASE;
	else
		mm->mmap_base = stack_top > LBX_MM_MIN_ADDR + gap ? stack_top - gap :
								   LBX_MM_MIN_ADDR;
	lbx_plat_mutex_unlock(&mm->lock);
}

/* Where v begins for a non-fixed mapping: a stack claims its guard gap. */
static u64 start_gap(const struct lbx_vma *v)
{
	if (!(v->flags & LBX_VMA_GROWSDOWN))
		return v->start;
	return v->start > LBX_MM_STACK_GUARD_GAP ? v->start - LBX_MM_STACK_GUARD_GAP : 0;
}

/*
 * Caller holds the lock. Walks the holes between ranges (guard gaps
 * taken out) and keeps the highest fit in [lo, hi), or returns the first
 * one with up.
 */
static int find_locked(struct lbx_mm *mm, u64 len, u64 lo, u64 hi, bool up, u64 *out)
{
	struct lbx_list_head *pos = mm->vmas.next;
	u64 prev_end = 0;
	bool found = false;

	if (!len || hi <= lo || hi - lo < len)
		return -ENOMEM;
	for (;;) {
		struct lbx_vma *v = pos != &mm->vmas ? vma_of(pos) : NULL;
		u64 gap_lo = lbx_max(prev_end, lo);
		u64 gap_hi = v ? lbx_min(start_gap(v), hi) : hi;

		if (gap_hi > gap_lo && gap_hi - gap_lo >= len) {
			*out = up ? gap_lo : gap_hi - len;
			found = true;
			if (up)
				break;
		}
		if (!v || start_gap(v) >= hi)
			break;
		prev_end = lbx_max(prev_end, v->end);
		pos = pos->next;
	}
	return found ? 0 : -ENOMEM;
}

int lbx_mm_find_free(struct lbx_mm *mm, u64 len, u64 lo, u64 hi, bool up, u64 *out)
{
	int ret;

	lbx_plat_mutex_lock(&mm->lock);
	ret = find_locked(mm, len, lo, hi, up, out);
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

/*
 * Caller holds the lock: may a non-fixed mapping take [start, end)? As
 * Linux: the first range ending above start must begin (its guard gap
 * included) at or after end. Linux, too, looks at that neighbour only.
 */
static bool hint_free(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->end > start)
			return end <= start_gap(v);
	}
	return true;
}

int lbx_mm_get_unmapped_area(struct lbx_mm *mm, u64 addr, u64 len, int flags, u64 *out)
{
	u64 end;
	int ret;

	if (!len || !LBX_IS_ALIGNED(len, LBX_PAGE_SIZE) ||
	    len > LBX_MM_TASK_SIZE - LBX_MM_MIN_ADDR)
		return -ENOMEM;
	if (flags & (LBX_MAP_FIXED | LBX_MAP_FIXED_NOREPLACE)) {
		if (!LBX_IS_ALIGNED(addr, LBX_PAGE_SIZE) ||
		    lbx_add_overflow(addr, len, &end) || end > LBX_MM_TASK_SIZE)
			return -EINVAL;
		/* As for a process without CAP_SYS_RAWIO: no page zero. */
		if (addr < LBX_MM_MIN_ADDR)
			return -EPERM;
		if ((flags & LBX_MAP_FIXED_NOREPLACE) && !lbx_mm_is_free(mm, addr, end))
			return -EEXIST;
		*out = addr;
		return 0;
	}
	lbx_plat_mutex_lock(&mm->lock);
	/* Linux's round_hint_to_min() and x86's hint check. */
	addr = LBX_ALIGN_DOWN(addr, LBX_PAGE_SIZE);
	if (addr && addr < LBX_MM_MIN_ADDR)
		addr = LBX_MM_MIN_ADDR;
	if (addr && addr <= LBX_MM_TASK_SIZE - len && hint_free(mm, addr, addr + len)) {
		*out = addr;
		ret = 0;
	} else if (mm->bottom_up) {
		ret = find_locked(mm, len, mm->mmap_base, LBX_MM_TASK_SIZE, true, out);
	} else {
		ret = find_locked(mm, len, LBX_MM_MIN_ADDR, mm->mmap_base, false, out);
		/* A full lower half: Linux falls back to a bottom-up search. */
		if (ret)
			ret = find_locked(mm, len, LBX_MM_UNMAPPED_BASE, LBX_MM_TASK_SIZE,
					  true, out);
	}
	lbx_plat_mutex_unlock(&mm->lock);
	return ret;
}

void lbx_mm_set_flag(struct lbx_mm *mm, u64 start, u64 end, u32 flag)
{
	struct lbx_list_head *pos;

	lbx_plat_mutex_lock(&mm->lock);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);

		if (v->start < end && v->end > start)
			v->flags |= flag;
	}
	lbx_plat_mutex_unlock(&mm->lock);
}

void lbx_mm_clear(struct lbx_mm *mm, int (*unmap)(u64 start, u64 len))
{
	struct lbx_list_head *pos;

	lbx_plat_mutex_lock(&mm->lock);
	if (unmap)
		lbx_list_for_each(pos, &mm->vmas)
			unmap(vma_of(pos)->start, vma_of(pos)->end - vma_of(pos)->start);
	free_all(mm);
	lbx_plat_mutex_unlock(&mm->lock);
}

size_t lbx_mm_render_maps(struct lbx_mm *mm, char *buf, size_t size)
{
	struct lbx_list_head *pos;
	size_t len = 0;

	lbx_plat_mutex_lock(&mm->lock);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = vma_of(pos);
		int n;

		n = lbx_snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				 "%08llx-%08llx %c%c%c%c %08llx 00:00 0",
				 (unsigned long long)v->start, (unsigned long long)v->end,
				 v->prot & LBX_PROT_READ ? 'r' : '-',
				 v->prot & LBX_PROT_WRITE ? 'w' : '-',
				 v->prot & LBX_PROT_EXEC ? 'x' : '-',
				 v->flags & LBX_VMA_SHARED ? 's' : 'p',
				 (unsigned long long)v->offset);
		len += n;
		/* Linux pads the name to column 73. */
		n = lbx_snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				 "%*s%s\n", v->name[0] && n < 73 ? 73 - n : (v->name[0] ? 1 : 0),
				 "", v->name);
		len += n;
	}
	lbx_plat_mutex_unlock(&mm->lock);
	return len;
}
