/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process timers: POSIX timers (timer_create(2) and the rest) and the
 * CPU-time interval timers (ITIMER_VIRTUAL, ITIMER_PROF).
 *
 * They run on ITIMER_REAL's machinery (task.h): there is no timer callback
 * in the platform contract, so a timer fires when a thread of its process
 * looks at it at or after its expiry (lbx_itimer_expire(): on the way out
 * of every system call, after every interruptible sleep, which sleeps no
 * later than the process's next clock expiry, and on every kick).
 *
 * Clock timers (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME) run on the
 * monotonic clock; a CLOCK_REALTIME absolute expiry is converted when set
 * (the guest cannot set the wall clock). CPU-time timers compare with the
 * platform's CPU clocks (lbx_plat_cputime()), which only the running thread
 * reads: the process clock in any thread of the process, a thread clock in
 * that thread. While a process has one armed, each of its threads asks the
 * platform for a periodic kick (lbx_plat_cpu_tick()) from its next entry
 * on, so that a guest computing without system calls still sees it.
 *
 * A timer's signal is queued at most once: an expiry while it is still
 * pending counts an overrun, which the delivery reports in si_overrun and
 * timer_getoverrun(2) returns afterwards. Everything here is under the
 * sandbox lock.
 */
#ifndef LITEBOX_PTIMER_H
#define LITEBOX_PTIMER_H

#include <litebox/task.h>
#include <litebox/timerfd.h>	/* struct lbx_itimer */

/* POSIX timers per process; timer_create beyond it, or beyond
 * RLIMIT_SIGPENDING (each timer counts as a queued signal, as Linux's
 * preallocated entry does), fails with -EAGAIN. */
#define LBX_PTIMER_MAX		256

/* The clocks of a POSIX timer. */
enum lbx_pclock {
	LBX_PCLOCK_MONOTONIC = 1,	/* also CLOCK_BOOTTIME (no suspend) */
	LBX_PCLOCK_REALTIME,
	LBX_PCLOCK_PROCESS_CPU,		/* the process's user + system time */
	LBX_PCLOCK_THREAD_CPU,		/* one thread's user + system time */
};

/* sigevent's sigev_notify values (Linux's). */
#define LBX_SIGEV_SIGNAL	0
#define LBX_SIGEV_NONE		1
#define LBX_SIGEV_THREAD_ID	4

/* A sigevent as the shim decoded it. */
struct lbx_sigevent {
	u32 notify;	/* LBX_SIGEV_* */
	u32 signo;
	u64 value;	/* sigev_value */
	u32 tid;	/* LBX_SIGEV_THREAD_ID: the target thread */
};

/* siginfo's si_code for a timer's signal. */
#define LBX_SI_TIMER		(-2)

/*
 * Creates a timer of t's process on clock (cpu_tid: the thread of a
 * LBX_PCLOCK_THREAD_CPU clock) and returns its id. ev NULL: SIGALRM with
 * the id as its value, as Linux. -EINVAL for a bad sigevent (a signal out
 * of range, an unknown notification, a SIGEV_THREAD_ID target that is not
 * a thread of the process), -EAGAIN beyond LBX_PTIMER_MAX, -ENOMEM.
 */
int lbx_ptimer_create(struct lbx_thread *t, enum lbx_pclock clock, u32 cpu_tid,
		      const struct lbx_sigevent *ev, u32 *id);
/*
 * Arms (val->value non-zero: relative, or with abs an absolute time of the
 * timer's clock) or disarms timer id; *old (if not NULL) gets the previous
 * setting. A setting drops the overrun count. -EINVAL for an unknown id.
 */
int lbx_ptimer_settime(struct lbx_thread *t, u32 id, bool abs,
		       const struct lbx_itimer *val, struct lbx_itimer *old);
/* The time left (0: disarmed) and the interval; -EINVAL for an unknown id. */
int lbx_ptimer_gettime(struct lbx_thread *t, u32 id, struct lbx_itimer *cur);
/* The overrun count of the last delivered signal (at most INT_MAX). */
int lbx_ptimer_getoverrun(struct lbx_thread *t, u32 id);
/* Deletes timer id (a signal of it already queued stays queued). */
int lbx_ptimer_delete(struct lbx_thread *t, u32 id);
/* Deletes every POSIX timer of p: execve, exit. */
void lbx_ptimers_release(struct lbx_process *p);

/* ITIMER_VIRTUAL (user time) and ITIMER_PROF (user + system time) of t's
 * process: SIGVTALRM and SIGPROF. They survive execve, as Linux's. */
#define LBX_ITIMER_VIRTUAL	1
#define LBX_ITIMER_PROF		2
void lbx_itimer_cpu_set(struct lbx_thread *t, int which, u64 value, u64 interval,
			u64 *old_value, u64 *old_interval);
void lbx_itimer_cpu_get(struct lbx_thread *t, int which, u64 *value, u64 *interval);

/* lbx_itimer_expire()'s part: fires t's process timers that are due, as
 * t sees the clocks; true if one did. */
bool lbx_ptimers_expire(struct lbx_thread *t);
/* Under sb->lock, from lbx_signal_dequeue_locked(): a timer's signal
 * leaves the queue; fills in its si_overrun. */
void lbx_ptimer_dequeued_locked(struct lbx_thread *t, struct lbx_siginfo *info);

#endif /* LITEBOX_PTIMER_H */
