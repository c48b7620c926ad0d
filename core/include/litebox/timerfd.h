/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timerfd(2): a timer behind a file. Reading (8 bytes or more) returns the
 * number of expirations since the last read or settime, as a u64, blocking
 * while it is 0 (-EAGAIN with O_NONBLOCK); readable while it is non-zero.
 *
 * There is no timer callback in the platform contract: expirations are
 * counted lazily from the monotonic clock whenever the timer is looked at
 * (read, poll, gettime, settime). A blocked reader sleeps with the next
 * expiry as its deadline, and the poll operation gives that expiry to its
 * poller through lbx_poll_deadline(), so poll(2), select(2) and epoll wake
 * up on time without anybody waking the queue.
 *
 * All clocks run on the monotonic clock: a CLOCK_REALTIME absolute expiry
 * is converted when set (the guest cannot set the wall clock, so it does
 * not jump under a sandbox).
 */
#ifndef LITEBOX_TIMERFD_H
#define LITEBOX_TIMERFD_H

#include <litebox/core.h>

struct lbx_vfs;
struct lbx_file;

#define LX_TFD_TIMER_ABSTIME		(1U << 0)
#define LX_TFD_TIMER_CANCEL_ON_SET	(1U << 1)
#define LX_TFD_NONBLOCK			00004000	/* O_NONBLOCK */
#define LX_TFD_CLOEXEC			02000000	/* O_CLOEXEC */

#define LBX_TIMERFD_CLOCK_REALTIME	0
#define LBX_TIMERFD_CLOCK_MONOTONIC	1
#define LBX_TIMERFD_CLOCK_BOOTTIME	7

/* An itimerspec in nanoseconds. */
struct lbx_itimer {
	u64 value;	/* 0: disarmed */
	u64 interval;	/* 0: one-shot */
};

/* Creates a timerfd (O_RDWR) on clockid (LBX_TIMERFD_CLOCK_*: else
 * -EINVAL); flags LX_TFD_NONBLOCK and LX_TFD_CLOEXEC (the caller's). */
int lbx_timerfd_create(struct lbx_vfs *vfs, u32 clockid, u32 flags,
		       struct lbx_file **out);
bool lbx_file_is_timerfd(struct lbx_file *f);
/*
 * Arms (value non-zero: relative, or with LX_TFD_TIMER_ABSTIME an absolute
 * time of the timer's clock) or disarms the timer, resetting the count of
 * expirations; *old (if not NULL) gets the previous setting as
 * lbx_timerfd_gettime() gives it. -EINVAL for a non-timerfd or bad flags.
 */
int lbx_timerfd_settime(struct lbx_file *f, u32 flags,
			const struct lbx_itimer *val, struct lbx_itimer *old);
/* The time left to the next expiry (0: disarmed) and the interval. */
int lbx_timerfd_gettime(struct lbx_file *f, struct lbx_itimer *cur);

#endif /* LITEBOX_TIMERFD_H */
