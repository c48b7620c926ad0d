// SPDX-License-Identifier: GPL-2.0
/* Event notification: epoll, timerfd, signalfd (the objects are core/ipc's),
 * the interval timers (core/task/signal.c, ptimer.c) and POSIX timers
 * (core/task/ptimer.c). */
#include <litebox/epoll.h>
#include <litebox/fdtable.h>
#include <litebox/file.h>
#include <litebox/fsabi.h>
#include <litebox/ptimer.h>
#include <litebox/signalfd.h>
#include <litebox/timerfd.h>
#include <litebox/vfs.h>
#include "shim.h"

/* Events gathered per epoll_wait call: a bounded kernel buffer (Linux
 * returns at most maxevents; fewer is always allowed). */
#define EP_BATCH	256

struct lx_ts {
	s64 sec;
	s64 nsec;
};

struct lx_itimerspec {
	struct lx_ts interval;
	struct lx_ts value;
};

static int ts_to_ns(const struct lx_ts *ts, u64 *ns)
{
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (s64)LBX_NSEC_PER_SEC)
		return -EINVAL;
	if (lbx_mul_overflow((u64)ts->sec, LBX_NSEC_PER_SEC, ns) ||
	    lbx_add_overflow(*ns, (u64)ts->nsec, ns))
		*ns = (u64)-2;
	return 0;
}

static struct lx_ts ns_to_ts(u64 ns)
{
	struct lx_ts ts = {
		.sec = (s64)(ns / LBX_NSEC_PER_SEC),
		.nsec = (s64)(ns % LBX_NSEC_PER_SEC),
	};

	return ts;
}

static u64 deadline_after(u64 ns)
{
	u64 d;

	if (lbx_add_overflow(lbx_plat_now_mono(), ns, &d) || d == LBX_NO_DEADLINE)
		return LBX_NO_DEADLINE - 1;
	return d;
}

static long install(struct lbx_sys *s, struct lbx_file *f, bool cloexec)
{
	long ret = lbx_fd_install(s->p->files, f, cloexec ? LBX_FD_CLOEXEC : 0, 0);

	lbx_file_put(f);
	return ret;
}

/* ---- epoll ---- */

LBX_SYSCALL(epoll_create1)
{
	struct lbx_file *f;
	long ret;

	if ((u32)a0 & ~(u32)LX_EPOLL_CLOEXEC)
		return -EINVAL;
	ret = lbx_epoll_create(s->p->sb->vfs, &f);
	if (ret)
		return ret;
	return install(s, f, a0 & LX_EPOLL_CLOEXEC);
}

LBX_SYSCALL(epoll_create)
{
	if ((s32)a0 <= 0)
		return -EINVAL;
	return lbx_sys_epoll_create1(s, 0, 0, 0, 0, 0, 0);
}

LBX_SYSCALL(epoll_ctl)
{
	struct lbx_epoll_event ev;
	struct lbx_file *ep, *tf;
	int op = (int)a1;
	long ret;

	/* As Linux: the event first, then the descriptors. */
	if (op != LX_EPOLL_CTL_DEL && lbx_copy_from_guest(&ev, a3, sizeof(ev)))
		return -EFAULT;
	ret = lbx_linux_fd_file(s, (int)a0, &ep);
	if (ret)
		return ret;
	ret = lbx_linux_fd_file(s, (int)a2, &tf);
	if (!ret) {
		ret = lbx_epoll_ctl(ep, op, (int)a2, tf,
				    op == LX_EPOLL_CTL_DEL ? NULL : &ev);
		lbx_file_put(tf);
	}
	lbx_file_put(ep);
	return ret;
}

/*
 * The common part: epfd, events, maxevents, a monotonic deadline, and the
 * guest's sigmask pointer (0: none). Interrupted waits return -EINTR and
 * are never restarted once a handler ran, as Linux's.
 */
static long do_epoll_wait(struct lbx_sys *s, u64 epfd, u64 uev, u64 maxev,
			  u64 deadline, u64 usigmask, u64 sigsetsize)
{
	struct lbx_epoll_event *buf;
	struct lbx_file *ep;
	u64 mask, bytes;
	u32 max;
	long ret;

	if ((s32)maxev <= 0 || (s32)maxev > LBX_EPOLL_MAX_EVENTS)
		return -EINVAL;
	if (usigmask) {
		if (sigsetsize != sizeof(u64))
			return -EINVAL;
		if (lbx_copy_from_guest(&mask, usigmask, sizeof(mask)))
			return -EFAULT;
	}
	ret = lbx_linux_fd_file(s, (int)epfd, &ep);
	if (ret)
		return ret;
	if (!lbx_file_is_epoll(ep)) {
		ret = -EINVAL;
		goto out_put;
	}
	max = lbx_min((u32)maxev, (u32)EP_BATCH);
	buf = lbx_plat_alloc_large((u64)max * sizeof(*buf));
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}
	s->no_restart = true;
	if (usigmask) {
		/* As sigsuspend: a handler runs with the waiting mask. */
		s->saved_sigmask = s->t->sigmask;
		s->restore_sigmask = true;
		/* A signal the new mask lets through, pending already,
		 * interrupts the wait at once. */
		lbx_signal_set_mask(s->t, mask);
	}
	ret = lbx_epoll_wait(ep, buf, max, deadline, s->t);
	if (ret > 0) {
		bytes = (u64)ret * sizeof(*buf);
		if (lbx_copy_to_guest(uev, buf, bytes))
			ret = -EFAULT;
	}
	lbx_plat_free_large(buf);
out_put:
	lbx_file_put(ep);
	return ret;
}

static u64 ms_deadline(s32 ms)
{
	if (ms < 0)
		return LBX_NO_DEADLINE;
	return deadline_after((u64)ms * 1000000ULL);
}

LBX_SYSCALL(epoll_wait)
{
	return do_epoll_wait(s, a0, a1, a2, ms_deadline((s32)a3), 0, 0);
}

LBX_SYSCALL(epoll_pwait)
{
	return do_epoll_wait(s, a0, a1, a2, ms_deadline((s32)a3), a4, a5);
}

LBX_SYSCALL(epoll_pwait2)
{
	u64 deadline = LBX_NO_DEADLINE, ns;
	struct lx_ts ts;
	int ret;

	if (a3) {
		if (lbx_copy_from_guest(&ts, a3, sizeof(ts)))
			return -EFAULT;
		ret = ts_to_ns(&ts, &ns);
		if (ret)
			return ret;
		deadline = deadline_after(ns);
	}
	return do_epoll_wait(s, a0, a1, a2, deadline, a4, a5);
}

/* ---- timerfd ---- */

LBX_SYSCALL(timerfd_create)
{
	struct lbx_file *f;
	u32 flags = (u32)a1;
	long ret;

	ret = lbx_timerfd_create(s->p->sb->vfs, (u32)a0, flags, &f);
	if (ret)
		return ret;
	return install(s, f, flags & LX_TFD_CLOEXEC);
}

static int timerfd_file(struct lbx_sys *s, int fd, struct lbx_file **out)
{
	int ret = lbx_linux_fd_file(s, fd, out);

	if (!ret && !lbx_file_is_timerfd(*out)) {
		lbx_file_put(*out);
		return -EINVAL;
	}
	return ret;
}

static int put_itimerspec(u64 addr, const struct lbx_itimer *it)
{
	struct lx_itimerspec its = {
		.interval = ns_to_ts(it->interval),
		.value = ns_to_ts(it->value),
	};

	return lbx_copy_to_guest(addr, &its, sizeof(its));
}

LBX_SYSCALL(timerfd_settime)
{
	struct lbx_itimer val, old;
	struct lx_itimerspec its;
	struct lbx_file *f;
	long ret;

	if (lbx_copy_from_guest(&its, a2, sizeof(its)))
		return -EFAULT;
	ret = ts_to_ns(&its.value, &val.value);
	if (!ret)
		ret = ts_to_ns(&its.interval, &val.interval);
	if (ret)
		return ret;
	ret = timerfd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_timerfd_settime(f, (u32)a1, &val, &old);
	lbx_file_put(f);
	if (!ret && a3 && put_itimerspec(a3, &old))
		ret = -EFAULT;
	return ret;
}

LBX_SYSCALL(timerfd_gettime)
{
	struct lbx_itimer cur;
	struct lbx_file *f;
	long ret;

	ret = timerfd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_timerfd_gettime(f, &cur);
	lbx_file_put(f);
	if (!ret && put_itimerspec(a1, &cur))
		ret = -EFAULT;
	return ret;
}

/* ---- signalfd ---- */

LBX_SYSCALL(signalfd4)
{
	u32 flags = (u32)a3;
	struct lbx_file *f;
	u64 mask;
	long ret;

	if (a2 != sizeof(u64))
		return -EINVAL;
	if (flags & ~(u32)(LX_SFD_NONBLOCK | LX_SFD_CLOEXEC))
		return -EINVAL;
	if (lbx_copy_from_guest(&mask, a1, sizeof(mask)))
		return -EFAULT;
	if ((s32)a0 != -1) {
		ret = lbx_linux_fd_file(s, (int)a0, &f);
		if (ret)
			return ret;
		ret = lbx_signalfd_set_mask(f, mask);
		lbx_file_put(f);
		return ret ? ret : (long)(s32)a0;
	}
	ret = lbx_signalfd_create(s->p->sb->vfs, mask, flags, &f);
	if (ret)
		return ret;
	return install(s, f, flags & LX_SFD_CLOEXEC);
}

LBX_SYSCALL(signalfd)
{
	return lbx_sys_signalfd4(s, a0, a1, a2, 0, 0, 0);
}

/* ---- interval timers ---- */

#define LX_ITIMER_REAL		0
#define LX_ITIMER_VIRTUAL	1
#define LX_ITIMER_PROF		2
#define USEC			1000ULL

struct lx_timeval {
	s64 sec;
	s64 usec;
};

struct lx_itimerval {
	struct lx_timeval interval;
	struct lx_timeval value;
};

static int tv_to_ns(const struct lx_timeval *tv, u64 *ns)
{
	if (tv->sec < 0 || tv->usec < 0 || tv->usec >= 1000000)
		return -EINVAL;
	if (lbx_mul_overflow((u64)tv->sec, LBX_NSEC_PER_SEC, ns) ||
	    lbx_add_overflow(*ns, (u64)tv->usec * USEC, ns))
		*ns = (u64)-2;
	return 0;
}

/* Rounded up to a microsecond, as Linux reports a running timer. */
static struct lx_timeval ns_to_tv(u64 ns)
{
	struct lx_timeval tv;

	ns = ns > (u64)-USEC ? ns : LBX_ALIGN_UP(ns, USEC);
	tv.sec = (s64)(ns / LBX_NSEC_PER_SEC);
	tv.usec = (s64)(ns % LBX_NSEC_PER_SEC / USEC);
	return tv;
}

static int put_itimerval(u64 addr, u64 value, u64 interval)
{
	struct lx_itimerval it = {
		.interval = ns_to_tv(interval),
		.value = ns_to_tv(value),
	};

	return lbx_copy_to_guest(addr, &it, sizeof(it));
}

LBX_SYSCALL(getitimer)
{
	u64 value, interval;

	switch (a0) {
	case LX_ITIMER_REAL:
		lbx_itimer_expire(s->t);	/* a due one fires first */
		lbx_itimer_real_get(s->p, &value, &interval);
		break;
	case LX_ITIMER_VIRTUAL:
	case LX_ITIMER_PROF:
		lbx_itimer_expire(s->t);
		lbx_itimer_cpu_get(s->t, (int)a0, &value, &interval);
		break;
	default:
		return -EINVAL;
	}
	return put_itimerval(a1, value, interval);
}

LBX_SYSCALL(setitimer)
{
	struct lx_itimerval it;
	u64 value = 0, interval = 0, ov, oi;
	int ret;

	if (a1) {
		if (lbx_copy_from_guest(&it, a1, sizeof(it)))
			return -EFAULT;
		ret = tv_to_ns(&it.value, &value);
		if (!ret)
			ret = tv_to_ns(&it.interval, &interval);
		if (ret)
			return ret;
	}
	switch (a0) {
	case LX_ITIMER_REAL:
		lbx_itimer_expire(s->t);
		lbx_itimer_real_set(s->p, value, interval, &ov, &oi);
		break;
	case LX_ITIMER_VIRTUAL:
	case LX_ITIMER_PROF:
		lbx_itimer_expire(s->t);
		lbx_itimer_cpu_set(s->t, (int)a0, value, interval, &ov, &oi);
		break;
	default:
		return -EINVAL;
	}
	if (a2 && put_itimerval(a2, ov, oi))
		return -EFAULT;
	return 0;
}

LBX_SYSCALL(alarm)
{
	u64 ov;

	lbx_itimer_expire(s->t);
	lbx_itimer_real_set(s->p, (u64)(u32)a0 * LBX_NSEC_PER_SEC, 0, &ov, NULL);
	/* Seconds left, rounded to nearest; at least 1 while armed. */
	if (!ov)
		return 0;
	ov = (ov + LBX_NSEC_PER_SEC / 2) / LBX_NSEC_PER_SEC;
	return ov ? (long)ov : 1;
}

/* ---- POSIX timers ---- */

#define LX_CLOCK_REALTIME	0
#define LX_CLOCK_MONOTONIC	1
#define LX_CLOCK_BOOTTIME	7
#define LX_TIMER_ABSTIME	1
#define LX_SIGEV_THREAD		2	/* the C library's: a signal here */

/* The kernel's struct sigevent (64 bytes). */
struct lx_sigevent {
	u64 value;
	s32 signo;
	s32 notify;
	s32 tid;	/* sigev_notify_thread_id */
	s32 pad[11];
};

LBX_SYSCALL(timer_create)
{
	struct lbx_sigevent ev, *evp = NULL;
	enum lbx_pclock clock;
	struct lx_sigevent lev;
	u32 id;
	int cpu;
	long ret;

	/* As Linux: the sigevent first, then the clock. */
	if (a1) {
		if (lbx_copy_from_guest(&lev, a1, sizeof(lev)))
			return -EFAULT;
		ev.notify = lev.notify == LX_SIGEV_THREAD ? LBX_SIGEV_SIGNAL : (u32)lev.notify;
		ev.signo = (u32)lev.signo;
		ev.value = lev.value;
		ev.tid = (u32)lev.tid;
		evp = &ev;
	}
	cpu = lbx_linux_cpu_clock(s, a0);
	if (cpu < 0)
		return cpu;
	if (cpu == LBX_LINUX_CPU_PROCESS)
		clock = LBX_PCLOCK_PROCESS_CPU;
	else if (cpu == LBX_LINUX_CPU_THREAD)
		clock = LBX_PCLOCK_THREAD_CPU;
	else if (a0 == LX_CLOCK_REALTIME)
		clock = LBX_PCLOCK_REALTIME;
	else if (a0 == LX_CLOCK_MONOTONIC || a0 == LX_CLOCK_BOOTTIME)
		clock = LBX_PCLOCK_MONOTONIC;
	else
		return -EINVAL;
	ret = lbx_ptimer_create(s->t, clock, s->t->tid, evp, &id);
	if (ret)
		return ret;
	if (lbx_copy_to_guest(a2, &id, sizeof(id))) {
		lbx_ptimer_delete(s->t, id);
		return -EFAULT;
	}
	return 0;
}

LBX_SYSCALL(timer_settime)
{
	struct lbx_itimer val, old;
	struct lx_itimerspec its;
	long ret;

	if (!a2)
		return -EINVAL;
	if (lbx_copy_from_guest(&its, a2, sizeof(its)))
		return -EFAULT;
	ret = ts_to_ns(&its.value, &val.value);
	if (!ret)
		ret = ts_to_ns(&its.interval, &val.interval);
	if (ret)
		return ret;
	/* A due expiry of the old setting counts before it is replaced. */
	lbx_itimer_expire(s->t);
	ret = lbx_ptimer_settime(s->t, (u32)a0, a1 & LX_TIMER_ABSTIME, &val,
				 a3 ? &old : NULL);
	if (!ret && a3 && put_itimerspec(a3, &old))
		ret = -EFAULT;
	return ret;
}

LBX_SYSCALL(timer_gettime)
{
	struct lbx_itimer cur;
	long ret;

	ret = lbx_ptimer_gettime(s->t, (u32)a0, &cur);
	if (!ret && put_itimerspec(a1, &cur))
		ret = -EFAULT;
	return ret;
}

LBX_SYSCALL(timer_getoverrun)
{
	return lbx_ptimer_getoverrun(s->t, (u32)a0);
}

LBX_SYSCALL(timer_delete)
{
	return lbx_ptimer_delete(s->t, (u32)a0);
}
