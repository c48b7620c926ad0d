// SPDX-License-Identifier: GPL-2.0
/*
 * Guest threads on host threads, in one host process (lbx-run): each guest
 * thread after the first runs on a pthread of its own, so that LiteBox's C
 * code on it (the stub's handlers call into the core on the thread that
 * made the guest's system call) has a C library thread with its own TLS.
 * lbx-run supplies what runs a guest thread (struct lbx_userland_thread_ops);
 * without it (the unit tests) clone(CLONE_THREAD) is -ENOSYS.
 *
 * Each host thread that runs a guest thread has a struct lbx_uthread, its
 * guest thread's t->plat: kicks find the host tid there. A record leaves
 * the kick's reach (ut->t and t->plat cleared, under uthreads_lock) before
 * its thread drops the core thread; a started thread's record is freed
 * once its pthread is joined, by the next thread start or the exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <litebox/core.h>
#include <litebox/task.h>
#include <litebox/waitqueue.h>
#include "userland.h"

/* LiteBox's kick: the stub's event handler enters LiteBox on it. */
#define UTHREAD_KICK_SIGNAL	SIGURG
/* A host thread's own stack: LiteBox's code runs on the stub's signal
 * stack or the direct entry's, the guest on its own. */
#define UTHREAD_STACK_SIZE	(128 * 1024)
/* The exit waits this long for the other threads, kicking them again
 * every UTHREAD_REKICK_NS (a kick that reaches a thread inside the stub,
 * between two entries, is not acted on). */
#define UTHREAD_STOP_NS		(2ULL * LBX_NSEC_PER_SEC)
#define UTHREAD_REKICK_NS	(10ULL * 1000 * 1000)

struct lbx_uthread {
	struct lbx_thread *t;		/* kick target; NULL once it is over */
	struct lbx_thread *own;		/* the reference a started thread puts */
	void *ctx;			/* lbx-run's per-thread state */
	pid_t tid;			/* the host thread's, 0 before it runs */
	bool started;			/* a pthread of ours, to be joined */
	u32 done;			/* its host thread is finishing */
	pthread_t pt;
	struct lbx_uthread *next;
};

static const struct lbx_userland_thread_ops *thread_ops;
static pthread_mutex_t uthreads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lbx_uthread *uthreads;	/* under uthreads_lock */
static u32 uthreads_done_seq;		/* bumped when a thread is done */
static struct lbx_uthread main_uthread;
static pid_t host_pid;

static __thread struct lbx_thread *current_thread;
static __thread struct lbx_uthread *current_uthread;

struct lbx_thread *lbx_plat_current(void)
{
	return current_thread;
}

void lbx_plat_set_current(struct lbx_thread *t)
{
	current_thread = t;
}

int lbx_plat_fork(struct lbx_thread *parent, struct lbx_thread *child)
{
	static bool said;

	/* LiteBox's state lives in this process: a host fork would split it. */
	if (!said) {
		said = true;
		dprintf(2, "litebox: fork is not supported in userland mode (lbx-run); "
			"use lbx-launch for multi-process guests\n");
	}
	return -ENOSYS;
}

static pid_t host_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void uthread_link(struct lbx_uthread *ut)
{
	pthread_mutex_lock(&uthreads_lock);
	ut->next = uthreads;
	uthreads = ut;
	pthread_mutex_unlock(&uthreads_lock);
}

/* Under uthreads_lock. */
static void uthread_unlink_locked(struct lbx_uthread *ut)
{
	struct lbx_uthread **pp;

	for (pp = &uthreads; *pp; pp = &(*pp)->next) {
		if (*pp == ut) {
			*pp = ut->next;
			return;
		}
	}
}

void lbx_userland_threads_init(const struct lbx_userland_thread_ops *ops)
{
	thread_ops = ops;
	host_pid = getpid();
}

void lbx_userland_thread_adopt(struct lbx_thread *t)
{
	main_uthread.tid = host_gettid();
	main_uthread.t = t;
	t->plat = &main_uthread;
	current_uthread = &main_uthread;
	uthread_link(&main_uthread);
}

void lbx_userland_thread_gone(void)
{
	struct lbx_uthread *ut = current_uthread;

	if (!ut)
		return;
	pthread_mutex_lock(&uthreads_lock);
	if (ut->t) {
		ut->t->plat = NULL;
		ut->t = NULL;
	}
	pthread_mutex_unlock(&uthreads_lock);
}

/* Under uthreads_lock, so that the thread cannot end (and its tid be
 * reused) meanwhile. */
static void kick_locked(struct lbx_uthread *ut)
{
	if (ut && ut->t && ut->tid)
		syscall(SYS_tgkill, host_pid, ut->tid, UTHREAD_KICK_SIGNAL);
}

void lbx_plat_thread_kick(struct lbx_thread *t)
{
	/* A thread in guest code enters LiteBox through the stub's kick
	 * handler; one asleep in LiteBox was woken by lbx_thread_interrupt()
	 * (the signal also ends a host futex wait with EINTR). */
	pthread_mutex_lock(&uthreads_lock);
	kick_locked(t->plat);
	pthread_mutex_unlock(&uthreads_lock);
}

/* ---- the CPU-time tick: a host timer on each thread's CPU clock, so it
 * comes only while the thread computes, never while it sleeps ---- */

static __thread timer_t cpu_tick_timer;
static __thread bool cpu_tick_armed;

static void cpu_tick_stop(void)
{
	if (cpu_tick_armed) {
		syscall(SYS_timer_delete, cpu_tick_timer);
		cpu_tick_armed = false;
	}
}

void lbx_plat_cpu_tick(struct lbx_thread *t, bool on)
{
	struct itimerspec its = { 0 };
	struct sigevent sev;

	(void)t;	/* always the calling thread's */
	if (!on) {
		cpu_tick_stop();
		return;
	}
	if (cpu_tick_armed)
		return;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = UTHREAD_KICK_SIGNAL;
	sev._sigev_un._tid = host_gettid();
	if (syscall(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, &sev, &cpu_tick_timer))
		return;	/* the timers are looked at on system calls */
	cpu_tick_armed = true;
	its.it_value.tv_nsec = LBX_CPU_TICK_NS;
	its.it_interval.tv_nsec = LBX_CPU_TICK_NS;
	syscall(SYS_timer_settime, cpu_tick_timer, 0, &its, NULL);
}

/* ---- thread start and end ---- */

static void *uthread_main(void *arg)
{
	struct lbx_uthread *ut = arg;
	struct lbx_thread *t = ut->own;

	current_uthread = ut;
	lbx_plat_set_current(t);
	pthread_mutex_lock(&uthreads_lock);
	ut->tid = host_gettid();
	pthread_mutex_unlock(&uthreads_lock);
	/* Until the guest thread is over; every signal is blocked then. */
	thread_ops->run(ut->ctx, t);
	cpu_tick_stop();
	lbx_userland_thread_gone();
	lbx_plat_set_current(NULL);
	current_uthread = NULL;
	/* Out of the process's thread list if its exit did not do it. */
	lbx_thread_exit(t);
	lbx_thread_put(t);
	__atomic_store_n(&ut->done, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&uthreads_done_seq, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &uthreads_done_seq, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
	return NULL;
}

/* Joins and frees the started threads that are done. */
static void uthreads_reap(void)
{
	struct lbx_uthread *ut, **pp, *dead = NULL;

	pthread_mutex_lock(&uthreads_lock);
	for (pp = &uthreads; (ut = *pp);) {
		if (ut->started && ut != current_uthread &&
		    __atomic_load_n(&ut->done, __ATOMIC_ACQUIRE)) {
			*pp = ut->next;
			ut->next = dead;
			dead = ut;
		} else {
			pp = &ut->next;
		}
	}
	pthread_mutex_unlock(&uthreads_lock);
	while ((ut = dead)) {
		dead = ut->next;
		pthread_join(ut->pt, NULL);
		free(ut);
	}
}

int lbx_plat_thread_start(struct lbx_thread *parent, struct lbx_thread *child)
{
	struct lbx_uthread *ut;
	pthread_attr_t attr;
	sigset_t all, old;
	int ret;

	(void)parent;
	if (!thread_ops)
		return -ENOSYS;
	/* Threads that came and went: joined now, so that a guest creating
	 * threads for ever does not run out. */
	uthreads_reap();
	ut = calloc(1, sizeof(*ut));
	if (!ut)
		return -ENOMEM;
	ut->ctx = thread_ops->prepare(child);
	if (!ut->ctx) {
		free(ut);
		return -ENOMEM;
	}
	ut->t = child;
	ut->own = child;
	ut->started = true;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, UTHREAD_STACK_SIZE);
	/* Linked before it runs: the exit must find it. */
	child->plat = ut;
	uthread_link(ut);
	/* It starts with every signal blocked, until its signal stack is in
	 * place (the stub's handlers run there). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&ut->pt, &attr, uthread_main, ut);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		pthread_mutex_lock(&uthreads_lock);
		uthread_unlink_locked(ut);
		child->plat = NULL;
		pthread_mutex_unlock(&uthreads_lock);
		thread_ops->discard(ut->ctx);
		free(ut);
		return ret == EAGAIN ? -EAGAIN : -ret;
	}
	return 0;
}

/*
 * The process exits: every other guest thread is pulled out of guest code
 * and out of its waits (it sees its process exiting at its next entry and
 * ends), and the host threads of those that were started are joined.
 */
int lbx_userland_threads_stop(void)
{
	u64 deadline = lbx_plat_now_mono() + UTHREAD_STOP_NS;
	struct lbx_uthread *ut;
	struct timespec ts = { .tv_nsec = UTHREAD_REKICK_NS };
	int left;

	for (;;) {
		u32 seq = __atomic_load_n(&uthreads_done_seq, __ATOMIC_ACQUIRE);

		left = 0;
		pthread_mutex_lock(&uthreads_lock);
		for (ut = uthreads; ut; ut = ut->next) {
			if (ut == current_uthread)
				continue;
			/* ut->t stays valid while we hold the lock. */
			if (ut->t) {
				lbx_thread_interrupt(ut->t);
				kick_locked(ut);
			}
			if (ut->started && !__atomic_load_n(&ut->done, __ATOMIC_ACQUIRE))
				left++;
		}
		pthread_mutex_unlock(&uthreads_lock);
		if (!left || lbx_plat_now_mono() >= deadline)
			break;
		syscall(SYS_futex, &uthreads_done_seq, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
	}
	/* Those done are joined; one started meanwhile (by a clone racing
	 * with the exit) ends with the host process. */
	uthreads_reap();
	return left;
}

int lbx_plat_membarrier(bool expedited)
{
	static int registered;

	/* The host's own: every thread of this process (expedited), or every
	 * CPU (a grace period), went through a full barrier. */
	if (expedited) {
		if (!__atomic_load_n(&registered, __ATOMIC_ACQUIRE) &&
		    !syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))
			__atomic_store_n(&registered, 1, __ATOMIC_RELEASE);
		if (__atomic_load_n(&registered, __ATOMIC_ACQUIRE) &&
		    !syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
			return 0;
	}
	if (!syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		return 0;
	return -ENOSYS;
}
