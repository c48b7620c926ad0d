// SPDX-License-Identifier: GPL-2.0
/*
 * Waiters, wait queues and thread interruption (see waitqueue.h for the
 * protocol). Every sleep in core ends in lbx_waiter_sleep().
 */
#include <litebox/waitqueue.h>
#include <litebox/sync.h>
#include <litebox/task.h>

/* ---- the interrupt registry: which waiters a thread is asleep in ---- */

#define REG_BITS	6
#define REG_BUCKETS	(1U << REG_BITS)

struct reg_bucket {
	struct lbx_mutex lock;		/* word mutex: valid when zeroed */
	struct lbx_list_head head;	/* NULL until first used */
};

static struct reg_bucket registry[REG_BUCKETS];

static struct reg_bucket *reg_bucket(struct lbx_thread *t)
{
	u64 h = (u64)(uintptr_t)t * 0x9e3779b97f4a7c15ULL;

	return &registry[h >> (64 - REG_BITS)];
}

static struct reg_bucket *reg_lock(struct lbx_thread *t)
{
	struct reg_bucket *b = reg_bucket(t);

	lbx_mutex_lock(&b->lock);
	if (!b->head.next)
		lbx_list_init(&b->head);
	return b;
}

static void reg_add(struct lbx_waiter *w)
{
	struct reg_bucket *b = reg_lock(w->thread);

	lbx_list_add_tail(&w->reg, &b->head);
	lbx_mutex_unlock(&b->lock);
}

static void reg_del(struct lbx_waiter *w)
{
	struct reg_bucket *b = reg_lock(w->thread);

	lbx_list_del(&w->reg);
	lbx_mutex_unlock(&b->lock);
}

void lbx_thread_interrupt(struct lbx_thread *t)
{
	struct lbx_list_head *pos;
	struct reg_bucket *b;

	/* First the flag (a waiter tests it after registering)... */
	__atomic_store_n(&t->interrupt, 1, __ATOMIC_SEQ_CST);
	lbx_plat_wake(&t->interrupt, -1);
	/* ...then whichever waiters of t are asleep now. */
	b = reg_lock(t);
	lbx_list_for_each(pos, &b->head) {
		struct lbx_waiter *w = lbx_list_entry(pos, struct lbx_waiter, reg);

		if (w->thread == t)
			lbx_waiter_wake(w);
	}
	lbx_mutex_unlock(&b->lock);
}

void lbx_thread_clear_interrupt(struct lbx_thread *t)
{
	__atomic_store_n(&t->interrupt, 0, __ATOMIC_SEQ_CST);
}

/* ---- waiters ---- */

void lbx_waiter_init(struct lbx_waiter *w, struct lbx_thread *self, u32 flags)
{
	w->word = 0;
	w->flags = flags;
	w->thread = self;
	lbx_list_init(&w->reg);
}

bool lbx_waiter_interrupted(struct lbx_waiter *w)
{
	return (w->flags & LBX_WQ_INTERRUPTIBLE) && w->thread &&
	       __atomic_load_n(&w->thread->interrupt, __ATOMIC_SEQ_CST);
}

void lbx_waiter_wake(struct lbx_waiter *w)
{
	__atomic_store_n(&w->word, 1, __ATOMIC_SEQ_CST);
	lbx_plat_wake(&w->word, 1);
}

int lbx_waiter_sleep(struct lbx_waiter *w, u64 deadline_ns)
{
	bool intr = w->flags & LBX_WQ_INTERRUPTIBLE;
	bool reg = intr && w->thread;
	u64 until;
	int ret;

	if (reg)
		reg_add(w);
	for (;;) {
		if (lbx_waiter_interrupted(w)) {
			ret = -EINTR;
			break;
		}
		if (lbx_waiter_woken(w)) {
			ret = 0;
			break;
		}
		/* A guest thread's process timer (ITIMER_REAL) fires on time:
		 * wake for it, send SIGALRM, then sleep on (or be
		 * interrupted by it, when it is not blocked). */
		until = reg ? lbx_itimer_clamp(w->thread, deadline_ns) : deadline_ns;
		ret = lbx_plat_wait(&w->word, 0, until, intr);
		if (ret == -ETIMEDOUT && until != deadline_ns) {
			lbx_itimer_expire(w->thread);
			continue;
		}
		if (ret == -ETIMEDOUT || ret == -EINTR)
			break;
		/* 0 or -EAGAIN: the word changed (or a stray wake); re-test. */
	}
	if (reg)
		reg_del(w);
	return ret;
}

/* ---- wait queues ---- */

void lbx_waitqueue_init(struct lbx_waitqueue *wq)
{
	lbx_plat_spin_init(&wq->lock);
	lbx_list_init(&wq->head);
}

bool lbx_waitqueue_active(struct lbx_waitqueue *wq)
{
	return LBX_READ_ONCE(wq->head.next) != &wq->head;
}

static bool default_wake(struct lbx_wait_entry *e, u32 key)
{
	lbx_waiter_wake(e->waiter);
	return true;
}

void lbx_wait_add(struct lbx_waitqueue *wq, struct lbx_wait_entry *e,
		  struct lbx_waiter *w, u32 flags)
{
	e->waiter = w;
	e->func = default_wake;
	e->flags = flags;
	e->key = 0;
	e->priv = NULL;
	lbx_plat_spin_lock(&wq->lock);
	lbx_list_add_tail(&e->node, &wq->head);
	lbx_plat_spin_unlock(&wq->lock);
}

void lbx_wait_add_fn(struct lbx_waitqueue *wq, struct lbx_wait_entry *e,
		     lbx_wake_fn func, void *priv, u32 key, u32 flags)
{
	e->waiter = NULL;
	e->func = func;
	e->flags = flags;
	e->key = key;
	e->priv = priv;
	lbx_plat_spin_lock(&wq->lock);
	lbx_list_add_tail(&e->node, &wq->head);
	lbx_plat_spin_unlock(&wq->lock);
}

void lbx_wait_readd(struct lbx_waitqueue *wq, struct lbx_wait_entry *e)
{
	lbx_plat_spin_lock(&wq->lock);
	if (lbx_list_empty(&e->node))
		lbx_list_add_tail(&e->node, &wq->head);
	lbx_plat_spin_unlock(&wq->lock);
}

void lbx_wait_remove(struct lbx_waitqueue *wq, struct lbx_wait_entry *e)
{
	lbx_plat_spin_lock(&wq->lock);
	lbx_list_del(&e->node);		/* harmless when already off */
	lbx_plat_spin_unlock(&wq->lock);
}

/*
 * Wakes are batched: the words are set under the queue lock, the platform
 * wakes are issued after it is dropped. A woken thread goes straight for
 * the queue lock (to unlink itself); in userland, where a spinlock holder
 * can be preempted, waking it from under the lock would have it spin out
 * its time slice. A late wake on a word whose waiter has already left is
 * harmless: every lbx_plat_wait() user re-tests its condition.
 */
#define WAKE_BATCH	16

struct wake_batch {
	u32 *words[WAKE_BATCH];
	int n;
};

static void batch_add(struct wake_batch *b, struct lbx_waiter *w)
{
	__atomic_store_n(&w->word, 1, __ATOMIC_SEQ_CST);
	if (b->n < WAKE_BATCH)
		b->words[b->n++] = &w->word;
	else
		lbx_plat_wake(&w->word, 1);
}

static void batch_flush(struct wake_batch *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		lbx_plat_wake(b->words[i], 1);
	b->n = 0;
}

static int wake_locked(struct lbx_waitqueue *wq, int n, u32 mask,
		       struct wake_batch *b)
{
	struct lbx_list_head *pos, *tmp;
	int woken = 0;

	lbx_list_for_each_safe(pos, tmp, &wq->head) {
		struct lbx_wait_entry *e =
			lbx_list_entry(pos, struct lbx_wait_entry, node);
		bool excl = e->flags & LBX_WQ_EXCLUSIVE;

		if (mask && e->key && !(e->key & mask))
			continue;
		if (excl && n >= 0 && woken >= n)
			continue;	/* non-exclusive ones later still wake */
		if (excl)
			lbx_list_del(&e->node);
		if (e->func == default_wake) {
			batch_add(b, e->waiter);
			woken += excl;
		} else if (e->func(e, mask) && excl) {
			woken++;
		}
	}
	return woken;
}

void lbx_wait_abort(struct lbx_waitqueue *wq, struct lbx_wait_entry *e)
{
	struct wake_batch b = { .n = 0 };

	lbx_plat_spin_lock(&wq->lock);
	if (!lbx_list_empty(&e->node))
		lbx_list_del(&e->node);
	else if (e->flags & LBX_WQ_EXCLUSIVE)
		wake_locked(wq, 1, 0, &b);	/* hand the consumed wake on */
	lbx_plat_spin_unlock(&wq->lock);
	batch_flush(&b);
}

int lbx_wake_up_key(struct lbx_waitqueue *wq, int n, u32 mask)
{
	struct wake_batch b = { .n = 0 };
	int woken;

	/* Always under the lock: a lockless "anybody there?" test would
	 * need a full barrier on both sides to be safe. */
	lbx_plat_spin_lock(&wq->lock);
	woken = wake_locked(wq, n, mask, &b);
	lbx_plat_spin_unlock(&wq->lock);
	batch_flush(&b);
	return woken;
}

void lbx_waitqueue_lock_nested(struct lbx_waitqueue *wq, u32 subclass)
{
	lbx_plat_spin_lock_nested(&wq->lock, subclass);
}

void lbx_waitqueue_unlock(struct lbx_waitqueue *wq)
{
	lbx_plat_spin_unlock(&wq->lock);
}

/* The wakes are issued under the lock here: the caller holds it. */
int lbx_wake_up_locked_key(struct lbx_waitqueue *wq, int n, u32 mask)
{
	struct wake_batch b = { .n = 0 };
	int woken;

	woken = wake_locked(wq, n, mask, &b);
	batch_flush(&b);
	return woken;
}

int lbx_wake_up(struct lbx_waitqueue *wq, int n)
{
	return lbx_wake_up_key(wq, n, 0);
}

/* ---- waiting for a condition ---- */

struct cond_lock_ops {
	void (*lock)(void *l);
	void (*unlock)(void *l);
};

int lbx_wait_event_fn(struct lbx_waitqueue *wq, bool (*cond)(void *arg),
		      void *arg, u64 deadline_ns, struct lbx_thread *self,
		      u32 flags)
{
	return lbx_wait_event(wq, cond(arg), deadline_ns, self, flags);
}

static void plat_lock(void *l)
{
	lbx_plat_mutex_lock(l);
}

static void plat_unlock(void *l)
{
	lbx_plat_mutex_unlock(l);
}

static const struct cond_lock_ops plat_lock_ops = { plat_lock, plat_unlock };

/* The core of the *_locked waits and of the condvars. cond NULL: wait
 * for one wake only (a condvar). */
static int wait_locked(struct lbx_waitqueue *wq, bool (*cond)(void *arg),
		       void *arg, const struct cond_lock_ops *ops, void *lock,
		       u64 deadline_ns, struct lbx_thread *self, u32 flags)
{
	struct lbx_waiter w;
	struct lbx_wait_entry e;
	int ret = 0;

	if (cond && cond(arg))
		return 0;
	lbx_waiter_init(&w, self, flags);
	lbx_wait_add(wq, &e, &w, LBX_WQ_EXCLUSIVE);
	for (;;) {
		lbx_waiter_prepare(&w);
		lbx_wait_readd(wq, &e);
		/* Registered before the lock is dropped: no lost wake. */
		ops->unlock(lock);
		ret = lbx_waiter_sleep(&w, deadline_ns);
		ops->lock(lock);
		if (!cond)
			break;
		if (cond(arg)) {
			ret = 0;
			break;
		}
		if (ret)
			break;
	}
	if (ret)
		lbx_wait_abort(wq, &e);
	else
		lbx_wait_remove(wq, &e);
	return ret;
}

int lbx_wait_event_locked(struct lbx_waitqueue *wq, bool (*cond)(void *arg),
			  void *arg, struct lbx_plat_mutex *lock,
			  u64 deadline_ns, struct lbx_thread *self, u32 flags)
{
	return wait_locked(wq, cond, arg, &plat_lock_ops, lock, deadline_ns,
			   self, flags);
}

/* ---- condition variables (here for wait_locked) ---- */

static void word_lock(void *l)
{
	lbx_mutex_lock(l);
}

static void word_unlock(void *l)
{
	lbx_mutex_unlock(l);
}

static const struct cond_lock_ops word_lock_ops = { word_lock, word_unlock };

void lbx_condvar_init(struct lbx_condvar *cv)
{
	lbx_waitqueue_init(&cv->wq);
}

int lbx_condvar_wait(struct lbx_condvar *cv, struct lbx_mutex *m,
		     u64 deadline_ns, struct lbx_thread *self, u32 flags)
{
	return wait_locked(&cv->wq, NULL, NULL, &word_lock_ops, m, deadline_ns,
			   self, flags);
}

int lbx_condvar_wait_plat(struct lbx_condvar *cv, struct lbx_plat_mutex *m,
			  u64 deadline_ns, struct lbx_thread *self, u32 flags)
{
	return wait_locked(&cv->wq, NULL, NULL, &plat_lock_ops, m, deadline_ns,
			   self, flags);
}

void lbx_condvar_signal(struct lbx_condvar *cv)
{
	lbx_wake_up(&cv->wq, 1);
}

void lbx_condvar_broadcast(struct lbx_condvar *cv)
{
	lbx_wake_up_all(&cv->wq);
}
