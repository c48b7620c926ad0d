// SPDX-License-Identifier: GPL-2.0
/*
 * File descriptor tables. Slots grow by doubling up to the limit. Files
 * leave the table under its lock but are put after it is dropped: a
 * release may sleep or take other locks.
 */
#include <litebox/fdtable.h>

#define FD_MIN_SLOTS	64U

static size_t bitmap_bytes(u32 slots)
{
	return LBX_ALIGN_UP((size_t)slots, (size_t)64) / 8;
}

static bool test_cloexec(struct lbx_fdtable *t, u32 fd)
{
	return t->cloexec[fd / 64] & (1ULL << (fd % 64));
}

static void set_cloexec(struct lbx_fdtable *t, u32 fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

/* Grows the slot arrays to hold at least want slots (want <= max). */
static int grow(struct lbx_fdtable *t, u32 want)
{
	u32 size = t->size ? t->size : FD_MIN_SLOTS;
	struct lbx_file **files;
	u64 *bits;

	while (size < want)
		size *= 2;
	size = lbx_min(size, t->max);
	if (size <= t->size)
		return 0;
	files = lbx_plat_alloc_large((size_t)size * sizeof(*files));
	bits = lbx_plat_alloc_large(bitmap_bytes(size));
	if (!files || !bits) {
		lbx_plat_free_large(files);
		lbx_plat_free_large(bits);
		return -ENOMEM;
	}
	if (t->size) {
		memcpy(files, t->files, (size_t)t->size * sizeof(*files));
		memcpy(bits, t->cloexec, bitmap_bytes(t->size));
	}
	lbx_plat_free_large(t->files);
	lbx_plat_free_large(t->cloexec);
	t->files = files;
	t->cloexec = bits;
	t->size = size;
	return 0;
}

int lbx_fdtable_create(u32 max, struct lbx_fdtable **out)
{
	struct lbx_fdtable *t;
	int ret;

	if (!max)
		return -EINVAL;
	t = lbx_plat_alloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->refs = 1;
	t->max = max;
	lbx_plat_mutex_init(&t->lock);
	ret = grow(t, lbx_min(FD_MIN_SLOTS, max));
	if (ret) {
		lbx_plat_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

struct lbx_fdtable *lbx_fdtable_get(struct lbx_fdtable *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void lbx_fdtable_put(struct lbx_fdtable *t)
{
	u32 n;

	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (n = 0; n < t->size; n++)
		lbx_file_put(t->files[n]);
	lbx_plat_free_large(t->files);
	lbx_plat_free_large(t->cloexec);
	lbx_plat_free(t);
}

int lbx_fdtable_copy(struct lbx_fdtable *src, struct lbx_fdtable **out)
{
	struct lbx_fdtable *t;
	int ret;
	u32 n;

	ret = lbx_fdtable_create(src->max, &t);
	if (ret)
		return ret;
	lbx_plat_mutex_lock(&src->lock);
	ret = grow(t, src->size);
	if (!ret) {
		for (n = 0; n < src->size; n++) {
			if (!src->files[n])
				continue;
			t->files[n] = lbx_file_get(src->files[n]);
			set_cloexec(t, n, test_cloexec(src, n));
		}
		t->next = src->next;
	}
	lbx_plat_mutex_unlock(&src->lock);
	if (ret) {
		lbx_fdtable_put(t);
		return ret;
	}
	*out = t;
	return 0;
}

/* The lowest free slot >= minfd, grown into if needed. Lock held. */
static int alloc_fd(struct lbx_fdtable *t, u32 minfd)
{
	u32 fd = lbx_max(minfd, t->next);
	int ret;

	for (; fd < t->size; fd++)
		if (!t->files[fd])
			break;
	if (fd >= t->max) {
		lbx_plat_trace_limit(LBX_LIMIT_FDS, t->max);
		return -EMFILE;
	}
	if (fd >= t->size) {
		ret = grow(t, fd + 1);
		if (ret)
			return ret;
	}
	if (minfd <= t->next)
		t->next = fd + 1;
	return (int)fd;
}

static void slot_freed(struct lbx_fdtable *t, u32 fd)
{
	if (fd < t->next)
		t->next = fd;
}

int lbx_fd_install(struct lbx_fdtable *t, struct lbx_file *f, u32 flags,
		   int minfd)
{
	int fd;

	if (minfd < 0 || (u32)minfd >= t->max)
		return -EINVAL;
	lbx_plat_mutex_lock(&t->lock);
	fd = alloc_fd(t, (u32)minfd);
	if (fd >= 0) {
		t->files[fd] = lbx_file_get(f);
		set_cloexec(t, fd, flags & LBX_FD_CLOEXEC);
	}
	lbx_plat_mutex_unlock(&t->lock);
	return fd;
}

struct lbx_file *lbx_fd_get(struct lbx_fdtable *t, int fd)
{
	struct lbx_file *f = NULL;

	lbx_plat_mutex_lock(&t->lock);
	if (fd >= 0 && (u32)fd < t->size && t->files[fd])
		f = lbx_file_get(t->files[fd]);
	lbx_plat_mutex_unlock(&t->lock);
	return f;
}

/* Removes the file at fd (lock held); the caller puts it. */
static struct lbx_file *take(struct lbx_fdtable *t, u32 fd)
{
	struct lbx_file *f;

	if (fd >= t->size || !t->files[fd])
		return NULL;
	f = t->files[fd];
	t->files[fd] = NULL;
	set_cloexec(t, fd, false);
	slot_freed(t, fd);
	return f;
}

int lbx_fd_close(struct lbx_fdtable *t, int fd)
{
	struct lbx_file *f = NULL;

	lbx_plat_mutex_lock(&t->lock);
	if (fd >= 0)
		f = take(t, (u32)fd);
	lbx_plat_mutex_unlock(&t->lock);
	if (!f)
		return -EBADF;
	lbx_file_put(f);
	return 0;
}

int lbx_fd_dup(struct lbx_fdtable *t, int oldfd, int minfd, bool cloexec)
{
	struct lbx_file *f = lbx_fd_get(t, oldfd);
	int fd;

	if (!f)
		return -EBADF;
	fd = lbx_fd_install(t, f, cloexec ? LBX_FD_CLOEXEC : 0, minfd);
	lbx_file_put(f);
	return fd;
}

/* Puts oldfd's file at newfd, closing what was there (atomically). */
static int replace(struct lbx_fdtable *t, int oldfd, int newfd, bool cloexec)
{
	struct lbx_file *old = NULL;
	int ret = newfd;

	if (newfd < 0 || (u32)newfd >= t->max)
		return -EBADF;
	lbx_plat_mutex_lock(&t->lock);
	if (oldfd < 0 || (u32)oldfd >= t->size || !t->files[oldfd]) {
		ret = -EBADF;
		goto out;
	}
	if ((u32)newfd >= t->size) {
		ret = grow(t, (u32)newfd + 1);
		if (ret)
			goto out;
		ret = newfd;
	}
	old = t->files[newfd];
	t->files[newfd] = lbx_file_get(t->files[oldfd]);
	set_cloexec(t, newfd, cloexec);
out:
	lbx_plat_mutex_unlock(&t->lock);
	lbx_file_put(old);
	return ret;
}

int lbx_fd_dup2(struct lbx_fdtable *t, int oldfd, int newfd)
{
	struct lbx_file *f;

	if (oldfd == newfd) {
		f = lbx_fd_get(t, oldfd);
		if (!f)
			return -EBADF;
		lbx_file_put(f);
		return newfd;
	}
	return replace(t, oldfd, newfd, false);
}

int lbx_fd_dup3(struct lbx_fdtable *t, int oldfd, int newfd, u32 flags)
{
	if (flags & ~LX_O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return replace(t, oldfd, newfd, flags & LX_O_CLOEXEC);
}

int lbx_fd_close_range(struct lbx_fdtable *t, u32 first, u32 last, u32 flags)
{
	u32 fd;

	if (flags & ~(LX_CLOSE_RANGE_CLOEXEC | LX_CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (fd = first; ; fd++) {
		struct lbx_file *f = NULL;
		bool done;

		lbx_plat_mutex_lock(&t->lock);
		done = fd >= t->size;
		if (!done) {
			if (!(flags & LX_CLOSE_RANGE_CLOEXEC))
				f = take(t, fd);
			else if (t->files[fd])
				set_cloexec(t, fd, true);
		}
		lbx_plat_mutex_unlock(&t->lock);
		lbx_file_put(f);
		if (done || fd == last)
			break;
	}
	return 0;
}

void lbx_fd_close_on_exec(struct lbx_fdtable *t)
{
	u32 fd;

	for (fd = 0; ; fd++) {
		struct lbx_file *f = NULL;
		bool done;

		lbx_plat_mutex_lock(&t->lock);
		done = fd >= t->size;
		if (!done && t->files[fd] && test_cloexec(t, fd))
			f = take(t, fd);
		lbx_plat_mutex_unlock(&t->lock);
		lbx_file_put(f);
		if (done)
			break;
	}
}

int lbx_fd_get_flags(struct lbx_fdtable *t, int fd)
{
	int ret = -EBADF;

	lbx_plat_mutex_lock(&t->lock);
	if (fd >= 0 && (u32)fd < t->size && t->files[fd])
		ret = test_cloexec(t, (u32)fd) ? LX_FD_CLOEXEC : 0;
	lbx_plat_mutex_unlock(&t->lock);
	return ret;
}

int lbx_fd_set_flags(struct lbx_fdtable *t, int fd, u32 fdflags)
{
	int ret = -EBADF;

	lbx_plat_mutex_lock(&t->lock);
	if (fd >= 0 && (u32)fd < t->size && t->files[fd]) {
		set_cloexec(t, (u32)fd, fdflags & LX_FD_CLOEXEC);
		ret = 0;
	}
	lbx_plat_mutex_unlock(&t->lock);
	return ret;
}

u32 lbx_fd_count(struct lbx_fdtable *t)
{
	u32 n, count = 0;

	lbx_plat_mutex_lock(&t->lock);
	for (n = 0; n < t->size; n++)
		count += !!t->files[n];
	lbx_plat_mutex_unlock(&t->lock);
	return count;
}
