/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall rewriter (DESIGN.md 5): an x86-64 instruction-length decoder,
 * a scanner that finds the `syscall` sites of a code range that can be
 * patched safely, and the emitter of the patches and their trampolines.
 * Portable C, no dependencies: it runs in the kernel (load and map time), in
 * lbx-run, and ahead of time in lbx-rewrite.
 *
 * A patched site is a 5-byte `jmp` over the syscall instruction and its
 * neighbours, to a trampoline that runs the displaced instructions and calls
 * the stub's direct entry instead of trapping:
 *
 *	<displaced instructions before the syscall>
 *	lea	-128(%rsp), %rsp	; keep the guest's red zone
 *	call	*slot(%rip)		; the direct entry
 *	lea	128(%rsp), %rsp
 *	jrcxz	1f			; rcx == 0: served, rax holds the result
 *	syscall				; else: the trapping path, with rax as the entry left it
 * 1:	<displaced instructions after the syscall>
 *	jmp	<end of the patched range>
 *
 * The direct entry's contract: it preserves every register but rax, rcx and
 * r11 (and the flags), and the guest's stack above rsp - 128; the guest rip
 * of the call is the address after the trampoline's syscall, so a restart
 * (rip - 2) re-executes that syscall through the trap.
 *
 * A trampoline region starts with a header: magic, the entry slot, and a
 * default entry that returns rcx = 1 (so a region whose slot was never set
 * runs every call through the real syscall instruction).
 */
#ifndef LBX_REWRITE_H
#define LBX_REWRITE_H

#include <litebox/core.h>

/* ---- the decoder ---- */

#define LBX_X86_RIPREL		0x01	/* a RIP-relative memory operand */
#define LBX_X86_REL		0x02	/* a direct relative jump/call: target known */
#define LBX_X86_CTRL		0x04	/* any control transfer (jmp, call, ret, int, ...) */
#define LBX_X86_SYSCALL		0x08	/* syscall (0f 05) */
#define LBX_X86_ENDBR		0x10	/* endbr64/endbr32: an indirect-branch target */

#define LBX_X86_MAX_LEN		15

struct lbx_x86_insn {
	u8 len;
	u8 flags;	/* LBX_X86_* */
	s32 rel;	/* LBX_X86_REL: target = address + len + rel */
};

/* Decodes the instruction at p (avail bytes readable): its length, or
 * -EINVAL for an invalid or truncated encoding (64-bit mode). */
int lbx_x86_decode(const u8 *p, size_t avail, struct lbx_x86_insn *out);

/* ---- scanning ---- */

/* One patchable site: code[start, start + len) becomes jmp + int3 filler;
 * the syscall instruction is at start + pre; the post bytes follow it. */
struct lbx_rw_site {
	u32 start;
	u8 len;
	u8 pre;
	u8 post;
};

struct lbx_rw_plan {
	struct lbx_rw_site *sites;
	u32 n;
	u32 cap;
	u32 found;	/* syscall instructions seen by the sweep */
	u32 unsafe;	/* of those, not patchable */
	u32 undecodable;	/* bytes the sweep could not decode */
};

/*
 * Sweeps code[0, len) and plans a patch for every syscall site where that is
 * provably safe: the displaced instructions are not control transfers, not
 * RIP-relative, not endbr, and no direct branch in the range targets the
 * inside of the patched range; a site near bytes the sweep could not decode
 * is left alone. Sites are sorted and do not overlap. Returns 0 or -ENOMEM.
 */
int lbx_rw_scan(const u8 *code, size_t len, struct lbx_rw_plan *plan);
void lbx_rw_plan_free(struct lbx_rw_plan *plan);

/*
 * A quick look, not a proof: does code hold a syscall in the shape system
 * call wrappers have (a number loaded into eax/rax before it, or the errno
 * check after it)? Code without one (most of a big program, libm) is not
 * worth a full scan at load time; its first trapped syscall scans it.
 */
bool lbx_rw_worth_scanning(const u8 *code, size_t len);

/* Bytes of trampoline region needed for the plan's sites [0, n). */
size_t lbx_rw_region_size(const struct lbx_rw_plan *plan, u32 n);

#define LBX_RW_MAGIC		"LBXRWTR1"	/* the region's first 8 bytes */
#define LBX_RW_HDR_SIZE		32	/* magic, slot, default entry, padding */
#define LBX_RW_SLOT_OFF		8
#define LBX_RW_DEFAULT_OFF	16
#define LBX_RW_TRAMP_FIXED	28	/* trampoline bytes beyond the displaced ones */

/* Is target within a rel32 jump from the end of a 5-byte jmp at from? */
static inline bool lbx_rw_reach(u64 from, u64 target)
{
	s64 d = (s64)(target - (from + 5));

	return d >= -(s64)0x7fff0000 && d <= (s64)0x7fff0000;
}

/* Writes a region header at region (mapped at region_addr); slot is the
 * entry address (0: the region's default entry). */
void lbx_rw_emit_header(u8 *region, u64 region_addr, u64 slot);

/*
 * Emits the trampolines of sites [0, n) into region (region_size bytes,
 * mapped at region_addr, its header written) from offset *pos on, and
 * patches a copy of the code (mapped at code_addr). Sites out of rel32
 * reach, or past the region's end, are not patched. Returns the number of
 * sites patched; *pos moves past the trampolines.
 */
u32 lbx_rw_emit(u8 *code, u64 code_addr, const struct lbx_rw_plan *plan, u32 n,
		u8 *region, u64 region_addr, size_t region_size, size_t *pos);
/*
 * The same from the sites' bytes alone: bytes holds each site's s->len
 * original bytes, in plan order (what the per-sandbox cache keeps), and is
 * patched in place, so that a cached plan needs no copy of the whole code.
 */
u32 lbx_rw_emit_packed(u8 *bytes, u64 code_addr, const struct lbx_rw_plan *plan, u32 n,
		       u8 *region, u64 region_addr, size_t region_size, size_t *posp);
/*
 * The sites' original bytes of code, packed as lbx_rw_emit_packed() takes
 * them: a new buffer (lbx_plat_free) of *nbytes bytes, or NULL.
 */
u8 *lbx_rw_pack(const u8 *code, const struct lbx_rw_plan *plan, size_t *nbytes);

/* ---- the per-sandbox cache of scan results (cache.c) ---- */
struct lbx_rw_cache;
struct lbx_inode;
int lbx_rw_cache_create(struct lbx_rw_cache **out);
void lbx_rw_cache_destroy(struct lbx_rw_cache *c);
/*
 * The plan of inode's bytes [off, off + len) as scanned before, while the
 * file is unchanged: 0 with a copy of the plan and of the sites' original
 * bytes (the caller frees both: lbx_rw_plan_free, lbx_plat_free); -ESRCH
 * when it was found not worth a scan; -ENOENT when unknown.
 */
int lbx_rw_cache_lookup(struct lbx_rw_cache *c, struct lbx_inode *inode, u64 off, u64 len,
			struct lbx_rw_plan *plan, u8 **bytes);
/* Remembers a scan (plan NULL: not worth one) of code, the file's bytes. */
void lbx_rw_cache_store(struct lbx_rw_cache *c, struct lbx_inode *inode, u64 off, u64 len,
			const struct lbx_rw_plan *plan, const u8 *code);

/* ---- scan results shared between sandboxes (shared.c) ---- */
struct lbx_rw_shared;
struct lbx_plat_ident;
struct lbx_rw_shared_stats {
	u64 hits, misses, stores, evictions;
	u64 ident_hits;	/* of the hits, found by identity with no compare */
	u64 none_hits;	/* code known by identity to need no scan */
	u64 entries;	/* now */
	u64 bytes;	/* code and patched text held now */
	u64 texts;	/* entries with patched text now */
	u64 text_maps;	/* patched texts handed out */
};
/* A cache holding at most max_bytes of code (an entry at most a quarter). */
int lbx_rw_shared_create(size_t max_bytes, struct lbx_rw_shared **out);
void lbx_rw_shared_destroy(struct lbx_rw_shared *sh);
/*
 * The plan made before for code byte-identical to code[0, len), stored in
 * the same domain: 0 with a copy of the plan (lbx_rw_plan_free), -ENOENT
 * when there is none (or sh is NULL), -ENOMEM. With id (the platform's
 * identity of the bytes, lbx_plat_image_ident(), or NULL), an entry known
 * by that identity is taken without comparing the code, and an entry
 * found by comparing learns it; -ESRCH when that identity is known to
 * name code not worth a scan (lbx_rw_shared_store_none()).
 */
int lbx_rw_shared_lookup(struct lbx_rw_shared *sh, u64 domain,
			 const struct lbx_plat_ident *id, const u8 *code,
			 size_t len, struct lbx_rw_plan *plan);
/* Remembers plan as the scan of code[0, len) in domain (copies both), known
 * by id too when it is not NULL. */
void lbx_rw_shared_store(struct lbx_rw_shared *sh, u64 domain,
			 const struct lbx_plat_ident *id, const u8 *code,
			 size_t len, const struct lbx_rw_plan *plan);
/* Remembers that the code id names (len bytes) is not worth a scan. */
void lbx_rw_shared_store_none(struct lbx_rw_shared *sh, u64 domain,
			      const struct lbx_plat_ident *id, size_t len);
void lbx_rw_shared_get_stats(struct lbx_rw_shared *sh, struct lbx_rw_shared_stats *st);

/*
 * Patched text: the whole pages of a named piece of code as a guest sees
 * them once patched (the sites turned into jumps to trampolines placed
 * delta bytes from the code), in a shared memory object. A sandbox that
 * can put its trampolines at the same distance maps these pages
 * copy-on-write over its own instead of patching them: a patch of a
 * file-backed page costs the guest a page of its own, cleared and copied.
 * The jumps are relative, so the same pages serve the code at any address.
 * Made only for code the platform names (lbx_plat_image_ident()), and used
 * only under the very name it was made from: the name vouches for the
 * file's bytes past the code too, up to its last page.
 */
struct lbx_rw_text {
	u32 refs;
	struct lbx_plat_shm *shm;
	u64 size;			/* whole pages */
	s64 delta;			/* trampoline region - code */
	u32 done;			/* sites patched in it */
	struct lbx_plat_ident id;	/* the name it serves */
};
/*
 * A text of size bytes (whole pages) from pages (the unpatched bytes, as
 * the guest would see them at base), with the n writes of pokes (guest
 * addresses from base on) made in it: 0 and *out (one reference).
 */
int lbx_rw_text_create(const u8 *pages, u64 size, u64 base, const struct lbx_poke *pokes,
		       u32 n, s64 delta, u32 done, const struct lbx_plat_ident *id,
		       struct lbx_rw_text **out);
void lbx_rw_text_put(struct lbx_rw_text *t);
/* The text of the entry known by id (of len bytes of code) in domain: 0
 * and *t (a reference), -ENODATA when that entry has none (yet), -ENOENT
 * when there is no such entry. */
int lbx_rw_shared_text(struct lbx_rw_shared *sh, u64 domain, const struct lbx_plat_ident *id,
		       size_t len, struct lbx_rw_text **t);
/* Gives t (a reference of its own) to the entry known by id, when it has
 * none and t's pages fit the budget; false when t was not taken. */
bool lbx_rw_shared_set_text(struct lbx_rw_shared *sh, u64 domain,
			    const struct lbx_plat_ident *id, size_t len,
			    struct lbx_rw_text *t);

/* Is buf (len bytes) the start of a trampoline region? */
bool lbx_rw_is_region(const u8 *buf, size_t len);

#endif
