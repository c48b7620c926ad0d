/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core's sleeping locks, built on the platform's word wait/wake and on
 * wait queues (waitqueue.h):
 *
 *   struct lbx_mutex	a word mutex (0 unlocked, 1 locked, 2 contended);
 *			all-zero is a valid unlocked mutex, so it may be
 *			static. Not recursive. For hot, long-held locks the
 *			platform mutex (lbx_plat_mutex) is usually better in
 *			the kernel (adaptive spinning, lockdep).
 *   struct lbx_rwlock	many readers or one writer; writers are preferred
 *			(a waiting writer holds off new readers).
 *   struct lbx_condvar	wait with a deadline and interruptibly, releasing
 *			an lbx_mutex or an lbx_plat_mutex while asleep.
 *
 * None of them may be taken under a platform spinlock.
 */
#ifndef LITEBOX_SYNC_H
#define LITEBOX_SYNC_H

#include <litebox/core.h>
#include <litebox/waitqueue.h>

struct lbx_thread;

/* ---- mutex ---- */

struct lbx_mutex {
	u32 word;
};

#define LBX_MUTEX_INIT	{ 0 }

static inline void lbx_mutex_init(struct lbx_mutex *m)
{
	__atomic_store_n(&m->word, 0, __ATOMIC_RELAXED);
}

void lbx_mutex_lock(struct lbx_mutex *m);
/* True when taken. */
bool lbx_mutex_trylock(struct lbx_mutex *m);
void lbx_mutex_unlock(struct lbx_mutex *m);
/* A hint for assertions: held by somebody. */
static inline bool lbx_mutex_is_locked(struct lbx_mutex *m)
{
	return __atomic_load_n(&m->word, __ATOMIC_RELAXED) != 0;
}

/* ---- reader-writer lock ---- */

struct lbx_condvar {
	struct lbx_waitqueue wq;
};

struct lbx_rwlock {
	struct lbx_mutex lock;		/* guards the counts */
	u32 readers;			/* holders in read mode */
	u32 writer;			/* 1 while held in write mode */
	u32 writers_waiting;
	struct lbx_condvar cv;
};

void lbx_rwlock_init(struct lbx_rwlock *rw);
void lbx_read_lock(struct lbx_rwlock *rw);
bool lbx_read_trylock(struct lbx_rwlock *rw);
void lbx_read_unlock(struct lbx_rwlock *rw);
void lbx_write_lock(struct lbx_rwlock *rw);
bool lbx_write_trylock(struct lbx_rwlock *rw);
void lbx_write_unlock(struct lbx_rwlock *rw);

/* ---- condition variable ---- */

void lbx_condvar_init(struct lbx_condvar *cv);
/*
 * Atomically releases m and sleeps until signalled, until deadline_ns
 * (absolute monotonic; LBX_NO_DEADLINE) or, with LBX_WQ_INTERRUPTIBLE,
 * until self is interrupted; m is held again on return. Returns 0,
 * -ETIMEDOUT or -EINTR. Wakes may be spurious: re-test the predicate.
 */
int lbx_condvar_wait(struct lbx_condvar *cv, struct lbx_mutex *m,
		     u64 deadline_ns, struct lbx_thread *self, u32 flags);
int lbx_condvar_wait_plat(struct lbx_condvar *cv, struct lbx_plat_mutex *m,
			  u64 deadline_ns, struct lbx_thread *self, u32 flags);
void lbx_condvar_signal(struct lbx_condvar *cv);
void lbx_condvar_broadcast(struct lbx_condvar *cv);

#endif /* LITEBOX_SYNC_H */
