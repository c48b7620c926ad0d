// SPDX-License-Identifier: GPL-2.0
/*
 * An x86-64 instruction-length decoder: legacy and REX prefixes, the one-,
 * two- and three-byte opcode maps, VEX, EVEX and XOP, ModRM/SIB with their
 * displacements, and immediates. It reports what the rewriter must know
 * about an instruction: its length, whether it transfers control (and where,
 * for a direct relative branch), whether it addresses memory RIP-relatively,
 * and whether it is `syscall` or `endbr`. It does not name instructions.
 */
#include <litebox/errno.h>
#include <litebox/rewrite.h>

#define F_MODRM		0x001
#define F_I8		0x002	/* imm8 */
#define F_IZ		0x004	/* imm16 or imm32 (operand size) */
#define F_I16		0x008	/* imm16 */
#define F_IV		0x010	/* imm16, imm32 or imm64 (mov r, imm) */
#define F_MOFFS		0x020	/* an absolute address: 8 bytes, 4 with 0x67 */
#define F_REL8		0x040
#define F_REL32		0x080
#define F_CTRL		0x100
#define F_BAD		0x200
#define F_ESC		0x400	/* 0f, VEX (c4, c5), EVEX (62), XOP (8f): decoded apart */
#define F_GRP		0x800	/* the ModRM reg field changes the instruction */
#define F_IMM		(F_I8 | F_IZ | F_I16 | F_IV | F_MOFFS | F_REL8 | F_REL32)

/*
 * The one-byte map, for an opcode that is not a prefix or escape (prefixes,
 * 0x0f, VEX/EVEX/XOP are handled before the lookup). F_BAD: invalid in
 * 64-bit mode.
 */
#define ALU(b, x7) [b] = F_MODRM, [b + 1] = F_MODRM, [b + 2] = F_MODRM, \
	[b + 3] = F_MODRM, [b + 4] = F_I8, [b + 5] = F_IZ, [b + 6] = F_BAD, [b + 7] = x7
static const u16 op1_tab[256] = {
	ALU(0x00, F_BAD), ALU(0x08, F_ESC), ALU(0x10, F_BAD), ALU(0x18, F_BAD),
	ALU(0x20, F_BAD), ALU(0x28, F_BAD), ALU(0x30, F_BAD), ALU(0x38, F_BAD),
	[0x60 ... 0x61] = F_BAD,
	[0x62] = F_ESC,
	[0x63] = F_MODRM,
	[0x68] = F_IZ,
	[0x69] = F_MODRM | F_IZ,
	[0x6a] = F_I8,
	[0x6b] = F_MODRM | F_I8,
	[0x70 ... 0x7f] = F_REL8 | F_CTRL,
	[0x80] = F_MODRM | F_I8,
	[0x81] = F_MODRM | F_IZ,
	[0x82] = F_BAD,
	[0x83] = F_MODRM | F_I8,
	[0x84 ... 0x8e] = F_MODRM,
	[0x8f] = F_MODRM | F_ESC,	/* pop r/m, or XOP */
	[0x9a] = F_BAD,
	[0xa0 ... 0xa3] = F_MOFFS,
	[0xa8] = F_I8,
	[0xa9] = F_IZ,
	[0xb0 ... 0xb7] = F_I8,
	[0xb8 ... 0xbf] = F_IV,
	[0xc0 ... 0xc1] = F_MODRM | F_I8,
	[0xc2] = F_I16 | F_CTRL,
	[0xc3] = F_CTRL,
	[0xc4 ... 0xc5] = F_ESC,
	[0xc6] = F_MODRM | F_I8,
	[0xc7] = F_MODRM | F_IZ | F_GRP,	/* xbegin */
	[0xc8] = F_I16 | F_I8,		/* enter */
	[0xca] = F_I16 | F_CTRL,
	[0xcb ... 0xcc] = F_CTRL,
	[0xcd] = F_I8 | F_CTRL,
	[0xce] = F_BAD,
	[0xcf] = F_CTRL,
	[0xd0 ... 0xd3] = F_MODRM,
	[0xd4 ... 0xd6] = F_BAD,
	[0xd8 ... 0xdf] = F_MODRM,
	[0xe0 ... 0xe3] = F_REL8 | F_CTRL,
	[0xe4 ... 0xe7] = F_I8,
	[0xe8 ... 0xe9] = F_REL32 | F_CTRL,
	[0xea] = F_BAD,
	[0xeb] = F_REL8 | F_CTRL,
	[0xf1] = F_CTRL,
	[0xf4] = F_CTRL,
	[0xf6 ... 0xf7] = F_MODRM | F_GRP,	/* test has an immediate */
	[0xfe] = F_MODRM,
	[0xff] = F_MODRM | F_GRP,	/* call, jmp */
};
#undef ALU

/* The two-byte map (0f xx), for xx other than 0x38 and 0x3a. */
static const u16 op2_tab[256] = {
	[0x00 ... 0x03] = F_MODRM,
	[0x04] = F_BAD,
	[0x05] = F_CTRL,		/* syscall */
	[0x07] = F_CTRL,		/* sysret */
	[0x0a] = F_BAD,
	[0x0b] = F_CTRL,		/* ud2 */
	[0x0c] = F_BAD,
	[0x0d] = F_MODRM,
	[0x0f] = F_MODRM | F_I8,	/* 3DNow!: the opcode is the trailing byte */
	[0x10 ... 0x23] = F_MODRM,
	[0x24 ... 0x27] = F_BAD,
	[0x28 ... 0x2f] = F_MODRM,
	[0x34 ... 0x35] = F_CTRL,	/* sysenter, sysexit */
	[0x36] = F_BAD,
	[0x39] = F_BAD,
	[0x3b ... 0x3f] = F_BAD,
	[0x40 ... 0x6f] = F_MODRM,
	[0x70 ... 0x73] = F_MODRM | F_I8,
	[0x74 ... 0x76] = F_MODRM,
	[0x78 ... 0x79] = F_MODRM,
	[0x7a ... 0x7b] = F_BAD,
	[0x7c ... 0x7f] = F_MODRM,
	[0x80 ... 0x8f] = F_REL32 | F_CTRL,
	[0x90 ... 0x9f] = F_MODRM,
	[0xa3] = F_MODRM,
	[0xa4] = F_MODRM | F_I8,
	[0xa5] = F_MODRM,
	[0xa6 ... 0xa7] = F_BAD,
	[0xaa] = F_CTRL,		/* rsm */
	[0xab] = F_MODRM,
	[0xac] = F_MODRM | F_I8,
	[0xad ... 0xaf] = F_MODRM,
	[0xb0 ... 0xb9] = F_MODRM,
	[0xba] = F_MODRM | F_I8,
	[0xbb ... 0xc1] = F_MODRM,
	[0xc2] = F_MODRM | F_I8,
	[0xc3] = F_MODRM,
	[0xc4 ... 0xc6] = F_MODRM | F_I8,
	[0xc7] = F_MODRM,
	[0xd0 ... 0xff] = F_MODRM,
};

/* Legacy prefixes (REX is separate: it must come last). */
#define P_LEGACY	1
#define P_REX		2
static const u8 prefix_tab[256] = {
	[0x26] = P_LEGACY, [0x2e] = P_LEGACY, [0x36] = P_LEGACY, [0x3e] = P_LEGACY,
	[0x40 ... 0x4f] = P_REX,
	[0x64 ... 0x67] = P_LEGACY,
	[0xf0] = P_LEGACY, [0xf2 ... 0xf3] = P_LEGACY,
};

/* Map 1 (0f) opcodes that carry an imm8 in VEX and EVEX form. */
static bool vex_map1_imm8(u8 op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

/*
 * ModRM bytes: bits 0-3 are the bytes of ModRM and displacement, with the
 * SIB byte when there is one; M_SIB: a SIB follows (its base 5 with mod 0
 * adds a disp32); M_RIP: RIP-relative.
 */
#define M_SIB	0x10
#define M_RIP	0x20
#define MOD0	1, 1, 1, 1, M_SIB | 2, M_RIP | 5, 1, 1
#define MOD1	2, 2, 2, 2, M_SIB | 3, 2, 2, 2
#define MOD2	5, 5, 5, 5, M_SIB | 6, 5, 5, 5
#define MOD3	1, 1, 1, 1, 1, 1, 1, 1
#define X8(row)	row, row, row, row, row, row, row, row
static const u8 modrm_tab[256] = { X8(MOD0), X8(MOD1), X8(MOD2), X8(MOD3) };
#undef MOD0
#undef MOD1
#undef MOD2
#undef MOD3
#undef X8

/* Bytes of ModRM, SIB and displacement at p; -1 if truncated. */
static int modrm_size(const u8 *p, size_t avail, bool *riprel)
{
	u8 m = modrm_tab[p[0]];
	int n = m & 0xf;

	if (m & M_SIB) {
		if (avail < 2)
			return -1;
		if (!(p[0] & 0xc0) && (p[1] & 7) == 5)
			n += 4;
	}
	if (m & M_RIP)
		*riprel = true;
	return n;
}

static s32 read_s32(const u8 *p)
{
	return (s32)((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);
}

int lbx_x86_decode(const u8 *p, size_t avail, struct lbx_x86_insn *out)
{
	bool opsize16 = false, addr32 = false, rex_w = false, rep = false;
	bool riprel = false;
	size_t i = 0, lim = lbx_min(avail, (size_t)LBX_X86_MAX_LEN);
	u16 fl;
	u8 op, map = 0;
	int imm = 0, n;

	out->len = 0;
	out->flags = 0;
	out->rel = 0;
	/* Prefixes: legacy ones in any order; a REX counts only right before
	 * the opcode (a legacy prefix after it cancels it). */
	for (;; i++) {
		u8 kind;

		if (i >= lim)
			return -EINVAL;
		op = p[i];
		kind = prefix_tab[op];
		if (!kind)
			break;
		if (kind == P_REX) {
			rex_w = op & 8;
			continue;
		}
		if (op == 0x66)
			opsize16 = true;
		else if (op == 0x67)
			addr32 = true;
		else if (op == 0xf2 || op == 0xf3)
			rep = op == 0xf3;
		rex_w = false;
	}
	op = p[i++];
	fl = op1_tab[op];

	if (!(fl & F_ESC)) {
		/* The common case: the one-byte map. */
	} else if (op == 0x0f) {
		if (i >= lim)
			return -EINVAL;
		op = p[i++];
		if (op == 0x38 || op == 0x3a) {
			if (i >= lim)
				return -EINVAL;
			i++;	/* the third opcode byte */
			fl = F_MODRM | (op == 0x3a ? F_I8 : 0);
		} else {
			fl = op2_tab[op];
			if (op == 0x05)
				out->flags |= LBX_X86_SYSCALL;
			if (op == 0x1e && rep && i < lim && (p[i] == 0xfa || p[i] == 0xfb))
				out->flags |= LBX_X86_ENDBR;
		}
		map = 1;
	} else if (op != 0x8f || (i < lim && (p[i] & 0x1f) >= 8)) {
		/* VEX (c4, c5), EVEX (62), XOP (8f with map >= 8). */
		u8 kind = op;

		if (kind == 0xc5) {
			if (i + 1 > lim)
				return -EINVAL;
			map = 1;
			i += 1;
		} else if (kind == 0x62) {
			if (i + 3 > lim)
				return -EINVAL;
			map = p[i] & 7;
			if (map == 0 || map == 4 || map == 7)
				return -EINVAL;
			i += 3;
		} else {
			if (i + 2 > lim)
				return -EINVAL;
			map = p[i] & 0x1f;
			if (kind == 0xc4 && (map < 1 || map > 3))
				return -EINVAL;
			if (kind == 0x8f && map > 10)
				return -EINVAL;
			rex_w = p[i + 1] & 0x80;
			i += 2;
		}
		if (i >= lim)
			return -EINVAL;
		op = p[i++];
		if (kind != 0x62 && kind != 0x8f && map == 1 && op == 0x77) {
			fl = 0;		/* vzeroupper, vzeroall: no ModRM */
		} else {
			fl = F_MODRM;
			if (kind == 0x8f)
				imm = map == 8 ? 1 : map == 10 ? 4 : 0;
			else if (map == 3 || (map == 1 && vex_map1_imm8(op)))
				imm = 1;
		}
	} else {
		fl = F_MODRM;	/* 8f: pop r/m */
	}
	if (fl & F_BAD)
		return -EINVAL;

	if (fl & F_MODRM) {
		u8 modrm;

		if (i >= lim)
			return -EINVAL;
		modrm = p[i];
		n = modrm_size(p + i, lim - i, &riprel);
		if (n < 0)
			return -EINVAL;
		if (map == 0 && (fl & F_GRP)) {
			u8 reg = (modrm >> 3) & 7;

			if ((op == 0xf6 || op == 0xf7) && reg <= 1)
				imm += op == 0xf6 ? 1 : (opsize16 ? 2 : 4);
			if (op == 0xff && reg >= 2 && reg <= 5)
				fl |= F_CTRL;
			if (op == 0xc7 && modrm == 0xf8) {
				fl = F_MODRM | F_REL32 | F_CTRL;	/* xbegin */
				out->flags |= LBX_X86_CTRL;
			}
		}
		i += n;
	}
	if (fl & F_IMM) {
		if (fl & F_I8)
			imm += 1;
		if (fl & F_I16)
			imm += 2;
		if (fl & F_IZ)
			imm += opsize16 ? 2 : 4;
		if (fl & F_IV)
			imm += rex_w ? 8 : opsize16 ? 2 : 4;
		if (fl & F_MOFFS)
			imm += addr32 ? 4 : 8;
		if (fl & F_REL8) {
			if (i + 1 > lim)
				return -EINVAL;
			out->rel = (s8)p[i];
			imm += 1;
			out->flags |= LBX_X86_REL;
		}
		if (fl & F_REL32) {
			if (i + 4 > lim)
				return -EINVAL;
			out->rel = read_s32(p + i);
			imm += 4;
			out->flags |= LBX_X86_REL;
		}
	}
	if (i + imm > lim)
		return -EINVAL;
	i += imm;
	if (fl & F_CTRL)
		out->flags |= LBX_X86_CTRL;
	if (riprel)
		out->flags |= LBX_X86_RIPREL;
	out->len = (u8)i;
	return (int)i;
}
