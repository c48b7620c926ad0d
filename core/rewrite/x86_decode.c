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

/* The one-byte map, for an opcode that is not a prefix or escape. */
static u16 op1_flags(u8 op)
{
	if (op < 0x40) {
		switch (op & 7) {
		case 0: case 1: case 2: case 3:
			return F_MODRM;
		case 4:
			return F_I8;
		case 5:
			return F_IZ;
		default:
			return F_BAD;	/* push/pop seg, daa, ...: invalid in 64-bit mode */
		}
	}
	if (op >= 0x50 && op <= 0x5f)
		return 0;
	switch (op) {
	case 0x63:
		return F_MODRM;
	case 0x68:
		return F_IZ;
	case 0x69:
		return F_MODRM | F_IZ;
	case 0x6a:
		return F_I8;
	case 0x6b:
		return F_MODRM | F_I8;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		return 0;
	case 0x70 ... 0x7f:
		return F_REL8 | F_CTRL;
	case 0x80: case 0x83:
		return F_MODRM | F_I8;
	case 0x81:
		return F_MODRM | F_IZ;
	case 0x84 ... 0x8f:
		return F_MODRM;
	case 0x90 ... 0x99:
	case 0x9b ... 0x9f:
		return 0;
	case 0xa0 ... 0xa3:
		return F_MOFFS;
	case 0xa4 ... 0xa7:
		return 0;
	case 0xa8:
		return F_I8;
	case 0xa9:
		return F_IZ;
	case 0xaa ... 0xaf:
		return 0;
	case 0xb0 ... 0xb7:
		return F_I8;
	case 0xb8 ... 0xbf:
		return F_IV;
	case 0xc0: case 0xc1:
		return F_MODRM | F_I8;
	case 0xc2: case 0xca:
		return F_I16 | F_CTRL;
	case 0xc3: case 0xcb: case 0xcc: case 0xcf:
		return F_CTRL;
	case 0xc6:
		return F_MODRM | F_I8;
	case 0xc7:
		return F_MODRM | F_IZ;
	case 0xc8:
		return F_I16 | F_I8;	/* enter */
	case 0xc9:
		return 0;
	case 0xcd:
		return F_I8 | F_CTRL;
	case 0xd0 ... 0xd3:
		return F_MODRM;
	case 0xd7:
		return 0;
	case 0xd8 ... 0xdf:
		return F_MODRM;
	case 0xe0 ... 0xe3:
		return F_REL8 | F_CTRL;
	case 0xe4 ... 0xe7:
		return F_I8;
	case 0xe8: case 0xe9:
		return F_REL32 | F_CTRL;
	case 0xeb:
		return F_REL8 | F_CTRL;
	case 0xec ... 0xef:
		return 0;
	case 0xf1: case 0xf4:
		return F_CTRL;
	case 0xf5:
	case 0xf8 ... 0xfd:
		return 0;
	case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return F_MODRM;
	default:
		/* 0x60-0x62, 0x9a, 0xce, 0xd4-0xd6, 0xea: invalid in 64-bit mode */
		return F_BAD;
	}
}

/* The two-byte map (0f xx), for xx other than 0x38 and 0x3a. */
static u16 op2_flags(u8 op)
{
	switch (op) {
	case 0x00 ... 0x03:
		return F_MODRM;
	case 0x05: case 0x07: case 0x0b: case 0x34: case 0x35: case 0xaa:
		return F_CTRL;	/* syscall, sysret, ud2, sysenter, sysexit, rsm */
	case 0x06: case 0x08: case 0x09: case 0x0e:
		return 0;
	case 0x0d:
		return F_MODRM;
	case 0x0f:
		return F_MODRM | F_I8;	/* 3DNow!: the opcode is the trailing byte */
	case 0x10 ... 0x23:
	case 0x28 ... 0x2f:
		return F_MODRM;
	case 0x30 ... 0x33:
	case 0x37:
		return 0;
	case 0x40 ... 0x6f:
		return F_MODRM;
	case 0x70 ... 0x73:
		return F_MODRM | F_I8;
	case 0x74 ... 0x76:
		return F_MODRM;
	case 0x77:
		return 0;
	case 0x78: case 0x79:
	case 0x7c ... 0x7f:
		return F_MODRM;
	case 0x80 ... 0x8f:
		return F_REL32 | F_CTRL;
	case 0x90 ... 0x9f:
		return F_MODRM;
	case 0xa0 ... 0xa2:
	case 0xa8: case 0xa9:
		return 0;
	case 0xa3: case 0xa5: case 0xab:
	case 0xad ... 0xaf:
		return F_MODRM;
	case 0xa4: case 0xac:
		return F_MODRM | F_I8;
	case 0xb0 ... 0xb9:
	case 0xbb ... 0xc1:
	case 0xc3: case 0xc7:
		return F_MODRM;
	case 0xba: case 0xc2:
	case 0xc4 ... 0xc6:
		return F_MODRM | F_I8;
	case 0xc8 ... 0xcf:
		return 0;
	case 0xd0 ... 0xff:
		return F_MODRM;
	default:
		return F_BAD;
	}
}

/* Map 1 (0f) opcodes that carry an imm8 in VEX and EVEX form. */
static bool vex_map1_imm8(u8 op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

/* Bytes of ModRM, SIB and displacement at p; -1 if truncated. */
static int modrm_size(const u8 *p, size_t avail, bool *riprel)
{
	u8 mod, rm;
	int n = 1;

	if (avail < 1)
		return -1;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (avail < 2)
			return -1;
		n = 2;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		n += 4;
		*riprel = true;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
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
		if (i >= lim)
			return -EINVAL;
		op = p[i];
		if ((op & 0xf0) == 0x40) {
			rex_w = op & 8;
			continue;
		}
		if (op == 0x66)
			opsize16 = true;
		else if (op == 0x67)
			addr32 = true;
		else if (op == 0xf2 || op == 0xf3)
			rep = op == 0xf3;
		else if (op != 0xf0 && op != 0x2e && op != 0x36 && op != 0x3e &&
			 op != 0x26 && op != 0x64 && op != 0x65)
			break;
		rex_w = false;
	}
	op = p[i++];

	if (op == 0xc4 || op == 0xc5 || op == 0x62 ||
	    (op == 0x8f && i < lim && (p[i] & 0x1f) >= 8)) {
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
			fl = op2_flags(op);
			if (op == 0x05)
				out->flags |= LBX_X86_SYSCALL;
			if (op == 0x1e && rep && i < lim && (p[i] == 0xfa || p[i] == 0xfb))
				out->flags |= LBX_X86_ENDBR;
		}
		map = 1;
	} else {
		fl = op1_flags(op);
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
		if (map == 0) {
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
