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
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <asm/prctl.h>

#include "stub.h"

#ifdef LBX_STUB_USERLAND
bool lbx_userland_fault_fixup(uint64_t *rip);	/* platforms/linux_userland */
#endif

/* LiteBox's kick (lbx_plat_thread_kick); see platforms/linux_kernel. */
#define LBX_STUB_KICK_SIGNAL SIGURG

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
	uintptr_t sp;

	/* The handler runs on this thread's aligned signal stack. Read the
	 * stack pointer itself: a pointer derived from a local's address
	 * would let the compiler treat the block as that dead local and drop
	 * the stores to it. */
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	return (struct lbx_stub_tls *)(sp & ~(uintptr_t)(LBX_ALTSTACK_SIZE - 1));
}

#ifndef LBX_STUB_USERLAND
long lbx_stub_event_entry(struct lbx_stub_tls *tls, struct lbx_event *ev)
{
	long r;

	(void)tls;
	do
		r = raw3(SYS_ioctl, LBX_SANDBOX_FD, LBX_IOC_EVENT, ev);
	while (r == -4 /* EINTR */);
	return r;
}

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
/* Completes a fork or thread start; in a new process or thread the kernel
 * answers with the registers it starts with. */
static long complete(struct lbx_syscall *done, unsigned int op, long result)
{
	long r;

	done->hostop = op;
	done->hostop_arg[0] = result;
	do
		r = raw3(SYS_ioctl, LBX_SANDBOX_FD, LBX_IOC_HOSTOP_DONE, done);
	while (r == -4 /* EINTR */);
	return r;
}

static void run_fork(struct lbx_syscall *sc)
{
	struct lbx_syscall done;
	long r = hostcall(SYS_clone, 17 /* SIGCHLD */, 0, 0);

	memset(&done, 0, sizeof(done));
	done.size = sizeof(done);
	done.regs = sc->regs;
	if (complete(&done, LBX_HOSTOP_FORK, r) < 0)
		stub_fatal("litebox stub: fork completion failed\n", 37);
	sc->regs = done.regs;
	sc->resume_flags = done.resume_flags;
	sc->hostop = LBX_HOSTOP_NONE;
}

static void run_thread(struct lbx_syscall *sc)
{
	struct lbx_syscall done;
	long r = lbx_stub_spawn_thread(sc->hostop_arg[0], (void *)(uintptr_t)sc->hostop_arg[1]);

	memset(&done, 0, sizeof(done));
	done.size = sizeof(done);
	done.regs = sc->regs;
	if (complete(&done, LBX_HOSTOP_THREAD, r) < 0)
		stub_fatal("litebox stub: thread completion failed\n", 39);
	sc->regs = done.regs;
	sc->resume_flags = done.resume_flags;
	sc->hostop = LBX_HOSTOP_NONE;
}

/* The first code of a guest thread's host thread, on the stack the kernel
 * mapped for it: set up like the main thread, then enter the guest. */
void lbx_stub_thread_main(void)
{
	struct lbx_stub_tls *tls = stub_tls();
	struct lbx_syscall done;
	uint64_t none = 0;
	stack_t ss;

	memset(tls, 0, sizeof(*tls));
	ss.ss_sp = (char *)tls + 4096;
	ss.ss_size = LBX_ALTSTACK_SIZE - 4096;
	ss.ss_flags = 0;
	if (hostcall(SYS_sigaltstack, &ss, 0, 0) < 0)
		hostcall(SYS_exit, LBX_STUB_FATAL_STATUS, 0, 0);
	/* Created inside the SIGSYS handler: unblock what it blocked. */
	lbx_stub_hostcall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8, 0);
	memset(&done, 0, sizeof(done));
	done.size = sizeof(done);
	if (complete(&done, LBX_HOSTOP_THREAD, 0) < 0)
		hostcall(SYS_exit, LBX_STUB_FATAL_STATUS, 0, 0);
	lbx_stub_enter_guest(&done.regs, done.resume_flags);
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
	case LBX_HOSTOP_THREAD:
		run_thread(sc);
		break;
	default:
		stub_fatal("litebox stub: unknown host operation\n", 38);
	}
}

/* The guest's new FS base, when LiteBox set one (userland mode: the entry
 * already loaded it; tls may be NULL in a kernel-mode direct entry). */
static void resume_fs(struct lbx_stub_tls *tls, const struct lbx_syscall *sc)
{
	if (!(sc->resume_flags & LBX_RESUME_SET_FS))
		return;
	if (tls)
		tls->guest_fs = sc->regs.fs_base;
#ifndef LBX_STUB_USERLAND
	hostcall(SYS_arch_prctl, ARCH_SET_FS, sc->regs.fs_base, 0);
#endif
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
	tls->in_entry++;
	r = lbx_stub_entry(tls, &sc);
	if (r < 0)
		stub_fatal("litebox stub: entry into LiteBox failed\n", 40);
	run_hostop(&sc);
	tls->in_entry--;
	resume_fs(tls, &sc);
	if (sc.resume_flags & LBX_RESUME_ALL_REGS)
		regs_to_uc(g, &sc.regs);
	else
		g[REG_RAX] = sc.regs.rax;
}

/*
 * The direct entry's C half (lbx_stub_direct in enter.S builds sc): serve
 * the call, perform its host operation, and say how the trampoline goes on.
 * Returns 0 to resume with sc->regs.rax, 1 to execute the trampoline's
 * trapping syscall with sc->regs.rax. In kernel mode this code runs with the
 * guest's vector registers live: it is built with general registers only.
 */
/* The calling thread's block: userland mode keeps it at the GS base. */
static struct lbx_stub_tls *direct_tls(void)
{
#ifdef LBX_STUB_USERLAND
	struct lbx_stub_tls *tls;

	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(tls) : "i"(LBX_STUB_TLS_SELF));
	return tls;
#else
	return NULL;
#endif
}

_Static_assert(offsetof(struct lbx_stub_tls, direct_stack) == LBX_STUB_TLS_DIRECT_STACK &&
	       offsetof(struct lbx_stub_tls, xsave_area) == LBX_STUB_TLS_XSAVE_AREA &&
	       offsetof(struct lbx_stub_tls, self) == LBX_STUB_TLS_SELF, "tls layout in enter.S");

/* enter.S's fast path knows these. */
_Static_assert(LBX_IOC_SYSCALL == 0xc0e0bb11, "SC_IOC in enter.S");
_Static_assert(offsetof(struct lbx_syscall, resume_flags) == 168 &&
	       offsetof(struct lbx_syscall, hostop) == 172, "SC_RESUME in enter.S");

/* After the entry answered sc (ret: the entry's own result). */
long lbx_stub_direct_finish(struct lbx_syscall *sc, long ret)
{
	uint64_t rip = sc->regs.rip, rsp = sc->regs.rsp;
	struct lbx_stub_tls *tls = direct_tls();

	if (ret < 0)
		stub_fatal("litebox stub: direct entry into LiteBox failed\n", 47);
	run_hostop(sc);
	resume_fs(tls, sc);
	if (sc->resume_flags & LBX_RESUME_TRAP)
		return 1;
	/* A forked child resumes where its parent called fork: the same state
	 * but rax, which the trampoline takes. A child given its own stack
	 * (clone or clone3 with a stack, as posix_spawn does) starts there:
	 * a fresh stack, so entering as a new thread does is exact enough. */
	if ((sc->resume_flags & LBX_RESUME_ALL_REGS) &&
	    (sc->regs.rip != rip || sc->regs.rsp != rsp))
		lbx_stub_enter_guest(&sc->regs, sc->resume_flags & ~LBX_RESUME_SET_FS);
	return 0;
}

long lbx_stub_direct_c(struct lbx_syscall *sc)
{
	return lbx_stub_direct_finish(sc, lbx_stub_entry(direct_tls(), sc));
}

/*
 * Host signals other than SIGSYS: one sent to the guest's process (it
 * becomes the guest's signal), a fault in guest code (it becomes the guest's
 * SIGSEGV, SIGBUS, ...), or LiteBox's kick (a guest signal is pending).
 */
extern char __executable_start[];
extern char etext[];

/*
 * Was the thread in LiteBox's own code (the stub, or all of lbx-run) when
 * the signal came? Then it is nested: the interrupted state is not the
 * guest's. The flag covers the entry itself; the address covers the few
 * instructions before and after it, up to the return to the guest.
 */
static bool in_litebox(const struct lbx_stub_tls *tls, const greg_t *g)
{
	uintptr_t ip = g[REG_RIP];

	return tls->in_entry ||
	       (ip >= (uintptr_t)__executable_start && ip < (uintptr_t)etext);
}

static void event_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	struct lbx_stub_tls *tls = stub_tls();
	bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
		     sig == SIGILL || sig == SIGTRAP;
	struct lbx_event ev;
	long r;

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.signo = sig;
	ev.kind = sig == LBX_STUB_KICK_SIGNAL ? LBX_EVENT_KICK :
		  fault ? LBX_EVENT_FAULT : LBX_EVENT_SIGNAL;
	if (in_litebox(tls, g)) {
#ifdef LBX_STUB_USERLAND
		/* A guest copy that faulted: it returns -EFAULT (userland.h). */
		if ((sig == SIGSEGV || sig == SIGBUS) &&
		    lbx_userland_fault_fixup((uint64_t *)&g[REG_RIP]))
			return;
#endif
		if (fault)
			stub_fatal("litebox stub: fault inside LiteBox\n", 35);
		/* Inside LiteBox: pending now, delivered when the entry ends. */
		ev.flags = LBX_EVENT_NESTED;
		lbx_stub_event_entry(tls, &ev);
		return;
	}
	if (fault) {
		ev.code = info->si_code;
		ev.addr = (uintptr_t)info->si_addr;
		ev.trapno = g[REG_TRAPNO];
	}
	regs_from_uc(&ev.regs, g, g[REG_RAX]);
	tls->in_entry++;
	r = lbx_stub_event_entry(tls, &ev);
	if (r < 0)
		stub_fatal("litebox stub: event entry into LiteBox failed\n", 46);
	{
		/* Host operations and resumption, as after a system call. */
		struct lbx_syscall sc;

		memset(&sc, 0, sizeof(sc));
		sc.regs = ev.regs;
		sc.resume_flags = ev.resume_flags;
		sc.hostop = ev.hostop;
		memcpy(sc.hostop_arg, ev.hostop_arg, sizeof(sc.hostop_arg));
		run_hostop(&sc);
		ev.regs = sc.regs;
	}
	tls->in_entry--;
	if (ev.resume_flags & LBX_RESUME_ALL_REGS)
		regs_to_uc(g, &ev.regs);
}

/* Host signals the stub turns into guest events. */
static const int event_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGURG,
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU,
	SIGCONT,
};

struct lbx_stub_tls *lbx_stub_tls_alloc(void)
{
	struct lbx_stub_tls *tls;
	size_t head;
	void *p;

	/* Over-allocate to align the block to its size, then trim. */
	p = mmap(NULL, 2 * LBX_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	tls = (void *)(((uintptr_t)p + LBX_ALTSTACK_SIZE - 1) &
		       ~(uintptr_t)(LBX_ALTSTACK_SIZE - 1));
	head = (uintptr_t)tls - (uintptr_t)p;
	if (head)
		munmap(p, head);
	munmap((char *)tls + LBX_ALTSTACK_SIZE, LBX_ALTSTACK_SIZE - head);
	tls->self = tls;	/* the rest is zero, as mmap gave it */
	return tls;
}

int lbx_stub_tls_use(struct lbx_stub_tls *tls)
{
	stack_t ss;

	ss.ss_sp = (char *)tls + 4096;	/* keep the tls block below the frames */
	ss.ss_size = LBX_ALTSTACK_SIZE - 4096;
	ss.ss_flags = 0;
	return sigaltstack(&ss, NULL);
}

void lbx_stub_tls_free(struct lbx_stub_tls *tls)
{
	if (tls)
		munmap(tls, LBX_ALTSTACK_SIZE);
}

struct lbx_stub_tls *lbx_stub_thread_init(void)
{
	struct lbx_stub_tls *tls = lbx_stub_tls_alloc();

	if (tls && lbx_stub_tls_use(tls)) {
		lbx_stub_tls_free(tls);
		return NULL;
	}
	return tls;
}

void lbx_stub_thread_fini(struct lbx_stub_tls *tls)
{
	stack_t ss = { .ss_flags = SS_DISABLE };

	sigaltstack(&ss, NULL);
	lbx_stub_tls_free(tls);
}

/* The kernel's struct sigaction: installed raw, with the stub's restorer. */
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#define LBX_SA_RESTORER 0x04000000

static int set_handler(int sig, void (*fn)(int, siginfo_t *, void *), uint64_t mask,
		       unsigned long flags)
{
	struct kernel_sigaction ka = {
		.handler = (void *)fn,
		.flags = flags | SA_SIGINFO | SA_ONSTACK | LBX_SA_RESTORER,
		.restorer = lbx_stub_restorer,
		.mask = mask,
	};
	long r = lbx_raw_syscall6(SYS_rt_sigaction, sig, (long)&ka, 0, 8, 0, 0);

	return r < 0 ? -1 : 0;
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

int lbx_stub_install(void)
{
	uint64_t sys_mask = ~0ULL, ev_mask = ~0ULL;
	struct sigaction sa;
	size_t i;

	/* SIGSYS: everything but the event signals waits for its end; those
	 * still interrupt a sleep inside LiteBox (and become pending there). */
	for (i = 0; i < sizeof(event_signals) / sizeof(event_signals[0]); i++)
		sys_mask &= ~sigbit(event_signals[i]);
	if (set_handler(SIGSYS, sigsys_handler, sys_mask, 0))
		return -1;
	/* SIGCONT also reaches a thread parked by a guest stop inside an
	 * event entry (docs/processes.md): it is what continues the guest. */
	ev_mask &= ~(sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGCONT));
	for (i = 0; i < sizeof(event_signals) / sizeof(event_signals[0]); i++)
		if (set_handler(event_signals[i], event_handler, ev_mask, SA_RESTART))
			return -1;
	/* Host children (guest processes) are reaped by the host at once:
	 * LiteBox learns of their end through its own watch. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGCHLD, &sa, NULL);
}
