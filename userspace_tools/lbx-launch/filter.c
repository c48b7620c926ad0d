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
 *   sigaltstack(), rt_sigprocmask()                a new thread's stub set-up
 * and, only from the stub's thread spawn site (lbx_stub_spawn_thread):
 *   clone(CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM, stack)   a guest thread
 * Anything that is not an x86-64 syscall (i386 int 0x80, x32) kills the
 * process.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/sched.h>
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
#define NR (offsetof(struct seccomp_data, nr))

/* The host clone flags of a guest thread (LBX_HOSTOP_THREAD). */
#define LBX_THREAD_CLONE_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
				CLONE_THREAD | CLONE_SYSVSEM)

/*
 * A tiny assembler: jumps name labels, resolved when the program is done,
 * so the allowlist reads top to bottom without hand-counted offsets.
 */
enum label {
	L_NEXT = -1,
	L_ALLOW, L_TRAP, L_KILL, L_IOCTL, L_IOCTL_CMD, L_SITE, L_SITE_NR,
	L_SET_FS, L_FORK, L_SPAWN, L_SIGRETURN, L_NLABELS
};

struct bpf_prog {
	struct sock_filter f[128];
	int n;
	int label[L_NLABELS];
	struct { int at; enum label t, f; } fix[128];
	int nfix;
};

static void stmt(struct bpf_prog *p, uint16_t code, uint32_t k)
{
	p->f[p->n++] = (struct sock_filter)BPF_STMT(code, k);
}

static void ld(struct bpf_prog *p, uint32_t off)
{
	stmt(p, BPF_LD | BPF_W | BPF_ABS, off);
}

static void ret(struct bpf_prog *p, uint32_t v)
{
	stmt(p, BPF_RET | BPF_K, v);
}

/* if (A op k) goto t; else goto f; (L_NEXT: fall through) */
static void jump(struct bpf_prog *p, uint16_t op, uint32_t k, enum label t, enum label f)
{
	p->fix[p->nfix].at = p->n;
	p->fix[p->nfix].t = t;
	p->fix[p->nfix].f = f;
	p->nfix++;
	p->f[p->n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0);
}

static void label(struct bpf_prog *p, enum label l)
{
	p->label[l] = p->n;
}

static int resolve(struct bpf_prog *p)
{
	int i;

	for (i = 0; i < p->nfix; i++) {
		int at = p->fix[i].at, t = p->fix[i].t, f = p->fix[i].f;
		int jt = t == L_NEXT ? 0 : p->label[t] - at - 1;
		int jf = f == L_NEXT ? 0 : p->label[f] - at - 1;

		if (jt < 0 || jf < 0 || jt > 255 || jf > 255)
			return -1;	/* only forward jumps */
		p->f[at].jt = jt;
		p->f[at].jf = jf;
	}
	return 0;
}

/* 64-bit argument or instruction pointer equal to v, else goto fail. */
static void eq64(struct bpf_prog *p, uint32_t lo_off, uint64_t v, enum label fail)
{
	ld(p, lo_off);
	jump(p, BPF_JEQ, (uint32_t)v, L_NEXT, fail);
	ld(p, lo_off + 4);
	jump(p, BPF_JEQ, (uint32_t)(v >> 32), L_NEXT, fail);
}

static int build_filter(struct bpf_prog *p, uintptr_t site, uintptr_t spawn,
			uintptr_t restorer)
{
	memset(p, 0, sizeof(*p));
	/*
	 * Nothing is allowed whatever its arguments, so the kernel's action
	 * cache (seccomp_cache_prepare()) would stay empty. It finds that out
	 * by emulating the filter for every system call number of both
	 * architectures, about 150,000 instructions at every start, unless the
	 * filter's first load is of a value that is not constant: the
	 * instruction pointer, which the checks below read anyway.
	 */
	ld(p, IP_LO);
	/* x86-64 system calls only. */
	ld(p, offsetof(struct seccomp_data, arch));
	jump(p, BPF_JEQ, AUDIT_ARCH_X86_64, L_NEXT, L_KILL);
	ld(p, NR);
	jump(p, BPF_JGE, 0x40000000 /* __X32_SYSCALL_BIT */, L_KILL, L_NEXT);

	jump(p, BPF_JEQ, SYS_ioctl, L_IOCTL, L_NEXT);
	jump(p, BPF_JEQ, SYS_rt_sigreturn, L_SIGRETURN, L_NEXT);
	jump(p, BPF_JEQ, SYS_clone, L_SPAWN, L_NEXT);
	jump(p, BPF_JEQ, SYS_exit, L_SITE, L_NEXT);
	jump(p, BPF_JEQ, SYS_exit_group, L_SITE, L_NEXT);
	jump(p, BPF_JEQ, SYS_mprotect, L_SITE, L_NEXT);
	jump(p, BPF_JEQ, SYS_arch_prctl, L_SITE, L_NEXT);
	jump(p, BPF_JEQ, SYS_sigaltstack, L_SITE, L_NEXT);
	jump(p, BPF_JEQ, SYS_rt_sigprocmask, L_SITE, L_TRAP);

	/* ioctl: the entries into LiteBox, on the sandbox fd only. */
	label(p, L_IOCTL);
	eq64(p, ARG_LO(0), LBX_SANDBOX_FD, L_TRAP);
	ld(p, ARG_LO(1));
	jump(p, BPF_JEQ, LBX_IOC_SYSCALL, L_ALLOW, L_NEXT);
	jump(p, BPF_JEQ, LBX_IOC_HOSTOP_DONE, L_ALLOW, L_NEXT);
	jump(p, BPF_JEQ, LBX_IOC_EVENT, L_ALLOW, L_TRAP);

	/* rt_sigreturn: only the stub's restorer; a guest's traps. */
	label(p, L_SIGRETURN);
	eq64(p, IP_LO, restorer, L_TRAP);
	ret(p, SECCOMP_RET_ALLOW);

	/* clone of a guest thread: only from the stub's spawn site, only
	 * with the thread flags; any other clone goes to the host-op site. */
	label(p, L_SPAWN);
	ld(p, IP_LO);
	jump(p, BPF_JEQ, (uint32_t)spawn, L_NEXT, L_SITE);
	ld(p, IP_HI);
	jump(p, BPF_JEQ, (uint32_t)(spawn >> 32), L_NEXT, L_TRAP);
	eq64(p, ARG_LO(0), LBX_THREAD_CLONE_FLAGS, L_TRAP);
	ret(p, SECCOMP_RET_ALLOW);

	/* Host operations: only from the stub's host-operation site. */
	label(p, L_SITE);
	eq64(p, IP_LO, site, L_TRAP);
	ld(p, NR);
	jump(p, BPF_JEQ, SYS_arch_prctl, L_SET_FS, L_NEXT);
	jump(p, BPF_JEQ, SYS_clone, L_FORK, L_ALLOW);

	label(p, L_SET_FS);
	eq64(p, ARG_LO(0), ARCH_SET_FS, L_TRAP);
	ret(p, SECCOMP_RET_ALLOW);

	label(p, L_FORK);
	eq64(p, ARG_LO(0), 17 /* SIGCHLD: a plain fork */, L_TRAP);
	ret(p, SECCOMP_RET_ALLOW);

	label(p, L_ALLOW);
	ret(p, SECCOMP_RET_ALLOW);
	label(p, L_TRAP);
	ret(p, SECCOMP_RET_TRAP);
	label(p, L_KILL);
	ret(p, SECCOMP_RET_KILL_PROCESS);
	return resolve(p);
}

int lbx_install_filter(void)
{
	static struct bpf_prog p;
	struct sock_fprog prog = { .filter = p.f };

	if (build_filter(&p, (uintptr_t)lbx_stub_hostcall_ret,
			 (uintptr_t)lbx_stub_spawn_ret, (uintptr_t)lbx_stub_restorer_ret))
		return -EINVAL;
	prog.len = p.n;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}
