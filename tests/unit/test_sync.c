// SPDX-License-Identifier: GPL-2.0
/* core/sync: mutexes, rwlocks, condvars, wait queues, interruption. */
#include <pthread.h>
#include <unistd.h>

#include <litebox/sync.h>
#include <litebox/task.h>
#include "lbx_test.h"

#define MS	1000000ULL

static u64 in_ms(u64 ms)
{
	return lbx_plat_now_mono() + ms * MS;
}

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Entries linked on wq now. */
static int wq_len(struct lbx_waitqueue *wq)
{
	struct lbx_list_head *pos;
	int n = 0;

	lbx_plat_spin_lock(&wq->lock);
	lbx_list_for_each(pos, &wq->head)
		n++;
	lbx_plat_spin_unlock(&wq->lock);
	return n;
}

/* Waits (up to 5 s) until wq has n entries. */
static bool wait_wq_len(struct lbx_waitqueue *wq, int n)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (wq_len(wq) == n)
			return true;
		msleep(1);
	}
	return false;
}

/* ---- mutex ---- */

struct mtx_ctx {
	struct lbx_mutex m;
	long counter;
	int iters;
};

static void *mtx_thread(void *arg)
{
	struct mtx_ctx *c = arg;
	int i;

	for (i = 0; i < c->iters; i++) {
		lbx_mutex_lock(&c->m);
		c->counter++;
		lbx_mutex_unlock(&c->m);
	}
	return NULL;
}

TEST(sync_mutex_excludes)
{
	static struct mtx_ctx c = { .m = LBX_MUTEX_INIT, .iters = 50000 };
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, mtx_thread, &c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.counter, 4 * 50000);
	ASSERT_FALSE(lbx_mutex_is_locked(&c.m));
}

TEST(sync_mutex_trylock)
{
	struct lbx_mutex m;

	lbx_mutex_init(&m);
	ASSERT_TRUE(lbx_mutex_trylock(&m));
	ASSERT_FALSE(lbx_mutex_trylock(&m));
	lbx_mutex_unlock(&m);
	ASSERT_TRUE(lbx_mutex_trylock(&m));
	lbx_mutex_unlock(&m);
}

/* ---- rwlock ---- */

struct rw_ctx {
	struct lbx_rwlock rw;
	int readers_in;
	int max_readers;
	int writer_in;
	int violations;
	long value;
};

static void *rw_reader(void *arg)
{
	struct rw_ctx *c = arg;
	int i, n;

	for (i = 0; i < 2000; i++) {
		lbx_read_lock(&c->rw);
		n = __atomic_add_fetch(&c->readers_in, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&c->writer_in, __ATOMIC_SEQ_CST))
			__atomic_add_fetch(&c->violations, 1, __ATOMIC_SEQ_CST);
		if (n > __atomic_load_n(&c->max_readers, __ATOMIC_SEQ_CST))
			__atomic_store_n(&c->max_readers, n, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&c->readers_in, 1, __ATOMIC_SEQ_CST);
		lbx_read_unlock(&c->rw);
	}
	return NULL;
}

static void *rw_writer(void *arg)
{
	struct rw_ctx *c = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		lbx_write_lock(&c->rw);
		if (__atomic_add_fetch(&c->writer_in, 1, __ATOMIC_SEQ_CST) != 1 ||
		    __atomic_load_n(&c->readers_in, __ATOMIC_SEQ_CST))
			__atomic_add_fetch(&c->violations, 1, __ATOMIC_SEQ_CST);
		c->value++;
		__atomic_sub_fetch(&c->writer_in, 1, __ATOMIC_SEQ_CST);
		lbx_write_unlock(&c->rw);
	}
	return NULL;
}

TEST(sync_rwlock_readers_share_writers_exclude)
{
	static struct rw_ctx c;
	pthread_t th[4];
	int i;

	memset(&c, 0, sizeof(c));
	lbx_rwlock_init(&c.rw);
	/* Two readers share while no writer waits. */
	lbx_read_lock(&c.rw);
	ASSERT_TRUE(lbx_read_trylock(&c.rw));
	ASSERT_FALSE(lbx_write_trylock(&c.rw));
	lbx_read_unlock(&c.rw);
	lbx_read_unlock(&c.rw);
	ASSERT_TRUE(lbx_write_trylock(&c.rw));
	ASSERT_FALSE(lbx_read_trylock(&c.rw));
	lbx_write_unlock(&c.rw);

	ASSERT_EQ(pthread_create(&th[0], NULL, rw_reader, &c), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, rw_reader, &c), 0);
	ASSERT_EQ(pthread_create(&th[2], NULL, rw_writer, &c), 0);
	ASSERT_EQ(pthread_create(&th[3], NULL, rw_writer, &c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.violations, 0);
	ASSERT_EQ(c.value, 4000);
}

/* ---- condvar ---- */

struct cv_ctx {
	struct lbx_mutex m;
	struct lbx_condvar cv;
	struct lbx_thread *self;
	int ready;
	int ret;
	int done;
};

static void *cv_waiter(void *arg)
{
	struct cv_ctx *c = arg;
	int ret = 0;

	lbx_mutex_lock(&c->m);
	while (!c->ready && !ret)
		ret = lbx_condvar_wait(&c->cv, &c->m, LBX_NO_DEADLINE, c->self,
				       LBX_WQ_INTERRUPTIBLE);
	c->ret = ret;
	c->done++;
	lbx_mutex_unlock(&c->m);
	return NULL;
}

TEST(sync_condvar_signal)
{
	static struct cv_ctx c;
	pthread_t th;

	memset(&c, 0, sizeof(c));
	lbx_condvar_init(&c.cv);
	ASSERT_EQ(pthread_create(&th, NULL, cv_waiter, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.cv.wq, 1));
	lbx_mutex_lock(&c.m);
	c.ready = 1;
	lbx_mutex_unlock(&c.m);
	lbx_condvar_signal(&c.cv);
	pthread_join(th, NULL);
	ASSERT_EQ(c.ret, 0);
	ASSERT_EQ(c.done, 1);
}

TEST(sync_condvar_broadcast_wakes_all)
{
	static struct cv_ctx c;
	pthread_t th[3];
	int i;

	memset(&c, 0, sizeof(c));
	lbx_condvar_init(&c.cv);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, cv_waiter, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.cv.wq, 3));
	lbx_mutex_lock(&c.m);
	c.ready = 1;
	lbx_condvar_broadcast(&c.cv);
	lbx_mutex_unlock(&c.m);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.done, 3);
}

TEST(sync_condvar_deadline)
{
	struct lbx_mutex m = LBX_MUTEX_INIT;
	struct lbx_condvar cv;
	u64 t0 = lbx_plat_now_mono();

	lbx_condvar_init(&cv);
	lbx_mutex_lock(&m);
	ASSERT_EQ(lbx_condvar_wait(&cv, &m, in_ms(30), NULL, 0), -ETIMEDOUT);
	ASSERT_TRUE(lbx_mutex_is_locked(&m));
	lbx_mutex_unlock(&m);
	ASSERT_GE(lbx_plat_now_mono() - t0, 30 * MS);
	ASSERT_EQ(wq_len(&cv.wq), 0);
}

TEST(sync_condvar_interrupted)
{
	static struct cv_ctx c;
	static struct lbx_thread t;
	pthread_t th;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	lbx_condvar_init(&c.cv);
	c.self = &t;
	ASSERT_EQ(pthread_create(&th, NULL, cv_waiter, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.cv.wq, 1));
	msleep(5);
	lbx_thread_interrupt(&t);
	pthread_join(th, NULL);
	ASSERT_EQ(c.ret, -EINTR);
	ASSERT_EQ(t.interrupt, 1);
	ASSERT_EQ(wq_len(&c.cv.wq), 0);
}

/* ---- wait queues ---- */

struct wq_ctx {
	struct lbx_waitqueue wq;
	struct lbx_plat_mutex lock;
	struct lbx_thread *self;
	u64 deadline;
	int tokens;
	int consumed;
	int rets[8];
	int nret;
};

static bool have_token(void *arg)
{
	struct wq_ctx *c = arg;

	return c->tokens > 0;
}

/* Waits for a token under c->lock and takes it. */
static void *wq_consumer(void *arg)
{
	struct wq_ctx *c = arg;
	int ret;

	lbx_plat_mutex_lock(&c->lock);
	ret = lbx_wait_event_locked(&c->wq, have_token, c, &c->lock,
				    c->deadline, c->self, LBX_WQ_INTERRUPTIBLE);
	if (!ret) {
		c->tokens--;
		c->consumed++;
	}
	c->rets[c->nret++] = ret;
	lbx_plat_mutex_unlock(&c->lock);
	return NULL;
}

static void wq_ctx_init(struct wq_ctx *c)
{
	memset(c, 0, sizeof(*c));
	lbx_waitqueue_init(&c->wq);
	lbx_plat_mutex_init(&c->lock);
	c->deadline = LBX_NO_DEADLINE;
}

static void give_tokens(struct wq_ctx *c, int n)
{
	lbx_plat_mutex_lock(&c->lock);
	c->tokens += n;
	lbx_plat_mutex_unlock(&c->lock);
}

static int consumed(struct wq_ctx *c)
{
	int n;

	lbx_plat_mutex_lock(&c->lock);
	n = c->consumed;
	lbx_plat_mutex_unlock(&c->lock);
	return n;
}

TEST(waitqueue_wake_one)
{
	static struct wq_ctx c;
	pthread_t th[2];

	wq_ctx_init(&c);
	ASSERT_EQ(pthread_create(&th[0], NULL, wq_consumer, &c), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, wq_consumer, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.wq, 2));
	give_tokens(&c, 1);
	ASSERT_EQ(lbx_wake_up(&c.wq, 1), 1);
	msleep(50);
	ASSERT_EQ(consumed(&c), 1);
	ASSERT_EQ(wq_len(&c.wq), 1);
	give_tokens(&c, 1);
	ASSERT_EQ(lbx_wake_up(&c.wq, 1), 1);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	ASSERT_EQ(c.consumed, 2);
	ASSERT_EQ(wq_len(&c.wq), 0);
}

TEST(waitqueue_wake_all)
{
	static struct wq_ctx c;
	pthread_t th[3];
	int i;

	wq_ctx_init(&c);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, wq_consumer, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.wq, 3));
	give_tokens(&c, 3);
	lbx_wake_up_all(&c.wq);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.consumed, 3);
	ASSERT_EQ(c.tokens, 0);
}

TEST(waitqueue_deadline)
{
	static struct wq_ctx c;
	u64 t0 = lbx_plat_now_mono();
	int ret;

	wq_ctx_init(&c);
	ret = lbx_wait_event(&c.wq, c.tokens > 0, in_ms(30), NULL, 0);
	ASSERT_EQ(ret, -ETIMEDOUT);
	ASSERT_GE(lbx_plat_now_mono() - t0, 30 * MS);
	ASSERT_EQ(wq_len(&c.wq), 0);
	/* A deadline already past with the condition false. */
	ASSERT_EQ(lbx_wait_event(&c.wq, c.tokens > 0, 0, NULL, 0), -ETIMEDOUT);
	/* A true condition never sleeps, whatever the deadline. */
	c.tokens = 1;
	ASSERT_EQ(lbx_wait_event(&c.wq, c.tokens > 0, 0, NULL, 0), 0);
}

TEST(waitqueue_interrupted)
{
	static struct wq_ctx c;
	static struct lbx_thread t;
	pthread_t th;

	wq_ctx_init(&c);
	memset(&t, 0, sizeof(t));
	c.self = &t;
	ASSERT_EQ(pthread_create(&th, NULL, wq_consumer, &c), 0);
	ASSERT_TRUE(wait_wq_len(&c.wq, 1));
	msleep(5);
	lbx_thread_interrupt(&t);
	pthread_join(th, NULL);
	ASSERT_EQ(c.rets[0], -EINTR);
	ASSERT_EQ(c.consumed, 0);
	ASSERT_EQ(wq_len(&c.wq), 0);

	/* Still pending: the next wait returns at once. */
	ASSERT_EQ(lbx_wait_event(&c.wq, c.tokens > 0, LBX_NO_DEADLINE, &t,
				 LBX_WQ_INTERRUPTIBLE), -EINTR);
	/* Not when the condition holds, nor when the wait is not
	 * interruptible. */
	ASSERT_EQ(lbx_wait_event(&c.wq, 1, LBX_NO_DEADLINE, &t,
				 LBX_WQ_INTERRUPTIBLE), 0);
	ASSERT_EQ(lbx_wait_event(&c.wq, c.tokens > 0, in_ms(5), &t, 0),
		  -ETIMEDOUT);
	lbx_thread_clear_interrupt(&t);
	ASSERT_EQ(lbx_wait_event(&c.wq, c.tokens > 0, in_ms(5), &t,
				 LBX_WQ_INTERRUPTIBLE), -ETIMEDOUT);
}

/* A plain sleeper on &t->interrupt (as nanosleep) is woken too. */
struct plain_ctx {
	struct lbx_thread *t;
	int ret;
};

static void *plain_sleeper(void *arg)
{
	struct plain_ctx *p = arg;

	p->ret = lbx_plat_wait(&p->t->interrupt, 0, in_ms(5000), true);
	return NULL;
}

TEST(waitqueue_interrupt_wakes_plain_sleeper)
{
	static struct lbx_thread t;
	static struct plain_ctx p;
	u64 t0 = lbx_plat_now_mono();
	pthread_t th;

	memset(&t, 0, sizeof(t));
	p.t = &t;
	ASSERT_EQ(pthread_create(&th, NULL, plain_sleeper, &p), 0);
	msleep(20);
	lbx_thread_interrupt(&t);
	pthread_join(th, NULL);
	ASSERT_TRUE(p.ret == 0 || p.ret == -EAGAIN);
	ASSERT_LT(lbx_plat_now_mono() - t0, 2000 * MS);
}

/* A waiter that leaves after a wake-one picked it hands the wake on. */
TEST(waitqueue_abort_passes_wake_on)
{
	struct lbx_waitqueue wq;
	struct lbx_waiter a, b;
	struct lbx_wait_entry ea, eb;

	lbx_waitqueue_init(&wq);
	lbx_waiter_init(&a, NULL, 0);
	lbx_waiter_init(&b, NULL, 0);
	lbx_wait_add(&wq, &ea, &a, LBX_WQ_EXCLUSIVE);
	lbx_wait_add(&wq, &eb, &b, LBX_WQ_EXCLUSIVE);
	lbx_waiter_prepare(&a);
	lbx_waiter_prepare(&b);
	ASSERT_EQ(lbx_wake_up(&wq, 1), 1);
	ASSERT_TRUE(lbx_waiter_woken(&a));
	ASSERT_FALSE(lbx_waiter_woken(&b));
	lbx_wait_abort(&wq, &ea);
	ASSERT_TRUE(lbx_waiter_woken(&b));
	lbx_wait_remove(&wq, &eb);
	ASSERT_EQ(wq_len(&wq), 0);
	ASSERT_EQ(lbx_wake_up(&wq, 1), 0);
}

/* Non-exclusive (poll) entries are always woken and stay linked; keys
 * filter them. */
TEST(waitqueue_nonexclusive_and_keys)
{
	struct lbx_waitqueue wq;
	struct lbx_waiter a, b;
	struct lbx_wait_entry ea, eb;

	lbx_waitqueue_init(&wq);
	lbx_waiter_init(&a, NULL, 0);
	lbx_waiter_init(&b, NULL, 0);
	lbx_wait_add(&wq, &ea, &a, 0);
	lbx_wait_add(&wq, &eb, &b, LBX_WQ_EXCLUSIVE);
	ea.key = 0x1;
	ASSERT_EQ(lbx_wake_up(&wq, 0), 0);
	ASSERT_TRUE(lbx_waiter_woken(&a));
	ASSERT_FALSE(lbx_waiter_woken(&b));
	ASSERT_EQ(wq_len(&wq), 2);
	lbx_waiter_prepare(&a);
	ASSERT_EQ(lbx_wake_up_key(&wq, 1, 0x4), 1);
	ASSERT_FALSE(lbx_waiter_woken(&a));
	ASSERT_TRUE(lbx_waiter_woken(&b));
	ASSERT_EQ(wq_len(&wq), 1);
	lbx_wait_remove(&wq, &ea);
	lbx_wait_remove(&wq, &eb);
	ASSERT_EQ(wq_len(&wq), 0);
}

/* Ping-pong through two queues: a lost wake would hang (and time out). */
#define PINGPONG_ROUNDS 20000

struct pp_ctx {
	struct lbx_waitqueue wq[2];
	u32 turn;		/* whose turn: 0 or 1 */
	int failures;
};

struct pp_arg {
	struct pp_ctx *c;
	u32 me;
};

static void *pp_thread(void *arg)
{
	struct pp_arg *a = arg;
	struct pp_ctx *c = a->c;
	int i;

	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		int ret = lbx_wait_event(&c->wq[a->me],
					 __atomic_load_n(&c->turn, __ATOMIC_SEQ_CST) == a->me,
					 in_ms(10000), NULL, 0);

		if (ret) {
			__atomic_add_fetch(&c->failures, 1, __ATOMIC_SEQ_CST);
			return NULL;
		}
		__atomic_store_n(&c->turn, !a->me, __ATOMIC_SEQ_CST);
		lbx_wake_up(&c->wq[!a->me], 1);
	}
	return NULL;
}

TEST(waitqueue_no_lost_wakeup_pingpong)
{
	static struct pp_ctx c;
	static struct pp_arg a[2];
	pthread_t th[2];
	int i;

	memset(&c, 0, sizeof(c));
	lbx_waitqueue_init(&c.wq[0]);
	lbx_waitqueue_init(&c.wq[1]);
	for (i = 0; i < 2; i++) {
		a[i].c = &c;
		a[i].me = i;
		ASSERT_EQ(pthread_create(&th[i], NULL, pp_thread, &a[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(c.failures, 0);
}

/* Producers and consumers of a counter; every token must be consumed. */
#define STRESS_TOKENS 20000

struct st_ctx {
	struct wq_ctx w;
	int produced;
	int timeouts;
};

static void *st_consumer(void *arg)
{
	struct st_ctx *s = arg;
	struct wq_ctx *c = &s->w;

	for (;;) {
		int ret;

		lbx_plat_mutex_lock(&c->lock);
		ret = lbx_wait_event_locked(&c->wq, have_token, c, &c->lock,
					    in_ms(10000), NULL, 0);
		if (ret) {
			s->timeouts++;
			lbx_plat_mutex_unlock(&c->lock);
			return NULL;
		}
		c->tokens--;
		if (++c->consumed == STRESS_TOKENS) {
			/* Release the others: a poison of one token each. */
			c->tokens += 100;
			lbx_plat_mutex_unlock(&c->lock);
			lbx_wake_up_all(&c->wq);
			return NULL;
		}
		if (c->consumed > STRESS_TOKENS) {
			lbx_plat_mutex_unlock(&c->lock);
			return NULL;
		}
		lbx_plat_mutex_unlock(&c->lock);
	}
}

static void *st_producer(void *arg)
{
	struct st_ctx *s = arg;
	int i;

	for (i = 0; i < STRESS_TOKENS / 2; i++) {
		give_tokens(&s->w, 1);
		lbx_wake_up(&s->w.wq, 1);
	}
	return NULL;
}

TEST(waitqueue_stress_wake_one)
{
	static struct st_ctx s;
	pthread_t th[4];
	int i;

	wq_ctx_init(&s.w);
	s.timeouts = 0;
	ASSERT_EQ(pthread_create(&th[0], NULL, st_consumer, &s), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, st_consumer, &s), 0);
	ASSERT_EQ(pthread_create(&th[2], NULL, st_producer, &s), 0);
	ASSERT_EQ(pthread_create(&th[3], NULL, st_producer, &s), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(s.timeouts, 0);
	ASSERT_GE(s.w.consumed, STRESS_TOKENS);
}
