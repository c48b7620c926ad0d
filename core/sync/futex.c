// SPDX-License-Identifier: GPL-2.0
/*
 * The guest futex table: hashed buckets of queued waiters, each bucket with
 * a sleeping lock under which the guest word is read (so "compare, then
 * queue" is atomic against a waker) and waiters are dequeued and woken.
 *
 * A waiter (struct futex_q) lives on the waiting thread's stack. Wakers
 * dequeue it and set its word under the bucket lock; requeue moves it to
 * another bucket and updates q->bucket under both locks. The waiter, on its
 * way out, locks the bucket it is in now (re-reading q->bucket until stable)
 * and learns whether it was woken (dequeued) or still queued (timeout or
 * interruption), so a wake is never lost on a waiter that leaves.
 */
#include <litebox/futex.h>
#include <litebox/list.h>
#include <litebox/waitqueue.h>

/*
 * One table per sandbox, made at every sandbox's creation: 64 buckets
 * (3 KiB), as Linux 6.16's per-process private futex hashes start small
 * (16 buckets, growing with the threads) where its global table had 256
 * per CPU. Chains stay short for any sandbox's thread count.
 */
#define FUTEX_HASH_BITS		6
#define FUTEX_HASH_SIZE		(1U << FUTEX_HASH_BITS)
#define LX_INT_MAX		0x7fffffff

struct futex_bucket {
	struct lbx_plat_mutex lock;
	struct lbx_list_head head;
};

struct lbx_futex_table {
	struct futex_bucket buckets[FUTEX_HASH_SIZE];
};

struct futex_q {
	struct lbx_list_head node;	/* in bucket->head; self-linked when off */
	void *owner;
	u64 uaddr;
	u32 bitset;
	struct futex_bucket *bucket;	/* changes under requeue */
	struct lbx_waiter w;
};

int lbx_futex_table_create(struct lbx_futex_table **out)
{
	struct lbx_futex_table *ft = lbx_plat_alloc_large(sizeof(*ft));
	u32 i;

	if (!ft)
		return -ENOMEM;
	for (i = 0; i < FUTEX_HASH_SIZE; i++) {
		lbx_plat_mutex_init(&ft->buckets[i].lock);
		lbx_list_init(&ft->buckets[i].head);
	}
	*out = ft;
	return 0;
}

void lbx_futex_table_destroy(struct lbx_futex_table *ft)
{
	lbx_plat_free_large(ft);
}

static struct futex_bucket *hash_bucket(struct lbx_futex_table *ft,
					void *owner, u64 uaddr)
{
	u64 h = ((u64)(uintptr_t)owner ^ (uaddr * 0x9e3779b97f4a7c15ULL)) *
		0xff51afd7ed558ccdULL;

	return &ft->buckets[h >> (64 - FUTEX_HASH_BITS)];
}

static bool q_match(const struct futex_q *q, void *owner, u64 uaddr)
{
	return q->owner == owner && q->uaddr == uaddr;
}

static int check_addr(u64 uaddr)
{
	return (uaddr & 3) ? -EINVAL : 0;
}

/* Locks two buckets in a fixed order (once when they are one). */
static void lock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		lbx_plat_mutex_lock(&a->lock);
	} else if (a < b) {
		lbx_plat_mutex_lock(&a->lock);
		lbx_plat_mutex_lock_nested(&b->lock, 1);
	} else {
		lbx_plat_mutex_lock(&b->lock);
		lbx_plat_mutex_lock_nested(&a->lock, 1);
	}
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	lbx_plat_mutex_unlock(&a->lock);
	if (a != b)
		lbx_plat_mutex_unlock(&b->lock);
}

/* Dequeues and wakes q; the caller holds q's bucket lock. */
static void wake_q(struct futex_q *q)
{
	lbx_list_del(&q->node);
	lbx_waiter_wake(&q->w);
}

/* Locks the bucket q is queued in now; returns it. */
static struct futex_bucket *lock_q_bucket(struct futex_q *q)
{
	for (;;) {
		struct futex_bucket *b = __atomic_load_n(&q->bucket, __ATOMIC_ACQUIRE);

		lbx_plat_mutex_lock(&b->lock);
		if (b == __atomic_load_n(&q->bucket, __ATOMIC_RELAXED))
			return b;
		lbx_plat_mutex_unlock(&b->lock);
	}
}

int lbx_futex_wait_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k,
		       u64 uaddr, u32 val, u32 bitset, u64 deadline_ns,
		       struct lbx_thread *self)
{
	struct futex_bucket *b;
	struct futex_q q;
	u32 cur;
	int ret;

	if (check_addr(uaddr) || check_addr(k->addr) || !bitset)
		return -EINVAL;
	q.owner = k->owner;
	q.uaddr = k->addr;
	q.bitset = bitset;
	lbx_waiter_init(&q.w, self, LBX_WQ_INTERRUPTIBLE);
	b = hash_bucket(ft, k->owner, k->addr);
	q.bucket = b;

	lbx_plat_mutex_lock(&b->lock);
	ret = lbx_copy_from_guest(&cur, uaddr, sizeof(cur));
	if (!ret && cur != val)
		ret = -EAGAIN;
	if (ret) {
		lbx_plat_mutex_unlock(&b->lock);
		return ret;
	}
	lbx_list_add_tail(&q.node, &b->head);
	lbx_plat_mutex_unlock(&b->lock);

	ret = lbx_waiter_sleep(&q.w, deadline_ns);

	b = lock_q_bucket(&q);
	if (lbx_list_empty(&q.node))
		ret = 0;		/* woken: that wins over a timeout */
	else
		lbx_list_del(&q.node);
	lbx_plat_mutex_unlock(&b->lock);
	return ret;
}

int lbx_futex_wait(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		   u32 val, u32 bitset, u64 deadline_ns, struct lbx_thread *self)
{
	struct lbx_futex_key k = { .owner = owner, .addr = uaddr };

	return lbx_futex_wait_key(ft, &k, uaddr, val, bitset, deadline_ns, self);
}

/* Wakes matching waiters in b, Linux's count quirk included: at least one. */
static int wake_bucket(struct futex_bucket *b, void *owner, u64 uaddr,
		       int n, u32 bitset)
{
	struct lbx_list_head *pos, *tmp;
	int woken = 0;

	lbx_list_for_each_safe(pos, tmp, &b->head) {
		struct futex_q *q = lbx_list_entry(pos, struct futex_q, node);

		if (!q_match(q, owner, uaddr) || !(q->bitset & bitset))
			continue;
		wake_q(q);
		if (++woken >= n)
			break;
	}
	return woken;
}

int lbx_futex_wake_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k,
		       int n, u32 bitset)
{
	struct futex_bucket *b;
	int woken;

	if (check_addr(k->addr) || !bitset)
		return -EINVAL;
	b = hash_bucket(ft, k->owner, k->addr);
	lbx_plat_mutex_lock(&b->lock);
	woken = wake_bucket(b, k->owner, k->addr, n, bitset);
	lbx_plat_mutex_unlock(&b->lock);
	return woken;
}

int lbx_futex_wake(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		   int n, u32 bitset)
{
	struct lbx_futex_key k = { .owner = owner, .addr = uaddr };

	return lbx_futex_wake_key(ft, &k, n, bitset);
}

int lbx_futex_requeue_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k1,
			  u64 uaddr, int n_wake, const struct lbx_futex_key *k2,
			  int n_requeue, const u32 *cmpval)
{
	struct futex_bucket *b1, *b2;
	struct lbx_list_head *pos, *tmp;
	s64 count = 0;
	int ret = 0;

	if (check_addr(uaddr) || check_addr(k1->addr) || check_addr(k2->addr) ||
	    n_wake < 0 || n_requeue < 0)
		return -EINVAL;
	b1 = hash_bucket(ft, k1->owner, k1->addr);
	b2 = hash_bucket(ft, k2->owner, k2->addr);
	lock_two(b1, b2);
	if (cmpval) {
		u32 cur;

		ret = lbx_copy_from_guest(&cur, uaddr, sizeof(cur));
		if (!ret && cur != *cmpval)
			ret = -EAGAIN;
		if (ret)
			goto out;
	}
	lbx_list_for_each_safe(pos, tmp, &b1->head) {
		struct futex_q *q = lbx_list_entry(pos, struct futex_q, node);

		if (count - n_wake >= n_requeue)
			break;
		if (!q_match(q, k1->owner, k1->addr))
			continue;
		if (++count <= n_wake) {
			wake_q(q);
			continue;
		}
		q->owner = k2->owner;
		q->uaddr = k2->addr;
		if (b1 != b2) {
			lbx_list_del(&q->node);
			lbx_list_add_tail(&q->node, &b2->head);
			__atomic_store_n(&q->bucket, b2, __ATOMIC_RELEASE);
		}
	}
	ret = (int)count;
out:
	unlock_two(b1, b2);
	return ret;
}

int lbx_futex_requeue(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		      int n_wake, u64 uaddr2, int n_requeue,
		      const u32 *cmpval)
{
	struct lbx_futex_key k1 = { .owner = owner, .addr = uaddr };
	struct lbx_futex_key k2 = { .owner = owner, .addr = uaddr2 };

	return lbx_futex_requeue_key(ft, &k1, uaddr, n_wake, &k2, n_requeue, cmpval);
}

/* FUTEX_WAKE_OP's encoding, as Linux's <linux/futex.h>. */
#define FUTEX_OP_SET		0
#define FUTEX_OP_ADD		1
#define FUTEX_OP_OR		2
#define FUTEX_OP_ANDN		3
#define FUTEX_OP_XOR		4
#define FUTEX_OP_OPARG_SHIFT	8
#define FUTEX_OP_CMP_EQ		0
#define FUTEX_OP_CMP_NE		1
#define FUTEX_OP_CMP_LT		2
#define FUTEX_OP_CMP_LE		3
#define FUTEX_OP_CMP_GT		4
#define FUTEX_OP_CMP_GE		5

static s32 sign_extend12(u32 v)
{
	return (s32)(v << 20) >> 20;
}

/* Applies the operation to the guest word; returns the comparison's
 * result (0 or 1) or a negative errno. */
static int do_wake_op(u64 uaddr, u32 encoded_op)
{
	u32 op = (encoded_op >> 28) & 7;
	u32 cmp = (encoded_op >> 24) & 15;
	s32 oparg = sign_extend12((encoded_op >> 12) & 0xfff);
	s32 cmparg = sign_extend12(encoded_op & 0xfff);
	u32 oldval, newval;
	s32 old;
	int ret;

	if (encoded_op & ((u32)FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg < 0 || oparg > 31)
			oparg &= 31;
		oparg = (s32)(1U << oparg);
	}
	ret = lbx_copy_from_guest(&oldval, uaddr, sizeof(oldval));
	if (ret)
		return ret;
	switch (op) {
	case FUTEX_OP_SET:
		newval = (u32)oparg;
		break;
	case FUTEX_OP_ADD:
		newval = oldval + (u32)oparg;
		break;
	case FUTEX_OP_OR:
		newval = oldval | (u32)oparg;
		break;
	case FUTEX_OP_ANDN:
		newval = oldval & ~(u32)oparg;
		break;
	case FUTEX_OP_XOR:
		newval = oldval ^ (u32)oparg;
		break;
	default:
		return -ENOSYS;
	}
	old = (s32)oldval;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		ret = old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		ret = old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		ret = old < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		ret = old <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		ret = old > cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		ret = old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	if (lbx_copy_to_guest(uaddr, &newval, sizeof(newval)))
		return -EFAULT;
	return ret;
}

int lbx_futex_wake_op_key(struct lbx_futex_table *ft, const struct lbx_futex_key *k1,
			  int n1, const struct lbx_futex_key *k2, u64 uaddr2, int n2,
			  u32 encoded_op)
{
	struct futex_bucket *b1, *b2;
	int ret, cmp;

	if (check_addr(k1->addr) || check_addr(k2->addr) || check_addr(uaddr2))
		return -EINVAL;
	b1 = hash_bucket(ft, k1->owner, k1->addr);
	b2 = hash_bucket(ft, k2->owner, k2->addr);
	lock_two(b1, b2);
	cmp = do_wake_op(uaddr2, encoded_op);
	if (cmp < 0) {
		ret = cmp;
		goto out;
	}
	ret = wake_bucket(b1, k1->owner, k1->addr, n1, LBX_FUTEX_BITSET_ANY);
	if (cmp)
		ret += wake_bucket(b2, k2->owner, k2->addr, n2, LBX_FUTEX_BITSET_ANY);
out:
	unlock_two(b1, b2);
	return ret;
}

int lbx_futex_wake_op(struct lbx_futex_table *ft, void *owner, u64 uaddr,
		      int n1, u64 uaddr2, int n2, u32 encoded_op)
{
	struct lbx_futex_key k1 = { .owner = owner, .addr = uaddr };
	struct lbx_futex_key k2 = { .owner = owner, .addr = uaddr2 };

	return lbx_futex_wake_op_key(ft, &k1, n1, &k2, uaddr2, n2, encoded_op);
}

int lbx_futex_nr_waiters(struct lbx_futex_table *ft, void *owner, u64 uaddr)
{
	struct futex_bucket *b = hash_bucket(ft, owner, uaddr);
	struct lbx_list_head *pos;
	int n = 0;

	lbx_plat_mutex_lock(&b->lock);
	lbx_list_for_each(pos, &b->head) {
		struct futex_q *q = lbx_list_entry(pos, struct futex_q, node);

		if (q_match(q, owner, uaddr))
			n++;
	}
	lbx_plat_mutex_unlock(&b->lock);
	return n;
}
