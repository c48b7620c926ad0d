// SPDX-License-Identifier: GPL-2.0
/*
 * exit_group and a fatal signal while other threads are in the middle of
 * system calls that use the process's memory map, descriptor table and
 * working directory: the process ends with the status asked for, every
 * time. (litebox.ko released those while a sibling thread was still
 * inside LiteBox using them: a NULL dereference in the kernel, found by
 * tests/vm/sysfuzz_guest.c. Exit now waits for the other threads to
 * leave, as Linux's zap_other_threads.)
 *
 * ROUNDS children, one after another, each with BUSY threads looping on
 * mmap/mprotect/madvise/munmap, open/fstat/close and getcwd/chdir; the
 * main thread exits with 7 (even rounds) or raises SIGTERM (odd rounds)
 * once they all run. ("mp_": forks.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

#define ROUNDS	40
#define BUSY	3

static int running;		/* atomic */

static void *busy(void *arg)
{
	char cwd[256];
	struct stat st;
	long i;

	(void)arg;
	__atomic_add_fetch(&running, 1, __ATOMIC_RELEASE);
	for (i = 0;; i++) {
		void *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fd;

		if (p != MAP_FAILED) {
			mprotect(p, 4096, PROT_READ);
			madvise((char *)p + 4096, 4096, MADV_DONTNEED);
			munmap(p, 3 * 4096);
		}
		fd = open("/tmp", O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			fstat(fd, &st);
			close(fd);
		}
		if (getcwd(cwd, sizeof(cwd)))
			chdir(i & 1 ? "/tmp" : "/");
	}
	return NULL;
}

static void child(int round)
{
	pthread_t t;
	int i;

	for (i = 0; i < BUSY; i++)
		if (pthread_create(&t, NULL, busy, NULL))
			_exit(3);
	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE) < BUSY)
		sched_yield();
	usleep(1000 * (round % 4));
	if (round & 1) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(4);	/* not reached */
	}
	exit(7);
}

int main(void)
{
	int round, bad = 0, st;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (round = 0; round < ROUNDS; round++) {
		pid_t pid = fork();

		if (pid == 0)
			child(round);
		CHECK(pid > 0, "fork");
		if (pid < 0)
			break;
		if (waitpid(pid, &st, 0) != pid) {
			CHECK(0, "waitpid in round %d", round);
			break;
		}
		if (round & 1 ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) :
				!(WIFEXITED(st) && WEXITSTATUS(st) == 7)) {
			printf("round %d: status %#x\n", round, st);
			bad++;
		}
	}
	CHECK(bad == 0, "%d of %d rounds ended otherwise than asked", bad, ROUNDS);
	return gt_finish();
}
