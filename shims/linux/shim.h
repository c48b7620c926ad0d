/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to the Linux shim: the per-call context and the handlers. */
#ifndef LBX_SHIM_H
#define LBX_SHIM_H

#include <litebox/task.h>
#include "linux_shim.h"
#include "syscall_names.h"

struct lbx_sys {
	struct lbx_thread *t;
	struct lbx_process *p;
	struct lbx_cpu_regs *regs;
	struct lbx_resume *res;
	/* -EINTR means "a handler ran", never "try again" (pause, sigsuspend). */
	bool no_restart;
	/* -EINTR from a call with a restart block (t->restart_*: the sleeps),
	 * Linux's -ERESTART_RESTARTBLOCK: a handler gets -EINTR whatever its
	 * SA_RESTART; without one the call goes on through restart_syscall,
	 * to the same deadline. */
	bool restart_block;
	/* -EINTR is the call's result, not an interruption (restart_syscall
	 * without a restart block): returned as it is. */
	bool eintr_result;
	/* Restarted after a handler even without SA_RESTART (execve's wait
	 * for its other threads, as Linux's -ERESTARTNOINTR). */
	bool restart_always;
	/* sigsuspend: the mask to put back once the signal is delivered. */
	bool restore_sigmask;
	u64 saved_sigmask;
};

typedef long (*lbx_sys_fn)(struct lbx_sys *s, u64 a0, u64 a1, u64 a2,
			   u64 a3, u64 a4, u64 a5);

#define LBX_SYSCALL(name)						\
	long lbx_sys_##name(struct lbx_sys *s, u64 a0, u64 a1, u64 a2,	\
			    u64 a3, u64 a4, u64 a5)

/* Declarations of every implemented handler. */
#define LBX_IMPL(name) LBX_SYSCALL(name);
#include "syscall_impl.h"
#undef LBX_IMPL

/* Name of syscall nr, or NULL. */
const char *lbx_linux_syscall_name(u64 nr);

/* sys_cred.c: kill(2)'s permission for the sending thread me to signal
 * process p, whose credentials are target (its leader's, or those of the
 * thread tgkill names), under sb->lock; prctl's PR_GET_KEEPCAPS (set
 * false) and PR_SET_KEEPCAPS. */
bool lbx_linux_may_signal_locked(const struct lbx_thread *me,
				 const struct lbx_process *p,
				 const struct lbx_cred *target, u32 sig);
long lbx_linux_prctl_keepcaps(struct lbx_sys *s, bool set, u64 arg);

/* sys_time.c: whether clockid clk is a CPU-time clock, the caller's
 * process's or its thread's (LBX_LINUX_CPU_*), 0 when it is not one, or
 * -EINVAL for the CPU clock of another process or thread. */
#define LBX_LINUX_CPU_PROCESS	1
#define LBX_LINUX_CPU_THREAD	2
int lbx_linux_cpu_clock(struct lbx_sys *s, u64 clk);
/* The calling thread's process ends: its usage, for its parent's
 * RUSAGE_CHILDREN (before lbx_process_exit()). */
void lbx_linux_record_usage(struct lbx_process *p);
/* Writes ru to the guest as a struct rusage: 0 or -EFAULT. */
int lbx_linux_put_rusage(u64 uaddr, const struct lbx_rusage *ru);

/* sys_proc.c */
#define LX_RLIMIT_STACK	3
#define LX_RLIM_INFINITY	(~0ULL)
void lbx_linux_rlimits_init(struct lbx_process *p);
/* The calling thread ends (exit, or killed by another thread's execve):
 * robust list, CLONE_CHILD_CLEARTID, and the host thread's exit. */
void lbx_linux_thread_die(struct lbx_sys *s, int code);
/*
 * The host exit status of a process that is exiting (LBX_HOP_EXIT_GROUP's
 * arg[0]): its wait status's, as Linux's group exit code, the same for
 * every thread that leaves with it, whichever got there first.
 */
u32 lbx_linux_exit_status(struct lbx_process *p);

/* sys_robust.c: what a thread's end does with its robust futex list; the
 * caller runs on the dying thread's address space. _all: every thread of
 * self's process (exit_group, a fatal signal, execve). */
void lbx_linux_robust_exit(struct lbx_thread *t);
void lbx_linux_robust_exit_all(struct lbx_thread *self);

/* sys_fs.c: a reference to the file at fd, or -EBADF. */
struct lbx_file;
int lbx_linux_fd_file(struct lbx_sys *s, int fd, struct lbx_file **out);

/*
 * sys_mm.c: guest mappings, recorded in the process's memory map. Placed
 * by the core's layout (lbx_mm_get_unmapped_area); lbx_linux_place maps
 * without recording (the ELF loader records its own ranges).
 */
int lbx_linux_place(struct lbx_sys *s, u64 *addr, u64 len, int prot, int lflags);
int lbx_linux_map(struct lbx_sys *s, u64 *addr, u64 len, int prot, int lflags,
		  u32 vflags, u64 offset, const char *name);
int lbx_linux_unmap(struct lbx_sys *s, u64 addr, u64 len);
/*
 * Maps the len bytes of file f from page-aligned off at addr (replacing
 * what is there, without recording), private, from the pages of the
 * sandbox's lower image when f's data is served in place from it there
 * (lbx_plat_image_map()): the whole pages of the file only, never the page
 * holding its end. Returns the bytes mapped from the image, from addr on
 * (0: none, and the range is still anonymous memory; the caller copies the
 * rest).
 */
u64 lbx_linux_map_image(struct lbx_process *p, struct lbx_file *f, u64 addr,
			u64 len, int prot, u64 off);
/* Copies f's data from off into the mapping at addr; past EOF stays zero. */
int lbx_linux_fill_from_file(struct lbx_file *f, u64 addr, u64 len, u64 off);
/*
 * The key of the futex word at uaddr: (its process's map, uaddr), or for a
 * word in a MAP_SHARED mapping that is not private (no FUTEX_PRIVATE_FLAG,
 * a robust list's death wake, the CLONE_CHILD_CLEARTID wake) (its shared
 * object, its offset in the object), so that every process mapping the
 * object meets on the same futex, wherever the mapping is.
 */
struct lbx_futex_key;
void lbx_linux_futex_key(struct lbx_process *p, u64 uaddr, bool private,
			 struct lbx_futex_key *k);

/* sys_signal.c: sends sig to the calling thread (default action: exit). */
long lbx_linux_signal_self(struct lbx_sys *s, u64 sig);

/* signal.c: delivery at the exit from LiteBox; interrupted_nr >= 0 when
 * that syscall returned -EINTR (restart or EINTR, by SA_RESTART). */
void lbx_linux_deliver_signal(struct lbx_sys *s, long interrupted_nr);
/* signal.c: parks the thread while its process is stopped (job control);
 * true when the entry must end at once (exit, or a host signal). */
bool lbx_linux_park(struct lbx_sys *s);
/* syscall.c: what every exit from LiteBox does (signal delivery). */
void lbx_linux_leave(struct lbx_sys *s, long interrupted_nr);

/* sys_task.c */
void lbx_linux_fork_abort(struct lbx_thread *child);

/* sys_sched.c: a new thread's scheduling settings, from its creator's. */
void lbx_linux_sched_inherit(struct lbx_thread *child, const struct lbx_thread *parent);

/* process.c */
int lbx_linux_process_fs_init(struct lbx_process *p, const char *cwd);

/* rewrite.c: patch the syscall sites of code mapped from file f at addr
 * (bytes [off, off + len) of the file); the lazy pass at a trapped call. */
void lbx_linux_rewrite_file(struct lbx_process *p, struct lbx_file *f, u64 addr,
			    u64 len, u64 off);
void lbx_linux_rewrite_lazy(struct lbx_sys *s);
void lbx_linux_rewrite_reclaim(struct lbx_process *p);
void lbx_linux_rewrite_mprotect(struct lbx_process *p, u64 start, u64 end);

/* exec.c */
/* replace: an execve over a running image (else the first exec). */
int lbx_linux_exec(struct lbx_sys *s, const char *path,
		   const char *const *argv, const char *const *envp, bool replace);

#endif
