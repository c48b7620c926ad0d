// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the shim's ELF loader (shims/linux/elf.c) on arbitrary
 * files. Each input is checked (lbx_elf_check) and then loaded for real
 * into this process (lbx_elf_load; the guest memory of the unit-test
 * platform is the process's own). What must hold, whatever the bytes:
 *
 * - the answer is 0 or one of the documented errors (ENOEXEC for a
 *   malformed file, EINVAL for a bad interpreter path, ENOMEM, and EEXIST
 *   for an image that collides with memory in use);
 * - a file that passes has a page-aligned, non-empty extent, and its
 *   interpreter, if any, is an absolute NUL-terminated path;
 * - a load that fails leaves nothing mapped in the range it reserved.
 *
 * Images are kept below 64 MiB (the reservation refuses more) and are
 * placed only where nothing is mapped (MAP_FIXED_NOREPLACE), so the loader
 * cannot map over the fuzzer itself. Build and run with
 * tests/unit/fuzz/run.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "userland.h"
#include "elf_load.h"

#define SPAN_MAX	(64ULL << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Malformed input is the point: keep the loader's warnings quiet. */
	lbx_userland_log_level = LBX_LOG_ERR;
	return 0;
}

struct input {
	const u8 *data;
	size_t size;
	u64 base, span;		/* the reservation, while it stands */
};

static ssize_t in_pread(void *ctx, void *buf, size_t n, u64 off)
{
	struct input *in = ctx;

	if (off >= in->size)
		return 0;
	if (n > in->size - off)
		n = in->size - off;
	memcpy(buf, in->data + off, n);
	return n;
}

static int in_reserve(void *ctx, u64 *addr, u64 len, int flags)
{
	struct input *in = ctx;
	void *p;

	if (!len || len > SPAN_MAX)
		return -ENOMEM;
	/* An ET_DYN image goes where the host puts it; an ET_EXEC one at its
	 * own address, only if that is free. */
	p = mmap(flags ? (void *)(uintptr_t)*addr : NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 (flags ? MAP_FIXED_NOREPLACE : 0), -1, 0);
	if (p == MAP_FAILED)
		return errno == EEXIST ? -EEXIST : -ENOMEM;
	if (flags && (u64)(uintptr_t)p != *addr) {
		/* An old kernel's hint: not where it must be. */
		munmap(p, len);
		return -EEXIST;
	}
	*addr = (u64)(uintptr_t)p;
	in->base = *addr;
	in->span = len;
	return 0;
}

static bool allowed(int ret)
{
	return !ret || ret == -ENOEXEC || ret == -EINVAL || ret == -ENOMEM ||
	       ret == -EEXIST;
}

static void check_info(const struct lbx_elf_info *info)
{
	size_t n = strnlen(info->interp, sizeof(info->interp));

	if (info->hi <= info->lo || (info->lo | info->hi) & (LBX_PAGE_SIZE - 1))
		abort();
	if (n == sizeof(info->interp) || (n && info->interp[0] != '/'))
		abort();
}

/* Nothing of a failed load may stay in its reservation. */
static void check_unmapped(u64 base, u64 span)
{
	void *p = mmap((void *)(uintptr_t)base, span, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		abort();
	munmap(p, span);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { .data = data, .size = size };
	struct lbx_elf_reader r = {
		.pread = in_pread, .ctx = &in, .size = size,
		.reserve = in_reserve, .map_ctx = &in,
	};
	struct lbx_elf_info info;
	int ret;

	ret = lbx_elf_check(&r, &info);
	if (!allowed(ret))
		abort();
	if (ret)
		return 0;
	check_info(&info);
	ret = lbx_elf_load(&r, &info);
	if (!allowed(ret))
		abort();
	if (ret) {
		if (in.span)
			check_unmapped(in.base, in.span);
		return 0;
	}
	check_info(&info);
	if (info.lo != in.base || info.hi - info.lo != in.span)
		abort();
	munmap((void *)(uintptr_t)in.base, in.span);
	return 0;
}
