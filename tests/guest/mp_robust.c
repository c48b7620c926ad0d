// SPDX-License-Identifier: GPL-2.0
/*
 * Robust futex lists: set_robust_list/get_robust_list, and the walk at a
 * thread's exit (FUTEX_OWNER_DIED, FUTEX_WAITERS kept, a waiter woken):
 * pthread robust mutexes whose owner thread exits (EOWNERDEAD,
 * pthread_mutex_consistent, ENOTRECOVERABLE), and hand-built lists (owned
 * and foreign words, list_op_pending, a circular list, a faulting entry).
 * ("mp_": threads; runs under lbx-run too.)
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

static pthread_mutex_t rm;
static pthread_mutex_t rm2;
static volatile int locked;

static long sys_set_robust(void *head, size_t len)
{
	return syscall(SYS_set_robust_list, head, len);
}

static long sys_get_robust(int tid, void **head, size_t *len)
{
	return syscall(SYS_get_robust_list, tid, head, len);
}

static void init_robust(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static void *lock_and_exit(void *arg)
{
	pthread_mutex_t *m = arg;

	if (pthread_mutex_lock(m) != 0)
		return (void *)1;
	__atomic_store_n(&locked, 1, __ATOMIC_SEQ_CST);
	return NULL;	/* exits holding it */
}

/* Locks, lets main block on the mutex, then exits holding it. */
static void *lock_wait_exit(void *arg)
{
	pthread_mutex_t *m = arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	if (pthread_mutex_lock(m) != 0)
		return (void *)1;
	__atomic_store_n(&locked, 1, __ATOMIC_SEQ_CST);
	nanosleep(&ts, NULL);
	return NULL;
}

static void test_mutexes(void)
{
	pthread_t th;
	void *ret;
	int r;

	init_robust(&rm);
	locked = 0;
	CHECK(pthread_create(&th, NULL, lock_and_exit, &rm) == 0, "create");
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "join");
	CHECK(locked == 1, "the thread took the mutex");
	r = pthread_mutex_lock(&rm);
	CHECK(r == EOWNERDEAD, "lock after the owner exited: %d", r);
	CHECK(pthread_mutex_consistent(&rm) == 0, "consistent");
	CHECK(pthread_mutex_unlock(&rm) == 0, "unlock");
	r = pthread_mutex_lock(&rm);
	CHECK(r == 0, "lock a consistent mutex again: %d", r);
	CHECK(pthread_mutex_unlock(&rm) == 0, "unlock again");

	/* A waiter blocked in the kernel is woken by the owner's death. */
	locked = 0;
	CHECK(pthread_create(&th, NULL, lock_wait_exit, &rm) == 0, "create 2");
	while (!__atomic_load_n(&locked, __ATOMIC_SEQ_CST))
		usleep(1000);
	r = pthread_mutex_lock(&rm);
	CHECK(r == EOWNERDEAD, "blocked lock when the owner exits: %d", r);
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "join 2");
	CHECK(pthread_mutex_consistent(&rm) == 0, "consistent 2");
	CHECK(pthread_mutex_unlock(&rm) == 0, "unlock 2");

	/* Unlocked without pthread_mutex_consistent: not recoverable. */
	init_robust(&rm2);
	locked = 0;
	CHECK(pthread_create(&th, NULL, lock_and_exit, &rm2) == 0, "create 3");
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "join 3");
	r = pthread_mutex_lock(&rm2);
	CHECK(r == EOWNERDEAD, "lock 3: %d", r);
	CHECK(pthread_mutex_unlock(&rm2) == 0, "unlock without consistent");
	r = pthread_mutex_lock(&rm2);
	CHECK(r == ENOTRECOVERABLE, "then: %d", r);
}

/* ---- hand-built lists ---- */

struct rlist {
	struct rlist *next;
};

struct rhead {
	struct rlist list;
	long futex_offset;
	struct rlist *pending;
};

/* An entry and its futex word (futex_offset = 8). */
struct rent {
	struct rlist link;
	uint32_t word;
	uint32_t pad;
};

#define NE 5
static struct rhead head;
static struct rent ents[NE];
static struct rent pend;
static volatile uint32_t worker_tid;

static void *custom_list(void *arg)
{
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	void *h;
	size_t len;
	int i;

	(void)arg;
	worker_tid = tid;
	/* ents[0]: owned; [1]: owned with waiters; [2]: someone else's;
	 * [3]: owned, already OWNER_DIED; [4]: owned, a PI entry (bit 0). */
	ents[0].word = tid;
	ents[1].word = tid | FUTEX_WAITERS;
	ents[2].word = (tid + 1) | FUTEX_WAITERS;
	ents[3].word = tid | FUTEX_OWNER_DIED;
	ents[4].word = tid;
	pend.word = 0;	/* list_op_pending with a free word: untouched */
	head.futex_offset = offsetof(struct rent, word);
	head.list.next = &ents[0].link;
	for (i = 0; i < NE - 1; i++)
		ents[i].link.next = &ents[i + 1].link;
	ents[NE - 2].link.next = (struct rlist *)((uintptr_t)&ents[NE - 1].link | 1);
	ents[NE - 1].link.next = &head.list;
	head.pending = &pend.link;
	if (sys_set_robust(&head, sizeof(head)) != 0)
		return (void *)1;
	if (sys_get_robust(0, &h, &len) != 0 || h != &head || len != sizeof(head))
		return (void *)2;
	return NULL;
}

static struct rhead chead;
static struct rent cent;

/* A list that loops without reaching its head: the walk is bounded. */
static void *circular_list(void *arg)
{
	(void)arg;
	cent.word = (uint32_t)syscall(SYS_gettid);
	cent.link.next = &cent.link;
	chead.futex_offset = offsetof(struct rent, word);
	chead.list.next = &cent.link;
	chead.pending = NULL;
	return sys_set_robust(&chead, sizeof(chead)) ? (void *)1 : NULL;
}

static struct rhead fhead;
static struct rent fent;
static void *bad_page;

/* An entry whose next pointer faults: the walk stops after it. */
static void *faulting_list(void *arg)
{
	(void)arg;
	fent.word = (uint32_t)syscall(SYS_gettid);
	fent.link.next = bad_page;
	fhead.futex_offset = offsetof(struct rent, word);
	fhead.list.next = &fent.link;
	fhead.pending = NULL;
	return sys_set_robust(&fhead, sizeof(fhead)) ? (void *)1 : NULL;
}

static volatile int parked;
static volatile int release;

static void *parked_thread(void *arg)
{
	(void)arg;
	worker_tid = (uint32_t)syscall(SYS_gettid);
	parked = 1;
	while (!release)
		usleep(1000);
	return NULL;
}

static void test_lists(void)
{
	pthread_t th;
	void *ret, *h = NULL, *mine = NULL;
	size_t len = 0;
	uint32_t tid;
	int i;

	/* The calling thread's registration (glibc registers one). */
	CHECK(sys_get_robust(0, &mine, &len) == 0, "get_robust_list(0)");
	CHECK(mine != NULL && len == sizeof(struct rhead), "head %p len %zu", mine, len);
	CHECK_ERR(sys_set_robust(mine, sizeof(struct rhead) + 1), EINVAL);
	CHECK_ERR(sys_set_robust(mine, 0), EINVAL);
	CHECK_ERR(sys_get_robust(0, (void **)8, &len), EFAULT);
	CHECK_ERR(sys_get_robust(0, &h, (size_t *)8), EFAULT);
	CHECK_ERR(sys_get_robust(0x3ffffff0, &h, &len), ESRCH);
	CHECK_ERR(sys_get_robust(-5, &h, &len), ESRCH);

	/* Another thread's registration, by tid. */
	parked = release = 0;
	CHECK(pthread_create(&th, NULL, parked_thread, NULL) == 0, "create parked");
	while (!parked)
		usleep(1000);
	h = NULL;
	len = 0;
	CHECK(sys_get_robust((int)worker_tid, &h, &len) == 0, "get_robust_list(other)");
	CHECK(h != NULL && h != mine && len == sizeof(struct rhead),
	      "the other thread's head %p (mine %p)", h, mine);
	release = 1;
	CHECK(pthread_join(th, NULL) == 0, "join parked");
	/* Gone soon after the join (the tid word is cleared before the
	 * thread is released, natively too). */
	for (i = 0; i < 1000 && sys_get_robust((int)worker_tid, &h, &len) == 0; i++)
		usleep(1000);
	CHECK_ERR(sys_get_robust((int)worker_tid, &h, &len), ESRCH);

	CHECK(pthread_create(&th, NULL, custom_list, NULL) == 0, "create custom");
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "custom: %p", ret);
	tid = worker_tid;
	CHECK(ents[0].word == FUTEX_OWNER_DIED, "owned: %#x", ents[0].word);
	CHECK(ents[1].word == (FUTEX_WAITERS | FUTEX_OWNER_DIED), "with waiters: %#x",
	      ents[1].word);
	CHECK(ents[2].word == ((tid + 1) | FUTEX_WAITERS), "foreign: %#x", ents[2].word);
	CHECK(ents[3].word == FUTEX_OWNER_DIED, "died twice: %#x", ents[3].word);
	CHECK(ents[4].word == FUTEX_OWNER_DIED, "PI entry: %#x", ents[4].word);
	CHECK(pend.word == 0, "free pending word: %#x", pend.word);

	CHECK(pthread_create(&th, NULL, circular_list, NULL) == 0, "create circular");
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "circular: %p", ret);
	CHECK(cent.word == FUTEX_OWNER_DIED, "circular entry: %#x", cent.word);

	bad_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad_page != MAP_FAILED, "mmap");
	CHECK(pthread_create(&th, NULL, faulting_list, NULL) == 0, "create faulting");
	CHECK(pthread_join(th, &ret) == 0 && ret == NULL, "faulting: %p", ret);
	CHECK(fent.word == FUTEX_OWNER_DIED, "entry before the fault: %#x", fent.word);
	munmap(bad_page, 4096);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_mutexes();
	test_lists();
	return gt_finish();
}
