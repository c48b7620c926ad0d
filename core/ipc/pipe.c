// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous pipes (see pipe.h).
 *
 * One struct pipe holds the ring and embeds the inode both ends' files
 * point at (and a private super block for it: a pipe is in no name space).
 * Each file holds an inode reference, so the pipe is freed when the last
 * end is released. The ring is bytes [rpos, rpos + len) modulo cap, over
 * cap / 4096 pages allocated as data arrives; when the pipe drains, every
 * page but the first goes back. p->lock (sleeping) guards the ring and the
 * counts; guest copies are made under it, as Linux does.
 */
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

/* st_dev of pipes: an anonymous device number of their own. */
#define PIPEFS_DEV	LBX_MKDEV(0, 12)

struct pipe {
	struct lbx_super sb;
	struct lbx_inode inode;

	struct lbx_plat_mutex lock;
	u8 **pages;		/* nr_pages slots, NULL until used */
	u32 nr_pages;
	u32 cap;		/* nr_pages * LBX_PAGE_SIZE */
	u32 rpos;		/* first byte queued */
	u32 len;		/* bytes queued */
	u32 tail_end;		/* see pipe_write(); meaningful while len */
	u32 readers;		/* open read ends */
	u32 writers;		/* open write ends */
	u32 charged;		/* pages charged to acct */
	struct lbx_memacct *acct;
	struct lbx_waitqueue rd_wait;	/* readers wait for data */
	struct lbx_waitqueue wr_wait;	/* writers wait for room */
};

static const struct lbx_file_ops pipe_fops;

static struct pipe *PIPE(struct lbx_file *f)
{
	return f->priv;
}

bool lbx_file_is_pipe(struct lbx_file *f)
{
	return f && f->ops == &pipe_fops;
}

/* ---- pages ---- */

static u8 *page_get(struct pipe *p, u32 idx)
{
	u8 *pg = p->pages[idx];

	if (pg)
		return pg;
	if (p->acct && lbx_memacct_charge(p->acct, LBX_PAGE_SIZE))
		return NULL;
	pg = lbx_plat_page_alloc();
	if (!pg) {
		if (p->acct)
			lbx_memacct_uncharge(p->acct, LBX_PAGE_SIZE);
		return NULL;
	}
	p->charged++;
	p->pages[idx] = pg;
	return pg;
}

static void page_put(struct pipe *p, u32 idx)
{
	if (!p->pages[idx])
		return;
	lbx_plat_page_free(p->pages[idx]);
	p->pages[idx] = NULL;
	p->charged--;
	if (p->acct)
		lbx_memacct_uncharge(p->acct, LBX_PAGE_SIZE);
}

/* Frees pages [from, nr_pages). */
static void pages_trim(struct pipe *p, u32 from)
{
	u32 i;

	for (i = from; i < p->nr_pages; i++)
		page_put(p, i);
}

/* ---- life cycle ---- */

static void pipe_free_inode(struct lbx_inode *i)
{
	struct pipe *p = lbx_container_of(i, struct pipe, inode);

	pages_trim(p, 0);
	lbx_plat_free(p->pages);
	lbx_plat_free(p);
}

static void pipe_sb_destroy(struct lbx_super *sb)
{
	/* Never mounted: the last inode reference frees everything. */
}

static const struct lbx_super_ops pipefs_ops = {
	.free_inode = pipe_free_inode,
	.destroy = pipe_sb_destroy,
};

static void pipe_release(struct lbx_file *f)
{
	struct pipe *p = PIPE(f);

	lbx_plat_mutex_lock(&p->lock);
	if (f->fmode & LBX_FMODE_READ)
		p->readers--;
	if (f->fmode & LBX_FMODE_WRITE)
		p->writers--;
	lbx_plat_mutex_unlock(&p->lock);
	/* Readers see EOF (POLLHUP), writers EPIPE (POLLERR). */
	lbx_wake_up_key(&p->rd_wait, -1, LX_POLLIN | LX_POLLRDNORM | LX_POLLHUP);
	lbx_wake_up_key(&p->wr_wait, -1, LX_POLLOUT | LX_POLLWRNORM | LX_POLLERR);
}

static struct pipe *pipe_alloc(struct lbx_vfs *vfs)
{
	struct pipe *p = lbx_plat_alloc(sizeof(*p));
	struct lbx_thread *t = lbx_current();

	if (!p)
		return NULL;
	p->nr_pages = LBX_PIPE_DEF_SIZE / LBX_PAGE_SIZE;
	p->cap = LBX_PIPE_DEF_SIZE;
	p->pages = lbx_plat_alloc(p->nr_pages * sizeof(*p->pages));
	if (!p->pages) {
		lbx_plat_free(p);
		return NULL;
	}
	p->sb.ops = &pipefs_ops;
	p->sb.vfs = vfs;
	p->sb.type = "pipefs";
	p->sb.dev = PIPEFS_DEV;
	lbx_inode_init(&p->inode, &p->sb, LX_S_IFIFO | 0600);
	if (t && t->proc) {
		/* Owned by its creator, as Linux's get_pipe_inode(). */
		p->inode.uid = t->cred.fsuid;
		p->inode.gid = t->cred.fsgid;
	}
	lbx_plat_mutex_init(&p->lock);
	lbx_waitqueue_init(&p->rd_wait);
	lbx_waitqueue_init(&p->wr_wait);
	p->acct = vfs->acct;
	return p;
}

static int pipe_open_end(struct pipe *p, struct lbx_vfs *vfs, u32 flags,
			 struct lbx_file **out)
{
	struct lbx_file *f;
	int ret;

	ret = lbx_file_alloc(vfs, NULL, &p->inode, flags, &f);
	if (ret)
		return ret;
	f->ops = &pipe_fops;
	f->priv = p;
	if (f->fmode & LBX_FMODE_READ)
		p->readers++;
	if (f->fmode & LBX_FMODE_WRITE)
		p->writers++;
	*out = f;
	return 0;
}

int lbx_pipe_create(struct lbx_vfs *vfs, u32 flags, struct lbx_file **rd,
		    struct lbx_file **wr)
{
	struct pipe *p;
	u32 fl = flags & LX_O_NONBLOCK;
	int ret;

	if (flags & ~(LX_O_NONBLOCK | LX_O_CLOEXEC))
		return -EINVAL;
	p = pipe_alloc(vfs);
	if (!p)
		return -ENOMEM;
	ret = pipe_open_end(p, vfs, LX_O_RDONLY | fl, rd);
	if (ret)
		goto out;
	ret = pipe_open_end(p, vfs, LX_O_WRONLY | fl, wr);
	if (ret) {
		lbx_file_put(*rd);
		*rd = NULL;
	}
out:
	/* Each file holds its own reference now (or none: this frees p). */
	lbx_inode_put(&p->inode);
	return ret;
}

/* ---- the ring ---- */

static bool nonblock(struct lbx_file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK;
}

/* Copies up to n queued bytes out; returns the count or -EFAULT. */
static ssize_t ring_read(struct pipe *p, struct lbx_iter *to, size_t n)
{
	size_t done = 0;

	n = lbx_min(n, (size_t)p->len);
	while (done < n) {
		u32 off = p->rpos & (LBX_PAGE_SIZE - 1);
		u32 idx = p->rpos / LBX_PAGE_SIZE;
		size_t chunk = lbx_min(n - done, (size_t)(LBX_PAGE_SIZE - off));

		if (lbx_iter_copy_to(to, p->pages[idx] + off, chunk))
			break;
		done += chunk;
		p->rpos = (p->rpos + chunk) & (p->cap - 1);
		p->len -= chunk;
	}
	if (!p->len) {
		p->rpos = 0;
		pages_trim(p, 1);
	}
	return done ? (ssize_t)done : -EFAULT;
}

/* Queues the next n bytes of from whole (the caller checked the room):
 * 0, or -EFAULT / -ENOMEM with nothing queued and from as it was. */
static int ring_write(struct pipe *p, struct lbx_iter *from, size_t n)
{
	struct lbx_iter start = *from;
	size_t done = 0;
	int err = 0;

	while (done < n) {
		u32 wpos = (p->rpos + p->len + done) & (p->cap - 1);
		u32 off = wpos & (LBX_PAGE_SIZE - 1);
		size_t chunk = lbx_min(n - done, (size_t)(LBX_PAGE_SIZE - off));
		u8 *pg = page_get(p, wpos / LBX_PAGE_SIZE);

		if (!pg) {
			err = -ENOMEM;
			break;
		}
		err = lbx_iter_copy_from(from, pg + off, chunk);
		if (err)
			break;
		done += chunk;
	}
	if (err) {
		*from = start;
		return err;
	}
	p->len += n;
	return 0;
}

/* ---- read and write ---- */

struct pipe_cond {
	struct pipe *p;
	size_t need;		/* writers: room wanted */
};

static bool can_read(void *arg)
{
	struct pipe *p = ((struct pipe_cond *)arg)->p;

	return p->len || !p->writers;
}

static bool can_write(void *arg)
{
	struct pipe_cond *c = arg;

	return !c->p->readers || c->p->cap - c->p->len >= c->need;
}

static ssize_t pipe_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct pipe *p = PIPE(f);
	struct pipe_cond c = { .p = p };
	size_t n = lbx_iter_count(to);
	ssize_t ret;

	if (!n)
		return 0;
	lbx_plat_mutex_lock(&p->lock);
	if (!can_read(&c) && nonblock(f)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = lbx_wait_event_locked(&p->rd_wait, can_read, &c, &p->lock,
				    LBX_NO_DEADLINE, lbx_current(),
				    LBX_WQ_INTERRUPTIBLE);
	if (ret)
		goto out;
	ret = p->len ? ring_read(p, to, n) : 0;	/* 0: no writer, EOF */
out:
	lbx_plat_mutex_unlock(&p->lock);
	if (ret > 0)
		lbx_wake_up_key(&p->wr_wait, -1, LX_POLLOUT | LX_POLLWRNORM);
	return ret;
}

/*
 * Linux's pipe_write() copies the source in pieces, each whole or not at
 * all (which is what a partly bad buffer shows: docs/efault.md). The first
 * n % 4096 bytes go into the last buffer when the pipe is not empty and
 * that buffer's page has room for them (tail_end: where its data ends in
 * its page); the rest, 4096 bytes at a time, into fresh pages. A piece that
 * faults is dropped and the write returns what was queued before it. The
 * ring here is not made of Linux's buffers, but the pieces and the room
 * each one waits for (a whole page, as Linux waits for a free buffer) are.
 *
 * A faulted write leaves nothing behind, as in Linux 6.18. (Linux 6.1 keeps
 * an empty buffer in the ring for the page that faulted: poll() reports the
 * pipe readable where a read finds nothing, and the next write's first
 * n % 4096 bytes merge into that buffer. LiteBox does neither.)
 */
static ssize_t pipe_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct pipe *p = PIPE(f);
	size_t n = lbx_iter_count(from), done = 0, piece;
	struct pipe_cond c = { .p = p };
	u32 head = n & (LBX_PAGE_SIZE - 1);
	bool merge;
	ssize_t ret = 0;

	if (!n)
		return 0;
	lbx_plat_mutex_lock(&p->lock);
	merge = head && p->len && p->tail_end + head <= LBX_PAGE_SIZE;
	while (done < n) {
		piece = merge ? head : lbx_min(n - done, (size_t)LBX_PAGE_SIZE);
		c.need = piece;
		if (!can_write(&c)) {
			if (nonblock(f)) {
				ret = -EAGAIN;
				break;
			}
			if (done) {
				/* Let readers drain what is there already. */
				lbx_plat_mutex_unlock(&p->lock);
				lbx_wake_up_key(&p->rd_wait, -1,
						LX_POLLIN | LX_POLLRDNORM);
				lbx_plat_mutex_lock(&p->lock);
			}
			ret = lbx_wait_event_locked(&p->wr_wait, can_write, &c,
						    &p->lock, LBX_NO_DEADLINE,
						    lbx_current(),
						    LBX_WQ_INTERRUPTIBLE);
			if (ret)
				break;
		}
		if (!p->readers) {
			ret = -EPIPE;
			break;
		}
		/* A reader may have drained the pipe meanwhile: no merge. */
		if (merge && !p->len) {
			merge = false;
			continue;
		}
		ret = ring_write(p, from, piece);
		if (ret)
			break;
		p->tail_end = merge ? p->tail_end + piece : piece;
		merge = false;
		done += piece;
	}
	lbx_plat_mutex_unlock(&p->lock);
	if (done)
		lbx_wake_up_key(&p->rd_wait, -1, LX_POLLIN | LX_POLLRDNORM);
	return done ? (ssize_t)done : ret;
}

static long pipe_ioctl(struct lbx_file *f, u32 cmd, u64 arg)
{
	s32 n;

	if (cmd != LX_FIONREAD)
		return -ENOTTY;
	n = (s32)lbx_pipe_nread(f);
	return lbx_copy_to_guest(arg, &n, sizeof(n));
}

u32 lbx_pipe_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	struct pipe *p = PIPE(f);
	u32 mask = 0;

	if (f->fmode & LBX_FMODE_READ)
		lbx_poll_add(pt, &p->rd_wait);
	if (f->fmode & LBX_FMODE_WRITE)
		lbx_poll_add(pt, &p->wr_wait);
	/* After registering: a change from here on wakes the poller. */
	lbx_plat_mutex_lock(&p->lock);
	if (f->fmode & LBX_FMODE_READ) {
		if (p->len)
			mask |= LX_POLLIN | LX_POLLRDNORM;
		if (!p->writers)
			mask |= LX_POLLHUP;
	}
	if (f->fmode & LBX_FMODE_WRITE) {
		/* Room for an atomic write: the next one will not block. */
		if (p->cap - p->len >= LBX_PIPE_BUF)
			mask |= LX_POLLOUT | LX_POLLWRNORM;
		if (!p->readers)
			mask |= LX_POLLERR;
	}
	lbx_plat_mutex_unlock(&p->lock);
	return mask;
}

static const struct lbx_file_ops pipe_fops = {
	.poll = lbx_pipe_poll,
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

/* ---- fcntl and ioctl helpers ---- */

long lbx_pipe_get_size(struct lbx_file *f)
{
	struct pipe *p;
	long size;

	if (!lbx_file_is_pipe(f))
		return -EBADF;
	p = PIPE(f);
	lbx_plat_mutex_lock(&p->lock);
	size = p->cap;
	lbx_plat_mutex_unlock(&p->lock);
	return size;
}

long lbx_pipe_nread(struct lbx_file *f)
{
	struct pipe *p;
	long n;

	if (!lbx_file_is_pipe(f))
		return -EBADF;
	p = PIPE(f);
	lbx_plat_mutex_lock(&p->lock);
	n = p->len;
	lbx_plat_mutex_unlock(&p->lock);
	return n;
}

/* Moves the queued bytes into a fresh ring of nr pages, starting at 0. */
static int pipe_resize(struct pipe *p, u32 nr)
{
	u8 **pages = lbx_plat_alloc(nr * sizeof(*pages));
	u32 used = (u32)LBX_ALIGN_UP((u64)p->len, LBX_PAGE_SIZE) / LBX_PAGE_SIZE;
	u32 i, copied = 0;

	if (!pages)
		return -ENOMEM;
	for (i = 0; i < used; i++) {
		if (p->acct && lbx_memacct_charge(p->acct, LBX_PAGE_SIZE))
			goto err;
		pages[i] = lbx_plat_page_alloc();
		if (!pages[i]) {
			if (p->acct)
				lbx_memacct_uncharge(p->acct, LBX_PAGE_SIZE);
			goto err;
		}
	}
	while (copied < p->len) {
		u32 src = (p->rpos + copied) & (p->cap - 1);
		u32 chunk = lbx_min(p->len - copied,
				    (u32)LBX_PAGE_SIZE - (src & (LBX_PAGE_SIZE - 1)));
		u32 dst_off = copied & (LBX_PAGE_SIZE - 1);

		chunk = lbx_min(chunk, (u32)LBX_PAGE_SIZE - dst_off);
		memcpy(pages[copied / LBX_PAGE_SIZE] + dst_off,
		       p->pages[src / LBX_PAGE_SIZE] + (src & (LBX_PAGE_SIZE - 1)),
		       chunk);
		copied += chunk;
	}
	pages_trim(p, 0);
	lbx_plat_free(p->pages);
	p->pages = pages;
	p->nr_pages = nr;
	p->cap = nr * LBX_PAGE_SIZE;
	p->rpos = 0;
	p->charged = used;
	return 0;
err:
	while (i--) {
		lbx_plat_page_free(pages[i]);
		if (p->acct)
			lbx_memacct_uncharge(p->acct, LBX_PAGE_SIZE);
	}
	lbx_plat_free(pages);
	return -ENOMEM;
}

/* Linux's round_pipe_size(): 0 when out of range. */
static u64 round_pipe_size(u64 size)
{
	u64 r = LBX_PAGE_SIZE;

	if (size > (1ULL << 31))
		return 0;
	while (r < size)
		r <<= 1;
	return r;
}

long lbx_pipe_set_size(struct lbx_file *f, u64 size)
{
	struct pipe *p;
	u64 bytes = round_pipe_size(size);
	u32 nr = (u32)(bytes / LBX_PAGE_SIZE);
	long ret;

	if (!lbx_file_is_pipe(f))
		return -EBADF;
	if (!nr)
		return -EINVAL;
	p = PIPE(f);
	lbx_plat_mutex_lock(&p->lock);
	if (bytes > p->cap && bytes > LBX_PIPE_MAX_SIZE) {
		ret = -EPERM;
	} else if (p->len > bytes) {
		ret = -EBUSY;
	} else if (nr == p->nr_pages) {
		ret = (long)bytes;
	} else {
		ret = pipe_resize(p, nr);
		if (!ret)
			ret = (long)bytes;
	}
	lbx_plat_mutex_unlock(&p->lock);
	if (ret > 0)
		lbx_wake_up_key(&p->wr_wait, -1, LX_POLLOUT | LX_POLLWRNORM);
	return ret;
}
