/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest futex(2) core: a hash table of waiters keyed by (owner, uaddr).
 *
 * owner identifies the address space the guest address belongs to (the
 * caller passes its process's mm identity, e.g. the struct lbx_process, or
 * whatever object the threads sharing an address space share). Private and
 * "shared" futexes are keyed the same way: a futex word in MAP_SHARED memory
 * seen by two guest processes is two different futexes here (future work:
 * key shared mappings by their backing object and offset).
 *
 * Each bucket has its own sleeping lock; the guest word is read under it,
 * which is what makes the value test and the enqueue atomic against a
 * waker (the guest changes the word, then calls FUTEX_WAKE, which takes the
 * same lock).
 *
 * Every function returns a count or 0, or a negative errno.
 */
#ifndef LITEBOX_FUTEX_H
#define LITEBOX_FUTEX_H

#include <litebox/core.h>

struct lbx_thread;
struct lbx_futex_table;

#define LBX_FUTEX_BITSET_ANY	0xffffffffU

int lbx_futex_table_create(struct lbx_futex_table **out);
/* Nobody may wait any more: every waiter has returned. */
void lbx_futex_table_destroy(struct lbx_futex_table *ft);

/*
 * FUTEX_WAIT / FUTEX_WAIT_BITSET: if the u32 at guest uaddr equals val,
 * sleeps until woken by a wake whose bitset intersects bitset, until the
 * monotonic deadline_ns (LBX_NO_DEADLINE: none), or until self is
 * interrupted (self NULL: only host signals interrupt). Returns 0 when
 * woken, -EAGAIN when the word differed, -EFAULT, -EINVAL (unaligned
 * uaddr, bitset 0), -ETIMEDOUT or -EINTR.
 */
int lbx_futex_wait(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		   u32 val, u32 bitset, u64 deadline_ns, struct lbx_thread *self);

/* FUTEX_WAKE / FUTEX_WAKE_BITSET: wakes up to n waiters whose bitset
 * intersects (INT_MAX: all; as Linux, n <= 0 still wakes one); returns
 * how many. -EINVAL for an unaligned uaddr or bitset 0. */
int lbx_futex_wake(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		   int n, u32 bitset);

/*
 * FUTEX_REQUEUE (cmpval NULL) / FUTEX_CMP_REQUEUE: wakes up to n_wake
 * waiters on uaddr and moves up to n_requeue of the rest to uaddr2.
 * With cmpval, -EAGAIN (nothing done) when *uaddr != *cmpval. Returns
 * woken + requeued; -EINVAL for negative counts or unaligned addresses.
 */
int lbx_futex_requeue(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		      int n_wake, u64 uaddr2, int n_requeue,
		      const u32 *cmpval);

/*
 * FUTEX_WAKE_OP: atomically applies encoded_op to the word at uaddr2
 * (as Linux: op, cmp, oparg, cmparg), wakes up to n1 on uaddr, and, if the
 * comparison of the old value holds, up to n2 on uaddr2. Returns the total.
 * The update is a compare-and-exchange retried until it sticks; the
 * platform has no atomic guest access, so it is atomic against other
 * futex calls, not against plain guest stores racing with it.
 */
int lbx_futex_wake_op(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		      int n1, u64 uaddr2, int n2, u32 encoded_op);

/*
 * What a futex word is known by. The calls above key a word by (owner,
 * its guest address): right for private memory (owner: the process's
 * map). A word in shared memory is known by (its object, its offset in the
 * object), so that every mapping of the object meets at the same futex
 * wherever it is mapped, as Linux keys shared futexes by inode and offset.
 * The _key calls take the key and, where they read or write the word,
 * its guest address in the calling process.
 */
struct lbx_futex_key {
	void *owner;
	u64 addr;
};

int lbx_futex_wait_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k,
		       u64 uaddr, u32 val, u32 bitset, u64 deadline_ns,
		       struct lbx_thread *self);
int lbx_futex_wake_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k,
		       int n, u32 bitset);
/* Waiters moved to k2 take its owner too. */
int lbx_futex_requeue_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k1,
			  u64 uaddr, int n_wake, const struct lbx_futex_key *k2,
			  int n_requeue, const u32 *cmpval);
int lbx_futex_wake_op_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k1,
			  int n1, const struct lbx_futex_key *k2, u64 uaddr2, int n2,
			  u32 encoded_op);

/* Waiters currently queued on (owner, uaddr): for tests and debugging. */
int lbx_futex_nr_waiters(struct lbx_futex_table *ft, void *owner, u64 uaddr);

#endif /* LITEBOX_FUTEX_H */
