/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File readiness: the poll contract between files and the poll(2)/select(2)
 * (and later epoll) cores.
 *
 * A file's poll operation returns the LX_POLL* bits that hold now and, when
 * given a poll table, registers the caller on each wait queue whose wake-up
 * may change them, through lbx_poll_add(). It never sleeps. Wakers pass the
 * bits that may have become true as the key of lbx_wake_up_key(); the poll
 * table's entries are keyed with the events their poller wants, so an
 * unrelated change does not wake it.
 *
 * Until struct lbx_file_ops has a poll member, lbx_file_poll() dispatches
 * the files that core/ipc knows (pipes, eventfd) itself and answers the
 * others with the default mask of Linux (always readable and writable).
 */
#ifndef LITEBOX_POLL_H
#define LITEBOX_POLL_H

#include <litebox/core.h>
#include <litebox/waitqueue.h>

struct lbx_file;
struct lbx_thread;

/* Linux's poll bits (also epoll's EPOLL* for the low ones). */
#define LX_POLLIN	0x0001
#define LX_POLLPRI	0x0002
#define LX_POLLOUT	0x0004
#define LX_POLLERR	0x0008
#define LX_POLLHUP	0x0010
#define LX_POLLNVAL	0x0020
#define LX_POLLRDNORM	0x0040
#define LX_POLLRDBAND	0x0080
#define LX_POLLWRNORM	0x0100
#define LX_POLLWRBAND	0x0200
#define LX_POLLMSG	0x0400
#define LX_POLLRDHUP	0x2000

/* What a file without a poll operation reports (Linux DEFAULT_POLLMASK). */
#define LBX_DEFAULT_POLLMASK \
	(LX_POLLIN | LX_POLLOUT | LX_POLLRDNORM | LX_POLLWRNORM)

/*
 * A poll table: how a poller wants to be registered on a file's queues.
 * Pollers embed it (poll(2)'s lives on the stack; epoll's in each item).
 */
struct lbx_poll_table {
	/* NULL: a query that registers nothing (the deadline still counts) */
	void (*queue)(struct lbx_poll_table *pt, struct lbx_waitqueue *wq);
	u32 key;	/* the events wanted from the file polled now */
	/*
	 * The earliest monotonic time at which a polled file's readiness may
	 * change with nobody waking its queues (a timer expiring), or
	 * LBX_NO_DEADLINE. Pollers set it before polling; files lower it with
	 * lbx_poll_deadline(). A poller sleeps no later than that, then polls
	 * again.
	 */
	u64 deadline;
};

/* For a file's poll operation: registers pt's owner on wq. pt may be NULL
 * (a bare readiness query). */
static inline void lbx_poll_add(struct lbx_poll_table *pt,
				struct lbx_waitqueue *wq)
{
	if (pt && pt->queue)
		pt->queue(pt, wq);
}

/* For a file's poll operation: its readiness changes by itself at ns. */
static inline void lbx_poll_deadline(struct lbx_poll_table *pt, u64 ns)
{
	if (pt && ns < pt->deadline)
		pt->deadline = ns;
}

/*
 * The file's readiness (LX_POLL* bits) with pt registered on its queues.
 * O_PATH files give LX_POLLNVAL. The proposed struct lbx_file_ops member
 * is u32 (*poll)(struct lbx_file *f, struct lbx_poll_table *pt).
 */
u32 lbx_file_poll(struct lbx_file *f, struct lbx_poll_table *pt);

/* ---- poll(2)'s core ---- */

struct lbx_poll_entry {
	struct lbx_file *file;	/* a reference the caller holds, or NULL */
	u32 events;		/* requested; ERR and HUP are always reported */
	u32 revents;		/* result */
};

/*
 * Computes the readiness of every entry and, while none is ready, sleeps
 * until one becomes ready, until the monotonic deadline_ns (LBX_NO_DEADLINE:
 * none; one already past: just check), or until self is interrupted.
 * Entries with file NULL keep the revents the caller set (LX_POLLNVAL for a
 * bad fd, 0 for a negative one) and count when non-zero. Returns the number
 * of entries with non-zero revents (0 on timeout), -EINTR or -ENOMEM.
 */
int lbx_poll_wait(struct lbx_poll_entry *entries, u32 n, u64 deadline_ns,
		  struct lbx_thread *self);

#endif /* LITEBOX_POLL_H */
