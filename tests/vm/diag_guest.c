// SPDX-License-Identifier: GPL-2.0
/*
 * diag_guest N: a guest with a known syscall footprint for the diagnostics
 * tests (tests/vm/bpf.sh): exactly N getppid calls, one unimplemented
 * syscall (number 400, none on x86-64), one SIGUSR1 to a handler and one
 * SIGSEGV at address 0x10 caught with siglongjmp. Then it prints "ready"
 * and waits for EOF on stdin, so the test can read its statistics while it
 * lives, and prints "done".
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static sigjmp_buf jump;
/* Through a variable, so the compiler cannot see a constant bad pointer. */
static volatile int *volatile bad_ptr = (volatile int *)0x10;
static volatile int usr1_hits;

static void on_usr1(int sig)
{
	usr1_hits++;
}

static void on_segv(int sig)
{
	siglongjmp(jump, 1);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i;
	struct sigaction sa = { 0 };
	char buf[64];

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (syscall(400) != -1)
		printf("syscall 400 did not fail\n");
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(jump, 1))
		*bad_ptr = 1;
	printf("ready %d\n", usr1_hits);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	printf("done\n");
	return 0;
}
