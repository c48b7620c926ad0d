// SPDX-License-Identifier: GPL-2.0
/*
 * Guest threads in lbx-run: what runs one guest thread on the host thread
 * the platform started for it (platforms/linux_userland/thread.c), and how
 * a thread and the process end.
 *
 * A new host thread sets up what the main one has: the stub's signal stack
 * with its struct lbx_stub_tls (the SIGSYS and event handlers run there),
 * its GS base on that block and the direct entry's stack and save area,
 * LiteBox's FS base; then it enters the guest at the registers clone gave
 * the child. When its guest thread is over, the entry that ended it (in a
 * signal handler or the direct entry, on LiteBox's FS base) jumps back to
 * the thread's start, which frees all that and returns to the C library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include <litebox/task.h>
#include "options.h"
#include "run.h"
#include "stub.h"
#include "userland.h"

/* A started thread's way back to its start (__builtin_setjmp's buffer),
 * and its block. */
struct run_thread {
	void *back[5];
	struct lbx_stub_tls *tls;
};

static __thread struct run_thread *run_current;
/* Set by the thread that ends the process. */
static int process_ending;

static void *thread_prepare(struct lbx_thread *t)
{
	struct lbx_stub_tls *tls = lbx_stub_tls_alloc();

	if (!tls)
		return NULL;
	if (lbx_run_direct_alloc(tls)) {
		lbx_stub_tls_free(tls);
		return NULL;
	}
	tls->thread = t;
	return tls;
}

static void thread_discard(void *ctx)
{
	struct lbx_stub_tls *tls = ctx;

	lbx_run_direct_free(tls);
	lbx_stub_tls_free(tls);
}

static __attribute__((noreturn)) void thread_fatal(const char *what)
{
	dprintf(2, "litebox: a new guest thread cannot start: %s: %s\n", what,
		strerror(errno));
	_exit(LBX_EXIT_SETUP);
}

/* Runs on the new host thread, with every signal blocked. */
static __attribute__((noinline)) void thread_run(void *ctx, struct lbx_thread *t)
{
	struct lbx_stub_tls *tls = ctx;
	struct run_thread rt = { .tls = tls };
	sigset_t set;

	if (lbx_stub_tls_use(tls))
		thread_fatal("sigaltstack");
	if (lbx_run_set_gs(tls))
		thread_fatal("arch_prctl(ARCH_SET_GS)");
	tls->host_fs = lbx_run_read_fs();
	run_current = &rt;
	if (!__builtin_setjmp(rt.back)) {
		/* The guest's own signals are LiteBox's business: the host
		 * thread blocks none of them. */
		sigemptyset(&set);
		pthread_sigmask(SIG_SETMASK, &set, NULL);
		lbx_stub_enter_guest((const struct lbx_regs *)&t->start_regs,
				     LBX_RESUME_SET_FS);
	}
	/* Back from lbx_run_thread_end(), on LiteBox's FS base, off the
	 * signal stack: nothing may interrupt what follows. */
	sigfillset(&set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	tls = run_current->tls;
	run_current = NULL;
	lbx_run_direct_free(tls);
	lbx_stub_thread_fini(tls);
}

static const struct lbx_userland_thread_ops thread_ops = {
	.prepare = thread_prepare,
	.run = thread_run,
	.discard = thread_discard,
};

void lbx_run_threads_init(void)
{
	lbx_userland_threads_init(&thread_ops);
}

void lbx_run_thread_end(const struct lbx_resume *res)
{
	if (res->hostop == LBX_HOP_EXIT_GROUP &&
	    !__atomic_exchange_n(&process_ending, 1, __ATOMIC_ACQ_REL)) {
		/* res->arg[0], the host status, is the process's, whichever
		 * thread answers (lbx_linux_exit_status()). */
		lbx_userland_threads_stop();
		lbx_userland_tun_close();	/* the guest is done */
		return;
	}
	lbx_userland_thread_gone();
	if (run_current)
		__builtin_longjmp(run_current->back, 1);
	if (res->hostop == LBX_HOP_EXIT_THREAD)
		return;
	/* The main host thread, while another one ends the process. */
	for (;;)
		syscall(SYS_futex, &process_ending, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
}
