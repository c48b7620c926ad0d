// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall rewriter: the instruction-length decoder against known
 * encodings and random bytes, the scanner's safety rules, and patched code
 * executed for real (through a test entry and through the real syscall).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <litebox/errno.h>
#include <litebox/rewrite.h>
#include "lbx_test.h"

#define EXPECT_LE(a, b) LBX__CMP(0, a, <=, b)

struct enc {
	const char *bytes;
	int len;
	int flags;
};

/* Encodings checked against objdump; flags the decoder must report. */
static const struct enc encs[] = {
	{ "\x0f\x05", 2, LBX_X86_SYSCALL | LBX_X86_CTRL },
	{ "\xb8\x27\x00\x00\x00", 5, 0 },			/* mov $0x27,%eax */
	{ "\x48\xc7\xc0\x0f\x00\x00\x00", 7, 0 },		/* mov $0xf,%rax */
	{ "\x48\xb8\x01\x02\x03\x04\x05\x06\x07\x08", 10, 0 },	/* movabs */
	{ "\x66\xb8\x34\x12", 4, 0 },				/* mov $0x1234,%ax */
	{ "\x48\x3d\x01\xf0\xff\xff", 6, 0 },			/* cmp $-4095,%rax */
	{ "\x4c\x8b\x4c\x24\x08", 5, 0 },			/* mov 0x8(%rsp),%r9 */
	{ "\x48\x8b\x05\x10\x00\x00\x00", 7, LBX_X86_RIPREL },	/* mov 0x10(%rip),%rax */
	{ "\x48\x8d\x3d\x00\x00\x00\x00", 7, LBX_X86_RIPREL },	/* lea (%rip),%rdi */
	{ "\xe8\x00\x00\x00\x00", 5, LBX_X86_REL | LBX_X86_CTRL },	/* call */
	{ "\xe9\xfb\xff\xff\xff", 5, LBX_X86_REL | LBX_X86_CTRL },	/* jmp */
	{ "\xeb\xfe", 2, LBX_X86_REL | LBX_X86_CTRL },		/* jmp . */
	{ "\x74\x05", 2, LBX_X86_REL | LBX_X86_CTRL },		/* je */
	{ "\x0f\x84\x00\x01\x00\x00", 6, LBX_X86_REL | LBX_X86_CTRL },	/* je rel32 */
	{ "\xe3\x02", 2, LBX_X86_REL | LBX_X86_CTRL },		/* jrcxz */
	{ "\xc3", 1, LBX_X86_CTRL },				/* ret */
	{ "\xc2\x08\x00", 3, LBX_X86_CTRL },			/* ret $8 */
	{ "\xff\xe0", 2, LBX_X86_CTRL },			/* jmp *%rax */
	{ "\xff\x15\x00\x00\x00\x00", 6, LBX_X86_CTRL | LBX_X86_RIPREL },	/* call *(%rip) */
	{ "\xff\xc0", 2, 0 },					/* inc %eax */
	{ "\xf3\x0f\x1e\xfa", 4, LBX_X86_ENDBR },		/* endbr64 */
	{ "\x0f\x1f\x44\x00\x00", 5, 0 },			/* nopl 0(%rax,%rax) */
	{ "\x66\x0f\x1f\x84\x00\x00\x00\x00\x00", 9, 0 },	/* nopw */
	{ "\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00", 10, 0 },	/* cs nopw */
	{ "\xf6\x05\x00\x00\x00\x00\x01", 7, LBX_X86_RIPREL },	/* testb $1,(%rip) */
	{ "\xf7\xc1\x00\x00\x01\x00", 6, 0 },			/* test $0x10000,%ecx */
	{ "\xf7\xd8", 2, 0 },					/* neg %eax */
	{ "\xc8\x10\x00\x00", 4, 0 },				/* enter */
	{ "\xa1\x00\x00\x00\x00\x00\x00\x00\x00", 9, 0 },	/* movabs 0x0,%eax */
	{ "\x67\xa1\x00\x00\x00\x00", 6, 0 },			/* addr32 mov */
	{ "\xc5\xf9\x6f\x04\x24", 5, 0 },			/* vmovdqa (%rsp),%xmm0 */
	{ "\xc4\xe2\x7d\x58\xc0", 5, 0 },			/* vpbroadcastd %xmm0,%ymm0 */
	{ "\xc4\xe3\x7d\x39\xc1\x01", 6, 0 },			/* vextracti128 $1 */
	{ "\xc5\xf8\x77", 3, 0 },				/* vzeroupper */
	{ "\x62\xf1\xfd\x48\x6f\x04\x24", 7, 0 },		/* vmovdqa64 (%rsp),%zmm0 */
	{ "\x62\xb1\xfe\x28\x6f\x44\x24\x01", 8, 0 },		/* vmovdqu64 0x20(%rsp),%ymm16 */
	{ "\x66\x0f\x3a\x0f\xc1\x08", 6, 0 },			/* palignr $8 */
	{ "\x66\x0f\x38\x00\xc1", 5, 0 },			/* pshufb */
	{ "\x0f\x0b", 2, LBX_X86_CTRL },			/* ud2 */
	{ "\xcd\x80", 2, LBX_X86_CTRL },			/* int $0x80 */
	{ "\xf0\x48\x0f\xb1\x16", 5, 0 },			/* lock cmpxchg */
	{ "\x64\x48\x8b\x04\x25\x28\x00\x00\x00", 9, 0 },	/* mov %fs:0x28,%rax */
	{ "\xc7\xf8\x00\x00\x00\x00", 6, LBX_X86_REL | LBX_X86_CTRL },	/* xbegin */
	{ "\x48\x69\xc0\x10\x27\x00\x00", 7, 0 },		/* imul $10000 */
	{ "\x0f\xba\xe0\x03", 4, 0 },				/* bt $3,%eax */
	{ "\x8f\x40\x00", 3, 0 },				/* pop 0(%rax) */
};

TEST(decode_known_encodings)
{
	size_t i;

	for (i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		struct lbx_x86_insn in;
		int n = lbx_x86_decode((const u8 *)encs[i].bytes, encs[i].len, &in);

		if (n != encs[i].len || in.flags != encs[i].flags)
			printf("#   encoding %zu: len %d flags %#x (want %d %#x)\n", i, n,
			       in.flags, encs[i].len, encs[i].flags);
		EXPECT_EQ(n, encs[i].len);
		EXPECT_EQ(in.flags, encs[i].flags);
		/* One byte short is truncated, never a shorter instruction. */
		EXPECT_EQ(lbx_x86_decode((const u8 *)encs[i].bytes, encs[i].len - 1, &in),
			  -EINVAL);
	}
}

TEST(decode_rejects_invalid)
{
	static const char *bad[] = { "\x06", "\x27", "\x62", "\xd6", "\xce",
				     "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90" };
	struct lbx_x86_insn in;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(lbx_x86_decode((const u8 *)bad[i], strlen(bad[i]), &in), -EINVAL);
	EXPECT_EQ(lbx_x86_decode((const u8 *)"", 0, &in), -EINVAL);
}

/* Random bytes: never past the buffer (ASan), never longer than 15. */
TEST(decode_random_bytes)
{
	unsigned int seed = 12345, i, j;

	for (i = 0; i < 200000; i++) {
		u8 *buf;
		size_t n = 1 + i % 16;
		struct lbx_x86_insn in;
		int r;

		buf = malloc(n);
		ASSERT_NOT_NULL(buf);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = seed >> 16;
		}
		r = lbx_x86_decode(buf, n, &in);
		free(buf);
		if (r >= 0) {
			ASSERT_LE(r, (int)n);
			ASSERT_LE(r, LBX_X86_MAX_LEN);
			ASSERT_GT(r, 0);
		} else {
			ASSERT_EQ(r, -EINVAL);
		}
	}
}

static void scan(const char *code, size_t len, struct lbx_rw_plan *plan)
{
	ASSERT_EQ(lbx_rw_scan((const u8 *)code, len, plan), 0);
}

TEST(scan_chooses_safe_ranges)
{
	struct lbx_rw_plan plan;
	/* mov $0x27,%eax; syscall; ret */
	static const char pre[] = "\xb8\x27\x00\x00\x00\x0f\x05\xc3";
	/* xor %eax,%eax; syscall; cmp $-4095,%rax; ret */
	static const char post[] = "\x31\xc0\x0f\x05\x48\x3d\x01\xf0\xff\xff\xc3";
	/* lea (%rip),%rax; syscall; ret: neither side can move */
	static const char riprel[] = "\x48\x8d\x05\x00\x00\x00\x00\x0f\x05\xc3";
	/* je to the syscall itself: mov $1,%eax; je .-? -> lands on syscall */
	static const char target[] = "\x74\x05\xb8\x27\x00\x00\x00\x0f\x05\xc3";
	/* an endbr64 in front: never displaced */
	static const char endbr[] = "\xf3\x0f\x1e\xfa\x0f\x05\xc3";

	scan(pre, sizeof(pre) - 1, &plan);
	ASSERT_EQ(plan.found, 1);
	ASSERT_EQ(plan.n, 1);
	EXPECT_EQ(plan.sites[0].start, 0);
	EXPECT_EQ(plan.sites[0].len, 7);
	EXPECT_EQ(plan.sites[0].pre, 5);
	lbx_rw_plan_free(&plan);

	scan(post, sizeof(post) - 1, &plan);
	ASSERT_EQ(plan.n, 1);
	EXPECT_EQ(plan.sites[0].start, 2);
	EXPECT_EQ(plan.sites[0].pre, 0);
	EXPECT_EQ(plan.sites[0].post, 6);
	lbx_rw_plan_free(&plan);

	scan(riprel, sizeof(riprel) - 1, &plan);
	EXPECT_EQ(plan.found, 1);
	EXPECT_EQ(plan.n, 0);
	EXPECT_EQ(plan.unsafe, 1);
	lbx_rw_plan_free(&plan);

	/* je +5 from offset 2 lands at 7, the syscall: pre is unsafe; the
	 * post side (ret) is a control transfer: nothing to patch. */
	scan(target, sizeof(target) - 1, &plan);
	EXPECT_EQ(plan.n, 0);
	lbx_rw_plan_free(&plan);

	scan(endbr, sizeof(endbr) - 1, &plan);
	EXPECT_EQ(plan.n, 0);
	lbx_rw_plan_free(&plan);
}

/* Two syscalls back to back: the ranges must not overlap. */
TEST(scan_no_overlap)
{
	static const char two[] = "\xb8\x27\x00\x00\x00\x0f\x05\xb8\x6e\x00\x00\x00\x0f\x05\xc3";
	struct lbx_rw_plan plan;

	scan(two, sizeof(two) - 1, &plan);
	ASSERT_EQ(plan.n, 2);
	EXPECT_LE(plan.sites[0].start + plan.sites[0].len, plan.sites[1].start);
	lbx_rw_plan_free(&plan);
}

/* The test's direct entry: answers 4242 in rax, rcx = 0 (served). It must
 * keep every other register, as the stub's does. */
__asm__(".text\n"
	".globl test_direct_entry\n"
	"test_direct_entry:\n"
	"	cmp $39, %eax\n"		/* only getpid is "served" */
	"	jne 1f\n"
	"	mov $4242, %eax\n"
	"	xor %ecx, %ecx\n"
	"	ret\n"
	"1:	mov $1, %ecx\n"			/* else: take the real syscall */
	"	ret\n");
void test_direct_entry(void);

/*
 * Patched code runs: a function `mov $N,%eax; syscall; ret` in an
 * executable page, patched with a trampoline region next to it. Through
 * the test entry getpid answers 4242; getppid goes on to the real syscall;
 * with the region's default entry every call is the real one.
 */
TEST(patched_code_runs)
{
	static const u8 fn_getpid[] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	static const u8 fn_getppid[] = { 0xb8, 110, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	size_t pg = 4096, pos;
	u8 *mem, *region;
	struct lbx_rw_plan plan;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		long (*f1)(void), (*f2)(void);

		mem = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_TRUE(mem != MAP_FAILED);
		region = mem + pg;
		memset(mem, 0xcc, pg);
		memcpy(mem, fn_getpid, sizeof(fn_getpid));
		memcpy(mem + 16, fn_getppid, sizeof(fn_getppid));
		ASSERT_EQ(lbx_rw_scan(mem, 32, &plan), 0);
		ASSERT_EQ(plan.n, 2);
		lbx_rw_emit_header(region, (uintptr_t)region,
				   pass ? 0 : (uintptr_t)test_direct_entry);
		pos = 0;
		ASSERT_EQ(lbx_rw_emit(mem, (uintptr_t)mem, &plan, plan.n, region,
				      (uintptr_t)region, pg, &pos), 2);
		EXPECT_EQ(pos, LBX_RW_HDR_SIZE + 2 * (5 + LBX_RW_TRAMP_FIXED));
		EXPECT_EQ(mem[0], 0xe9);
		EXPECT_EQ(mem[16], 0xe9);
		EXPECT_TRUE(lbx_rw_is_region(region, pg));
		lbx_rw_plan_free(&plan);
		f1 = (long (*)(void))(void *)mem;
		f2 = (long (*)(void))(void *)(mem + 16);
		EXPECT_EQ(f1(), pass ? getpid() : 4242);
		EXPECT_EQ(f2(), getppid());
		munmap(mem, 2 * pg);
	}
}

/* A region out of rel32 reach patches nothing. */
TEST(emit_respects_reach)
{
	static const u8 code0[] = { 0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xc3 };
	u8 code[sizeof(code0)], region[256];
	struct lbx_rw_plan plan;
	size_t pos = 0;

	memcpy(code, code0, sizeof(code));
	ASSERT_EQ(lbx_rw_scan(code, sizeof(code), &plan), 0);
	ASSERT_EQ(plan.n, 1);
	lbx_rw_emit_header(region, 0x7f0000000000ULL, 0);
	EXPECT_EQ(lbx_rw_emit(code, 0x400000, &plan, plan.n, region, 0x7f0000000000ULL,
			      sizeof(region), &pos), 0);
	EXPECT_EQ(memcmp(code, code0, sizeof(code)), 0);
	lbx_rw_plan_free(&plan);
}

/* Code of n bytes: nops with a wrapper-shaped syscall every 64 bytes. */
static unsigned char *make_code(size_t n, unsigned char fill)
{
	static const unsigned char site[] = "\xb8\x27\x00\x00\x00\x0f\x05";
	unsigned char *c = malloc(n);
	size_t at;

	memset(c, fill, n);
	for (at = 0; at + 7 <= n; at += 64)
		memcpy(c + at, site, 7);
	return c;
}

static void shared_store_scan(struct lbx_rw_shared *sh, u64 domain,
			      const unsigned char *code, size_t n)
{
	struct lbx_rw_plan plan;

	ASSERT_EQ(lbx_rw_scan(code, n, &plan), 0);
	lbx_rw_shared_store(sh, domain, NULL, code, n, &plan);
	lbx_rw_plan_free(&plan);
}

/* Plans are found for byte-identical code of the same domain only. */
TEST(shared_cache_exact_match)
{
	struct lbx_rw_shared *sh;
	struct lbx_rw_shared_stats st;
	struct lbx_rw_plan plan, want;
	unsigned char *a = make_code(8192, 0x90), *b;

	ASSERT_EQ(lbx_rw_shared_create(1 << 20, &sh), 0);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, a, 8192, &plan), -ENOENT);
	shared_store_scan(sh, 1, a, 8192);

	ASSERT_EQ(lbx_rw_scan(a, 8192, &want), 0);
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, a, 8192, &plan), 0);
	ASSERT_EQ(plan.n, want.n);
	EXPECT_EQ(plan.found, want.found);
	EXPECT_EQ(plan.unsafe, want.unsafe);
	ASSERT_MEMEQ(plan.sites, want.sites, want.n * sizeof(*want.sites));
	lbx_rw_plan_free(&plan);

	/* Another copy of the same bytes is a hit; another domain is not. */
	b = malloc(8192);
	memcpy(b, a, 8192);
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, b, 8192, &plan), 0);
	lbx_rw_plan_free(&plan);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 2, NULL, b, 8192, &plan), -ENOENT);
	/* A prefix is not the code. */
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, b, 4096, &plan), -ENOENT);
	/* One byte changed where the sampled windows do not look (offset
	 * 100: between the first and second window): still a miss. */
	b[100] ^= 0xff;
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, b, 8192, &plan), -ENOENT);
	EXPECT_EQ(plan.sites, NULL);

	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.hits, 2);
	EXPECT_EQ(st.misses, 4);
	EXPECT_EQ(st.stores, 1);
	EXPECT_EQ(st.entries, 1);
	EXPECT_EQ(st.bytes, 8192);
	/* The same code stored again (two sandboxes at once): one entry. */
	shared_store_scan(sh, 1, a, 8192);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 1);

	lbx_rw_plan_free(&want);
	lbx_rw_shared_destroy(sh);
	free(a);
	free(b);
}

/*
 * A platform's identity of the bytes finds an entry without comparing them
 * (so the test gives bytes that differ, which only the compare would see);
 * an entry learns it from a store or a compare that matched; another
 * identity, domain or length does not match it.
 */
TEST(shared_cache_identity)
{
	struct lbx_plat_ident id1 = { { 1, 2, 3, 4, 5, 8192, 0, 8192 } };
	struct lbx_plat_ident id2 = id1, id3 = id1;
	struct lbx_rw_shared *sh;
	struct lbx_rw_shared_stats st;
	struct lbx_rw_plan plan, want;
	unsigned char *a = make_code(8192, 0x90), *other = make_code(8192, 0x91);

	id2.v[3]++;	/* the same file, its ctime moved: changed */
	id3.v[6] = 4096;	/* another offset in the image */
	ASSERT_EQ(lbx_rw_scan(a, 8192, &want), 0);
	ASSERT_EQ(lbx_rw_shared_create(1 << 20, &sh), 0);
	/* Stored with id1: a lookup by id1 takes it whatever the bytes. */
	lbx_rw_shared_store(sh, 1, &id1, a, 8192, &want);
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, &id1, other, 8192, &plan), 0);
	ASSERT_EQ(plan.n, want.n);
	ASSERT_MEMEQ(plan.sites, want.sites, want.n * sizeof(*want.sites));
	lbx_rw_plan_free(&plan);
	/* Not from another domain, length, identity: those compare. */
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 2, &id1, a, 8192, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id1, a, 4096, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id2, other, 8192, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id3, other, 8192, &plan), -ENOENT);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.hits, 1);
	EXPECT_EQ(st.ident_hits, 1);
	/* id2 with the right bytes: a hit by compare, and id2 is learnt... */
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, &id2, a, 8192, &plan), 0);
	lbx_rw_plan_free(&plan);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.hits, 2);
	EXPECT_EQ(st.ident_hits, 1);
	/* ...so the next lookup by id2 needs no compare. */
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, &id2, other, 8192, &plan), 0);
	lbx_rw_plan_free(&plan);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.ident_hits, 2);
	/* Without an identity, bytes are compared as ever. */
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, other, 8192, &plan), -ENOENT);
	lbx_rw_shared_destroy(sh);
	lbx_rw_plan_free(&want);
	free(a);
	free(other);
}

/* The byte budget: least recently used entries go; oversized code is
 * never kept. */
TEST(shared_cache_evicts_lru)
{
	struct lbx_rw_shared *sh;
	struct lbx_rw_shared_stats st;
	struct lbx_rw_plan plan;
	unsigned char *c[5];
	int i;

	ASSERT_EQ(lbx_rw_shared_create(4 * 4096, &sh), 0);
	for (i = 0; i < 5; i++)
		c[i] = make_code(4096, (unsigned char)(0x90 + i));
	for (i = 0; i < 4; i++) {
		/* An entry takes at most a quarter of the budget. */
		shared_store_scan(sh, 7, c[i], 4096);
	}
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 4);
	/* c[0] used: c[1] is now the least recently used. */
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 7, NULL, c[0], 4096, &plan), 0);
	lbx_rw_plan_free(&plan);
	shared_store_scan(sh, 7, c[4], 4096);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 4);
	EXPECT_EQ(st.evictions, 1);
	EXPECT_EQ(st.bytes, 4 * 4096);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 7, NULL, c[1], 4096, &plan), -ENOENT);
	for (i = 0; i < 5; i++) {
		if (i == 1)
			continue;
		EXPECT_EQ(lbx_rw_shared_lookup(sh, 7, NULL, c[i], 4096, &plan), 0);
		lbx_rw_plan_free(&plan);
	}
	lbx_rw_shared_destroy(sh);

	/* More than a quarter of the budget: not kept. */
	ASSERT_EQ(lbx_rw_shared_create(3 * 4096, &sh), 0);
	shared_store_scan(sh, 7, c[0], 4096);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 7, NULL, c[0], 4096, &plan), -ENOENT);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 0);
	lbx_rw_shared_destroy(sh);
	/* No cache at all (lbx-run): every lookup misses. */
	EXPECT_EQ(lbx_rw_shared_lookup(NULL, 7, NULL, c[0], 4096, &plan), -ENOENT);
	for (i = 0; i < 5; i++)
		free(c[i]);
}

/*
 * Patched text: the pages as given, with each write made, also one that
 * spans two pages; its mappings are copy-on-write, so a guest's write to
 * one leaves the pages every other sandbox maps alone.
 */
TEST(text_pages_patched)
{
	const u64 base = 0x40000, size = 3 * LBX_PAGE_SIZE;
	struct lbx_plat_ident id = { { 9, 9, 9 } };
	unsigned char *pages = malloc(size), *want = malloc(size);
	static const unsigned char j1[] = "\xe9\x01\x02\x03\x04\xcc\xcc";
	static const unsigned char j2[] = "\xe9\x11\x12\x13\x14";
	static const unsigned char j3[] = "\xe9\x21\x22\x23\x24\xcc";
	struct lbx_poke pokes[] = {
		{ base + 100, j1, 7 },
		{ base + LBX_PAGE_SIZE - 2, j2, 5 },	/* 2 bytes here, 3 on the next page */
		{ base + 2 * LBX_PAGE_SIZE + 4000, j3, 6 },
	};
	struct lbx_rw_text *t;
	u64 a1 = 0, a2 = 0;
	size_t i;

	for (i = 0; i < size; i++)
		pages[i] = (unsigned char)(i * 7 + 3);
	memcpy(want, pages, size);
	for (i = 0; i < 3; i++)
		memcpy(want + (pokes[i].dst - base), pokes[i].src, pokes[i].len);
	EXPECT_EQ(lbx_rw_text_create(pages, size - 1, base, pokes, 3, 0, 3, &id, &t), -EINVAL);
	EXPECT_EQ(lbx_rw_text_create(pages, size, base + 1, pokes, 3, 0, 3, &id, &t), -EINVAL);
	ASSERT_EQ(lbx_rw_text_create(pages, size, base, pokes, 3, -8192, 3, &id, &t), 0);
	EXPECT_EQ(t->size, size);
	EXPECT_EQ(t->delta, -8192);
	EXPECT_EQ(t->done, 3);
	ASSERT_MEMEQ(&t->id, &id, sizeof(id));
	ASSERT_EQ(lbx_plat_shm_map(t->shm, &a1, size, LBX_PROT_READ | LBX_PROT_WRITE,
				   LBX_MAP_COPY, 0), 0);
	ASSERT_MEMEQ((void *)(uintptr_t)a1, want, size);
	/* A write to one mapping: its own page; the object and the next
	 * mapping keep the patched bytes. */
	memset((void *)(uintptr_t)(a1 + LBX_PAGE_SIZE), 0, LBX_PAGE_SIZE);
	ASSERT_EQ(lbx_plat_shm_map(t->shm, &a2, size, LBX_PROT_READ, LBX_MAP_COPY, 0), 0);
	ASSERT_MEMEQ((void *)(uintptr_t)a2, want, size);
	lbx_plat_guest_unmap(a1, size);
	lbx_plat_guest_unmap(a2, size);
	lbx_rw_text_put(t);
	free(pages);
	free(want);
}

static struct lbx_rw_text *text_of(u64 size, const struct lbx_plat_ident *id)
{
	unsigned char *pages = calloc(1, size);
	struct lbx_rw_text *t = NULL;

	EXPECT_EQ(lbx_rw_text_create(pages, size, 0, NULL, 0, 4096, 0, id, &t), 0);
	free(pages);
	return t;
}

/*
 * An entry known by a name holds at most one text, for that name: none
 * before one is given (-ENODATA: make one), none for an unknown name
 * (-ENOENT), handed out with a reference that outlives the cache, dropped
 * when the entry learns another name, and counted in the byte budget.
 */
TEST(shared_cache_text)
{
	struct lbx_plat_ident id1 = { { 1, 2, 3, 4, 5, 8192, 0, 8192 } };
	struct lbx_plat_ident id2 = id1;
	unsigned char *a = make_code(8192, 0x90);
	struct lbx_rw_text *t1, *t2, *got;
	struct lbx_rw_shared_stats st;
	struct lbx_rw_shared *sh;
	struct lbx_rw_plan plan;

	id2.v[3]++;
	ASSERT_EQ(lbx_rw_scan(a, 8192, &plan), 0);
	ASSERT_EQ(lbx_rw_shared_create(16 * 8192, &sh), 0);
	t1 = text_of(8192, &id1);
	ASSERT_TRUE(t1 != NULL);
	/* No entry: no text, and none taken. */
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id1, 8192, &got), -ENOENT);
	EXPECT_TRUE(got == NULL);
	EXPECT_FALSE(lbx_rw_shared_set_text(sh, 1, &id1, 8192, t1));
	lbx_rw_shared_store(sh, 1, &id1, a, 8192, &plan);
	lbx_rw_plan_free(&plan);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id1, 8192, &got), -ENODATA);
	EXPECT_EQ(lbx_rw_shared_text(sh, 2, &id1, 8192, &got), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id2, 8192, &got), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, NULL, 8192, &got), -ENOENT);
	/* A text made for another name is not taken. */
	EXPECT_FALSE(lbx_rw_shared_set_text(sh, 1, &id2, 8192, t1));
	ASSERT_TRUE(lbx_rw_shared_set_text(sh, 1, &id1, 8192, t1));
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.texts, 1);
	EXPECT_EQ(st.bytes, 2 * 8192);
	/* One text per entry. */
	t2 = text_of(8192, &id1);
	EXPECT_FALSE(lbx_rw_shared_set_text(sh, 1, &id1, 8192, t2));
	lbx_rw_text_put(t2);
	ASSERT_EQ(lbx_rw_shared_text(sh, 1, &id1, 8192, &got), 0);
	EXPECT_TRUE(got == t1);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.text_maps, 1);
	lbx_rw_text_put(got);
	/* The same bytes under a new name (the file rewritten in place): the
	 * entry learns it by compare, and the old name's pages go. */
	ASSERT_EQ(lbx_rw_shared_lookup(sh, 1, &id2, a, 8192, &plan), 0);
	lbx_rw_plan_free(&plan);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.texts, 0);
	EXPECT_EQ(st.bytes, 8192);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id2, 8192, &got), -ENODATA);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id1, 8192, &got), -ENOENT);
	/* A reference outlives the cache. */
	t2 = text_of(8192, &id2);
	ASSERT_TRUE(lbx_rw_shared_set_text(sh, 1, &id2, 8192, t2));
	ASSERT_EQ(lbx_rw_shared_text(sh, 1, &id2, 8192, &got), 0);
	lbx_rw_shared_destroy(sh);
	EXPECT_EQ(got->size, 8192);
	lbx_rw_text_put(got);
	/* Code and text together within a quarter of the budget. */
	ASSERT_EQ(lbx_rw_shared_create(4 * 8192 + 4096, &sh), 0);
	ASSERT_EQ(lbx_rw_scan(a, 8192, &plan), 0);
	lbx_rw_shared_store(sh, 1, &id1, a, 8192, &plan);
	lbx_rw_plan_free(&plan);
	t1 = text_of(8192, &id1);
	EXPECT_FALSE(lbx_rw_shared_set_text(sh, 1, &id1, 8192, t1));
	lbx_rw_text_put(t1);
	lbx_rw_shared_destroy(sh);
	free(a);
}

/* A text's pages count in the budget: giving one evicts the least
 * recently used entries, never the one it is given to. */
TEST(shared_cache_text_evicts)
{
	struct lbx_plat_ident id = { { 7, 7, 7, 7, 7, 4096, 0, 4096 } };
	struct lbx_rw_shared_stats st;
	struct lbx_rw_shared *sh;
	struct lbx_rw_plan plan;
	struct lbx_rw_text *t, *got;
	unsigned char *c[8];
	int i;

	ASSERT_EQ(lbx_rw_shared_create(8 * 4096, &sh), 0);
	for (i = 0; i < 8; i++)
		c[i] = make_code(4096, (unsigned char)(0x90 + i));
	ASSERT_EQ(lbx_rw_scan(c[0], 4096, &plan), 0);
	lbx_rw_shared_store(sh, 7, &id, c[0], 4096, &plan);
	lbx_rw_plan_free(&plan);
	for (i = 1; i < 8; i++)
		shared_store_scan(sh, 7, c[i], 4096);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 8);
	/* c[0], stored first, is the least recently used, but takes the
	 * text: c[1] goes. */
	t = text_of(4096, &id);
	ASSERT_TRUE(lbx_rw_shared_set_text(sh, 7, &id, 4096, t));
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 7);
	EXPECT_EQ(st.evictions, 1);
	EXPECT_EQ(st.bytes, 8 * 4096);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 7, NULL, c[1], 4096, &plan), -ENOENT);
	ASSERT_EQ(lbx_rw_shared_text(sh, 7, &id, 4096, &got), 0);
	lbx_rw_text_put(got);
	lbx_rw_shared_destroy(sh);
	for (i = 0; i < 8; i++)
		free(c[i]);
}

/*
 * Code known by name not to be worth a scan: the lookup by that name says
 * so (-ESRCH) without any bytes kept; another name, or none, is a miss;
 * it is stored once, costs a small fixed part of the budget, and has no
 * plan to map patched pages for.
 */
TEST(shared_cache_none_by_name)
{
	struct lbx_plat_ident id1 = { { 1, 1, 2, 3, 5, 8, 13, 21 } }, id2 = id1;
	unsigned char *a = make_code(8192, 0x90);
	struct lbx_rw_shared_stats st;
	struct lbx_rw_shared *sh;
	struct lbx_rw_plan plan;
	struct lbx_rw_text *t;

	id2.v[4]++;
	ASSERT_EQ(lbx_rw_shared_create(1 << 20, &sh), 0);
	lbx_rw_shared_store_none(sh, 1, NULL, 8192);	/* no name: nothing */
	lbx_rw_shared_store_none(sh, 1, &id1, 8192);
	lbx_rw_shared_store_none(sh, 1, &id1, 8192);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.entries, 1);
	EXPECT_LE(st.bytes, 1024);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id1, a, 8192, &plan), -ESRCH);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 2, &id1, a, 8192, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id1, a, 4096, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, &id2, a, 8192, &plan), -ENOENT);
	EXPECT_EQ(lbx_rw_shared_lookup(sh, 1, NULL, a, 8192, &plan), -ENOENT);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_EQ(st.none_hits, 1);
	EXPECT_EQ(st.hits, 0);
	EXPECT_EQ(lbx_rw_shared_text(sh, 1, &id1, 8192, &t), -ENOENT);
	t = text_of(8192, &id1);
	EXPECT_FALSE(lbx_rw_shared_set_text(sh, 1, &id1, 8192, t));
	lbx_rw_text_put(t);
	lbx_rw_shared_destroy(sh);
	/* Many names: bounded by the budget like any entry. */
	ASSERT_EQ(lbx_rw_shared_create(64 * 1024, &sh), 0);
	for (id2.v[7] = 0; id2.v[7] < 1000; id2.v[7]++)
		lbx_rw_shared_store_none(sh, 1, &id2, 8192);
	lbx_rw_shared_get_stats(sh, &st);
	EXPECT_LE(st.bytes, 64 * 1024);
	EXPECT_GT(st.evictions, 0);
	lbx_rw_shared_destroy(sh);
	free(a);
}

/* Emitting from the sites' bytes alone (a cached plan) gives the same
 * trampolines and patches as from the whole code, also when the region
 * fills up part way. */
TEST(emit_packed_matches_whole)
{
	size_t n = 4096, packed_len = 0, at = 0, pos1, pos2, rsize;
	unsigned char *code = make_code(n, 0x90), *whole, *bytes;
	u8 *r1, *r2;
	struct lbx_rw_plan plan;
	u32 i, d1, d2;
	int round;

	ASSERT_EQ(lbx_rw_scan(code, n, &plan), 0);
	ASSERT_GT(plan.n, 10);
	for (i = 0; i < plan.n; i++)
		packed_len += plan.sites[i].len;
	for (round = 0; round < 2; round++) {
		/* Round 1: room for only half of the sites. */
		rsize = lbx_rw_region_size(&plan, round ? plan.n / 2 : plan.n);
		whole = malloc(n);
		bytes = malloc(packed_len);
		r1 = calloc(1, rsize);
		r2 = calloc(1, rsize);
		memcpy(whole, code, n);
		for (i = 0, at = 0; i < plan.n; at += plan.sites[i].len, i++)
			memcpy(bytes + at, code + plan.sites[i].start, plan.sites[i].len);
		pos1 = pos2 = 0;
		d1 = lbx_rw_emit(whole, 0x400000, &plan, plan.n, r1, 0x500000, rsize, &pos1);
		d2 = lbx_rw_emit_packed(bytes, 0x400000, &plan, plan.n, r2, 0x500000, rsize, &pos2);
		EXPECT_EQ(d1, d2);
		EXPECT_EQ(pos1, pos2);
		EXPECT_EQ(d1, round ? plan.n / 2 : plan.n);
		ASSERT_MEMEQ(r1, r2, rsize);
		for (i = 0, at = 0; i < plan.n; at += plan.sites[i].len, i++)
			ASSERT_MEMEQ(bytes + at, whole + plan.sites[i].start, plan.sites[i].len);
		free(whole);
		free(bytes);
		free(r1);
		free(r2);
	}
	lbx_rw_plan_free(&plan);
	free(code);
}
