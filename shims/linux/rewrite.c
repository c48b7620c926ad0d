// SPDX-License-Identifier: GPL-2.0
/*
 * Where the rewriter meets the guest: code the loader, mmap or mprotect
 * just made executable is scanned and its safe syscall sites are patched
 * before the guest runs it (when it looks like it holds syscall wrappers at
 * all); code that did not look worth it, or could not be read then, is
 * patched at its first trapped syscall, when no other context of the guest
 * can be inside a patched range. The trampolines go into a small mapping
 * near the code ("[lbx-rewrite]" in /proc/self/maps), within rel32 reach,
 * and is unmapped with the last of the code it serves
 * (lbx_linux_rewrite_reclaim()).
 */
#include <litebox/file.h>
#include <litebox/mm.h>
#include <litebox/rewrite.h>
#include "shim.h"

#define PG		LBX_PAGE_SIZE
#define CODE_MAX	(256ULL << 20)	/* larger executable mappings are left alone */

/*
 * Maps a trampoline region of size bytes within reach of [lo, hi), where
 * the core's map has room: the nearest free range below the code first
 * (above it lies the heap of a program, which brk grows up from the
 * image's end, or the next mapping), else the nearest one above, past
 * where a heap would grow in the common case. A range the host refuses
 * (host memory the map does not know) moves the search past it.
 */
#define REACH		0x7ff00000ULL	/* rel32, with room for the region itself */
#define HEAP_ROOM	(256ULL << 20)
#define TRIES		8

static int try_map(struct lbx_process *p, u64 at, u64 size, u64 lo, u64 hi, u64 *out)
{
	int ret;

	ret = lbx_plat_guest_map(&at, size, LBX_PROT_READ | LBX_PROT_EXEC,
				 LBX_MAP_FIXED_NOREPLACE);
	if (ret)
		return ret;
	if (!lbx_rw_reach(lo, at) || !lbx_rw_reach(hi, at + size) ||
	    !lbx_rw_reach(at + size, lo) || !lbx_rw_reach(at, hi) ||
	    lbx_mm_insert_tramp(p->mm, at, at + size, LBX_PROT_READ | LBX_PROT_EXEC, lo, hi,
				"[lbx-rewrite]")) {
		lbx_plat_guest_unmap(at, size);
		return -ENOSPC;
	}
	*out = at;
	return 0;
}

/* Searches [wlo, whi) from its top (or, up, its bottom) for a range the
 * host takes too. */
static int map_in(struct lbx_process *p, u64 wlo, u64 whi, bool up, u64 size, u64 lo,
		  u64 hi, u64 *out)
{
	int i, ret;
	u64 at;

	for (i = 0; i < TRIES; i++) {
		if (lbx_mm_find_free(p->mm, size, wlo, whi, up, &at))
			return -ENOSPC;
		ret = try_map(p, at, size, lo, hi, out);
		if (ret != -EEXIST)
			return ret;
		if (up)
			wlo = at + size;
		else
			whi = at;
	}
	return -ENOSPC;
}

static int map_region(struct lbx_process *p, u64 lo, u64 hi, u64 size, u64 *out)
{
	u64 base = LBX_ALIGN_DOWN(lo, PG), top = LBX_ALIGN_UP(hi, PG);
	u64 floor = top > LBX_MM_MIN_ADDR + REACH ? top - REACH : LBX_MM_MIN_ADDR;
	u64 ceil = lbx_min(base + REACH, LBX_MM_TASK_SIZE);

	if (!map_in(p, floor, base, false, size, lo, hi, out))
		return 0;
	if (top + HEAP_ROOM < ceil &&
	    !map_in(p, top + HEAP_ROOM, ceil, true, size, lo, hi, out))
		return 0;
	return map_in(p, top, ceil, true, size, lo, hi, out);
}

/*
 * The patches of a plan, ready to be made: the trampoline region mapped
 * and filled, and the writes that turn the sites into jumps to it.
 */
struct patch {
	u64 region;
	u32 done;		/* sites patched */
	struct lbx_poke *pokes;
	u32 np;
};

/*
 * Maps plan's trampoline region (at exactly want when it is not 0, else
 * where map_region() finds room), fills it and lists the writes in *pt
 * (patch_done()). code: a kernel copy of the guest's bytes at addr, or,
 * packed, only the sites' bytes one after another, as the cache keeps
 * them; the jumps are written into it.
 */
static int patch_prepare(struct lbx_process *p, u64 addr, u8 *code, bool packed,
			 const struct lbx_rw_plan *plan, u64 want, struct patch *pt)
{
	u64 lo = addr + plan->sites[0].start;
	u64 hi = addr + plan->sites[plan->n - 1].start + plan->sites[plan->n - 1].len;
	size_t size, used = 0, at;
	u8 *buf;
	u32 i;
	int ret;

	memset(pt, 0, sizeof(*pt));
	size = LBX_ALIGN_UP(lbx_rw_region_size(plan, plan->n), PG);
	buf = lbx_plat_alloc_large(size);
	if (!buf)
		return -ENOMEM;
	if (want)
		ret = try_map(p, want, size, lo, hi, &pt->region);
	else
		ret = map_region(p, lo, hi, size, &pt->region);
	if (ret)
		goto out;
	memset(buf, 0xcc, size);
	lbx_rw_emit_header(buf, pt->region, p->sb->direct_entry);
	if (packed)
		pt->done = lbx_rw_emit_packed(code, addr, plan, plan->n, buf, pt->region,
					      size, &used);
	else
		pt->done = lbx_rw_emit(code, addr, plan, plan->n, buf, pt->region, size, &used);
	/* The trampolines first, then the jumps to them. */
	ret = lbx_poke_guest(pt->region, buf, size);
	if (ret)
		goto out;
	ret = -ENOMEM;
	pt->pokes = lbx_plat_alloc(plan->n * sizeof(*pt->pokes));
	if (!pt->pokes)
		goto out;
	for (i = 0, at = 0; i < plan->n; at += plan->sites[i].len, i++) {
		const struct lbx_rw_site *s = &plan->sites[i];
		const u8 *b = code + (packed ? at : s->start);

		if (b[0] != 0xe9)
			continue;	/* not patched (out of reach) */
		pt->pokes[pt->np].dst = addr + s->start;
		pt->pokes[pt->np].src = b;
		pt->pokes[pt->np].len = s->len;
		pt->np++;
	}
	ret = 0;
out:
	lbx_plat_free_large(buf);
	return ret;
}

static void patch_done(struct lbx_process *p, struct patch *pt, u64 addr, u32 found)
{
	__atomic_fetch_add(&p->sb->stats.rw_patched, pt->done, __ATOMIC_RELAXED);
	lbx_dbg("sandbox %u: rewrote %u of %u syscall sites at %llx", p->sb->id, pt->done,
		found, (unsigned long long)addr);
	lbx_plat_free(pt->pokes);
}

/*
 * Code the platform names (lbx_plat_image_ident()) in the sandbox's image:
 * its patched pages may be shared with other sandboxes (struct
 * lbx_rw_text).
 */
struct named {
	const struct lbx_plat_ident *id;	/* NULL: not named */
	struct lbx_file *file;
	const u8 *code;			/* its bytes in the image */
	u64 n, off;			/* their length, their offset in file */
	u64 tsize;			/* its whole pages, 0: no text may serve */
	int prot;			/* of the mapping they are in */
	struct lbx_rw_text *text;	/* patched pages to map, or NULL */
	bool make;			/* patched pages to make, if none */
};

/*
 * Maps nm's patched pages over the code at addr and puts the trampolines
 * at the distance they expect: 0, or an error with nothing done (the code
 * is then patched as usual).
 */
static int map_text(struct lbx_process *p, u64 addr, u8 *code, bool packed,
		    const struct lbx_rw_plan *plan, const struct named *nm)
{
	struct lbx_rw_text *t = nm->text;
	struct patch pt;
	u64 at = addr;
	int ret;

	ret = patch_prepare(p, addr, code, packed, plan, addr + t->delta, &pt);
	if (ret)
		return ret;
	ret = pt.done == t->done ? 0 : -ESTALE;
	if (!ret)
		ret = lbx_plat_shm_map(t->shm, &at, t->size, nm->prot,
				       LBX_MAP_FIXED | LBX_MAP_COPY, 0);
	if (ret) {
		/* A fixed mapping that failed may have left a hole: the
		 * file's pages again, then the usual writes. */
		if (ret != -ESTALE &&
		    lbx_linux_map_image(p, nm->file, addr, t->size, nm->prot, nm->off) != t->size)
			lbx_linux_fill_from_file(nm->file, addr, t->size, nm->off);
		lbx_poke_guest_many(pt.pokes, pt.np);
	}
	patch_done(p, &pt, addr, plan->found);
	return 0;
}

/* Keeps the code's pages as pt patched them, for the next sandbox. */
static void make_text(struct lbx_process *p, u64 addr, const struct patch *pt,
		      const struct named *nm)
{
	struct lbx_rw_text *t;

	if (lbx_rw_text_create(nm->code, nm->tsize, addr, pt->pokes, pt->np,
			       (s64)(pt->region - addr), pt->done, nm->id, &t))
		return;
	if (!lbx_rw_shared_set_text(p->sb->rw_shared, p->sb->rw_domain, nm->id, nm->n, t))
		lbx_rw_text_put(t);
}

/*
 * Patches the planned sites of code (as patch_prepare()'s) in the guest,
 * and frees the plan: from nm's patched pages when it has them, else by
 * writing the guest's (and keeping the result when nm says so). With
 * keep_rip (never with packed bytes, whose sites cannot be dropped), a site
 * whose range holds that address strictly inside is left alone (the
 * trapping thread returns there).
 */
static void apply_plan(struct lbx_process *p, u64 addr, u8 *code, bool packed,
		       struct lbx_rw_plan *plan0, u64 keep_rip, const struct named *nm)
{
	struct lbx_rw_plan plan = *plan0;
	struct patch pt;
	u32 i, n;

	if (keep_rip) {
		for (i = n = 0; i < plan.n; i++) {
			u64 s = addr + plan.sites[i].start;

			if (keep_rip > s && keep_rip < s + plan.sites[i].len)
				continue;
			plan.sites[n++] = plan.sites[i];
		}
		plan.n = n;
	}
	__atomic_fetch_add(&p->sb->stats.rw_unsafe, plan.unsafe, __ATOMIC_RELAXED);
	if (!plan.n)
		goto out;
	if (nm && nm->text && !map_text(p, addr, code, packed, &plan, nm))
		goto out;
	if (!patch_prepare(p, addr, code, packed, &plan, 0, &pt)) {
		lbx_poke_guest_many(pt.pokes, pt.np);
		if (nm && nm->make && !nm->text && nm->tsize)
			make_text(p, addr, &pt, nm);
		patch_done(p, &pt, addr, plan.found);
	}
out:
	lbx_rw_plan_free(&plan);
}

/* Scans and patches the readable mapping [v->start, v->end) from the
 * guest's own bytes; marks it scanned once they could be read. */
static void rewrite_vma(struct lbx_process *p, const struct lbx_vma *v, u64 keep_rip)
{
	u64 len = v->end - v->start;
	struct lbx_rw_plan plan;
	u8 *code;

	if (len > CODE_MAX) {
		lbx_mm_set_flag(p->mm, v->start, v->end, LBX_VMA_SCANNED);
		return;
	}
	code = lbx_plat_alloc_large(len);
	if (!code)
		return;
	if (!lbx_copy_from_guest(code, v->start, len)) {
		lbx_mm_set_flag(p->mm, v->start, v->end, LBX_VMA_SCANNED);
		if (!lbx_rw_scan(code, len, &plan))
			apply_plan(p, v->start, code, false, &plan, keep_rip, NULL);
	}
	lbx_plat_free_large(code);
}

/* An lbx-rewrite output's trampolines: point their slot at the stub. */
static bool aot_region(struct lbx_process *p, u64 addr, const u8 *code, size_t len)
{
	if (!lbx_rw_is_region(code, len))
		return false;
	lbx_poke_guest(addr + LBX_RW_SLOT_OFF, &p->sb->direct_entry, 8);
	return true;
}

/* Patches code's planned sites (code: the bytes at addr) from their packed
 * bytes, which need no writable copy of the whole code; frees the plan. */
static void apply_file_plan(struct lbx_process *p, u64 addr, const u8 *code,
			    struct lbx_rw_plan *plan, const struct named *nm)
{
	size_t nbytes;
	u8 *bytes = lbx_rw_pack(code, plan, &nbytes);

	if (!bytes) {
		lbx_rw_plan_free(plan);
		return;
	}
	apply_plan(p, addr, bytes, true, plan, 0, nm);
	lbx_plat_free(bytes);
}

/*
 * The bytes [off, off + len) of f, up to its end, in place when the file's
 * data lies in the sandbox's image (nothing to allocate, clear or copy; the
 * file's size in *fsize): their length (0 past the end), or -ENODEV.
 */
static ssize_t image_code(struct lbx_file *f, u64 off, u64 len, const u8 **code, u64 *fsize)
{
	const void *data;

	if (!f->ops->image_data || f->ops->image_data(f, &data, fsize))
		return -ENODEV;
	if (off >= *fsize)
		return 0;
	*code = (const u8 *)data + off;
	return lbx_min(len, *fsize - off);
}

/*
 * Names the code at addr (n bytes of f at off, in the image, which holds
 * fsize bytes of f) when the platform can, and says whether patched pages
 * may serve it: it starts a page at a page-aligned offset, and its whole
 * pages lie in the file (so the guest sees the file's bytes up to its last
 * page, whether they were mapped or copied) and in one mapping.
 */
static void name_code(struct lbx_process *p, struct lbx_file *f, u64 addr, u64 off,
		      const u8 *code, u64 n, u64 fsize, struct lbx_plat_ident *ident,
		      struct named *nm)
{
	u64 size = LBX_ALIGN_UP(n, PG);
	struct lbx_vma v;

	memset(nm, 0, sizeof(*nm));
	if (lbx_plat_image_ident(p->sb, code, n, ident))
		return;
	nm->id = ident;
	nm->file = f;
	nm->code = code;
	nm->n = n;
	nm->off = off;
	if ((addr | off) % PG || off + size > fsize || lbx_mm_lookup(p->mm, addr, &v) ||
	    v.start > addr || v.end < addr + size)
		return;
	nm->tsize = size;
	nm->prot = v.prot;
	/* Made at a name's second use: a program started once costs no copy. */
	nm->make = lbx_rw_shared_text(p->sb->rw_shared, p->sb->rw_domain, ident, n,
				      &nm->text) == -ENODATA;
}

void lbx_linux_rewrite_file(struct lbx_process *p, struct lbx_file *f, u64 addr,
			    u64 len, u64 off)
{
	struct lbx_rw_cache *cache = p->sb->rw_cache;
	struct lbx_plat_ident ident;
	struct lbx_rw_plan plan;
	struct named nm = { 0 };
	const u8 *code;
	u8 *bytes, *buf = NULL;
	u64 fsize;
	ssize_t n;
	int ret;

	if (!p->sb->direct_entry || !len || len > CODE_MAX)
		return;
	/* The same file mapped the same way before: its plan, no scan. */
	ret = lbx_rw_cache_lookup(cache, f->inode, off, len, &plan, &bytes);
	if (ret == -ESRCH)
		return;		/* known to hold nothing worth a scan */
	/* Bytes in an image the platform can name need no compare, and
	 * may have patched pages to map. */
	n = image_code(f, off, len, &code, &fsize);
	if (n > 0)
		name_code(p, f, addr, off, code, n, fsize, &ident, &nm);
	if (!ret) {
		/* The sites' own bytes are all a patch needs. */
		apply_plan(p, addr, bytes, true, &plan, 0, &nm);
		lbx_plat_free(bytes);
		lbx_mm_set_flag(p->mm, addr, addr + len, LBX_VMA_SCANNED);
		goto out;
	}
	if (n == -ENODEV) {
		buf = lbx_plat_alloc_large(len);
		if (!buf)
			goto out;
		n = lbx_file_pread(f, buf, len, off);
		code = buf;
	}
	if (n <= 0 || aot_region(p, addr, code, n))
		goto out;
	ret = lbx_rw_shared_lookup(p->sb->rw_shared, p->sb->rw_domain, nm.id, code, n, &plan);
	if (!ret) {
		/* The same bytes, scanned in another sandbox (another start). */
		lbx_rw_cache_store(cache, f->inode, off, len, &plan, code);
		apply_file_plan(p, addr, code, &plan, &nm);
	} else if (ret == -ESRCH || !lbx_rw_worth_scanning(code, n)) {
		/* Code with no wrapper-shaped syscall waits for a first trap, if
		 * any: a full scan of a big program or library costs more than
		 * it saves. Even the look that says so reads it all: its name
		 * keeps the answer. */
		lbx_rw_cache_store(cache, f->inode, off, len, NULL, NULL);
		if (ret != -ESRCH)
			lbx_rw_shared_store_none(p->sb->rw_shared, p->sb->rw_domain, nm.id, n);
		goto out;
	} else if (!lbx_rw_scan(code, n, &plan)) {
		lbx_rw_cache_store(cache, f->inode, off, len, &plan, code);
		lbx_rw_shared_store(p->sb->rw_shared, p->sb->rw_domain, nm.id, code, n, &plan);
		apply_file_plan(p, addr, code, &plan, NULL);	/* its first use */
	}
	lbx_mm_set_flag(p->mm, addr, addr + len, LBX_VMA_SCANNED);
out:
	lbx_rw_text_put(nm.text);
	lbx_plat_free_large(buf);
}

/*
 * mprotect making file-backed code executable: no thread can be running it
 * yet, so it is patched now, as at mmap time (when it is readable and the
 * call covers the whole mapping; else its first trapped syscall does it).
 */
void lbx_linux_rewrite_mprotect(struct lbx_process *p, u64 start, u64 end)
{
	u64 pos;

	if (!p->sb->direct_entry)
		return;
	for (pos = start; pos < end;) {
		struct lbx_vma v;

		if (lbx_mm_lookup(p->mm, pos, &v))
			return;
		pos = v.end;
		/* A shared mapping's pages are the file's: not patched. */
		if (!(v.flags & LBX_VMA_FILE) || (v.flags & LBX_VMA_SCANNED) || v.obj ||
		    (v.prot & LBX_PROT_EXEC) || !(v.prot & LBX_PROT_READ) ||
		    v.start < start || v.end > end)
			continue;
		rewrite_vma(p, &v, 0);
	}
}

/*
 * At a trapped syscall: the first trap from an executable file mapping not
 * scanned yet scans it, when no other context of this process can be inside
 * a site (one thread, no signal frame outstanding). Its sites are patched
 * but the one the thread returns into.
 */
void lbx_linux_rewrite_lazy(struct lbx_sys *s)
{
	struct lbx_process *p = s->p;
	u64 rip = s->regs->rip;
	struct lbx_vma v;

	if (LBX_READ_ONCE(p->nr_threads) != 1 || s->t->sig_frames ||
	    lbx_mm_lookup(p->mm, rip - 2, &v) ||
	    (v.flags & LBX_VMA_SCANNED) || !(v.flags & LBX_VMA_FILE) || v.obj ||
	    !(v.prot & LBX_PROT_EXEC))
		return;
	/* Looked at once, whatever comes of it. */
	lbx_mm_set_flag(p->mm, v.start, v.end, LBX_VMA_SCANNED);
	if (v.prot & LBX_PROT_READ)
		rewrite_vma(p, &v, rip);
}

/*
 * After an unmap: the trampoline regions whose code is all gone go too
 * (dlclose of a library, which a program may dlopen again and again). No
 * jump can reach them any more: whatever maps code there later is patched
 * afresh. A thread still inside a trampoline's call returns into unmapped
 * memory, as it would into the unmapped library natively.
 */
void lbx_linux_rewrite_reclaim(struct lbx_process *p)
{
	u64 start, end;

	while (!lbx_mm_find_orphan(p->mm, &start, &end)) {
		/* Whole ranges of the map: neither needs to split one. Should
		 * one fail all the same, the next unmap tries again. */
		if (lbx_plat_guest_unmap(start, end - start) ||
		    lbx_mm_remove(p->mm, start, end))
			return;
	}
}
