/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux shim's entry points, called by a platform's entry code (kmod's
 * ioctl handler, lbx-run's stub) with the guest's registers.
 */
#ifndef LBX_LINUX_SHIM_H
#define LBX_LINUX_SHIM_H

#include <litebox/task.h>

/*
 * Serves one guest system call (regs->rax = number, arguments in rdi, rsi,
 * rdx, r10, r8, r9). On return regs->rax holds the result unless res->flags
 * has LBX_RES_ALL_REGS (execve, sigreturn), in which case all of *regs is the
 * state to resume with. res->hostop names a host operation to perform first.
 * flags: LBX_SYS_DIRECT for an entry from a rewritten site, which resumes
 * with rax alone; what needs more comes back as LBX_RES_TRAP.
 */
void lbx_linux_syscall(struct lbx_thread *t, struct lbx_cpu_regs *regs,
		       struct lbx_resume *res, u32 flags);

/*
 * Starts a sandbox's first process in the calling host thread: creates the
 * process (its main thread's platform state is thread_plat), makes it
 * current, and execs path with argv/envp (NULL-terminated arrays of
 * LiteBox-memory strings) in cwd, with credentials cred (NULL: root;
 * lbx_cred_init() builds others). On success *regs is the initial state and
 * *out the new thread (one reference, owned by the platform).
 */
int lbx_linux_start(struct lbx_sandbox *sb, void *thread_plat, const char *path,
		    const char *const *argv, const char *const *envp,
		    const char *cwd, const struct lbx_cred *cred,
		    struct lbx_cpu_regs *regs, struct lbx_resume *res,
		    struct lbx_thread **out);

/*
 * An event entry (enum lbx_event_kind of the uapi: 1 host signal, 2 fault,
 * 3 kick). Unless nested, a pending signal is delivered and regs and res say
 * how to resume, as for a system call.
 */
struct lbx_event_info {
	u32 kind;
	u32 signo;
	s32 code;
	u32 trapno;
	u64 addr;
	bool nested;
};
void lbx_linux_event(struct lbx_thread *t, const struct lbx_event_info *ev,
		     struct lbx_cpu_regs *regs, struct lbx_resume *res);

/*
 * Copies a NULL-terminated array of guest strings (argv, envp) once into
 * LiteBox memory: -EFAULT, or -E2BIG past *budget bytes (which it lowers)
 * or MAX_ARG_STRLEN per string. A zero address gives an empty (NULL) vector.
 */
int lbx_linux_copy_strv(u64 uv, char ***out, u64 *budget);
void lbx_linux_free_strv(char **v);

/*
 * A forked child's first entry, on its own memory (CLONE_CHILD_SETTID);
 * and dropping a fork the platform could not complete.
 */
int lbx_linux_fork_child_start(struct lbx_thread *t);
void lbx_linux_fork_abort(struct lbx_thread *child);
/*
 * A thread whose host task died without LiteBox deciding it (a host
 * SIGKILL, an OOM kill): walks its robust futex list, as Linux does in
 * exit_mm(). The caller makes the dead process's address space current
 * (kthread_use_mm()) and kept it alive for this. A list already walked
 * (an exit through LiteBox) is not walked again.
 */
void lbx_linux_robust_host_death(struct lbx_thread *t);

#endif
