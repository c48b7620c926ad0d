// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_pipe: core/ipc/pipe.c against pipe(7): end of file once the
 * last write end is closed, EPIPE once the last read end is, EAGAIN where
 * a non-blocking call would wait, PIPE_BUF writes all or nothing,
 * F_SETPIPE_SZ's rounding and EBUSY, and a blocked reader woken by data
 * from another thread.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>

#include <litebox/pipe.h>
#include "lbx_kunit.h"

#define MS	1000000ULL	/* ns */

/* ---- fixture: a pipe in an empty VFS; ends closed as a resource ---- */

struct pipe_fix {
	struct lbx_kunit_fs *fx;
	struct lbx_file *rd, *wr;
};

static int pipe_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void pipe_res_free(struct kunit_resource *res)
{
	struct pipe_fix *p = res->data;

	if (p->rd)
		lbx_file_put(p->rd);
	if (p->wr)
		lbx_file_put(p->wr);
	p->rd = p->wr = NULL;
}

/*
 * The pipe's resource is registered after the VFS fixture's, so it is
 * released first (KUnit frees resources in reverse order): no file of the
 * VFS is left when the VFS goes.
 */
static struct pipe_fix *pipe_init(struct kunit *test, u32 flags)
{
	struct pipe_fix *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->fx = lbx_kunit_fs_init(test, 64ULL << 20);
	KUNIT_ASSERT_EQ(test, lbx_pipe_create(p->fx->vfs, flags, &p->rd, &p->wr), 0);
	if (!kunit_alloc_resource(test, pipe_res_init, pipe_res_free, GFP_KERNEL, p)) {
		lbx_file_put(p->rd);
		lbx_file_put(p->wr);
		KUNIT_ASSERT_FAILURE(test, "kunit_alloc_resource");
	}
	return p;
}

static void close_rd(struct pipe_fix *p)
{
	lbx_file_put(p->rd);
	p->rd = NULL;
}

static void close_wr(struct pipe_fix *p)
{
	lbx_file_put(p->wr);
	p->wr = NULL;
}

/* Closes what is still open; every page of the pipe must come back. */
static void pipe_fini(struct kunit *test, struct pipe_fix *p)
{
	if (p->rd)
		close_rd(p);
	if (p->wr)
		close_wr(p);
	lbx_kunit_fs_fini(test, p->fx);
}

/* Fills the pipe with non-blocking writes: the bytes written, or -errno. */
static long fill(struct kunit *test, struct lbx_file *wr)
{
	const size_t n = 70000;
	u8 *buf = kunit_kzalloc(test, n, GFP_KERNEL);
	u32 fl = lbx_file_get_flags(wr);
	long total = 0, r;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	lbx_file_set_flags(wr, fl | LX_O_NONBLOCK);
	while ((r = lbx_kunit_write(wr, buf, n)) > 0)
		total += r;
	lbx_file_set_flags(wr, fl);
	kunit_kfree(test, buf);
	return r == -EAGAIN ? total : r;
}

/* ---- cases ---- */

/* Data written before the last writer closed is read first, then read
 * returns 0 (end of file), again and again. A dup'ed write end (another
 * reference to the same open file) keeps the pipe open. */
static void read_gives_eof_after_last_writer_closes(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, 0);
	struct lbx_file *wr2 = lbx_file_get(p->wr);
	char buf[8];

	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "ab", 2), 2L);
	close_wr(p);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(wr2, "c", 1), 1L);
	lbx_file_put(wr2);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), 3L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "abc", 3), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), 0L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), 0L);
	/* Non-blocking makes no difference at end of file: 0, not EAGAIN. */
	lbx_file_set_flags(p->rd, lbx_file_get_flags(p->rd) | LX_O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), 0L);
	pipe_fini(test, p);
}

/* With no read end left a write is -EPIPE, whatever was queued; an empty
 * write is still 0 (Linux checks the length first). */
static void write_gives_epipe_after_last_reader_closes(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, 0);

	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "queued", 6), 6L);
	close_rd(p);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "x", 1), (long)-EPIPE);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "", 0), 0L);
	/* Non-blocking: EPIPE too, not EAGAIN. */
	lbx_file_set_flags(p->wr, lbx_file_get_flags(p->wr) | LX_O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "y", 1), (long)-EPIPE);
	pipe_fini(test, p);
}

/* pipe2(O_NONBLOCK): a read of an empty pipe with a writer is -EAGAIN and
 * consumes nothing; data then reads normally. Wrong directions are EBADF. */
static void nonblocking_read_of_empty_pipe_is_eagain(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, LX_O_NONBLOCK);
	char buf[16];

	KUNIT_EXPECT_TRUE(test, lbx_file_get_flags(p->rd) & LX_O_NONBLOCK);
	KUNIT_EXPECT_TRUE(test, lbx_file_get_flags(p->wr) & LX_O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), 0L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "hello", 5), 5L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, 3), 3L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf + 3, sizeof(buf) - 3), 2L);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, sizeof(buf)), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->wr, buf, 1), (long)-EBADF);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->rd, "x", 1), (long)-EBADF);
	/* Only the flags pipe2 knows. */
	{
		struct lbx_file *rd, *wr;

		KUNIT_EXPECT_EQ(test, lbx_pipe_create(p->fx->vfs, LX_O_DIRECT, &rd, &wr),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, lbx_pipe_create(p->fx->vfs, LX_O_APPEND, &rd, &wr),
				-EINVAL);
	}
	pipe_fini(test, p);
}

/* Writes of at most PIPE_BUF bytes are atomic: with less room than that,
 * a non-blocking one is -EAGAIN and writes nothing; a larger write goes in
 * page by page (Linux's pipe_write()), so not at all while less than a page
 * is free. A full pipe holds exactly its capacity. */
static void pipe_buf_write_is_all_or_nothing(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, LX_O_NONBLOCK);
	u8 *buf = kunit_kzalloc(test, 8192, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, lbx_pipe_get_size(p->rd), (long)LBX_PIPE_DEF_SIZE);
	KUNIT_EXPECT_EQ(test, fill(test, p->wr), (long)LBX_PIPE_DEF_SIZE);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, 1), (long)-EAGAIN);
	/* 4000 bytes of room. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, 4000), 4000L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, LBX_PIPE_BUF), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), (long)LBX_PIPE_DEF_SIZE - 4000);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, 3000), 3000L);
	/* Above PIPE_BUF, with 1000 bytes of room: nothing. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, 8192), (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, 1000), 1000L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), (long)LBX_PIPE_DEF_SIZE);
	/* Exactly PIPE_BUF of room: the atomic write goes in whole. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, buf, LBX_PIPE_BUF), (long)LBX_PIPE_BUF);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, buf, LBX_PIPE_BUF), (long)LBX_PIPE_BUF);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), (long)LBX_PIPE_DEF_SIZE);
	pipe_fini(test, p);
}

/* F_SETPIPE_SZ rounds up to a power-of-two number of pages (one at
 * least), refuses to shrink below the data queued (-EBUSY, nothing
 * changed, no data lost), and limits growth (EPERM above the max). */
static void set_size_rounds_up_and_is_ebusy_when_data_does_not_fit(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, 0);
	u8 *data = kunit_kmalloc(test, 10000, GFP_KERNEL);
	u8 *got = kunit_kzalloc(test, 10000, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < 10000; i++)
		data[i] = (u8)(i % 253);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, 0), 4096L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, 1), 4096L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->wr, 5000), 8192L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_get_size(p->rd), 8192L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->wr, 3 * 4096 + 1), 16384L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, LBX_PIPE_MAX_SIZE), (long)LBX_PIPE_MAX_SIZE);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, LBX_PIPE_MAX_SIZE + 1), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, (1ULL << 31) + 1), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, lbx_pipe_get_size(p->rd), (long)LBX_PIPE_MAX_SIZE);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, LBX_PIPE_DEF_SIZE), (long)LBX_PIPE_DEF_SIZE);

	/* Misalign the ring so the data wraps, then queue 10000 bytes. */
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, data, 3000), 3000L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, got, 3000), 3000L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, data, 10000), 10000L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, 4096), (long)-EBUSY);
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, 8192), (long)-EBUSY);
	KUNIT_EXPECT_EQ(test, lbx_pipe_get_size(p->rd), (long)LBX_PIPE_DEF_SIZE);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), 10000L);
	/* Shrinking to what still holds the data keeps it, in order. */
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(p->rd, 10000), 16384L);
	KUNIT_EXPECT_EQ(test, lbx_pipe_nread(p->rd), 10000L);
	KUNIT_EXPECT_EQ(test, lbx_kunit_read(p->rd, got, 10000), 10000L);
	KUNIT_EXPECT_EQ(test, memcmp(got, data, 10000), 0);
	KUNIT_EXPECT_EQ(test, fill(test, p->wr), 16384L);
	/* Not a pipe. */
	KUNIT_EXPECT_EQ(test, lbx_pipe_set_size(NULL, 4096), (long)-EBADF);
	KUNIT_EXPECT_EQ(test, lbx_pipe_get_size(NULL), (long)-EBADF);
	pipe_fini(test, p);
}

/* ---- a blocked reader, in a kthread ---- */

struct reader {
	struct lbx_file *rd;
	char buf[16];
	long ret;
	struct completion started, done;
};

static int reader_fn(void *data)
{
	struct reader *r = data;

	complete(&r->started);
	r->ret = lbx_kunit_read(r->rd, r->buf, sizeof(r->buf));
	complete(&r->done);
	return 0;
}

/* A blocking read of an empty pipe sleeps until a write (from another
 * thread) gives it data, then returns what was written; a second one is
 * ended by the close of the last writer (0). */
static void blocked_reader_is_woken_by_write_and_by_close(struct kunit *test)
{
	struct pipe_fix *p = pipe_init(test, 0);
	struct reader *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t;
	bool early;
	int round;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->rd = p->rd;
	for (round = 0; round < 2; round++) {
		init_completion(&r->started);
		init_completion(&r->done);
		r->ret = 12345;
		t = kthread_run(reader_fn, r, "lbx-kunit-pipe-rd");
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t), "kthread_run: %ld", PTR_ERR(t));
		get_task_struct(t);
		wait_for_completion(&r->started);
		/* Give it time to block; it must not return on its own. */
		msleep(30);
		early = completion_done(&r->done);
		if (round == 0)
			KUNIT_EXPECT_EQ(test, lbx_kunit_write(p->wr, "wake", 4), 4L);
		else
			close_wr(p);
		/* Bounded: a lost wake-up fails the case rather than hanging. */
		if (!wait_for_completion_timeout(&r->done, 10 * HZ)) {
			/* Unblock it for good before reaping it. */
			if (p->wr)
				close_wr(p);
			wait_for_completion(&r->done);
			KUNIT_FAIL(test, "round %d: the reader was not woken", round);
		}
		kthread_stop(t);
		put_task_struct(t);
		KUNIT_EXPECT_FALSE_MSG(test, early, "round %d: returned before the write", round);
		if (round == 0) {
			KUNIT_EXPECT_EQ(test, r->ret, 4L);
			KUNIT_EXPECT_EQ(test, memcmp(r->buf, "wake", 4), 0);
		} else {
			KUNIT_EXPECT_EQ(test, r->ret, 0L);
		}
	}
	pipe_fini(test, p);
}

static struct kunit_case pipe_cases[] = {
	KUNIT_CASE(read_gives_eof_after_last_writer_closes),
	KUNIT_CASE(write_gives_epipe_after_last_reader_closes),
	KUNIT_CASE(nonblocking_read_of_empty_pipe_is_eagain),
	KUNIT_CASE(pipe_buf_write_is_all_or_nothing),
	KUNIT_CASE(set_size_rounds_up_and_is_ebusy_when_data_does_not_fit),
	KUNIT_CASE(blocked_reader_is_woken_by_write_and_by_close),
	{}
};

static struct kunit_suite pipe_suite = {
	.name = "litebox_pipe",
	.test_cases = pipe_cases,
};

kunit_test_suite(pipe_suite);
