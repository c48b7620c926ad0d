/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open file descriptions: struct lbx_file (refcounted, shared by dup'ed
 * descriptors and across fork), their operations, and the single-segment
 * I/O iterator that carries data to or from guest or kernel memory.
 */
#ifndef LITEBOX_FILE_H
#define LITEBOX_FILE_H

#include <litebox/core.h>
#include <litebox/fsabi.h>
#include <litebox/list.h>

struct lbx_file;
struct lbx_inode;
struct lbx_poll_table;
struct lbx_mount;
struct lbx_vfs;
struct lbx_kstat;

/* ---- I/O iterator: one segment of guest (u64 address) or kernel memory ---- */

struct lbx_iter {
	bool guest;
	u64 addr;		/* guest address, when guest */
	u8 *kbuf;		/* kernel buffer, otherwise */
	size_t count;		/* bytes left */
};

static inline void lbx_iter_init_kernel(struct lbx_iter *it, void *buf, size_t n)
{
	it->guest = false;
	it->addr = 0;
	it->kbuf = buf;
	it->count = n;
}

static inline void lbx_iter_init_guest(struct lbx_iter *it, u64 addr, size_t n)
{
	it->guest = true;
	it->addr = addr;
	it->kbuf = NULL;
	it->count = n;
}

static inline size_t lbx_iter_count(const struct lbx_iter *it)
{
	return it->count;
}

/* Each moves exactly n (<= count) bytes and advances, or returns -EFAULT
 * and leaves the iterator where it was. */
int lbx_iter_copy_to(struct lbx_iter *it, const void *src, size_t n);
int lbx_iter_copy_from(struct lbx_iter *it, void *dst, size_t n);
int lbx_iter_zero(struct lbx_iter *it, size_t n);
/*
 * The same for file data, where Linux moves what it can: when the guest
 * buffer turns bad part way, the bytes before its first bad page move and
 * count (the iterator advances by them). Returns that count, or -EFAULT
 * when nothing moved. Pipes and sockets use the exact calls above: Linux
 * moves their data in whole buffers (docs/efault.md).
 */
ssize_t lbx_iter_copy_to_partial(struct lbx_iter *it, const void *src, size_t n);
ssize_t lbx_iter_copy_from_partial(struct lbx_iter *it, void *dst, size_t n);
ssize_t lbx_iter_zero_partial(struct lbx_iter *it, size_t n);

/* ---- directory iteration ---- */

/*
 * A file system's iterate() calls emit() for each entry at or after
 * ctx->pos, and after each accepted entry sets ctx->pos to the position of
 * the next one (that value becomes the entry's d_off). emit() returns
 * false when the caller's buffer is full: iterate() then stops, leaving
 * ctx->pos on the entry that did not fit.
 */
struct lbx_dir_ctx {
	bool (*emit)(struct lbx_dir_ctx *ctx, const char *name, size_t len,
		     u64 ino, u32 dtype);
	u64 pos;
};

/* ---- file operations ---- */

struct lbx_file_ops {
	/* Data at *pos; advance *pos. Partial transfers return the count. */
	ssize_t (*read)(struct lbx_file *f, struct lbx_iter *to, u64 *pos);
	ssize_t (*write)(struct lbx_file *f, struct lbx_iter *from, u64 *pos);
	/* Optional: NULL gives -ESPIPE. Called with f->pos_lock held. */
	s64 (*llseek)(struct lbx_file *f, s64 off, int whence);
	/* Directories only; called with the VFS namespace lock held. */
	int (*iterate)(struct lbx_file *f, struct lbx_dir_ctx *ctx);
	long (*ioctl)(struct lbx_file *f, u32 cmd, u64 arg);
	/* Optional: readiness (LX_POLL* bits), registering on pt's wait
	 * queues when pt is not NULL. NULL: always ready (regular files). */
	u32 (*poll)(struct lbx_file *f, struct lbx_poll_table *pt);
	void (*release)(struct lbx_file *f);
	/*
	 * Optional (regular files): the shared memory object that holds the
	 * file's data from now on, for a MAP_SHARED mapping, and its id
	 * (lbx_mm_new_obj_id()). It lives as long as the inode, so the caller
	 * uses it while holding f. NULL or -ENODEV: the file has no pages to
	 * share (it cannot be written; a private copy serves a read-only map).
	 */
	int (*shm)(struct lbx_file *f, struct lbx_plat_shm **shm, u64 *id);
	/*
	 * Optional (regular files): the file's size bytes at *data when they
	 * are read-only bytes of the sandbox's lower image served in place
	 * (tarfs), which never change and live as long as the sandbox; the
	 * loader maps them (lbx_plat_image_map()). NULL or -ENODEV: not so.
	 */
	int (*image_data)(struct lbx_file *f, const void **data, u64 *size);
};

/* fmode bits */
#define LBX_FMODE_READ		(1U << 0)
#define LBX_FMODE_WRITE		(1U << 1)
#define LBX_FMODE_PATH		(1U << 2)	/* O_PATH: no I/O at all */
#define LBX_FMODE_ATOMIC_POS	(1U << 3)	/* pos updates serialised */
#define LBX_FMODE_CONSOLE	(1U << 4)
#define LBX_FMODE_FLOCK		(1U << 5)	/* has held a flock(2) lock */

/* Status flags F_SETFL may change. */
#define LBX_SETFL_MASK	(LX_O_APPEND | LX_O_NONBLOCK | LX_O_ASYNC | LX_O_DIRECT | LX_O_NOATIME)

struct lbx_file {
	u32 refs;
	u32 flags;		/* open flags: access mode and status flags */
	u32 fmode;
	const struct lbx_file_ops *ops;
	struct lbx_mount *mnt;
	struct lbx_inode *inode;	/* a reference */
	struct lbx_vfs *vfs;
	struct lbx_plat_mutex pos_lock;
	u64 pos;
	void *priv;		/* the file system's */
	/* The epoll watches on this file (core/ipc/epoll.c), under ep_lock. */
	struct lbx_plat_spinlock ep_lock;
	struct lbx_list_head ep_links;
};

/*
 * Allocates a file on inode (taking a reference on it) with refs 1;
 * mnt may be NULL for files outside the name space. The caller sets ops.
 */
int lbx_file_alloc(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		   struct lbx_inode *inode, u32 flags, struct lbx_file **out);
struct lbx_file *lbx_file_get(struct lbx_file *f);
void lbx_file_put(struct lbx_file *f);

/* Use and advance the file position (O_APPEND honoured by the fs). */
ssize_t lbx_file_read(struct lbx_file *f, struct lbx_iter *it);
ssize_t lbx_file_write(struct lbx_file *f, struct lbx_iter *it);
/* At an explicit offset; the file position is untouched. */
ssize_t lbx_file_pread_iter(struct lbx_file *f, struct lbx_iter *it, u64 off);
ssize_t lbx_file_pwrite_iter(struct lbx_file *f, struct lbx_iter *it, u64 off);
/* Into a kernel buffer: the ELF loader's call. */
ssize_t lbx_file_pread(struct lbx_file *f, void *kbuf, size_t n, u64 off);
s64 lbx_file_llseek(struct lbx_file *f, s64 off, int whence);
/* Linux struct linux_dirent64 records; returns bytes, 0 at the end. */
ssize_t lbx_file_getdents64(struct lbx_file *f, struct lbx_iter *it);
long lbx_file_ioctl(struct lbx_file *f, u32 cmd, u64 arg);
int lbx_file_stat(struct lbx_file *f, struct lbx_kstat *st);
/* ftruncate; chmod, chown, utimes of an open file: the *at() calls
 * with AT_EMPTY_PATH. */
int lbx_file_truncate(struct lbx_file *f, s64 len);
/* F_GETFL / F_SETFL */
u32 lbx_file_get_flags(struct lbx_file *f);
int lbx_file_set_flags(struct lbx_file *f, u32 flags);
bool lbx_file_isatty(struct lbx_file *f);

/* Generic helpers for file systems. */
s64 lbx_generic_llseek(struct lbx_file *f, s64 off, int whence, u64 size);
s64 lbx_dir_llseek(struct lbx_file *f, s64 off, int whence);

#endif
