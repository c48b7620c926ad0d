// SPDX-License-Identifier: GPL-2.0
/*
 * Path resolution and the *at() family.
 *
 * The walk is iterative: a symlink pushes its target on a small stack of
 * strings (held alive by a reference on the link inode) instead of
 * recursing, so nesting costs no kernel stack; at most LX_MAXSYMLINKS
 * links are followed per resolution (-ELOOP). Every operation runs under
 * the VFS namespace lock.
 */
#include <litebox/vfs.h>

#define LOOKUP_FOLLOW		(1U << 0)
#define LOOKUP_DIRECTORY	(1U << 1)

struct nd_frame {
	const char *p;
	const char *end;
	struct lbx_inode *link;		/* keeps the string alive; NULL: caller's */
};

/* Frames held in the walk itself: the path and a few links in it; deeper
 * nesting moves the stack to an allocation (at most LX_MAXSYMLINKS + 1). */
#define ND_INLINE	4
#define ND_MAX		(LX_MAXSYMLINKS + 1)

/* On the caller's stack: no allocation for a walk without deep links. */
struct nameidata {
	struct lbx_fs_ctx *ctx;
	struct lbx_fs_ident id;		/* the walk's identity, taken once */
	struct lbx_path cur;
	u32 flags;
	int depth;
	int nlinks;
	bool must_dir;
	struct nd_frame *stack;		/* inline, or ND_MAX allocated */
	struct nd_frame inline_stack[ND_INLINE];
};

/* The parent of a create/remove: the directory and the last component. */
struct parent {
	struct lbx_path dir;
	const char *name;
	size_t len;
	bool trailing;		/* the path ended in '/' */
};

static void path_get(struct lbx_path *dst, const struct lbx_path *src)
{
	dst->mnt = src->mnt;
	dst->inode = lbx_inode_get(src->inode);
}

void lbx_path_put(struct lbx_path *p)
{
	lbx_inode_put(p->inode);
	p->inode = NULL;
}

static void path_set(struct lbx_path *dst, struct lbx_path *src)
{
	lbx_path_put(dst);
	*dst = *src;
	src->inode = NULL;
}

static bool path_eq(const struct lbx_path *a, const struct lbx_path *b)
{
	return a->mnt == b->mnt && a->inode == b->inode;
}

static bool is_dot(const char *s, size_t n)
{
	return n == 1 && s[0] == '.';
}

static bool is_dotdot(const char *s, size_t n)
{
	return n == 2 && s[0] == '.' && s[1] == '.';
}

static int check_path_len(const char *path)
{
	return strnlen(path, LX_PATH_MAX) >= LX_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The mount whose mount point is p, if any (the last mounted wins). */
static struct lbx_mount *mounted_on(struct lbx_vfs *vfs, const struct lbx_path *p)
{
	struct lbx_mount *found = NULL;
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &vfs->mounts) {
		struct lbx_mount *m = lbx_list_entry(pos, struct lbx_mount, node);

		if (m->parent == p->mnt && m->mountpoint == p->inode)
			found = m;
	}
	return found;
}

static void cross_mounts(struct lbx_vfs *vfs, struct lbx_path *p)
{
	struct lbx_mount *m;

	while ((m = mounted_on(vfs, p))) {
		lbx_inode_put(p->inode);
		p->mnt = m;
		p->inode = lbx_inode_get(m->sb->root);
	}
}

static bool is_mount_root(const struct lbx_path *p)
{
	return p->inode == p->mnt->sb->root;
}

static int lookup_one(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode **out)
{
	if (!dir->iops || !dir->iops->lookup)
		return -ENOTDIR;
	return dir->iops->lookup(dir, name, len, out);
}

/* ".." stays at the process root, and climbs out of mounts. */
static int follow_dotdot(struct nameidata *nd)
{
	struct lbx_inode *up;
	int ret;

	for (;;) {
		if (path_eq(&nd->cur, &nd->ctx->root))
			return 0;
		if (!is_mount_root(&nd->cur) || !nd->cur.mnt->parent)
			break;
		lbx_inode_put(nd->cur.inode);
		nd->cur.inode = lbx_inode_get(nd->cur.mnt->mountpoint);
		nd->cur.mnt = nd->cur.mnt->parent;
	}
	ret = lookup_one(nd->cur.inode, "..", 2, &up);
	if (ret)
		return ret;
	lbx_inode_put(nd->cur.inode);
	nd->cur.inode = up;
	return 0;
}

static int get_link(struct lbx_inode *i, const char **target, size_t *len)
{
	if (!i->iops || !i->iops->readlink)
		return -EINVAL;
	return i->iops->readlink(i, target, len);
}

static bool only_slashes(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '/')
			return false;
	return true;
}

/* Is the component just taken the last one, and is a '/' after it? */
static bool rest_empty(const struct nameidata *nd, bool *slash)
{
	int n;

	*slash = false;
	for (n = nd->depth - 1; n >= 0; n--) {
		if (!only_slashes(nd->stack[n].p, nd->stack[n].end))
			return false;
		if (nd->stack[n].p < nd->stack[n].end)
			*slash = true;
	}
	return true;
}

static void nd_pop(struct nameidata *nd)
{
	nd->depth--;
	lbx_inode_put(nd->stack[nd->depth].link);
}

static int nd_push_link(struct nameidata *nd, struct lbx_inode *link)
{
	struct nd_frame *f;
	const char *target;
	size_t len;
	int ret;

	if (++nd->nlinks > LX_MAXSYMLINKS || nd->depth >= ND_MAX)
		return -ELOOP;
	ret = get_link(link, &target, &len);
	if (ret)
		return ret;
	if (!len)
		return -ENOENT;
	if (nd->depth == ND_INLINE && nd->stack == nd->inline_stack) {
		f = lbx_plat_alloc(ND_MAX * sizeof(*f));
		if (!f)
			return -ENOMEM;
		memcpy(f, nd->inline_stack, sizeof(nd->inline_stack));
		nd->stack = f;
	}
	f = &nd->stack[nd->depth++];
	f->p = target;
	f->end = target + len;
	f->link = lbx_inode_get(link);
	if (target[0] == '/') {
		lbx_path_put(&nd->cur);
		path_get(&nd->cur, &nd->ctx->root);
	}
	return 0;
}

/* One component of the walk; *done when the stack is exhausted. */
static int walk_one(struct nameidata *nd)
{
	struct nd_frame *top = &nd->stack[nd->depth - 1];
	struct lbx_path child;
	const char *comp;
	size_t len;
	bool last, slash;
	int ret;

	while (top->p < top->end && *top->p == '/')
		top->p++;
	if (top->p == top->end) {
		nd_pop(nd);
		return 0;
	}
	comp = top->p;
	while (top->p < top->end && *top->p != '/')
		top->p++;
	len = top->p - comp;
	if (len > LX_NAME_MAX)
		return -ENAMETOOLONG;
	last = rest_empty(nd, &slash);
	if (!LX_S_ISDIR(nd->cur.inode->mode))
		return -ENOTDIR;
	ret = lbx_inode_permission_id(&nd->id, nd->cur.inode, LBX_MAY_EXEC);
	if (ret)
		return ret;
	if (last && slash)
		nd->must_dir = true;
	if (is_dot(comp, len))
		return 0;
	if (is_dotdot(comp, len))
		return follow_dotdot(nd);
	ret = lookup_one(nd->cur.inode, comp, len, &child.inode);
	if (ret)
		return ret;
	child.mnt = nd->cur.mnt;
	cross_mounts(nd->ctx->vfs, &child);
	if (LX_S_ISLNK(child.inode->mode) &&
	    (!last || (nd->flags & LOOKUP_FOLLOW) || slash)) {
		ret = nd_push_link(nd, child.inode);
		lbx_path_put(&child);
		return ret;
	}
	path_set(&nd->cur, &child);
	return 0;
}

static int nd_walk(struct nameidata *nd, const char *p, const char *end)
{
	int ret = 0;

	nd->stack[0].p = p;
	nd->stack[0].end = end;
	nd->stack[0].link = NULL;
	nd->depth = 1;
	while (nd->depth && !ret)
		ret = walk_one(nd);
	while (nd->depth)
		nd_pop(nd);
	if (!ret && (nd->must_dir || (nd->flags & LOOKUP_DIRECTORY)) &&
	    !LX_S_ISDIR(nd->cur.inode->mode))
		ret = -ENOTDIR;
	return ret;
}

static void nd_init(struct nameidata *nd, struct lbx_fs_ctx *ctx,
		    const struct lbx_path *start, u32 flags, int nlinks)
{
	memset(nd, 0, __builtin_offsetof(struct nameidata, inline_stack));
	nd->ctx = ctx;
	/* As Linux's current_cred() for the syscall: one identity for the
	 * whole walk (a thread's credentials change only by its own call). */
	lbx_fs_ident(ctx, &nd->id);
	nd->flags = flags;
	nd->nlinks = nlinks;
	nd->stack = nd->inline_stack;
	path_get(&nd->cur, start);
}

static void nd_release(struct nameidata *nd)
{
	lbx_path_put(&nd->cur);
	if (nd->stack != nd->inline_stack)
		lbx_plat_free(nd->stack);
}

/*
 * Resolves [p, end) from start (an absolute path from the root).
 * *nlinks carries the link count across restarts (O_CREAT through links).
 */
static int walk_from(struct lbx_fs_ctx *ctx, const struct lbx_path *start,
		     const char *p, const char *end, u32 flags, int *nlinks,
		     struct lbx_path *out)
{
	struct nameidata nd;
	int ret;

	nd_init(&nd, ctx, p < end && *p == '/' ? &ctx->root : start, flags,
		nlinks ? *nlinks : 0);
	ret = nd_walk(&nd, p, end);
	if (nlinks)
		*nlinks = nd.nlinks;
	if (!ret)
		path_get(out, &nd.cur);
	nd_release(&nd);
	return ret;
}

/* Where a relative path starts: the directory file, else the cwd. */
static int get_start(struct lbx_fs_ctx *ctx, struct lbx_file *dirf,
		     struct lbx_path *out)
{
	if (!dirf) {
		path_get(out, &ctx->cwd);
		return 0;
	}
	out->mnt = dirf->mnt;
	out->inode = lbx_inode_get(dirf->inode);
	return 0;
}

/* Full resolution; an empty path is -ENOENT unless AT_EMPTY_PATH. */
static int resolve(struct lbx_fs_ctx *ctx, struct lbx_file *dirf,
		   const char *path, u32 flags, bool empty_ok,
		   struct lbx_path *out)
{
	struct lbx_path start;
	int ret = check_path_len(path);

	if (ret)
		return ret;
	ret = get_start(ctx, dirf, &start);
	if (ret)
		return ret;
	if (!*path) {
		if (!empty_ok) {
			lbx_path_put(&start);
			return -ENOENT;
		}
		*out = start;
		return 0;
	}
	if (*path != '/' && dirf && !LX_S_ISDIR(start.inode->mode))
		ret = -ENOTDIR;
	else
		ret = walk_from(ctx, &start, path, path + strlen(path), flags,
				NULL, out);
	lbx_path_put(&start);
	return ret;
}

/*
 * Splits off the last component and resolves the directory before it.
 * A path of only slashes gives len 0 (the root itself).
 */
static int resolve_parent_from(struct lbx_fs_ctx *ctx, const struct lbx_path *start,
			       const char *path, int *nlinks, struct parent *pp)
{
	const char *e = path + strlen(path), *s;
	int ret;

	if (!*path)
		return -ENOENT;
	pp->trailing = false;
	while (e > path && e[-1] == '/') {
		e--;
		pp->trailing = true;
	}
	s = e;
	while (s > path && s[-1] != '/')
		s--;
	pp->name = s;
	pp->len = e - s;
	if (pp->len > LX_NAME_MAX)
		return -ENAMETOOLONG;
	if (s == path) {
		path_get(&pp->dir, start);
		ret = 0;
	} else {
		ret = walk_from(ctx, start, path, s, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
				nlinks, &pp->dir);
	}
	if (ret)
		return ret;
	if (!LX_S_ISDIR(pp->dir.inode->mode)) {
		lbx_path_put(&pp->dir);
		return -ENOTDIR;
	}
	return 0;
}

static int resolve_parent(struct lbx_fs_ctx *ctx, struct lbx_file *dirf,
			  const char *path, struct parent *pp)
{
	struct lbx_path start;
	int ret = check_path_len(path);

	if (ret)
		return ret;
	if (*path != '/' && *path && dirf && !LX_S_ISDIR(dirf->inode->mode))
		return -ENOTDIR;
	ret = get_start(ctx, dirf, &start);
	if (ret)
		return ret;
	ret = resolve_parent_from(ctx, *path == '/' ? &ctx->root : &start, path,
				  NULL, pp);
	lbx_path_put(&start);
	return ret;
}

static bool special_last(const struct parent *pp)
{
	return !pp->len || is_dot(pp->name, pp->len) || is_dotdot(pp->name, pp->len);
}

static void ns_lock(struct lbx_fs_ctx *ctx)
{
	lbx_plat_mutex_lock(&ctx->vfs->ns_lock);
}

static void ns_unlock(struct lbx_fs_ctx *ctx)
{
	lbx_plat_mutex_unlock(&ctx->vfs->ns_lock);
}

static int may_create(struct lbx_fs_ctx *ctx, struct lbx_inode *dir)
{
	return lbx_inode_permission(ctx, dir, LBX_MAY_WRITE | LBX_MAY_EXEC);
}

/* The fs uid of the checks made with ctx (lbx_fs_ident()). */
static u32 ctx_fsuid(const struct lbx_fs_ctx *ctx)
{
	struct lbx_fs_ident id;

	lbx_fs_ident(ctx, &id);
	return id.fsuid;
}

/* Sticky directories: only the owner of the entry or the directory. */
static int check_sticky(struct lbx_fs_ctx *ctx, struct lbx_inode *dir,
			struct lbx_inode *victim)
{
	u32 fsuid = ctx_fsuid(ctx);

	if (!(dir->mode & LX_S_ISVTX) || fsuid == 0 ||
	    fsuid == victim->uid || fsuid == dir->uid)
		return 0;
	return -EPERM;
}

static int may_delete(struct lbx_fs_ctx *ctx, struct lbx_inode *dir,
		      struct lbx_inode *victim)
{
	int ret = may_create(ctx, dir);

	return ret ? ret : check_sticky(ctx, dir, victim);
}

/* The owner and group a new inode gets (BSD group semantics on setgid dirs). */
static void new_owner(struct lbx_fs_ctx *ctx, struct lbx_inode *dir,
		      struct lbx_new_inode *ni)
{
	struct lbx_fs_ident id;

	lbx_fs_ident(ctx, &id);
	ni->uid = id.fsuid;
	ni->gid = id.fsgid;
	if (dir->mode & LX_S_ISGID) {
		ni->gid = dir->gid;
		if (LX_S_ISDIR(ni->mode))
			ni->mode |= LX_S_ISGID;
	}
}

static int do_create(struct lbx_fs_ctx *ctx, struct parent *pp,
		     struct lbx_new_inode *ni, struct lbx_inode **out)
{
	struct lbx_inode *dir = pp->dir.inode;
	int ret;

	ret = may_create(ctx, dir);
	if (ret)
		return ret;
	if (!dir->iops || !dir->iops->create)
		return -EPERM;
	new_owner(ctx, dir, ni);
	return dir->iops->create(dir, pp->name, pp->len, ni, out);
}

/* Looks up the last component in its parent (after the exec check). */
static int lookup_last(struct lbx_fs_ctx *ctx, struct parent *pp,
		       struct lbx_inode **out)
{
	int ret = lbx_inode_permission(ctx, pp->dir.inode, LBX_MAY_EXEC);

	if (ret)
		return ret;
	return lookup_one(pp->dir.inode, pp->name, pp->len, out);
}

/* ---- open ---- */

static const struct lbx_file_ops path_fops;

int lbx_vfs_open_inode(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		       struct lbx_inode *i, u32 flags, struct lbx_file **out)
{
	struct lbx_file *f;
	int ret;

	ret = lbx_file_alloc(vfs, mnt, i, flags, &f);
	if (ret)
		return ret;
	if (flags & LX_O_PATH)
		f->ops = &path_fops;
	else if (LX_S_ISCHR(i->mode))
		ret = lbx_chrdev_open(f, i->rdev);
	else if (LX_S_ISFIFO(i->mode) || LX_S_ISSOCK(i->mode) || LX_S_ISBLK(i->mode))
		ret = -ENXIO;
	else if (i->iops && i->iops->open)
		ret = i->iops->open(i, f);
	else
		f->ops = i->fops;
	if (!ret && !f->ops)
		ret = -ENXIO;
	if (ret) {
		f->ops = NULL;
		lbx_file_put(f);
		return ret;
	}
	*out = f;
	return 0;
}

static int open_mask(u32 flags)
{
	int mask = 0;

	switch (flags & LX_O_ACCMODE) {
	case LX_O_RDONLY:
		mask = LBX_MAY_READ;
		break;
	case LX_O_WRONLY:
		mask = LBX_MAY_WRITE;
		break;
	default:
		mask = LBX_MAY_READ | LBX_MAY_WRITE;
	}
	if (flags & LX_O_TRUNC)
		mask |= LBX_MAY_WRITE;
	return mask;
}

static int truncate_locked(struct lbx_inode *i, u64 size)
{
	struct lbx_iattr ia = { .valid = LBX_ATTR_SIZE | LBX_ATTR_MTIME | LBX_ATTR_CTIME };

	if (i->sb->flags & LBX_SB_RDONLY)
		return -EROFS;
	if (!i->iops || !i->iops->setattr)
		return -EPERM;
	ia.size = size;
	lbx_now(&ia.mtime);
	ia.ctime = ia.mtime;
	return i->iops->setattr(i, &ia);
}

static int finish_open(struct lbx_fs_ctx *ctx, struct lbx_path *p, u32 flags,
		       bool created, struct lbx_file **out)
{
	struct lbx_inode *i = p->inode;
	int ret;

	if (flags & LX_O_PATH)
		return lbx_vfs_open_inode(ctx->vfs, p->mnt, i, flags, out);
	if (LX_S_ISLNK(i->mode))
		return -ELOOP;
	if (LX_S_ISDIR(i->mode) && ((flags & LX_O_CREAT) ||
				    (open_mask(flags) & LBX_MAY_WRITE)))
		return -EISDIR;
	if ((flags & LX_O_DIRECTORY) && !LX_S_ISDIR(i->mode))
		return -ENOTDIR;
	if (!created) {
		ret = lbx_inode_permission(ctx, i, open_mask(flags));
		if (ret)
			return ret;
	}
	if ((flags & LX_O_TRUNC) && LX_S_ISREG(i->mode) && !created) {
		ret = truncate_locked(i, 0);
		if (ret)
			return ret;
	}
	return lbx_vfs_open_inode(ctx->vfs, p->mnt, i, flags, out);
}

/*
 * One round of O_CREAT on the last component: creates it, opens it, or
 * (returning 1) asks the caller to restart from the link's directory with
 * the symlink's target, creating the target when it does not exist, as
 * Linux does.
 */
static int creat_step(struct lbx_fs_ctx *ctx, struct parent *pp, u32 flags,
		      u32 mode, int *nlinks, struct lbx_inode **link,
		      const char **path, struct lbx_file **out)
{
	struct lbx_new_inode ni = {
		.mode = LX_S_IFREG | (mode & ~ctx->umask & LX_S_IALLUGO),
	};
	const char *target;
	struct lbx_path p;
	size_t len;
	int ret;

	if (pp->trailing || special_last(pp))
		return -EISDIR;
	ret = lookup_last(ctx, pp, &p.inode);
	p.mnt = pp->dir.mnt;
	if (ret == -ENOENT) {
		ret = do_create(ctx, pp, &ni, &p.inode);
		if (ret)
			return ret;
		ret = finish_open(ctx, &p, flags, true, out);
		lbx_path_put(&p);
		return ret;
	}
	if (ret)
		return ret;
	if (flags & LX_O_EXCL) {
		lbx_path_put(&p);
		return -EEXIST;
	}
	cross_mounts(ctx->vfs, &p);
	if (!LX_S_ISLNK(p.inode->mode)) {
		ret = finish_open(ctx, &p, flags, false, out);
		lbx_path_put(&p);
		return ret;
	}
	if ((flags & LX_O_NOFOLLOW) || ++*nlinks > LX_MAXSYMLINKS) {
		lbx_path_put(&p);
		return -ELOOP;
	}
	ret = get_link(p.inode, &target, &len);
	if (!ret && !len)
		ret = -ENOENT;
	lbx_inode_put(*link);
	*link = p.inode;	/* keeps target alive */
	if (ret)
		return ret;
	*path = target;
	return 1;
}

static int open_creat(struct lbx_fs_ctx *ctx, struct lbx_path *start,
		      const char *path, u32 flags, u32 mode, struct lbx_file **out)
{
	struct lbx_inode *link = NULL;
	struct lbx_path dir;
	struct parent pp;
	int nlinks = 0, ret;

	path_get(&dir, start);
	for (;;) {
		ret = resolve_parent_from(ctx, *path == '/' ? &ctx->root : &dir,
					  path, &nlinks, &pp);
		if (ret)
			break;
		ret = creat_step(ctx, &pp, flags, mode, &nlinks, &link, &path, out);
		if (ret != 1) {
			lbx_path_put(&pp.dir);
			break;
		}
		lbx_path_put(&dir);
		dir = pp.dir;
	}
	lbx_path_put(&dir);
	lbx_inode_put(link);
	return ret;
}

static int open_tmpfile(struct lbx_fs_ctx *ctx, struct lbx_path *dir, u32 flags,
			u32 mode, struct lbx_file **out)
{
	struct lbx_new_inode ni = { .mode = LX_S_IFREG | (mode & ~ctx->umask & LX_S_IALLUGO) };
	struct lbx_inode *d = dir->inode, *i;
	struct lbx_path p;
	int ret;

	ret = may_create(ctx, d);
	if (ret)
		return ret;
	if (!d->iops || !d->iops->tmpfile)
		return -EOPNOTSUPP;
	new_owner(ctx, d, &ni);
	ret = d->iops->tmpfile(d, &ni, &i);
	if (ret)
		return ret;
	if (!(flags & LX_O_EXCL))
		i->flags |= LBX_I_LINKABLE;
	p.mnt = dir->mnt;
	p.inode = i;
	ret = lbx_vfs_open_inode(ctx->vfs, p.mnt, i, flags & ~LX_O_DIRECTORY, out);
	lbx_path_put(&p);
	return ret;
}

static int check_open_flags(u32 *flags)
{
	u32 f = *flags;

	if (f & LX___O_TMPFILE) {
		if ((f & LX_O_TMPFILE) != LX_O_TMPFILE || (f & LX_O_CREAT) ||
		    !((f & LX_O_ACCMODE) == LX_O_WRONLY || (f & LX_O_ACCMODE) == LX_O_RDWR))
			return -EINVAL;
		return 0;
	}
	if (f & LX_O_PATH) {
		*flags = f & (LX_O_PATH | LX_O_DIRECTORY | LX_O_NOFOLLOW | LX_O_CLOEXEC);
		return 0;
	}
	if ((f & LX_O_CREAT) && (f & LX_O_DIRECTORY))
		return -EINVAL;
	return 0;
}

int lbx_vfs_openat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, u32 flags, u32 mode, struct lbx_file **out)
{
	struct lbx_path start, p;
	u32 lf;
	int ret;

	ret = check_open_flags(&flags);
	if (ret)
		return ret;
	ret = check_path_len(path);
	if (ret)
		return ret;
	if (!*path)
		return -ENOENT;
	if (*path != '/' && dir && !LX_S_ISDIR(dir->inode->mode))
		return -ENOTDIR;
	ns_lock(ctx);
	get_start(ctx, dir, &start);
	if (flags & LX_O_CREAT) {
		ret = open_creat(ctx, &start, path, flags, mode, out);
		goto out;
	}
	lf = (flags & LX_O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & LX_O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	ret = walk_from(ctx, &start, path, path + strlen(path), lf, NULL, &p);
	if (ret)
		goto out;
	if (flags & LX___O_TMPFILE)
		ret = open_tmpfile(ctx, &p, flags, mode, out);
	else
		ret = finish_open(ctx, &p, flags, false, out);
	lbx_path_put(&p);
out:
	lbx_path_put(&start);
	ns_unlock(ctx);
	return ret;
}

/* ---- creation ---- */

static int create_node(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		       const char *path, struct lbx_new_inode *ni, bool dir_ok)
{
	struct lbx_inode *i;
	struct parent pp;
	int ret;

	ns_lock(ctx);
	ret = resolve_parent(ctx, dir, path, &pp);
	if (ret)
		goto unlock;
	if (special_last(&pp)) {
		ret = -EEXIST;
		goto put;
	}
	ret = lookup_last(ctx, &pp, &i);
	if (!ret) {
		lbx_inode_put(i);
		ret = -EEXIST;
		goto put;
	}
	if (ret != -ENOENT)
		goto put;
	if (pp.trailing && !dir_ok) {
		ret = -ENOENT;
		goto put;
	}
	ret = do_create(ctx, &pp, ni, &i);
	if (!ret)
		lbx_inode_put(i);
put:
	lbx_path_put(&pp.dir);
unlock:
	ns_unlock(ctx);
	return ret;
}

int lbx_vfs_mkdirat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		    const char *path, u32 mode)
{
	struct lbx_new_inode ni = {
		.mode = LX_S_IFDIR | (mode & ~ctx->umask & (0777 | LX_S_ISVTX)),
	};

	return create_node(ctx, dir, path, &ni, true);
}

int lbx_vfs_mknodat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		    const char *path, u32 mode, u32 dev)
{
	struct lbx_new_inode ni;
	u32 type = mode & LX_S_IFMT;

	if (!type)
		type = LX_S_IFREG;
	switch (type) {
	case LX_S_IFCHR:
	case LX_S_IFBLK:
		if (ctx_fsuid(ctx) != 0)
			return -EPERM;
		break;
	case LX_S_IFREG:
	case LX_S_IFIFO:
	case LX_S_IFSOCK:
		dev = 0;
		break;
	case LX_S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	memset(&ni, 0, sizeof(ni));
	ni.mode = type | (mode & ~ctx->umask & LX_S_IALLUGO);
	ni.rdev = dev;
	return create_node(ctx, dir, path, &ni, false);
}

int lbx_vfs_symlinkat(struct lbx_fs_ctx *ctx, const char *target,
		      struct lbx_file *dir, const char *linkpath)
{
	struct lbx_new_inode ni = { .mode = LX_S_IFLNK | 0777 };
	size_t len = strnlen(target, LX_PATH_MAX);

	if (len >= LX_PATH_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -ENOENT;
	ni.target = target;
	ni.target_len = len;
	return create_node(ctx, dir, linkpath, &ni, false);
}

/* ---- removal ---- */

static bool is_busy(struct lbx_fs_ctx *ctx, const struct lbx_path *dir,
		    struct lbx_inode *i)
{
	struct lbx_path p = { .mnt = dir->mnt, .inode = i };

	return mounted_on(ctx->vfs, &p) || i == dir->mnt->sb->root;
}

int lbx_vfs_unlinkat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, int flags)
{
	bool rmdir = flags & LX_AT_REMOVEDIR;
	struct lbx_inode *victim, *d;
	struct parent pp;
	int ret;

	if (flags & ~LX_AT_REMOVEDIR)
		return -EINVAL;
	ns_lock(ctx);
	ret = resolve_parent(ctx, dir, path, &pp);
	if (ret)
		goto unlock;
	d = pp.dir.inode;
	if (special_last(&pp)) {
		if (!rmdir)
			ret = -EISDIR;
		else if (!pp.len)
			ret = -EBUSY;
		else
			ret = is_dot(pp.name, pp.len) ? -EINVAL : -ENOTEMPTY;
		goto put;
	}
	ret = lookup_last(ctx, &pp, &victim);
	if (ret)
		goto put;
	if (rmdir && !LX_S_ISDIR(victim->mode))
		ret = -ENOTDIR;
	else if (!rmdir && LX_S_ISDIR(victim->mode))
		ret = -EISDIR;
	else if (!rmdir && pp.trailing)
		ret = -ENOTDIR;
	else if (is_busy(ctx, &pp.dir, victim))
		ret = -EBUSY;
	else
		ret = may_delete(ctx, d, victim);
	if (!ret) {
		if (rmdir)
			ret = d->iops->rmdir ? d->iops->rmdir(d, pp.name, pp.len, victim) : -EPERM;
		else
			ret = d->iops->unlink ? d->iops->unlink(d, pp.name, pp.len, victim) : -EPERM;
	}
	lbx_inode_put(victim);
put:
	lbx_path_put(&pp.dir);
unlock:
	ns_unlock(ctx);
	return ret;
}

/* ---- link ---- */

int lbx_vfs_linkat(struct lbx_fs_ctx *ctx, struct lbx_file *olddir,
		   const char *oldpath, struct lbx_file *newdir,
		   const char *newpath, int flags)
{
	struct lbx_path old;
	struct lbx_inode *i, *d;
	struct parent pp;
	int ret;

	if (flags & ~(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	ns_lock(ctx);
	ret = resolve(ctx, olddir, oldpath,
		      (flags & LX_AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0,
		      flags & LX_AT_EMPTY_PATH, &old);
	if (ret)
		goto unlock;
	ret = resolve_parent(ctx, newdir, newpath, &pp);
	if (ret)
		goto put_old;
	d = pp.dir.inode;
	if (special_last(&pp)) {
		ret = -EEXIST;
		goto put;
	}
	ret = lookup_last(ctx, &pp, &i);
	if (!ret) {
		lbx_inode_put(i);
		ret = -EEXIST;
		goto put;
	}
	if (ret != -ENOENT)
		goto put;
	if (pp.trailing) {
		ret = -ENOENT;
		goto put;
	}
	i = old.inode;
	if (pp.dir.mnt != old.mnt)
		ret = -EXDEV;
	else if (LX_S_ISDIR(i->mode))
		ret = -EPERM;
	else if (!i->nlink && !(i->flags & LBX_I_LINKABLE))
		ret = -ENOENT;
	else
		ret = may_create(ctx, d);
	if (!ret)
		ret = d->iops->link ? d->iops->link(d, pp.name, pp.len, i) : -EPERM;
	if (!ret)
		i->flags &= ~LBX_I_LINKABLE;
put:
	lbx_path_put(&pp.dir);
put_old:
	lbx_path_put(&old);
unlock:
	ns_unlock(ctx);
	return ret;
}

/* ---- rename ---- */

/* Is anc an ancestor of (or equal to) p, within one mount? */
static int is_ancestor(struct lbx_inode *anc, struct lbx_inode *p, bool *res)
{
	struct lbx_inode *cur = lbx_inode_get(p), *up;
	int ret = 0, steps = 0;

	*res = false;
	for (;;) {
		if (cur == anc) {
			*res = true;
			break;
		}
		ret = lookup_one(cur, "..", 2, &up);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret || up == cur || ++steps > LX_PATH_MAX) {
			if (!ret)
				lbx_inode_put(up);
			break;
		}
		lbx_inode_put(cur);
		cur = up;
	}
	lbx_inode_put(cur);
	return ret;
}

static int rename_checks(struct lbx_fs_ctx *ctx, struct parent *op, struct parent *np,
			 struct lbx_inode *oldi, struct lbx_inode *newi, u32 flags)
{
	bool exchange = flags & LX_RENAME_EXCHANGE, anc;
	bool odir = LX_S_ISDIR(oldi->mode);
	int ret;

	if ((op->trailing || (np->trailing && !newi)) && !odir)
		return -ENOTDIR;
	if (np->trailing && newi && !LX_S_ISDIR(newi->mode) && !exchange)
		return -ENOTDIR;
	if (newi && !exchange) {
		if (odir && !LX_S_ISDIR(newi->mode))
			return -ENOTDIR;
		if (!odir && LX_S_ISDIR(newi->mode))
			return -EISDIR;
	}
	if (is_busy(ctx, &op->dir, oldi) || (newi && is_busy(ctx, &np->dir, newi)))
		return -EBUSY;
	ret = may_delete(ctx, op->dir.inode, oldi);
	if (!ret)
		ret = newi ? may_delete(ctx, np->dir.inode, newi) :
			     may_create(ctx, np->dir.inode);
	if (ret)
		return ret;
	if (op->dir.inode != np->dir.inode) {
		if (odir)
			ret = lbx_inode_permission(ctx, oldi, LBX_MAY_WRITE);
		if (!ret && exchange && LX_S_ISDIR(newi->mode))
			ret = lbx_inode_permission(ctx, newi, LBX_MAY_WRITE);
		if (ret)
			return ret;
	}
	/* No directory may move below itself. */
	if (odir) {
		ret = is_ancestor(oldi, np->dir.inode, &anc);
		if (ret)
			return ret;
		if (anc)
			return -EINVAL;
	}
	if (newi && LX_S_ISDIR(newi->mode)) {
		ret = is_ancestor(newi, op->dir.inode, &anc);
		if (ret)
			return ret;
		if (anc)
			return exchange ? -EINVAL : -ENOTEMPTY;
	}
	return 0;
}

int lbx_vfs_renameat2(struct lbx_fs_ctx *ctx, struct lbx_file *olddir,
		      const char *oldpath, struct lbx_file *newdir,
		      const char *newpath, u32 flags)
{
	struct lbx_inode *oldi = NULL, *newi = NULL, *od;
	struct parent op, np;
	int ret;

	if ((flags & ~(LX_RENAME_NOREPLACE | LX_RENAME_EXCHANGE | LX_RENAME_WHITEOUT)) ||
	    ((flags & LX_RENAME_NOREPLACE) && (flags & LX_RENAME_EXCHANGE)) ||
	    (flags & LX_RENAME_WHITEOUT))
		return -EINVAL;
	ns_lock(ctx);
	ret = resolve_parent(ctx, olddir, oldpath, &op);
	if (ret)
		goto unlock;
	ret = resolve_parent(ctx, newdir, newpath, &np);
	if (ret)
		goto put_op;
	if (special_last(&op) || special_last(&np)) {
		ret = -EBUSY;
		goto put_np;
	}
	ret = lookup_last(ctx, &op, &oldi);
	if (ret)
		goto put_np;
	ret = lookup_last(ctx, &np, &newi);
	if (ret == -ENOENT) {
		newi = NULL;
		ret = (flags & LX_RENAME_EXCHANGE) ? -ENOENT : 0;
	} else if (!ret && (flags & LX_RENAME_NOREPLACE)) {
		ret = -EEXIST;
	}
	if (ret)
		goto put;
	if (op.dir.mnt != np.dir.mnt) {
		ret = -EXDEV;
		goto put;
	}
	if (oldi == newi)
		goto put;	/* the same file: nothing to do */
	ret = rename_checks(ctx, &op, &np, oldi, newi, flags);
	if (ret)
		goto put;
	od = op.dir.inode;
	ret = od->iops->rename ?
	      od->iops->rename(od, op.name, op.len, oldi, np.dir.inode,
			       np.name, np.len, newi, flags) : -EPERM;
put:
	lbx_inode_put(newi);
	lbx_inode_put(oldi);
put_np:
	lbx_path_put(&np.dir);
put_op:
	lbx_path_put(&op.dir);
unlock:
	ns_unlock(ctx);
	return ret;
}

/* ---- attributes ---- */

long lbx_vfs_readlinkat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
			const char *path, struct lbx_iter *buf)
{
	const char *target;
	struct lbx_path p;
	size_t len;
	long ret;

	ns_lock(ctx);
	ret = resolve(ctx, dir, path, 0, true, &p);
	if (ret)
		goto unlock;
	ret = LX_S_ISLNK(p.inode->mode) ? get_link(p.inode, &target, &len) : -EINVAL;
	if (!ret) {
		len = lbx_min(len, lbx_iter_count(buf));
		ret = lbx_iter_copy_to(buf, target, len);
		if (!ret)
			ret = len;
	}
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	return ret;
}

#define STAT_FLAGS (LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT | 0x6000)

int lbx_vfs_statat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, int flags, struct lbx_kstat *st)
{
	struct lbx_path p;
	int ret;

	if (flags & ~STAT_FLAGS)
		return -EINVAL;
	ns_lock(ctx);
	ret = resolve(ctx, dir, path,
		      (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		      flags & LX_AT_EMPTY_PATH, &p);
	if (!ret) {
		ret = lbx_inode_getattr(p.inode, st);
		lbx_path_put(&p);
	}
	ns_unlock(ctx);
	return ret;
}

static int setattr_locked(struct lbx_inode *i, struct lbx_iattr *ia)
{
	if (i->sb->flags & LBX_SB_RDONLY)
		return -EROFS;
	if (!i->iops || !i->iops->setattr)
		return -EPERM;
	if (!(ia->valid & LBX_ATTR_CTIME)) {
		lbx_now(&ia->ctime);
		ia->valid |= LBX_ATTR_CTIME;
	}
	return i->iops->setattr(i, ia);
}

int lbx_vfs_setattr(struct lbx_vfs *vfs, struct lbx_inode *i,
		    const struct lbx_iattr *ia)
{
	struct lbx_iattr copy = *ia;
	int ret;

	lbx_plat_mutex_lock(&vfs->ns_lock);
	ret = setattr_locked(i, &copy);
	lbx_plat_mutex_unlock(&vfs->ns_lock);
	return ret;
}

/* Resolves for an attribute change (flags: NOFOLLOW, EMPTY_PATH). */
static int resolve_attr(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
			const char *path, int flags, struct lbx_path *p)
{
	if (flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	return resolve(ctx, dir, path,
		       (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		       flags & LX_AT_EMPTY_PATH, p);
}

int lbx_vfs_fchmodat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, u32 mode, int flags)
{
	struct lbx_iattr ia = { .valid = LBX_ATTR_MODE };
	struct lbx_fs_ident id;
	struct lbx_path p;
	struct lbx_inode *i;
	int ret;

	ns_lock(ctx);
	ret = resolve_attr(ctx, dir, path, flags, &p);
	if (ret)
		goto unlock;
	i = p.inode;
	lbx_fs_ident(ctx, &id);
	if (LX_S_ISLNK(i->mode))
		ret = -EOPNOTSUPP;
	else if (id.fsuid != 0 && id.fsuid != i->uid)
		ret = -EPERM;
	if (!ret) {
		ia.mode = mode & LX_S_IALLUGO;
		if (id.fsuid != 0 && !lbx_fs_ident_in_group(&id, i->gid))
			ia.mode &= ~LX_S_ISGID;
		ret = setattr_locked(i, &ia);
	}
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	return ret;
}

int lbx_vfs_fchownat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		     const char *path, u32 uid, u32 gid, int flags)
{
	struct lbx_iattr ia = { 0 };
	struct lbx_inode *i;
	struct lbx_path p;
	struct lbx_fs_ident id;
	bool root;
	int ret;

	lbx_fs_ident(ctx, &id);
	root = id.fsuid == 0;
	ns_lock(ctx);
	ret = resolve_attr(ctx, dir, path, flags, &p);
	if (ret)
		goto unlock;
	i = p.inode;
	if (uid != (u32)-1) {
		if (!root && !(id.fsuid == i->uid && uid == i->uid))
			ret = -EPERM;
		ia.valid |= LBX_ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (u32)-1) {
		if (!root && !(id.fsuid == i->uid &&
			       (lbx_fs_ident_in_group(&id, gid) || gid == i->gid)))
			ret = -EPERM;
		ia.valid |= LBX_ATTR_GID;
		ia.gid = gid;
	}
	if (!ret && ia.valid && !LX_S_ISDIR(i->mode) && !LX_S_ISLNK(i->mode)) {
		/* A new owner never inherits set-id powers. */
		ia.valid |= LBX_ATTR_MODE;
		ia.mode = i->mode & LX_S_IALLUGO & ~LX_S_ISUID;
		if (i->mode & 0010)
			ia.mode &= ~LX_S_ISGID;
	}
	if (!ret)
		ret = setattr_locked(i, &ia);
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	return ret;
}

static bool bad_nsec(u32 nsec)
{
	return nsec >= LBX_NSEC_PER_SEC && nsec != LX_UTIME_NOW && nsec != LX_UTIME_OMIT;
}

int lbx_vfs_utimensat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		      const char *path, const struct lbx_timespec *times,
		      int flags)
{
	struct lbx_iattr ia = { .valid = LBX_ATTR_ATIME | LBX_ATTR_MTIME };
	struct lbx_timespec now;
	bool explicit = false;
	struct lbx_inode *i;
	struct lbx_path p;
	u32 fsuid;
	int ret, n;

	if (times) {
		if (bad_nsec(times[0].nsec) || bad_nsec(times[1].nsec))
			return -EINVAL;
		if (times[0].nsec == LX_UTIME_OMIT && times[1].nsec == LX_UTIME_OMIT)
			return 0;
	}
	lbx_now(&now);
	ia.atime = now;
	ia.mtime = now;
	for (n = 0; times && n < 2; n++) {
		struct lbx_timespec *t = n ? &ia.mtime : &ia.atime;

		if (times[n].nsec == LX_UTIME_OMIT) {
			ia.valid &= ~(n ? LBX_ATTR_MTIME : LBX_ATTR_ATIME);
		} else if (times[n].nsec != LX_UTIME_NOW) {
			*t = times[n];
			explicit = true;
		}
	}
	ns_lock(ctx);
	ret = resolve_attr(ctx, dir, path, flags, &p);
	if (ret)
		goto unlock;
	i = p.inode;
	fsuid = ctx_fsuid(ctx);
	if (fsuid != 0 && fsuid != i->uid) {
		if (explicit)
			ret = -EPERM;
		else
			ret = lbx_inode_permission(ctx, i, LBX_MAY_WRITE);
	}
	if (!ret)
		ret = setattr_locked(i, &ia);
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	return ret;
}

int lbx_vfs_truncate(struct lbx_fs_ctx *ctx, const char *path, s64 len)
{
	struct lbx_path p;
	int ret;

	if (len < 0)
		return -EINVAL;
	ns_lock(ctx);
	ret = resolve(ctx, NULL, path, LOOKUP_FOLLOW, false, &p);
	if (ret)
		goto unlock;
	if (LX_S_ISDIR(p.inode->mode))
		ret = -EISDIR;
	else if (!LX_S_ISREG(p.inode->mode))
		ret = -EINVAL;
	else
		ret = lbx_inode_permission(ctx, p.inode, LBX_MAY_WRITE);
	if (!ret)
		ret = truncate_locked(p.inode, (u64)len);
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	return ret;
}

int lbx_vfs_faccessat(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		      const char *path, int mode, int flags)
{
	struct lbx_fs_ctx *who = ctx, *real = NULL;
	struct lbx_fs_ident id;
	struct lbx_path p;
	int ret;

	if (mode & ~(LX_R_OK | LX_W_OK | LX_X_OK))
		return -EINVAL;
	if (flags & ~(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -EINVAL;
	ns_lock(ctx);
	/*
	 * As Linux's access(2): the lookup and the check use the real uid
	 * and gid (AT_EACCESS: the effective ones, as everything else). The
	 * copy borrows root and cwd, which do not change under ns_lock.
	 */
	lbx_fs_ident(ctx, &id);
	if (!(flags & LX_AT_EACCESS) &&
	    (id.ruid != id.fsuid || id.rgid != id.fsgid)) {
		real = lbx_plat_alloc(sizeof(*real));
		if (!real) {
			ret = -ENOMEM;
			goto unlock;
		}
		/* Not the process's fs context: its own ids count. */
		*real = *ctx;
		real->fsuid = id.ruid;
		real->fsgid = id.rgid;
		real->ruid = id.ruid;
		real->rgid = id.rgid;
		real->ngroups = id.ngroups;
		memcpy(real->groups, id.groups, id.ngroups * sizeof(id.groups[0]));
		who = real;
	}
	ret = resolve(who, dir, path,
		      (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		      flags & LX_AT_EMPTY_PATH, &p);
	if (ret)
		goto unlock;
	if (mode)
		ret = lbx_inode_permission(who, p.inode, mode);
	lbx_path_put(&p);
unlock:
	ns_unlock(ctx);
	lbx_plat_free(real);
	return ret;
}

int lbx_vfs_lookup(struct lbx_fs_ctx *ctx, struct lbx_file *dir,
		   const char *path, int flags, struct lbx_path *out)
{
	int ret;

	ns_lock(ctx);
	ret = resolve(ctx, dir, path,
		      (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		      flags & LX_AT_EMPTY_PATH, out);
	ns_unlock(ctx);
	return ret;
}

/* ---- cwd and root ---- */

static int set_dir(struct lbx_fs_ctx *ctx, struct lbx_path *p, struct lbx_path *slot)
{
	int ret;

	if (!LX_S_ISDIR(p->inode->mode))
		ret = -ENOTDIR;
	else
		ret = lbx_inode_permission(ctx, p->inode, LBX_MAY_EXEC);
	if (ret) {
		lbx_path_put(p);
		return ret;
	}
	path_set(slot, p);
	return 0;
}

int lbx_fs_chdir(struct lbx_fs_ctx *ctx, const char *path)
{
	struct lbx_path p;
	int ret;

	ns_lock(ctx);
	ret = resolve(ctx, NULL, path, LOOKUP_FOLLOW, false, &p);
	if (!ret)
		ret = set_dir(ctx, &p, &ctx->cwd);
	ns_unlock(ctx);
	return ret;
}

int lbx_fs_fchdir(struct lbx_fs_ctx *ctx, struct lbx_file *dir)
{
	struct lbx_path p = { .mnt = dir->mnt, .inode = lbx_inode_get(dir->inode) };
	int ret;

	ns_lock(ctx);
	ret = set_dir(ctx, &p, &ctx->cwd);
	ns_unlock(ctx);
	return ret;
}

int lbx_fs_chroot(struct lbx_fs_ctx *ctx, const char *path)
{
	struct lbx_path p;
	int ret;

	if (ctx_fsuid(ctx) != 0)
		return -EPERM;
	ns_lock(ctx);
	ret = resolve(ctx, NULL, path, LOOKUP_FOLLOW, false, &p);
	if (!ret)
		ret = set_dir(ctx, &p, &ctx->root);
	ns_unlock(ctx);
	return ret;
}

/* getcwd: climb with "..", finding each name by its inode number. */
struct name_search {
	struct lbx_dir_ctx ctx;
	u64 ino;
	char *name;
	size_t len;
	bool found;
};

static bool match_ino(struct lbx_dir_ctx *ctx, const char *name, size_t len,
		      u64 ino, u32 dtype)
{
	struct name_search *s = lbx_container_of(ctx, struct name_search, ctx);

	if (ino != s->ino || is_dot(name, len) || is_dotdot(name, len))
		return true;
	memcpy(s->name, name, len);
	s->len = len;
	s->found = true;
	return false;
}

int lbx_vfs_name_of(struct lbx_vfs *vfs, struct lbx_mount *mnt,
		    struct lbx_inode *dir, u64 ino, char *name, size_t *len)
{
	struct name_search s = { .ctx.emit = match_ino, .ino = ino, .name = name };
	struct lbx_file *f;
	int ret;

	ret = lbx_vfs_open_inode(vfs, mnt, dir, LX_O_RDONLY | LX_O_DIRECTORY, &f);
	if (ret)
		return ret;
	ret = f->ops->iterate ? f->ops->iterate(f, &s.ctx) : -ENOTDIR;
	lbx_file_put(f);
	if (!ret && !s.found)
		ret = -ENOENT;
	*len = s.len;
	return ret;
}

static int cwd_step(struct lbx_fs_ctx *ctx, struct lbx_path *cur, char *buf,
		    size_t *pos, char *name)
{
	struct lbx_inode *up;
	size_t len;
	int ret;

	if (is_mount_root(cur)) {
		lbx_inode_put(cur->inode);
		cur->inode = lbx_inode_get(cur->mnt->mountpoint);
		cur->mnt = cur->mnt->parent;
		return 0;
	}
	ret = lookup_one(cur->inode, "..", 2, &up);
	if (ret)
		return ret;
	ret = lbx_vfs_name_of(ctx->vfs, cur->mnt, up, cur->inode->ino, name, &len);
	if (!ret && len + 1 > *pos)
		ret = -ENAMETOOLONG;
	if (ret) {
		lbx_inode_put(up);
		return ret;
	}
	*pos -= len;
	memcpy(buf + *pos, name, len);
	buf[--*pos] = '/';
	lbx_inode_put(cur->inode);
	cur->inode = up;
	return 0;
}

long lbx_fs_getcwd(struct lbx_fs_ctx *ctx, char *out, size_t size)
{
	char *buf = lbx_plat_alloc(LX_PATH_MAX + LX_NAME_MAX + 1);
	char *name = buf + LX_PATH_MAX;
	size_t pos = LX_PATH_MAX - 1;
	struct lbx_path cur;
	long ret = 0;

	if (!buf)
		return -ENOMEM;
	buf[pos] = '\0';
	ns_lock(ctx);
	path_get(&cur, &ctx->cwd);
	if (!cur.inode->nlink)
		ret = -ENOENT;
	while (!ret && !path_eq(&cur, &ctx->root)) {
		if (is_mount_root(&cur) && !cur.mnt->parent)
			break;
		ret = cwd_step(ctx, &cur, buf, &pos, name);
	}
	lbx_path_put(&cur);
	ns_unlock(ctx);
	if (!ret && pos == LX_PATH_MAX - 1)
		buf[--pos] = '/';
	if (!ret) {
		ret = LX_PATH_MAX - pos;
		if ((size_t)ret > size)
			ret = -ERANGE;
		else
			memcpy(out, buf + pos, ret);
	}
	lbx_plat_free(buf);
	return ret;
}

/* ---- fs context ---- */

int lbx_fs_ctx_init(struct lbx_fs_ctx *ctx, struct lbx_vfs *vfs)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->vfs = vfs;
	ctx->umask = 022;
	ctx->root.mnt = vfs->root_mnt;
	ctx->root.inode = lbx_inode_get(vfs->root_mnt->sb->root);
	path_get(&ctx->cwd, &ctx->root);
	return 0;
}

int lbx_fs_ctx_copy(struct lbx_fs_ctx *dst, const struct lbx_fs_ctx *src)
{
	*dst = *src;
	lbx_inode_get(dst->root.inode);
	lbx_inode_get(dst->cwd.inode);
	return 0;
}

void lbx_fs_ctx_release(struct lbx_fs_ctx *ctx)
{
	lbx_path_put(&ctx->cwd);
	lbx_path_put(&ctx->root);
}
