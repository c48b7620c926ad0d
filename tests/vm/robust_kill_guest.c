// SPDX-License-Identifier: GPL-2.0
/*
 * A robust, process-shared mutex whose owner process is killed from the
 * host (tests/vm/run-all.sh sends SIGKILL to the child's host process):
 * the next locker gets EOWNERDEAD, as Linux gives when it walks the dead
 * task's robust list in exit_mm(). Runs natively and under lbx-launch.
 *
 * The child locks the mutex, prints "locked" and sleeps; the parent waits
 * for the child to die, then locks. Prints "PASS robust_kill" or "FAIL ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m;
	int st, r;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		printf("FAIL robust_kill: mmap: %s\n", strerror(errno));
		return 1;
	}
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pid = fork();
	if (pid == 0) {
		if (pthread_mutex_lock(m))
			_exit(2);
		printf("locked\n");
		for (;;)
			pause();
	}
	if (pid < 0) {
		printf("FAIL robust_kill: fork: %s\n", strerror(errno));
		return 1;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
		printf("FAIL robust_kill: the child was not killed by SIGKILL (status %#x)\n", st);
		return 1;
	}
	r = pthread_mutex_trylock(m);
	if (r != EOWNERDEAD) {
		printf("FAIL robust_kill: trylock after the owner was killed: %d (%s), want EOWNERDEAD\n",
		       r, strerror(r));
		return 1;
	}
	if (pthread_mutex_consistent(m) || pthread_mutex_unlock(m) || pthread_mutex_lock(m) ||
	    pthread_mutex_unlock(m)) {
		printf("FAIL robust_kill: consistent, unlock, lock again\n");
		return 1;
	}
	printf("PASS robust_kill\n");
	return 0;
}
