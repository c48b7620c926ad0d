// SPDX-License-Identifier: GPL-2.0
/* core/ipc/pipe.c: anonymous pipes, with real threads for the blocking. */
#include <pthread.h>
#include <unistd.h>

#include <litebox/pipe.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include "test_vfs_util.h"

#define MS	1000000ULL

static u64 in_ms(u64 ms)
{
	return lbx_plat_now_mono() + ms * MS;
}

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

struct pfix {
	struct fsfix fx;
	struct lbx_file *rd, *wr;
};

static void pfix_init(struct pfix *p, u32 flags)
{
	fix_init(&p->fx);
	ASSERT_EQ(lbx_pipe_create(p->fx.vfs, flags, &p->rd, &p->wr), 0);
}

/* Closes what is still open, then checks every page came back. */
static void pfix_fini(struct pfix *p)
{
	if (p->rd)
		lbx_file_put(p->rd);
	if (p->wr)
		lbx_file_put(p->wr);
	p->rd = p->wr = NULL;
	fix_fini(&p->fx);
}

static void close_rd(struct pfix *p)
{
	lbx_file_put(p->rd);
	p->rd = NULL;
}

static void close_wr(struct pfix *p)
{
	lbx_file_put(p->wr);
	p->wr = NULL;
}

/* Fills the pipe with non-blocking writes; returns the bytes written. */
static long fill(struct lbx_file *wr)
{
	static char buf[LBX_PAGE_SIZE];
	u32 fl = lbx_file_get_flags(wr);
	long total = 0, r;

	/* Page-sized writes: each needs a page of room (as a Linux pipe
	 * buffer) and fills it. */
	lbx_file_set_flags(wr, fl | LX_O_NONBLOCK);
	while ((r = fwrite_(wr, buf, sizeof(buf))) > 0)
		total += r;
	lbx_file_set_flags(wr, fl);
	return r == -EAGAIN ? total : r;
}

static u32 poll1(struct lbx_file *f, u32 events, u64 deadline)
{
	struct lbx_poll_entry e = { .file = f, .events = events };
	int n = lbx_poll_wait(&e, 1, deadline, NULL);

	return n == 1 ? e.revents : n == 0 ? 0 : 0x80000000u;
}

/* A thread doing one read or write, the result kept for the test. */
struct io_thread {
	pthread_t th;
	struct lbx_file *f;
	struct lbx_thread *self;
	char *buf;
	size_t n;
	long ret;
	int done;
};

static void *reader_fn(void *arg)
{
	struct io_thread *t = arg;

	lbx_plat_set_current(t->self);
	t->ret = fread_(t->f, t->buf, t->n);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	lbx_plat_set_current(NULL);
	return NULL;
}

static void *writer_fn(void *arg)
{
	struct io_thread *t = arg;

	lbx_plat_set_current(t->self);
	t->ret = fwrite_(t->f, t->buf, t->n);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	lbx_plat_set_current(NULL);
	return NULL;
}

static void io_start(struct io_thread *t, void *(*fn)(void *), struct lbx_file *f,
		     char *buf, size_t n)
{
	t->f = f;
	t->buf = buf;
	t->n = n;
	t->done = 0;
	t->ret = 12345;
	pthread_create(&t->th, NULL, fn, t);
}

static bool io_done(struct io_thread *t)
{
	return __atomic_load_n(&t->done, __ATOMIC_SEQ_CST);
}

TEST(pipe_read_write_and_fstat)
{
	struct pfix p;
	struct lbx_kstat st;
	char buf[16];

	pfix_init(&p, 0);
	ASSERT_EQ(fwrite_(p.wr, "hello", 5), 5);
	ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), 5);
	ASSERT_MEMEQ(buf, "hello", 5);
	ASSERT_EQ(lbx_file_stat(p.rd, &st), 0);
	ASSERT_TRUE(LX_S_ISFIFO(st.mode));
	ASSERT_EQ(lbx_file_stat(p.wr, &st), 0);
	ASSERT_TRUE(LX_S_ISFIFO(st.mode));
	/* Wrong directions, seeks, zero-length transfers. */
	ASSERT_EQ(fread_(p.wr, buf, 1), -EBADF);
	ASSERT_EQ(fwrite_(p.rd, "x", 1), -EBADF);
	ASSERT_EQ(lbx_file_llseek(p.rd, 0, LX_SEEK_SET), -ESPIPE);
	ASSERT_EQ(fwrite_(p.wr, "", 0), 0);
	ASSERT_EQ(fread_(p.rd, buf, 0), 0);
	ASSERT_TRUE(lbx_file_is_pipe(p.rd));
	pfix_fini(&p);
}

TEST(pipe_flags)
{
	struct fsfix fx;
	struct lbx_file *rd, *wr;

	fix_init(&fx);
	ASSERT_EQ(lbx_pipe_create(fx.vfs, LX_O_DIRECT, &rd, &wr), -EINVAL);
	ASSERT_EQ(lbx_pipe_create(fx.vfs, LX_O_APPEND, &rd, &wr), -EINVAL);
	ASSERT_EQ(lbx_pipe_create(fx.vfs, LX_O_NONBLOCK | LX_O_CLOEXEC, &rd, &wr), 0);
	ASSERT_TRUE(lbx_file_get_flags(rd) & LX_O_NONBLOCK);
	ASSERT_TRUE(lbx_file_get_flags(wr) & LX_O_NONBLOCK);
	ASSERT_EQ(lbx_file_get_flags(rd) & LX_O_ACCMODE, LX_O_RDONLY);
	ASSERT_EQ(lbx_file_get_flags(wr) & LX_O_ACCMODE, LX_O_WRONLY);
	lbx_file_put(rd);
	lbx_file_put(wr);
	fix_fini(&fx);
}

TEST(pipe_eof_after_last_writer)
{
	struct pfix p;
	struct lbx_file *wr2;
	char buf[8];

	pfix_init(&p, 0);
	wr2 = lbx_file_get(p.wr);	/* a dup: the same open file */
	ASSERT_EQ(fwrite_(p.wr, "ab", 2), 2);
	close_wr(&p);
	ASSERT_EQ(fwrite_(wr2, "c", 1), 1);
	lbx_file_put(wr2);
	/* Data first, then end of file. */
	ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), 3);
	ASSERT_MEMEQ(buf, "abc", 3);
	ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), 0);
	pfix_fini(&p);
}

TEST(pipe_blocking_read_waits_for_data)
{
	struct pfix p;
	static struct io_thread t;
	static char buf[64];

	pfix_init(&p, 0);
	io_start(&t, reader_fn, p.rd, buf, sizeof(buf));
	msleep(30);
	ASSERT_FALSE(io_done(&t));
	ASSERT_EQ(fwrite_(p.wr, "wake", 4), 4);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 4);
	ASSERT_MEMEQ(buf, "wake", 4);
	pfix_fini(&p);
}

TEST(pipe_blocked_reader_gets_eof)
{
	struct pfix p;
	static struct io_thread t;
	static char buf[64];

	pfix_init(&p, 0);
	io_start(&t, reader_fn, p.rd, buf, sizeof(buf));
	msleep(30);
	ASSERT_FALSE(io_done(&t));
	close_wr(&p);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 0);
	pfix_fini(&p);
}

TEST(pipe_epipe_after_last_reader)
{
	struct pfix p;

	pfix_init(&p, 0);
	close_rd(&p);
	ASSERT_EQ(fwrite_(p.wr, "x", 1), -EPIPE);
	ASSERT_EQ(fwrite_(p.wr, "", 0), 0);
	pfix_fini(&p);
}

TEST(pipe_blocked_writer_gets_epipe)
{
	struct pfix p;
	static struct io_thread t;
	static char buf[100];

	pfix_init(&p, 0);
	ASSERT_EQ(fill(p.wr), LBX_PIPE_DEF_SIZE);
	io_start(&t, writer_fn, p.wr, buf, sizeof(buf));
	msleep(30);
	ASSERT_FALSE(io_done(&t));
	close_rd(&p);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, -EPIPE);
	pfix_fini(&p);
}

TEST(pipe_nonblocking_eagain)
{
	struct pfix p;
	static char buf[8192], big[15 * 4096 + 100];

	pfix_init(&p, LX_O_NONBLOCK);
	ASSERT_EQ(fread_(p.rd, buf, 10), -EAGAIN);
	/* Exactly the default capacity fits. */
	ASSERT_EQ(fill(p.wr), 65536);
	ASSERT_EQ(fwrite_(p.wr, buf, 1), -EAGAIN);
	/* 4000 bytes of room: an atomic 4096-byte write does not go in at
	 * all; a larger one goes in page by page (as Linux's pipe_write()),
	 * so not at all either while less than a page is free. */
	ASSERT_EQ(fread_(p.rd, buf, 4000), 4000);
	ASSERT_EQ(fwrite_(p.wr, buf, 4096), -EAGAIN);
	ASSERT_EQ(fwrite_(p.wr, buf, 3000), 3000);
	ASSERT_EQ(fwrite_(p.wr, buf, 8192), -EAGAIN);
	ASSERT_EQ(fwrite_(p.wr, buf, 1000), 1000);
	ASSERT_EQ(lbx_pipe_nread(p.rd), 65536);
	/* A large write's first len % 4096 bytes join the last page when
	 * they fit there; then whole pages while there is room for them:
	 * 10 bytes, then 100 + 15 pages, then not a page more. */
	while (lbx_pipe_nread(p.rd) > 0)
		ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), sizeof(buf));
	ASSERT_EQ(fwrite_(p.wr, buf, 10), 10);
	ASSERT_EQ(fwrite_(p.wr, big, 15 * 4096 + 100), 15 * 4096 + 100);
	ASSERT_EQ(fwrite_(p.wr, buf, 8192), -EAGAIN);
	ASSERT_EQ(lbx_pipe_nread(p.rd), 15 * 4096 + 110);
	pfix_fini(&p);
}

TEST(pipe_fionread_and_sizes)
{
	struct pfix p;
	s32 n = -1;

	pfix_init(&p, 0);
	ASSERT_EQ(lbx_pipe_get_size(p.rd), 65536);
	ASSERT_EQ(lbx_pipe_nread(p.wr), 0);
	ASSERT_EQ(fwrite_(p.wr, "12345", 5), 5);
	ASSERT_EQ(lbx_pipe_nread(p.rd), 5);
	ASSERT_EQ(lbx_file_ioctl(p.rd, LX_FIONREAD, (u64)(uintptr_t)&n), 0);
	ASSERT_EQ(n, 5);
	ASSERT_EQ(lbx_file_ioctl(p.rd, LX_FIONREAD, 16), -EFAULT);
	ASSERT_EQ(lbx_file_ioctl(p.rd, 0x5401, 0), -ENOTTY);
	pfix_fini(&p);
}

/* Partial transfers: a write bigger than the pipe completes as a reader
 * drains it, and the bytes arrive in order. */
struct big_ctx {
	struct lbx_file *wr;
	unsigned char *data;
	size_t n;
	long ret;
};

static void *big_writer(void *arg)
{
	struct big_ctx *c = arg;

	c->ret = fwrite_(c->wr, c->data, c->n);
	return NULL;
}

TEST(pipe_large_write_completes_in_order)
{
	struct pfix p;
	static struct big_ctx c;
	static unsigned char data[300000], got[300000];
	size_t total = 0, i;
	pthread_t th;

	pfix_init(&p, 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	c.wr = p.wr;
	c.data = data;
	c.n = sizeof(data);
	pthread_create(&th, NULL, big_writer, &c);
	while (total < sizeof(got)) {
		long r = fread_(p.rd, got + total, lbx_min(sizeof(got) - total, (size_t)7777));

		ASSERT_GT(r, 0);
		total += r;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(c.ret, sizeof(data));
	ASSERT_MEMEQ(got, data, sizeof(data));
	pfix_fini(&p);
}

/* Concurrent writers of PIPE_BUF-sized (and smaller) records: every record
 * arrives whole. */
#define NWRITERS	4
#define NRECORDS	200

struct rec_ctx {
	struct lbx_file *wr;
	size_t recsize;
	int id;
	long bad;
};

static void *rec_writer(void *arg)
{
	struct rec_ctx *c = arg;
	char *buf = malloc(c->recsize);
	int i;

	memset(buf, 'A' + c->id, c->recsize);
	for (i = 0; i < NRECORDS; i++)
		if (fwrite_(c->wr, buf, c->recsize) != (long)c->recsize)
			c->bad++;
	free(buf);
	return NULL;
}

static void atomic_records(size_t recsize)
{
	struct pfix p;
	static struct rec_ctx c[NWRITERS];
	pthread_t th[NWRITERS];
	size_t total = (size_t)NWRITERS * NRECORDS * recsize, got = 0, i;
	char *all = malloc(total);
	int counts[NWRITERS] = { 0 };

	pfix_init(&p, 0);
	for (i = 0; i < NWRITERS; i++) {
		c[i].wr = p.wr;
		c[i].recsize = recsize;
		c[i].id = i;
		c[i].bad = 0;
		pthread_create(&th[i], NULL, rec_writer, &c[i]);
	}
	while (got < total) {
		long r = fread_(p.rd, all + got, lbx_min(total - got, (size_t)5000));

		if (r <= 0)
			break;
		got += r;
	}
	for (i = 0; i < NWRITERS; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(got, total);
	for (i = 0; i < NWRITERS; i++)
		ASSERT_EQ(c[i].bad, 0);
	for (i = 0; i < total; i += recsize) {
		size_t j;
		char id = all[i];

		ASSERT_TRUE(id >= 'A' && id < 'A' + NWRITERS);
		for (j = 1; j < recsize; j++)
			if (all[i + j] != id)
				break;
		ASSERT_EQ(j, recsize);	/* no interleaving inside a record */
		counts[id - 'A']++;
	}
	for (i = 0; i < NWRITERS; i++)
		ASSERT_EQ(counts[i], NRECORDS);
	free(all);
	pfix_fini(&p);
}

TEST(pipe_buf_writes_are_atomic)
{
	atomic_records(LBX_PIPE_BUF);
}

TEST(pipe_small_writes_are_atomic_across_pages)
{
	atomic_records(3000);
}

TEST(pipe_set_size)
{
	struct pfix p;
	static char buf[20000];

	pfix_init(&p, 0);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 0), 4096);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 1), 4096);
	ASSERT_EQ(lbx_pipe_set_size(p.wr, 5000), 8192);
	ASSERT_EQ(lbx_pipe_get_size(p.rd), 8192);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 65536), 65536);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 1 << 20), 1 << 20);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, (1 << 20) + 1), -EPERM);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, (1ULL << 31) + 1), -EINVAL);
	ASSERT_EQ(lbx_pipe_get_size(p.rd), 1 << 20);
	ASSERT_EQ(fill(p.wr), 1 << 20);
	ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), sizeof(buf));
	ASSERT_EQ(fread_(p.rd, buf, sizeof(buf)), sizeof(buf));
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 0), -EBUSY);
	ASSERT_EQ(lbx_pipe_get_size(p.rd), 1 << 20);
	pfix_fini(&p);
}

TEST(pipe_set_size_keeps_data_or_ebusy)
{
	struct pfix p;
	static char data[10000], got[10000];
	size_t i;

	pfix_init(&p, 0);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 253);
	/* Misalign the ring first so the data wraps. */
	ASSERT_EQ(fwrite_(p.wr, data, 3000), 3000);
	ASSERT_EQ(fread_(p.rd, got, 3000), 3000);
	ASSERT_EQ(fwrite_(p.wr, data, sizeof(data)), sizeof(data));
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 4096), -EBUSY);
	ASSERT_EQ(lbx_pipe_set_size(p.rd, 16384), 16384);
	ASSERT_EQ(lbx_pipe_nread(p.rd), sizeof(data));
	ASSERT_EQ(fread_(p.rd, got, sizeof(got)), sizeof(got));
	ASSERT_MEMEQ(got, data, sizeof(data));
	/* Not a pipe. */
	ASSERT_EQ(lbx_pipe_set_size(NULL, 4096), -EBADF);
	pfix_fini(&p);
}

TEST(pipe_pages_are_charged)
{
	struct pfix p;
	static char buf[8192];
	u64 base;

	pfix_init(&p, 0);
	base = lbx_memacct_used(&p.fx.acct);
	ASSERT_EQ(fwrite_(p.wr, buf, 8192), 8192);
	ASSERT_EQ(lbx_memacct_used(&p.fx.acct), base + 8192);
	ASSERT_EQ(fread_(p.rd, buf, 8192), 8192);
	/* Drained: one page is kept for the next write. */
	ASSERT_EQ(lbx_memacct_used(&p.fx.acct), base + 4096);
	close_rd(&p);
	close_wr(&p);
	ASSERT_EQ(lbx_memacct_used(&p.fx.acct), base);
	pfix_fini(&p);
}

TEST(pipe_guest_faults)
{
	struct pfix p;
	struct lbx_iter it;
	char buf[4];

	pfix_init(&p, 0);
	lbx_iter_init_guest(&it, 16, 4);
	ASSERT_EQ(lbx_file_write(p.wr, &it), -EFAULT);
	ASSERT_EQ(lbx_pipe_nread(p.rd), 0);
	ASSERT_EQ(fwrite_(p.wr, "data", 4), 4);
	lbx_iter_init_guest(&it, 16, 4);
	ASSERT_EQ(lbx_file_read(p.rd, &it), -EFAULT);
	/* Nothing was consumed. */
	ASSERT_EQ(lbx_pipe_nread(p.rd), 4);
	lbx_iter_init_guest(&it, (u64)(uintptr_t)buf, 4);
	ASSERT_EQ(lbx_file_read(p.rd, &it), 4);
	ASSERT_MEMEQ(buf, "data", 4);
	pfix_fini(&p);
}

TEST(pipe_read_interrupted)
{
	struct pfix p;
	static struct io_thread t;
	static struct lbx_thread self;
	static char buf[16];

	pfix_init(&p, 0);
	memset(&self, 0, sizeof(self));
	t.self = &self;
	io_start(&t, reader_fn, p.rd, buf, sizeof(buf));
	msleep(30);
	ASSERT_FALSE(io_done(&t));
	lbx_thread_interrupt(&self);
	pthread_join(t.th, NULL);
	t.self = NULL;
	ASSERT_EQ(t.ret, -EINTR);
	pfix_fini(&p);
}

TEST(pipe_write_interrupted_returns_partial_count)
{
	struct pfix p;
	static struct io_thread t;
	static struct lbx_thread self;
	static char buf[100000];

	pfix_init(&p, 0);
	memset(&self, 0, sizeof(self));
	t.self = &self;
	io_start(&t, writer_fn, p.wr, buf, sizeof(buf));
	msleep(30);
	ASSERT_FALSE(io_done(&t));
	lbx_thread_interrupt(&self);
	pthread_join(t.th, NULL);
	t.self = NULL;
	ASSERT_EQ(t.ret, 65536);
	pfix_fini(&p);
}

TEST(pipe_poll_readiness)
{
	struct pfix p;
	char buf[8];

	pfix_init(&p, 0);
	ASSERT_EQ(poll1(p.rd, LX_POLLIN, 0), 0);
	ASSERT_EQ(poll1(p.wr, LX_POLLOUT, 0), LX_POLLOUT);
	ASSERT_EQ(lbx_file_poll(p.wr, NULL), LX_POLLOUT | LX_POLLWRNORM);
	ASSERT_EQ(fwrite_(p.wr, "x", 1), 1);
	ASSERT_EQ(poll1(p.rd, LX_POLLIN | LX_POLLRDNORM, 0), LX_POLLIN | LX_POLLRDNORM);
	/* Full (the byte and 15 pages, as Linux's 16 buffers): not writable
	 * until there is room for PIPE_BUF bytes. */
	ASSERT_EQ(fill(p.wr), 61440);
	ASSERT_EQ(poll1(p.wr, LX_POLLOUT, 0), 0);
	/* (A read of 8 bytes frees Linux's first buffer, and here as much.) */
	ASSERT_EQ(fread_(p.rd, buf, 8), 8);
	ASSERT_EQ(poll1(p.wr, LX_POLLOUT, 0), LX_POLLOUT);
	pfix_fini(&p);

	pfix_init(&p, 0);
	close_wr(&p);
	/* No writer: hang-up, reported even when not asked for. */
	ASSERT_EQ(poll1(p.rd, LX_POLLIN, 0), LX_POLLHUP);
	pfix_fini(&p);

	pfix_init(&p, 0);
	close_rd(&p);
	ASSERT_EQ(poll1(p.wr, LX_POLLOUT, 0), LX_POLLOUT | LX_POLLERR);
	pfix_fini(&p);
}

struct poll_thread {
	struct lbx_poll_entry e[3];
	u32 n;
	u64 deadline;
	struct lbx_thread *self;
	int ret;
	pthread_t th;
};

static void *poller_fn(void *arg)
{
	struct poll_thread *t = arg;

	t->ret = lbx_poll_wait(t->e, t->n, t->deadline, t->self);
	return NULL;
}

TEST(pipe_poll_sleeps_until_ready)
{
	struct pfix a, b;
	static struct poll_thread t;

	pfix_init(&a, 0);
	pfix_init(&b, 0);
	memset(&t, 0, sizeof(t));
	t.e[0].file = a.rd;
	t.e[0].events = LX_POLLIN;
	t.e[1].file = b.rd;
	t.e[1].events = LX_POLLIN;
	t.e[2].file = NULL;	/* a negative fd: ignored */
	t.n = 3;
	t.deadline = in_ms(10000);
	pthread_create(&t.th, NULL, poller_fn, &t);
	msleep(30);
	ASSERT_EQ(fwrite_(b.wr, "!", 1), 1);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 1);
	ASSERT_EQ(t.e[0].revents, 0);
	ASSERT_EQ(t.e[1].revents, LX_POLLIN);
	ASSERT_EQ(t.e[2].revents, 0);
	pfix_fini(&a);
	pfix_fini(&b);
}

TEST(pipe_poll_wakes_on_hangup_and_times_out)
{
	struct pfix p;
	static struct poll_thread t;
	u64 t0;

	pfix_init(&p, 0);
	memset(&t, 0, sizeof(t));
	t.e[0].file = p.rd;
	t.e[0].events = LX_POLLIN;
	t.n = 1;
	t.deadline = in_ms(10000);
	pthread_create(&t.th, NULL, poller_fn, &t);
	msleep(30);
	close_wr(&p);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, 1);
	ASSERT_EQ(t.e[0].revents, LX_POLLHUP);
	pfix_fini(&p);

	/* Nothing happens: the deadline ends the wait. */
	pfix_init(&p, 0);
	t0 = lbx_plat_now_mono();
	ASSERT_EQ(poll1(p.rd, LX_POLLIN, in_ms(30)), 0);
	ASSERT_GE(lbx_plat_now_mono() - t0, 30 * MS);
	pfix_fini(&p);
}

TEST(pipe_poll_interrupted_and_nval)
{
	struct pfix p;
	static struct poll_thread t;
	static struct lbx_thread self;
	struct lbx_poll_entry e[2];

	pfix_init(&p, 0);
	memset(&t, 0, sizeof(t));
	memset(&self, 0, sizeof(self));
	t.e[0].file = p.rd;
	t.e[0].events = LX_POLLIN;
	t.n = 1;
	t.deadline = LBX_NO_DEADLINE;
	t.self = &self;
	pthread_create(&t.th, NULL, poller_fn, &t);
	msleep(30);
	lbx_thread_interrupt(&self);
	pthread_join(t.th, NULL);
	ASSERT_EQ(t.ret, -EINTR);

	/* A bad fd (file NULL, POLLNVAL preset) counts as ready. */
	memset(e, 0, sizeof(e));
	e[0].file = p.rd;
	e[0].events = LX_POLLIN;
	e[1].revents = LX_POLLNVAL;
	ASSERT_EQ(lbx_poll_wait(e, 2, LBX_NO_DEADLINE, NULL), 1);
	ASSERT_EQ(e[1].revents, LX_POLLNVAL);
	pfix_fini(&p);
}

/* More polled files than the on-stack entries: the rest are allocated. */
TEST(pipe_poll_many)
{
	static struct pfix p[20];
	static struct lbx_poll_entry e[20];
	int i;

	for (i = 0; i < 20; i++) {
		pfix_init(&p[i], 0);
		e[i].file = p[i].rd;
		e[i].events = LX_POLLIN;
		e[i].revents = 0;
	}
	ASSERT_EQ(lbx_poll_wait(e, 20, in_ms(10), NULL), 0);
	ASSERT_EQ(fwrite_(p[17].wr, "z", 1), 1);
	ASSERT_EQ(lbx_poll_wait(e, 20, LBX_NO_DEADLINE, NULL), 1);
	ASSERT_EQ(e[17].revents, LX_POLLIN);
	for (i = 0; i < 20; i++)
		pfix_fini(&p[i]);
}
