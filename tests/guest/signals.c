// SPDX-License-Identifier: GPL-2.0
/*
 * Signals within one process: handlers and their frames, masks, pending
 * sets, SA_RESETHAND, SA_NODEFER, SA_ONSTACK with sigaltstack, SIG_IGN,
 * faults (SIGSEGV, SIGFPE) with si_code and si_addr, sigsuspend.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include "guest_test.h"

static volatile sig_atomic_t hits, last_sig, last_code, blocked_inside, on_alt;
static volatile uintptr_t last_addr;
static char altstack[65536];
static sigjmp_buf jump;

static void handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	blocked_inside = sigismember(&cur, sig);
	on_alt = (uintptr_t)&cur >= (uintptr_t)altstack &&
		 (uintptr_t)&cur < (uintptr_t)altstack + sizeof(altstack);
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	siglongjmp(jump, 1);
}

static void set(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction %d", sig);
}

static void test_handler_runs(void)
{
	hits = 0;
	set(SIGUSR1, handler, 0);
	CHECK(raise(SIGUSR1) == 0, "raise");
	CHECK(hits == 1 && last_sig == SIGUSR1, "hits %d sig %d", hits, last_sig);
	CHECK(last_code == SI_TKILL, "si_code %d", last_code);
	CHECK(blocked_inside, "the signal is blocked in its handler");
	hits = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0 && hits == 1 && last_code == SI_USER,
	      "kill: hits %d code %d", hits, last_code);
}

static void test_mask_and_pending(void)
{
	sigset_t block, pend, old;

	hits = 0;
	set(SIGUSR2, handler, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0, "block");
	raise(SIGUSR2);
	CHECK(hits == 0, "a blocked signal waits");
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2), "pending");
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "unblock");
	CHECK(hits == 1 && last_sig == SIGUSR2, "delivered on unblock (%d)", hits);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR2), "no longer pending");
	/* SIGKILL and SIGSTOP cannot be blocked or caught. */
	sigfillset(&block);
	sigprocmask(SIG_SETMASK, &block, &old);
	sigprocmask(SIG_SETMASK, NULL, &pend);
	CHECK(!sigismember(&pend, SIGKILL) && !sigismember(&pend, SIGSTOP), "unblockable");
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_ERR(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), EINVAL);
}

static void test_resethand_nodefer(void)
{
	struct sigaction sa;

	hits = 0;
	set(SIGUSR1, handler, SA_RESETHAND | SA_NODEFER);
	raise(SIGUSR1);
	CHECK(hits == 1 && !blocked_inside, "NODEFER leaves it unblocked");
	sigaction(SIGUSR1, NULL, &sa);
	CHECK(sa.sa_handler == SIG_DFL, "RESETHAND reset the disposition");
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, old;

	CHECK(sigaltstack(&ss, &old) == 0, "sigaltstack");
	CHECK(old.ss_flags & SS_DISABLE, "no stack before");
	set(SIGUSR2, handler, SA_ONSTACK);
	on_alt = 0;
	raise(SIGUSR2);
	CHECK(on_alt, "the handler ran on the alternate stack");
	ss.ss_size = 100;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0, "disable");
}

static void test_ignore(void)
{
	hits = 0;
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	CHECK(hits == 0, "ignored");
	signal(SIGUSR1, SIG_DFL);
}

static void test_faults(void)
{
	volatile int zero = 0, r;
	/* An address the compiler cannot see through: a store to page 0. */
	volatile uintptr_t bad = 8;

	set(SIGSEGV, fault_handler, SA_NODEFER);
	if (!sigsetjmp(jump, 1))
		*(volatile int *)bad = 1;
	CHECK(last_sig == SIGSEGV && last_code == SEGV_MAPERR && last_addr == 8,
	      "SIGSEGV code %d addr %#lx", last_code, (unsigned long)last_addr);
	set(SIGFPE, fault_handler, SA_NODEFER);
	last_sig = 0;
	if (!sigsetjmp(jump, 1))
		r = 7 / zero;
	(void)r;
	CHECK(last_sig == SIGFPE && last_code == FPE_INTDIV, "SIGFPE code %d", last_code);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

static void test_sigsuspend(void)
{
	sigset_t block, old, wait;

	hits = 0;
	set(SIGUSR1, handler, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	CHECK(hits == 0, "blocked");
	sigemptyset(&wait);
	CHECK(sigsuspend(&wait) == -1 && errno == EINTR, "sigsuspend returns EINTR");
	CHECK(hits == 1, "handler ran in sigsuspend");
	sigprocmask(SIG_SETMASK, NULL, &wait);
	CHECK(sigismember(&wait, SIGUSR1), "sigsuspend restored the mask");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	test_handler_runs();
	test_mask_and_pending();
	test_resethand_nodefer();
	test_altstack();
	test_ignore();
	test_faults();
	test_sigsuspend();
	return gt_finish();
}
