// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_platform: the kernel platform (platforms/linux_kernel) under the
 * contract of core/include/litebox/platform.h: the word wait/wake pair with
 * deadlines, fault-safe guest copies, and the allocators.
 *
 * KUnit runs each case in a kthread, which has no user address space. The
 * guest-copy cases borrow the address space of the process that loads this
 * module (insmod, blocked in init_module while the suites run; the suite
 * init runs in its context), map a scratch area there, and enter it with
 * kthread_use_mm(). Without one (suites built into a kernel) they skip.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include <linux/sched/signal.h>

#include "lbx_kunit.h"

#define MS	1000000ULL	/* ns */

/* ---- wait / wake ---- */

/* The deadline is absolute on the monotonic clock: the wait times out, and
 * not before the deadline. */
static void wait_times_out_no_earlier_than_deadline(struct kunit *test)
{
	u32 word = 7;
	u64 start = lbx_plat_now_mono();
	u64 deadline = start + 10 * MS;
	u64 end;

	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 7, deadline, false), -ETIMEDOUT);
	end = lbx_plat_now_mono();
	KUNIT_EXPECT_GE(test, end, deadline);
	/* Generous (TCG, debug kernel), but a lost timer would hang. */
	KUNIT_EXPECT_LT(test, end - start, 2000 * MS);
	/* Interruptible waits time out the same way. */
	deadline = lbx_plat_now_mono() + 5 * MS;
	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 7, deadline, true), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, lbx_plat_now_mono(), deadline);
	KUNIT_EXPECT_EQ(test, word, 7u);
}

/* As FUTEX_WAIT: a word that no longer holds the expected value is EAGAIN
 * at once; a deadline already past is ETIMEDOUT at once. */
static void wait_on_changed_word_or_past_deadline_returns_at_once(struct kunit *test)
{
	u32 word = 1;
	u64 start = lbx_plat_now_mono();

	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 2, LBX_NO_DEADLINE, false), -EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 0, start + 1000 * MS, true), -EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 1, 0, false), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, lbx_plat_wait(&word, 1, start, false), -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, lbx_plat_now_mono() - start, 500 * MS);
}

struct waker {
	u32 *word;
	u32 value;
	unsigned int delay_ms;
	struct completion done;
};

static int waker_fn(void *data)
{
	struct waker *w = data;

	msleep(w->delay_ms);
	WRITE_ONCE(*w->word, w->value);
	lbx_plat_wake(w->word, -1);
	complete(&w->done);
	return 0;
}

struct waiter {
	u32 *word;
	u32 expected;
	int ret;
	struct completion started, done;
};

static int waiter_fn(void *data)
{
	struct waiter *w = data;

	complete(&w->started);
	w->ret = lbx_plat_wait(w->word, w->expected,
			       lbx_plat_now_mono() + 5000 * MS, false);
	complete(&w->done);
	return 0;
}

/* Starts fn(data) in a kthread; returns it with a reference held. */
static struct task_struct *lbx_start_thread(struct kunit *test, int (*fn)(void *),
					void *data, const char *name)
{
	struct task_struct *t = kthread_run(fn, data, "%s", name);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t), "kthread_run: %ld", PTR_ERR(t));
	get_task_struct(t);
	return t;
}

/* After the thread's function signalled completion: reap it. */
static void lbx_reap_thread(struct task_struct *t)
{
	kthread_stop(t);
	put_task_struct(t);
}

static int interruptible_waiter_fn(void *data)
{
	struct waiter *w = data;

	allow_signal(SIGUSR1);
	complete(&w->started);
	w->ret = lbx_plat_wait(w->word, w->expected,
			       lbx_plat_now_mono() + 5000 * MS, true);
	complete(&w->done);
	return 0;
}

/*
 * A signal for the sleeping host thread pulls an interruptible wait out
 * with -EINTR, well before its deadline; an uninterruptible one is not
 * ended by it (the deadline is, with -ETIMEDOUT).
 */
static void interruptible_wait_ends_with_eintr(struct kunit *test)
{
	u32 word = 0;
	struct waiter w = { .word = &word, .expected = 0, .ret = 1 };
	struct task_struct *t;
	u64 start;

	init_completion(&w.started);
	init_completion(&w.done);
	start = lbx_plat_now_mono();
	t = lbx_start_thread(test, interruptible_waiter_fn, &w, "lbx-kunit-intr");
	wait_for_completion(&w.started);
	msleep(20);
	send_sig(SIGUSR1, t, 1);
	wait_for_completion(&w.done);
	lbx_reap_thread(t);
	KUNIT_EXPECT_EQ(test, w.ret, -EINTR);
	KUNIT_EXPECT_LT(test, lbx_plat_now_mono() - start, 4000 * MS);
	KUNIT_EXPECT_EQ(test, word, 0u);
}

/* Another thread changes the word and wakes: the waiter returns 0. */
static void wake_from_another_thread_returns_zero(struct kunit *test)
{
	u32 word = 0;
	struct waker w = { .word = &word, .value = 1, .delay_ms = 20 };
	struct task_struct *t;
	u64 start;
	int ret;

	init_completion(&w.done);
	start = lbx_plat_now_mono();
	t = lbx_start_thread(test, waker_fn, &w, "lbx-kunit-waker");
	ret = lbx_plat_wait(&word, 0, start + 5000 * MS, false);
	wait_for_completion(&w.done);
	lbx_reap_thread(t);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, word, 1u);
	/* Woken, not timed out. */
	KUNIT_EXPECT_LT(test, lbx_plat_now_mono() - start, 4000 * MS);

	/* The same without a deadline. */
	word = 0;
	w.delay_ms = 5;
	reinit_completion(&w.done);
	t = lbx_start_thread(test, waker_fn, &w, "lbx-kunit-waker");
	ret = lbx_plat_wait(&word, 0, LBX_NO_DEADLINE, true);
	wait_for_completion(&w.done);
	lbx_reap_thread(t);
	KUNIT_EXPECT_EQ(test, ret, 0);
}

/* lbx_plat_wake(word, -1) wakes every waiter. */
static void wake_all_wakes_every_waiter(struct kunit *test)
{
	u32 word = 0;
	struct waiter w[2];
	struct task_struct *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		w[i].word = &word;
		w[i].expected = 0;
		w[i].ret = 1;
		init_completion(&w[i].started);
		init_completion(&w[i].done);
		t[i] = lbx_start_thread(test, waiter_fn, &w[i], "lbx-kunit-waiter");
		wait_for_completion(&w[i].started);
	}
	/* Let both reach the sleep (a waiter that arrives late sees the new
	 * word and returns 0 as well: the outcome is the same). */
	msleep(20);
	WRITE_ONCE(word, 1);
	lbx_plat_wake(&word, -1);
	for (i = 0; i < 2; i++) {
		wait_for_completion(&w[i].done);
		lbx_reap_thread(t[i]);
		KUNIT_EXPECT_TRUE_MSG(test, w[i].ret == 0 || w[i].ret == -EAGAIN,
				      "waiter %d returned %d", i, w[i].ret);
	}
}

/* ---- guest memory ---- */

static struct mm_struct *borrowed_mm;	/* insmod's, with an mm_users ref */

static int platform_suite_init(struct kunit_suite *suite)
{
	struct mm_struct *mm = current->mm;

	if (mm && !(current->flags & PF_KTHREAD) && mmget_not_zero(mm))
		borrowed_mm = mm;
	return 0;
}

static void platform_suite_exit(struct kunit_suite *suite)
{
	if (borrowed_mm)
		mmput(borrowed_mm);
	borrowed_mm = NULL;
}

/*
 * Maps two pages in the borrowed address space, the second PROT_NONE, and
 * enters it. Returns the first page's address, or 0 (case skipped). No
 * KUNIT_ASSERT may run between this and leave_user_mm(): a kthread must
 * not exit with a borrowed mm.
 */
static unsigned long enter_user_mm(struct kunit *test)
{
	unsigned long addr;

	if (!borrowed_mm)
		kunit_skip(test, "no user address space (suite not run from insmod)");
	kthread_use_mm(borrowed_mm);
	addr = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr)) {
		kthread_unuse_mm(borrowed_mm);
		KUNIT_FAIL(test, "vm_mmap: %ld", (long)addr);
		return 0;
	}
	/* A hole after the first page (no mprotect is exported). Nothing
	 * else maps into it: insmod is blocked in init_module. */
	vm_munmap(addr + PAGE_SIZE, PAGE_SIZE);
	return addr;
}

static void leave_user_mm(unsigned long addr)
{
	vm_munmap(addr, PAGE_SIZE);
	kthread_unuse_mm(borrowed_mm);
}

/* Bad guest pointers give -EFAULT, never a crash: NULL (nothing mapped at
 * 0 in a kthread or a process) and kernel addresses (access_ok). */
static void guest_copies_of_bad_pointers_are_efault(struct kunit *test)
{
	char kbuf[16] = "kernel data";
	u64 kaddr = (u64)(unsigned long)kbuf;
	char dst[16];

	KUNIT_EXPECT_EQ(test, lbx_copy_from_guest(dst, 0, sizeof(dst)), -EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_copy_to_guest(0, kbuf, sizeof(kbuf)), -EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_strncpy_from_guest(dst, 0, sizeof(dst)), (long)-EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_clear_guest(0, 8), -EFAULT);
	/* A kernel address is not a guest address, even a valid one. */
	KUNIT_EXPECT_EQ(test, lbx_copy_from_guest(dst, kaddr, sizeof(dst)), -EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_strncpy_from_guest(dst, kaddr, sizeof(dst)), (long)-EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_copy_to_guest(kaddr, "overwrite", 10), -EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_clear_guest(kaddr, 8), -EFAULT);
	KUNIT_EXPECT_STREQ(test, kbuf, "kernel data");
	/* Non-canonical and wrapping ranges. */
	KUNIT_EXPECT_EQ(test, lbx_copy_from_guest(dst, 0x8000000000000000ULL, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, lbx_copy_from_guest(dst, ~0ULL - 4, 8), -EFAULT);
	/* A zero-length string buffer can hold no NUL. */
	KUNIT_EXPECT_EQ(test, lbx_strncpy_from_guest(dst, 0, 0), (long)-ENAMETOOLONG);
}

/* Copies round-trip through real guest memory; a range that runs into an
 * unmapped page is -EFAULT as a whole. */
static void guest_copies_round_trip_and_fault_at_the_edge(struct kunit *test)
{
	static const char msg[] = "hello, guest";
	char back[32] = "";
	unsigned long a = enter_user_mm(test);
	int r1, r2, r3, r4, r5;

	if (!a)
		return;
	r1 = lbx_copy_to_guest(a + 100, msg, sizeof(msg));
	r2 = lbx_copy_from_guest(back, a + 100, sizeof(msg));
	/* The last 8 bytes of the mapped page and 8 beyond it. */
	r3 = lbx_copy_to_guest(a + PAGE_SIZE - 8, msg, 16);
	r4 = lbx_copy_from_guest(back + 16, a + PAGE_SIZE - 8, 16);
	r5 = lbx_clear_guest(a + 100, 5);
	leave_user_mm(a);
	KUNIT_EXPECT_EQ(test, r1, 0);
	KUNIT_EXPECT_EQ(test, r2, 0);
	KUNIT_EXPECT_STREQ(test, back, msg);
	KUNIT_EXPECT_EQ(test, r3, -EFAULT);
	KUNIT_EXPECT_EQ(test, r4, -EFAULT);
	KUNIT_EXPECT_EQ(test, r5, 0);
}

/* lbx_guest_cmpxchg_u32: stores only on a match and reports the value
 * found; -EINVAL unaligned, -EFAULT unmapped or a kernel address. */
static void guest_cmpxchg_u32(struct kunit *test)
{
	unsigned long a = enter_user_mm(test);
	u32 v = 5, cur = 0, cur1 = 0, cur2 = 0, back = 0;
	int r0, r1, r2, r3, r4, r5;

	if (!a)
		return;
	r0 = lbx_copy_to_guest(a + 64, &v, sizeof(v));
	r1 = lbx_guest_cmpxchg_u32(a + 64, 5, 7, &cur1);	/* match */
	r2 = lbx_guest_cmpxchg_u32(a + 64, 5, 9, &cur2);	/* no match */
	lbx_copy_from_guest(&back, a + 64, sizeof(back));
	r3 = lbx_guest_cmpxchg_u32(a + 66, 0, 1, &cur);
	r4 = lbx_guest_cmpxchg_u32(a + PAGE_SIZE, 0, 1, &cur);
	r5 = lbx_guest_cmpxchg_u32((u64)(unsigned long)&v, 5, 1, &cur);
	leave_user_mm(a);
	KUNIT_EXPECT_EQ(test, r0, 0);
	KUNIT_EXPECT_EQ(test, r1, 0);
	KUNIT_EXPECT_EQ(test, cur1, 5U);
	KUNIT_EXPECT_EQ(test, r2, 0);
	KUNIT_EXPECT_EQ(test, cur2, 7U);
	KUNIT_EXPECT_EQ(test, back, 7U);
	KUNIT_EXPECT_EQ(test, r3, -EINVAL);
	KUNIT_EXPECT_EQ(test, r4, -EFAULT);
	KUNIT_EXPECT_EQ(test, r5, -EFAULT);
	KUNIT_EXPECT_EQ(test, v, 5U);
}

/* strncpy_from_guest: the length; -ENAMETOOLONG (terminated) when no NUL
 * within n bytes; -EFAULT when the string runs into an unmapped page. */
static void guest_strncpy_lengths_and_limits(struct kunit *test)
{
	char dst[8];
	char got[3][8];
	long r1, r2, r3, r4;
	unsigned long a = enter_user_mm(test);
	int c;

	if (!a)
		return;
	c = lbx_copy_to_guest(a, "abc\0defghijkl", 14);
	r1 = lbx_strncpy_from_guest(got[0], a, sizeof(got[0]));
	r2 = lbx_strncpy_from_guest(got[1], a + 4, sizeof(got[1]));
	r3 = lbx_strncpy_from_guest(got[2], a + 3, sizeof(got[2]));
	/* "xyz" with no NUL before the unmapped page. */
	c |= lbx_copy_to_guest(a + PAGE_SIZE - 3, "xyz", 3);
	r4 = lbx_strncpy_from_guest(dst, a + PAGE_SIZE - 3, sizeof(dst));
	leave_user_mm(a);
	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_EQ(test, r1, 3L);
	KUNIT_EXPECT_STREQ(test, got[0], "abc");
	KUNIT_EXPECT_EQ(test, r2, (long)-ENAMETOOLONG);
	KUNIT_EXPECT_STREQ(test, got[1], "defghij");
	KUNIT_EXPECT_EQ(test, r3, 0L);
	KUNIT_EXPECT_STREQ(test, got[2], "");
	KUNIT_EXPECT_EQ(test, r4, (long)-EFAULT);
}

/* ---- allocators ---- */

static void allocations_are_zeroed(struct kunit *test)
{
	u8 *p = lbx_plat_alloc(200);
	u8 *big = lbx_plat_alloc_large(1 << 20);
	u8 *page = lbx_plat_page_alloc();

	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, big);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (p)
		KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 200));
	if (big)
		KUNIT_EXPECT_NULL(test, memchr_inv(big, 0, 1 << 20));
	if (page) {
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)page, LBX_PAGE_SIZE));
		KUNIT_EXPECT_NULL(test, memchr_inv(page, 0, LBX_PAGE_SIZE));
	}
	lbx_plat_free(p);
	lbx_plat_free_large(big);
	if (page)
		lbx_plat_page_free(page);
	/* Freeing NULL is allowed, as kfree. */
	lbx_plat_free(NULL);
	lbx_plat_free_large(NULL);
}

static struct kunit_case platform_cases[] = {
	KUNIT_CASE(wait_times_out_no_earlier_than_deadline),
	KUNIT_CASE(wait_on_changed_word_or_past_deadline_returns_at_once),
	KUNIT_CASE(wake_from_another_thread_returns_zero),
	KUNIT_CASE(interruptible_wait_ends_with_eintr),
	KUNIT_CASE(wake_all_wakes_every_waiter),
	KUNIT_CASE(guest_copies_of_bad_pointers_are_efault),
	KUNIT_CASE(guest_copies_round_trip_and_fault_at_the_edge),
	KUNIT_CASE(guest_strncpy_lengths_and_limits),
	KUNIT_CASE(guest_cmpxchg_u32),
	KUNIT_CASE(allocations_are_zeroed),
	{}
};

static struct kunit_suite platform_suite = {
	.name = "litebox_platform",
	.suite_init = platform_suite_init,
	.suite_exit = platform_suite_exit,
	.test_cases = platform_cases,
};

kunit_test_suite(platform_suite);
