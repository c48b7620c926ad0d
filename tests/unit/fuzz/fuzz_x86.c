// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the rewriter on arbitrary code. The decoder never reads
 * past its input or claims more than 15 bytes; the scanner's sites are
 * sorted, disjoint, inside the code, at least a jmp long, and cover a
 * syscall instruction at start + pre; emitting them stays inside the
 * region and patches exactly the planned ranges.
 */
#include <stdlib.h>
#include <string.h>

#include <litebox/errno.h>
#include <litebox/rewrite.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct lbx_rw_plan plan;
	size_t off, pos = 0, region_size;
	u8 *code, *copy, *region;
	u32 i, prev_end = 0;

	/* The decoder on a buffer of exactly the input's size (ASan checks). */
	code = malloc(size ? size : 1);
	if (!code)
		return 0;
	memcpy(code, data, size);
	for (off = 0; off < size;) {
		struct lbx_x86_insn in;
		int n = lbx_x86_decode(code + off, size - off, &in);

		if (n < 0) {
			if (n != -EINVAL)
				abort();
			off++;
			continue;
		}
		if (n == 0 || n > LBX_X86_MAX_LEN || (size_t)n > size - off)
			abort();
		off += n;
	}
	if (lbx_rw_scan(code, size, &plan)) {
		free(code);
		return 0;
	}
	if (plan.n > plan.found)
		abort();
	for (i = 0; i < plan.n; i++) {
		const struct lbx_rw_site *s = &plan.sites[i];

		if (s->start < prev_end || s->len < 5 || s->start + s->len > size ||
		    s->pre + 2 + s->post != s->len ||
		    code[s->start + s->pre] != 0x0f || code[s->start + s->pre + 1] != 0x05)
			abort();
		prev_end = s->start + s->len;
	}
	region_size = lbx_rw_region_size(&plan, plan.n);
	region = malloc(region_size);
	copy = malloc(size ? size : 1);
	if (region && copy) {
		memcpy(copy, code, size);
		lbx_rw_emit_header(region, 0x500000, 0);
		if (lbx_rw_emit(copy, 0x400000, &plan, plan.n, region, 0x500000,
				region_size, &pos) != plan.n || pos != region_size)
			abort();
		/* Outside the planned ranges the code is untouched. */
		for (off = 0, i = 0; off < size; off++) {
			while (i < plan.n && off >= plan.sites[i].start + plan.sites[i].len)
				i++;
			if (i < plan.n && off >= plan.sites[i].start)
				continue;
			if (copy[off] != code[off])
				abort();
		}
	}
	free(region);
	free(copy);
	lbx_rw_plan_free(&plan);
	free(code);
	return 0;
}
