// SPDX-License-Identifier: GPL-2.0
/*
 * timerfd (see timerfd.h). Like eventfd, the object embeds its inode and a
 * private super block; the file's inode reference keeps it alive.
 */
#include <litebox/poll.h>
#include <litebox/task.h>
#include <litebox/timerfd.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

#define ANONFS_DEV	LBX_MKDEV(0, 13)

struct timerfd {
	struct lbx_super sb;
	struct lbx_inode inode;
	struct lbx_plat_mutex lock;	/* everything below */
	struct lbx_waitqueue wq;	/* readers and pollers */
	u32 clockid;
	u32 gen;			/* bumped by every settime */
	u64 expires;			/* next expiry, monotonic ns; 0: disarmed */
	u64 interval;
	u64 ticks;			/* expirations not yet read */
};

static const struct lbx_file_ops timerfd_fops;

static struct timerfd *TFD(struct lbx_file *f)
{
	return f->priv;
}

bool lbx_file_is_timerfd(struct lbx_file *f)
{
	return f && f->ops == &timerfd_fops;
}

/* Under t->lock: counts the expirations up to now. */
static void tfd_update(struct timerfd *t, u64 now)
{
	u64 n, step;

	if (!t->expires || now < t->expires)
		return;
	if (!t->interval) {
		t->ticks++;
		t->expires = 0;
		return;
	}
	n = (now - t->expires) / t->interval + 1;
	t->ticks = lbx_add_overflow(t->ticks, n, &t->ticks) ? ~0ULL : t->ticks;
	if (lbx_mul_overflow(n, t->interval, &step) ||
	    lbx_add_overflow(t->expires, step, &t->expires))
		t->expires = 0;	/* beyond the end of time: stop */
}

struct tfd_wait {
	struct timerfd *t;
	u32 gen;
};

/* Under t->lock: something to read, or the timer was set again. */
static bool tfd_ready(void *arg)
{
	struct tfd_wait *w = arg;

	tfd_update(w->t, lbx_plat_now_mono());
	return w->t->ticks || w->t->gen != w->gen;
}

static ssize_t timerfd_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct timerfd *t = TFD(f);
	struct tfd_wait w = { .t = t };
	ssize_t ret;
	u64 val;

	if (lbx_iter_count(to) < sizeof(val))
		return -EINVAL;
	lbx_plat_mutex_lock(&t->lock);
	for (;;) {
		tfd_update(t, lbx_plat_now_mono());
		if (t->ticks)
			break;
		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		w.gen = t->gen;
		ret = lbx_wait_event_locked(&t->wq, tfd_ready, &w, &t->lock,
					    t->expires ? t->expires : LBX_NO_DEADLINE,
					    lbx_current(), LBX_WQ_INTERRUPTIBLE);
		if (ret && ret != -ETIMEDOUT)
			goto out;
	}
	val = t->ticks;
	ret = lbx_iter_copy_to(to, &val, sizeof(val));
	if (ret)
		goto out;	/* nothing consumed */
	t->ticks = 0;
	ret = sizeof(val);
out:
	lbx_plat_mutex_unlock(&t->lock);
	return ret;
}

static u32 timerfd_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	struct timerfd *t = TFD(f);
	u32 mask = 0;

	lbx_poll_add(pt, &t->wq);
	lbx_plat_mutex_lock(&t->lock);
	tfd_update(t, lbx_plat_now_mono());
	if (t->ticks)
		mask = LX_POLLIN | LX_POLLRDNORM;
	/* Also while readable: each expiry is a new edge (EPOLLET). */
	if (t->expires)
		lbx_poll_deadline(pt, t->expires);
	lbx_plat_mutex_unlock(&t->lock);
	return mask;
}

/* Under t->lock, after tfd_update(). */
static void tfd_get(struct timerfd *t, u64 now, struct lbx_itimer *cur)
{
	cur->value = t->expires ? t->expires - now : 0;
	cur->interval = t->interval;
}

int lbx_timerfd_gettime(struct lbx_file *f, struct lbx_itimer *cur)
{
	struct timerfd *t;
	u64 now;

	if (!lbx_file_is_timerfd(f))
		return -EINVAL;
	t = TFD(f);
	lbx_plat_mutex_lock(&t->lock);
	now = lbx_plat_now_mono();
	tfd_update(t, now);
	tfd_get(t, now, cur);
	lbx_plat_mutex_unlock(&t->lock);
	return 0;
}

/* The monotonic expiry for a setting of val at now; never 0. */
static u64 tfd_expiry(struct timerfd *t, u32 flags, u64 val, u64 now)
{
	u64 exp, real;

	if (!(flags & LX_TFD_TIMER_ABSTIME)) {
		if (lbx_add_overflow(now, val, &exp) || exp == LBX_NO_DEADLINE)
			exp = LBX_NO_DEADLINE - 1;
		return exp;
	}
	if (t->clockid != LBX_TIMERFD_CLOCK_REALTIME)
		return val ? val : 1;
	real = lbx_plat_now_real();
	if (val <= real)
		return now ? now : 1;	/* in the past: expires at once */
	if (lbx_add_overflow(now, val - real, &exp) || exp == LBX_NO_DEADLINE)
		exp = LBX_NO_DEADLINE - 1;
	return exp;
}

int lbx_timerfd_settime(struct lbx_file *f, u32 flags,
			const struct lbx_itimer *val, struct lbx_itimer *old)
{
	struct timerfd *t;
	u64 now;

	if (!lbx_file_is_timerfd(f) ||
	    (flags & ~(LX_TFD_TIMER_ABSTIME | LX_TFD_TIMER_CANCEL_ON_SET)))
		return -EINVAL;
	t = TFD(f);
	lbx_plat_mutex_lock(&t->lock);
	now = lbx_plat_now_mono();
	tfd_update(t, now);
	if (old)
		tfd_get(t, now, old);
	t->ticks = 0;
	t->interval = val->value ? val->interval : 0;
	t->expires = val->value ? tfd_expiry(t, flags, val->value, now) : 0;
	t->gen++;
	lbx_plat_mutex_unlock(&t->lock);
	/* Readers and pollers look again (and take the new deadline). */
	lbx_wake_up_all(&t->wq);
	return 0;
}

static const struct lbx_file_ops timerfd_fops = {
	.poll = timerfd_poll,
	.read = timerfd_read,
};

static void timerfd_free_inode(struct lbx_inode *i)
{
	lbx_plat_free(lbx_container_of(i, struct timerfd, inode));
}

static void timerfd_sb_destroy(struct lbx_super *sb)
{
}

static const struct lbx_super_ops timerfd_sb_ops = {
	.free_inode = timerfd_free_inode,
	.destroy = timerfd_sb_destroy,
};

int lbx_timerfd_create(struct lbx_vfs *vfs, u32 clockid, u32 flags,
		       struct lbx_file **out)
{
	struct timerfd *t;
	int ret;

	if (clockid != LBX_TIMERFD_CLOCK_REALTIME &&
	    clockid != LBX_TIMERFD_CLOCK_MONOTONIC &&
	    clockid != LBX_TIMERFD_CLOCK_BOOTTIME)
		return -EINVAL;
	if (flags & ~(LX_TFD_NONBLOCK | LX_TFD_CLOEXEC))
		return -EINVAL;
	t = lbx_plat_alloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->sb.ops = &timerfd_sb_ops;
	t->sb.vfs = vfs;
	t->sb.type = "anon_inodefs";
	t->sb.dev = ANONFS_DEV;
	lbx_inode_init(&t->inode, &t->sb, 0600);
	lbx_plat_mutex_init(&t->lock);
	lbx_waitqueue_init(&t->wq);
	t->clockid = clockid;
	ret = lbx_file_alloc(vfs, NULL, &t->inode,
			     LX_O_RDWR | (flags & LX_TFD_NONBLOCK), out);
	if (!ret) {
		(*out)->ops = &timerfd_fops;
		(*out)->priv = t;
	}
	lbx_inode_put(&t->inode);	/* the file's reference remains */
	return ret;
}
