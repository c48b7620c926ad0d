/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process file descriptor tables: refcounted (shared under
 * CLONE_FILES), copied on fork, bounded by the sandbox's RLIMIT_NOFILE.
 * A table holds its own reference on every installed file; lbx_fd_get()
 * returns another one the caller must put.
 */
#ifndef LITEBOX_FDTABLE_H
#define LITEBOX_FDTABLE_H

#include <litebox/file.h>

struct lbx_fdtable {
	u32 refs;
	u32 max;			/* descriptors are < max */
	u32 size;			/* slots allocated */
	u32 next;			/* lowest possibly free slot */
	struct lbx_plat_mutex lock;
	struct lbx_file **files;
	u64 *cloexec;			/* one bit per slot */
};

/* lbx_fd_install() flags */
#define LBX_FD_CLOEXEC	(1U << 0)

int lbx_fdtable_create(u32 max, struct lbx_fdtable **out);
struct lbx_fdtable *lbx_fdtable_get(struct lbx_fdtable *t);
/* The last put closes every descriptor. */
void lbx_fdtable_put(struct lbx_fdtable *t);
/* fork: a new table with the same descriptors and flags. */
int lbx_fdtable_copy(struct lbx_fdtable *src, struct lbx_fdtable **out);

/* Installs f (taking a reference) at the lowest free fd >= minfd:
 * returns the fd, -EMFILE beyond the limit, -EINVAL for minfd >= max. */
int lbx_fd_install(struct lbx_fdtable *t, struct lbx_file *f, u32 flags,
		   int minfd);
/* A reference on the file at fd, or NULL (EBADF). */
struct lbx_file *lbx_fd_get(struct lbx_fdtable *t, int fd);
int lbx_fd_close(struct lbx_fdtable *t, int fd);
/* F_DUPFD / F_DUPFD_CLOEXEC / dup(): the lowest free fd >= minfd. */
int lbx_fd_dup(struct lbx_fdtable *t, int oldfd, int minfd, bool cloexec);
/* dup2(): oldfd == newfd just checks oldfd. */
int lbx_fd_dup2(struct lbx_fdtable *t, int oldfd, int newfd);
/* dup3(): flags is 0 or LX_O_CLOEXEC; oldfd == newfd is -EINVAL. */
int lbx_fd_dup3(struct lbx_fdtable *t, int oldfd, int newfd, u32 flags);
/* close_range(): LX_CLOSE_RANGE_CLOEXEC marks instead of closing;
 * LX_CLOSE_RANGE_UNSHARE is the caller's (it owns the table pointer). */
int lbx_fd_close_range(struct lbx_fdtable *t, u32 first, u32 last, u32 flags);
/* execve: closes every close-on-exec descriptor. */
void lbx_fd_close_on_exec(struct lbx_fdtable *t);
/* F_GETFD / F_SETFD: LX_FD_CLOEXEC or 0, -EBADF. */
int lbx_fd_get_flags(struct lbx_fdtable *t, int fd);
int lbx_fd_set_flags(struct lbx_fdtable *t, int fd, u32 fdflags);
/* Number of open descriptors. */
u32 lbx_fd_count(struct lbx_fdtable *t);

#endif
