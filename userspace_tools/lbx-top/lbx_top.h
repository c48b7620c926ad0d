/* SPDX-License-Identifier: GPL-2.0 */
/* What lbx-top's BPF program (lbx_top.bpf.c) and its user side share. */
#ifndef LBX_TOP_H
#define LBX_TOP_H

/* Latency histogram: slot 0 holds 0 ns, slot s >= 1 holds [2^(s-1), 2^s) ns. */
#define LBX_TOP_SLOTS	64	/* a power of two */
#define LBX_TOP_ENOSYS	38

/* Per sandbox (a per-CPU hash keyed by the sandbox id). */
struct lbx_top_sb {
	__u64 calls;
	__u64 errors;		/* results in -4095..-1 */
	__u64 enosys;		/* results -ENOSYS */
	__u64 ns_sum;
	__u64 hist[LBX_TOP_SLOTS];
};

/* Per sandbox and syscall number (a per-CPU hash of call counts). */
struct lbx_top_nr_key {
	__u32 sb;
	__u32 nr;
};

#endif
