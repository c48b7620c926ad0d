// SPDX-License-Identifier: GPL-2.0
/*
 * signalfd (see signalfd.h). The file holds only the mask; the signals are
 * the reading thread's (lbx_signal_dequeue_locked(), under sb->lock).
 */
#include <litebox/poll.h>
#include <litebox/signalfd.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

#define ANONFS_DEV	LBX_MKDEV(0, 13)

_Static_assert(sizeof(struct lbx_signalfd_siginfo) == 128, "signalfd_siginfo ABI");

struct signalfd {
	struct lbx_super sb;
	struct lbx_inode inode;
	u64 mask;		/* atomically read and replaced */
};

static const struct lbx_file_ops signalfd_fops;

static struct signalfd *SFD(struct lbx_file *f)
{
	return f->priv;
}

bool lbx_file_is_signalfd(struct lbx_file *f)
{
	return f && f->ops == &signalfd_fops;
}

static u64 sfd_mask(struct lbx_file *f)
{
	return __atomic_load_n(&SFD(f)->mask, __ATOMIC_RELAXED);
}

/* Under sb->lock: takes t's lowest pending signal in mask into *out. */
static bool dequeue(struct lbx_thread *t, u64 mask,
		    struct lbx_signalfd_siginfo *out)
{
	struct lbx_siginfo si;
	u32 sig = lbx_signal_dequeue_locked(t, mask, &si);

	if (!sig)
		return false;
	memset(out, 0, sizeof(*out));
	out->ssi_signo = sig;
	out->ssi_errno = si.errno_;
	out->ssi_code = si.code;
	if (si.code <= 0 || sig == 17) {	/* user-sent (SI_USER, SI_TKILL...), SIGCHLD */
		out->ssi_pid = (u32)si.pid;
		out->ssi_uid = si.uid;
		out->ssi_status = si.status;
	}
	if (si.code < 0) {	/* SI_QUEUE and the like: si_value */
		out->ssi_int = (s32)si.rt.value;
		out->ssi_ptr = si.rt.value;
	}
	return true;
}

struct sfd_wait {
	struct lbx_thread *t;
	u64 mask;
};

static bool sfd_ready(void *arg)
{
	struct sfd_wait *w = arg;

	return __atomic_load_n(&w->t->sigpending, __ATOMIC_ACQUIRE) & w->mask;
}

static ssize_t signalfd_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct lbx_thread *t = lbx_current();
	struct lbx_signalfd_siginfo info;
	struct sfd_wait w = { .t = t };
	struct lbx_sandbox *sb;
	ssize_t done = 0;
	int ret;

	if (lbx_iter_count(to) < sizeof(info))
		return -EINVAL;
	if (!t || !t->proc)
		return -EINVAL;
	sb = t->proc->sb;
	w.mask = sfd_mask(f);
	for (;;) {
		while (lbx_iter_count(to) >= sizeof(info)) {
			bool got;

			lbx_plat_mutex_lock(&sb->lock);
			got = dequeue(t, w.mask, &info);
			lbx_plat_mutex_unlock(&sb->lock);
			if (!got)
				break;
			/* A record that cannot be copied out is lost, as in
			 * Linux (the signal was dequeued). */
			if (lbx_iter_copy_to(to, &info, sizeof(info)))
				return done ? done : -EFAULT;
			done += sizeof(info);
		}
		if (done)
			return done;
		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK)
			return -EAGAIN;
		ret = lbx_wait_event_fn(&sb->sig_wq, sfd_ready, &w, LBX_NO_DEADLINE,
					t, LBX_WQ_INTERRUPTIBLE);
		if (ret)
			return ret;
	}
}

static u32 signalfd_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	struct lbx_thread *t = lbx_current();

	if (!t || !t->proc)
		return 0;
	lbx_poll_add(pt, &t->proc->sb->sig_wq);
	if (__atomic_load_n(&t->sigpending, __ATOMIC_ACQUIRE) & sfd_mask(f))
		return LX_POLLIN | LX_POLLRDNORM;
	return 0;
}

int lbx_signalfd_set_mask(struct lbx_file *f, u64 mask)
{
	if (!lbx_file_is_signalfd(f))
		return -EINVAL;
	__atomic_store_n(&SFD(f)->mask, mask & ~LBX_SIG_UNBLOCKABLE, __ATOMIC_RELAXED);
	return 0;
}

static const struct lbx_file_ops signalfd_fops = {
	.poll = signalfd_poll,
	.read = signalfd_read,
};

static void signalfd_free_inode(struct lbx_inode *i)
{
	lbx_plat_free(lbx_container_of(i, struct signalfd, inode));
}

static void signalfd_sb_destroy(struct lbx_super *sb)
{
}

static const struct lbx_super_ops signalfd_sb_ops = {
	.free_inode = signalfd_free_inode,
	.destroy = signalfd_sb_destroy,
};

int lbx_signalfd_create(struct lbx_vfs *vfs, u64 mask, u32 flags,
			struct lbx_file **out)
{
	struct signalfd *s;
	int ret;

	if (flags & ~(LX_SFD_NONBLOCK | LX_SFD_CLOEXEC))
		return -EINVAL;
	s = lbx_plat_alloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sb.ops = &signalfd_sb_ops;
	s->sb.vfs = vfs;
	s->sb.type = "anon_inodefs";
	s->sb.dev = ANONFS_DEV;
	lbx_inode_init(&s->inode, &s->sb, 0600);
	s->mask = mask & ~LBX_SIG_UNBLOCKABLE;
	ret = lbx_file_alloc(vfs, NULL, &s->inode,
			     LX_O_RDWR | (flags & LX_SFD_NONBLOCK), out);
	if (!ret) {
		(*out)->ops = &signalfd_fops;
		(*out)->priv = s;
	}
	lbx_inode_put(&s->inode);	/* the file's reference remains */
	return ret;
}
