// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_SHARED across processes: shared anonymous memory between a process
 * and its forked child, both ways; a shared file mapping across fork and
 * between two processes that open and map the file on their own, coherent
 * with write()/read(); process-shared pthread mutexes in shared memory
 * (contended, mutual exclusion) and a robust one whose owner process dies
 * (EOWNERDEAD for the waiter); shared futexes keyed by file and offset, so
 * that a wake through one mapping reaches a waiter on another mapping of
 * the file at a different address (also after mremap moved it). ("mp_":
 * fork.) One process: mmap_shared.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define PG 4096L

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits for pid; true when it exited with status 0. */
static int reaped_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_anon_fork(void)
{
	volatile int *w = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2];
	char c;
	pid_t pid;

	CHECK(w != MAP_FAILED, "mmap shared anonymous");
	if (w == MAP_FAILED || pipe(go) || pipe(done))
		return;
	w[0] = 1;
	pid = fork();
	if (pid == 0) {
		int ok = w[0] == 1;		/* the parent's store before fork */

		w[1] = 2;			/* child -> parent */
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		ok = ok && w[2] == 3;		/* parent -> child, after fork */
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	read(done[0], &c, 1);
	CHECK(w[1] == 2, "the child's store shows in the parent");
	w[2] = 3;
	write(go[1], "x", 1);
	CHECK(reaped_ok(pid), "the child saw the parent's stores, before and after fork");
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	munmap((void *)w, PG);
}

static void test_file_fork(void)
{
	int fd, to_child[2], to_parent[2];
	char path[64], buf[8], c;
	volatile char *p;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/lbx-mp-mmap-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, PG) == 0, "create a one-page file");
	if (fd < 0)
		return;
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap it shared");
	if (p == MAP_FAILED || pipe(to_child) || pipe(to_parent))
		goto out;

	/* Across fork: the inherited mapping and the file, both ways. */
	pid = fork();
	if (pid == 0) {
		p[0] = 'c';				/* a store in the child */
		if (pwrite(fd, "w", 1, 1) != 1)		/* a write() in the child */
			_exit(2);
		write(to_parent[1], "x", 1);
		read(to_child[0], &c, 1);
		_exit(p[2] == 'P' ? 0 : 1);		/* the parent's store */
	}
	CHECK(pid > 0, "fork");
	read(to_parent[0], &c, 1);
	CHECK(p[0] == 'c', "the child's store shows in the parent's mapping");
	CHECK(p[1] == 'w', "the child's pwrite shows in the parent's mapping");
	CHECK(pread(fd, buf, 2, 0) == 2 && !memcmp(buf, "cw", 2), "and in the file");
	p[2] = 'P';
	write(to_child[1], "x", 1);
	CHECK(reaped_ok(pid), "the child saw the parent's store");

	/* Two processes that each open and map the file. */
	pid = fork();
	if (pid == 0) {
		int fd2 = open(path, O_RDWR);
		volatile char *q;

		close(fd);
		munmap((void *)p, PG);
		if (fd2 < 0)
			_exit(2);
		q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
		if (q == MAP_FAILED || q[0] != 'c')
			_exit(3);
		q[100] = 'S';
		write(to_parent[1], "x", 1);
		/* The parent grows the file and writes into page 1. */
		read(to_child[0], &c, 1);
		_exit(q[PG + 1] == 'g' ? 0 : 4);
	}
	CHECK(pid > 0, "fork");
	read(to_parent[0], &c, 1);
	CHECK(p[100] == 'S', "a store through another process's own mapping shows here");
	CHECK(ftruncate(fd, 2 * PG) == 0 && pwrite(fd, "g", 1, PG + 1) == 1, "grow, write");
	write(to_child[1], "x", 1);
	CHECK(reaped_ok(pid), "the other process saw the file grow under its mapping");
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	munmap((void *)p, PG);
out:
	close(fd);
	unlink(path);
}

struct shared_area {
	pthread_mutex_t m;
	pthread_mutex_t robust;
	volatile int counter;
	volatile int inside;
	volatile int overlap;
	volatile int locked;
};

static void init_pshared(pthread_mutex_t *m, int robust)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (robust)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

#define ROUNDS 300

static void count_rounds(struct shared_area *a)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&a->m);
		if (__atomic_fetch_add(&a->inside, 1, __ATOMIC_SEQ_CST))
			a->overlap = 1;
		a->counter++;
		if (i % 50 == 0)
			sched_yield();
		__atomic_fetch_sub(&a->inside, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&a->m);
	}
}

static void test_pshared_mutex(void)
{
	struct shared_area *a = mmap(NULL, PG, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int r;

	CHECK(a != MAP_FAILED, "mmap");
	if (a == MAP_FAILED)
		return;
	init_pshared(&a->m, 0);
	init_pshared(&a->robust, 1);

	/* Contended: the child blocks until the parent unlocks. */
	pthread_mutex_lock(&a->m);
	pid = fork();
	if (pid == 0) {
		int ok;

		if (pthread_mutex_lock(&a->m))
			_exit(2);
		ok = a->counter == 42;
		pthread_mutex_unlock(&a->m);
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	sleep_ms(100);
	a->counter = 42;
	pthread_mutex_unlock(&a->m);
	CHECK(reaped_ok(pid), "the child waited for the parent's unlock");

	/* Mutual exclusion between two processes. */
	a->counter = 0;
	pid = fork();
	if (pid == 0) {
		count_rounds(a);
		_exit(0);
	}
	count_rounds(a);
	CHECK(reaped_ok(pid), "child");
	CHECK(a->counter == 2 * ROUNDS && !a->overlap, "counter %d (want %d), overlap %d",
	      a->counter, 2 * ROUNDS, a->overlap);

	/* Robust: the owner process dies holding it while the parent waits. */
	pid = fork();
	if (pid == 0) {
		if (pthread_mutex_lock(&a->robust))
			_exit(2);
		a->locked = 1;
		sleep_ms(200);
		_exit(0);			/* holding it */
	}
	CHECK(pid > 0, "fork");
	while (!a->locked)
		sleep_ms(5);
	r = pthread_mutex_lock(&a->robust);	/* blocks until the child dies */
	CHECK(r == EOWNERDEAD, "lock after the owner process died: %d", r);
	if (r == EOWNERDEAD)
		CHECK(pthread_mutex_consistent(&a->robust) == 0, "consistent");
	CHECK(pthread_mutex_unlock(&a->robust) == 0, "unlock");
	CHECK(reaped_ok(pid), "the owner exited");
	r = pthread_mutex_lock(&a->robust);
	CHECK(r == 0, "lock again: %d", r);
	pthread_mutex_unlock(&a->robust);

	/* Dead before anyone waits: the next lock gets EOWNERDEAD too. */
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(&a->robust);
		_exit(0);
	}
	CHECK(reaped_ok(pid), "the second owner exited");
	r = pthread_mutex_lock(&a->robust);
	CHECK(r == EOWNERDEAD, "lock after the owner died earlier: %d", r);
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(&a->robust);
	pthread_mutex_unlock(&a->robust);
	munmap(a, PG);
}

static long futex(volatile int *w, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

/*
 * The child maps the file a second time, somewhere else, and waits on the
 * word through that mapping; the parent wakes it through its own. Linux
 * keys shared futexes by inode and offset, so the wake arrives. Then the
 * same after the child's mapping moved (mremap).
 */
static void test_futex_other_mapping(void)
{
	char path[] = "/tmp/mp_futexXXXXXX";
	int fd = mkstemp(path), round;

	CHECK(fd >= 0 && ftruncate(fd, 2 * PG) == 0, "create a two-page file");
	if (fd < 0)
		return;
	for (round = 0; round < 2; round++) {
		volatile int *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		volatile int *w = (volatile int *)((volatile char *)p + PG + 64);
		pid_t pid;
		int i;

		CHECK(p != MAP_FAILED, "mmap shared");
		if (p == MAP_FAILED)
			break;
		*w = 0;
		pid = fork();
		if (pid == 0) {
			struct timespec ts = { 5, 0 };
			volatile char *q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
						MAP_SHARED, fd, 0);
			volatile int *qw;
			long r;

			if (q == MAP_FAILED || q == (volatile char *)p)
				_exit(2);
			if (round) {
				/* Move it: the key must follow the file, not the address. */
				void *to = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

				q = mremap((void *)q, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
					   (char *)to + PG);
				if (q == MAP_FAILED)
					_exit(3);
			}
			qw = (volatile int *)(q + PG + 64);
			*qw = 1;	/* "waiting" */
			r = futex(qw, FUTEX_WAIT, 1, &ts);
			/* 0: woken; EAGAIN: the parent's store came first. */
			_exit(r == 0 || (r < 0 && errno == EAGAIN && *qw == 2) ? 0 : 4);
		}
		CHECK(pid > 0, "fork");
		for (i = 0; i < 500 && *w != 1; i++)
			sleep_ms(2);
		sleep_ms(50);	/* let it sleep in FUTEX_WAIT */
		*w = 2;
		futex(w, FUTEX_WAKE, 1, NULL);
		CHECK(reaped_ok(pid), "%s: a shared FUTEX_WAKE through one mapping wakes a waiter on another mapping of the file",
		      round ? "moved by mremap" : "two mappings");
		munmap((void *)p, 2 * PG);
	}
	close(fd);
	unlink(path);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_anon_fork();
	test_file_fork();
	test_pshared_mutex();
	test_futex_other_mapping();
	return gt_finish();
}
