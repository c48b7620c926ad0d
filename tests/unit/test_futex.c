// SPDX-License-Identifier: GPL-2.0
/* core/sync/futex.c: the guest futex table (guest memory = this process). */
#include <pthread.h>
#include <unistd.h>

#include <litebox/futex.h>
#include <litebox/task.h>
#include <litebox/waitqueue.h>
#include "lbx_test.h"

#define MS	1000000ULL
#define ALL	0x7fffffff

static u64 in_ms(u64 ms)
{
	return lbx_plat_now_mono() + ms * MS;
}

static u64 ga(u32 *p)
{
	return (u64)(uintptr_t)p;
}

static int owner_a, owner_b;

struct fw {
	struct lbx_futex_table *ft;
	void *owner;
	u32 *word;
	u32 val;
	u32 bitset;
	u64 deadline;
	struct lbx_thread *self;
	int ret;
	pthread_t th;
};

static void *fw_thread(void *arg)
{
	struct fw *w = arg;

	w->ret = lbx_futex_wait(w->ft, w->owner, ga(w->word), w->val, w->bitset,
				w->deadline, w->self);
	return NULL;
}

static void fw_start(struct fw *w, struct lbx_futex_table *ft, u32 *word)
{
	memset(w, 0, sizeof(*w));
	w->ft = ft;
	w->owner = &owner_a;
	w->word = word;
	w->val = *word;
	w->bitset = LBX_FUTEX_BITSET_ANY;
	w->deadline = in_ms(10000);
	w->ret = 1;
}

static void fw_run(struct fw *w)
{
	pthread_create(&w->th, NULL, fw_thread, w);
}

/* Waits up to 5 s for n waiters on (owner, word). */
static bool wait_waiters(struct lbx_futex_table *ft, void *owner, u32 *word, int n)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (lbx_futex_nr_waiters(ft, owner, ga(word)) == n)
			return true;
		usleep(1000);
	}
	return false;
}

TEST(futex_wait_mismatch_is_eagain)
{
	struct lbx_futex_table *ft;
	u32 word = 5;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, ga(&word), 6, LBX_FUTEX_BITSET_ANY,
				 LBX_NO_DEADLINE, NULL), -EAGAIN);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&word)), 0);
	lbx_futex_table_destroy(ft);
}

TEST(futex_bad_arguments)
{
	struct lbx_futex_table *ft;
	u32 word[2] = { 0, 0 };

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, 16, 0, LBX_FUTEX_BITSET_ANY,
				 LBX_NO_DEADLINE, NULL), -EFAULT);
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, ga(word) + 1, 0,
				 LBX_FUTEX_BITSET_ANY, LBX_NO_DEADLINE, NULL), -EINVAL);
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, ga(word), 0, 0, LBX_NO_DEADLINE,
				 NULL), -EINVAL);
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(word) + 2, 1, LBX_FUTEX_BITSET_ANY),
		  -EINVAL);
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(word), 1, 0), -EINVAL);
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(word), -1, ga(word + 1), 1,
				    NULL), -EINVAL);
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(word), 1, ga(word + 1), -1,
				    NULL), -EINVAL);
	lbx_futex_table_destroy(ft);
}

TEST(futex_wait_timeout)
{
	struct lbx_futex_table *ft;
	u32 word = 0;
	u64 t0 = lbx_plat_now_mono();

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, ga(&word), 0, LBX_FUTEX_BITSET_ANY,
				 in_ms(30), NULL), -ETIMEDOUT);
	ASSERT_GE(lbx_plat_now_mono() - t0, 30 * MS);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&word)), 0);
	/* A deadline already past. */
	ASSERT_EQ(lbx_futex_wait(ft, &owner_a, ga(&word), 0, LBX_FUTEX_BITSET_ANY,
				 0, NULL), -ETIMEDOUT);
	lbx_futex_table_destroy(ft);
}

TEST(futex_wake_wakes_waiter)
{
	struct lbx_futex_table *ft;
	static u32 word;
	static struct fw w;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	word = 0;
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), 1, LBX_FUTEX_BITSET_ANY), 0);
	fw_start(&w, ft, &word);
	fw_run(&w);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &word, 1));
	word = 1;
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), 1, LBX_FUTEX_BITSET_ANY), 1);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, 0);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&word)), 0);
	lbx_futex_table_destroy(ft);
}

TEST(futex_wake_counts)
{
	struct lbx_futex_table *ft;
	static u32 word;
	static struct fw w[3];
	int i;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	word = 7;
	for (i = 0; i < 3; i++) {
		fw_start(&w[i], ft, &word);
		fw_run(&w[i]);
	}
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &word, 3));
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), 2, LBX_FUTEX_BITSET_ANY), 2);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &word, 1));
	/* Another owner's futex at the same address is another futex. */
	ASSERT_EQ(lbx_futex_wake(ft, &owner_b, ga(&word), ALL, LBX_FUTEX_BITSET_ANY), 0);
	/* As Linux: a count of 0 still wakes one. */
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), 0, LBX_FUTEX_BITSET_ANY), 1);
	for (i = 0; i < 3; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(w[i].ret, 0);
	}
	lbx_futex_table_destroy(ft);
}

TEST(futex_bitset)
{
	struct lbx_futex_table *ft;
	static u32 word;
	static struct fw w;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	word = 0;
	fw_start(&w, ft, &word);
	w.bitset = 0x1;
	fw_run(&w);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &word, 1));
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), ALL, 0x6), 0);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&word)), 1);
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&word), ALL, 0x3), 1);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, 0);
	lbx_futex_table_destroy(ft);
}

TEST(futex_requeue_counts)
{
	struct lbx_futex_table *ft;
	static u32 words[2];
	static struct fw w[4];
	int i;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	words[0] = 1;
	words[1] = 2;
	for (i = 0; i < 4; i++) {
		fw_start(&w[i], ft, &words[0]);
		fw_run(&w[i]);
	}
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[0], 4));
	/* Nothing woken nor moved with both counts 0. */
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(&words[0]), 0, ga(&words[1]),
				    0, NULL), 0);
	/* Wake one, move two, leave one. */
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(&words[0]), 1, ga(&words[1]),
				    2, NULL), 3);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[0], 1));
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&words[1])), 2);
	/* The requeued ones answer to the new address only. */
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&words[1]), ALL,
				 LBX_FUTEX_BITSET_ANY), 2);
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&words[0]), ALL,
				 LBX_FUTEX_BITSET_ANY), 1);
	for (i = 0; i < 4; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(w[i].ret, 0);
	}
	lbx_futex_table_destroy(ft);
}

TEST(futex_cmp_requeue)
{
	struct lbx_futex_table *ft;
	static u32 words[2];
	static struct fw w[2];
	u32 cmp;
	int i;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	words[0] = 3;
	for (i = 0; i < 2; i++) {
		fw_start(&w[i], ft, &words[0]);
		fw_run(&w[i]);
	}
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[0], 2));
	cmp = 4;
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(&words[0]), 1, ga(&words[1]),
				    ALL, &cmp), -EAGAIN);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&words[0])), 2);
	cmp = 3;
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(&words[0]), 0, ga(&words[1]),
				    ALL, &cmp), 2);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&words[1])), 2);
	ASSERT_EQ(lbx_futex_wake(ft, &owner_a, ga(&words[1]), ALL,
				 LBX_FUTEX_BITSET_ANY), 2);
	for (i = 0; i < 2; i++) {
		pthread_join(w[i].th, NULL);
		ASSERT_EQ(w[i].ret, 0);
	}
	lbx_futex_table_destroy(ft);
}

/* A requeued waiter that times out leaves the new bucket cleanly. */
TEST(futex_requeued_waiter_times_out)
{
	struct lbx_futex_table *ft;
	static u32 words[2];
	static struct fw w;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	fw_start(&w, ft, &words[0]);
	w.deadline = in_ms(200);
	fw_run(&w);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[0], 1));
	ASSERT_EQ(lbx_futex_requeue(ft, &owner_a, ga(&words[0]), 0, ga(&words[1]),
				    1, NULL), 1);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, -ETIMEDOUT);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&words[1])), 0);
	lbx_futex_table_destroy(ft);
}

TEST(futex_wait_interrupted)
{
	struct lbx_futex_table *ft;
	static u32 word;
	static struct fw w;
	static struct lbx_thread t;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	memset(&t, 0, sizeof(t));
	fw_start(&w, ft, &word);
	w.self = &t;
	fw_run(&w);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &word, 1));
	lbx_thread_interrupt(&t);
	pthread_join(w.th, NULL);
	ASSERT_EQ(w.ret, -EINTR);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_a, ga(&word)), 0);
	lbx_futex_table_destroy(ft);
}

#define WAKE_OP(op, oparg, cmp, cmparg) \
	(((u32)(op) << 28) | ((u32)(cmp) << 24) | (((u32)(oparg) & 0xfff) << 12) | \
	 ((u32)(cmparg) & 0xfff))

TEST(futex_wake_op)
{
	struct lbx_futex_table *ft;
	static u32 words[2];
	static struct fw w[2];

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	words[0] = 0;
	words[1] = 0;
	fw_start(&w[0], ft, &words[0]);
	fw_run(&w[0]);
	fw_start(&w[1], ft, &words[1]);
	fw_run(&w[1]);
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[0], 1));
	ASSERT_TRUE(wait_waiters(ft, &owner_a, &words[1], 1));
	/* ADD 5 to words[1]; old value 0 > 1 is false: only uaddr1 woken. */
	ASSERT_EQ(lbx_futex_wake_op(ft, &owner_a, ga(&words[0]), 1, ga(&words[1]),
				    1, WAKE_OP(1, 5, 4, 1)), 1);
	ASSERT_EQ(words[1], 5);
	/* SET 1 << 3 (OPARG_SHIFT); old 5 == 5: both (only uaddr2 left). */
	ASSERT_EQ(lbx_futex_wake_op(ft, &owner_a, ga(&words[0]), 1, ga(&words[1]),
				    1, WAKE_OP(8 | 0, 3, 0, 5)), 1);
	ASSERT_EQ(words[1], 8);
	/* An unknown operation. */
	ASSERT_EQ(lbx_futex_wake_op(ft, &owner_a, ga(&words[0]), 1, ga(&words[1]),
				    1, WAKE_OP(6, 0, 0, 0)), -ENOSYS);
	pthread_join(w[0].th, NULL);
	pthread_join(w[1].th, NULL);
	ASSERT_EQ(w[0].ret, 0);
	ASSERT_EQ(w[1].ret, 0);
	lbx_futex_table_destroy(ft);
}

/* A guest-style futex mutex (Drepper's) hammered by 4 threads. */
struct fm_ctx {
	struct lbx_futex_table *ft;
	u32 lock;
	long counter;
	int errors;
};

static void fm_lock(struct fm_ctx *c)
{
	u32 v = 0;

	if (__atomic_compare_exchange_n(&c->lock, &v, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	if (v != 2)
		v = __atomic_exchange_n(&c->lock, 2, __ATOMIC_ACQUIRE);
	while (v) {
		int r = lbx_futex_wait(c->ft, &owner_a, ga(&c->lock), 2,
				       LBX_FUTEX_BITSET_ANY, in_ms(10000), NULL);

		if (r && r != -EAGAIN)
			__atomic_add_fetch(&c->errors, 1, __ATOMIC_SEQ_CST);
		v = __atomic_exchange_n(&c->lock, 2, __ATOMIC_ACQUIRE);
	}
}

static void fm_unlock(struct fm_ctx *c)
{
	if (__atomic_exchange_n(&c->lock, 0, __ATOMIC_RELEASE) == 2)
		lbx_futex_wake(c->ft, &owner_a, ga(&c->lock), 1, LBX_FUTEX_BITSET_ANY);
}

static void *fm_thread(void *arg)
{
	struct fm_ctx *c = arg;
	int i;

	for (i = 0; i < 20000; i++) {
		fm_lock(c);
		c->counter++;
		fm_unlock(c);
	}
	return NULL;
}

TEST(futex_mutex_stress)
{
	static struct fm_ctx c;
	pthread_t th[4];
	int i;

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(lbx_futex_table_create(&c.ft), 0);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, fm_thread, &c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.errors, 0);
	ASSERT_EQ(c.counter, 4 * 20000);
	ASSERT_EQ(lbx_futex_nr_waiters(c.ft, &owner_a, ga(&c.lock)), 0);
	lbx_futex_table_destroy(c.ft);
}

/*
 * Keys apart from addresses (shared memory: object and offset): a waiter
 * keyed (owner_b, 0x1000) whose word is at another address is woken by a
 * wake of that key only; requeue moves waiters to a key of another owner,
 * and wake_op wakes on both keys.
 */
struct fwk {
	struct lbx_futex_table *ft;
	struct lbx_futex_key k;
	u32 *word;
	int ret;
	pthread_t th;
};

static void *fwk_thread(void *arg)
{
	struct fwk *w = arg;

	w->ret = lbx_futex_wait_key(w->ft, &w->k, ga(w->word), *w->word,
				    LBX_FUTEX_BITSET_ANY, in_ms(10000), NULL);
	return NULL;
}

TEST(futex_keys_apart_from_addresses)
{
	struct lbx_futex_key shared = { &owner_b, 0x1000 }, other = { &owner_b, 0x2000 };
	struct lbx_futex_key by_addr;
	struct lbx_futex_table *ft;
	static u32 words[2];
	static struct fwk w[3];
	int i;

	ASSERT_EQ(lbx_futex_table_create(&ft), 0);
	words[0] = 5;
	words[1] = 0;
	by_addr.owner = &owner_a;
	by_addr.addr = ga(&words[0]);
	for (i = 0; i < 3; i++) {
		w[i] = (struct fwk){ .ft = ft, .k = shared, .word = &words[0], .ret = 1 };
		pthread_create(&w[i].th, NULL, fwk_thread, &w[i]);
	}
	for (i = 0; i < 5000 && lbx_futex_nr_waiters(ft, &owner_b, 0x1000) != 3; i++)
		usleep(1000);
	ASSERT_EQ(lbx_futex_nr_waiters(ft, &owner_b, 0x1000), 3);
	/* The word's address under the private owner is another futex. */
	EXPECT_EQ(lbx_futex_wake_key(ft, &by_addr, ALL, LBX_FUTEX_BITSET_ANY), 0);
	EXPECT_EQ(lbx_futex_wake_key(ft, &shared, 1, LBX_FUTEX_BITSET_ANY), 1);
	/* Move one to the other key, and wake it there. */
	EXPECT_EQ(lbx_futex_requeue_key(ft, &shared, ga(&words[0]), 0, &other, 1, NULL), 1);
	EXPECT_EQ(lbx_futex_nr_waiters(ft, &owner_b, 0x2000), 1);
	EXPECT_EQ(lbx_futex_nr_waiters(ft, &owner_b, 0x1000), 1);
	/* wake_op: words[1] 0 -> 1 (SET 1, compare old EQ 0: true): both. */
	EXPECT_EQ(lbx_futex_wake_op_key(ft, &shared, 1, &other, ga(&words[1]), 1,
					(0u << 28) | (0u << 24) | (1u << 12) | 0u), 2);
	EXPECT_EQ(words[1], 1u);
	for (i = 0; i < 3; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(w[i].ret, 0);
	}
	lbx_futex_table_destroy(ft);
}
