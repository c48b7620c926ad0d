// SPDX-License-Identifier: GPL-2.0
/*
 * THE SECURITY BOUNDARY (DESIGN.md 3): the seccomp filter of a guest in
 * kernel mode. This file is the whole allowlist; README's security section
 * reproduces it. Every system call not listed here traps (SIGSYS) to the
 * stub, which hands it to litebox.ko to be served by LiteBox; the host
 * kernel never executes it.
 *
 * Allowed, with the narrowest checks seccomp can express:
 *   ioctl(LBX_SANDBOX_FD, LBX_IOC_SYSCALL, ...)   entries into LiteBox
 *   rt_sigreturn()                                 return from the stub
 *   exit(), exit_group()                           host operations: exit
 *   mprotect()                                     host operation: protection
 *   arch_prctl(ARCH_SET_FS, ...)                   host operation: TLS base
 * Anything that is not an x86-64 syscall (i386 int 0x80, x32) kills the
 * process.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "launch.h"
#include "stub.h"

#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#define ARG_HI(n) (offsetof(struct seccomp_data, args[n]) + 4)
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

/* Jump offsets count instructions after the jump; [n] marks indices. */
static const struct sock_filter lbx_filter[] = {
	/* [0] x86-64 only */
	LD(offsetof(struct seccomp_data, arch)),
	JEQ(AUDIT_ARCH_X86_64, 1, 0),
	RET(SECCOMP_RET_KILL_PROCESS),
	LD(offsetof(struct seccomp_data, nr)),
	JGE(0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),

	/* [6] dispatch on the number */
	JEQ(SYS_ioctl, 7, 0),			/* -> [14] */
	JEQ(SYS_rt_sigreturn, 4, 0),		/* -> [12] */
	JEQ(SYS_exit, 3, 0),			/* -> [12] */
	JEQ(SYS_exit_group, 2, 0),		/* -> [12] */
	JEQ(SYS_mprotect, 1, 0),		/* -> [12] */
	JEQ(SYS_arch_prctl, 10, 1),		/* -> [22], else [13] */
	/* [12] */ RET(SECCOMP_RET_ALLOW),
	/* [13] */ RET(SECCOMP_RET_TRAP),

	/* [14] ioctl: only on the sandbox fd, only the entry command */
	LD(ARG_LO(0)),
	JEQ(LBX_SANDBOX_FD, 0, 4),		/* else -> [20] */
	LD(ARG_HI(0)),
	JEQ(0, 0, 2),				/* else -> [20] */
	LD(ARG_LO(1)),
	JEQ(LBX_IOC_SYSCALL, 1, 0),		/* -> [21], else [20] */
	/* [20] */ RET(SECCOMP_RET_TRAP),
	/* [21] */ RET(SECCOMP_RET_ALLOW),

	/* [22] arch_prctl: only ARCH_SET_FS */
	LD(ARG_HI(0)),
	JEQ(0, 0, 2),				/* else -> [26] */
	LD(ARG_LO(0)),
	JEQ(ARCH_SET_FS, 1, 0),			/* -> [27], else [26] */
	/* [26] */ RET(SECCOMP_RET_TRAP),
	/* [27] */ RET(SECCOMP_RET_ALLOW),
};

int lbx_install_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof(lbx_filter) / sizeof(lbx_filter[0]),
		.filter = (struct sock_filter *)lbx_filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}
