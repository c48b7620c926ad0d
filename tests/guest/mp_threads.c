// SPDX-License-Identifier: GPL-2.0
/*
 * Threads: pthread create/join, distinct tids, thread-local storage, a
 * mutex and a condition variable (futexes), a signal to one thread, and a
 * thread exiting while others run. ("mp_": threads; it runs under lbx-run
 * too, which has no fork: scripts/check lists the guests that fork.)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "guest_test.h"

#define N 4
#define ROUNDS 2000

static __thread int tls_value;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static pid_t tids[N];
static volatile sig_atomic_t usr1_tid;

static void *worker(void *arg)
{
	long id = (long)arg, i;

	tls_value = (int)id * 10;
	tids[id] = (pid_t)syscall(SYS_gettid);
	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	ready++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return (void *)(long)(tls_value + 1);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = (sig_atomic_t)syscall(SYS_gettid);
}

static void *sleeper(void *arg)
{
	(void)arg;
	while (!usr1_tid)
		usleep(1000);
	return NULL;
}

int main(void)
{
	pthread_t th[N], sl;
	void *ret;
	long i;
	int distinct = 1, j;

	tls_value = -1;
	for (i = 0; i < N; i++)
		CHECK(pthread_create(&th[i], NULL, worker, (void *)i) == 0, "create %ld", i);
	pthread_mutex_lock(&lock);
	while (ready < N)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < N; i++) {
		CHECK(pthread_join(th[i], &ret) == 0, "join %ld", i);
		CHECK((long)ret == i * 10 + 1, "thread %ld returned %ld", i, (long)ret);
	}
	CHECK(counter == (long)N * ROUNDS, "counter %ld", counter);
	CHECK(tls_value == -1, "the main thread's TLS is its own");
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
			if (i != j && tids[i] == tids[j])
				distinct = 0;
	CHECK(distinct && tids[0] != getpid(), "distinct tids");

	/* A signal to one thread runs its handler in that thread. */
	signal(SIGUSR1, on_usr1);
	CHECK(pthread_create(&sl, NULL, sleeper, NULL) == 0, "create sleeper");
	usleep(20 * 1000);
	CHECK(pthread_kill(sl, SIGUSR1) == 0, "pthread_kill");
	CHECK(pthread_join(sl, NULL) == 0, "join sleeper");
	CHECK(usr1_tid != 0 && usr1_tid != getpid(), "handled in the thread (%d)", usr1_tid);
	return gt_finish();
}
