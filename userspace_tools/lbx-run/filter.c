// SPDX-License-Identifier: GPL-2.0
/*
 * The userland-mode seccomp filter: a system call made from lbx-run's own
 * code (LiteBox's platform, the stub) runs on the host; one made from
 * anywhere else (the guest) traps to the stub. This separates guest and
 * LiteBox syscalls, but it is not a security boundary: guest and LiteBox
 * share one address space, so a hostile guest can jump into lbx-run's code
 * (README says so). Non-x86-64 syscalls kill the process.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run.h"

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define JGT(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)

/*
 * The filter for text [start, end): allow from inside, trap from outside.
 * Returns its length, or -EINVAL for a range it cannot express.
 */
int lbx_run_filter_build(uintptr_t start, uintptr_t end, struct sock_filter *out)
{
	uint32_t shi = start >> 32, slo = (uint32_t)start;
	uint32_t ehi = end >> 32, elo = (uint32_t)end;
	/* [0-5]: x86-64 system calls only. */
	const struct sock_filter arch[] = {
		LD(offsetof(struct seccomp_data, arch)),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD(offsetof(struct seccomp_data, nr)),
		JGE(0x40000000, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
	};
	/* Then, for text below one 4 GiB boundary: ip's high half is start's. */
	const struct sock_filter one[] = {
		/* [6] */ LD(IP_HI),
		JEQ(shi, 0, 4),			/* else -> [12] trap */
		LD(IP_LO),
		JGE(slo, 0, 2),			/* else -> [12] */
		JGE(elo, 1, 0),			/* ip >= end -> [12] */
		/* [11] */ RET(SECCOMP_RET_ALLOW),
		/* [12] */ RET(SECCOMP_RET_TRAP),
	};
	/* Or for text across one (ASLR may put it anywhere). */
	const struct sock_filter two[] = {
		/* [6] below the boundary: ip >= start */
		LD(IP_HI),
		JEQ(shi, 0, 3),			/* else -> [11] */
		LD(IP_LO),
		JGE(slo, 0, 5),			/* else -> [15] trap */
		/* [10] */ RET(SECCOMP_RET_ALLOW),
		/* [11] above it: ip < end (A still holds ip's high half) */
		JEQ(ehi, 0, 3),			/* else -> [15] */
		LD(IP_LO),
		JGE(elo, 1, 0),			/* ip >= end -> [15] */
		/* [14] */ RET(SECCOMP_RET_ALLOW),
		/* [15] */ RET(SECCOMP_RET_TRAP),
	};
	const struct sock_filter *range = shi == ehi ? one : two;
	size_t n = shi == ehi ? sizeof(one) : sizeof(two);

	_Static_assert((sizeof(arch) + sizeof(two)) / sizeof(arch[0]) <= LBX_RUN_FILTER_MAX,
		       "filter size");
	if (start >= end || ehi - shi > 1)
		return -EINVAL;
	memcpy(out, arch, sizeof(arch));
	memcpy(out + sizeof(arch) / sizeof(arch[0]), range, n);
	return (int)((sizeof(arch) + n) / sizeof(arch[0]));
}

int lbx_run_install_filter(uintptr_t start, uintptr_t end)
{
	struct sock_filter f[LBX_RUN_FILTER_MAX];
	struct sock_fprog prog = { .filter = f };
	int n = lbx_run_filter_build(start, end, f);

	if (n < 0)
		return n;
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}
