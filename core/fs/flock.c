// SPDX-License-Identifier: GPL-2.0
/* POSIX record locks: a list per sandbox, good for the few locks programs
 * such as sqlite hold at a time. */
#include <litebox/file.h>
#include <litebox/flock.h>
#include <litebox/task.h>
#include <litebox/vfs.h>

struct lbx_flock {
	struct lbx_list_head node;
	const void *file_id;	/* the inode */
	const void *owner;	/* the process */
	u32 owner_pid;
	u32 type;
	u64 start;
	u64 end;
};

int lbx_flock_table_create(struct lbx_flock_table **out)
{
	struct lbx_flock_table *t = lbx_plat_alloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	lbx_plat_mutex_init(&t->lock);
	lbx_list_init(&t->locks);
	lbx_waitqueue_init(&t->wq);
	*out = t;
	return 0;
}

void lbx_flock_table_destroy(struct lbx_flock_table *t)
{
	if (!t)
		return;
	lbx_posix_lock_release(t, NULL, NULL);
	lbx_plat_free(t);
}

static bool overlaps(const struct lbx_flock *l, u64 start, u64 end)
{
	return l->start < end && start < l->end;
}

/* Caller holds the table lock. */
static struct lbx_flock *conflict(struct lbx_flock_table *t, const void *file_id,
				  const void *owner, const struct lbx_flock_req *req)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &t->locks) {
		struct lbx_flock *l = lbx_list_entry(pos, struct lbx_flock, node);

		if (l->file_id != file_id || l->owner == owner ||
		    !overlaps(l, req->start, req->end))
			continue;
		if (l->type == LX_F_WRLCK || req->type == LX_F_WRLCK)
			return l;
	}
	return NULL;
}

void lbx_posix_lock_test(struct lbx_flock_table *t, const void *file_id,
			 const void *owner, struct lbx_flock_req *req)
{
	struct lbx_flock *l;

	lbx_plat_mutex_lock(&t->lock);
	l = conflict(t, file_id, owner, req);
	if (l) {
		req->type = l->type;
		req->start = l->start;
		req->end = l->end;
		req->owner_pid = l->owner_pid;
	} else {
		req->type = LX_F_UNLCK;
	}
	lbx_plat_mutex_unlock(&t->lock);
}

static struct lbx_flock *new_lock(const void *file_id, const void *owner, u32 pid,
				  u32 type, u64 start, u64 end)
{
	struct lbx_flock *l = lbx_plat_alloc(sizeof(*l));

	if (l) {
		l->file_id = file_id;
		l->owner = owner;
		l->owner_pid = pid;
		l->type = type;
		l->start = start;
		l->end = end;
	}
	return l;
}

/*
 * Replaces owner's locks over [start, end) with type (none for UNLCK).
 * Up to two pieces of a straddling lock survive, so allocate them first:
 * nothing changes when memory runs out. Caller holds the table lock.
 */
static int apply(struct lbx_flock_table *t, const void *file_id, const void *owner,
		 u32 pid, const struct lbx_flock_req *req)
{
	struct lbx_flock *fresh = NULL, *left = NULL, *right = NULL;
	struct lbx_list_head *pos, *n;

	if (req->type != LX_F_UNLCK) {
		fresh = new_lock(file_id, owner, pid, req->type, req->start, req->end);
		if (!fresh)
			return -ENOMEM;
	}
	left = new_lock(file_id, owner, pid, 0, 0, 0);
	right = new_lock(file_id, owner, pid, 0, 0, 0);
	if (!left || !right) {
		lbx_plat_free(fresh);
		lbx_plat_free(left);
		lbx_plat_free(right);
		return -ENOMEM;
	}
	lbx_list_for_each_safe(pos, n, &t->locks) {
		struct lbx_flock *l = lbx_list_entry(pos, struct lbx_flock, node);

		if (l->file_id != file_id || l->owner != owner ||
		    !overlaps(l, req->start, req->end))
			continue;
		if (l->start < req->start && left) {
			left->type = l->type;
			left->start = l->start;
			left->end = req->start;
			lbx_list_add_tail(&left->node, &t->locks);
			left = NULL;
		}
		if (l->end > req->end && right) {
			right->type = l->type;
			right->start = req->end;
			right->end = l->end;
			lbx_list_add_tail(&right->node, &t->locks);
			right = NULL;
		}
		lbx_list_del(&l->node);
		lbx_plat_free(l);
	}
	if (fresh)
		lbx_list_add_tail(&fresh->node, &t->locks);
	lbx_plat_free(left);
	lbx_plat_free(right);
	return 0;
}

struct lock_wait {
	struct lbx_flock_table *t;
	const void *file_id;
	const void *owner;
	const struct lbx_flock_req *req;
};

static bool lock_free(void *arg)
{
	struct lock_wait *w = arg;
	bool free;

	lbx_plat_mutex_lock(&w->t->lock);
	free = !conflict(w->t, w->file_id, w->owner, w->req);
	lbx_plat_mutex_unlock(&w->t->lock);
	return free;
}

int lbx_posix_lock_set(struct lbx_flock_table *t, const void *file_id,
		       const void *owner, u32 owner_pid,
		       const struct lbx_flock_req *req, bool wait,
		       struct lbx_thread *self)
{
	struct lock_wait w = { t, file_id, owner, req };
	int ret;

	if (req->start >= req->end)
		return req->type == LX_F_UNLCK ? 0 : -EINVAL;
	for (;;) {
		lbx_plat_mutex_lock(&t->lock);
		if (req->type == LX_F_UNLCK || !conflict(t, file_id, owner, req)) {
			ret = apply(t, file_id, owner, owner_pid, req);
			lbx_plat_mutex_unlock(&t->lock);
			if (!ret)
				lbx_wake_up_all(&t->wq);
			return ret;
		}
		lbx_plat_mutex_unlock(&t->lock);
		if (!wait)
			return -EAGAIN;
		ret = lbx_wait_event_fn(&t->wq, lock_free, &w, LBX_NO_DEADLINE, self,
					LBX_WQ_INTERRUPTIBLE);
		if (ret)
			return ret;
	}
}

void lbx_posix_lock_release(struct lbx_flock_table *t, const void *file_id,
			    const void *owner)
{
	struct lbx_list_head *pos, *n;
	bool any = false;

	lbx_plat_mutex_lock(&t->lock);
	lbx_list_for_each_safe(pos, n, &t->locks) {
		struct lbx_flock *l = lbx_list_entry(pos, struct lbx_flock, node);

		if ((file_id && l->file_id != file_id) || (owner && l->owner != owner))
			continue;
		lbx_list_del(&l->node);
		lbx_plat_free(l);
		any = true;
	}
	lbx_plat_mutex_unlock(&t->lock);
	if (any)
		lbx_wake_up_all(&t->wq);
}

/* BSD locks use a tagged id of the inode (never dereferenced), so that a
 * POSIX lock and a BSD lock on one file never meet. */
static const void *bsd_id(const struct lbx_file *f)
{
	return (const u8 *)f->inode + 1;
}

int lbx_bsd_lock(struct lbx_flock_table *t, struct lbx_file *f, u32 op,
		 struct lbx_thread *self)
{
	struct lbx_flock_req req = { .start = 0, .end = LBX_LOCK_EOF };
	u32 kind = op & ~(u32)LX_LOCK_NB;
	int ret;

	switch (kind) {
	case LX_LOCK_SH:
		req.type = LX_F_RDLCK;
		break;
	case LX_LOCK_EX:
		req.type = LX_F_WRLCK;
		break;
	case LX_LOCK_UN:
		req.type = LX_F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (req.type != LX_F_UNLCK)
		__atomic_fetch_or(&f->fmode, LBX_FMODE_FLOCK, __ATOMIC_RELAXED);
	ret = lbx_posix_lock_set(t, bsd_id(f), f, 0, &req, !(op & LX_LOCK_NB), self);
	return ret;
}

void lbx_bsd_lock_release(struct lbx_file *f)
{
	struct lbx_sandbox *sb = f->vfs ? f->vfs->sandbox : NULL;

	if (sb && sb->flocks)
		lbx_posix_lock_release(sb->flocks, bsd_id(f), f);
}
