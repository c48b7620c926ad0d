/* SPDX-License-Identifier: GPL-2.0 */
/*
 * epoll(7): an interest list of (open file description, fd) pairs and a
 * ready list, behind a file.
 *
 * Each watch (item) is linked on the watched file's wait queues through the
 * file's poll operation (see poll.h); a wake-up whose key matches puts the
 * item on the ready list and wakes the epoll's sleepers. lbx_epoll_wait()
 * re-polls every item on the ready list to report what holds now:
 * level-triggered items go back on the list while they stay ready,
 * edge-triggered ones (EPOLLET) wait for the next wake-up, one-shot ones
 * (EPOLLONESHOT) are disarmed until EPOLL_CTL_MOD.
 *
 * As in Linux, a watch belongs to the open file description, not to the
 * descriptor: it goes away when the file's last reference is dropped
 * (lbx_file_put() calls lbx_epoll_file_release()), or on EPOLL_CTL_DEL, or
 * when the epoll itself is released. Watches take no file reference.
 *
 * Files whose readiness changes with time alone (timerfd) give a deadline
 * through the poll table; the epoll sleeps no later than the earliest one
 * and re-polls those items then.
 *
 * Every watch is charged to the VFS's memory account (the sandbox's limit:
 * -ENOSPC beyond it, like max_user_watches), and one epoll holds at most
 * LBX_EPOLL_MAX_WATCHES.
 */
#ifndef LITEBOX_EPOLL_H
#define LITEBOX_EPOLL_H

#include <litebox/core.h>

struct lbx_vfs;
struct lbx_file;
struct lbx_thread;

#define LX_EPOLLIN		0x00000001
#define LX_EPOLLPRI		0x00000002
#define LX_EPOLLOUT		0x00000004
#define LX_EPOLLERR		0x00000008
#define LX_EPOLLHUP		0x00000010
#define LX_EPOLLNVAL		0x00000020
#define LX_EPOLLRDNORM		0x00000040
#define LX_EPOLLRDBAND		0x00000080
#define LX_EPOLLWRNORM		0x00000100
#define LX_EPOLLWRBAND		0x00000200
#define LX_EPOLLMSG		0x00000400
#define LX_EPOLLRDHUP		0x00002000
#define LX_EPOLLEXCLUSIVE	(1U << 28)
#define LX_EPOLLWAKEUP		(1U << 29)
#define LX_EPOLLONESHOT		(1U << 30)
#define LX_EPOLLET		(1U << 31)

#define LX_EPOLL_CTL_ADD	1
#define LX_EPOLL_CTL_DEL	2
#define LX_EPOLL_CTL_MOD	3

#define LX_EPOLL_CLOEXEC	02000000	/* O_CLOEXEC */

/* Linux's EP_MAX_EVENTS (INT_MAX / sizeof(struct epoll_event)). */
#define LBX_EPOLL_MAX_EVENTS	(0x7fffffff / 12)
#define LBX_EPOLL_MAX_WATCHES	65536
/* Linux's EP_MAX_NESTS: the most watches in a chain of epolls watching
 * epolls (so at most 5 epolls), counted through the whole chain. */
#define LBX_EPOLL_MAX_NESTS	4

/* One reported event (struct epoll_event is packed on x86-64: 12 bytes). */
struct lbx_epoll_event {
	u32 events;
	u64 data;
} __attribute__((packed));

/* Creates an epoll file (O_RDWR); flags is 0 (CLOEXEC is the caller's). */
int lbx_epoll_create(struct lbx_vfs *vfs, struct lbx_file **out);
bool lbx_file_is_epoll(struct lbx_file *f);

/*
 * EPOLL_CTL_ADD / MOD / DEL of (tf, fd) on the epoll ep. ev is the watch's
 * events and data (unused for DEL). Errors as Linux's: -EINVAL (ep is not
 * an epoll, tf is ep, bad op, EPOLLEXCLUSIVE misuse), -EPERM (tf cannot be
 * polled: regular files, directories), -EEXIST, -ENOENT, -ELOOP (a cycle of
 * epolls, or a chain of more than LBX_EPOLL_MAX_NESTS watches of epolls,
 * counting those above ep and below tf), -ENOSPC (watch limit), -ENOMEM.
 */
int lbx_epoll_ctl(struct lbx_file *ep, int op, int fd, struct lbx_file *tf,
		  const struct lbx_epoll_event *ev);

/*
 * Fills up to max events (max >= 1) that hold now; while none does, sleeps
 * until one does, until the monotonic deadline_ns (LBX_NO_DEADLINE: none;
 * a past one: just check) or until self is interrupted. Returns the number
 * of events (0 on timeout), -EINTR or -EINVAL.
 */
int lbx_epoll_wait(struct lbx_file *ep, struct lbx_epoll_event *events,
		   u32 max, u64 deadline_ns, struct lbx_thread *self);

/* Number of watches (tests, /proc fdinfo), or -EBADF. */
int lbx_epoll_nr_watches(struct lbx_file *ep);

/* lbx_file_put() of the last reference: drops every watch on f. */
void lbx_epoll_file_release(struct lbx_file *f);

#endif /* LITEBOX_EPOLL_H */
