// SPDX-License-Identifier: GPL-2.0
/*
 * The userland entry: the stub calls the in-process core directly. The guest
 * owns the FS base (its TLS) while it runs; LiteBox's own C code needs the
 * host's, so each entry swaps them, using rdfsbase/wrfsbase when the kernel
 * allows them and arch_prctl otherwise.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>

#include <litebox/task.h>
#include "linux_shim.h"
#include "run.h"
#include "stub.h"
#include "userland.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static int have_fsgsbase;

void lbx_run_entry_init(void)
{
	have_fsgsbase = !!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE);
}

/*
 * The direct entry saves only xmm0-15 and MXCSR around LiteBox's C code when
 * nothing in it touches x87, AVX or AVX-512 state: our code is built for the
 * x86-64 baseline (SSE2), and the C library's string functions are told to
 * use their SSE versions (GLIBC_TUNABLES, read at startup: lbx-run re-runs
 * itself once with it). The guest's environment is put back as it was.
 */
#define LBX_TUNABLES "glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ"
#define LBX_MARK "LBX_RUN_SSE_LIBC"

bool lbx_run_sse_libc(char **argv)
{
	const char *mark = getenv(LBX_MARK), *orig;
	char *want;

	if (mark) {
		int ok = mark[0] == '-' ? unsetenv("GLIBC_TUNABLES") :
			 setenv("GLIBC_TUNABLES", mark + 1, 1);

		unsetenv(LBX_MARK);
		return !ok;
	}
	orig = getenv("GLIBC_TUNABLES");
	if (asprintf(&want, "%s%s%s", orig ? orig : "", orig ? ":" : "", LBX_TUNABLES) < 0)
		return false;
	if (!orig)
		setenv(LBX_MARK, "-", 1);
	else {
		char *m;

		if (asprintf(&m, "+%s", orig) < 0) {
			free(want);
			return false;
		}
		setenv(LBX_MARK, m, 1);
		free(m);
	}
	setenv("GLIBC_TUNABLES", want, 1);
	free(want);
	execv("/proc/self/exe", argv);
	/* No re-run: the direct entry saves the whole extended state. */
	mark = getenv(LBX_MARK);
	if (mark && mark[0] == '+')
		setenv("GLIBC_TUNABLES", mark + 1, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	unsetenv(LBX_MARK);
	return false;
}

#define DIRECT_STACK_SIZE (256 * 1024)

/* The size of each thread's XSAVE area; 0: no direct entry. */
static size_t xsave_size;

/*
 * The direct entry in this process: LiteBox's C code runs on its own stack
 * and may use any register, so the stub saves the guest's extended state
 * (XSAVE, all the features the kernel enabled) around it. Without XSAVE
 * there is no direct entry: every call traps.
 */
int lbx_run_direct_init(struct lbx_stub_tls *tls, bool sse_libc)
{
	unsigned int a, b, c, d;
	int ret;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return -ENOTSUP;
	__cpuid_count(0xd, 0, a, b, c, d);
	if (b < 576)
		return -ENOTSUP;
	xsave_size = LBX_ALIGN_UP(b, 64);
	ret = lbx_run_direct_alloc(tls);
	if (ret) {
		xsave_size = 0;
		return ret;
	}
	lbx_stub_xsave_full = !sse_libc;
	return 0;
}

/* Each thread's own stack and save area for the direct entry. */
int lbx_run_direct_alloc(struct lbx_stub_tls *tls)
{
	void *stack, *area;

	if (!xsave_size)
		return 0;
	stack = aligned_alloc(64, DIRECT_STACK_SIZE);
	area = aligned_alloc(64, xsave_size);
	if (!stack || !area) {
		free(stack);
		free(area);
		return -ENOMEM;
	}
	memset(area, 0, xsave_size);	/* a valid XSAVE header */
	tls->direct_stack = (uintptr_t)stack + DIRECT_STACK_SIZE;
	tls->xsave_area = (uintptr_t)area;
	return 0;
}

void lbx_run_direct_free(struct lbx_stub_tls *tls)
{
	if (tls->direct_stack)
		free((void *)(uintptr_t)(tls->direct_stack - DIRECT_STACK_SIZE));
	free((void *)(uintptr_t)tls->xsave_area);
	tls->direct_stack = 0;
	tls->xsave_area = 0;
}

/* The direct entry finds the calling thread's block at its GS base. */
int lbx_run_set_gs(struct lbx_stub_tls *tls)
{
	return syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)tls) ? -errno : 0;
}

__attribute__((no_stack_protector)) uint64_t lbx_run_read_fs(void)
{
	uint64_t v;

	if (have_fsgsbase) {
		__asm__ volatile("rdfsbase %0" : "=r"(v));
		return v;
	}
	lbx_raw_syscall6(SYS_arch_prctl, ARCH_GET_FS, (long)&v, 0, 0, 0, 0);
	return v;
}

__attribute__((no_stack_protector)) void lbx_run_write_fs(uint64_t base)
{
	if (have_fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
	else
		lbx_raw_syscall6(SYS_arch_prctl, ARCH_SET_FS, (long)base, 0, 0, 0, 0);
}

/* What LiteBox asks the stub to do next, into an entry's struct. */
static void put_resume(const struct lbx_resume *res, __u32 *flags, __u32 *hostop,
		       __u64 arg[4])
{
	/* The thread or the process ends: this thread may not come back. */
	if (res->hostop == LBX_HOSTOP_EXIT_GROUP || res->hostop == LBX_HOSTOP_EXIT_THREAD)
		lbx_run_thread_end(res);
	*flags = res->flags;
	*hostop = res->hostop;
	memcpy(arg, res->arg, sizeof(res->arg));
}

/* Runs on the host's FS base: ordinary C from here on. */
__attribute__((noinline)) static void serve(struct lbx_stub_tls *tls,
					    struct lbx_syscall *sc)
{
	struct lbx_resume res;

	_Static_assert(sizeof(struct lbx_regs) == sizeof(struct lbx_cpu_regs),
		       "regs layout");
	lbx_linux_syscall(tls->thread, (struct lbx_cpu_regs *)&sc->regs, &res,
			  sc->flags & LBX_SYSCALL_DIRECT ? LBX_SYS_DIRECT : 0);
	put_resume(&res, &sc->resume_flags, &sc->hostop, sc->hostop_arg);
}

__attribute__((noinline)) static void serve_event(struct lbx_stub_tls *tls,
						  struct lbx_event *ev)
{
	struct lbx_event_info info = {
		.kind = ev->kind,
		.signo = ev->signo,
		.code = ev->code,
		.trapno = ev->trapno,
		.addr = ev->addr,
		.nested = ev->flags & LBX_EVENT_NESTED,
	};
	struct lbx_resume res;

	lbx_linux_event(tls->thread, &info, (struct lbx_cpu_regs *)&ev->regs, &res);
	/* A nested event only made a signal pending: the entry it
	 * interrupted goes on, and the stub ignores this answer. */
	if (info.nested)
		return;
	put_resume(&res, &ev->resume_flags, &ev->hostop, ev->hostop_arg);
}

/*
 * The stub's two entries arrive on the guest's FS base, which has no stack
 * protector canary of ours: they switch to the host's base around the C
 * that serves them, and go back to the guest's, or to the base LiteBox
 * set (the stub loads that itself).
 */
static inline __attribute__((always_inline, no_stack_protector)) uint64_t
host_fs_enter(const struct lbx_stub_tls *tls)
{
	uint64_t guest_fs = lbx_run_read_fs();

	lbx_run_write_fs(tls->host_fs);
	return guest_fs;
}

static inline __attribute__((always_inline, no_stack_protector)) void
host_fs_leave(__u32 resume_flags, const struct lbx_regs *regs, uint64_t guest_fs)
{
	lbx_run_write_fs(resume_flags & LBX_RESUME_SET_FS ? regs->fs_base : guest_fs);
}

__attribute__((no_stack_protector)) long lbx_stub_entry(struct lbx_stub_tls *tls,
							 struct lbx_syscall *sc)
{
	uint64_t guest_fs = host_fs_enter(tls);

	serve(tls, sc);
	host_fs_leave(sc->resume_flags, &sc->regs, guest_fs);
	return 0;
}

__attribute__((no_stack_protector)) long lbx_stub_event_entry(struct lbx_stub_tls *tls,
							       struct lbx_event *ev)
{
	uint64_t guest_fs = host_fs_enter(tls);

	serve_event(tls, ev);
	host_fs_leave(ev->resume_flags, &ev->regs, guest_fs);
	return 0;
}
