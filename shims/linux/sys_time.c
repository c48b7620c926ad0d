// SPDX-License-Identifier: GPL-2.0
/* Clocks and sleeping. The host vDSO never reaches the guest: every clock
 * read is a system call served here. */
#include "shim.h"

#define LX_CLOCK_REALTIME		0
#define LX_CLOCK_MONOTONIC		1
#define LX_CLOCK_PROCESS_CPUTIME_ID	2
#define LX_CLOCK_THREAD_CPUTIME_ID	3
#define LX_CLOCK_MONOTONIC_RAW	4
#define LX_CLOCK_REALTIME_COARSE	5
#define LX_CLOCK_MONOTONIC_COARSE	6
#define LX_CLOCK_BOOTTIME		7
#define LX_CLOCK_REALTIME_ALARM	8
#define LX_CLOCK_BOOTTIME_ALARM	9
#define LX_CLOCK_TAI		11
#define LX_TIMER_ABSTIME		1

struct lx_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct lx_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

/* The CPU-time clockids of clock_getcpuclockid(3) and
 * pthread_getcpuclockid(3): ~pid << 3 | perthread (4) | kind (0 PROF,
 * 1 VIRT, 2 SCHED), pid 0 for the caller's. */
#define LX_CPUCLOCK_PERTHREAD	4
#define LX_CPUCLOCK_KIND	3

int lbx_linux_cpu_clock(struct lbx_sys *s, u64 clk)
{
	s32 c = (s32)clk;
	u32 id;

	if (clk == LX_CLOCK_PROCESS_CPUTIME_ID)
		return LBX_LINUX_CPU_PROCESS;
	if (clk == LX_CLOCK_THREAD_CPUTIME_ID)
		return LBX_LINUX_CPU_THREAD;
	if (clk > 0xffffffffULL || c >= 0)
		return 0;
	if ((c & LX_CPUCLOCK_KIND) == LX_CPUCLOCK_KIND)
		return -EINVAL;
	/* All three kinds read user + system time here. */
	id = (u32)~(c >> 3);
	if (c & LX_CPUCLOCK_PERTHREAD)
		return !id || id == s->t->tid ? LBX_LINUX_CPU_THREAD : -EINVAL;
	return !id || id == s->p->pid ? LBX_LINUX_CPU_PROCESS : -EINVAL;
}

/* Returns the clock's reading in ns, or -EINVAL for clocks not served. */
static s64 clock_read(struct lbx_sys *s, u64 clk, bool *realtime)
{
	int cpu = lbx_linux_cpu_clock(s, clk);

	*realtime = false;
	if (cpu < 0)
		return -EINVAL;
	if (cpu) {
		u64 u, sy;

		lbx_plat_cputime(cpu == LBX_LINUX_CPU_PROCESS, &u, &sy);
		return (s64)(u + sy);
	}
	switch (clk) {
	case LX_CLOCK_REALTIME:
	case LX_CLOCK_REALTIME_COARSE:
	case LX_CLOCK_REALTIME_ALARM:
	case LX_CLOCK_TAI:
		*realtime = true;
		return (s64)lbx_plat_now_real();
	case LX_CLOCK_MONOTONIC:
	case LX_CLOCK_MONOTONIC_RAW:
	case LX_CLOCK_MONOTONIC_COARSE:
	case LX_CLOCK_BOOTTIME:
	case LX_CLOCK_BOOTTIME_ALARM:
		return (s64)lbx_plat_now_mono();
	default:
		return -EINVAL;
	}
}

static struct lx_timespec ns_to_ts(u64 ns)
{
	struct lx_timespec ts = {
		.tv_sec = (s64)(ns / LBX_NSEC_PER_SEC),
		.tv_nsec = (s64)(ns % LBX_NSEC_PER_SEC),
	};

	return ts;
}

LBX_SYSCALL(clock_gettime)
{
	struct lx_timespec ts;
	bool rt;
	s64 ns = clock_read(s, a0, &rt);

	if (ns < 0)
		return ns;
	ts = ns_to_ts((u64)ns);
	return lbx_copy_to_guest(a1, &ts, sizeof(ts));
}

LBX_SYSCALL(clock_getres)
{
	struct lx_timespec ts = { 0, 1 };
	bool rt;

	if (clock_read(s, a0, &rt) < 0)
		return -EINVAL;
	if (a0 == LX_CLOCK_REALTIME_COARSE || a0 == LX_CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = 4000000;	/* one tick at HZ=250 */
	return a1 ? lbx_copy_to_guest(a1, &ts, sizeof(ts)) : 0;
}

LBX_SYSCALL(gettimeofday)
{
	u64 ns = lbx_plat_now_real();
	struct lx_timeval tv = {
		.tv_sec = (s64)(ns / LBX_NSEC_PER_SEC),
		.tv_usec = (s64)(ns % LBX_NSEC_PER_SEC / 1000),
	};
	static const u32 tz[2];
	int ret = 0;

	if (a0)
		ret = lbx_copy_to_guest(a0, &tv, sizeof(tv));
	if (!ret && a1)
		ret = lbx_copy_to_guest(a1, tz, sizeof(tz));
	return ret;
}

LBX_SYSCALL(time)
{
	s64 now = (s64)(lbx_plat_now_real() / LBX_NSEC_PER_SEC);

	if (a0 && lbx_copy_to_guest(a0, &now, sizeof(now)))
		return -EFAULT;
	return now;
}

static int read_ts(u64 addr, struct lx_timespec *ts)
{
	if (lbx_copy_from_guest(ts, addr, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (s64)LBX_NSEC_PER_SEC)
		return -EINVAL;
	return 0;
}

static u64 ts_to_ns(const struct lx_timespec *ts)
{
	u64 ns;

	if (lbx_mul_overflow((u64)ts->tv_sec, LBX_NSEC_PER_SEC, &ns) ||
	    lbx_add_overflow(ns, (u64)ts->tv_nsec, &ns))
		return (u64)-2;	/* far future, but not "no deadline" */
	return ns;
}

/* Sleeps until the monotonic deadline; -EINTR when the thread is interrupted. */
static int sleep_until(struct lbx_thread *t, u64 deadline)
{
	for (;;) {
		u32 seen = LBX_READ_ONCE(t->interrupt);
		int ret;

		if (seen)
			return -EINTR;
		ret = lbx_plat_wait(&t->interrupt, 0, lbx_itimer_clamp(t, deadline), true);
		if (lbx_itimer_expire(t))
			continue;	/* SIGALRM: interrupted unless blocked */
		if (ret == -ETIMEDOUT && lbx_plat_now_mono() >= deadline)
			return 0;
		if (ret == -EINTR)
			return -EINTR;
		if (lbx_plat_now_mono() >= deadline)
			return 0;
	}
}

/* The process's CPU time (user + system), in ns. */
static u64 process_cputime(void)
{
	u64 u, sy;

	lbx_plat_cputime(true, &u, &sy);
	return u + sy;
}

/* At most this much wall time between two looks at the process's CPU
 * clock while another thread may be running. */
#define CPU_SLEEP_POLL_NS	(10ULL * 1000 * 1000)

/*
 * Sleeps until the process's CPU time reaches deadline (Linux's
 * posix_cpu_nsleep(), on the caller's process). The platform has no
 * wake-up on a CPU clock, so the thread sleeps in wall time and looks
 * again: the CPU time left, spread over the process's other threads (the
 * most CPU time they can use in that much wall time), at most
 * CPU_SLEEP_POLL_NS. With no other thread, nothing can advance the clock
 * but the sleeper: it sleeps until interrupted. 0, or -EINTR.
 */
static int sleep_cpu_until(struct lbx_thread *t, u64 deadline)
{
	for (;;) {
		u64 now = process_cputime(), step;
		u32 others = LBX_READ_ONCE(t->proc->nr_threads);
		int ret;

		if (now >= deadline)
			return 0;
		others = others > 1 ? others - 1 : 0;
		if (others) {
			step = lbx_min((deadline - now) / others, CPU_SLEEP_POLL_NS);
			step = lbx_plat_now_mono() + lbx_max(step, 1ULL);
		} else {
			step = LBX_NO_DEADLINE;
		}
		ret = sleep_until(t, step);
		if (ret)
			return ret;
	}
}

/*
 * Sleeps until the deadline, monotonic or (cpu) on the process's CPU
 * clock. Interrupted: the time left on that clock goes to rem (0: not
 * wanted, or an absolute sleep), and the restart block records the
 * deadline (lbx_sys.restart_block).
 */
static long sleep_to(struct lbx_sys *s, bool cpu, u64 deadline, u64 rem)
{
	struct lbx_thread *t = s->t;
	int ret = cpu ? sleep_cpu_until(t, deadline) : sleep_until(t, deadline);

	if (ret != -EINTR)
		return ret;
	if (rem) {
		u64 now = cpu ? process_cputime() : lbx_plat_now_mono();
		struct lx_timespec ts = ns_to_ts(deadline > now ? deadline - now : 0);

		/* As Linux: a bad rem pointer makes it EFAULT. */
		if (lbx_copy_to_guest(rem, &ts, sizeof(ts)))
			return -EFAULT;
	}
	t->restart_cpu = cpu;
	t->restart_deadline = deadline;
	t->restart_rem = rem;
	t->restart_pending = true;
	s->restart_block = true;
	return -EINTR;
}

/*
 * Which clocks Linux can sleep on (a k_clock with nsleep): none of the
 * raw and coarse clocks, nor the dynamic (fd) clocks, nor the caller's
 * own thread CPU clock (-EOPNOTSUPP for CLOCK_THREAD_CPUTIME_ID, which
 * has no nsleep; -EINVAL for a per-thread clockid, which
 * posix_cpu_nsleep() refuses). 0, or the error.
 */
static int nsleep_clock_check(u64 clk, int cpu)
{
	s32 c = (s32)clk;

	switch (clk) {
	case LX_CLOCK_THREAD_CPUTIME_ID:
	case LX_CLOCK_MONOTONIC_RAW:
	case LX_CLOCK_REALTIME_COARSE:
	case LX_CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	}
	if (clk <= 0xffffffffULL && c < 0 && (c & LX_CPUCLOCK_KIND) == LX_CPUCLOCK_KIND)
		return -EOPNOTSUPP;	/* CLOCKFD: clock_posix_dynamic */
	if (cpu == LBX_LINUX_CPU_THREAD)
		return -EINVAL;
	return 0;
}

static long do_nanosleep(struct lbx_sys *s, u64 clk, bool abs, u64 req, u64 rem)
{
	struct lx_timespec ts;
	u64 now_mono = lbx_plat_now_mono(), deadline, ns;
	int cpu = lbx_linux_cpu_clock(s, clk);
	bool rt;
	s64 now;
	int ret;

	ret = nsleep_clock_check(clk, cpu);
	if (ret)
		return ret;
	now = clock_read(s, clk, &rt);
	if (now < 0)
		return -EINVAL;
	ret = read_ts(req, &ts);
	if (ret)
		return ret;
	ns = ts_to_ns(&ts);
	if (cpu) {
		/* The process's CPU clock: a deadline on it. */
		if (abs)
			deadline = ns;
		else if (lbx_add_overflow((u64)now, ns, &deadline))
			deadline = (u64)-2;
		return sleep_to(s, true, deadline, abs ? 0 : rem);
	}
	if (abs) {
		/* An absolute time on this clock, as a monotonic deadline. */
		deadline = ns <= (u64)now ? now_mono : now_mono + (ns - (u64)now);
	} else if (lbx_add_overflow(now_mono, ns, &deadline)) {
		deadline = (u64)-2;
	}
	return sleep_to(s, false, deadline, abs ? 0 : rem);
}

/* restart_syscall(2): the interrupted sleep goes on to its deadline, as
 * Linux's hrtimer_nanosleep_restart(); none: -EINTR, as Linux's
 * do_no_restart_syscall(). */
LBX_SYSCALL(restart_syscall)
{
	struct lbx_thread *t = s->t;

	if (!t->restart_pending) {
		s->eintr_result = true;
		return -EINTR;
	}
	t->restart_pending = false;
	return sleep_to(s, t->restart_cpu, t->restart_deadline, t->restart_rem);
}

LBX_SYSCALL(nanosleep)
{
	return do_nanosleep(s, LX_CLOCK_MONOTONIC, false, a0, a1);
}

/* Flags other than TIMER_ABSTIME are ignored, as Linux does. */
LBX_SYSCALL(clock_nanosleep)
{
	return do_nanosleep(s, a0, a1 & LX_TIMER_ABSTIME, a2, a3);
}

void lbx_linux_record_usage(struct lbx_process *p)
{
	struct lbx_rusage ru;

	lbx_plat_rusage(true, &ru);
	lbx_process_record_usage(p, &ru);
}

struct lx_tms {
	s64 utime;
	s64 stime;
	s64 cutime;
	s64 cstime;
};

#define LX_USER_HZ 100
#define NS_PER_TICK (LBX_NSEC_PER_SEC / LX_USER_HZ)

/* times(2): clock ticks (USER_HZ) of this process and of its reaped
 * children (with theirs). */
LBX_SYSCALL(times)
{
	struct lx_tms t = { 0 };
	struct lbx_rusage c;
	u64 u, sy;

	lbx_plat_cputime(true, &u, &sy);
	lbx_process_child_usage(s->p, &c);
	t.utime = (s64)(u / NS_PER_TICK);
	t.stime = (s64)(sy / NS_PER_TICK);
	t.cutime = (s64)(c.utime_ns / NS_PER_TICK);
	t.cstime = (s64)(c.stime_ns / NS_PER_TICK);
	if (a0 && lbx_copy_to_guest(a0, &t, sizeof(t)))
		return -EFAULT;
	return (long)(lbx_plat_now_mono() / NS_PER_TICK);
}

#define LX_RUSAGE_SELF		0
#define LX_RUSAGE_CHILDREN	(-1)
#define LX_RUSAGE_THREAD	1

struct lx_rusage {
	struct lx_timeval ru_utime;
	struct lx_timeval ru_stime;
	s64 ru_maxrss;
	s64 ru_ixrss;
	s64 ru_idrss;
	s64 ru_isrss;
	s64 ru_minflt;
	s64 ru_majflt;
	s64 ru_nswap;
	s64 ru_inblock;
	s64 ru_oublock;
	s64 ru_msgsnd;
	s64 ru_msgrcv;
	s64 ru_nsignals;
	s64 ru_nvcsw;
	s64 ru_nivcsw;
};
_Static_assert(sizeof(struct lx_rusage) == 144, "struct rusage ABI");

/* struct rusage to the guest: getrusage's, wait4's and waitid's. */
int lbx_linux_put_rusage(u64 uaddr, const struct lbx_rusage *ru)
{
	struct lx_rusage out;

	memset(&out, 0, sizeof(out));
	out.ru_utime.tv_sec = (s64)(ru->utime_ns / LBX_NSEC_PER_SEC);
	out.ru_utime.tv_usec = (s64)(ru->utime_ns % LBX_NSEC_PER_SEC / 1000);
	out.ru_stime.tv_sec = (s64)(ru->stime_ns / LBX_NSEC_PER_SEC);
	out.ru_stime.tv_usec = (s64)(ru->stime_ns % LBX_NSEC_PER_SEC / 1000);
	out.ru_maxrss = (s64)ru->maxrss_kb;
	out.ru_minflt = (s64)ru->minflt;
	out.ru_majflt = (s64)ru->majflt;
	out.ru_nvcsw = (s64)ru->nvcsw;
	out.ru_nivcsw = (s64)ru->nivcsw;
	return lbx_copy_to_guest(uaddr, &out, sizeof(out));
}

LBX_SYSCALL(getrusage)
{
	struct lbx_rusage ru;

	switch ((s32)a0) {
	case LX_RUSAGE_SELF:
	case LX_RUSAGE_THREAD:
		lbx_plat_rusage((s32)a0 == LX_RUSAGE_SELF, &ru);
		break;
	case LX_RUSAGE_CHILDREN:
		lbx_process_child_usage(s->p, &ru);
		break;
	default:
		return -EINVAL;
	}
	return lbx_linux_put_rusage(a1, &ru);
}
