// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-top's BPF side: counts every guest syscall litebox.ko serves, from
 * the litebox:lbx_syscall_exit tracepoint, per sandbox (calls, errors,
 * ENOSYS, a log2 latency histogram) and per sandbox and syscall number.
 * The user side (main.c) reads the maps and computes rates and percentiles.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lbx_top.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The tracepoint's record, as events/litebox/lbx_syscall_exit/format lays
 * it out (kmod/trace.h): the common header, then the fields in order.
 * litebox.ko carries no BTF of its own, so the layout is ours to match.
 */
struct lbx_syscall_exit_args {
	struct trace_entry ent;
	__u32 sb;
	__u32 pid;
	__u32 tid;
	__u32 nr;
	__s64 ret;
	__u64 duration_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct lbx_top_sb);
} sb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lbx_top_nr_key);
	__type(value, __u64);
} nr_counts SEC(".maps");

static const struct lbx_top_sb zero_sb;
static const __u64 zero_count;

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xffffffffULL) << 5;
	v >>= r;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

SEC("tp/litebox/lbx_syscall_exit")
int on_syscall_exit(struct lbx_syscall_exit_args *ctx)
{
	struct lbx_top_nr_key nk = { .sb = ctx->sb, .nr = ctx->nr };
	__u64 ns = ctx->duration_ns;
	__s64 ret = ctx->ret;
	__u32 sb = ctx->sb;
	__u64 idx;
	struct lbx_top_sb *s;
	__u64 *c;

	s = bpf_map_lookup_elem(&sb_stats, &sb);
	if (!s) {
		bpf_map_update_elem(&sb_stats, &sb, &zero_sb, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sb_stats, &sb);
		if (!s)
			return 0;
	}
	/* Per-CPU values: plain increments are safe. */
	s->calls++;
	s->ns_sum += ns;
	if (ret < 0 && ret >= -4095) {
		s->errors++;
		if (ret == -LBX_TOP_ENOSYS)
			s->enosys++;
	}
	idx = ns ? log2_u64(ns) + 1 : 0;
	if (idx >= LBX_TOP_SLOTS)
		idx = LBX_TOP_SLOTS - 1;
	/* A mask the compiler cannot fold away, on the very register used as
	 * the index: a bound 6.1's verifier follows (64 slots). */
	asm volatile("%0 &= 63" : "+r"(idx));
	s->hist[idx]++;

	c = bpf_map_lookup_elem(&nr_counts, &nk);
	if (!c) {
		bpf_map_update_elem(&nr_counts, &nk, &zero_count, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&nr_counts, &nk);
		if (!c)
			return 0;
	}
	(*c)++;
	return 0;
}
