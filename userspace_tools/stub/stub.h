/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest stub: the code in the guest's host process that turns a trapped
 * system call (SIGSYS from the seccomp filter) into an entry into LiteBox,
 * performs the host operations LiteBox asks for, and resumes the guest.
 *
 * It runs with the guest's FS base (the guest's TLS), so it must not touch
 * the C library's thread state: no errno, no stack protector, raw system
 * calls only. Built for two modes from one source:
 *   kernel mode (lbx-launch): the entry is an ioctl on LBX_SANDBOX_FD;
 *   userland mode (lbx-run):  the entry is a call into the in-process core.
 */
#ifndef LBX_STUB_H
#define LBX_STUB_H

/* Offsets in struct lbx_stub_tls that enter.S reads at %gs:offset (stub.c
 * checks them). */
#define LBX_STUB_TLS_DIRECT_STACK	32
#define LBX_STUB_TLS_XSAVE_AREA		40
#define LBX_STUB_TLS_SELF		48

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <linux/litebox.h>

/* The fixed descriptor number of the sandbox fd in kernel mode. */
#define LBX_SANDBOX_FD	3

/* Size and alignment of each thread's signal stack; its first bytes hold
 * the thread's struct lbx_stub_tls (found by aligning the stack pointer). */
#define LBX_ALTSTACK_SIZE	(256 * 1024)

struct lbx_stub_tls {
	uint64_t host_fs;	/* LiteBox's own FS base (userland mode) */
	uint64_t guest_fs;	/* the guest's FS base */
	void *thread;		/* the core thread (userland mode) */
	int in_entry;		/* inside LiteBox: events only become pending */
	/*
	 * Userland mode: the GS base of each host thread that runs a guest
	 * thread is its block (the guest cannot change GS: arch_prctl
	 * ARCH_SET_GS is -EPERM), so the direct entry, which arrives on the
	 * guest's stack, finds the thread's own stack and save area there.
	 */
	uint64_t direct_stack;	/* top of the direct entry's stack */
	uint64_t xsave_area;	/* where it saves the guest's vector state */
	struct lbx_stub_tls *self;
};

/*
 * The entry into LiteBox for one system call: kernel mode issues the ioctl;
 * userland mode provides lbx_stub_entry() (lbx-run). Returns 0 or -errno
 * (a failure of the entry itself, not of the guest's syscall).
 */
long lbx_stub_entry(struct lbx_stub_tls *tls, struct lbx_syscall *sc);
/* The same for an event entry (LBX_IOC_EVENT in kernel mode). */
long lbx_stub_event_entry(struct lbx_stub_tls *tls, struct lbx_event *ev);

/* Installs the SIGSYS handler and this thread's signal stack. */
int lbx_stub_install(void);
/* A thread's signal stack, its struct lbx_stub_tls at the start: allocates
 * one, makes it the calling thread's (0, or -1 with errno), frees one. */
struct lbx_stub_tls *lbx_stub_tls_alloc(void);
int lbx_stub_tls_use(struct lbx_stub_tls *tls);
void lbx_stub_tls_free(struct lbx_stub_tls *tls);
/* Allocates and registers the calling thread's signal stack. */
struct lbx_stub_tls *lbx_stub_thread_init(void);
/* Unregisters and frees it (the thread's signals blocked, off that stack). */
void lbx_stub_thread_fini(struct lbx_stub_tls *tls);

/* Jumps to the guest: loads FS, rsp and rip from regs; never returns. */
__attribute__((noreturn)) void lbx_stub_enter_guest(const struct lbx_regs *regs,
						      uint32_t resume_flags);

/* The stub's only site for host operations (enter.S), and the address its
 * syscall returns to, which the seccomp filter checks. */
long lbx_stub_hostcall(long nr, long a0, long a1, long a2, long a3, long a4);
extern const char lbx_stub_hostcall_ret[];

/* A new guest thread's host thread (enter.S): the clone site the filter
 * checks, and the C code the child runs first. */
long lbx_stub_spawn_thread(unsigned long flags, void *stack_top);
extern const char lbx_stub_spawn_ret[];
__attribute__((noreturn)) void lbx_stub_thread_main(void);

/* The restorer of the stub's signal handlers (enter.S), and the address its
 * rt_sigreturn returns to, which the seccomp filter checks. */
void lbx_stub_restorer(void);
extern const char lbx_stub_restorer_ret[];

/* The direct entry of rewritten syscall sites (enter.S) and its C half;
 * in userland mode its stack, extended-state area and tls are the calling
 * thread's (struct lbx_stub_tls, at its GS base). */
void lbx_stub_direct(void);
long lbx_stub_direct_c(struct lbx_syscall *sc);
long lbx_stub_direct_finish(struct lbx_syscall *sc, long ret);
/* Set by lbx-launch: the direct entry issues LBX_IOC_SYSCALL itself. */
extern uint8_t lbx_stub_direct_ioctl;
/* Set by lbx-run: save all the extended state, not only xmm0-15/MXCSR. */
extern uint8_t lbx_stub_xsave_full;

/* Raw system calls usable from the stub. */
long lbx_raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

#endif /* __ASSEMBLER__ */
#endif
