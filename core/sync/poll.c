// SPDX-License-Identifier: GPL-2.0
/*
 * poll(2)'s core (and select's, which the shim maps onto it): one waiter
 * for the whole call, registered on every polled file's queues through a
 * poll table whose entries live on the stack (the first few) or in
 * allocated chunks.
 */
#include <litebox/poll.h>
#include <litebox/eventfd.h>
#include <litebox/file.h>
#include <litebox/pipe.h>
#include <litebox/task.h>

u32 lbx_file_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	if (f->fmode & LBX_FMODE_PATH)
		return LX_POLLNVAL;
	return f->ops->poll ? f->ops->poll(f, pt) : LBX_DEFAULT_POLLMASK;
}

#define POLL_INLINE	8
#define POLL_CHUNK	32

struct poll_ref {
	struct lbx_wait_entry e;
	struct lbx_waitqueue *wq;
};

struct poll_chunk {
	struct poll_chunk *next;
	u32 used;
	struct poll_ref refs[POLL_CHUNK];
};

struct poll_wqueues {
	struct lbx_poll_table pt;
	struct lbx_waiter waiter;
	int error;
	u32 inline_used;
	struct poll_ref inline_refs[POLL_INLINE];
	struct poll_chunk *chunks;
};

static struct poll_ref *ref_alloc(struct poll_wqueues *pw)
{
	struct poll_chunk *c = pw->chunks;

	if (pw->inline_used < POLL_INLINE)
		return &pw->inline_refs[pw->inline_used++];
	if (!c || c->used == POLL_CHUNK) {
		c = lbx_plat_alloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = pw->chunks;
		pw->chunks = c;
	}
	return &c->refs[c->used++];
}

static void poll_queue(struct lbx_poll_table *pt, struct lbx_waitqueue *wq)
{
	struct poll_wqueues *pw = lbx_container_of(pt, struct poll_wqueues, pt);
	struct poll_ref *r = ref_alloc(pw);

	if (!r) {
		pw->error = -ENOMEM;
		return;
	}
	r->wq = wq;
	lbx_wait_add(wq, &r->e, &pw->waiter, 0);
	r->e.key = pt->key;	/* a wake before this is merely spurious */
}

static void poll_free(struct poll_wqueues *pw)
{
	struct poll_chunk *c, *next;
	u32 i;

	for (i = 0; i < pw->inline_used; i++)
		lbx_wait_remove(pw->inline_refs[i].wq, &pw->inline_refs[i].e);
	for (c = pw->chunks; c; c = next) {
		next = c->next;
		for (i = 0; i < c->used; i++)
			lbx_wait_remove(c->refs[i].wq, &c->refs[i].e);
		lbx_plat_free(c);
	}
}

int lbx_poll_wait(struct lbx_poll_entry *entries, u32 n, u64 deadline_ns,
		  struct lbx_thread *self)
{
	struct poll_wqueues pw;
	bool timed_out = deadline_ns <= lbx_plat_now_mono();
	bool registering = !timed_out;
	int count, ret;
	u64 until;
	u32 i;

	pw.pt.queue = poll_queue;
	pw.pt.key = 0;
	pw.error = 0;
	pw.inline_used = 0;
	pw.chunks = NULL;
	lbx_waiter_init(&pw.waiter, self, LBX_WQ_INTERRUPTIBLE);
	for (;;) {
		lbx_waiter_prepare(&pw.waiter);
		count = 0;
		pw.pt.deadline = LBX_NO_DEADLINE;
		for (i = 0; i < n; i++) {
			struct lbx_poll_entry *e = &entries[i];
			u32 want = e->events | LX_POLLERR | LX_POLLHUP;

			if (!e->file) {
				count += e->revents != 0;
				continue;
			}
			pw.pt.key = want;
			/* Past registration, a query that still collects
			 * the files' deadlines. */
			pw.pt.queue = registering ? poll_queue : NULL;
			e->revents = lbx_file_poll(e->file, &pw.pt) &
				     (want | LX_POLLNVAL);
			if (e->revents) {
				count++;
				registering = false;	/* no need to sleep */
			}
		}
		registering = false;
		if (count || timed_out) {
			ret = count;
			break;
		}
		if (pw.error) {
			ret = pw.error;
			break;
		}
		until = lbx_min(deadline_ns, pw.pt.deadline);
		ret = lbx_waiter_sleep(&pw.waiter, until);
		if (ret == -EINTR)
			break;
		if (ret == -ETIMEDOUT && until == deadline_ns)
			timed_out = true;	/* one last look */
	}
	poll_free(&pw);
	return ret;
}
