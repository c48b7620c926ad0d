/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ELF loader of the Linux shim: validates an x86-64 ELF file and maps it
 * into the current guest address space. The file is reached through a read
 * callback, so the loader is testable without a file system.
 */
#ifndef LBX_SHIM_ELF_LOAD_H
#define LBX_SHIM_ELF_LOAD_H

#include <litebox/core.h>

#define LBX_ELF_INTERP_MAX 256

struct lbx_elf_reader {
	/* Reads up to n bytes at off into buf: bytes read or -errno. */
	ssize_t (*pread)(void *ctx, void *buf, size_t n, u64 off);
	void *ctx;
	u64 size;		/* file size */
	/* Optional: told of every range the loader maps (prot LBX_PROT_*). */
	void (*mapped)(void *map_ctx, u64 start, u64 end, int prot, u64 offset);
	void *map_ctx;
	/* Optional: told of each executable segment once it holds its bytes
	 * (file bytes [offset, offset + filesz) at addr), for the rewriter. */
	void (*code_loaded)(void *map_ctx, u64 addr, u64 filesz, u64 offset);
	/* Optional: reserves the image's extent of len bytes (prot none) as
	 * lbx_plat_guest_map(addr, len, 0, flags) would, flags 0 for an
	 * ET_DYN image (its base is the caller's to choose), and puts its
	 * address in *addr. Without it, the platform chooses. */
	int (*reserve)(void *map_ctx, u64 *addr, u64 len, int flags);
	/* Optional: maps len bytes of the file from page-aligned offset at
	 * addr (replacing what is there), private and copy-on-write, as a
	 * file mapping; only whole pages inside the file are asked for. An
	 * error makes the loader copy those bytes instead. */
	int (*map)(void *map_ctx, u64 addr, u64 len, int prot, u64 offset);
};

struct lbx_elf_info {
	u64 entry;		/* biased entry point */
	u64 bias;		/* load bias (0 for ET_EXEC) */
	u64 phdr;		/* guest address of the program headers, or 0 */
	u32 phnum;
	u32 phent;
	u64 lo, hi;		/* page-aligned extent of the image */
	bool exec_stack;
	bool is_dyn;
	char interp[LBX_ELF_INTERP_MAX];	/* PT_INTERP path, "" if none */
};

/*
 * Validates headers and maps every PT_LOAD segment. A malformed file gives
 * -ENOEXEC (not ELF, wrong machine, truncated headers, absurd or overlapping
 * segments) or -EINVAL (bad interpreter path); a mapping that collides with
 * memory already in use gives -EEXIST. Nothing stays mapped on failure.
 */
int lbx_elf_load(const struct lbx_elf_reader *r, struct lbx_elf_info *info);

/* The header checks alone (for tests and the rewriter). */
int lbx_elf_check(const struct lbx_elf_reader *r, struct lbx_elf_info *info);

#endif
