// SPDX-License-Identifier: GPL-2.0
/*
 * File-system and descriptor system calls: the Linux ABI (struct layouts,
 * flags, errno) over core's VFS and fd tables.
 */
#include <litebox/fdtable.h>
#include <litebox/flock.h>
#include <litebox/fsabi.h>
#include <litebox/net.h>
#include <litebox/pipe.h>
#include <litebox/vfs.h>
#include "shim.h"

#define LX_AT_STATX_SYNC_TYPE	0x6000
#define LX_F_DUPFD		0
#define LX_F_GETFD		1
#define LX_F_SETFD		2
#define LX_F_GETFL		3
#define LX_F_SETFL		4
#define LX_F_DUPFD_CLOEXEC	1030
#define LX_F_GETLK		5
#define LX_F_SETLK		6
#define LX_F_SETLKW		7
#define LX_F_SETPIPE_SZ		1031
#define LX_F_GETPIPE_SZ		1032
#define LX_SIGPIPE		13
#define LX_IOV_MAX		1024
#define LX_MAX_RW_COUNT		0x7ffff000ULL

/* ---- helpers ---- */

/* Gets a reference to the file at fd (-EBADF when none). */
int lbx_linux_fd_file(struct lbx_sys *s, int fd, struct lbx_file **out)
{
	struct lbx_file *f = lbx_fd_get(s->p->files, fd);

	if (!f)
		return -EBADF;
	*out = f;
	return 0;
}

static int fd_file(struct lbx_sys *s, int fd, struct lbx_file **out)
{
	return lbx_linux_fd_file(s, fd, out);
}

/* The directory file of an *at() call: NULL for AT_FDCWD. */
static int dir_file(struct lbx_sys *s, int dirfd, struct lbx_file **out)
{
	*out = NULL;
	if (dirfd == LX_AT_FDCWD)
		return 0;
	return fd_file(s, dirfd, out);
}

static void put_file(struct lbx_file *f)
{
	if (f)
		lbx_file_put(f);
}

/* Copies a guest path into a LiteBox buffer the caller frees. */
static int get_path(u64 uaddr, char **out)
{
	char *buf = lbx_plat_alloc(LX_PATH_MAX);
	long len;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	len = lbx_strncpy_from_guest(buf, uaddr, LX_PATH_MAX);
	if (len < 0) {
		lbx_plat_free(buf);
		return (int)len;
	}
	*out = buf;
	return 0;
}

/* A path argument that may be empty only with AT_EMPTY_PATH. */
static int get_path_at(u64 uaddr, int flags, char **out)
{
	int ret = get_path(uaddr, out);

	if (!ret && !(*out)[0] && !(flags & LX_AT_EMPTY_PATH)) {
		lbx_plat_free(*out);
		*out = NULL;	/* callers free *out whatever the answer */
		return -ENOENT;
	}
	return ret;
}

static struct lbx_fs_ctx *fs(struct lbx_sys *s)
{
	return s->p->fs;
}

/* ---- open and close ---- */

static long do_openat(struct lbx_sys *s, int dirfd, u64 upath, u32 flags, u32 mode)
{
	struct lbx_file *dir, *f;
	char *path;
	long ret;

	ret = get_path(upath, &path);
	if (ret)
		return ret;
	if (!path[0]) {
		ret = -ENOENT;
		goto out_path;
	}
	ret = dir_file(s, dirfd, &dir);
	if (ret)
		goto out_path;
	ret = lbx_vfs_openat(fs(s), dir, path, flags, mode, &f);
	if (!ret) {
		ret = lbx_fd_install(s->p->files, f,
				     flags & LX_O_CLOEXEC ? LBX_FD_CLOEXEC : 0, 0);
		lbx_file_put(f);
	}
	put_file(dir);
out_path:
	lbx_plat_free(path);
	return ret;
}

LBX_SYSCALL(open)
{
	return do_openat(s, LX_AT_FDCWD, a0, (u32)a1, (u32)a2);
}

LBX_SYSCALL(openat)
{
	return do_openat(s, (int)a0, a1, (u32)a2, (u32)a3);
}

LBX_SYSCALL(creat)
{
	return do_openat(s, LX_AT_FDCWD, a0, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, (u32)a1);
}

LBX_SYSCALL(close)
{
	struct lbx_file *f = lbx_fd_get(s->p->files, (int)a0);

	/* POSIX: closing any descriptor of a file drops the process's record
	 * locks on it. */
	if (f) {
		lbx_posix_lock_release(s->p->sb->flocks, f->inode, s->p);
		lbx_file_put(f);
	}
	return lbx_fd_close(s->p->files, (int)a0);
}

LBX_SYSCALL(close_range)
{
	u32 flags = (u32)a2;

	if (flags & ~(LX_CLOSE_RANGE_UNSHARE | LX_CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if ((u32)a0 > (u32)a1)
		return -EINVAL;
	return lbx_fd_close_range(s->p->files, (u32)a0, (u32)a1, flags);
}

/* ---- read and write ---- */

static long rw_fd(struct lbx_sys *s, int fd, u64 buf, u64 count, bool write,
		  bool positional, s64 off)
{
	struct lbx_file *f;
	struct lbx_iter it;
	long ret;

	if (positional && off < 0)
		return -EINVAL;
	ret = fd_file(s, fd, &f);
	if (ret)
		return ret;
	lbx_iter_init_guest(&it, buf, lbx_min(count, LX_MAX_RW_COUNT));
	if (positional)
		ret = write ? lbx_file_pwrite_iter(f, &it, off) : lbx_file_pread_iter(f, &it, off);
	else
		ret = write ? lbx_file_write(f, &it) : lbx_file_read(f, &it);
	lbx_file_put(f);
	if (ret == -EPIPE)
		lbx_linux_signal_self(s, LX_SIGPIPE);
	return ret;
}

LBX_SYSCALL(read)
{
	return rw_fd(s, (int)a0, a1, a2, false, false, 0);
}

LBX_SYSCALL(write)
{
	return rw_fd(s, (int)a0, a1, a2, true, false, 0);
}

LBX_SYSCALL(pread64)
{
	return rw_fd(s, (int)a0, a1, a2, false, true, (s64)a3);
}

LBX_SYSCALL(pwrite64)
{
	return rw_fd(s, (int)a0, a1, a2, true, true, (s64)a3);
}

struct lx_iovec {
	u64 base;
	u64 len;
};

static long rw_vec(struct lbx_sys *s, int fd, u64 uiov, u64 cnt, bool write,
		   bool positional, s64 off)
{
	struct lx_iovec *iov;
	struct lbx_file *f;
	u64 total = 0, i;
	long ret, done = 0;

	if (cnt > LX_IOV_MAX)
		return -EINVAL;
	if (positional && off < 0)
		return -EINVAL;
	ret = fd_file(s, fd, &f);
	if (ret)
		return ret;
	if (!cnt)
		goto out;
	iov = lbx_plat_alloc(cnt * sizeof(*iov));
	if (!iov) {
		ret = -ENOMEM;
		goto out;
	}
	ret = lbx_copy_from_guest(iov, uiov, cnt * sizeof(*iov));
	for (i = 0; !ret && i < cnt; i++) {
		if ((s64)iov[i].len < 0 || lbx_add_overflow(total, iov[i].len, &total) ||
		    total > 0x7fffffffffffffffULL)
			ret = -EINVAL;
	}
	if (!ret && !positional && lbx_file_is_socket(f)) {
		/* One message over all the vectors (datagrams). */
		ret = lbx_sock_rw_vec(f, (const struct lbx_kvec *)iov, (u32)cnt, write);
		lbx_plat_free(iov);
		goto out;
	}
	for (i = 0; !ret && i < cnt; i++) {
		struct lbx_iter it;
		long n;

		if (!iov[i].len)
			continue;
		lbx_iter_init_guest(&it, iov[i].base, iov[i].len);
		if (positional)
			n = write ? lbx_file_pwrite_iter(f, &it, off + done) :
				    lbx_file_pread_iter(f, &it, off + done);
		else
			n = write ? lbx_file_write(f, &it) : lbx_file_read(f, &it);
		if (n < 0) {
			if (!done)
				ret = n;
			break;
		}
		done += n;
		if ((u64)n < iov[i].len)
			break;
	}
	lbx_plat_free(iov);
	if (!ret)
		ret = done;
out:
	lbx_file_put(f);
	if (ret == -EPIPE)
		lbx_linux_signal_self(s, LX_SIGPIPE);
	return ret;
}

LBX_SYSCALL(readv)
{
	return rw_vec(s, (int)a0, a1, a2, false, false, 0);
}

LBX_SYSCALL(writev)
{
	return rw_vec(s, (int)a0, a1, a2, true, false, 0);
}

LBX_SYSCALL(preadv)
{
	return rw_vec(s, (int)a0, a1, a2, false, true, (s64)a3);
}

LBX_SYSCALL(pwritev)
{
	return rw_vec(s, (int)a0, a1, a2, true, true, (s64)a3);
}

LBX_SYSCALL(lseek)
{
	struct lbx_file *f;
	long ret;

	if (a2 > LX_SEEK_HOLE)
		return -EINVAL;
	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_file_llseek(f, (s64)a1, (int)a2);
	lbx_file_put(f);
	return ret;
}

/* ---- stat ---- */

struct lx_stat {
	u64 st_dev;
	u64 st_ino;
	u64 st_nlink;
	u32 st_mode;
	u32 st_uid;
	u32 st_gid;
	u32 pad0;
	u64 st_rdev;
	s64 st_size;
	s64 st_blksize;
	s64 st_blocks;
	u64 st_atime;
	u64 st_atime_nsec;
	u64 st_mtime;
	u64 st_mtime_nsec;
	u64 st_ctime;
	u64 st_ctime_nsec;
	s64 unused[3];
};

/* The kernel's new_encode_dev(). */
static u64 encode_dev(u32 dev)
{
	u32 major = dev >> 20, minor = dev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((u64)(minor & ~0xffu) << 12);
}

static int put_stat(u64 ubuf, const struct lbx_kstat *k)
{
	struct lx_stat st = {
		.st_dev = encode_dev(k->dev),
		.st_ino = k->ino,
		.st_nlink = k->nlink,
		.st_mode = k->mode,
		.st_uid = k->uid,
		.st_gid = k->gid,
		.st_rdev = encode_dev(k->rdev),
		.st_size = (s64)k->size,
		.st_blksize = k->blksize,
		.st_blocks = (s64)k->blocks,
		.st_atime = (u64)k->atime.sec,
		.st_atime_nsec = k->atime.nsec,
		.st_mtime = (u64)k->mtime.sec,
		.st_mtime_nsec = k->mtime.nsec,
		.st_ctime = (u64)k->ctime.sec,
		.st_ctime_nsec = k->ctime.nsec,
	};

	return lbx_copy_to_guest(ubuf, &st, sizeof(st));
}

static long do_fstatat(struct lbx_sys *s, int dirfd, u64 upath, u64 ubuf, int flags,
		       struct lbx_kstat *k)
{
	struct lbx_file *dir;
	char *path;
	long ret;

	if (flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT |
		      LX_AT_STATX_SYNC_TYPE))
		return -EINVAL;
	ret = get_path_at(upath, flags, &path);
	if (ret)
		return ret;
	ret = dir_file(s, dirfd, &dir);
	if (!ret) {
		ret = lbx_vfs_statat(fs(s), dir, path, flags, k);
		put_file(dir);
	}
	lbx_plat_free(path);
	return ret;
}

static long stat_common(struct lbx_sys *s, int dirfd, u64 upath, u64 ubuf, int flags)
{
	struct lbx_kstat k;
	long ret = do_fstatat(s, dirfd, upath, ubuf, flags, &k);

	return ret ? ret : put_stat(ubuf, &k);
}

LBX_SYSCALL(stat)
{
	return stat_common(s, LX_AT_FDCWD, a0, a1, 0);
}

LBX_SYSCALL(lstat)
{
	return stat_common(s, LX_AT_FDCWD, a0, a1, LX_AT_SYMLINK_NOFOLLOW);
}

LBX_SYSCALL(newfstatat)
{
	return stat_common(s, (int)a0, a1, a2, (int)a3);
}

LBX_SYSCALL(fstat)
{
	struct lbx_kstat k;
	struct lbx_file *f;
	long ret;

	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_file_stat(f, &k);
	lbx_file_put(f);
	return ret ? ret : put_stat(a1, &k);
}

struct lx_statx_timestamp {
	s64 tv_sec;
	u32 tv_nsec;
	s32 reserved;
};

struct lx_statx {
	u32 stx_mask;
	u32 stx_blksize;
	u64 stx_attributes;
	u32 stx_nlink;
	u32 stx_uid;
	u32 stx_gid;
	u16 stx_mode;
	u16 spare0;
	u64 stx_ino;
	u64 stx_size;
	u64 stx_blocks;
	u64 stx_attributes_mask;
	struct lx_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	u32 stx_rdev_major;
	u32 stx_rdev_minor;
	u32 stx_dev_major;
	u32 stx_dev_minor;
	u64 stx_mnt_id;
	u32 stx_dio_mem_align;
	u32 stx_dio_offset_align;
	u64 spare3[12];
};

#define LX_STATX_BASIC_STATS	0x7ffU
#define LX_STATX_BTIME		0x800U
#define LX_STATX__RESERVED	0x80000000U

static struct lx_statx_timestamp stx_ts(const struct lbx_timespec *t)
{
	struct lx_statx_timestamp ts = { .tv_sec = t->sec, .tv_nsec = t->nsec };

	return ts;
}

LBX_SYSCALL(statx)
{
	struct lx_statx *sx;
	struct lbx_kstat k;
	long ret;

	if ((u32)a3 & LX_STATX__RESERVED)
		return -EINVAL;
	if (((int)a2 & LX_AT_STATX_SYNC_TYPE) == LX_AT_STATX_SYNC_TYPE)
		return -EINVAL;
	ret = do_fstatat(s, (int)a0, a1, a4, (int)a2, &k);
	if (ret)
		return ret;
	sx = lbx_plat_alloc(sizeof(*sx));
	if (!sx)
		return -ENOMEM;
	sx->stx_mask = LX_STATX_BASIC_STATS | LX_STATX_BTIME;
	sx->stx_blksize = k.blksize;
	sx->stx_nlink = k.nlink;
	sx->stx_uid = k.uid;
	sx->stx_gid = k.gid;
	sx->stx_mode = (u16)k.mode;
	sx->stx_ino = k.ino;
	sx->stx_size = k.size;
	sx->stx_blocks = k.blocks;
	sx->stx_atime = stx_ts(&k.atime);
	sx->stx_btime = stx_ts(&k.btime);
	sx->stx_ctime = stx_ts(&k.ctime);
	sx->stx_mtime = stx_ts(&k.mtime);
	sx->stx_rdev_major = k.rdev >> 20;
	sx->stx_rdev_minor = k.rdev & 0xfffff;
	sx->stx_dev_major = k.dev >> 20;
	sx->stx_dev_minor = k.dev & 0xfffff;
	ret = lbx_copy_to_guest(a4, sx, sizeof(*sx));
	lbx_plat_free(sx);
	return ret;
}

LBX_SYSCALL(getdents64)
{
	struct lbx_file *f;
	struct lbx_iter it;
	long ret;

	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	lbx_iter_init_guest(&it, a1, (u32)a2);
	ret = lbx_file_getdents64(f, &it);
	lbx_file_put(f);
	return ret;
}

/* ---- names ---- */

/* Calls fn on (dir file, path) for the common *at() shape. */
#define WITH_PATH_AT(dirfd, upath, flags, call)				\
	({								\
		struct lbx_file *dir;					\
		char *path;						\
		long __r = get_path_at((upath), (flags), &path);	\
		if (!__r) {						\
			__r = dir_file(s, (dirfd), &dir);		\
			if (!__r) {					\
				__r = (call);				\
				put_file(dir);				\
			}						\
			lbx_plat_free(path);				\
		}							\
		__r;							\
	})

LBX_SYSCALL(mkdirat)
{
	u32 mode = (u32)a2;

	return WITH_PATH_AT((int)a0, a1, 0, lbx_vfs_mkdirat(fs(s), dir, path, mode));
}

LBX_SYSCALL(mkdir)
{
	u32 mode = (u32)a1;

	return WITH_PATH_AT(LX_AT_FDCWD, a0, 0, lbx_vfs_mkdirat(fs(s), dir, path, mode));
}

LBX_SYSCALL(mknodat)
{
	u32 mode = (u32)a2, dev = (u32)a3;

	return WITH_PATH_AT((int)a0, a1, 0, lbx_vfs_mknodat(fs(s), dir, path, mode, dev));
}

LBX_SYSCALL(mknod)
{
	u32 mode = (u32)a1, dev = (u32)a2;

	return WITH_PATH_AT(LX_AT_FDCWD, a0, 0, lbx_vfs_mknodat(fs(s), dir, path, mode, dev));
}

LBX_SYSCALL(unlinkat)
{
	int flags = (int)a2;

	if (flags & ~LX_AT_REMOVEDIR)
		return -EINVAL;
	return WITH_PATH_AT((int)a0, a1, 0, lbx_vfs_unlinkat(fs(s), dir, path, flags));
}

LBX_SYSCALL(unlink)
{
	return WITH_PATH_AT(LX_AT_FDCWD, a0, 0, lbx_vfs_unlinkat(fs(s), dir, path, 0));
}

LBX_SYSCALL(rmdir)
{
	return WITH_PATH_AT(LX_AT_FDCWD, a0, 0,
			    lbx_vfs_unlinkat(fs(s), dir, path, LX_AT_REMOVEDIR));
}

static long do_rename(struct lbx_sys *s, int odfd, u64 uold, int ndfd, u64 unew, u32 flags)
{
	struct lbx_file *od = NULL, *nd = NULL;
	char *op = NULL, *np = NULL;
	long ret;

	if (flags & ~(u32)(LX_RENAME_NOREPLACE | LX_RENAME_EXCHANGE | LX_RENAME_WHITEOUT))
		return -EINVAL;
	ret = get_path_at(uold, 0, &op);
	if (!ret)
		ret = get_path_at(unew, 0, &np);
	if (!ret)
		ret = dir_file(s, odfd, &od);
	if (!ret)
		ret = dir_file(s, ndfd, &nd);
	if (!ret)
		ret = lbx_vfs_renameat2(fs(s), od, op, nd, np, flags);
	put_file(nd);
	put_file(od);
	lbx_plat_free(np);
	lbx_plat_free(op);
	return ret;
}

LBX_SYSCALL(rename)
{
	return do_rename(s, LX_AT_FDCWD, a0, LX_AT_FDCWD, a1, 0);
}

LBX_SYSCALL(renameat)
{
	return do_rename(s, (int)a0, a1, (int)a2, a3, 0);
}

LBX_SYSCALL(renameat2)
{
	return do_rename(s, (int)a0, a1, (int)a2, a3, (u32)a4);
}

static long do_link(struct lbx_sys *s, int odfd, u64 uold, int ndfd, u64 unew, int flags)
{
	struct lbx_file *od = NULL, *nd = NULL;
	char *op = NULL, *np = NULL;
	long ret;

	if (flags & ~(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	ret = get_path_at(uold, flags, &op);
	if (!ret)
		ret = get_path_at(unew, 0, &np);
	if (!ret)
		ret = dir_file(s, odfd, &od);
	if (!ret)
		ret = dir_file(s, ndfd, &nd);
	if (!ret)
		ret = lbx_vfs_linkat(fs(s), od, op, nd, np, flags);
	put_file(nd);
	put_file(od);
	lbx_plat_free(np);
	lbx_plat_free(op);
	return ret;
}

LBX_SYSCALL(link)
{
	return do_link(s, LX_AT_FDCWD, a0, LX_AT_FDCWD, a1, 0);
}

LBX_SYSCALL(linkat)
{
	return do_link(s, (int)a0, a1, (int)a2, a3, (int)a4);
}

static long do_symlink(struct lbx_sys *s, u64 utarget, int dirfd, u64 ulink)
{
	char *target;
	long ret;

	ret = get_path_at(utarget, 0, &target);
	if (ret)
		return ret;
	ret = WITH_PATH_AT(dirfd, ulink, 0, lbx_vfs_symlinkat(fs(s), target, dir, path));
	lbx_plat_free(target);
	return ret;
}

LBX_SYSCALL(symlink)
{
	return do_symlink(s, a0, LX_AT_FDCWD, a1);
}

LBX_SYSCALL(symlinkat)
{
	return do_symlink(s, a0, (int)a1, a2);
}

static long do_readlink(struct lbx_sys *s, int dirfd, u64 upath, u64 ubuf, u64 size)
{
	struct lbx_iter it;

	if ((s64)(int)size <= 0)
		return -EINVAL;
	lbx_iter_init_guest(&it, ubuf, (int)size);
	return WITH_PATH_AT(dirfd, upath, LX_AT_EMPTY_PATH,
			    lbx_vfs_readlinkat(fs(s), dir, path, &it));
}

LBX_SYSCALL(readlink)
{
	return do_readlink(s, LX_AT_FDCWD, a0, a1, a2);
}

LBX_SYSCALL(readlinkat)
{
	return do_readlink(s, (int)a0, a1, a2, a3);
}

static long do_access(struct lbx_sys *s, int dirfd, u64 upath, u64 mode, int flags)
{
	if (mode & ~(u64)(LX_R_OK | LX_W_OK | LX_X_OK))
		return -EINVAL;
	if (flags & ~(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	return WITH_PATH_AT(dirfd, upath, flags,
			    lbx_vfs_faccessat(fs(s), dir, path, (int)mode, flags));
}

LBX_SYSCALL(access)
{
	return do_access(s, LX_AT_FDCWD, a0, a1, 0);
}

LBX_SYSCALL(faccessat)
{
	return do_access(s, (int)a0, a1, a2, 0);
}

LBX_SYSCALL(faccessat2)
{
	return do_access(s, (int)a0, a1, a2, (int)a3);
}

LBX_SYSCALL(chdir)
{
	char *path;
	long ret = get_path_at(a0, 0, &path);

	if (ret)
		return ret;
	ret = lbx_fs_chdir(fs(s), path);
	lbx_plat_free(path);
	return ret;
}

LBX_SYSCALL(fchdir)
{
	struct lbx_file *f;
	long ret = fd_file(s, (int)a0, &f);

	if (ret)
		return ret;
	ret = lbx_fs_fchdir(fs(s), f);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(getcwd)
{
	char *buf;
	long len;

	buf = lbx_plat_alloc(LX_PATH_MAX);
	if (!buf)
		return -ENOMEM;
	len = lbx_fs_getcwd(fs(s), buf, LX_PATH_MAX);
	if (len > 0 && (u64)len > a1)
		len = -ERANGE;
	if (len > 0 && lbx_copy_to_guest(a0, buf, len))
		len = -EFAULT;
	lbx_plat_free(buf);
	return len;
}

LBX_SYSCALL(chroot)
{
	char *path;
	long ret = get_path_at(a0, 0, &path);

	if (ret)
		return ret;
	ret = lbx_fs_chroot(fs(s), path);
	lbx_plat_free(path);
	return ret;
}

/* ---- attributes ---- */

LBX_SYSCALL(fchmodat)
{
	u32 mode = (u32)a2;

	return WITH_PATH_AT((int)a0, a1, 0, lbx_vfs_fchmodat(fs(s), dir, path, mode, 0));
}

LBX_SYSCALL(chmod)
{
	u32 mode = (u32)a1;

	return WITH_PATH_AT(LX_AT_FDCWD, a0, 0, lbx_vfs_fchmodat(fs(s), dir, path, mode, 0));
}

/* The f*() variants act on an open file: the *at() call with AT_EMPTY_PATH. */
static long on_fd(struct lbx_sys *s, int fd, int (*fn)(struct lbx_sys *, struct lbx_file *, u64, u64),
		  u64 x, u64 y)
{
	struct lbx_file *f;
	long ret = fd_file(s, fd, &f);

	if (ret)
		return ret;
	ret = fn(s, f, x, y);
	lbx_file_put(f);
	return ret;
}

static int fchmod_fn(struct lbx_sys *s, struct lbx_file *f, u64 mode, u64 unused)
{
	return lbx_vfs_fchmodat(fs(s), f, "", (u32)mode, LX_AT_EMPTY_PATH);
}

LBX_SYSCALL(fchmod)
{
	return on_fd(s, (int)a0, fchmod_fn, a1, 0);
}

static long do_chown(struct lbx_sys *s, int dirfd, u64 upath, u64 uid, u64 gid, int flags)
{
	if (flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	return WITH_PATH_AT(dirfd, upath, flags,
			    lbx_vfs_fchownat(fs(s), dir, path, (u32)uid, (u32)gid, flags));
}

LBX_SYSCALL(chown)
{
	return do_chown(s, LX_AT_FDCWD, a0, a1, a2, 0);
}

LBX_SYSCALL(lchown)
{
	return do_chown(s, LX_AT_FDCWD, a0, a1, a2, LX_AT_SYMLINK_NOFOLLOW);
}

LBX_SYSCALL(fchownat)
{
	return do_chown(s, (int)a0, a1, a2, a3, (int)a4);
}

static int fchown_fn(struct lbx_sys *s, struct lbx_file *f, u64 uid, u64 gid)
{
	return lbx_vfs_fchownat(fs(s), f, "", (u32)uid, (u32)gid, LX_AT_EMPTY_PATH);
}

LBX_SYSCALL(fchown)
{
	return on_fd(s, (int)a0, fchown_fn, a1, a2);
}

LBX_SYSCALL(umask)
{
	u32 old = fs(s)->umask;

	fs(s)->umask = (u32)a0 & 0777;
	return old;
}

LBX_SYSCALL(truncate)
{
	char *path;
	long ret;

	if ((s64)a1 < 0)
		return -EINVAL;
	ret = get_path_at(a0, 0, &path);
	if (ret)
		return ret;
	ret = lbx_vfs_truncate(fs(s), path, (s64)a1);
	lbx_plat_free(path);
	return ret;
}

LBX_SYSCALL(ftruncate)
{
	struct lbx_file *f;
	long ret;

	if ((s64)a1 < 0)
		return -EINVAL;
	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_file_truncate(f, (s64)a1);
	lbx_file_put(f);
	return ret;
}

struct lx_timespec_ts {
	s64 sec;
	s64 nsec;
};

LBX_SYSCALL(utimensat)
{
	struct lx_timespec_ts ut[2];
	struct lbx_timespec kt[2], *times = NULL;
	int flags = (int)a3, i;
	struct lbx_file *dir;
	char *path = NULL;
	long ret;

	if (flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	if (a2) {
		if (lbx_copy_from_guest(ut, a2, sizeof(ut)))
			return -EFAULT;
		for (i = 0; i < 2; i++) {
			if (ut[i].nsec != LX_UTIME_NOW && ut[i].nsec != LX_UTIME_OMIT &&
			    (ut[i].nsec < 0 || ut[i].nsec >= 1000000000))
				return -EINVAL;
			kt[i].sec = ut[i].sec;
			kt[i].nsec = (u32)ut[i].nsec;
		}
		times = kt;
	}
	/* A NULL path means the file dirfd itself (futimens). */
	if (a1) {
		ret = get_path_at(a1, flags, &path);
		if (ret)
			return ret;
	} else {
		flags |= LX_AT_EMPTY_PATH;
	}
	ret = dir_file(s, (int)a0, &dir);
	if (!ret) {
		ret = lbx_vfs_utimensat(fs(s), dir, path ? path : "", times, flags);
		put_file(dir);
	}
	lbx_plat_free(path);
	return ret;
}

LBX_SYSCALL(fsync)
{
	struct lbx_file *f;
	long ret = fd_file(s, (int)a0, &f);

	if (!ret)
		lbx_file_put(f);
	return ret;	/* memory file systems: nothing to flush */
}

LBX_SYSCALL(fdatasync)
{
	return lbx_sys_fsync(s, a0, 0, 0, 0, 0, 0);
}

LBX_SYSCALL(sync)
{
	return 0;
}

/* ---- descriptors ---- */

LBX_SYSCALL(dup)
{
	return lbx_fd_dup(s->p->files, (int)a0, 0, false);
}

LBX_SYSCALL(dup2)
{
	return lbx_fd_dup2(s->p->files, (int)a0, (int)a1);
}

LBX_SYSCALL(dup3)
{
	return lbx_fd_dup3(s->p->files, (int)a0, (int)a1, (u32)a2);
}

struct lx_flock {
	s16 l_type;
	s16 l_whence;
	u32 pad;
	s64 l_start;
	s64 l_len;
	s32 l_pid;
	u32 pad2;
};

/* F_GETLK, F_SETLK, F_SETLKW: the guest's struct flock against core's locks. */
static long do_record_lock(struct lbx_sys *s, struct lbx_file *f, u32 cmd, u64 uarg)
{
	struct lbx_flock_req req;
	struct lx_flock fl;
	struct lbx_kstat st;
	s64 base, start, end;
	long ret;

	if (lbx_copy_from_guest(&fl, uarg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != LX_F_RDLCK && fl.l_type != LX_F_WRLCK && fl.l_type != LX_F_UNLCK)
		return -EINVAL;
	switch (fl.l_whence) {
	case LX_SEEK_SET:
		base = 0;
		break;
	case LX_SEEK_CUR:
		base = (s64)f->pos;
		break;
	case LX_SEEK_END:
		ret = lbx_file_stat(f, &st);
		if (ret)
			return ret;
		base = (s64)st.size;
		break;
	default:
		return -EINVAL;
	}
	if (lbx_add_overflow(base, fl.l_start, &start))
		return -EOVERFLOW;
	if (fl.l_len > 0) {
		if (lbx_add_overflow(start, fl.l_len, &end))
			return -EOVERFLOW;
	} else if (fl.l_len < 0) {
		end = start;
		if (lbx_add_overflow(start, fl.l_len, &start))
			return -EINVAL;
	} else {
		end = -1;	/* to the end of the file */
	}
	if (start < 0)
		return -EINVAL;
	req.type = (u32)fl.l_type;
	req.start = (u64)start;
	req.end = end < 0 ? LBX_LOCK_EOF : (u64)end;
	if (cmd == LX_F_GETLK) {
		if (req.type == LX_F_UNLCK)
			return -EINVAL;
		lbx_posix_lock_test(s->p->sb->flocks, f->inode, s->p, &req);
		fl.l_type = (s16)req.type;
		if (req.type != LX_F_UNLCK) {
			fl.l_whence = LX_SEEK_SET;
			fl.l_start = (s64)req.start;
			fl.l_len = req.end == LBX_LOCK_EOF ? 0 : (s64)(req.end - req.start);
			fl.l_pid = (s32)req.owner_pid;
		}
		return lbx_copy_to_guest(uarg, &fl, sizeof(fl));
	}
	/* A lock needs the matching access: read for shared, write for exclusive. */
	if ((req.type == LX_F_RDLCK && !(f->fmode & LBX_FMODE_READ)) ||
	    (req.type == LX_F_WRLCK && !(f->fmode & LBX_FMODE_WRITE)))
		return -EBADF;
	return lbx_posix_lock_set(s->p->sb->flocks, f->inode, s->p, s->p->pid, &req,
				  cmd == LX_F_SETLKW, s->t);
}

LBX_SYSCALL(fcntl)
{
	int fd = (int)a0;
	struct lbx_file *f;
	long ret;

	ret = fd_file(s, fd, &f);
	if (ret)
		return ret;
	switch ((u32)a1) {
	case LX_F_DUPFD:
	case LX_F_DUPFD_CLOEXEC:
		if ((int)a2 < 0)
			ret = -EINVAL;
		else
			ret = lbx_fd_dup(s->p->files, fd, (int)a2,
					 (u32)a1 == LX_F_DUPFD_CLOEXEC);
		break;
	case LX_F_GETFD:
		ret = lbx_fd_get_flags(s->p->files, fd);
		break;
	case LX_F_SETFD:
		ret = lbx_fd_set_flags(s->p->files, fd, (u32)a2);
		break;
	case LX_F_GETFL:
		ret = lbx_file_get_flags(f);
		break;
	case LX_F_SETFL:
		ret = lbx_file_set_flags(f, (u32)a2);
		break;
	case LX_F_GETLK:
	case LX_F_SETLK:
	case LX_F_SETLKW:
		ret = do_record_lock(s, f, (u32)a1, a2);
		break;
	case LX_F_SETPIPE_SZ:
		ret = lbx_pipe_set_size(f, (u32)a2);
		break;
	case LX_F_GETPIPE_SZ:
		ret = lbx_pipe_get_size(f);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	lbx_file_put(f);
	return ret;
}

#define LX_FIONBIO	0x5421

LBX_SYSCALL(ioctl)
{
	struct lbx_file *f;
	long ret = fd_file(s, (int)a0, &f);

	if (ret)
		return ret;
	if ((u32)a1 == LX_FIONBIO) {
		/* Any file, as Linux's do_vfs_ioctl(): O_NONBLOCK. */
		s32 on;
		u32 fl;

		ret = lbx_copy_from_guest(&on, a2, sizeof(on));
		if (!ret) {
			fl = lbx_file_get_flags(f);
			fl = on ? fl | LX_O_NONBLOCK : fl & ~(u32)LX_O_NONBLOCK;
			ret = lbx_file_set_flags(f, fl);
		}
		lbx_file_put(f);
		return ret;
	}
	ret = lbx_file_ioctl(f, (u32)a1, a2);
	lbx_file_put(f);
	return ret;
}

/* flock(2): BSD whole-file locks of the open file description. */
LBX_SYSCALL(flock)
{
	struct lbx_file *f;
	long ret;

	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	if (f->fmode & LBX_FMODE_PATH)
		ret = -EBADF;
	else
		ret = lbx_bsd_lock(s->p->sb->flocks, f, (u32)a1, s->t);
	lbx_file_put(f);
	return ret;
}

/*
 * ---- extended attributes ----
 * LiteBox's file systems keep none: they answer as a Linux file system
 * without xattr handlers does. A name is checked, the file found, and then
 * get, set and remove are EOPNOTSUPP and a list is empty; so ls, cp -a and
 * Python's shutil.copystat take the file system for one without xattrs.
 * The checks come in Linux 6.1's order (fs/xattr.c): the file (or the
 * descriptor), then the flags, the name and the value (later kernels
 * check the arguments of set and remove before the path).
 */
#define LX_XATTR_NAME_MAX	255
#define LX_XATTR_SIZE_MAX	65536
#define LX_XATTR_CREATE		1
#define LX_XATTR_REPLACE	2

static long xattr_name(u64 uname)
{
	char name[LX_XATTR_NAME_MAX + 1];
	long len = lbx_strncpy_from_guest(name, uname, sizeof(name));

	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	return len < 0 ? len : 0;
}

/* The arguments of a set: flags, name, and a value of at most 64 KiB that
 * can be read. */
static long xattr_set_args(u64 uname, u64 uvalue, u64 size, u64 flags)
{
	u8 chunk[256];
	u64 at;
	long ret;

	if (flags & ~(u64)(LX_XATTR_CREATE | LX_XATTR_REPLACE))
		return -EINVAL;
	ret = xattr_name(uname);
	if (ret)
		return ret;
	if (size > LX_XATTR_SIZE_MAX)
		return -E2BIG;
	for (at = 0; at < size; at += sizeof(chunk)) {
		ret = lbx_copy_from_guest(chunk, uvalue + at, lbx_min(size - at, (u64)sizeof(chunk)));
		if (ret)
			return ret;
	}
	return 0;
}

/* The file at upath (followed or not) exists and can be reached. */
static long xattr_path(struct lbx_sys *s, u64 upath, bool follow)
{
	struct lbx_kstat k;

	return WITH_PATH_AT(LX_AT_FDCWD, upath, 0,
			    lbx_vfs_statat(fs(s), dir, path,
					   follow ? 0 : LX_AT_SYMLINK_NOFOLLOW, &k));
}

/* fd is open, and not with O_PATH. */
static long xattr_fd(struct lbx_sys *s, int fd)
{
	struct lbx_file *f;
	long ret = fd_file(s, fd, &f);

	if (ret)
		return ret;
	if (f->fmode & LBX_FMODE_PATH)
		ret = -EBADF;
	lbx_file_put(f);
	return ret;
}

/* Set: the file, then its arguments; then no handler takes the name. */
static long do_setxattr(long where, u64 uname, u64 uvalue, u64 size, u64 flags)
{
	long ret = where ? where : xattr_set_args(uname, uvalue, size, flags);

	return ret ? ret : -EOPNOTSUPP;
}

LBX_SYSCALL(setxattr)
{
	return do_setxattr(xattr_path(s, a0, true), a1, a2, a3, a4);
}

LBX_SYSCALL(lsetxattr)
{
	return do_setxattr(xattr_path(s, a0, false), a1, a2, a3, a4);
}

LBX_SYSCALL(fsetxattr)
{
	return do_setxattr(xattr_fd(s, (int)a0), a1, a2, a3, a4);
}

static long do_getxattr(long where, u64 uname)
{
	long ret = where ? where : xattr_name(uname);

	return ret ? ret : -EOPNOTSUPP;
}

LBX_SYSCALL(getxattr)
{
	return do_getxattr(xattr_path(s, a0, true), a1);
}

LBX_SYSCALL(lgetxattr)
{
	return do_getxattr(xattr_path(s, a0, false), a1);
}

LBX_SYSCALL(fgetxattr)
{
	return do_getxattr(xattr_fd(s, (int)a0), a1);
}

/* No attributes: an empty list, whatever the buffer. */
LBX_SYSCALL(listxattr)
{
	return xattr_path(s, a0, true);
}

LBX_SYSCALL(llistxattr)
{
	return xattr_path(s, a0, false);
}

LBX_SYSCALL(flistxattr)
{
	return xattr_fd(s, (int)a0);
}

static long do_removexattr(long where, u64 uname)
{
	long ret = where ? where : xattr_name(uname);

	return ret ? ret : -EOPNOTSUPP;
}

LBX_SYSCALL(removexattr)
{
	return do_removexattr(xattr_path(s, a0, true), a1);
}

LBX_SYSCALL(lremovexattr)
{
	return do_removexattr(xattr_path(s, a0, false), a1);
}

LBX_SYSCALL(fremovexattr)
{
	return do_removexattr(xattr_fd(s, (int)a0), a1);
}

/*
 * ---- statfs ----
 * Every file system of a sandbox lives in its memory budget (--mem-limit):
 * the blocks are that budget in pages, the free ones what is left of it, as
 * tmpfs reports its size= limit. /proc reports zeros, as Linux's.
 */
#define LX_TMPFS_MAGIC		0x01021994
#define LX_OVERLAYFS_MAGIC	0x794c7630
#define LX_PROC_MAGIC		0x9fa0
#define LX_PIPEFS_MAGIC		0x50495045
#define LX_SOCKFS_MAGIC		0x534f434b
#define LX_ANON_INODE_FS_MAGIC	0x09041934
#define LX_ST_RDONLY		0x0001
#define LX_ST_NOSUID		0x0002
#define LX_ST_VALID		0x0020

struct lx_statfs {
	s64 f_type;
	s64 f_bsize;
	u64 f_blocks;
	u64 f_bfree;
	u64 f_bavail;
	u64 f_files;
	u64 f_ffree;
	s32 f_fsid[2];
	s64 f_namelen;
	s64 f_frsize;
	s64 f_flags;
	s64 f_spare[4];
};

/* The types Linux has for LiteBox's file systems; sized: in the budget. */
static const struct {
	const char *type;
	s64 magic;
	bool sized;
} statfs_types[] = {
	{ "tmpfs", LX_TMPFS_MAGIC, true },
	{ "devtmpfs", LX_TMPFS_MAGIC, true },
	{ "overlay", LX_OVERLAYFS_MAGIC, true },
	{ "tarfs", LX_TMPFS_MAGIC, true },
	{ "proc", LX_PROC_MAGIC, false },
	{ "pipefs", LX_PIPEFS_MAGIC, false },
	{ "sockfs", LX_SOCKFS_MAGIC, false },
};

static long put_statfs(struct lbx_sys *s, const struct lbx_inode *i, u64 ubuf)
{
	const struct lbx_super *sup = i->sb;
	struct lbx_memacct *a = &s->p->sb->fs_mem;
	struct lx_statfs st = { 0 };
	size_t k;

	/* Anything else (eventfd, epoll, timerfd, ...): anon_inodefs. */
	st.f_type = LX_ANON_INODE_FS_MAGIC;
	for (k = 0; sup && sup->type && k < LBX_ARRAY_SIZE(statfs_types); k++) {
		if (strcmp(sup->type, statfs_types[k].type))
			continue;
		st.f_type = statfs_types[k].magic;
		if (statfs_types[k].sized) {
			u64 total = a->limit / LBX_PAGE_SIZE;
			u64 used = LBX_ALIGN_UP(lbx_memacct_used(a), (u64)LBX_PAGE_SIZE) /
				   LBX_PAGE_SIZE;

			st.f_blocks = total;
			st.f_bfree = total > used ? total - used : 0;
			st.f_bavail = st.f_bfree;
			st.f_files = total;
			st.f_ffree = st.f_bfree;
		}
		break;
	}
	st.f_bsize = LBX_PAGE_SIZE;
	st.f_frsize = LBX_PAGE_SIZE;
	st.f_namelen = 255;
	/* Set-id bits are ignored everywhere in a sandbox (docs/creds.md). */
	st.f_flags = LX_ST_VALID | LX_ST_NOSUID |
		     (sup && (sup->flags & LBX_SB_RDONLY) ? LX_ST_RDONLY : 0);
	st.f_fsid[0] = sup ? (s32)sup->dev : 0;
	return lbx_copy_to_guest(ubuf, &st, sizeof(st));
}

LBX_SYSCALL(statfs)
{
	struct lbx_path p;
	char *path;
	long ret;

	ret = get_path_at(a0, 0, &path);
	if (ret)
		return ret;
	ret = lbx_vfs_lookup(fs(s), NULL, path, 0, &p);
	lbx_plat_free(path);
	if (ret)
		return ret;
	ret = put_statfs(s, p.inode, a1);
	lbx_path_put(&p);
	return ret;
}

/* An O_PATH descriptor will do, as in Linux. */
LBX_SYSCALL(fstatfs)
{
	struct lbx_file *f;
	long ret;

	ret = fd_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = put_statfs(s, f->inode, a1);
	lbx_file_put(f);
	return ret;
}
