/* SPDX-License-Identifier: GPL-2.0 */
/*
 * POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW): byte ranges of a
 * file, owned by a process, shared (read) or exclusive (write). One table
 * per sandbox; a lock never conflicts with its own owner's.
 */
#ifndef LITEBOX_FLOCK_H
#define LITEBOX_FLOCK_H

#include <litebox/core.h>
#include <litebox/list.h>
#include <litebox/waitqueue.h>

#define LX_F_RDLCK	0
#define LX_F_WRLCK	1
#define LX_F_UNLCK	2
#define LBX_LOCK_EOF	(~0ULL)		/* "to the end of the file, however long" */

struct lbx_flock_table {
	struct lbx_plat_mutex lock;
	struct lbx_list_head locks;
	struct lbx_waitqueue wq;	/* woken when any lock goes */
};

struct lbx_flock_req {
	u32 type;		/* LX_F_RDLCK, LX_F_WRLCK, LX_F_UNLCK */
	u64 start;
	u64 end;		/* exclusive; LBX_LOCK_EOF */
	u32 owner_pid;		/* F_GETLK: the conflicting owner's pid */
};

int lbx_flock_table_create(struct lbx_flock_table **out);
void lbx_flock_table_destroy(struct lbx_flock_table *t);
/* F_GETLK: the first lock that would block req, or type LX_F_UNLCK. */
void lbx_posix_lock_test(struct lbx_flock_table *t, const void *file_id,
			 const void *owner, struct lbx_flock_req *req);
/* F_SETLK (wait false: -EAGAIN on a conflict) and F_SETLKW (wait true:
 * sleeps, -EINTR when interrupted). */
int lbx_posix_lock_set(struct lbx_flock_table *t, const void *file_id,
		       const void *owner, u32 owner_pid,
		       const struct lbx_flock_req *req, bool wait,
		       struct lbx_thread *self);
/* Drops owner's locks on file_id (any file when NULL): close, exit. */
void lbx_posix_lock_release(struct lbx_flock_table *t, const void *file_id,
			    const void *owner);

/*
 * flock(2): a shared or exclusive lock on a whole file, owned by the open
 * file description f (dups and forked copies share it; the last close
 * drops it). op: LX_LOCK_SH, LX_LOCK_EX or LX_LOCK_UN, with LX_LOCK_NB for
 * -EAGAIN instead of a sleep (-EINTR when interrupted). BSD and POSIX locks
 * live in the same table but never conflict with each other, as on Linux.
 */
#define LX_LOCK_SH	1
#define LX_LOCK_EX	2
#define LX_LOCK_NB	4
#define LX_LOCK_UN	8
struct lbx_file;
int lbx_bsd_lock(struct lbx_flock_table *t, struct lbx_file *f, u32 op,
		 struct lbx_thread *self);
/* The last reference to f went: its BSD lock goes too. */
void lbx_bsd_lock_release(struct lbx_file *f);

#endif
