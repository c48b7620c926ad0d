// SPDX-License-Identifier: GPL-2.0
/* Word mutexes and reader-writer locks (condvars live in wait.c). */
#include <litebox/sync.h>

/* ---- mutex: 0 unlocked, 1 locked, 2 locked and maybe contended ---- */

void lbx_mutex_lock(struct lbx_mutex *m)
{
	u32 c = 0;

	if (__atomic_compare_exchange_n(&m->word, &c, 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		lbx_plat_wait(&m->word, 2, LBX_NO_DEADLINE, false);
		c = __atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE);
	}
}

bool lbx_mutex_trylock(struct lbx_mutex *m)
{
	u32 c = 0;

	return __atomic_compare_exchange_n(&m->word, &c, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void lbx_mutex_unlock(struct lbx_mutex *m)
{
	/* The word changes to 0 before the wake, as lbx_plat_wait needs. */
	if (__atomic_exchange_n(&m->word, 0, __ATOMIC_RELEASE) == 2)
		lbx_plat_wake(&m->word, 1);
}

/* ---- reader-writer lock ---- */

void lbx_rwlock_init(struct lbx_rwlock *rw)
{
	lbx_mutex_init(&rw->lock);
	rw->readers = 0;
	rw->writer = 0;
	rw->writers_waiting = 0;
	lbx_condvar_init(&rw->cv);
}

static bool can_read(struct lbx_rwlock *rw)
{
	return !rw->writer && !rw->writers_waiting;
}

void lbx_read_lock(struct lbx_rwlock *rw)
{
	lbx_mutex_lock(&rw->lock);
	while (!can_read(rw))
		lbx_condvar_wait(&rw->cv, &rw->lock, LBX_NO_DEADLINE, NULL, 0);
	rw->readers++;
	lbx_mutex_unlock(&rw->lock);
}

bool lbx_read_trylock(struct lbx_rwlock *rw)
{
	bool ok;

	lbx_mutex_lock(&rw->lock);
	ok = can_read(rw);
	if (ok)
		rw->readers++;
	lbx_mutex_unlock(&rw->lock);
	return ok;
}

void lbx_read_unlock(struct lbx_rwlock *rw)
{
	bool last;

	lbx_mutex_lock(&rw->lock);
	last = --rw->readers == 0;
	lbx_mutex_unlock(&rw->lock);
	if (last)
		lbx_condvar_broadcast(&rw->cv);
}

void lbx_write_lock(struct lbx_rwlock *rw)
{
	lbx_mutex_lock(&rw->lock);
	rw->writers_waiting++;
	while (rw->writer || rw->readers)
		lbx_condvar_wait(&rw->cv, &rw->lock, LBX_NO_DEADLINE, NULL, 0);
	rw->writers_waiting--;
	rw->writer = 1;
	lbx_mutex_unlock(&rw->lock);
}

bool lbx_write_trylock(struct lbx_rwlock *rw)
{
	bool ok;

	lbx_mutex_lock(&rw->lock);
	ok = !rw->writer && !rw->readers;
	if (ok)
		rw->writer = 1;
	lbx_mutex_unlock(&rw->lock);
	return ok;
}

void lbx_write_unlock(struct lbx_rwlock *rw)
{
	lbx_mutex_lock(&rw->lock);
	rw->writer = 0;
	lbx_mutex_unlock(&rw->lock);
	lbx_condvar_broadcast(&rw->cv);
}
