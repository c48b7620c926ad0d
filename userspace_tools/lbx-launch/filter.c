// SPDX-License-Identifier: GPL-2.0
/*
 * THE SECURITY BOUNDARY (DESIGN.md 3): the seccomp filter of a guest in
 * kernel mode. This file is the whole allowlist; README's security section
 * reproduces it. Every system call not listed here traps (SIGSYS) to the
 * stub, which hands it to litebox.ko to be served by LiteBox; the host
 * kernel never executes it.
 *
 * Allowed, with the narrowest checks seccomp can express:
 *   ioctl(LBX_SANDBOX_FD, LBX_IOC_SYSCALL,        entries into LiteBox
 *         LBX_IOC_HOSTOP_DONE or LBX_IOC_EVENT, ...)
 *   rt_sigreturn() from the stub's restorer only  return from the stub
 * and, only from the stub's host-operation site (lbx_stub_hostcall; the
 * filter checks the instruction pointer):
 *   exit(), exit_group()                           exit
 *   mprotect()                                     memory protection
 *   arch_prctl(ARCH_SET_FS, ...)                   TLS base
 *   clone(SIGCHLD, ...)                            a plain fork
 * Anything that is not an x86-64 syscall (i386 int 0x80, x32) kills the
 * process.
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
#include <asm/prctl.h>

#include "launch.h"
#include "stub.h"

#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#define ARG_HI(n) (offsetof(struct seccomp_data, args[n]) + 4)
#define IP_LO (offsetof(struct seccomp_data, instruction_pointer))
#define IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

/*
 * Jump offsets count instructions after the jump; [n] marks indices. The
 * stub's fork site is only known at run time, so the program is built here.
 */
static int build_filter(struct sock_filter *f, size_t n, uintptr_t site,
			uintptr_t restorer)
{
	const struct sock_filter prog[] = {
		/* [0] x86-64 only */
		LD(offsetof(struct seccomp_data, arch)),
		JEQ(AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD(offsetof(struct seccomp_data, nr)),
		JGE(0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),

		/* [6] dispatch on the number */
		JEQ(SYS_ioctl, 9, 0),			/* -> [16] */
		JEQ(SYS_rt_sigreturn, 42, 0),		/* -> [50] */
		JEQ(SYS_exit, 12, 0),			/* -> [21] */
		JEQ(SYS_exit_group, 11, 0),		/* -> [21] */
		JEQ(SYS_mprotect, 10, 0),		/* -> [21] */
		JEQ(SYS_arch_prctl, 9, 0),		/* -> [21] */
		JEQ(SYS_clone, 8, 0),			/* -> [21], else [13] */
		/* [13] */ RET(SECCOMP_RET_TRAP),
		/* [14] */ RET(SECCOMP_RET_ALLOW),
		/* [15] */ RET(SECCOMP_RET_TRAP),

		/* [16] ioctl: only on the sandbox fd */
		LD(ARG_LO(0)),
		JEQ(LBX_SANDBOX_FD, 0, 2),		/* else -> [20] */
		LD(ARG_HI(0)),
		JEQ(0, 24, 0),				/* -> [44] (command check) */
		/* [20] */ RET(SECCOMP_RET_TRAP),

		/* [21] host operations: only from the stub's site */
		LD(IP_LO),
		JEQ((uint32_t)site, 0, 20),		/* else -> [43] */
		LD(IP_HI),
		JEQ((uint32_t)(site >> 32), 0, 18),	/* else -> [43] */
		LD(offsetof(struct seccomp_data, nr)),
		JEQ(SYS_arch_prctl, 5, 0),		/* -> [32] */
		JEQ(SYS_clone, 9, 0),			/* -> [37] */
		/* [28] exit, exit_group, mprotect */ RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_TRAP),
		RET(SECCOMP_RET_TRAP),
		RET(SECCOMP_RET_TRAP),

		/* [32] arch_prctl: only ARCH_SET_FS */
		LD(ARG_HI(0)),
		JEQ(0, 0, 9),				/* else -> [43] */
		LD(ARG_LO(0)),
		JEQ(ARCH_SET_FS, 5, 7),			/* -> [41], else [43] */
		/* [36] */ RET(SECCOMP_RET_TRAP),

		/* [37] clone: only a plain fork */
		LD(ARG_HI(0)),
		JEQ(0, 0, 4),				/* else -> [43] */
		LD(ARG_LO(0)),
		JEQ(17 /* SIGCHLD */, 0, 2),		/* -> [41], else [43] */
		/* [41] */ RET(SECCOMP_RET_ALLOW),
		/* [42] */ RET(SECCOMP_RET_TRAP),
		/* [43] */ RET(SECCOMP_RET_TRAP),

		/* [44] ioctl commands: the entries into LiteBox */
		LD(ARG_LO(1)),
		JEQ(LBX_IOC_SYSCALL, 3, 0),		/* -> [49] */
		JEQ(LBX_IOC_HOSTOP_DONE, 2, 0),		/* -> [49] */
		JEQ(LBX_IOC_EVENT, 1, 0),		/* -> [49] */
		/* [48] */ RET(SECCOMP_RET_TRAP),
		/* [49] */ RET(SECCOMP_RET_ALLOW),

		/* [50] rt_sigreturn: only the stub's restorer; a guest's traps */
		LD(IP_LO),
		JEQ((uint32_t)restorer, 0, 3),		/* else -> [55] */
		LD(IP_HI),
		JEQ((uint32_t)(restorer >> 32), 0, 1),	/* else -> [55] */
		/* [54] */ RET(SECCOMP_RET_ALLOW),
		/* [55] */ RET(SECCOMP_RET_TRAP),
	};

	if (n < sizeof(prog) / sizeof(prog[0]))
		return -1;
	memcpy(f, prog, sizeof(prog));
	return sizeof(prog) / sizeof(prog[0]);
}

int lbx_install_filter(void)
{
	struct sock_filter f[64];
	struct sock_fprog prog = { .filter = f };
	int n = build_filter(f, sizeof(f) / sizeof(f[0]), (uintptr_t)lbx_stub_hostcall_ret,
			     (uintptr_t)lbx_stub_restorer_ret);

	if (n < 0)
		return -EINVAL;
	prog.len = n;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}
