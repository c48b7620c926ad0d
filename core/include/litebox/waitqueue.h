/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiters and wait queues: the one blocking primitive of core. Mutexes,
 * condvars, the futex table, pipes, eventfd and poll all sleep through it.
 *
 * A struct lbx_waiter is one sleeping thread (it lives on that thread's
 * stack, for the duration of one wait). It owns a u32 word, and sleeping is
 * lbx_plat_wait(&word, 0): whoever wants it to run again sets the word and
 * calls lbx_plat_wake() on it. The kernel platform returns from a wait only
 * when the word changed (or on timeout or a host signal), so a wake always
 * changes the word first.
 *
 * A waiter may be linked into several queues at once through separate
 * struct lbx_wait_entry's (poll): a wake_up on any of them sets the one word.
 *
 * Interruption: a waiter that sleeps interruptibly for a guest thread is
 * entered, for the time of its sleep, in a small registry keyed by the
 * thread. lbx_thread_interrupt(t) sets t->interrupt and sets and wakes the
 * word of every waiter of t found there (and t->interrupt itself, which
 * simple sleepers such as nanosleep wait on). A waiter registers before it
 * checks t->interrupt, and the interrupter sets t->interrupt before it scans
 * the registry, so no interruption is lost.
 *
 * Lost-wakeup freedom is the classic one: add the entry to the queue (and
 * lbx_waiter_prepare()), then test the condition, then sleep. A waker
 * changes the state first, then calls lbx_wake_up*().
 *
 * Locking: each queue has a spinlock held only to link, unlink and wake
 * (never across a sleep or a guest copy); lbx_wake_up*() may be called with
 * any sleeping lock held and from under a platform spinlock.
 */
#ifndef LITEBOX_WAITQUEUE_H
#define LITEBOX_WAITQUEUE_H

#include <litebox/core.h>
#include <litebox/list.h>

struct lbx_thread;

/* Waiter flags (lbx_waiter_init() and the lbx_wait_event*() calls). */
#define LBX_WQ_INTERRUPTIBLE	(1U << 1)

struct lbx_waiter {
	u32 word;			/* 0: asleep; set non-zero to wake */
	u32 flags;
	struct lbx_thread *thread;	/* NULL: no guest thread (tests, kernel work) */
	struct lbx_list_head reg;	/* in the interrupt registry while asleep */
};

struct lbx_wait_entry;
/*
 * Called under the queue lock by a wake_up for each entry it visits. Returns
 * true when the entry counts as one of the n woken (an exclusive waiter).
 * The default wakes e->waiter; a custom one (epoll) may do anything that
 * does not sleep.
 */
typedef bool (*lbx_wake_fn)(struct lbx_wait_entry *e, u32 key);

/* Entry flags (lbx_wait_entry.flags). */
#define LBX_WQ_EXCLUSIVE	(1U << 0)	/* counts toward n, unlinked when woken */

struct lbx_wait_entry {
	struct lbx_list_head node;	/* in wq->head; self-linked when off */
	struct lbx_waiter *waiter;
	lbx_wake_fn func;
	u32 flags;
	u32 key;			/* poll: the events this entry waits for */
	void *priv;
};

struct lbx_waitqueue {
	struct lbx_plat_spinlock lock;
	struct lbx_list_head head;
};

void lbx_waitqueue_init(struct lbx_waitqueue *wq);
/* True when nobody waits: a hint, racy without the caller's own lock. */
bool lbx_waitqueue_active(struct lbx_waitqueue *wq);

/* ---- waiters ---- */

/* self: the guest thread that sleeps, or NULL (then only host signals, and
 * only with LBX_WQ_INTERRUPTIBLE, interrupt it). */
void lbx_waiter_init(struct lbx_waiter *w, struct lbx_thread *self, u32 flags);
/* Arms the waiter for the next sleep: call before testing the condition. */
static inline void lbx_waiter_prepare(struct lbx_waiter *w)
{
	__atomic_store_n(&w->word, 0, __ATOMIC_SEQ_CST);
}
/* Whether a wake (or interruption) arrived since the last prepare. */
static inline bool lbx_waiter_woken(struct lbx_waiter *w)
{
	return __atomic_load_n(&w->word, __ATOMIC_ACQUIRE) != 0;
}
/*
 * Sleeps until woken, until the monotonic clock passes deadline_ns
 * (LBX_NO_DEADLINE: never), or, with LBX_WQ_INTERRUPTIBLE, until the
 * thread is interrupted. Returns 0 (woken, or already woken since the last
 * prepare), -ETIMEDOUT or -EINTR. The caller re-tests its condition in
 * every case: a wake is a hint, not a guarantee.
 */
int lbx_waiter_sleep(struct lbx_waiter *w, u64 deadline_ns);
/* Sets the word and wakes the sleeper. */
void lbx_waiter_wake(struct lbx_waiter *w);
/* Whether the waiter's thread has an interruption pending. */
bool lbx_waiter_interrupted(struct lbx_waiter *w);

/* ---- queue entries ---- */

/* Links e (flags 0 or LBX_WQ_EXCLUSIVE) for w at the tail of wq. */
void lbx_wait_add(struct lbx_waitqueue *wq, struct lbx_wait_entry *e,
		  struct lbx_waiter *w, u32 flags);
/* Links e again when a wake unlinked it (exclusive entries); no-op if on. */
void lbx_wait_readd(struct lbx_waitqueue *wq, struct lbx_wait_entry *e);
/* Unlinks e if still linked; after it returns no waker touches e. */
void lbx_wait_remove(struct lbx_waitqueue *wq, struct lbx_wait_entry *e);
/*
 * The same for a waiter that gives up (timeout, interruption) without
 * consuming what it was woken for: when a wake had already unlinked the
 * exclusive entry, the wake is passed on to the next exclusive waiter, so
 * that no wake-one is lost on a waiter that leaves.
 */
void lbx_wait_abort(struct lbx_waitqueue *wq, struct lbx_wait_entry *e);
/* A custom entry (func called on wake). */
void lbx_wait_add_fn(struct lbx_waitqueue *wq, struct lbx_wait_entry *e,
		     lbx_wake_fn func, void *priv, u32 key, u32 flags);

/* ---- waking ---- */

/*
 * Wakes every non-exclusive entry and up to n exclusive ones, in FIFO order
 * (n < 0: all). Woken exclusive entries are unlinked. Returns how many
 * exclusive entries were woken.
 */
int lbx_wake_up(struct lbx_waitqueue *wq, int n);
static inline void lbx_wake_up_all(struct lbx_waitqueue *wq)
{
	lbx_wake_up(wq, -1);
}
/* As lbx_wake_up_all, but entries with a key (poll) are woken only when
 * key & mask; mask 0 wakes everybody. */
int lbx_wake_up_key(struct lbx_waitqueue *wq, int n, u32 mask);

/*
 * Nested wake-ups. A wake function may wake another queue, so one queue
 * lock is taken while another of the same lock class is held (epoll: an
 * epoll watched by an epoll wakes the outer one's pollers from under its
 * own poll queue's lock). lockdep needs the level: take such a queue's
 * lock with lbx_waitqueue_lock_nested() (subclass below
 * LBX_LOCK_SUBCLASSES, increasing along the chain of wakes), wake with
 * lbx_wake_up_locked_key() (as lbx_wake_up_key(), the lock held), then
 * lbx_waitqueue_unlock().
 */
void lbx_waitqueue_lock_nested(struct lbx_waitqueue *wq, u32 subclass);
void lbx_waitqueue_unlock(struct lbx_waitqueue *wq);
int lbx_wake_up_locked_key(struct lbx_waitqueue *wq, int n, u32 mask);

/* ---- waiting for a condition ---- */

/*
 * Sleeps on wq until cond(arg) is true. Returns 0 once it holds, -ETIMEDOUT
 * after deadline_ns, -EINTR when interrupted (flags LBX_WAIT_*). When the
 * condition holds at the same time as a timeout or interruption, 0 wins.
 * The condition is evaluated without any lock of the caller's: use it for
 * atomically readable state, or see lbx_wait_event_locked().
 */
int lbx_wait_event_fn(struct lbx_waitqueue *wq, bool (*cond)(void *arg),
		      void *arg, u64 deadline_ns, struct lbx_thread *self,
		      u32 flags);

/*
 * The same with cond evaluated under the caller's sleeping lock, which is
 * held on entry and on return and dropped while asleep: the common pattern
 * of "state guarded by a mutex, wait until it changes".
 */
struct lbx_plat_mutex;
int lbx_wait_event_locked(struct lbx_waitqueue *wq, bool (*cond)(void *arg),
			  void *arg, struct lbx_plat_mutex *lock,
			  u64 deadline_ns, struct lbx_thread *self, u32 flags);

/* As lbx_wait_event_fn with an expression (GNU statement expression). */
#define lbx_wait_event(wq, cond, deadline_ns, self, flags)		\
({									\
	struct lbx_waiter __lbx_w;					\
	struct lbx_wait_entry __lbx_e;					\
	int __lbx_r = 0;						\
									\
	if (!(cond)) {							\
		lbx_waiter_init(&__lbx_w, (self), (flags));		\
		lbx_wait_add((wq), &__lbx_e, &__lbx_w, LBX_WQ_EXCLUSIVE); \
		for (;;) {						\
			lbx_waiter_prepare(&__lbx_w);			\
			lbx_wait_readd((wq), &__lbx_e);			\
			if (cond) {					\
				__lbx_r = 0;				\
				break;					\
			}						\
			__lbx_r = lbx_waiter_sleep(&__lbx_w, (deadline_ns)); \
			if (__lbx_r) {					\
				if (cond)				\
					__lbx_r = 0;			\
				break;					\
			}						\
		}							\
		if (__lbx_r)						\
			lbx_wait_abort((wq), &__lbx_e);			\
		else							\
			lbx_wait_remove((wq), &__lbx_e);		\
	}								\
	__lbx_r;							\
})

/* ---- interruption ---- */

/*
 * Sets t->interrupt (to 1) and pulls t out of whatever core wait it is in
 * (a waiter's sleep, or a plain lbx_plat_wait on &t->interrupt). The
 * waits return -EINTR; new interruptible ones do too until t->interrupt is
 * cleared. Process context (it may sleep briefly); t must be referenced.
 *
 * An interruptible wait also returns -EINTR when the platform's wait does
 * (a host signal for the host thread: in the kernel, a pending signal
 * cannot be slept through). With t->interrupt clear, that -EINTR is the
 * host's, not the guest's: the shim restarts the system call.
 */
void lbx_thread_interrupt(struct lbx_thread *t);
/* Clears a pending interruption (the signal code, once it delivered). */
void lbx_thread_clear_interrupt(struct lbx_thread *t);

#endif /* LITEBOX_WAITQUEUE_H */
