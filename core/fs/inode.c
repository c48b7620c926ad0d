// SPDX-License-Identifier: GPL-2.0
/* Generic inode life cycle, attributes and permission checks. */
#include <litebox/task.h>
#include <litebox/vfs.h>

void lbx_now(struct lbx_timespec *ts)
{
	u64 ns = lbx_plat_now_real();

	ts->sec = (s64)(ns / LBX_NSEC_PER_SEC);
	ts->nsec = (u32)(ns % LBX_NSEC_PER_SEC);
}

void lbx_inode_init(struct lbx_inode *i, struct lbx_super *sb, u32 mode)
{
	i->refs = 1;
	i->mode = mode;
	i->nlink = LX_S_ISDIR(mode) ? 2 : 1;
	i->sb = sb;
	i->ino = lbx_vfs_alloc_ino(sb->vfs);
	lbx_plat_mutex_init(&i->lock);
	lbx_now(&i->mtime);
	i->atime = i->mtime;
	i->ctime = i->mtime;
}

void lbx_inode_put(struct lbx_inode *i)
{
	if (!i)
		return;
	if (__atomic_sub_fetch(&i->refs, 1, __ATOMIC_ACQ_REL) == 0)
		i->sb->ops->free_inode(i);
}

u32 lbx_mode_to_dtype(u32 mode)
{
	return (mode & LX_S_IFMT) >> 12;
}

void lbx_fs_ident(const struct lbx_fs_ctx *ctx, struct lbx_fs_ident *id)
{
	const struct lbx_thread *t = lbx_current();

	if (t && t->proc && LBX_READ_ONCE(t->proc->fs) == ctx) {
		/* Changed only by t itself: no lock needed. */
		id->fsuid = t->cred.fsuid;
		id->fsgid = t->cred.fsgid;
		id->ruid = t->cred.uid;
		id->rgid = t->cred.gid;
		id->ngroups = lbx_min(t->cred.ngroups, (u32)LBX_NGROUPS_MAX);
		id->groups = t->cred.groups;
		return;
	}
	/* The ids last, as lbx_cred_install_locked() writes them first. */
	id->ngroups = lbx_min(LBX_READ_ONCE(ctx->ngroups), (u32)LBX_NGROUPS_MAX);
	id->groups = ctx->groups;
	id->fsuid = LBX_READ_ONCE(ctx->fsuid);
	id->fsgid = LBX_READ_ONCE(ctx->fsgid);
	id->ruid = LBX_READ_ONCE(ctx->ruid);
	id->rgid = LBX_READ_ONCE(ctx->rgid);
}

bool lbx_fs_ident_in_group(const struct lbx_fs_ident *id, u32 gid)
{
	u32 n;

	if (id->fsgid == gid)
		return true;
	for (n = 0; n < id->ngroups; n++)
		if (id->groups[n] == gid)
			return true;
	return false;
}

/*
 * As Linux's generic_permission plus the read-only check: root may read and
 * write anything, and execute anything with at least one x bit (or any
 * directory).
 */
int lbx_inode_permission_id(const struct lbx_fs_ident *id, struct lbx_inode *i, int mask)
{
	u32 mode = i->mode, bits;

	if ((mask & LBX_MAY_WRITE) && (i->sb->flags & LBX_SB_RDONLY) &&
	    (LX_S_ISREG(mode) || LX_S_ISDIR(mode) || LX_S_ISLNK(mode)))
		return -EROFS;
	if (id->fsuid == 0) {
		if (!(mask & LBX_MAY_EXEC) || LX_S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (id->fsuid == i->uid)
		bits = (mode >> 6) & 7;
	else if (lbx_fs_ident_in_group(id, i->gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (mask & ~bits & 7) ? -EACCES : 0;
}

int lbx_inode_permission(const struct lbx_fs_ctx *ctx, struct lbx_inode *i,
			 int mask)
{
	struct lbx_fs_ident id;

	lbx_fs_ident(ctx, &id);
	return lbx_inode_permission_id(&id, i, mask);
}

void lbx_inode_fill_stat(struct lbx_inode *i, struct lbx_kstat *st)
{
	memset(st, 0, sizeof(*st));
	lbx_plat_mutex_lock(&i->lock);
	st->ino = i->ino;
	st->dev = i->sb->dev;
	st->rdev = i->rdev;
	st->mode = i->mode;
	st->nlink = i->nlink;
	st->uid = i->uid;
	st->gid = i->gid;
	st->blksize = LBX_PAGE_SIZE;
	st->size = i->size;
	st->blocks = i->blocks;
	st->atime = i->atime;
	st->mtime = i->mtime;
	st->ctime = i->ctime;
	lbx_plat_mutex_unlock(&i->lock);
}

int lbx_inode_getattr(struct lbx_inode *i, struct lbx_kstat *st)
{
	if (i->iops && i->iops->getattr)
		return i->iops->getattr(i, st);
	lbx_inode_fill_stat(i, st);
	return 0;
}

void lbx_inode_apply_attr(struct lbx_inode *i, const struct lbx_iattr *ia)
{
	if (ia->valid & LBX_ATTR_MODE)
		i->mode = (i->mode & LX_S_IFMT) | (ia->mode & LX_S_IALLUGO);
	if (ia->valid & LBX_ATTR_UID)
		i->uid = ia->uid;
	if (ia->valid & LBX_ATTR_GID)
		i->gid = ia->gid;
	if (ia->valid & LBX_ATTR_ATIME)
		i->atime = ia->atime;
	if (ia->valid & LBX_ATTR_MTIME)
		i->mtime = ia->mtime;
	if (ia->valid & LBX_ATTR_CTIME)
		i->ctime = ia->ctime;
}
