/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest process's credentials: real, effective, saved and file-system
 * uid and gid, supplementary groups, and a coarse capability view.
 *
 * The rules are Linux's (kernel/sys.c, commoncap.c) with capabilities
 * reduced to all or nothing: "capable" means the whole set is in the
 * effective set. Root (euid 0) starts with every capability; setuid
 * transitions drop and raise them as cap_emulate_setxuid() does, and
 * PR_SET_KEEPCAPS keeps the permitted set over a change away from uid 0.
 *
 * The credentials belong to each thread, as Linux's task credentials: a
 * raw set*id system call changes the calling thread's only (glibc and
 * musl give programs POSIX's per-process view by making every thread
 * call it). A new thread or process starts with its creator's. A thread
 * changes its own under the sandbox lock, where others read them (kill
 * permission, capget); it reads its own without the lock, as Linux's
 * current_cred(). The process's copy (struct lbx_process.cred) is its
 * leader's, the thread whose tid is the pid: what other processes see of
 * it (/proc/PID/status, kill(2)'s target, wait's si_uid). File
 * permission checks use the calling thread's (lbx_fs_ident()).
 */
#ifndef LITEBOX_CRED_H
#define LITEBOX_CRED_H

#include <litebox/core.h>

#define LBX_NGROUPS_MAX		32
#define LBX_INVALID_ID		((u32)-1)
/* Every capability of Linux 6.1 (CAP_LAST_CAP 40): what "all" means. */
#define LBX_CAP_FULL		0x1ffffffffffULL

struct lbx_cred {
	u32 uid, euid, suid, fsuid;
	u32 gid, egid, sgid, fsgid;
	u32 ngroups;
	u32 groups[LBX_NGROUPS_MAX];
	bool cap_permitted;	/* all capabilities permitted, or none */
	bool cap_effective;	/* all capabilities effective, or none */
	bool keepcaps;		/* PR_SET_KEEPCAPS; cleared at execve */
};

struct lbx_process;
struct lbx_thread;

/* Root with every capability: a sandbox's first process by default. */
void lbx_cred_init_root(struct lbx_cred *c);
/* A first process as uid:gid with groups (uid 0: root as above). */
int lbx_cred_init(struct lbx_cred *c, u32 uid, u32 gid, const u32 *groups,
		  u32 ngroups);

static inline bool lbx_cred_capable(const struct lbx_cred *c)
{
	return c->cap_effective;
}

/*
 * The set*id calls on a copy: each takes the current credentials and the
 * call's arguments (LBX_INVALID_ID: unchanged, where Linux allows it) and
 * writes the new credentials to *n, or returns -EPERM / -EINVAL leaving
 * *n unspecified.
 */
int lbx_cred_setuid(const struct lbx_cred *c, struct lbx_cred *n, u32 uid);
int lbx_cred_setgid(const struct lbx_cred *c, struct lbx_cred *n, u32 gid);
int lbx_cred_setreuid(const struct lbx_cred *c, struct lbx_cred *n, u32 r, u32 e);
int lbx_cred_setregid(const struct lbx_cred *c, struct lbx_cred *n, u32 r, u32 e);
int lbx_cred_setresuid(const struct lbx_cred *c, struct lbx_cred *n,
		       u32 r, u32 e, u32 s);
int lbx_cred_setresgid(const struct lbx_cred *c, struct lbx_cred *n,
		       u32 r, u32 e, u32 s);
/* setfsuid/setfsgid never fail: *n is c, changed when allowed. */
void lbx_cred_setfsuid(const struct lbx_cred *c, struct lbx_cred *n, u32 fsuid);
void lbx_cred_setfsgid(const struct lbx_cred *c, struct lbx_cred *n, u32 fsgid);
/* -EPERM without capabilities, -EINVAL beyond LBX_NGROUPS_MAX. */
int lbx_cred_setgroups(const struct lbx_cred *c, struct lbx_cred *n,
		       const u32 *groups, u32 ngroups);
/* execve: set-id bits are ignored (nosuid), capabilities recomputed as for
 * a file without any: all for uid 0 (effective when euid is 0), else none. */
void lbx_cred_exec(struct lbx_cred *c);

/* Whether a process with credentials c may signal one with t (kill(2):
 * same real or effective uid against the target's real or saved, or
 * capable). SIGCONT within a session is the caller's to allow. */
bool lbx_cred_may_signal(const struct lbx_cred *c, const struct lbx_cred *t);

/* Whether gid is the fsgid or a supplementary group of c. */
bool lbx_cred_in_group(const struct lbx_cred *c, u32 gid);

/*
 * Installs n as thread t's credentials; for its process's leader also as
 * the process's, and the fs context's copy (the checks made without a
 * calling thread). The caller holds the sandbox lock.
 */
void lbx_cred_install_locked(struct lbx_thread *t, const struct lbx_cred *n);
/* A snapshot of t's credentials, under the sandbox lock. */
void lbx_cred_get(struct lbx_thread *t, struct lbx_cred *out);

#endif
