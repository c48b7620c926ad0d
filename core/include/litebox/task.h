/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sandboxes, guest processes and guest threads: the objects every core
 * service hangs off. A sandbox owns its processes; a process owns its
 * threads. Lifetimes are refcounted; the platform holds one reference on the
 * sandbox for as long as its handle (the sandbox fd) is open.
 */
#ifndef LITEBOX_TASK_H
#define LITEBOX_TASK_H

#include <litebox/core.h>
#include <litebox/cred.h>
#include <litebox/memacct.h>
#include <litebox/list.h>
#include <litebox/waitqueue.h>

#define LBX_DEFAULT_FS_MEM	(256ULL << 20)
#define LBX_DEFAULT_MAX_PROCS	64
#define LBX_DEFAULT_MAX_THREADS	256
#define LBX_DEFAULT_MAX_FDS	1024
#define LBX_MAX_SYSCALL_NR	512
#define LBX_RLIM_NLIMITS	16
#define LBX_RLIM_INFINITY	(~0ULL)

struct lbx_vfs;
struct lbx_fs_ctx;
struct lbx_mm;
struct lbx_fdtable;
struct lbx_futex_table;
struct lbx_flock_table;
struct lbx_ptimer;

struct lbx_limits {
	u64 fs_mem;
	u32 max_procs;
	u32 max_threads;
	u32 max_fds;
};

#define LBX_NSIG		64
/* Signals from LBX_SIGRTMIN up queue: each send is a delivery of its own. */
#define LBX_SIGRTMIN		32
/* The index of RLIMIT_SIGPENDING in lbx_process.rlim (Linux's number). */
#define LBX_RLIMIT_SIGPENDING	11
/* The most RLIMIT_SIGPENDING may be: queued real-time signals per sandbox. */
#define LBX_SIGQUEUE_MAX	1024

/* A guest signal disposition, in the layout of Linux's kernel_sigaction. */
struct lbx_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	u64 mask;
};

/* What a handler learns about a signal (Linux's siginfo_t, 128 bytes). */
struct lbx_siginfo {
	s32 signo;
	s32 errno_;
	s32 code;
	s32 pad;
	union {
		struct {		/* kill, SIGCHLD */
			s32 pid;
			u32 uid;
			s32 status;
		};
		u64 addr;		/* faults */
		struct {		/* sigqueue (SI_QUEUE): si_value */
			s32 pid;
			u32 uid;
			u64 value;
		} rt;
		struct {		/* a POSIX timer (SI_TIMER) */
			s32 tid;	/* si_timerid */
			s32 overrun;
			u64 value;
		} timer;
	};
	u64 utime;
	u64 stime;
	u32 trapno;
	u8 rest[128 - 52];
};
_Static_assert(sizeof(struct lbx_siginfo) == 128, "siginfo_t ABI");
_Static_assert(__builtin_offsetof(struct lbx_siginfo, rt.value) == 24, "si_value");
_Static_assert(__builtin_offsetof(struct lbx_siginfo, timer.overrun) == 20, "si_overrun");
_Static_assert(__builtin_offsetof(struct lbx_siginfo, timer.value) == 24, "si_value");

/* One queued real-time signal (a thread's rtq list, in arrival order). */
struct lbx_sigqueue {
	struct lbx_sigqueue *next;
	struct lbx_siginfo info;
};

struct lbx_sandbox_stats {
	u64 syscalls;
	u64 enosys;
	u64 direct;		/* syscalls entered from rewritten sites */
	u64 rw_patched;		/* syscall sites rewritten */
	u64 rw_unsafe;		/* syscall sites left on the trap */
	/* Bit n: unimplemented syscall n was seen (logged once). */
	u64 enosys_seen[LBX_MAX_SYSCALL_NR / 64];
	/* Calls that returned an error (-4095..-1), and calls per number
	 * (relaxed atomics: a reader sees a recent value of each). */
	u64 errors;
	u64 per_nr[LBX_MAX_SYSCALL_NR];
};

struct lbx_sandbox {
	u32 refs;
	u32 id;
	void *plat;			/* the platform's own state */
	struct lbx_limits limits;
	struct lbx_memacct fs_mem;
	struct lbx_vfs *vfs;
	struct lbx_futex_table *futex;
	struct lbx_flock_table *flocks;	/* POSIX record locks */

	struct lbx_plat_mutex lock;	/* protects everything below */
	struct lbx_list_head procs;
	u32 next_pid;
	u32 nr_procs;
	u32 nr_threads;
	bool dying;
	/* Bumped (and child_wq woken) whenever a process exits: wait4's sleep. */
	u32 child_events;
	struct lbx_waitqueue child_wq;
	/* Woken (key POLLIN) whenever a signal is queued: signalfd. */
	struct lbx_waitqueue sig_wq;
	/* Real-time signals queued on the sandbox's threads: one
	 * RLIMIT_SIGPENDING count for the whole sandbox (Linux counts per
	 * user; a sandbox's users share the one bound); atomic. */
	u32 nr_sigqueued;
	struct lbx_sandbox_stats stats;
	/* The stub's direct entry (the rewriter's call target); 0: no rewriting. */
	u64 direct_entry;
	struct lbx_rw_cache *rw_cache;	/* scan results of its files */
	/* Scan results shared with other sandboxes of the same domain (set
	 * by the platform after lbx_sandbox_create; NULL: none). */
	struct lbx_rw_shared *rw_shared;
	u64 rw_domain;
};

struct lbx_process {
	u32 refs;
	u32 pid;
	u32 ppid;
	u32 pgid;
	u32 sid;
	struct lbx_sandbox *sb;
	struct lbx_list_head sb_node;	/* in sb->procs */
	struct lbx_list_head threads;
	u32 nr_threads;

	/* Its leader's credentials (the thread whose tid is the pid; each
	 * thread has its own, litebox/cred.h): what other processes see of
	 * it. Under sb->lock; changed only through lbx_cred_install_locked(). */
	struct lbx_cred cred;
	struct lbx_fs_ctx *fs;
	struct lbx_fdtable *files;
	struct lbx_mm *mm;
	char *exe_path;			/* guest path of the running image */
	/* argv and envp of the running image, NUL-separated (/proc/PID/cmdline
	 * and environ); replaced under sb->lock at execve. */
	char *cmdline;
	u32 cmdline_len;
	char *environ;
	u32 environ_len;

	/* Program break, as the shim's brk() manages it. */
	u64 brk_start;
	u64 brk_cur;
	u64 brk_mapped_end;

	/* Signal dispositions, shared by the threads (index: signal - 1). */
	struct lbx_sigaction sigactions[LBX_NSIG];
	/* Resource limits (RLIMIT_*): cur and max. */
	struct {
		u64 cur;
		u64 max;
	} rlim[LBX_RLIM_NLIMITS];
	/* membarrier(2) registrations (MEMBARRIER_CMD_REGISTER_* bits). */
	u32 membarrier_reg;
	/* ITIMER_REAL (alarm, setitimer): the monotonic expiry (0: off) and
	 * the interval, under sb->lock; see lbx_itimer_expire(). */
	u64 itimer_real_expires;
	u64 itimer_real_interval;
	/* POSIX timers (core/task/ptimer.c), under sb->lock: LBX_PTIMER_MAX
	 * slots, allocated at the first timer_create (NULL: none yet). */
	struct lbx_ptimer **ptimers;
	/* The earliest monotonic expiry among those that signal (0: none),
	 * for lbx_itimer_clamp(); atomic. */
	u64 ptimer_next;
	/* Armed CPU-time timers that signal (POSIX timers, ITIMER_VIRTUAL,
	 * ITIMER_PROF): while non-zero, threads ask for a tick; atomic. */
	u32 cpu_timers;
	/* ITIMER_VIRTUAL and ITIMER_PROF: the expiry on the process's user
	 * (resp. user + system) CPU clock (0: off) and the interval. */
	struct {
		u64 expires;
		u64 interval;
	} itimer_cpu[2];

	/*
	 * Job control (core/task/jobctl.c), under sb->lock: a group stop
	 * decided (threads park as they leave LiteBox; read locklessly as a
	 * hint), by which signal, how many threads are parked, and whether
	 * the parent was told. wait_report: what wait4's WUNTRACED or
	 * WCONTINUED has yet to collect (LBX_WAIT_REPORT_*).
	 */
	bool stopped;
	bool stop_notified;
	u8 wait_report;
	u32 stop_sig;
	u32 nr_parked;
	u32 cont_seq;			/* SIGCONTs sent (a stop decided before one is void) */
	/* Orphaned process groups: just reparented by its parent's exit;
	 * due a SIGHUP and SIGCONT (lbx_jobctl_orphan_hangup()). */
	bool reparented;
	bool orphan_hup;
	/* A zombie whose parent exited: its exit is reported again, to its
	 * new parent, which reaps it at once if it ignores SIGCHLD
	 * (reparent_leader()). */
	bool renotify;
	/* PR_SET_CHILD_SUBREAPER: its descendants' orphans come to it rather
	 * than to pid 1. Kept over execve, not inherited; under sb->lock. */
	bool child_subreaper;
	/* The parent's thread that created it (Linux's real_parent, a
	 * thread): PR_SET_PDEATHSIG fires when that thread exits. Under
	 * sb->lock. pdeath_pending: the signals (bit n - 1) that its
	 * parent's death owes it, from pdeath_pid with pdeath_uid. */
	u32 parent_tid;
	u64 pdeath_pending;
	u32 pdeath_pid;
	u32 pdeath_uid;
	/* execve or exit from a multithreaded process: its other threads are
	 * being killed (no new ones); thread_wq is woken whenever a thread
	 * leaves. */
	bool in_exec;
	struct lbx_waitqueue thread_wq;
	struct lbx_waitqueue stop_wq;	/* parked threads */

	/* Sent to the parent at exit (clone's CSIGNAL; 0: none). */
	u32 exit_signal;
	bool exiting;			/* exit decided: no more syscalls served */
	bool exited;			/* its files, fs context and memory map released */
	/* Its parent notified (exit signal queued): wait4 may collect it, as
	 * Linux's zombie state, which a waiter never sees before SIGCHLD. */
	bool waitable;
	bool notifying;			/* its exit signal is being sent */
	int exit_code;			/* wait status */
	bool reaped;			/* collected by wait4/waitid */
	bool parent_ref;		/* the parent holds a reference until it reaps */
	/*
	 * getrusage(2), under sb->lock: the process's own usage, recorded
	 * once as it exits (lbx_process_record_usage()), and that of the
	 * children it reaped, each with its own reaped children's (Linux's
	 * signal_struct c* fields; maxrss: the largest).
	 */
	bool usage_recorded;
	struct lbx_rusage usage;
	struct lbx_rusage child_usage;
};

/*
 * How a guest thread resumes after an entry into LiteBox, and the host
 * operation (if any) the platform must perform first: what a kernel module
 * cannot do from inside an ioctl (DESIGN.md 3.4). Values match the uapi's
 * LBX_HOSTOP_* and LBX_RESUME_*.
 */
enum {
	LBX_HOP_NONE = 0,
	LBX_HOP_EXIT_GROUP = 1,		/* arg0: host exit status */
	LBX_HOP_EXIT_THREAD = 2,	/* arg0: status */
	LBX_HOP_MPROTECT = 3,		/* addr, len, host prot; its result is the syscall's */
	LBX_HOP_FORK = 4,		/* fork the host process */
	LBX_HOP_THREAD = 5,		/* start a host thread: flags, stack top, stub block */
};
#define LBX_RES_SET_FS		(1U << 0)
#define LBX_RES_ALL_REGS	(1U << 1)
/* A direct entry (a rewritten site) cannot resume this way: the stub
 * re-issues the call through the trapping path with regs->rax. */
#define LBX_RES_TRAP		(1U << 2)

/* lbx_linux_syscall() flags */
#define LBX_SYS_DIRECT		(1U << 0)	/* from a rewritten site */

/* The syscall number (none of Linux's) with which the trapping path picks up
 * the exit work a direct entry deferred (signal delivery, restart). */
#define LBX_RESUME_NR		0x4c42

struct lbx_resume {
	u32 flags;
	u32 hostop;
	u64 arg[4];
};

/* The guest's registers at an entry; the layout of the uapi's lbx_regs. */
struct lbx_cpu_regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	u64 r9, r8, rax, rcx, rdx, rsi, rdi;
	u64 rip, rsp, rflags;
	u64 fs_base;
	u64 reserved;
};

struct lbx_thread {
	u32 refs;
	u32 tid;
	struct lbx_process *proc;
	struct lbx_list_head proc_node;	/* in proc->threads */
	void *plat;			/* the platform's own per-thread state */

	u64 fs_base;
	u64 clear_child_tid;
	/* Its credentials (litebox/cred.h): changed by the thread itself
	 * through lbx_cred_install_locked(), under sb->lock; read by it
	 * without the lock, by others under it. */
	struct lbx_cred cred;
	/* set_robust_list(): the guest's robust_list_head (0: none); walked
	 * when the thread ends (shims/linux/sys_robust.c). */
	u64 robust_list;
	u64 sigmask;			/* blocked signals, bit (n - 1) */
	/*
	 * Pending signals, bit (n - 1), under sb->lock (read locklessly as
	 * a hint). A standard signal is pending once whatever its number of
	 * sends, with siginfo[n - 1]. A real-time signal is pending while
	 * rtq holds an instance of it (or one sent without room to queue
	 * its siginfo: delivered once, as SI_USER, as Linux does).
	 */
	u64 sigpending;
	struct lbx_siginfo siginfo[LBX_SIGRTMIN - 1];
	struct lbx_sigqueue *rtq_head;	/* FIFO of queued RT signals */
	struct lbx_sigqueue *rtq_tail;
	/* The set a thread waits for in rt_sigtimedwait (0: not waiting):
	 * process-directed signals look for such a thread. Atomic. */
	u64 sigwait_set;
	u64 altstack_sp;
	u64 altstack_size;
	u32 altstack_flags;
	char comm[16];			/* prctl(PR_SET_NAME) */
	/* prctl(PR_SET_PDEATHSIG): sent to its process when the parent
	 * thread exits (0: none). Set by the thread itself; read by others
	 * under sb->lock; atomic. */
	u32 pdeath_sig;
	/* Scheduling as the guest set it, recorded and not enforced (the
	 * host schedules): nice -20..19, policy (SCHED_OTHER, BATCH, IDLE;
	 * SCHED_RESET_ON_FORK kept in the policy's bit 30). */
	s32 nice;
	u32 sched_policy;
	/* During an entry: where the shim and platform record how to resume. */
	struct lbx_resume *resume;
	/* A thread not yet running (fork child): the registers it starts with. */
	struct lbx_cpu_regs start_regs;
	u64 set_child_tid;
	/* The platform kicks this thread periodically (lbx_plat_cpu_tick()):
	 * its process has CPU-time timers. Only the thread itself changes it. */
	bool cpu_tick;
	/* Set and woken to pull the thread out of any core wait. */
	u32 interrupt;
	/* Killed by another thread's execve: it exits at its next entry into
	 * LiteBox, without running guest code again (atomic). */
	bool exec_killed;
	/* Signal frames delivered and not yet returned from (a bound: a
	 * handler may leave by longjmp); lazy rewriting waits for zero. */
	u32 sig_frames;
	/* restart_syscall(2): how an interrupted sleep goes on (the shim's
	 * restart block, Linux's restart_block): its deadline (monotonic, or
	 * on the process's CPU clock), its remaining-time pointer (0: none,
	 * or an absolute sleep). */
	bool restart_pending;
	bool restart_cpu;		/* the deadline is on the process CPU clock */
	u64 restart_deadline;
	u64 restart_rem;
	/* The exit work of a direct entry, deferred to LBX_RESUME_NR. */
	struct lbx_deferred {
		bool valid;
		bool no_restart;
		bool restart_block;
		bool restore_sigmask;
		s64 interrupted_nr;
		u64 saved_sigmask;
		struct lbx_cpu_regs regs;
	} deferred;
};

int lbx_sandbox_create(const struct lbx_limits *limits, void *plat,
		       struct lbx_sandbox **out);
void lbx_sandbox_get(struct lbx_sandbox *sb);
void lbx_sandbox_put(struct lbx_sandbox *sb);
/* Marks the sandbox dying: no new processes or threads. */
void lbx_sandbox_kill(struct lbx_sandbox *sb);

/* Creates a process with one thread; -EAGAIN beyond the limits. */
int lbx_process_create(struct lbx_sandbox *sb, struct lbx_process *parent,
		       struct lbx_thread **main_thread);
/* A new thread in p (its tid from the sandbox's pid space); -EAGAIN
 * beyond the thread limit. */
int lbx_thread_create(struct lbx_process *p, struct lbx_thread **out);
/* The live thread tid of the sandbox, with a reference, or NULL. */
struct lbx_thread *lbx_thread_find(struct lbx_sandbox *sb, u32 tid);
void lbx_process_get(struct lbx_process *p);
void lbx_process_put(struct lbx_process *p);
void lbx_thread_get(struct lbx_thread *t);
void lbx_thread_put(struct lbx_thread *t);
/* Detaches a thread from its process (thread exit). */
void lbx_thread_exit(struct lbx_thread *t);
/*
 * execve's de_thread(): kills every other thread of self's process (each
 * exits at its next entry into LiteBox, pulled in by interruption and
 * kicks) and waits until they have left the process; then self takes the
 * process's pid as its tid. 0, or -EINTR when a host signal came first
 * (the threads are still being killed: call again).
 */
int lbx_process_de_thread(struct lbx_thread *self);

/* What lbx_process_zap_others() found. */
enum lbx_zap {
	LBX_ZAP_ALONE,		/* self is the last thread: exit the process */
	LBX_ZAP_KILLED,		/* another thread is ending the process first */
	LBX_ZAP_HOST_DEATH,	/* a fatal host signal: the host ends them all */
};
/*
 * exit_group and a fatal signal: kills every other thread of self's
 * process, as de_thread does, and waits until they have left LiteBox, so
 * that none still uses the memory map, descriptor table or fs context when
 * the exit releases them (Linux's zap_other_threads, and the group's
 * resources going with its last thread). With LBX_ZAP_HOST_DEATH the
 * caller must not exit the process itself: the platform's host-death path
 * does, once every thread is gone.
 */
enum lbx_zap lbx_process_zap_others(struct lbx_thread *self);

/*
 * Records that p exited with the wait status `status` (first call wins),
 * reparents its children to pid 1 and wakes wait4 sleepers.
 */
void lbx_process_exit(struct lbx_process *p, int status);
/*
 * Records p's final resource usage, before lbx_process_exit() (first call
 * wins): the parent adds it to its children's when it reaps p. A process
 * that ends without one (its host process killed) counts as zero.
 */
void lbx_process_record_usage(struct lbx_process *p, const struct lbx_rusage *ru);
/* getrusage(RUSAGE_CHILDREN): what p's reaped children used. */
void lbx_process_child_usage(struct lbx_process *p, struct lbx_rusage *ru);
/* Drops the references parents hold on unreaped children (teardown). */
void lbx_sandbox_release_zombies(struct lbx_sandbox *sb);

/* The parent's struct process, with a reference, or NULL (none, or gone). */
struct lbx_process *lbx_process_parent_get(struct lbx_process *p);

/*
 * wait4/waitid: a child matching `pid` (wait4's encoding: -1 any, >0 that
 * pid, 0 own group, <-1 group -pid) that has exited (LBX_WAIT_EXITED),
 * stopped (LBX_WAIT_STOPPED: status 0x7f | sig << 8) or continued
 * (LBX_WAIT_CONTINUED: status 0xffff); what: LBX_WAIT_REPORT_*.
 */
struct lbx_wait_result {
	u32 pid;
	int status;
	u32 uid;	/* the child's real uid (waitid's si_uid) */
	u32 what;
	/* An exited child's usage with its reaped children's (wait4's
	 * rusage, Linux's RUSAGE_BOTH); zero for other reports. */
	struct lbx_rusage usage;
};
#define LBX_WAIT_NOHANG		(1U << 0)
#define LBX_WAIT_NOWAIT		(1U << 1)	/* leave the child waitable */
#define LBX_WAIT_EXITED		(1U << 2)
#define LBX_WAIT_STOPPED	(1U << 3)
#define LBX_WAIT_CONTINUED	(1U << 4)
enum {
	LBX_WAIT_REPORT_NONE,
	LBX_WAIT_REPORT_EXITED,
	LBX_WAIT_REPORT_STOPPED,
	LBX_WAIT_REPORT_CONTINUED,
};
int lbx_process_wait(struct lbx_thread *self, s32 pid, u32 flags,
		     struct lbx_wait_result *res);

/* Signals (core/task/signal.c). */
enum {
	LBX_SIGDFL_TERM,
	LBX_SIGDFL_CORE,
	LBX_SIGDFL_IGN,
	LBX_SIGDFL_STOP,
	LBX_SIGDFL_CONT,
};
int lbx_signal_default_action(u32 sig);
/* True when sig would be discarded at once by p's disposition. */
bool lbx_signal_ignored(struct lbx_process *p, u32 sig);

/* SIGKILL and SIGSTOP: never blocked. */
#define LBX_SIG_UNBLOCKABLE	((1ULL << 8) | (1ULL << 18))
/*
 * Sets t's blocked mask (t: the calling thread) under the sandbox lock, as
 * Linux's siglock: a sender decides from the mask it reads under that lock
 * whether to interrupt t, so a mask change and a send cannot both miss the
 * other. A pending signal the new mask lets through marks t interrupted
 * (no wait sleeps on it; the exit from LiteBox delivers it). Returns
 * whether one does.
 */
bool lbx_signal_set_mask(struct lbx_thread *t, u64 mask);
/* The pending signals t does not block, read without the lock: the check
 * on the way out of LiteBox (a sender also interrupts and kicks t). */
static inline u64 lbx_signal_deliverable(const struct lbx_thread *t)
{
	return LBX_READ_ONCE(t->sigpending) & ~(t->sigmask & ~LBX_SIG_UNBLOCKABLE);
}
/* Whether t has a pending signal it does not block (under the lock). */
bool lbx_signal_ready(struct lbx_thread *t);
/*
 * Makes info->signo pending on t and pulls t out of waits and guest code
 * (when t does not block it). A real-time signal is queued with its siginfo
 * as a delivery of its own, within the target's RLIMIT_SIGPENDING: beyond
 * it, a kill()-style send (code SI_USER) still makes the signal pending,
 * without its siginfo, and any other send fails with -EAGAIN (Linux's
 * rule). Returns 0 or -EAGAIN (-ENOMEM: no memory for the queue entry).
 */
int lbx_signal_queue(struct lbx_thread *t, const struct lbx_siginfo *info);
/*
 * The same in two steps, for a caller that decides under sb->lock: queues
 * info on t with e, the entry of a real-time signal (lbx_plat_alloc() of a
 * struct lbx_sigqueue, or NULL; consumed either way), and says whether t
 * must be woken; after the lock, lbx_signal_wake(t, wake) (on success).
 */
int lbx_signal_queue_locked(struct lbx_thread *t, const struct lbx_siginfo *info,
			    struct lbx_sigqueue *e, bool *wake);
void lbx_signal_wake(struct lbx_thread *t, bool wake);
/* Under sb->lock: the thread of p a process-directed sig goes to, or NULL
 * (p is exiting). */
struct lbx_thread *lbx_signal_target_locked(struct lbx_process *p, u32 sig);
/*
 * A process-directed signal, unless ignored: queued on the first thread
 * that does not block it or waits for it in rt_sigtimedwait, else on the
 * main thread. Returns as lbx_signal_queue().
 */
int lbx_signal_process(struct lbx_process *p, const struct lbx_siginfo *info);
/*
 * Under sb->lock: removes t's lowest pending signal in mask, the oldest
 * instance of a real-time one, and fills *info. Returns the signal, or 0.
 */
u32 lbx_signal_dequeue_locked(struct lbx_thread *t, u64 mask,
			      struct lbx_siginfo *info);
/* Frees t's queued signals (a thread being freed). */
void lbx_signal_flush(struct lbx_thread *t);
/* Instances of sig queued on t (under sb->lock; tests, /proc). */
u32 lbx_signal_queued_locked(struct lbx_thread *t, u32 sig);

/* Job control (core/task/jobctl.c). SIGCHLD codes: */
#define LBX_CLD_STOPPED		5
#define LBX_CLD_CONTINUED	6
/* At every send of sig to p: SIGCONT continues a stopped p and discards
 * its pending stop signals; a stop signal discards a pending SIGCONT. */
void lbx_jobctl_prepare(struct lbx_process *p, u32 sig);
/* A stop signal's default action, dequeued by self: starts the group stop
 * (the other threads are pulled out to park); self parks next. cont_seq:
 * p->cont_seq as read under sb->lock at the dequeue; a SIGCONT sent since
 * then cancels this stop, as if it had come before the dequeue. */
void lbx_jobctl_stop(struct lbx_thread *self, u32 sig, u32 cont_seq);
/*
 * Parks self while its process is stopped, until SIGCONT, SIGKILL, the
 * process's exit or the sandbox's end: 0. -EINTR when a host signal for
 * the host thread ended the sleep first (the process may still be
 * stopped: park again at the next entry).
 */
int lbx_jobctl_park(struct lbx_thread *self);
/* Wakes p's parked threads to look again (exit, SIGKILL, teardown). */
void lbx_jobctl_wake(struct lbx_process *p);
/* Under sb->lock: every thread parked, parent not told yet: records the
 * report and returns true (and the stop signal): the caller then calls
 * lbx_jobctl_notify_parent(p, LBX_CLD_STOPPED, sig) unlocked. */
bool lbx_jobctl_stop_complete_locked(struct lbx_process *p, u32 *sig);
/* SIGCHLD (unless the parent set SA_NOCLDSTOP) and a wake of wait4. */
void lbx_jobctl_notify_parent(struct lbx_process *p, int why, u32 sig);
/* Whether p's process group is orphaned: SIGTSTP, SIGTTIN and SIGTTOU are
 * then discarded by their default action (SIGSTOP is not). */
bool lbx_jobctl_pgrp_orphaned(struct lbx_process *p);
/*
 * Under sb->lock, at p's exit (p->exiting set, its children reparented
 * with ->reparented set): marks the members of each group that p's exit
 * orphans and that has a stopped member; then, unlocked,
 * lbx_jobctl_orphan_hangup() sends them SIGHUP and SIGCONT.
 */
void lbx_jobctl_exit_orphans_locked(struct lbx_process *p);
void lbx_jobctl_orphan_hangup(struct lbx_sandbox *sb);

/* Diagnostics (core/task/stats.c): counts one served call nr and its
 * result (all_regs: the call restored all registers, ret is no result). */
static inline void lbx_stats_syscall_done(struct lbx_sandbox *sb, u64 nr,
					  long ret, bool all_regs)
{
	if (nr < LBX_MAX_SYSCALL_NR)
		__atomic_fetch_add(&sb->stats.per_nr[nr], 1, __ATOMIC_RELAXED);
	if (!all_regs && ret < 0 && ret >= -4095)
		__atomic_fetch_add(&sb->stats.errors, 1, __ATOMIC_RELAXED);
}

/* What a sandbox holds right now. */
struct lbx_sandbox_usage {
	u32 procs;		/* processes not yet exited */
	u32 zombies;		/* exited, not yet reaped */
	u32 threads;
	u32 fds;		/* open descriptors, summed over fd tables */
	u64 fs_mem_used;
	u64 fs_mem_peak;
};
/* Takes sb->lock and each process's fd table lock (as procfs does). */
void lbx_sandbox_usage(struct lbx_sandbox *sb, struct lbx_sandbox_usage *u);

/*
 * ITIMER_REAL. There is no timer callback in the platform contract: the
 * timer fires when a thread of the process looks at it at or after its
 * expiry. Every interruptible sleep in LiteBox (lbx_waiter_sleep(), the
 * shim's nanosleep and pause) sleeps no later than the expiry
 * (lbx_itimer_clamp()) and then calls lbx_itimer_expire(), which sends
 * SIGALRM to the process and re-arms a periodic timer; every system call
 * and every kick calls it too. A guest that computes without entering
 * LiteBox gets its SIGALRM at its next entry (the CPU-time tick of
 * litebox/ptimer.h, when one runs, is such an entry).
 */
/* Sets the timer (value 0: off) and returns the old one (time left). */
void lbx_itimer_real_set(struct lbx_process *p, u64 value, u64 interval,
			 u64 *old_value, u64 *old_interval);
/* The time left (0: off; a due one that has not fired: 1 ns). */
void lbx_itimer_real_get(struct lbx_process *p, u64 *value, u64 *interval);
/* min(deadline, t's process timer expiry); deadline when t is NULL. */
u64 lbx_itimer_clamp(struct lbx_thread *t, u64 deadline);
/* Fires t's process timers that are due (ITIMER_REAL, and the POSIX and
 * CPU-time timers of litebox/ptimer.h); true if one did. */
bool lbx_itimer_expire(struct lbx_thread *t);

static inline struct lbx_thread *lbx_current(void)
{
	return lbx_plat_current();
}

#endif
