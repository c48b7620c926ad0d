// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd (see eventfd.h). Like a pipe, an eventfd is in no name space:
 * its object embeds its inode and a private super block, and the file's
 * inode reference keeps it alive.
 */
#include <litebox/eventfd.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

/* st_dev: the kernel's anon_inodefs has an anonymous device number. */
#define ANONFS_DEV	LBX_MKDEV(0, 13)
#define EFD_U64_MAX		0xffffffffffffffffULL

struct eventfd {
	struct lbx_super sb;
	struct lbx_inode inode;
	struct lbx_plat_mutex lock;
	u64 count;
	u32 flags;
	struct lbx_waitqueue wq;	/* readers and writers both */
};

static const struct lbx_file_ops eventfd_fops;

static struct eventfd *EFD(struct lbx_file *f)
{
	return f->priv;
}

bool lbx_file_is_eventfd(struct lbx_file *f)
{
	return f && f->ops == &eventfd_fops;
}

static bool nonblock(struct lbx_file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK;
}

static bool readable(void *arg)
{
	return ((struct eventfd *)arg)->count != 0;
}

static ssize_t eventfd_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct eventfd *e = EFD(f);
	ssize_t ret;
	u64 val;

	if (lbx_iter_count(to) < sizeof(val))
		return -EINVAL;
	lbx_plat_mutex_lock(&e->lock);
	if (!e->count && nonblock(f)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = lbx_wait_event_locked(&e->wq, readable, e, &e->lock,
				    LBX_NO_DEADLINE, lbx_current(),
				    LBX_WQ_INTERRUPTIBLE);
	if (ret)
		goto out;
	val = (e->flags & LX_EFD_SEMAPHORE) ? 1 : e->count;
	ret = lbx_iter_copy_to(to, &val, sizeof(val));
	if (ret)
		goto out;	/* nothing consumed */
	e->count -= val;
	ret = sizeof(val);
out:
	lbx_plat_mutex_unlock(&e->lock);
	if (ret > 0)
		lbx_wake_up_key(&e->wq, -1, LX_POLLOUT | LX_POLLWRNORM);
	return ret;
}

struct efd_add {
	struct eventfd *e;
	u64 val;
};

static bool room_for(void *arg)
{
	struct efd_add *a = arg;

	/* A count pushed to 2^64-1 by lbx_eventfd_signal() has no room. */
	return a->e->count <= LBX_EVENTFD_MAX &&
	       LBX_EVENTFD_MAX - a->e->count >= a->val;
}

static ssize_t eventfd_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct eventfd *e = EFD(f);
	struct efd_add a = { .e = e };
	ssize_t ret;

	if (lbx_iter_count(from) < sizeof(a.val))
		return -EINVAL;
	ret = lbx_iter_copy_from(from, &a.val, sizeof(a.val));
	if (ret)
		return ret;
	if (a.val == EFD_U64_MAX)
		return -EINVAL;
	lbx_plat_mutex_lock(&e->lock);
	if (!room_for(&a)) {
		if (nonblock(f)) {
			ret = -EAGAIN;
			goto out;
		}
		ret = lbx_wait_event_locked(&e->wq, room_for, &a, &e->lock,
					    LBX_NO_DEADLINE, lbx_current(),
					    LBX_WQ_INTERRUPTIBLE);
		if (ret)
			goto out;
	}
	e->count += a.val;
	ret = sizeof(a.val);
out:
	lbx_plat_mutex_unlock(&e->lock);
	if (ret > 0)
		lbx_wake_up_key(&e->wq, -1, LX_POLLIN | LX_POLLRDNORM);
	return ret;
}

u32 lbx_eventfd_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	struct eventfd *e = EFD(f);
	u32 mask = 0;
	u64 count;

	lbx_poll_add(pt, &e->wq);
	lbx_plat_mutex_lock(&e->lock);
	count = e->count;
	lbx_plat_mutex_unlock(&e->lock);
	if (count)
		mask |= LX_POLLIN | LX_POLLRDNORM;
	if (count == EFD_U64_MAX)
		mask |= LX_POLLERR;
	if (count < LBX_EVENTFD_MAX)
		mask |= LX_POLLOUT | LX_POLLWRNORM;
	return mask;
}

void lbx_eventfd_signal(struct lbx_file *f, u64 n)
{
	struct eventfd *e;

	if (!lbx_file_is_eventfd(f))
		return;
	e = EFD(f);
	lbx_plat_mutex_lock(&e->lock);
	if (EFD_U64_MAX - e->count < n)
		n = EFD_U64_MAX - e->count;
	e->count += n;
	lbx_plat_mutex_unlock(&e->lock);
	if (n)
		lbx_wake_up_key(&e->wq, -1, LX_POLLIN | LX_POLLRDNORM);
}

int lbx_eventfd_count(struct lbx_file *f, u64 *count)
{
	struct eventfd *e;

	if (!lbx_file_is_eventfd(f))
		return -EBADF;
	e = EFD(f);
	lbx_plat_mutex_lock(&e->lock);
	*count = e->count;
	lbx_plat_mutex_unlock(&e->lock);
	return 0;
}

static const struct lbx_file_ops eventfd_fops = {
	.poll = lbx_eventfd_poll,
	.read = eventfd_read,
	.write = eventfd_write,
};

static void eventfd_free_inode(struct lbx_inode *i)
{
	lbx_plat_free(lbx_container_of(i, struct eventfd, inode));
}

static void eventfd_sb_destroy(struct lbx_super *sb)
{
}

static const struct lbx_super_ops eventfd_sb_ops = {
	.free_inode = eventfd_free_inode,
	.destroy = eventfd_sb_destroy,
};

int lbx_eventfd_create(struct lbx_vfs *vfs, u64 initval, u32 flags,
		       struct lbx_file **out)
{
	struct eventfd *e;
	int ret;

	if (flags & ~(LX_EFD_SEMAPHORE | LX_EFD_NONBLOCK | LX_EFD_CLOEXEC))
		return -EINVAL;
	e = lbx_plat_alloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->sb.ops = &eventfd_sb_ops;
	e->sb.vfs = vfs;
	e->sb.type = "anon_inodefs";
	e->sb.dev = ANONFS_DEV;
	/* As the kernel's anonymous inodes: no file type, 0600. */
	lbx_inode_init(&e->inode, &e->sb, 0600);
	lbx_plat_mutex_init(&e->lock);
	lbx_waitqueue_init(&e->wq);
	e->count = initval;
	e->flags = flags & LX_EFD_SEMAPHORE;
	ret = lbx_file_alloc(vfs, NULL, &e->inode,
			     LX_O_RDWR | (flags & LX_EFD_NONBLOCK), out);
	if (!ret) {
		(*out)->ops = &eventfd_fops;
		(*out)->priv = e;
	}
	lbx_inode_put(&e->inode);	/* the file's reference remains */
	return ret;
}
