// SPDX-License-Identifier: GPL-2.0
/* core/ipc/eventfd.c */
#include <pthread.h>
#include <unistd.h>

#include <litebox/eventfd.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include "test_vfs_util.h"

#define MS	1000000ULL

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

static long put64(struct lbx_file *f, u64 v)
{
	return fwrite_(f, &v, sizeof(v));
}

static long get64(struct lbx_file *f, u64 *v)
{
	return fread_(f, v, sizeof(*v));
}

static struct lbx_file *efd(struct fsfix *fx, u64 init, u32 flags)
{
	struct lbx_file *f = NULL;

	if (lbx_eventfd_create(fx->vfs, init, flags, &f))
		return NULL;
	return f;
}

TEST(eventfd_counter)
{
	struct fsfix fx;
	struct lbx_file *f;
	struct lbx_kstat st;
	u64 v = 0;

	fix_init(&fx);
	f = efd(&fx, 5, 0);
	ASSERT_NOT_NULL(f);
	ASSERT_TRUE(lbx_file_is_eventfd(f));
	ASSERT_EQ(lbx_file_get_flags(f) & LX_O_ACCMODE, LX_O_RDWR);
	ASSERT_EQ(put64(f, 3), 8);
	ASSERT_EQ(put64(f, 0), 8);
	ASSERT_EQ(lbx_eventfd_count(f, &v), 0);
	ASSERT_EQ(v, 8);
	ASSERT_EQ(get64(f, &v), 8);
	ASSERT_EQ(v, 8);
	ASSERT_EQ(lbx_eventfd_count(f, &v), 0);
	ASSERT_EQ(v, 0);
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_EQ(st.mode, 0600);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_SET), -ESPIPE);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(eventfd_bad_sizes_and_flags)
{
	struct fsfix fx;
	struct lbx_file *f;
	char buf[16] = { 0 };
	u64 v;

	fix_init(&fx);
	ASSERT_NULL(efd(&fx, 0, 0x10));
	f = efd(&fx, 1, LX_EFD_CLOEXEC);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(fread_(f, buf, 7), -EINVAL);
	ASSERT_EQ(fwrite_(f, buf, 4), -EINVAL);
	ASSERT_EQ(put64(f, ~0ULL), -EINVAL);
	/* Larger buffers move 8 bytes. */
	ASSERT_EQ(fread_(f, buf, 16), 8);
	memcpy(&v, buf, 8);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(lbx_eventfd_count(NULL, &v), -EBADF);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(eventfd_semaphore)
{
	struct fsfix fx;
	struct lbx_file *f;
	u64 v;

	fix_init(&fx);
	f = efd(&fx, 2, LX_EFD_SEMAPHORE | LX_EFD_NONBLOCK);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(get64(f, &v), 8);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(get64(f, &v), 8);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(get64(f, &v), -EAGAIN);
	ASSERT_EQ(put64(f, 3), 8);
	ASSERT_EQ(lbx_eventfd_count(f, &v), 0);
	ASSERT_EQ(v, 3);
	lbx_file_put(f);
	fix_fini(&fx);
}

TEST(eventfd_nonblocking_eagain)
{
	struct fsfix fx;
	struct lbx_file *f;
	u64 v;

	fix_init(&fx);
	f = efd(&fx, 0, LX_EFD_NONBLOCK);
	ASSERT_NOT_NULL(f);
	ASSERT_TRUE(lbx_file_get_flags(f) & LX_O_NONBLOCK);
	ASSERT_EQ(get64(f, &v), -EAGAIN);
	ASSERT_EQ(put64(f, LBX_EVENTFD_MAX), 8);
	ASSERT_EQ(put64(f, 1), -EAGAIN);
	ASSERT_EQ(put64(f, 0), 8);
	ASSERT_EQ(get64(f, &v), 8);
	ASSERT_EQ(v, LBX_EVENTFD_MAX);
	lbx_file_put(f);
	fix_fini(&fx);
}

struct efd_thread {
	pthread_t th;
	struct lbx_file *f;
	struct lbx_thread *self;
	u64 val;
	long ret;
	int done;
};

static void *efd_reader(void *arg)
{
	struct efd_thread *t = arg;

	lbx_plat_set_current(t->self);
	t->ret = get64(t->f, &t->val);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	lbx_plat_set_current(NULL);
	return NULL;
}

static void *efd_writer(void *arg)
{
	struct efd_thread *t = arg;

	lbx_plat_set_current(t->self);
	t->ret = put64(t->f, t->val);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	lbx_plat_set_current(NULL);
	return NULL;
}

TEST(eventfd_read_blocks_until_written)
{
	struct fsfix fx;
	static struct efd_thread t;

	fix_init(&fx);
	memset(&t, 0, sizeof(t));
	t.f = efd(&fx, 0, 0);
	ASSERT_NOT_NULL(t.f);
	pthread_create(&t.th, NULL, efd_reader, &t);
	msleep(30);
	ASSERT_FALSE(__atomic_load_n(&t.done, __ATOMIC_SEQ_CST));
	ASSERT_EQ(put64(t.f, 42), 8);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 8);
	ASSERT_EQ(t.val, 42);
	lbx_file_put(t.f);
	fix_fini(&fx);
}

TEST(eventfd_overflow_blocks_writer)
{
	struct fsfix fx;
	static struct efd_thread t;
	u64 v;

	fix_init(&fx);
	memset(&t, 0, sizeof(t));
	t.f = efd(&fx, 0, 0);
	ASSERT_NOT_NULL(t.f);
	ASSERT_EQ(put64(t.f, LBX_EVENTFD_MAX - 1), 8);
	t.val = 2;	/* would reach 2^64-1 */
	pthread_create(&t.th, NULL, efd_writer, &t);
	msleep(30);
	ASSERT_FALSE(__atomic_load_n(&t.done, __ATOMIC_SEQ_CST));
	ASSERT_EQ(get64(t.f, &v), 8);
	ASSERT_EQ(v, LBX_EVENTFD_MAX - 1);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 8);
	ASSERT_EQ(lbx_eventfd_count(t.f, &v), 0);
	ASSERT_EQ(v, 2);
	lbx_file_put(t.f);
	fix_fini(&fx);
}

TEST(eventfd_read_interrupted)
{
	struct fsfix fx;
	static struct efd_thread t;
	static struct lbx_thread self;

	fix_init(&fx);
	memset(&t, 0, sizeof(t));
	memset(&self, 0, sizeof(self));
	t.f = efd(&fx, 0, 0);
	t.self = &self;
	ASSERT_NOT_NULL(t.f);
	pthread_create(&t.th, NULL, efd_reader, &t);
	msleep(30);
	lbx_thread_interrupt(&self);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, -EINTR);
	lbx_file_put(t.f);
	fix_fini(&fx);
}

TEST(eventfd_poll)
{
	struct fsfix fx;
	struct lbx_file *f;
	u64 v;

	fix_init(&fx);
	f = efd(&fx, 0, 0);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(lbx_file_poll(f, NULL), LX_POLLOUT | LX_POLLWRNORM);
	ASSERT_EQ(put64(f, 1), 8);
	ASSERT_EQ(lbx_file_poll(f, NULL),
		  LX_POLLIN | LX_POLLRDNORM | LX_POLLOUT | LX_POLLWRNORM);
	ASSERT_EQ(put64(f, LBX_EVENTFD_MAX - 1), 8);
	ASSERT_EQ(lbx_file_poll(f, NULL), LX_POLLIN | LX_POLLRDNORM);
	ASSERT_EQ(get64(f, &v), 8);
	/* The in-kernel signal saturates at 2^64-1: an error condition. */
	lbx_eventfd_signal(f, ~0ULL);
	ASSERT_EQ(lbx_file_poll(f, NULL), LX_POLLIN | LX_POLLRDNORM | LX_POLLERR);
	ASSERT_EQ(get64(f, &v), 8);
	ASSERT_EQ(v, ~0ULL);
	lbx_file_put(f);
	fix_fini(&fx);
}

struct efd_poller {
	pthread_t th;
	struct lbx_poll_entry e;
	int ret;
};

static void *efd_poll_fn(void *arg)
{
	struct efd_poller *p = arg;

	p->ret = lbx_poll_wait(&p->e, 1, lbx_plat_now_mono() + 10000 * MS, NULL);
	return NULL;
}

TEST(eventfd_poll_wakes)
{
	struct fsfix fx;
	static struct efd_poller p;

	fix_init(&fx);
	memset(&p, 0, sizeof(p));
	p.e.file = efd(&fx, 0, 0);
	p.e.events = LX_POLLIN;
	ASSERT_NOT_NULL(p.e.file);
	pthread_create(&p.th, NULL, efd_poll_fn, &p);
	msleep(30);
	ASSERT_EQ(put64(p.e.file, 1), 8);
	pthread_join(p.th, NULL);
	ASSERT_EQ(p.ret, 1);
	ASSERT_EQ(p.e.revents, LX_POLLIN);
	lbx_file_put(p.e.file);
	fix_fini(&fx);
}
