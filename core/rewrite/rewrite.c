// SPDX-License-Identifier: GPL-2.0
/*
 * Planning and emitting syscall patches (litebox/rewrite.h has the picture).
 *
 * The scan is a linear sweep, as compilers lay code out. Two passes: the
 * first collects every direct branch target, the second finds the syscall
 * instructions and chooses the instructions to displace around each. A site
 * is patched only when the patch cannot be observed: the displaced
 * instructions run the same anywhere (no control transfer, no RIP-relative
 * operand, no endbr), and no direct branch lands inside the patched range
 * (only at its start, which becomes the jmp). Indirect branch targets are
 * marked by endbr64 in CET-built code, which is never displaced; code the
 * sweep could not decode poisons the sites that follow it for a while.
 */
#include <litebox/errno.h>
#include <litebox/platform.h>
#include <litebox/rewrite.h>
#include <litebox/string.h>

#define JMP_LEN		5
#define RING		4	/* instructions remembered before a syscall */
#define MAX_RANGE	(JMP_LEN + 14)
#define POISON		128	/* bytes after an undecodable one left alone */

struct prev_insn {
	u32 off;
	u8 len;
	u8 flags;
};

static bool is_target(const u8 *bm, u32 off)
{
	return bm[off / 8] & (1u << (off % 8));
}

/* Can this instruction run from a trampoline unchanged? */
static bool displaceable(u8 flags)
{
	return !(flags & (LBX_X86_CTRL | LBX_X86_RIPREL | LBX_X86_ENDBR |
			  LBX_X86_SYSCALL));
}

/* Makes room for one more element in a growing array (*n used, *cap held). */
static int grow(void **arr, u32 n, u32 *cap, size_t elem)
{
	u32 ncap;
	void *a;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > (1u << 24))
		return -ENOMEM;
	a = lbx_plat_alloc(ncap * elem);
	if (!a)
		return -ENOMEM;
	if (n)
		memcpy(a, *arr, n * elem);
	lbx_plat_free(*arr);
	*arr = a;
	*cap = ncap;
	return 0;
}

static int add_site(struct lbx_rw_plan *plan, u32 start, u8 len, u8 pre, u8 post)
{
	int ret = grow((void **)&plan->sites, plan->n, &plan->cap, sizeof(*plan->sites));

	if (ret)
		return ret;
	plan->sites[plan->n++] = (struct lbx_rw_site){
		.start = start, .len = len, .pre = pre, .post = post,
	};
	return 0;
}

/* Displaces instructions before the syscall at off (ring[0] is the one
 * right before it). Returns the start of the range, or -1. */
static s64 plan_pre(const struct prev_insn *ring, u32 nring, u32 off,
		    const u8 *targets, u32 min_start)
{
	u32 pre = 0, k;

	if (is_target(targets, off))
		return -1;	/* something jumps to the syscall itself */
	for (k = 0; k < nring; k++) {
		const struct prev_insn *pi = &ring[k];

		if (pi->off + pi->len != off - pre || !displaceable(pi->flags) ||
		    pi->off < min_start)
			return -1;
		pre += pi->len;
		if (pre + 2 >= JMP_LEN)
			return pre + 2 <= MAX_RANGE ? (s64)pi->off : -1;
		if (is_target(targets, pi->off))
			return -1;	/* inside the range, unless it is the start */
	}
	return -1;
}

/* Displaces instructions after the syscall at off. Returns the post bytes,
 * or -1. */
static int plan_post(const u8 *code, u32 len, u32 off, const u8 *targets)
{
	u32 at = off + 2;
	int post = 0;

	while (2 + post < JMP_LEN) {
		struct lbx_x86_insn in;
		int n;

		if (at >= len || is_target(targets, at))
			return -1;
		n = lbx_x86_decode(code + at, len - at, &in);
		if (n < 0 || !displaceable(in.flags))
			return -1;
		post += n;
		at += n;
	}
	return 2 + post <= MAX_RANGE ? post : -1;
}

/* A syscall the sweep met, with the instructions right before it. */
struct candidate {
	u32 off;
	u32 nring;
	struct prev_insn ring[RING];	/* ring[0]: the one right before */
};

static int add_candidate(struct candidate **c, u32 *n, u32 *cap,
			 const struct candidate *cand)
{
	int ret = grow((void **)c, *n, cap, sizeof(**c));

	if (ret)
		return ret;
	(*c)[(*n)++] = *cand;
	return 0;
}

/*
 * One sweep collects the direct branch targets and the syscall sites (with
 * the instructions before each); the sites are then judged against the
 * complete target map.
 */
int lbx_rw_scan(const u8 *code, size_t len, struct lbx_rw_plan *plan)
{
	struct prev_insn ring[RING];
	struct candidate *cands = NULL, cand;
	u32 head = 0, nring = 0, off, ncand = 0, capcand = 0, i, k, min_start = 0;
	s64 poisoned_until = -1;
	u8 *targets;
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	if (len > 0x7fffffff)
		return -EFBIG;
	targets = lbx_plat_alloc_large(len / 8 + 1);
	if (!targets)
		return -ENOMEM;
	memset(targets, 0, len / 8 + 1);

	for (off = 0; off < len && !ret;) {
		struct lbx_x86_insn in;
		int n = lbx_x86_decode(code + off, len - off, &in);

		if (n < 0) {
			plan->undecodable++;
			poisoned_until = (s64)off + POISON;
			nring = 0;
			off++;
			continue;
		}
		if (in.flags & LBX_X86_REL) {
			s64 t = (s64)off + n + in.rel;

			if (t >= 0 && t < (s64)len)
				targets[t / 8] |= 1u << (t % 8);
		}
		if ((in.flags & LBX_X86_SYSCALL) && n == 2) {
			plan->found++;
			if ((s64)off > poisoned_until) {
				cand.off = off;
				cand.nring = nring;
				for (k = 0; k < nring; k++)
					cand.ring[k] = ring[(head + RING - 1 - k) % RING];
				ret = add_candidate(&cands, &ncand, &capcand, &cand);
			} else {
				plan->unsafe++;
			}
			nring = 0;
			off += n;
			continue;
		}
		ring[head] = (struct prev_insn){ .off = off, .len = in.len, .flags = in.flags };
		head = (head + 1) % RING;
		if (nring < RING)
			nring++;
		off += n;
	}

	for (i = 0; i < ncand && !ret; i++) {
		const struct candidate *c = &cands[i];
		s64 start = plan_pre(c->ring, c->nring, c->off, targets, min_start);
		int post = -1;

		if (start < 0)
			post = plan_post(code, len, c->off, targets);
		if (start >= 0) {
			ret = add_site(plan, (u32)start, c->off + 2 - (u32)start,
				       c->off - (u32)start, 0);
			min_start = c->off + 2;
		} else if (post >= 0 && (i + 1 == ncand || c->off + 2 + post <= cands[i + 1].off)) {
			ret = add_site(plan, c->off, 2 + post, 0, post);
			min_start = c->off + 2 + post;
		} else {
			plan->unsafe++;
		}
	}
	lbx_plat_free(cands);
	lbx_plat_free_large(targets);
	if (ret)
		lbx_rw_plan_free(plan);
	return ret;
}

bool lbx_rw_worth_scanning(const u8 *code, size_t len)
{
	const u8 *p = code, *end = code + len;

	while (p + 1 < end) {
		p = memchr(p, 0x0f, end - 1 - p);
		if (!p)
			break;
		if (p[1] == 0x05) {
			/* mov $nr, %eax (nr < 65536) or mov $nr, %rax before it */
			if (p - code >= 5 && p[-5] == 0xb8 && !p[-2] && !p[-1])
				return true;
			if (p - code >= 7 && p[-7] == 0x48 && p[-6] == 0xc7 && p[-5] == 0xc0)
				return true;
			/* cmp $-4095 (or -4096), %rax after it */
			if (end - p >= 8 && p[2] == 0x48 && p[3] == 0x3d && p[6] == 0xff && p[7] == 0xff)
				return true;
		}
		p++;
	}
	return false;
}

void lbx_rw_plan_free(struct lbx_rw_plan *plan)
{
	lbx_plat_free(plan->sites);
	plan->sites = NULL;
	plan->n = plan->cap = 0;
}

u8 *lbx_rw_pack(const u8 *code, const struct lbx_rw_plan *plan, size_t *nbytes)
{
	size_t len = 0, at = 0;
	u32 i;
	u8 *b;

	for (i = 0; i < plan->n; i++)
		len += plan->sites[i].len;
	b = lbx_plat_alloc(lbx_max(len, (size_t)1));
	if (!b)
		return NULL;
	for (i = 0; i < plan->n; i++) {
		memcpy(b + at, code + plan->sites[i].start, plan->sites[i].len);
		at += plan->sites[i].len;
	}
	*nbytes = len;
	return b;
}

size_t lbx_rw_region_size(const struct lbx_rw_plan *plan, u32 n)
{
	size_t size = LBX_RW_HDR_SIZE;
	u32 i;

	for (i = 0; i < n && i < plan->n; i++)
		size += plan->sites[i].pre + plan->sites[i].post + LBX_RW_TRAMP_FIXED;
	return size;
}

static void put32(u8 *p, s32 v)
{
	u32 u = (u32)v;

	p[0] = u;
	p[1] = u >> 8;
	p[2] = u >> 16;
	p[3] = u >> 24;
}

static void put64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

bool lbx_rw_is_region(const u8 *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, LBX_RW_MAGIC, 8);
}

void lbx_rw_emit_header(u8 *region, u64 region_addr, u64 slot)
{
	static const u8 default_entry[] = { 0xb9, 0x01, 0x00, 0x00, 0x00, 0xc3 };

	memset(region, 0xcc, LBX_RW_HDR_SIZE);
	memcpy(region, LBX_RW_MAGIC, 8);
	put64(region + LBX_RW_SLOT_OFF, slot ? slot : region_addr + LBX_RW_DEFAULT_OFF);
	memcpy(region + LBX_RW_DEFAULT_OFF, default_entry, sizeof(default_entry));
}

/*
 * Emits site s's trampoline at region + *pos and turns the site's bytes at
 * b (s->len of them: the original instructions, read before they are
 * overwritten) into the jump to it. False when the site is out of reach
 * (nothing changes) or the region is full (*full set).
 */
static bool emit_site(u8 *b, u64 site, const struct lbx_rw_site *s, u8 *region,
		      u64 region_addr, size_t region_size, size_t *pos, bool *full)
{
	u64 back = site + s->len;
	size_t need = s->pre + s->post + LBX_RW_TRAMP_FIXED;
	u64 t = region_addr + *pos;
	u8 *p = region + *pos;

	if (*pos + need > region_size) {
		*full = true;
		return false;
	}
	if (!lbx_rw_reach(site, t) || !lbx_rw_reach(t + need - JMP_LEN, back))
		return false;
	memcpy(p, b, s->pre);
	p += s->pre;
	/* lea -0x80(%rsp), %rsp */
	memcpy(p, "\x48\x8d\x64\x24\x80", 5);
	p += 5;
	/* call *slot(%rip) */
	p[0] = 0xff;
	p[1] = 0x15;
	put32(p + 2, (s32)(s64)(region_addr + LBX_RW_SLOT_OFF -
			       (region_addr + (p + 6 - region))));
	p += 6;
	/* lea 0x80(%rsp), %rsp */
	memcpy(p, "\x48\x8d\xa4\x24\x80\x00\x00\x00", 8);
	p += 8;
	/* jrcxz 1f; syscall; 1: */
	memcpy(p, "\xe3\x02\x0f\x05", 4);
	p += 4;
	memcpy(p, b + s->pre + 2, s->post);
	p += s->post;
	/* jmp back */
	p[0] = 0xe9;
	put32(p + 1, (s32)(s64)(back - (region_addr + (p + 5 - region))));
	*pos += need;

	b[0] = 0xe9;
	put32(b + 1, (s32)(s64)(t - (site + JMP_LEN)));
	memset(b + JMP_LEN, 0xcc, s->len - JMP_LEN);
	return true;
}

static u32 emit(u8 *code, bool packed, u64 code_addr, const struct lbx_rw_plan *plan,
		u32 n, u8 *region, u64 region_addr, size_t region_size, size_t *posp)
{
	size_t pos = lbx_max(*posp, (size_t)LBX_RW_HDR_SIZE), at = 0;
	bool full = false;
	u32 i, done = 0;

	for (i = 0; i < n && i < plan->n && !full; i++) {
		const struct lbx_rw_site *s = &plan->sites[i];

		if (emit_site(code + (packed ? at : s->start), code_addr + s->start, s,
			      region, region_addr, region_size, &pos, &full))
			done++;
		at += s->len;
	}
	*posp = pos;
	return done;
}

u32 lbx_rw_emit(u8 *code, u64 code_addr, const struct lbx_rw_plan *plan, u32 n,
		u8 *region, u64 region_addr, size_t region_size, size_t *posp)
{
	return emit(code, false, code_addr, plan, n, region, region_addr, region_size, posp);
}

u32 lbx_rw_emit_packed(u8 *bytes, u64 code_addr, const struct lbx_rw_plan *plan, u32 n,
		       u8 *region, u64 region_addr, size_t region_size, size_t *posp)
{
	return emit(bytes, true, code_addr, plan, n, region, region_addr, region_size, posp);
}
