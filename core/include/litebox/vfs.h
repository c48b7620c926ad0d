/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual file system: inodes, super blocks, mounts, per-process file
 * system context, path resolution and the *at() family.
 *
 * Locking: one mutex per VFS instance (the namespace lock) serialises
 * every name-space operation and every call into struct lbx_inode_ops, so
 * file systems need no locking of their trees. File data and size are
 * guarded by each inode's own mutex (lbx_inode.lock), taken after the
 * namespace lock when both are needed. Console and device I/O takes
 * neither.
 *
 * Lifetimes: inodes and files are refcounted. A directory entry holds a
 * reference on its inode, so an unlinked file stays alive while open.
 * lbx_vfs_destroy() expects every file and fs context to be released.
 */
#ifndef LITEBOX_VFS_H
#define LITEBOX_VFS_H

#include <litebox/core.h>
#include <litebox/cred.h>
#include <litebox/fsabi.h>
#include <litebox/file.h>
#include <litebox/list.h>
#include <litebox/memacct.h>

struct lbx_sandbox;
struct lbx_vfs;
struct lbx_super;
struct lbx_inode;

struct lbx_timespec {
	s64 sec;
	u32 nsec;
};

/* What statx needs. Device numbers in LBX_MKDEV form. */
struct lbx_kstat {
	u64 ino;
	u32 dev;
	u32 rdev;
	u32 mode;
	u32 nlink;
	u32 uid, gid;
	u32 blksize;
	u64 size;
	u64 blocks;		/* 512-byte units */
	struct lbx_timespec atime, mtime, ctime, btime;
};

/* setattr: which fields of struct lbx_iattr are valid */
#define LBX_ATTR_MODE	(1U << 0)
#define LBX_ATTR_UID	(1U << 1)
#define LBX_ATTR_GID	(1U << 2)
#define LBX_ATTR_SIZE	(1U << 3)
#define LBX_ATTR_ATIME	(1U << 4)
#define LBX_ATTR_MTIME	(1U << 5)
#define LBX_ATTR_CTIME	(1U << 6)

struct lbx_iattr {
	u32 valid;
	u32 mode;		/* permission bits only */
	u32 uid, gid;
	u64 size;
	struct lbx_timespec atime, mtime, ctime;
};

/* What a create operation makes. */
struct lbx_new_inode {
	u32 mode;		/* type and permission bits */
	u32 rdev;
	u32 uid, gid;
	const char *target;	/* symlinks */
	size_t target_len;
};

/* lbx_inode.flags */
#define LBX_I_OPAQUE	(1U << 0)	/* overlay: hides the lower directory */
#define LBX_I_LINKABLE	(1U << 1)	/* O_TMPFILE without O_EXCL: linkat may name it */

/*
 * Inode operations: called with the namespace lock held, names as
 * (pointer, length) without NUL. The VFS has already checked permissions,
 * types (EISDIR/ENOTDIR), existence and read-only mounts; the file system
 * checks what only it knows (ENOTEMPTY, ENOSPC). Operations a file system
 * leaves NULL fail with -EPERM (or -EINVAL for readlink).
 */
struct lbx_inode_ops {
	/* "." and ".." included; -ENOENT when absent. Returns a reference. */
	int (*lookup)(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode **out);
	int (*create)(struct lbx_inode *dir, const char *name, size_t len,
		      const struct lbx_new_inode *ni, struct lbx_inode **out);
	int (*tmpfile)(struct lbx_inode *dir, const struct lbx_new_inode *ni,
		       struct lbx_inode **out);
	int (*link)(struct lbx_inode *dir, const char *name, size_t len,
		    struct lbx_inode *target);
	int (*unlink)(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode *victim);
	int (*rmdir)(struct lbx_inode *dir, const char *name, size_t len,
		     struct lbx_inode *victim);
	/* newi: the inode new_name names now, or NULL. flags: LX_RENAME_*. */
	int (*rename)(struct lbx_inode *odir, const char *oname, size_t olen,
		      struct lbx_inode *oldi, struct lbx_inode *ndir,
		      const char *nname, size_t nlen, struct lbx_inode *newi,
		      u32 flags);
	/* The target stays valid while the caller holds its reference. */
	int (*readlink)(struct lbx_inode *i, const char **target, size_t *len);
	int (*setattr)(struct lbx_inode *i, const struct lbx_iattr *ia);
	/* Optional: default copies the lbx_inode fields. */
	int (*getattr)(struct lbx_inode *i, struct lbx_kstat *st);
	/* Sets f->ops (and f->priv); default: f->ops = i->fops. */
	int (*open)(struct lbx_inode *i, struct lbx_file *f);
};

struct lbx_inode {
	u32 refs;
	u32 mode;
	u32 nlink;
	u32 uid, gid;
	u32 rdev;
	u32 flags;
	u64 ino;
	u64 size;
	u64 blocks;
	struct lbx_timespec atime, mtime, ctime;
	const struct lbx_inode_ops *iops;
	const struct lbx_file_ops *fops;
	struct lbx_super *sb;
	struct lbx_plat_mutex lock;	/* data, size, times */
};

/* lbx_super.flags */
#define LBX_SB_RDONLY	(1U << 0)

struct lbx_super_ops {
	/* The last reference to an inode of this super block went away. */
	void (*free_inode)(struct lbx_inode *i);
	/* Tear the file system down (the VFS has dropped its root ref). */
	void (*destroy)(struct lbx_super *sb);
};

struct lbx_super {
	const struct lbx_super_ops *ops;
	struct lbx_vfs *vfs;
	struct lbx_inode *root;		/* a reference */
	const char *type;		/* "tmpfs", "overlay", ... (/proc/mounts) */
	u32 flags;
	u32 dev;
	u64 max_size;			/* largest regular file */
};

struct lbx_mount {
	struct lbx_list_head node;	/* in vfs->mounts */
	struct lbx_super *sb;
	struct lbx_mount *parent;	/* NULL for the root mount */
	struct lbx_inode *mountpoint;	/* in parent; a reference */
	char *path;			/* where, for /proc/mounts */
};

struct lbx_path {
	struct lbx_mount *mnt;
	struct lbx_inode *inode;	/* a reference */
};

/* The VFS instance of one sandbox. Fields are core/fs's own. */
struct lbx_vfs {
	struct lbx_plat_mutex ns_lock;
	struct lbx_list_head mounts;	/* root first */
	struct lbx_mount *root_mnt;
	struct lbx_sandbox *sandbox;
	struct lbx_memacct *acct;
	struct lbx_super *devfs;	/* the console files' inodes live here */
	u64 next_ino;
	u32 next_dev;
};

/*
 * Per process (CLONE_FS shares it): root, cwd, umask, and a copy of the
 * process's (its leader's) fsuid, fsgid, real ids and groups (struct
 * lbx_cred, kept in step by lbx_cred_install_locked()): the identity of
 * the checks made without a calling thread (see lbx_fs_ident()).
 */
struct lbx_fs_ctx {
	struct lbx_vfs *vfs;
	struct lbx_path root;
	struct lbx_path cwd;
	u32 umask;
	u32 fsuid, fsgid;
	u32 ruid, rgid;		/* real ids: access(2) checks with these */
	u32 ngroups;
	u32 groups[LBX_NGROUPS_MAX];
};

/* The identity a permission check uses: Linux's current_fsuid(),
 * current_fsgid() and groups, and access(2)'s real ids. */
struct lbx_fs_ident {
	u32 fsuid, fsgid;
	u32 ruid, rgid;
	u32 ngroups;
	const u32 *groups;
};

/*
 * The calling thread's credentials (each thread has its own: litebox/cred.h)
 * when ctx is its process's fs context; else ctx's own copy: no calling
 * guest thread (unit tests), or a copy made with other ids (access(2)'s
 * real ids). Valid while ctx and the calling thread are.
 */
void lbx_fs_ident(const struct lbx_fs_ctx *ctx, struct lbx_fs_ident *id);
/* Whether gid is id's fsgid or one of its groups. */
bool lbx_fs_ident_in_group(const struct lbx_fs_ident *id, u32 gid);

/* ---- set-up ---- */

/*
 * Builds a sandbox's file system: "/" is an overlay of an upper memfs over
 * the lower tar image (a plain memfs when lower_len is 0); the upper tar,
 * if any, is unpacked into the upper layer; /dev is devfs, /tmp (1777) and
 * /proc (an empty mount point) exist. File-system memory is charged to
 * acct. The images must outlive the VFS (reads are served from them).
 */
int lbx_vfs_create(struct lbx_vfs **out, struct lbx_sandbox *sb,
		   const void *lower_tar, size_t lower_len,
		   const void *upper_tar, size_t upper_len,
		   struct lbx_memacct *acct);
void lbx_vfs_destroy(struct lbx_vfs *vfs);
/* An empty VFS whose root is a memfs: the unit tests' starting point. */
int lbx_vfs_create_empty(struct lbx_vfs **out, struct lbx_sandbox *sb,
			 struct lbx_memacct *acct);
/* Mounts fs (taking ownership of it) on the directory at path. */
int lbx_vfs_mount(struct lbx_vfs *vfs, const char *path, struct lbx_super *fs);
u64 lbx_vfs_alloc_ino(struct lbx_vfs *vfs);
u32 lbx_vfs_alloc_dev(struct lbx_vfs *vfs);

/* ---- fs context ---- */

int lbx_fs_ctx_init(struct lbx_fs_ctx *ctx, struct lbx_vfs *vfs);
int lbx_fs_ctx_copy(struct lbx_fs_ctx *dst, const struct lbx_fs_ctx *src);
void lbx_fs_ctx_release(struct lbx_fs_ctx *ctx);
int lbx_fs_chdir(struct lbx_fs_ctx *ctx, const char *path);
int lbx_fs_fchdir(struct lbx_fs_ctx *ctx, struct lbx_file *dir);
int lbx_fs_chroot(struct lbx_fs_ctx *ctx, const char *path);
/* Writes the NUL-terminated cwd into buf; returns its length with NUL. */
long lbx_fs_getcwd(struct lbx_fs_ctx *ctx, char *buf, size_t size);

/* ---- the *at() family: dir is the directory file, NULL = cwd ---- */

int lbx_vfs_openat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, u32 flags, u32 mode,
		   struct lbx_file **out);
int lbx_vfs_mkdirat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		    const char *path, u32 mode);
/* dev in LBX_MKDEV form */
int lbx_vfs_mknodat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		    const char *path, u32 mode, u32 dev);
int lbx_vfs_unlinkat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, int flags);
int lbx_vfs_renameat2(struct lbx_fs_ctx *ctx, struct lbx_file *olddir,
		      const char *oldpath, struct lbx_file *newdir,
		      const char *newpath, u32 flags);
int lbx_vfs_linkat(struct lbx_fs_ctx *ctx, struct lbx_file *olddir,
		   const char *oldpath, struct lbx_file *newdir,
		   const char *newpath, int flags);
int lbx_vfs_symlinkat(struct lbx_fs_ctx *ctx, const char *target,
		      struct lbx_file *dir, const char *linkpath);
/* Copies at most lbx_iter_count(buf) bytes, no NUL; returns the count. */
long lbx_vfs_readlinkat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
			const char *path, struct lbx_iter *buf);
int lbx_vfs_statat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, int flags, struct lbx_kstat *st);
int lbx_vfs_fchmodat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, u32 mode, int flags);
/* uid or gid (u32)-1: unchanged */
int lbx_vfs_fchownat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, u32 uid, u32 gid, int flags);
/* times NULL: both now; nsec may be LX_UTIME_NOW / LX_UTIME_OMIT. */
int lbx_vfs_utimensat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		      const char *path, const struct lbx_timespec *times,
		      int flags);
int lbx_vfs_truncate(struct lbx_fs_ctx *ctx, const char *path, s64 len);
int lbx_vfs_faccessat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		      const char *path, int mode, int flags);
/* Resolves path to (mount, inode) with a reference; flags AT_*. */
int lbx_vfs_lookup(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, int flags, struct lbx_path *out);
void lbx_path_put(struct lbx_path *p);

/* ---- inodes (for file systems) ---- */

#define LBX_MAY_EXEC	1
#define LBX_MAY_WRITE	2
#define LBX_MAY_READ	4

void lbx_inode_init(struct lbx_inode *i, struct lbx_super *sb, u32 mode);
static inline struct lbx_inode *lbx_inode_get(struct lbx_inode *i)
{
	__atomic_fetch_add(&i->refs, 1, __ATOMIC_RELAXED);
	return i;
}
void lbx_inode_put(struct lbx_inode *i);
/* The same check for an identity taken before (lbx_fs_ident()): a path
 * walk takes it once, not at every component. */
int lbx_inode_permission_id(const struct lbx_fs_ident *id, struct lbx_inode *i, int mask);
int lbx_inode_permission(const struct lbx_fs_ctx *ctx, struct lbx_inode *i,
			 int mask);
void lbx_inode_fill_stat(struct lbx_inode *i, struct lbx_kstat *st);
int lbx_inode_getattr(struct lbx_inode *i, struct lbx_kstat *st);
void lbx_now(struct lbx_timespec *ts);
u32 lbx_mode_to_dtype(u32 mode);
/* Applies ia to the generic fields (not size). Caller holds i->lock. */
void lbx_inode_apply_attr(struct lbx_inode *i, const struct lbx_iattr *ia);

/* ---- file systems ---- */

/* An in-memory file system, charged to acct (NULL: not charged). */
int lbx_memfs_create(struct lbx_vfs *vfs, struct lbx_memacct *acct,
		     u32 root_mode, struct lbx_super **out);
/* A read-only file system over a tar image (data served in place). */
int lbx_tarfs_create(struct lbx_vfs *vfs, const void *image, size_t len,
		     struct lbx_super **out);
/* Unpacks a tar image into a memfs directory (copying, charged). */
int lbx_tar_unpack(struct lbx_super *memfs, const void *image, size_t len);
/* upper is a writable memfs; lower any file system. Takes ownership. */
int lbx_overlay_create(struct lbx_vfs *vfs, struct lbx_super *upper,
		       struct lbx_super *lower, struct lbx_super **out);
int lbx_devfs_create(struct lbx_vfs *vfs, struct lbx_super **out);
/* Destroys a super block that was never mounted. */
void lbx_super_destroy(struct lbx_super *sb);

/* ---- character devices (devfs.c) ---- */

/* LiteBox's console nodes /dev/std{in,out,err}: major 5, minor 64 + fd. */
#define LBX_CONSOLE_MAJOR	5
#define LBX_CONSOLE_MINOR0	64

/* Opens the device rdev on f: sets f->ops. -ENXIO when unknown. */
int lbx_chrdev_open(struct lbx_file *f, u32 rdev);
/* A console file: read and write go to the platform stdio host_fd. */
int lbx_console_file_open(struct lbx_vfs *vfs, int host_fd,
			  struct lbx_file **out);
bool lbx_console_isatty(struct lbx_file *f);

/* ---- internal to core/fs ---- */

/* setattr under the namespace lock, with the fs's copy-up etc. */
int lbx_vfs_setattr(struct lbx_vfs *vfs, struct lbx_inode *i,
		    const struct lbx_iattr *ia);
/* The name of inode number ino in directory dir (name: LX_NAME_MAX + 1
 * bytes, not terminated; *len its length), found by reading dir; -ENOENT. */
int lbx_vfs_name_of(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		    struct lbx_inode *dir, u64 ino, char *name, size_t *len);
int lbx_vfs_open_inode(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		       struct lbx_inode *i, u32 flags, struct lbx_file **out);

#endif
