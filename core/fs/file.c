// SPDX-License-Identifier: GPL-2.0
/* Open file descriptions: life cycle, I/O entry points, the iterator. */
#include <litebox/epoll.h>
#include <litebox/flock.h>
#include <litebox/vfs.h>

/* Linux's MAX_RW_COUNT: no single transfer over INT_MAX, page aligned. */
#define LBX_MAX_RW_COUNT	(0x7fffffffUL & ~(LBX_PAGE_SIZE - 1))
/* getdents64 fills at most this much kernel buffer per call. */
#define LBX_DIRENT_BUF		(32U * 1024)

enum iter_op { ITER_TO, ITER_FROM, ITER_ZERO };

static int guest_op(enum iter_op op, u64 addr, u8 *kbuf, size_t n)
{
	switch (op) {
	case ITER_TO:
		return lbx_copy_to_guest(addr, kbuf, n);
	case ITER_FROM:
		return lbx_copy_from_guest(kbuf, addr, n);
	default:
		return lbx_clear_guest(addr, n);
	}
}

static void kernel_op(enum iter_op op, u8 *ibuf, u8 *kbuf, size_t n)
{
	switch (op) {
	case ITER_TO:
		memcpy(ibuf, kbuf, n);
		break;
	case ITER_FROM:
		memcpy(kbuf, ibuf, n);
		break;
	default:
		memset(ibuf, 0, n);
	}
}

static void iter_advance(struct lbx_iter *it, size_t n)
{
	it->addr += n;
	if (it->kbuf)
		it->kbuf += n;
	it->count -= n;
}

/*
 * Moves n bytes between the iterator and kbuf. A guest copy that faults
 * moves nothing, or with partial the bytes before the first guest page
 * that faults: a page is readable (writable) whole or not at all, so page
 * by page after the failed whole copy finds what Linux's copy_to_user()
 * and copy_from_user() would have moved. Returns the count, or -EFAULT
 * when nothing moved.
 */
static ssize_t iter_move(struct lbx_iter *it, enum iter_op op, u8 *kbuf, size_t n,
			 bool partial)
{
	size_t done = 0;

	if (n > it->count)
		return -EFAULT;
	if (!it->guest) {
		kernel_op(op, it->kbuf, kbuf, n);
		iter_advance(it, n);
		return n;
	}
	if (!guest_op(op, it->addr, kbuf, n)) {
		iter_advance(it, n);
		return n;
	}
	if (!partial)
		return -EFAULT;
	while (done < n) {
		u64 at = it->addr + done;
		size_t chunk = lbx_min(n - done, (size_t)(LBX_PAGE_SIZE - (at & (LBX_PAGE_SIZE - 1))));

		if (guest_op(op, at, kbuf ? kbuf + done : NULL, chunk))
			break;
		done += chunk;
	}
	iter_advance(it, done);
	return done ? (ssize_t)done : -EFAULT;
}

int lbx_iter_copy_to(struct lbx_iter *it, const void *src, size_t n)
{
	ssize_t r = iter_move(it, ITER_TO, (u8 *)src, n, false);

	return r < 0 ? (int)r : 0;
}

int lbx_iter_copy_from(struct lbx_iter *it, void *dst, size_t n)
{
	ssize_t r = iter_move(it, ITER_FROM, dst, n, false);

	return r < 0 ? (int)r : 0;
}

int lbx_iter_zero(struct lbx_iter *it, size_t n)
{
	ssize_t r = iter_move(it, ITER_ZERO, NULL, n, false);

	return r < 0 ? (int)r : 0;
}

ssize_t lbx_iter_copy_to_partial(struct lbx_iter *it, const void *src, size_t n)
{
	return iter_move(it, ITER_TO, (u8 *)src, n, true);
}

ssize_t lbx_iter_copy_from_partial(struct lbx_iter *it, void *dst, size_t n)
{
	return iter_move(it, ITER_FROM, dst, n, true);
}

ssize_t lbx_iter_zero_partial(struct lbx_iter *it, size_t n)
{
	return iter_move(it, ITER_ZERO, NULL, n, true);
}

int lbx_file_alloc(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		   struct lbx_inode *inode, u32 flags, struct lbx_file **out)
{
	struct lbx_file *f = lbx_plat_alloc(sizeof(*f));
	u32 acc = flags & LX_O_ACCMODE;

	if (!f)
		return -ENOMEM;
	f->refs = 1;
	f->vfs = vfs;
	f->mnt = mnt;
	f->inode = lbx_inode_get(inode);
	f->flags = flags & ~(LX_O_CREAT | LX_O_EXCL | LX_O_NOCTTY | LX_O_TRUNC |
			     LX_O_CLOEXEC);
	if (flags & LX_O_PATH) {
		f->fmode = LBX_FMODE_PATH;
	} else {
		if (acc == LX_O_RDONLY || acc == LX_O_RDWR)
			f->fmode |= LBX_FMODE_READ;
		if (acc == LX_O_WRONLY || acc == LX_O_RDWR)
			f->fmode |= LBX_FMODE_WRITE;
	}
	if (LX_S_ISREG(inode->mode) || LX_S_ISDIR(inode->mode))
		f->fmode |= LBX_FMODE_ATOMIC_POS;
	lbx_plat_mutex_init(&f->pos_lock);
	lbx_plat_spin_init(&f->ep_lock);
	lbx_list_init(&f->ep_links);
	*out = f;
	return 0;
}

struct lbx_file *lbx_file_get(struct lbx_file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void lbx_file_put(struct lbx_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	lbx_epoll_file_release(f);	/* before the file's object goes */
	if (f->fmode & LBX_FMODE_FLOCK)
		lbx_bsd_lock_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	lbx_inode_put(f->inode);
	lbx_plat_free(f);
}

static void pos_lock(struct lbx_file *f)
{
	if (f->fmode & LBX_FMODE_ATOMIC_POS)
		lbx_plat_mutex_lock(&f->pos_lock);
}

static void pos_unlock(struct lbx_file *f)
{
	if (f->fmode & LBX_FMODE_ATOMIC_POS)
		lbx_plat_mutex_unlock(&f->pos_lock);
}

static int check_io(struct lbx_file *f, struct lbx_iter *it, u32 need)
{
	if ((f->fmode & LBX_FMODE_PATH) || !(f->fmode & need))
		return -EBADF;
	if (it->count > LBX_MAX_RW_COUNT)
		it->count = LBX_MAX_RW_COUNT;
	return 0;
}

ssize_t lbx_file_read(struct lbx_file *f, struct lbx_iter *it)
{
	ssize_t r;
	u64 pos;

	r = check_io(f, it, LBX_FMODE_READ);
	if (r)
		return r;
	if (!f->ops->read)
		return -EINVAL;
	pos_lock(f);
	pos = f->pos;
	r = f->ops->read(f, it, &pos);
	if (r > 0)
		f->pos = pos;
	pos_unlock(f);
	return r;
}

ssize_t lbx_file_write(struct lbx_file *f, struct lbx_iter *it)
{
	ssize_t r;
	u64 pos;

	r = check_io(f, it, LBX_FMODE_WRITE);
	if (r)
		return r;
	if (!f->ops->write)
		return -EINVAL;
	pos_lock(f);
	pos = f->pos;
	r = f->ops->write(f, it, &pos);
	if (r > 0)
		f->pos = pos;
	pos_unlock(f);
	return r;
}

ssize_t lbx_file_pread_iter(struct lbx_file *f, struct lbx_iter *it, u64 off)
{
	ssize_t r = check_io(f, it, LBX_FMODE_READ);

	if (r)
		return r;
	if ((s64)off < 0)
		return -EINVAL;
	if (!f->ops->llseek)
		return -ESPIPE;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, it, &off);
}

ssize_t lbx_file_pwrite_iter(struct lbx_file *f, struct lbx_iter *it, u64 off)
{
	ssize_t r = check_io(f, it, LBX_FMODE_WRITE);

	if (r)
		return r;
	if ((s64)off < 0)
		return -EINVAL;
	if (!f->ops->llseek)
		return -ESPIPE;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, it, &off);
}

ssize_t lbx_file_pread(struct lbx_file *f, void *kbuf, size_t n, u64 off)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, kbuf, n);
	return lbx_file_pread_iter(f, &it, off);
}

s64 lbx_file_llseek(struct lbx_file *f, s64 off, int whence)
{
	s64 r;

	if (f->fmode & LBX_FMODE_PATH)
		return -EBADF;
	if (!f->ops->llseek)
		return -ESPIPE;
	pos_lock(f);
	r = f->ops->llseek(f, off, whence);
	pos_unlock(f);
	return r;
}

s64 lbx_generic_llseek(struct lbx_file *f, s64 off, int whence, u64 size)
{
	s64 base, pos;

	switch (whence) {
	case LX_SEEK_SET:
		base = 0;
		break;
	case LX_SEEK_CUR:
		base = (s64)f->pos;
		break;
	case LX_SEEK_END:
		base = (s64)size;
		break;
	case LX_SEEK_DATA:
		if (off < 0 || (u64)off >= size)
			return -ENXIO;
		f->pos = off;
		return off;
	case LX_SEEK_HOLE:
		if (off < 0 || (u64)off >= size)
			return -ENXIO;
		f->pos = size;
		return (s64)size;
	default:
		return -EINVAL;
	}
	if (lbx_add_overflow(base, off, &pos))
		return -EOVERFLOW;
	if (pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

s64 lbx_dir_llseek(struct lbx_file *f, s64 off, int whence)
{
	s64 pos;

	if (whence == LX_SEEK_SET)
		pos = off;
	else if (whence == LX_SEEK_CUR && !lbx_add_overflow((s64)f->pos, off, &pos))
		;
	else
		return -EINVAL;
	if (pos < 0)
		return -EINVAL;
	f->pos = pos;
	return pos;
}

/* ---- getdents64 ---- */

struct dirent_buf {
	struct lbx_dir_ctx ctx;
	u8 *buf;
	size_t size, used;
	size_t prev;		/* offset of the last record, or SIZE_MAX */
	bool full;
};

#define DIRENT64_HDR	19	/* d_ino, d_off, d_reclen, d_type */

static void set_prev_off(struct dirent_buf *db)
{
	s64 off = (s64)db->ctx.pos;

	if (db->prev != (size_t)-1)
		memcpy(db->buf + db->prev + 8, &off, 8);
}

static bool emit_dirent64(struct lbx_dir_ctx *ctx, const char *name, size_t len,
			  u64 ino, u32 dtype)
{
	struct dirent_buf *db = lbx_container_of(ctx, struct dirent_buf, ctx);
	size_t reclen = LBX_ALIGN_UP(DIRENT64_HDR + len + 1, (size_t)8);
	u8 *r = db->buf + db->used;
	u16 rl = (u16)reclen;
	s64 zero = 0;
	u8 t = (u8)dtype;

	if (reclen > db->size - db->used) {
		db->full = true;
		return false;
	}
	set_prev_off(db);
	memset(r, 0, reclen);
	memcpy(r, &ino, 8);
	memcpy(r + 8, &zero, 8);
	memcpy(r + 16, &rl, 2);
	memcpy(r + 18, &t, 1);
	memcpy(r + DIRENT64_HDR, name, len);
	db->prev = db->used;
	db->used += reclen;
	return true;
}

ssize_t lbx_file_getdents64(struct lbx_file *f, struct lbx_iter *it)
{
	struct dirent_buf db;
	ssize_t ret;

	if (f->fmode & LBX_FMODE_PATH)
		return -EBADF;
	if (!f->ops->iterate)
		return -ENOTDIR;
	db.size = lbx_min(it->count, (size_t)LBX_DIRENT_BUF);
	db.buf = lbx_plat_alloc_large(db.size ? db.size : 1);
	if (!db.buf)
		return -ENOMEM;
	db.used = 0;
	db.prev = (size_t)-1;
	db.full = false;
	db.ctx.emit = emit_dirent64;
	pos_lock(f);
	db.ctx.pos = f->pos;
	lbx_plat_mutex_lock(&f->vfs->ns_lock);
	ret = f->ops->iterate(f, &db.ctx);
	lbx_plat_mutex_unlock(&f->vfs->ns_lock);
	if (ret)
		goto out;
	set_prev_off(&db);
	if (!db.used && db.full) {
		/* An entry was there but did not fit. */
		ret = -EINVAL;
		goto out;
	}
	ret = lbx_iter_copy_to(it, db.buf, db.used);
	if (ret)
		goto out;
	f->pos = db.ctx.pos;
	ret = db.used;
out:
	pos_unlock(f);
	lbx_plat_free_large(db.buf);
	return ret;
}

long lbx_file_ioctl(struct lbx_file *f, u32 cmd, u64 arg)
{
	if (f->fmode & LBX_FMODE_PATH)
		return -EBADF;
	if (!f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg);
}

int lbx_file_stat(struct lbx_file *f, struct lbx_kstat *st)
{
	int ret;

	lbx_plat_mutex_lock(&f->vfs->ns_lock);
	ret = lbx_inode_getattr(f->inode, st);
	lbx_plat_mutex_unlock(&f->vfs->ns_lock);
	return ret;
}

int lbx_file_truncate(struct lbx_file *f, s64 len)
{
	struct lbx_iattr ia = { .valid = LBX_ATTR_SIZE | LBX_ATTR_MTIME | LBX_ATTR_CTIME };

	if (f->fmode & LBX_FMODE_PATH)
		return -EBADF;
	if (len < 0 || !(f->fmode & LBX_FMODE_WRITE) || !LX_S_ISREG(f->inode->mode))
		return -EINVAL;
	ia.size = (u64)len;
	lbx_now(&ia.mtime);
	ia.ctime = ia.mtime;
	return lbx_vfs_setattr(f->vfs, f->inode, &ia);
}

u32 lbx_file_get_flags(struct lbx_file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) | LX_O_LARGEFILE;
}

int lbx_file_set_flags(struct lbx_file *f, u32 flags)
{
	u32 old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED), nw;

	do {
		nw = (old & ~LBX_SETFL_MASK) | (flags & LBX_SETFL_MASK);
	} while (!__atomic_compare_exchange_n(&f->flags, &old, nw, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 0;
}

bool lbx_file_isatty(struct lbx_file *f)
{
	if (!(f->fmode & LBX_FMODE_CONSOLE))
		return false;
	return lbx_console_isatty(f);
}
