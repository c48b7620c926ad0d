// SPDX-License-Identifier: GPL-2.0
/*
 * The SIGSYS path: guest syscall -> seccomp trap -> this handler -> LiteBox
 * (ioctl in kernel mode, a call in userland mode) -> host operation, if any
 * -> back to the guest with the result in rax.
 *
 * Compiled with -fno-stack-protector: it runs on the guest's FS base.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <asm/prctl.h>

#include "stub.h"

/* The host exit status when the stub itself cannot go on. */
#define LBX_STUB_FATAL_STATUS 125

long lbx_raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define raw3(nr, a, b, c) lbx_raw_syscall6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static struct lbx_stub_tls *stub_tls(void)
{
	char here;

	/* The handler runs on this thread's aligned signal stack. */
	return (struct lbx_stub_tls *)((uintptr_t)&here & ~(uintptr_t)(LBX_ALTSTACK_SIZE - 1));
}

#ifndef LBX_STUB_USERLAND
long lbx_stub_entry(struct lbx_stub_tls *tls, struct lbx_syscall *sc)
{
	long r;

	(void)tls;
	/* A host signal can interrupt a sleeping entry: LiteBox then decides
	 * what the guest sees, so enter again. */
	do
		r = raw3(SYS_ioctl, LBX_SANDBOX_FD, LBX_IOC_SYSCALL, sc);
	while (r == -4 /* EINTR */);
	return r;
}
#endif

static void regs_from_uc(struct lbx_regs *r, const greg_t *g, long nr)
{
	r->r15 = g[REG_R15];
	r->r14 = g[REG_R14];
	r->r13 = g[REG_R13];
	r->r12 = g[REG_R12];
	r->rbp = g[REG_RBP];
	r->rbx = g[REG_RBX];
	r->r11 = g[REG_R11];
	r->r10 = g[REG_R10];
	r->r9 = g[REG_R9];
	r->r8 = g[REG_R8];
	r->rax = nr;
	r->rcx = g[REG_RCX];
	r->rdx = g[REG_RDX];
	r->rsi = g[REG_RSI];
	r->rdi = g[REG_RDI];
	r->rip = g[REG_RIP];
	r->rsp = g[REG_RSP];
	r->rflags = g[REG_EFL];
}

static void regs_to_uc(greg_t *g, const struct lbx_regs *r)
{
	g[REG_R15] = r->r15;
	g[REG_R14] = r->r14;
	g[REG_R13] = r->r13;
	g[REG_R12] = r->r12;
	g[REG_RBP] = r->rbp;
	g[REG_RBX] = r->rbx;
	g[REG_R11] = r->r11;
	g[REG_R10] = r->r10;
	g[REG_R9] = r->r9;
	g[REG_R8] = r->r8;
	g[REG_RAX] = r->rax;
	g[REG_RCX] = r->rcx;
	g[REG_RDX] = r->rdx;
	g[REG_RSI] = r->rsi;
	g[REG_RDI] = r->rdi;
	g[REG_RIP] = r->rip;
	g[REG_RSP] = r->rsp;
	g[REG_EFL] = r->rflags;
}

#define hostcall(nr, a, b, c) lbx_stub_hostcall(nr, (long)(a), (long)(b), (long)(c), 0, 0)

static void stub_fatal(const char *msg, size_t len)
{
#ifdef LBX_STUB_USERLAND
	raw3(SYS_write, 2, msg, len);
#else
	/* No host fd to write to in kernel mode, and write is not allowed. */
	(void)msg;
	(void)len;
#endif
	hostcall(SYS_exit_group, LBX_STUB_FATAL_STATUS, 0, 0);
	__builtin_unreachable();
}

/* Forks the host process and completes the fork with LiteBox from both
 * sides: the parent learns the child's guest pid, the child its registers. */
static void run_fork(struct lbx_syscall *sc)
{
	struct lbx_syscall done;
	long r = hostcall(SYS_clone, 17 /* SIGCHLD */, 0, 0);

	memset(&done, 0, sizeof(done));
	done.size = sizeof(done);
	done.regs = sc->regs;
	done.hostop = LBX_HOSTOP_FORK;
	done.hostop_arg[0] = r > 0 ? r : (r == 0 ? 0 : r);
	do
		r = raw3(SYS_ioctl, LBX_SANDBOX_FD, LBX_IOC_HOSTOP_DONE, &done);
	while (r == -4 /* EINTR */);
	if (r < 0)
		stub_fatal("litebox stub: fork completion failed\n", 37);
	sc->regs = done.regs;
	sc->resume_flags = done.resume_flags;
	sc->hostop = LBX_HOSTOP_NONE;
}

static void run_hostop(struct lbx_syscall *sc)
{
	switch (sc->hostop) {
	case LBX_HOSTOP_NONE:
		break;
	case LBX_HOSTOP_EXIT_GROUP:
		hostcall(SYS_exit_group, sc->hostop_arg[0], 0, 0);
		__builtin_unreachable();
	case LBX_HOSTOP_EXIT_THREAD:
		hostcall(SYS_exit, sc->hostop_arg[0], 0, 0);
		__builtin_unreachable();
	case LBX_HOSTOP_MPROTECT:
		sc->regs.rax = hostcall(SYS_mprotect, sc->hostop_arg[0],
					sc->hostop_arg[1], sc->hostop_arg[2]);
		break;
	case LBX_HOSTOP_FORK:
		run_fork(sc);
		break;
	default:
		stub_fatal("litebox stub: unknown host operation\n", 38);
	}
}

static void sigsys_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	struct lbx_stub_tls *tls = stub_tls();
	struct lbx_syscall sc;
	long r;

	(void)sig;
	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	regs_from_uc(&sc.regs, g, info->si_syscall);
	r = lbx_stub_entry(tls, &sc);
	if (r < 0)
		stub_fatal("litebox stub: entry into LiteBox failed\n", 40);
	run_hostop(&sc);
	if (sc.resume_flags & LBX_RESUME_SET_FS) {
		tls->guest_fs = sc.regs.fs_base;
#ifndef LBX_STUB_USERLAND
		hostcall(SYS_arch_prctl, ARCH_SET_FS, sc.regs.fs_base, 0);
#endif
	}
	if (sc.resume_flags & LBX_RESUME_ALL_REGS)
		regs_to_uc(g, &sc.regs);
	else
		g[REG_RAX] = sc.regs.rax;
}

struct lbx_stub_tls *lbx_stub_thread_init(void)
{
	struct lbx_stub_tls *tls;
	stack_t ss;
	void *p;

	/* Over-allocate to align the stack to its size. */
	p = mmap(NULL, 2 * LBX_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	tls = (void *)(((uintptr_t)p + LBX_ALTSTACK_SIZE - 1) &
		       ~(uintptr_t)(LBX_ALTSTACK_SIZE - 1));
	memset(tls, 0, sizeof(*tls));
	ss.ss_sp = (char *)tls + 4096;	/* keep the tls block below the frames */
	ss.ss_size = LBX_ALTSTACK_SIZE - 4096;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL))
		return NULL;
	return tls;
}

int lbx_stub_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);	/* nothing interrupts an entry's bookkeeping */
	return sigaction(SIGSYS, &sa, NULL);
}
