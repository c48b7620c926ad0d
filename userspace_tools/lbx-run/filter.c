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

int lbx_run_install_filter(uintptr_t start, uintptr_t end)
{
	uint32_t shi = start >> 32, slo = (uint32_t)start;
	uint32_t ehi = end >> 32, elo = (uint32_t)end;
	/* The text range must not straddle a 4 GiB boundary (checked below). */
	struct sock_filter f[] = {
		/* [0] */ LD(offsetof(struct seccomp_data, arch)),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		/* [3] */ LD(offsetof(struct seccomp_data, nr)),
		JGE(0x40000000, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
		/* [6] start <= ip < end, with ip's high half equal to start's */
		LD(IP_HI),
		JEQ(shi, 0, 4),			/* else -> [12] trap */
		LD(IP_LO),
		JGE(slo, 0, 2),			/* else -> [12] */
		JGE(elo, 1, 0),			/* ip >= end -> [12] */
		/* [11] */ RET(SECCOMP_RET_ALLOW),
		/* [12] */ RET(SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (shi != ehi || start >= end)
		return -EINVAL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}
