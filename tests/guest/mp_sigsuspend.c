// SPDX-License-Identifier: GPL-2.0
/*
 * sigsuspend() woken by something that is not a signal for it: children
 * exiting while SIGCHLD is at its default (ignored) disposition, and a
 * signal blocked by the suspend mask. Linux neither returns nor loses the
 * caller's mask: when the awaited signal's handler has run, sigsuspend
 * returns EINTR and the mask is exactly the one from before the call.
 *
 * "mp_sigsuspend host": one sigsuspend() that waits for signals from
 * outside (the VM test sends SIGWINCH, ignored by default, to lbx-launch
 * a few times, then SIGUSR1): each SIGWINCH interrupts the host wait under
 * LiteBox without being a signal for the guest.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

static volatile sig_atomic_t usr1_hits, usr2_hits;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_hits++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_hits++;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Children that exit at once (SIGCHLD ignored by default), then one that
 * sends SIGUSR1 to its parent after a while. */
static void spawn_children(int quiet)
{
	pid_t parent = getpid();
	int i;

	for (i = 0; i < quiet; i++)
		if (fork() == 0)
			_exit(0);
	if (fork() == 0) {
		nap_ms(200);
		kill(parent, SIGUSR1);
		_exit(0);
	}
}

static void reap(int n)
{
	int i, st, ok = 0;

	for (i = 0; i < n; i++)
		if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	CHECK(ok == n, "%d of %d children reaped", ok, n);
}

static void test_child_exits_do_not_end_sigsuspend(void)
{
	sigset_t block, none, now;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_SETMASK, &block, NULL);
	usr1_hits = 0;
	spawn_children(3);

	sigemptyset(&none);
	sigaddset(&none, SIGUSR2);	/* still blocked while suspended */
	CHECK(sigsuspend(&none) == -1 && errno == EINTR, "sigsuspend returns EINTR");
	CHECK(usr1_hits == 1, "the SIGUSR1 handler ran once (%d)", (int)usr1_hits);
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2),
	      "the mask from before sigsuspend is back (USR1 %d USR2 %d)",
	      sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2));
	reap(4);
}

/* A signal blocked by the suspend mask stays pending and does not end the
 * call; it is delivered once the old mask lets it through. */
static void test_blocked_signal_waits(void)
{
	sigset_t block, wait_mask, now, pend;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_SETMASK, &block, NULL);
	usr1_hits = 0;
	usr2_hits = 0;
	raise(SIGUSR2);		/* not blocked now: handled at once */
	CHECK(usr2_hits == 1, "SIGUSR2 handled before the suspend");

	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_SETMASK, &block, NULL);
	raise(SIGUSR2);		/* pending, blocked by the suspend mask too */
	spawn_children(1);
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGUSR2);
	CHECK(sigsuspend(&wait_mask) == -1 && errno == EINTR, "sigsuspend returns EINTR");
	CHECK(usr1_hits == 1 && usr2_hits == 1, "only SIGUSR1 was delivered (%d, %d)",
	      (int)usr1_hits, (int)usr2_hits);
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR2), "SIGUSR2 is still pending");
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2),
	      "the old mask is back");
	sigemptyset(&block);
	sigprocmask(SIG_SETMASK, &block, NULL);
	CHECK(usr2_hits == 2, "SIGUSR2 delivered once unblocked (%d)", (int)usr2_hits);
	reap(2);
}

static void test_host_signals(void)
{
	sigset_t block, wait_mask, now;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGUSR2);
	printf("suspending\n");
	fflush(stdout);
	CHECK(sigsuspend(&wait_mask) == -1 && errno == EINTR, "sigsuspend returns EINTR");
	CHECK(usr1_hits == 1, "the SIGUSR1 handler ran once (%d)", (int)usr1_hits);
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2),
	      "the mask from before sigsuspend is back (USR1 %d USR2 %d)",
	      sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);
	if (argc > 1 && !strcmp(argv[1], "host")) {
		test_host_signals();
		return gt_finish();
	}
	test_child_exits_do_not_end_sigsuspend();
	test_blocked_signal_waits();
	return gt_finish();
}
