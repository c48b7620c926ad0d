// SPDX-License-Identifier: GPL-2.0
/*
 * epoll (see epoll.h).
 *
 * Locks, outermost first:
 *   ep_nest_lock   global; the graph of epolls watching epolls (ELOOP
 *                  checks), taken only for watches whose target is an epoll
 *   ep->mtx        the interest list, each watch's events, polling watches
 *   f->ep_lock     the list of watches on one file
 *   a watched wait queue's lock, then ep->lock (the ready list)
 *
 * Epolls watching epolls (as Linux's fs/eventpoll.c). The graph is kept
 * acyclic and at most LBX_EPOLL_MAX_NESTS watches deep (ep_check_loop()),
 * and its locks are taken in its order, outer epoll first, each with a
 * lockdep subclass of its own: polling an epoll file polls the watches on
 * its ready list, so an outer ep->mtx is held while an inner one is taken
 * (subclass: how many epolls up the poll started); and a wake-up of an
 * inner epoll's poll_wq runs the outer epoll's ep_wake(), which wakes the
 * outer poll_wq under the inner one's lock (subclass: ep->nests, one more
 * than the waking epoll's, as Linux's ep_poll_safewake()). A plain file's
 * queues and an epoll's own wq have lock classes of their own.
 *
 * A watch is referenced twice: by its epoll (while in_ep) and by its file
 * (while on f->ep_links). Whoever unlinks it from a side drops that side's
 * reference. The file side (lbx_epoll_file_release(), at the file's last
 * put) unlinks under f->ep_lock and then takes ep->mtx to take the watch
 * out of the epoll; the epoll side (DEL, the epoll's release) does the
 * reverse under ep->mtx. Since the file side must take every involved
 * ep->mtx before its file is freed, an epoll side that finds its watch
 * in_ep under ep->mtx may still touch the file and its wait queues.
 * Each watch holds a reference on its epoll's inode, which keeps the
 * struct eventpoll alive while a file side still works on it.
 */
#include <litebox/epoll.h>
#include <litebox/file.h>
#include <litebox/memacct.h>
#include <litebox/poll.h>
#include <litebox/sync.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

#define ANONFS_DEV	LBX_MKDEV(0, 13)
#define EP_HASH_BITS	6
#define EP_HASH		(1U << EP_HASH_BITS)
/* Wait queues one watched file may register on (a FIFO opened O_RDWR: 2). */
#define EP_MAX_QUEUES	2
/* The bits of a watch's events that are not readiness. */
#define EP_PRIVATE_BITS	(LX_EPOLLWAKEUP | LX_EPOLLONESHOT | LX_EPOLLET | \
			 LX_EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may be combined with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EP_EXCLUSIVE_OK	(LX_EPOLLIN | LX_EPOLLOUT | LX_EPOLLERR | LX_EPOLLHUP | \
			 LX_EPOLLWAKEUP | LX_EPOLLET | LX_EPOLLEXCLUSIVE)
#define EP_ALWAYS	(LX_EPOLLERR | LX_EPOLLHUP)

_Static_assert(sizeof(struct lbx_epoll_event) == 12, "struct epoll_event ABI");

struct eventpoll;
struct epitem;

struct ep_hook {
	struct lbx_wait_entry e;	/* priv: the watch */
	struct lbx_waitqueue *wq;
};

struct epitem {
	struct lbx_list_head node;	/* in ep->hash[], under ep->mtx */
	struct lbx_list_head nlink;	/* in ep->nested, under ep_nest_lock */
	struct lbx_list_head plink;	/* in EP(file)->parents, likewise */
	struct lbx_list_head rdlink;	/* in ep->rdlist, under ep->lock */
	struct lbx_list_head flink;	/* in file->ep_links, under file->ep_lock */
	struct eventpoll *ep;		/* an inode reference */
	struct lbx_file *file;		/* no reference */
	s32 fd;
	u32 refs;
	bool in_ep;			/* under ep->mtx */
	bool nested;			/* the file is an epoll */
	u32 events;			/* written under ep->mtx, read by wakes */
	u64 data;
	u64 deadline;			/* from the file's poll; under ep->mtx */
	u32 nhooks;
	struct ep_hook hooks[EP_MAX_QUEUES];
};

struct eventpoll {
	struct lbx_super sb;
	struct lbx_inode inode;
	struct lbx_plat_mutex mtx;
	struct lbx_plat_spinlock lock;	/* rdlist */
	struct lbx_list_head rdlist;
	struct lbx_waitqueue wq;	/* epoll_wait sleepers */
	struct lbx_waitqueue poll_wq;	/* pollers of the epoll file */
	struct lbx_memacct *acct;
	u32 nests;			/* under poll_wq.lock: its wake's level + 1 */
	u32 nitems;
	u32 ntimed;			/* watches with a deadline */
	u64 next_deadline;		/* the earliest of them (a hint) */
	/* Under ep_nest_lock: */
	struct lbx_list_head nested;	/* its watches of epolls (nlink) */
	struct lbx_list_head parents;	/* watches of it by epolls (plink) */
	u64 down_gen, up_gen;		/* the ELOOP check that set... */
	u32 down_depth, up_depth;	/* ...these */
	struct lbx_list_head hash[EP_HASH];
};

static struct lbx_mutex ep_nest_lock;	/* zeroed: unlocked */
static u64 ep_loop_gen;			/* under ep_nest_lock */

static const struct lbx_file_ops epoll_fops;

static struct eventpoll *EP(struct lbx_file *f)
{
	return f->priv;
}

bool lbx_file_is_epoll(struct lbx_file *f)
{
	return f && f->ops == &epoll_fops;
}

static struct lbx_list_head *ep_bucket(struct eventpoll *ep,
				       struct lbx_file *f, s32 fd)
{
	u64 h = ((u64)(uintptr_t)f ^ (u32)fd) * 0x9e3779b97f4a7c15ULL;

	return &ep->hash[h >> (64 - EP_HASH_BITS)];
}

static struct epitem *ep_find(struct eventpoll *ep, struct lbx_file *f, s32 fd)
{
	struct lbx_list_head *b = ep_bucket(ep, f, fd), *pos;

	lbx_list_for_each(pos, b) {
		struct epitem *it = lbx_list_entry(pos, struct epitem, node);

		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

static void item_put(struct epitem *it)
{
	struct eventpoll *ep = it->ep;

	if (__atomic_sub_fetch(&it->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (ep->acct)
		lbx_memacct_uncharge(ep->acct, sizeof(*it));
	lbx_plat_free(it);
	lbx_inode_put(&ep->inode);
}

static bool item_armed(u32 events)
{
	return events & ~EP_PRIVATE_BITS;
}

/* Under ep->lock... taken here: queues it on the ready list. */
static void ep_mark_ready(struct eventpoll *ep, struct epitem *it)
{
	lbx_plat_spin_lock(&ep->lock);
	if (lbx_list_empty(&it->rdlink))
		lbx_list_add_tail(&it->rdlink, &ep->rdlist);
	lbx_plat_spin_unlock(&ep->lock);
}

/*
 * Wakes ep's pollers (epolls watching it among them). src: the watch of ep
 * whose file woke it, NULL when no wake-up runs (EPOLL_CTL_ADD or MOD found
 * it ready). The level of this wake in a chain of nested epolls is the
 * lockdep subclass of poll_wq.lock: 0 when nothing is held, 1 under a plain
 * file's queue lock, one more than the waking epoll's when src watches an
 * epoll (whose nests is stable: that epoll holds its poll_wq.lock now).
 * Chains are at most LBX_EPOLL_MAX_NESTS watches long: the level stays
 * below LBX_LOCK_SUBCLASSES.
 */
static void ep_poll_safewake(struct eventpoll *ep, struct epitem *src)
{
	u32 nests = 0;

	if (src)
		nests = src->nested ? EP(src->file)->nests : 1;
	lbx_waitqueue_lock_nested(&ep->poll_wq, nests);
	ep->nests = nests + 1;
	lbx_wake_up_locked_key(&ep->poll_wq, -1, LX_POLLIN | LX_POLLRDNORM);
	ep->nests = 0;
	lbx_waitqueue_unlock(&ep->poll_wq);
}

static void ep_wake_sleepers(struct eventpoll *ep, struct epitem *src)
{
	lbx_wake_up(&ep->wq, -1);
	ep_poll_safewake(ep, src);
}

/* A watched queue's wake-up (under that queue's lock; never sleeps). */
static bool ep_wake(struct lbx_wait_entry *e, u32 key)
{
	struct epitem *it = e->priv;
	u32 events = __atomic_load_n(&it->events, __ATOMIC_RELAXED);

	if (!item_armed(events))
		return false;	/* a fired one-shot: wait for MOD */
	if (key && !(key & events))
		return false;
	ep_mark_ready(it->ep, it);
	ep_wake_sleepers(it->ep, it);
	return true;
}

struct ep_pqueue {
	struct lbx_poll_table pt;
	struct epitem *it;
	int error;
};

static void ep_ptable_queue(struct lbx_poll_table *pt, struct lbx_waitqueue *wq)
{
	struct ep_pqueue *q = lbx_container_of(pt, struct ep_pqueue, pt);
	struct epitem *it = q->it;
	struct ep_hook *h;

	if (it->nhooks == EP_MAX_QUEUES) {
		q->error = -ENOMEM;
		return;
	}
	h = &it->hooks[it->nhooks++];
	h->wq = wq;
	/* Key 0: every wake-up calls ep_wake, which filters by events. */
	lbx_wait_add_fn(wq, &h->e, ep_wake, it, 0, 0);
}

static void ep_unhook(struct epitem *it)
{
	u32 i;

	for (i = 0; i < it->nhooks; i++)
		lbx_wait_remove(it->hooks[i].wq, &it->hooks[i].e);
	it->nhooks = 0;
}

static void ep_set_deadline(struct eventpoll *ep, struct epitem *it, u64 d)
{
	if (it->deadline == LBX_NO_DEADLINE && d != LBX_NO_DEADLINE)
		ep->ntimed++;
	else if (it->deadline != LBX_NO_DEADLINE && d == LBX_NO_DEADLINE)
		ep->ntimed--;
	it->deadline = d;
	if (d < ep->next_deadline)
		LBX_WRITE_ONCE(ep->next_deadline, d);
}

static u32 ep_eventpoll_poll(struct eventpoll *ep, struct lbx_poll_table *pt,
			     u32 depth);

/*
 * Under ep->mtx: what the watch's file reports now, among its events.
 * depth: the lockdep subclass of a watched epoll's mtx (ep's own plus one).
 */
static u32 ep_item_poll(struct eventpoll *ep, struct epitem *it,
			struct lbx_poll_table *pt, u32 depth)
{
	u32 want = it->events & ~EP_PRIVATE_BITS;

	pt->key = want;
	pt->deadline = LBX_NO_DEADLINE;
	if (it->nested)
		want &= ep_eventpoll_poll(EP(it->file), pt, depth);
	else
		want &= lbx_file_poll(it->file, pt);
	ep_set_deadline(ep, it, pt->deadline);
	return want;
}

/*
 * Walking the ready list with ep->mtx held: it moves to a private list
 * (tx) so that ep->lock is not held across the polls; a wake-up meanwhile
 * queues its watch on the (new) ready list again, or leaves it on tx.
 */
static void ep_tx_start(struct eventpoll *ep, struct lbx_list_head *tx)
{
	lbx_list_init(tx);
	lbx_plat_spin_lock(&ep->lock);
	if (!lbx_list_empty(&ep->rdlist)) {
		tx->next = ep->rdlist.next;
		tx->prev = ep->rdlist.prev;
		tx->next->prev = tx;
		tx->prev->next = tx;
		lbx_list_init(&ep->rdlist);
	}
	lbx_plat_spin_unlock(&ep->lock);
}

/* The next watch off tx (off every list: a wake from now on queues it). */
static struct epitem *ep_tx_next(struct eventpoll *ep, struct lbx_list_head *tx)
{
	struct epitem *it = NULL;

	lbx_plat_spin_lock(&ep->lock);
	if (!lbx_list_empty(tx)) {
		it = lbx_list_entry(tx->next, struct epitem, rdlink);
		lbx_list_del(&it->rdlink);
	}
	lbx_plat_spin_unlock(&ep->lock);
	return it;
}

/* What is left on tx goes back to the head of the ready list. */
static void ep_tx_done(struct eventpoll *ep, struct lbx_list_head *tx)
{
	lbx_plat_spin_lock(&ep->lock);
	if (!lbx_list_empty(tx)) {
		tx->prev->next = ep->rdlist.next;
		ep->rdlist.next->prev = tx->prev;
		ep->rdlist.next = tx->next;
		tx->next->prev = &ep->rdlist;
	}
	lbx_plat_spin_unlock(&ep->lock);
}

/*
 * Under ep->mtx: takes it out of the epoll (and off its file unless the
 * file side already did) and drops the references of the sides unlinked.
 * Watches of epolls need ep_nest_lock too.
 */
static void ep_remove(struct eventpoll *ep, struct epitem *it)
{
	struct lbx_file *f = it->file;
	bool on_file = false;

	ep_unhook(it);
	lbx_plat_spin_lock(&ep->lock);
	lbx_list_del(&it->rdlink);
	lbx_plat_spin_unlock(&ep->lock);
	lbx_list_del(&it->node);
	if (it->nested) {
		lbx_list_del(&it->nlink);
		lbx_list_del(&it->plink);
	}
	ep_set_deadline(ep, it, LBX_NO_DEADLINE);
	ep->nitems--;
	it->in_ep = false;
	lbx_plat_spin_lock(&f->ep_lock);
	if (!lbx_list_empty(&it->flink)) {
		lbx_list_del(&it->flink);
		on_file = true;
	}
	lbx_plat_spin_unlock(&f->ep_lock);
	if (on_file)
		item_put(it);
	item_put(it);
}

void lbx_epoll_file_release(struct lbx_file *f)
{
	struct eventpoll *ep;
	struct epitem *it;
	bool nested;

	for (;;) {
		lbx_plat_spin_lock(&f->ep_lock);
		if (lbx_list_empty(&f->ep_links)) {
			lbx_plat_spin_unlock(&f->ep_lock);
			return;
		}
		it = lbx_list_entry(f->ep_links.next, struct epitem, flink);
		lbx_list_del(&it->flink);	/* the file side's reference is ours */
		lbx_plat_spin_unlock(&f->ep_lock);

		ep = it->ep;
		nested = it->nested;
		if (nested)
			lbx_mutex_lock(&ep_nest_lock);
		lbx_plat_mutex_lock(&ep->mtx);
		if (it->in_ep)
			ep_remove(ep, it);
		lbx_plat_mutex_unlock(&ep->mtx);
		if (nested)
			lbx_mutex_unlock(&ep_nest_lock);
		item_put(it);
	}
}

/* Deeper than any chain may be: a cycle, or too many levels. */
#define EP_TOO_DEEP	(LBX_EPOLL_MAX_NESTS + 1)

/*
 * Under ep_nest_lock: the longest chain of watches of epolls from ep down
 * (0: it watches none), or EP_TOO_DEEP when one reaches into (a cycle) or
 * passes LBX_EPOLL_MAX_NESTS. depth: ep's own distance from the top; it
 * bounds the recursion. Each epoll is looked at once per check (its result
 * is kept, tagged with the check's generation), so a graph of many watches
 * of the same epolls costs its size, not its number of paths.
 */
static u32 ep_depth_below(struct eventpoll *ep, struct eventpoll *into,
			  u32 depth)
{
	struct lbx_list_head *pos;
	u32 max = 0, d;

	if (ep->down_gen == ep_loop_gen)
		return ep->down_depth;
	lbx_list_for_each(pos, &ep->nested) {
		struct eventpoll *child =
			EP(lbx_list_entry(pos, struct epitem, nlink)->file);

		if (child == into || depth >= LBX_EPOLL_MAX_NESTS)
			d = EP_TOO_DEEP;
		else
			d = lbx_min(ep_depth_below(child, into, depth + 1) + 1,
				    (u32)EP_TOO_DEEP);
		max = lbx_max(max, d);
		if (max == EP_TOO_DEEP)
			break;
	}
	ep->down_gen = ep_loop_gen;
	ep->down_depth = max;
	return max;
}

/* Under ep_nest_lock: the longest chain of epolls watching ep (capped). */
static u32 ep_depth_above(struct eventpoll *ep, u32 depth)
{
	struct lbx_list_head *pos;
	u32 max = 0, d;

	if (ep->up_gen == ep_loop_gen)
		return ep->up_depth;
	lbx_list_for_each(pos, &ep->parents) {
		struct eventpoll *parent =
			lbx_list_entry(pos, struct epitem, plink)->ep;

		if (depth >= LBX_EPOLL_MAX_NESTS)
			d = EP_TOO_DEEP;
		else
			d = lbx_min(ep_depth_above(parent, depth + 1) + 1,
				    (u32)EP_TOO_DEEP);
		max = lbx_max(max, d);
		if (max == EP_TOO_DEEP)
			break;
	}
	ep->up_gen = ep_loop_gen;
	ep->up_depth = max;
	return max;
}

/*
 * Under ep_nest_lock: -ELOOP when ep watching target would close a cycle or
 * make a chain of more than LBX_EPOLL_MAX_NESTS watches (more than
 * LBX_EPOLL_MAX_NESTS + 1 epolls), counting the epolls below target and
 * those above ep: Linux's ep_loop_check() since "eventpoll: Fix
 * semi-unbounded recursion" (2025; Debian's 6.1.0-56 has it).
 */
static int ep_check_loop(struct eventpoll *ep, struct eventpoll *target)
{
	u32 below, above;

	ep_loop_gen++;
	below = ep_depth_below(target, ep, 0);
	if (below >= EP_TOO_DEEP)
		return -ELOOP;
	above = ep_depth_above(ep, 0);
	return below + 1 + above > LBX_EPOLL_MAX_NESTS ? -ELOOP : 0;
}

static int ep_insert(struct eventpoll *ep, struct lbx_file *tf, s32 fd,
		     u32 events, u64 data, bool nested)
{
	struct ep_pqueue q;
	struct epitem *it;
	u32 mask;

	if (ep->nitems >= LBX_EPOLL_MAX_WATCHES)
		return -ENOSPC;
	if (ep->acct && lbx_memacct_charge(ep->acct, sizeof(*it)))
		return -ENOSPC;
	it = lbx_plat_alloc(sizeof(*it));
	if (!it) {
		if (ep->acct)
			lbx_memacct_uncharge(ep->acct, sizeof(*it));
		return -ENOMEM;
	}
	lbx_list_init(&it->nlink);
	lbx_list_init(&it->plink);
	lbx_list_init(&it->rdlink);
	it->ep = ep;
	lbx_inode_get(&ep->inode);
	it->file = tf;
	it->fd = fd;
	it->refs = 2;
	it->in_ep = true;
	it->nested = nested;
	it->events = events | EP_ALWAYS;
	it->data = data;
	it->deadline = LBX_NO_DEADLINE;
	lbx_list_add_tail(&it->node, ep_bucket(ep, tf, fd));
	if (nested) {
		lbx_list_add_tail(&it->nlink, &ep->nested);
		lbx_list_add_tail(&it->plink, &EP(tf)->parents);
	}
	ep->nitems++;
	lbx_plat_spin_lock(&tf->ep_lock);
	lbx_list_add_tail(&it->flink, &tf->ep_links);
	lbx_plat_spin_unlock(&tf->ep_lock);

	q.pt.queue = ep_ptable_queue;
	q.it = it;
	q.error = 0;
	mask = ep_item_poll(ep, it, &q.pt, 1);
	if (q.error) {
		int err = q.error;

		ep_remove(ep, it);
		return err;
	}
	if (mask) {
		ep_mark_ready(ep, it);
		ep_wake_sleepers(ep, NULL);
	}
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *it, u32 events,
		     u64 data)
{
	struct lbx_poll_table pt = { .queue = NULL };

	__atomic_store_n(&it->events, events | EP_ALWAYS, __ATOMIC_RELAXED);
	it->data = data;
	if (ep_item_poll(ep, it, &pt, 1)) {
		ep_mark_ready(ep, it);
		ep_wake_sleepers(ep, NULL);
	}
	return 0;
}

int lbx_epoll_ctl(struct lbx_file *f, int op, int fd, struct lbx_file *tf,
		  const struct lbx_epoll_event *ev)
{
	u32 events = ev ? ev->events : 0;
	u64 data = ev ? ev->data : 0;
	struct eventpoll *ep;
	struct epitem *it;
	bool nested;
	int ret;

	/* In Linux's order. */
	if ((f->fmode | tf->fmode) & LBX_FMODE_PATH)
		return -EBADF;
	/* Files with no poll operation (regular files, directories): as
	 * Linux. The console counts as pollable (always ready). */
	if (!tf->ops->poll && !(tf->fmode & LBX_FMODE_CONSOLE))
		return -EPERM;
	if (!lbx_file_is_epoll(f) || f == tf)
		return -EINVAL;
	nested = lbx_file_is_epoll(tf);
	switch (op) {
	case LX_EPOLL_CTL_ADD:
	case LX_EPOLL_CTL_MOD:
		if (!ev)
			return -EFAULT;
		if (events & LX_EPOLLEXCLUSIVE) {
			if (op == LX_EPOLL_CTL_MOD || nested ||
			    (events & ~EP_EXCLUSIVE_OK))
				return -EINVAL;
		}
		break;
	case LX_EPOLL_CTL_DEL:
		break;
	default:
		return -EINVAL;
	}

	ep = EP(f);
	if (nested)
		lbx_mutex_lock(&ep_nest_lock);
	lbx_plat_mutex_lock(&ep->mtx);
	it = ep_find(ep, tf, fd);
	switch (op) {
	case LX_EPOLL_CTL_ADD:
		if (it) {
			ret = -EEXIST;
			break;
		}
		ret = nested ? ep_check_loop(ep, EP(tf)) : 0;
		if (!ret)
			ret = ep_insert(ep, tf, fd, events, data, nested);
		break;
	case LX_EPOLL_CTL_MOD:
		if (!it)
			ret = -ENOENT;
		else if (it->events & LX_EPOLLEXCLUSIVE)
			ret = -EINVAL;
		else
			ret = ep_modify(ep, it, events, data);
		break;
	default:
		ret = -ENOENT;
		if (it) {
			ep_remove(ep, it);
			ret = 0;
		}
		break;
	}
	lbx_plat_mutex_unlock(&ep->mtx);
	if (nested)
		lbx_mutex_unlock(&ep_nest_lock);
	return ret;
}

/*
 * Under ep->mtx. With expire, watches whose deadline passed go on the
 * ready list (their next poll sets a new one); then ep->next_deadline is
 * recomputed.
 */
static void ep_scan_timed(struct eventpoll *ep, bool expire)
{
	u64 now, next = LBX_NO_DEADLINE;
	struct lbx_list_head *pos;
	u32 b;

	if (!ep->ntimed) {
		LBX_WRITE_ONCE(ep->next_deadline, LBX_NO_DEADLINE);
		return;
	}
	now = lbx_plat_now_mono();
	for (b = 0; b < EP_HASH; b++) {
		lbx_list_for_each(pos, &ep->hash[b]) {
			struct epitem *it = lbx_list_entry(pos, struct epitem, node);

			if (it->deadline == LBX_NO_DEADLINE)
				continue;
			if (expire && it->deadline <= now) {
				ep_set_deadline(ep, it, LBX_NO_DEADLINE);
				if (item_armed(it->events))
					ep_mark_ready(ep, it);
				continue;
			}
			next = lbx_min(next, it->deadline);
		}
	}
	LBX_WRITE_ONCE(ep->next_deadline, next);
}

/* Under ep->mtx: re-polls the ready list into out[]. */
static u32 ep_send_events(struct eventpoll *ep, struct lbx_epoll_event *out,
			  u32 max)
{
	struct lbx_poll_table pt = { .queue = NULL };
	struct lbx_list_head tx;
	struct epitem *it;
	u32 n = 0, mask;

	ep_tx_start(ep, &tx);
	while (n < max && (it = ep_tx_next(ep, &tx))) {
		if (!item_armed(it->events))
			continue;
		mask = ep_item_poll(ep, it, &pt, 1);
		if (!mask)
			continue;
		out[n].events = mask;
		out[n].data = it->data;
		n++;
		if (it->events & LX_EPOLLONESHOT)
			__atomic_store_n(&it->events, it->events & EP_PRIVATE_BITS,
					 __ATOMIC_RELAXED);
		else if (!(it->events & LX_EPOLLET))
			ep_mark_ready(ep, it);	/* level-triggered: look again next time */
	}

	ep_tx_done(ep, &tx);	/* what did not fit */
	return n;
}

int lbx_epoll_wait(struct lbx_file *f, struct lbx_epoll_event *events,
		   u32 max, u64 deadline_ns, struct lbx_thread *self)
{
	bool timed_out = deadline_ns <= lbx_plat_now_mono();
	struct lbx_wait_entry e;
	struct lbx_waiter w;
	struct eventpoll *ep;
	int ret;
	u64 until;
	u32 n;

	if (!lbx_file_is_epoll(f) || !max || max > LBX_EPOLL_MAX_EVENTS)
		return -EINVAL;
	ep = EP(f);
	lbx_waiter_init(&w, self, LBX_WQ_INTERRUPTIBLE);
	lbx_wait_add(&ep->wq, &e, &w, 0);
	for (;;) {
		lbx_waiter_prepare(&w);
		lbx_plat_mutex_lock(&ep->mtx);
		ep_scan_timed(ep, true);
		n = ep_send_events(ep, events, max);
		ep_scan_timed(ep, false);
		until = lbx_min(deadline_ns, ep->next_deadline);
		lbx_plat_mutex_unlock(&ep->mtx);
		if (n || timed_out) {
			ret = (int)n;
			break;
		}
		ret = lbx_waiter_sleep(&w, until);
		if (ret == -EINTR)
			break;
		if (ret == -ETIMEDOUT && until == deadline_ns)
			timed_out = true;	/* one last look */
	}
	lbx_wait_remove(&ep->wq, &e);
	return ret;
}

int lbx_epoll_nr_watches(struct lbx_file *f)
{
	struct eventpoll *ep;
	int n;

	if (!lbx_file_is_epoll(f))
		return -EBADF;
	ep = EP(f);
	lbx_plat_mutex_lock(&ep->mtx);
	n = (int)ep->nitems;
	lbx_plat_mutex_unlock(&ep->mtx);
	return n;
}

/*
 * The epoll file's own readiness, for poll(2) and for epolls watching it
 * (Linux's __ep_eventpoll_poll()): readable when a watch on the ready list
 * (or one whose deadline passed) reports an event now. Watches that do not
 * (a level-triggered one whose file was drained) leave the ready list, as
 * in Linux. depth: the lockdep subclass of ep->mtx, 0 unless an outer
 * epoll polls it (under its own mtx, one level up).
 */
static u32 ep_eventpoll_poll(struct eventpoll *ep, struct lbx_poll_table *pt,
			     u32 depth)
{
	struct lbx_poll_table ipt = { .queue = NULL };
	struct lbx_list_head tx;
	struct epitem *it;
	u32 ready = 0;
	u64 next;

	lbx_poll_add(pt, &ep->poll_wq);
	lbx_plat_mutex_lock_nested(&ep->mtx, depth);
	ep_scan_timed(ep, true);
	ep_tx_start(ep, &tx);
	while ((it = ep_tx_next(ep, &tx))) {
		if (!item_armed(it->events) ||
		    !ep_item_poll(ep, it, &ipt, depth + 1))
			continue;
		/* Back where it was, unless a wake-up queued it again. */
		lbx_plat_spin_lock(&ep->lock);
		if (lbx_list_empty(&it->rdlink))
			lbx_list_add(&it->rdlink, &tx);
		lbx_plat_spin_unlock(&ep->lock);
		ready = LX_POLLIN | LX_POLLRDNORM;
		break;
	}
	ep_tx_done(ep, &tx);
	ep_scan_timed(ep, false);
	next = ep->next_deadline;
	lbx_plat_mutex_unlock(&ep->mtx);
	if (!ready && next != LBX_NO_DEADLINE)
		lbx_poll_deadline(pt, next);
	return ready;
}

static u32 epoll_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	return ep_eventpoll_poll(EP(f), pt, 0);
}

static void epoll_release(struct lbx_file *f)
{
	struct eventpoll *ep = EP(f);
	bool nested = !lbx_list_empty(&ep->nested);	/* only shrinks now */
	u32 b;

	if (nested)
		lbx_mutex_lock(&ep_nest_lock);
	lbx_plat_mutex_lock(&ep->mtx);
	for (b = 0; b < EP_HASH; b++)
		while (!lbx_list_empty(&ep->hash[b]))
			ep_remove(ep, lbx_list_entry(ep->hash[b].next,
						     struct epitem, node));
	lbx_plat_mutex_unlock(&ep->mtx);
	if (nested)
		lbx_mutex_unlock(&ep_nest_lock);
	/* The file's inode reference, dropped by lbx_file_put(), frees ep
	 * once no file side holds a watch of it any more. */
}

static const struct lbx_file_ops epoll_fops = {
	.poll = epoll_poll,
	.release = epoll_release,
};

static void epoll_free_inode(struct lbx_inode *i)
{
	lbx_plat_free(lbx_container_of(i, struct eventpoll, inode));
}

static void epoll_sb_destroy(struct lbx_super *sb)
{
}

static const struct lbx_super_ops epoll_sb_ops = {
	.free_inode = epoll_free_inode,
	.destroy = epoll_sb_destroy,
};

int lbx_epoll_create(struct lbx_vfs *vfs, struct lbx_file **out)
{
	struct eventpoll *ep;
	int ret;
	u32 b;

	ep = lbx_plat_alloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->sb.ops = &epoll_sb_ops;
	ep->sb.vfs = vfs;
	ep->sb.type = "anon_inodefs";
	ep->sb.dev = ANONFS_DEV;
	lbx_inode_init(&ep->inode, &ep->sb, 0600);
	lbx_plat_mutex_init(&ep->mtx);
	lbx_plat_spin_init(&ep->lock);
	lbx_list_init(&ep->rdlist);
	lbx_waitqueue_init(&ep->wq);
	lbx_waitqueue_init(&ep->poll_wq);
	/* Own lock classes: these are taken under a watched queue's lock. */
	lbx_plat_spin_init(&ep->wq.lock);
	lbx_plat_spin_init(&ep->poll_wq.lock);
	ep->acct = vfs ? vfs->acct : NULL;
	ep->next_deadline = LBX_NO_DEADLINE;
	lbx_list_init(&ep->nested);
	lbx_list_init(&ep->parents);
	for (b = 0; b < EP_HASH; b++)
		lbx_list_init(&ep->hash[b]);
	ret = lbx_file_alloc(vfs, NULL, &ep->inode, LX_O_RDWR, out);
	if (!ret) {
		(*out)->ops = &epoll_fops;
		(*out)->priv = ep;
	}
	lbx_inode_put(&ep->inode);	/* the file's reference remains */
	return ret;
}
