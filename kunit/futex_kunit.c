// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_futex: core/sync/futex.c on the kernel platform, against
 * futex(2): FUTEX_WAIT on a word that no longer holds the value is EAGAIN,
 * a deadline ends the wait with ETIMEDOUT (not before it), FUTEX_WAKE from
 * another thread ends it with 0, a bitset wake passes over waiters whose
 * bitset does not intersect, and FUTEX_REQUEUE wakes and moves the counts
 * it is given.
 *
 * The futex word is guest memory, read with lbx_copy_from_guest (that is,
 * copy_from_user). KUnit's cases run in kthreads with no user address
 * space, so, as kunit/platform_kunit.c does, the suite borrows the address
 * space of insmod (blocked in init_module while the suites run) and maps
 * one page of futex words there, plus a hole after it, in suite_init
 * (which runs in insmod's context). Threads that read guest words enter it
 * with kthread_use_mm(); no KUNIT_ASSERT runs while one is entered. Without
 * it (suites built into the kernel) the cases are skipped.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include <litebox/futex.h>
#include "lbx_kunit.h"

#define MS	1000000ULL	/* ns */
#define ALL	0x7fffffff	/* INT_MAX: wake every waiter */

static struct mm_struct *borrowed_mm;	/* insmod's, with an mm_users ref */
static unsigned long words_page;	/* mapped in borrowed_mm; a hole after */

/* Two futex "owners" (address spaces, as the shim passes its process). */
static int owner_a, owner_b;

static int futex_suite_init(struct kunit_suite *suite)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr;

	if (!mm || (current->flags & PF_KTHREAD) || !mmget_not_zero(mm))
		return 0;
	addr = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr)) {
		mmput(mm);
		return 0;
	}
	vm_munmap(addr + PAGE_SIZE, PAGE_SIZE);
	borrowed_mm = mm;
	words_page = addr;
	return 0;
}

static void futex_suite_exit(struct kunit_suite *suite)
{
	if (!borrowed_mm)
		return;
	if (current->mm == borrowed_mm)
		vm_munmap(words_page, PAGE_SIZE);
	mmput(borrowed_mm);
	borrowed_mm = NULL;
	words_page = 0;
}

/* The guest address of futex word i of the page. */
static u64 word(int i)
{
	return (u64)words_page + 4 * i;
}

static u64 in_ms(u64 ms)
{
	return lbx_plat_now_mono() + ms * MS;
}

/* The futex table, destroyed when the test ends. */
static int ft_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void ft_res_free(struct kunit_resource *res)
{
	lbx_futex_table_destroy(res->data);
}

/* A table; skips the case when there is no guest memory to use. */
static struct lbx_futex_table *new_table(struct kunit *test)
{
	struct lbx_futex_table *ft;

	if (!borrowed_mm)
		kunit_skip(test, "no user address space (suite not run from insmod)");
	KUNIT_ASSERT_EQ(test, lbx_futex_table_create(&ft), 0);
	if (!kunit_alloc_resource(test, ft_res_init, ft_res_free, GFP_KERNEL, ft)) {
		lbx_futex_table_destroy(ft);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	return ft;
}

/* ---- waiters in kthreads ---- */

struct fwaiter {
	struct lbx_futex_table *ft;
	void *owner;
	u64 uaddr;
	u32 val;
	u32 bitset;
	u64 deadline;
	int ret;
	struct completion done;
	struct task_struct *task;
};

static int fwaiter_fn(void *data)
{
	struct fwaiter *w = data;

	kthread_use_mm(borrowed_mm);
	w->ret = lbx_futex_wait(w->ft, w->owner, w->uaddr, w->val, w->bitset,
				w->deadline, NULL);
	kthread_unuse_mm(borrowed_mm);
	complete(&w->done);
	return 0;
}

/* Starts a waiter on uaddr expecting 0 (the page's words are 0), with a
 * 10 s deadline so that nothing hangs if a wake is lost. Returns false
 * (the case failed) when no thread could be started; no assertion, as
 * other waiters may be running. */
static bool fwaiter_start(struct kunit *test, struct fwaiter *w,
			  struct lbx_futex_table *ft, u64 uaddr, u32 bitset)
{
	struct task_struct *t;

	w->ft = ft;
	w->owner = &owner_a;
	w->uaddr = uaddr;
	w->val = 0;
	w->bitset = bitset;
	w->deadline = in_ms(10000);
	w->ret = 1;
	init_completion(&w->done);
	t = kthread_run(fwaiter_fn, w, "lbx-kunit-futex");
	if (IS_ERR(t)) {
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
		return false;
	}
	get_task_struct(t);
	w->task = t;
	return true;
}

/* Waits for the waiter's return (its deadline bounds it); reaps it. */
static int fwaiter_join(struct fwaiter *w)
{
	wait_for_completion(&w->done);
	kthread_stop(w->task);
	put_task_struct(w->task);
	w->task = NULL;
	return w->ret;
}

/* Waits up to 5 s until n waiters are queued on (owner_a, uaddr). */
static bool wait_for_waiters(struct lbx_futex_table *ft, u64 uaddr, int n)
{
	u64 end = in_ms(5000);

	while (lbx_futex_nr_waiters(ft, &owner_a, uaddr) != n) {
		if (lbx_plat_now_mono() > end)
			return false;
		usleep_range(500, 1000);
	}
	return true;
}

/* ---- cases ---- */

/* FUTEX_WAIT on a word that does not hold val: -EAGAIN at once, nothing
 * queued. An address in no mapping is -EFAULT, a kernel address too; an
 * unaligned one or an empty bitset -EINVAL. */
static void wait_on_mismatching_value_is_eagain(struct kunit *test)
{
	struct lbx_futex_table *ft = new_table(test);
	char kbuf[8] __aligned(4) = { 0 };
	u32 five = 5;
	int c, r1, r2, r3, r4, r5, r6;
	u64 t0;

	kthread_use_mm(borrowed_mm);
	c = lbx_copy_to_guest(word(0), &five, sizeof(five));
	t0 = lbx_plat_now_mono();
	r1 = lbx_futex_wait(ft, &owner_a, word(0), 6, LBX_FUTEX_BITSET_ANY,
			    LBX_NO_DEADLINE, NULL);
	r2 = lbx_futex_wait(ft, &owner_a, word(0), 0, LBX_FUTEX_BITSET_ANY,
			    in_ms(5000), NULL);
	t0 = lbx_plat_now_mono() - t0;
	/* The page after the words is a hole. */
	r3 = lbx_futex_wait(ft, &owner_a, (u64)words_page + PAGE_SIZE, 0,
			    LBX_FUTEX_BITSET_ANY, LBX_NO_DEADLINE, NULL);
	r4 = lbx_futex_wait(ft, &owner_a, (u64)(unsigned long)kbuf, 0,
			    LBX_FUTEX_BITSET_ANY, LBX_NO_DEADLINE, NULL);
	r5 = lbx_futex_wait(ft, &owner_a, word(0) + 1, 5, LBX_FUTEX_BITSET_ANY,
			    LBX_NO_DEADLINE, NULL);
	r6 = lbx_futex_wait(ft, &owner_a, word(0), 5, 0, LBX_NO_DEADLINE, NULL);
	kthread_unuse_mm(borrowed_mm);

	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_EQ(test, r1, -EAGAIN);
	KUNIT_EXPECT_EQ(test, r2, -EAGAIN);
	KUNIT_EXPECT_LT(test, t0, 1000 * MS);
	KUNIT_EXPECT_EQ(test, r3, -EFAULT);
	KUNIT_EXPECT_EQ(test, r4, -EFAULT);
	KUNIT_EXPECT_EQ(test, r5, -EINVAL);
	KUNIT_EXPECT_EQ(test, r6, -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_futex_nr_waiters(ft, &owner_a, word(0)), 0);
	/* Wake and requeue check their arguments the same way. */
	KUNIT_EXPECT_EQ(test, lbx_futex_wake(ft, &owner_a, word(0) + 2, 1,
					     LBX_FUTEX_BITSET_ANY), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_futex_wake(ft, &owner_a, word(0), 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_futex_requeue(ft, &owner_a, word(0), -1, word(1), 1,
						NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_futex_requeue(ft, &owner_a, word(0), 1, word(1), -1,
						NULL), -EINVAL);
}

/* FUTEX_WAIT with a deadline a few ms ahead and no waker: -ETIMEDOUT,
 * not before the deadline, and the waiter is gone from the queue. A
 * deadline already past is -ETIMEDOUT at once. */
static void wait_times_out_no_earlier_than_deadline(struct kunit *test)
{
	struct lbx_futex_table *ft = new_table(test);
	u64 start, deadline, end, start2, end2;
	int r1, r2;

	kthread_use_mm(borrowed_mm);
	start = lbx_plat_now_mono();
	deadline = start + 20 * MS;
	r1 = lbx_futex_wait(ft, &owner_a, word(2), 0, LBX_FUTEX_BITSET_ANY,
			    deadline, NULL);
	end = lbx_plat_now_mono();
	start2 = end;
	r2 = lbx_futex_wait(ft, &owner_a, word(2), 0, LBX_FUTEX_BITSET_ANY,
			    start, NULL);
	end2 = lbx_plat_now_mono();
	kthread_unuse_mm(borrowed_mm);

	KUNIT_EXPECT_EQ(test, r1, -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, end, deadline);
	/* Generous (TCG, debug kernel), but a lost timer would hang. */
	KUNIT_EXPECT_LT(test, end - start, 2000 * MS);
	KUNIT_EXPECT_EQ(test, r2, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, end2 - start2, 1000 * MS);
	KUNIT_EXPECT_EQ(test, lbx_futex_nr_waiters(ft, &owner_a, word(2)), 0);
}

/* A waiter in another thread is woken by FUTEX_WAKE (which reports one
 * woken) and returns 0, long before its deadline. A wake with nobody
 * waiting, or for another owner's futex at the same address, wakes 0. */
static void wake_from_another_thread_returns_zero(struct kunit *test)
{
	struct lbx_futex_table *ft = new_table(test);
	struct fwaiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	bool queued;
	int woken, other, ret;
	u64 start;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_EQ(test, lbx_futex_wake(ft, &owner_a, word(3), 1,
					     LBX_FUTEX_BITSET_ANY), 0);
	start = lbx_plat_now_mono();
	KUNIT_ASSERT_TRUE(test, fwaiter_start(test, w, ft, word(3), LBX_FUTEX_BITSET_ANY));
	queued = wait_for_waiters(ft, word(3), 1);
	other = lbx_futex_wake(ft, &owner_b, word(3), ALL, LBX_FUTEX_BITSET_ANY);
	woken = lbx_futex_wake(ft, &owner_a, word(3), 1, LBX_FUTEX_BITSET_ANY);
	ret = fwaiter_join(w);
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_EQ(test, other, 0);
	KUNIT_EXPECT_EQ(test, woken, 1);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_LT(test, lbx_plat_now_mono() - start, 8000 * MS);
	KUNIT_EXPECT_EQ(test, lbx_futex_nr_waiters(ft, &owner_a, word(3)), 0);
}

/* FUTEX_WAKE_BITSET passes over a waiter whose bitset does not intersect
 * (it stays queued), and wakes it when one does. */
static void bitset_mismatch_does_not_wake(struct kunit *test)
{
	struct lbx_futex_table *ft = new_table(test);
	struct fwaiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	int miss, still, hit, ret;
	bool queued;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_TRUE(test, fwaiter_start(test, w, ft, word(4), 0x1));
	queued = wait_for_waiters(ft, word(4), 1);
	miss = lbx_futex_wake(ft, &owner_a, word(4), ALL, 0x6);
	msleep(20);
	still = lbx_futex_nr_waiters(ft, &owner_a, word(4));
	hit = lbx_futex_wake(ft, &owner_a, word(4), ALL, 0x3);
	ret = fwaiter_join(w);
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_EQ(test, miss, 0);
	KUNIT_EXPECT_EQ(test, still, 1);
	KUNIT_EXPECT_EQ(test, hit, 1);
	KUNIT_EXPECT_EQ(test, ret, 0);
}

/* FUTEX_REQUEUE: both counts 0 do nothing; (1, 2) over four waiters wakes
 * one, moves two, leaves one, and returns 3; the moved ones answer to the
 * new address only. FUTEX_CMP_REQUEUE with a stale value is -EAGAIN and
 * moves nobody. */
static void requeue_counts(struct kunit *test)
{
	struct lbx_futex_table *ft = new_table(test);
	struct fwaiter *w = kunit_kcalloc(test, 4, sizeof(*w), GFP_KERNEL);
	int queued = 0, none, moved, left, there, stale, old_addr, new_addr;
	int r0, r1, r2, i;
	u32 cmp = 1;

	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < 4; i++) {
		if (!fwaiter_start(test, &w[i], ft, word(5), LBX_FUTEX_BITSET_ANY)) {
			/* Release the ones started before failing the case. */
			lbx_futex_wake(ft, &owner_a, word(5), ALL, LBX_FUTEX_BITSET_ANY);
			while (i--)
				fwaiter_join(&w[i]);
			return;
		}
	}
	queued = wait_for_waiters(ft, word(5), 4);
	none = lbx_futex_requeue(ft, &owner_a, word(5), 0, word(6), 0, NULL);
	moved = lbx_futex_requeue(ft, &owner_a, word(5), 1, word(6), 2, NULL);
	r0 = wait_for_waiters(ft, word(5), 1);
	left = lbx_futex_nr_waiters(ft, &owner_a, word(5));
	there = lbx_futex_nr_waiters(ft, &owner_a, word(6));
	/* The guest word is 0, not 1: CMP_REQUEUE does nothing. It reads the
	 * word, so it needs the address space. */
	kthread_use_mm(borrowed_mm);
	stale = lbx_futex_requeue(ft, &owner_a, word(6), 0, word(5), ALL, &cmp);
	kthread_unuse_mm(borrowed_mm);
	r1 = lbx_futex_nr_waiters(ft, &owner_a, word(6));
	new_addr = lbx_futex_wake(ft, &owner_a, word(6), ALL, LBX_FUTEX_BITSET_ANY);
	old_addr = lbx_futex_wake(ft, &owner_a, word(5), ALL, LBX_FUTEX_BITSET_ANY);
	r2 = 0;
	for (i = 0; i < 4; i++)
		if (fwaiter_join(&w[i]) != 0)
			r2++;
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_EQ(test, none, 0);
	KUNIT_EXPECT_EQ(test, moved, 3);
	KUNIT_EXPECT_TRUE(test, r0);
	KUNIT_EXPECT_EQ(test, left, 1);
	KUNIT_EXPECT_EQ(test, there, 2);
	KUNIT_EXPECT_EQ(test, stale, -EAGAIN);
	KUNIT_EXPECT_EQ(test, r1, 2);
	KUNIT_EXPECT_EQ(test, new_addr, 2);
	KUNIT_EXPECT_EQ(test, old_addr, 1);
	KUNIT_EXPECT_EQ_MSG(test, r2, 0, "waiters that did not return 0");
	KUNIT_EXPECT_EQ(test, lbx_futex_nr_waiters(ft, &owner_a, word(5)), 0);
	KUNIT_EXPECT_EQ(test, lbx_futex_nr_waiters(ft, &owner_a, word(6)), 0);
}

static struct kunit_case futex_cases[] = {
	KUNIT_CASE(wait_on_mismatching_value_is_eagain),
	KUNIT_CASE(wait_times_out_no_earlier_than_deadline),
	KUNIT_CASE(wake_from_another_thread_returns_zero),
	KUNIT_CASE(bitset_mismatch_does_not_wake),
	KUNIT_CASE(requeue_counts),
	{}
};

static struct kunit_suite futex_suite = {
	.name = "litebox_futex",
	.suite_init = futex_suite_init,
	.suite_exit = futex_suite_exit,
	.test_cases = futex_cases,
};

kunit_test_suite(futex_suite);
