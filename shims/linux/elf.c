// SPDX-License-Identifier: GPL-2.0
/*
 * Loading x86-64 ELF programs into the guest address space.
 *
 * The result mirrors Linux's binfmt_elf: each LX_PT_LOAD maps the file pages
 * covering [vaddr, vaddr + filesz) (whole pages, as a file mapping would), and
 * anonymous zero pages up to vaddr + memsz. Where the reader can map the
 * file (its pages are whole pages of a host file: litebox.ko's lower
 * image), the file pages are mapped private, as binfmt_elf does; the rest
 * (the page holding the end of the file, or all of it for a reader that
 * cannot map) is mapped anonymous and filled through lbx_poke_guest(),
 * which writes whatever the protection (copy-on-write on a file page).
 */
#include <litebox/core.h>
#include "elf_load.h"

#define LX_EI_NIDENT	16
#define LX_ELFCLASS64	2
#define LX_ELFDATA2LSB	1
#define LX_EV_CURRENT	1
#define LX_ET_EXEC		2
#define LX_ET_DYN		3
#define LX_EM_X86_64	62
#define LX_PT_LOAD		1
#define LX_PT_INTERP	3
#define LX_PT_PHDR		6
#define LX_PT_GNU_STACK	0x6474e551
#define LX_PF_X		1
#define LX_PF_W		2
#define LX_PF_R		4

/* Guest user addresses end below the 47-bit canonical hole. */
#define LBX_USER_TOP	0x7ffffffff000ULL
#define LBX_MAX_PHNUM	(65536 / sizeof(struct elf64_phdr))
#define LBX_LOAD_CHUNK	(64 * 1024)

struct elf64_ehdr {
	u8 e_ident[LX_EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

#define PG LBX_PAGE_SIZE

static int read_exact(const struct lbx_elf_reader *r, void *buf, size_t n, u64 off)
{
	ssize_t got = r->pread(r->ctx, buf, n, off);

	if (got < 0)
		return (int)got;
	return (size_t)got == n ? 0 : -ENOEXEC;
}

static int check_ehdr(const struct elf64_ehdr *eh, u64 fsize)
{
	u64 phend;

	if (memcmp(eh->e_ident, "\177ELF", 4))
		return -ENOEXEC;
	if (eh->e_ident[4] != LX_ELFCLASS64 || eh->e_ident[5] != LX_ELFDATA2LSB ||
	    eh->e_ident[6] != LX_EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_type != LX_ET_EXEC && eh->e_type != LX_ET_DYN)
		return -ENOEXEC;
	if (eh->e_machine != LX_EM_X86_64)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return -ENOEXEC;
	if (!eh->e_phnum || eh->e_phnum > LBX_MAX_PHNUM)
		return -ENOEXEC;
	if (lbx_add_overflow(eh->e_phoff,
			     (u64)eh->e_phnum * sizeof(struct elf64_phdr), &phend) ||
	    phend > fsize)
		return -ENOEXEC;
	return 0;
}

/* Checks one LX_PT_LOAD against the file and the address-space limits. */
static int check_load(const struct elf64_phdr *ph, u64 fsize)
{
	u64 fend, vend;

	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (lbx_add_overflow(ph->p_offset, ph->p_filesz, &fend) || fend > fsize)
		return -ENOEXEC;
	if (lbx_add_overflow(ph->p_vaddr, ph->p_memsz, &vend) ||
	    vend > LBX_USER_TOP)
		return -ENOEXEC;
	/* File offset and address must agree modulo the page size. */
	if ((ph->p_vaddr & (PG - 1)) != (ph->p_offset & (PG - 1)))
		return -ENOEXEC;
	return 0;
}

static int elf_prot(u32 flags)
{
	return (flags & LX_PF_R ? LBX_PROT_READ : 0) |
	       (flags & LX_PF_W ? LBX_PROT_WRITE : 0) |
	       (flags & LX_PF_X ? LBX_PROT_EXEC : 0);
}

static int read_interp(const struct lbx_elf_reader *r,
		       const struct elf64_phdr *ph, struct lbx_elf_info *info)
{
	u64 end;
	int ret;

	if (info->interp[0])
		return -ENOEXEC;	/* two LX_PT_INTERP */
	if (ph->p_filesz < 2 || ph->p_filesz > LBX_ELF_INTERP_MAX)
		return -EINVAL;
	if (lbx_add_overflow(ph->p_offset, ph->p_filesz, &end) || end > r->size)
		return -ENOEXEC;
	ret = read_exact(r, info->interp, ph->p_filesz, ph->p_offset);
	if (ret)
		return ret;
	if (info->interp[ph->p_filesz - 1] != '\0' ||
	    strlen(info->interp) != ph->p_filesz - 1 || info->interp[0] != '/') {
		info->interp[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

/*
 * Validates every program header: loads ascending and not overlapping, and
 * fills info with the extent, interpreter and stack flags.
 */
static int scan_phdrs(const struct lbx_elf_reader *r, const struct elf64_ehdr *eh,
		      const struct elf64_phdr *ph, struct lbx_elf_info *info)
{
	u64 prev_end = 0;
	bool any = false;
	int i, ret;

	info->lo = (u64)-1;
	info->hi = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		switch (ph[i].p_type) {
		case LX_PT_LOAD:
			ret = check_load(&ph[i], r->size);
			if (ret)
				return ret;
			if (any && ph[i].p_vaddr < prev_end)
				return -ENOEXEC;	/* unsorted or overlapping */
			prev_end = ph[i].p_vaddr + ph[i].p_memsz;
			info->lo = lbx_min(info->lo, LBX_ALIGN_DOWN(ph[i].p_vaddr, PG));
			info->hi = lbx_max(info->hi, LBX_ALIGN_UP(prev_end, PG));
			any = true;
			break;
		case LX_PT_INTERP:
			ret = read_interp(r, &ph[i], info);
			if (ret)
				return ret;
			break;
		case LX_PT_GNU_STACK:
			info->exec_stack = !!(ph[i].p_flags & LX_PF_X);
			break;
		}
	}
	if (!any || info->hi <= info->lo)
		return -ENOEXEC;
	if (eh->e_type == LX_ET_EXEC && info->lo < 0x10000)
		return -ENOEXEC;	/* below mmap_min_addr */
	return 0;
}

/*
 * Maps the segment's file pages that lie wholly inside the file from the
 * file, if the reader can: the bytes mapped from the segment's first page.
 * The page holding the end of the file is never mapped, so nothing past
 * the file's end (in litebox.ko's image: the next tar entry) shows.
 */
static u64 map_file_pages(const struct lbx_elf_reader *r, const struct elf64_phdr *ph,
			  u64 start, int prot)
{
	u64 off = LBX_ALIGN_DOWN(ph->p_offset, PG);
	u64 end = lbx_min(LBX_ALIGN_UP(ph->p_offset + ph->p_filesz, PG),
			  LBX_ALIGN_DOWN(r->size, PG));

	if (!r->map || !ph->p_filesz || end <= off)
		return 0;
	return r->map(r->map_ctx, start, end - off, prot, off) ? 0 : end - off;
}

/* Copies the file pages backing one segment, past its first skip bytes
 * (mapped from the file), into the mapped range. */
static int fill_segment(const struct lbx_elf_reader *r, const struct elf64_phdr *ph,
			u64 bias, u64 skip, u8 *buf)
{
	u64 off = LBX_ALIGN_DOWN(ph->p_offset, PG) + skip;
	u64 dst = LBX_ALIGN_DOWN(ph->p_vaddr, PG) + bias + skip;
	u64 end = ph->p_offset + ph->p_filesz;

	while (off < end) {
		size_t n = lbx_min((u64)LBX_LOAD_CHUNK, end - off);
		int ret = read_exact(r, buf, n, off);

		if (ret)
			return ret;
		ret = lbx_poke_guest(dst, buf, n);
		if (ret)
			return ret;
		off += n;
		dst += n;
	}
	return 0;
}

static int map_segments(const struct lbx_elf_reader *r, const struct elf64_ehdr *eh,
			const struct elf64_phdr *ph, struct lbx_elf_info *info)
{
	u8 *buf;
	int i, ret = 0;

	buf = lbx_plat_alloc_large(LBX_LOAD_CHUNK);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < eh->e_phnum && !ret; i++) {
		int prot = elf_prot(ph[i].p_flags);
		u64 start, end, mapped, anon;

		if (ph[i].p_type != LX_PT_LOAD)
			continue;
		start = LBX_ALIGN_DOWN(ph[i].p_vaddr, PG) + info->bias;
		end = LBX_ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, PG) + info->bias;
		if (end == start)
			continue;
		mapped = map_file_pages(r, &ph[i], start, prot);
		anon = start + mapped;
		if (anon < end)
			ret = lbx_plat_guest_map(&anon, end - anon, prot, LBX_MAP_FIXED);
		if (!ret && r->mapped)
			r->mapped(r->map_ctx, start, end, prot,
				  LBX_ALIGN_DOWN(ph[i].p_offset, PG));
		if (!ret)
			ret = fill_segment(r, &ph[i], info->bias, mapped, buf);
		if (!ret && (ph[i].p_flags & LX_PF_X) && ph[i].p_filesz && r->code_loaded)
			r->code_loaded(r->map_ctx, ph[i].p_vaddr + info->bias, ph[i].p_filesz,
				       ph[i].p_offset);
		/* Linux zeroes the tail of the last file page (the start of .bss). */
		if (!ret && ph[i].p_memsz > ph[i].p_filesz) {
			u64 z = ph[i].p_vaddr + ph[i].p_filesz + info->bias;
			u64 zend = lbx_min(LBX_ALIGN_UP(z, PG), end);

			if (zend > z) {
				memset(buf, 0, zend - z);
				ret = lbx_poke_guest(z, buf, zend - z);
			}
		}
	}
	lbx_plat_free_large(buf);
	return ret;
}

static u64 find_phdr_addr(const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
			  u64 bias)
{
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == LX_PT_PHDR)
			return ph[i].p_vaddr + bias;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == LX_PT_LOAD && eh->e_phoff >= ph[i].p_offset &&
		    eh->e_phoff - ph[i].p_offset < ph[i].p_filesz)
			return ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset) + bias;
	return 0;
}

static int load_headers(const struct lbx_elf_reader *r, struct elf64_ehdr *eh,
			struct elf64_phdr **php, struct lbx_elf_info *info)
{
	struct elf64_phdr *ph;
	int ret;

	memset(info, 0, sizeof(*info));
	if (r->size < sizeof(*eh))
		return -ENOEXEC;
	ret = read_exact(r, eh, sizeof(*eh), 0);
	if (ret)
		return ret;
	ret = check_ehdr(eh, r->size);
	if (ret)
		return ret;
	ph = lbx_plat_alloc(eh->e_phnum * sizeof(*ph));
	if (!ph)
		return -ENOMEM;
	ret = read_exact(r, ph, eh->e_phnum * sizeof(*ph), eh->e_phoff);
	if (!ret)
		ret = scan_phdrs(r, eh, ph, info);
	if (ret) {
		lbx_plat_free(ph);
		return ret;
	}
	info->is_dyn = eh->e_type == LX_ET_DYN;
	info->phnum = eh->e_phnum;
	info->phent = eh->e_phentsize;
	*php = ph;
	return 0;
}

int lbx_elf_check(const struct lbx_elf_reader *r, struct lbx_elf_info *info)
{
	struct elf64_phdr *ph;
	struct elf64_ehdr eh;
	int ret;

	ret = load_headers(r, &eh, &ph, info);
	if (!ret)
		lbx_plat_free(ph);
	return ret;
}

int lbx_elf_load(const struct lbx_elf_reader *r, struct lbx_elf_info *info)
{
	struct elf64_phdr *ph;
	struct elf64_ehdr eh;
	u64 span, base;
	int flags, ret;

	ret = load_headers(r, &eh, &ph, info);
	if (ret)
		return ret;
	span = info->hi - info->lo;
	/* Reserve the whole extent first: an LX_ET_EXEC that collides with memory
	 * in use fails cleanly, and a PIE gets the base its placer chooses. */
	base = info->is_dyn ? 0 : info->lo;
	flags = info->is_dyn ? 0 : LBX_MAP_FIXED_NOREPLACE;
	if (r->reserve)
		ret = r->reserve(r->map_ctx, &base, span, flags);
	else
		ret = lbx_plat_guest_map(&base, span, 0, flags);
	if (ret)
		goto out;
	if (r->mapped)
		r->mapped(r->map_ctx, base, base + span, 0, 0);
	info->bias = base - info->lo;
	ret = map_segments(r, &eh, ph, info);
	if (ret) {
		lbx_plat_guest_unmap(base, span);
		goto out;
	}
	info->lo += info->bias;
	info->hi += info->bias;
	info->entry = eh.e_entry + info->bias;
	info->phdr = find_phdr_addr(&eh, ph, info->bias);
out:
	lbx_plat_free(ph);
	return ret;
}
