// SPDX-License-Identifier: GPL-2.0
/*
 * overlay: a writable upper memfs over a read-only lower file system.
 *
 * An overlay inode pairs the upper and lower inodes found under one name.
 * Overlay inodes are cached in their parent (by name) for as long as the
 * name exists, so a path always yields the same inode; each remembers its
 * parent and name, which is what copy-up needs to recreate it above.
 *
 * - Copy-up (on open for writing, setattr, link, rename) recreates a lower
 *   object in the upper layer, parents first, data copied page by page
 *   (charged; -ENOSPC leaves nothing half-made). The overlay inode keeps
 *   the lower inode number, so st_ino does not change.
 * - Removing a name that exists below leaves a whiteout (a 0/0 character
 *   device) in the upper directory. A directory made where a whiteout was
 *   is opaque (LBX_I_OPAQUE): the lower directory no longer shows through.
 * - readdir merges both layers into a snapshot per open directory (taken
 *   at the first read and at rewind), without duplicates or whiteouts.
 * - As Linux overlayfs without redirect_dir, renaming a directory that has
 *   lower content gives -EXDEV (mv falls back to copying). Copy-up breaks
 *   lower hard links.
 *
 * Everything runs under the VFS namespace lock.
 */
#include <litebox/memfs.h>

struct ovl_sb {
	struct lbx_super sb;
	struct lbx_super *upper;
	struct lbx_super *lower;
};

struct ovl_inode {
	struct lbx_inode i;
	struct lbx_inode *upper;	/* references, either may be NULL */
	struct lbx_inode *lower;
	struct ovl_inode *parent;	/* not counted; NULL once unlinked */
	struct lbx_list_head children;	/* cached, counted */
	struct lbx_list_head sibling;
	bool removed;
	u16 len;
	char *name;
};

/* One merged directory entry. */
struct ovl_ent {
	struct lbx_list_head node;
	u64 ino;
	u32 dtype;
	bool whiteout;
	bool in_upper;
	u16 len;
	char name[];
};

struct ovl_dir {
	struct lbx_list_head ents;
	bool valid;
};

static const struct lbx_inode_ops ovl_iops;
static const struct lbx_file_ops ovl_file_ops;
static const struct lbx_file_ops ovl_dir_ops;
static const struct lbx_super_ops ovl_sops;

static struct ovl_inode *OI(struct lbx_inode *i)
{
	return lbx_container_of(i, struct ovl_inode, i);
}

static struct ovl_sb *OSB(struct lbx_super *sb)
{
	return lbx_container_of(sb, struct ovl_sb, sb);
}

static struct lbx_inode *real(struct ovl_inode *oi)
{
	return oi->upper ? oi->upper : oi->lower;
}

static bool name_is(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* The fields the VFS reads directly (type, permissions) follow the real inode. */
static void sync_attrs(struct ovl_inode *oi)
{
	struct lbx_inode *r = real(oi);

	oi->i.mode = r->mode;
	oi->i.uid = r->uid;
	oi->i.gid = r->gid;
	oi->i.rdev = r->rdev;
	oi->i.nlink = oi->removed && !oi->upper ? 0 : r->nlink;
	oi->i.size = r->size;
}

static int set_name(struct ovl_inode *oi, const char *name, size_t len)
{
	char *n = lbx_plat_alloc(len + 1);

	if (!n)
		return -ENOMEM;
	memcpy(n, name, len);
	lbx_plat_free(oi->name);
	oi->name = n;
	oi->len = (u16)len;
	return 0;
}

static struct ovl_inode *ovl_new(struct lbx_super *sb, struct lbx_inode *upper,
				 struct lbx_inode *lower)
{
	struct ovl_inode *oi = lbx_plat_alloc(sizeof(*oi));
	struct lbx_inode *r = upper ? upper : lower;

	if (!oi)
		return NULL;
	lbx_inode_init(&oi->i, sb, r->mode);
	oi->i.ino = lower ? lower->ino : upper->ino;
	oi->i.iops = &ovl_iops;
	oi->i.fops = LX_S_ISDIR(r->mode) ? &ovl_dir_ops : &ovl_file_ops;
	oi->upper = upper;
	oi->lower = lower;
	lbx_list_init(&oi->children);
	lbx_list_init(&oi->sibling);
	sync_attrs(oi);
	return oi;
}

static void ovl_free_inode(struct lbx_inode *i)
{
	struct ovl_inode *oi = OI(i);

	lbx_inode_put(oi->upper);
	lbx_inode_put(oi->lower);
	lbx_plat_free(oi->name);
	lbx_plat_free(oi);
}

/* ---- the per-directory cache ---- */

static struct ovl_inode *cache_find(struct ovl_inode *dir, const char *name, size_t len)
{
	struct lbx_list_head *p;

	lbx_list_for_each(p, &dir->children) {
		struct ovl_inode *c = lbx_list_entry(p, struct ovl_inode, sibling);

		if (name_is(c->name, c->len, name, len))
			return c;
	}
	return NULL;
}

/* Caches child under dir/name; the cache takes over the caller's reference. */
static int cache_add(struct ovl_inode *dir, struct ovl_inode *child,
		     const char *name, size_t len)
{
	int ret = set_name(child, name, len);

	if (ret)
		return ret;
	child->parent = dir;
	lbx_list_add_tail(&child->sibling, &dir->children);
	return 0;
}

/* Forgets the name: the inode lives on while referenced elsewhere. */
static void cache_drop(struct ovl_inode *child)
{
	if (!child->parent)
		return;
	lbx_list_del(&child->sibling);
	child->parent = NULL;
	child->removed = true;
	sync_attrs(child);
	lbx_inode_put(&child->i);
}

/* ---- helpers over real inodes ---- */

static int real_lookup(struct lbx_inode *dir, const char *name, size_t len,
		       struct lbx_inode **out)
{
	return dir->iops->lookup(dir, name, len, out);
}

static bool is_opaque(struct lbx_inode *upper_dir)
{
	return upper_dir && (upper_dir->flags & LBX_I_OPAQUE);
}

/* Is there a whiteout named name in the upper dir? Removes it if asked. */
static int whiteout_at(struct lbx_inode *udir, const char *name, size_t len,
		       bool remove, bool *found)
{
	struct lbx_inode *w;
	int ret;

	*found = false;
	ret = real_lookup(udir, name, len, &w);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	if (lbx_is_whiteout(w)) {
		*found = true;
		if (remove)
			ret = udir->iops->unlink(udir, name, len, w);
	}
	lbx_inode_put(w);
	return ret;
}

static int make_whiteout(struct lbx_inode *udir, const char *name, size_t len)
{
	static const struct lbx_new_inode wh = { .mode = LX_S_IFCHR };
	struct lbx_inode *w;
	int ret = udir->iops->create(udir, name, len, &wh, &w);

	if (!ret)
		lbx_inode_put(w);
	return ret;
}

/* ---- copy-up ---- */

static int copy_data(struct lbx_vfs *vfs, struct lbx_inode *from, struct lbx_inode *to)
{
	struct lbx_file *in = NULL, *out = NULL;
	void *page = NULL;
	u64 off = 0;
	ssize_t n;
	int ret;

	if (!from->size)
		return 0;
	ret = lbx_vfs_open_inode(vfs, NULL, from, LX_O_RDONLY, &in);
	if (!ret)
		ret = lbx_vfs_open_inode(vfs, NULL, to, LX_O_WRONLY, &out);
	page = ret ? NULL : lbx_plat_alloc(LBX_PAGE_SIZE);
	if (!ret && !page)
		ret = -ENOMEM;
	while (!ret && off < from->size) {
		struct lbx_iter it;

		n = lbx_file_pread(in, page, LBX_PAGE_SIZE, off);
		if (n <= 0) {
			ret = n ? (int)n : -EIO;
			break;
		}
		lbx_iter_init_kernel(&it, page, n);
		n = lbx_file_pwrite_iter(out, &it, off);
		if (n < 0)
			ret = (int)n;
		else
			off += n;
	}
	lbx_plat_free(page);
	lbx_file_put(out);
	lbx_file_put(in);
	return ret;
}

/* Recreates oi (whose parent is already up) in the upper layer. */
static int copy_up_one(struct ovl_inode *oi)
{
	struct lbx_inode *lower = oi->lower, *udir = oi->parent->upper, *up;
	struct lbx_new_inode ni = {
		.mode = lower->mode, .rdev = lower->rdev,
		.uid = lower->uid, .gid = lower->gid,
	};
	struct lbx_iattr ia = {
		.valid = LBX_ATTR_MODE | LBX_ATTR_ATIME | LBX_ATTR_MTIME | LBX_ATTR_CTIME,
		.mode = lower->mode,
		.atime = lower->atime, .mtime = lower->mtime, .ctime = lower->ctime,
	};
	int ret;

	if (LX_S_ISLNK(lower->mode)) {
		ret = lower->iops->readlink(lower, &ni.target, &ni.target_len);
		if (ret)
			return ret;
	}
	ret = udir->iops->create(udir, oi->name, oi->len, &ni, &up);
	if (ret)
		return ret;
	if (LX_S_ISREG(lower->mode))
		ret = copy_data(oi->i.sb->vfs, lower, up);
	if (!ret)
		ret = up->iops->setattr(up, &ia);
	if (ret) {
		udir->iops->unlink(udir, oi->name, oi->len, up);
		lbx_inode_put(up);
		return ret;
	}
	oi->upper = up;
	sync_attrs(oi);
	return 0;
}

/* Makes sure oi has an upper inode: ancestors first, without recursion. */
static int copy_up(struct ovl_inode *oi)
{
	while (!oi->upper) {
		struct ovl_inode *top = oi;
		int ret;

		while (top->parent && !top->parent->upper)
			top = top->parent;
		if (!top->parent)
			return -ENOENT;	/* unlinked: nowhere to copy it */
		ret = copy_up_one(top);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- inode operations ---- */

static int ovl_lookup(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode **out)
{
	struct ovl_inode *od = OI(dir), *c;
	struct lbx_inode *up = NULL, *lo = NULL;
	int ret;

	if (name_is(name, len, ".", 1)) {
		*out = lbx_inode_get(dir);
		return 0;
	}
	if (name_is(name, len, "..", 2)) {
		if (!od->parent && od->removed)
			return -ENOENT;
		*out = lbx_inode_get(od->parent ? &od->parent->i : dir);
		return 0;
	}
	if (od->removed)
		return -ENOENT;
	c = cache_find(od, name, len);
	if (c) {
		*out = lbx_inode_get(&c->i);
		return 0;
	}
	if (od->upper) {
		ret = real_lookup(od->upper, name, len, &up);
		if (ret && ret != -ENOENT)
			return ret;
		if (up && lbx_is_whiteout(up)) {
			lbx_inode_put(up);
			return -ENOENT;
		}
	}
	if (od->lower && !is_opaque(od->upper) &&
	    (!up || (LX_S_ISDIR(up->mode) && !is_opaque(up)))) {
		ret = real_lookup(od->lower, name, len, &lo);
		if (ret && ret != -ENOENT) {
			lbx_inode_put(up);
			return ret;
		}
		if (lo && up && !LX_S_ISDIR(lo->mode)) {
			lbx_inode_put(lo);
			lo = NULL;
		}
	}
	if (!up && !lo)
		return -ENOENT;
	c = ovl_new(dir->sb, up, lo);
	if (!c) {
		lbx_inode_put(up);
		lbx_inode_put(lo);
		return -ENOMEM;
	}
	ret = cache_add(od, c, name, len);
	if (ret) {
		lbx_inode_put(&c->i);
		return ret;
	}
	*out = lbx_inode_get(&c->i);
	return 0;
}

/* Creates name in dir's upper layer (replacing a whiteout), cached. */
static int ovl_create(struct lbx_inode *dir, const char *name, size_t len,
		      const struct lbx_new_inode *ni, struct lbx_inode **out)
{
	struct ovl_inode *od = OI(dir), *c;
	struct lbx_inode *up;
	bool had_whiteout;
	int ret;

	ret = copy_up(od);
	if (ret)
		return ret;
	ret = whiteout_at(od->upper, name, len, true, &had_whiteout);
	if (ret)
		return ret;
	ret = od->upper->iops->create(od->upper, name, len, ni, &up);
	if (ret) {
		if (had_whiteout)
			make_whiteout(od->upper, name, len);
		return ret;
	}
	/* A directory made over a deleted lower name hides what was below. */
	if (LX_S_ISDIR(ni->mode) && (had_whiteout || (od->lower && !is_opaque(od->upper))))
		up->flags |= LBX_I_OPAQUE;
	c = ovl_new(dir->sb, up, NULL);
	if (!c) {
		lbx_inode_put(up);
		return -ENOMEM;
	}
	ret = cache_add(od, c, name, len);
	if (ret) {
		lbx_inode_put(&c->i);
		return ret;
	}
	sync_attrs(od);
	*out = lbx_inode_get(&c->i);
	return 0;
}

static int ovl_tmpfile(struct lbx_inode *dir, const struct lbx_new_inode *ni,
		       struct lbx_inode **out)
{
	struct ovl_inode *od = OI(dir), *c;
	struct lbx_inode *up;
	int ret;

	ret = copy_up(od);
	if (ret)
		return ret;
	if (!od->upper->iops->tmpfile)
		return -EOPNOTSUPP;
	ret = od->upper->iops->tmpfile(od->upper, ni, &up);
	if (ret)
		return ret;
	c = ovl_new(dir->sb, up, NULL);
	if (!c) {
		lbx_inode_put(up);
		return -ENOMEM;
	}
	*out = &c->i;
	return 0;
}

static int ovl_link(struct lbx_inode *dir, const char *name, size_t len,
		    struct lbx_inode *target)
{
	struct ovl_inode *od = OI(dir), *ot = OI(target);
	bool wh;
	int ret;

	ret = copy_up(ot);
	if (!ret)
		ret = copy_up(od);
	if (!ret)
		ret = whiteout_at(od->upper, name, len, true, &wh);
	if (ret)
		return ret;
	ret = od->upper->iops->link(od->upper, name, len, ot->upper);
	if (ret && wh)
		make_whiteout(od->upper, name, len);
	sync_attrs(ot);
	sync_attrs(od);
	return ret;
}

/* Collects the entries of a real directory (whiteouts marked). */
struct collect {
	struct lbx_dir_ctx ctx;
	struct lbx_inode *dir;
	struct lbx_list_head *list;
	bool upper;
	int err;
};

static bool collect_emit(struct lbx_dir_ctx *ctx, const char *name, size_t len,
			 u64 ino, u32 dtype)
{
	struct collect *c = lbx_container_of(ctx, struct collect, ctx);
	struct ovl_ent *e;
	struct lbx_inode *i;

	if (name_is(name, len, ".", 1) || name_is(name, len, "..", 2))
		return true;
	e = lbx_plat_alloc(sizeof(*e) + len + 1);
	if (!e) {
		c->err = -ENOMEM;
		return false;
	}
	memcpy(e->name, name, len);
	e->len = (u16)len;
	e->ino = ino;
	e->dtype = dtype;
	e->in_upper = c->upper;
	if (c->upper && dtype == LX_DT_CHR &&
	    !real_lookup(c->dir, name, len, &i)) {
		e->whiteout = lbx_is_whiteout(i);
		lbx_inode_put(i);
	}
	lbx_list_add_tail(&e->node, c->list);
	return true;
}

static void free_ents(struct lbx_list_head *list)
{
	while (!lbx_list_empty(list)) {
		struct ovl_ent *e = lbx_list_entry(list->next, struct ovl_ent, node);

		lbx_list_del(&e->node);
		lbx_plat_free(e);
	}
}

static int read_real_dir(struct lbx_vfs *vfs, struct lbx_inode *dir, bool upper,
			 struct lbx_list_head *list)
{
	struct collect c = { .ctx.emit = collect_emit, .dir = dir, .list = list,
			     .upper = upper };
	struct lbx_file *f;
	int ret;

	ret = lbx_vfs_open_inode(vfs, NULL, dir, LX_O_RDONLY | LX_O_DIRECTORY, &f);
	if (ret)
		return ret;
	ret = f->ops->iterate(f, &c.ctx);
	lbx_file_put(f);
	return ret ? ret : c.err;
}

static struct ovl_ent *find_ent(struct lbx_list_head *list, const char *name, size_t len)
{
	struct lbx_list_head *p;

	lbx_list_for_each(p, list) {
		struct ovl_ent *e = lbx_list_entry(p, struct ovl_ent, node);

		if (name_is(e->name, e->len, name, len))
			return e;
	}
	return NULL;
}

/*
 * The merged view of od into out: lower entries not covered by the upper
 * layer, then the upper ones; whiteouts gone. A name in both layers takes
 * the overlay inode's number.
 */
static int merge_dir(struct ovl_inode *od, struct lbx_list_head *out)
{
	struct lbx_vfs *vfs = od->i.sb->vfs;
	struct lbx_list_head up, lo;
	struct lbx_list_head *p, *n;
	int ret = 0;

	lbx_list_init(&up);
	lbx_list_init(&lo);
	if (od->upper)
		ret = read_real_dir(vfs, od->upper, true, &up);
	if (!ret && od->lower && !is_opaque(od->upper))
		ret = read_real_dir(vfs, od->lower, false, &lo);
	lbx_list_for_each_safe(p, n, &lo) {
		struct ovl_ent *e = lbx_list_entry(p, struct ovl_ent, node);
		struct ovl_ent *u = ret ? NULL : find_ent(&up, e->name, e->len);
		struct lbx_inode *i;

		lbx_list_del(&e->node);
		if (u) {
			lbx_plat_free(e);
			if (u->whiteout)
				continue;
			/* Both layers: the overlay inode decides the number. */
			if (!ovl_lookup(&od->i, u->name, u->len, &i)) {
				u->ino = i->ino;
				lbx_inode_put(i);
			}
			continue;
		}
		lbx_list_add_tail(&e->node, out);
	}
	lbx_list_for_each_safe(p, n, &up) {
		struct ovl_ent *e = lbx_list_entry(p, struct ovl_ent, node);

		lbx_list_del(&e->node);
		if (e->whiteout)
			lbx_plat_free(e);
		else
			lbx_list_add_tail(&e->node, out);
	}
	if (ret)
		free_ents(out);
	return ret;
}

/* rmdir and rename over a directory need it empty in the merged view. */
static int check_empty(struct ovl_inode *od)
{
	struct lbx_list_head l;
	int ret;

	lbx_list_init(&l);
	ret = merge_dir(od, &l);
	if (!ret && !lbx_list_empty(&l))
		ret = -ENOTEMPTY;
	free_ents(&l);
	return ret;
}

/* Drops the whiteouts an upper directory holds, so it can be removed. */
static int clear_whiteouts(struct ovl_inode *od)
{
	struct lbx_list_head l;
	struct lbx_list_head *p;
	int ret;

	if (!od->upper)
		return 0;
	lbx_list_init(&l);
	ret = read_real_dir(od->i.sb->vfs, od->upper, true, &l);
	lbx_list_for_each(p, &l) {
		struct ovl_ent *e = lbx_list_entry(p, struct ovl_ent, node);
		struct lbx_inode *w;

		if (ret || !e->whiteout || real_lookup(od->upper, e->name, e->len, &w))
			continue;
		ret = od->upper->iops->unlink(od->upper, e->name, e->len, w);
		lbx_inode_put(w);
	}
	free_ents(&l);
	return ret;
}

/* Removes name (child c) from dir: the upper entry, then a whiteout if
 * the lower layer still has one. */
static int remove_entry(struct ovl_inode *od, const char *name, size_t len,
			struct ovl_inode *c, bool dir)
{
	struct lbx_inode *ud;
	int ret;

	ret = copy_up(od);
	if (ret)
		return ret;
	ud = od->upper;
	if (c->upper) {
		if (dir) {
			ret = clear_whiteouts(c);
			if (!ret)
				ret = ud->iops->rmdir(ud, name, len, c->upper);
		} else {
			ret = ud->iops->unlink(ud, name, len, c->upper);
		}
		if (ret)
			return ret;
	}
	if (c->lower)
		ret = make_whiteout(ud, name, len);
	cache_drop(c);
	sync_attrs(od);
	return ret;
}

static int ovl_unlink(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode *victim)
{
	return remove_entry(OI(dir), name, len, OI(victim), false);
}

static int ovl_rmdir(struct lbx_inode *dir, const char *name, size_t len,
		     struct lbx_inode *victim)
{
	int ret = check_empty(OI(victim));

	return ret ? ret : remove_entry(OI(dir), name, len, OI(victim), true);
}

static int rename_exchange(struct ovl_inode *odir, const char *oname, size_t olen,
			   struct ovl_inode *oi, struct ovl_inode *ndir,
			   const char *nname, size_t nlen, struct ovl_inode *ni)
{
	int ret;

	ret = copy_up(oi);
	if (!ret)
		ret = copy_up(ni);
	if (!ret)
		ret = copy_up(ndir);
	if (ret)
		return ret;
	ret = odir->upper->iops->rename(odir->upper, oname, olen, oi->upper,
					ndir->upper, nname, nlen, ni->upper,
					LX_RENAME_EXCHANGE);
	if (ret)
		return ret;
	/* Swap the two cache entries' places. */
	lbx_list_del(&oi->sibling);
	lbx_list_del(&ni->sibling);
	ret = set_name(oi, nname, nlen);
	if (!ret)
		ret = set_name(ni, oname, olen);
	oi->parent = ndir;
	ni->parent = odir;
	lbx_list_add_tail(&oi->sibling, &ndir->children);
	lbx_list_add_tail(&ni->sibling, &odir->children);
	return ret;
}

static int ovl_rename(struct lbx_inode *odir_i, const char *oname, size_t olen,
		      struct lbx_inode *oldi, struct lbx_inode *ndir_i,
		      const char *nname, size_t nlen, struct lbx_inode *newi,
		      u32 flags)
{
	struct ovl_inode *odir = OI(odir_i), *ndir = OI(ndir_i), *oi = OI(oldi);
	struct ovl_inode *ni = newi ? OI(newi) : NULL;
	bool wh = false, odd = LX_S_ISDIR(oldi->mode);
	int ret;

	if ((odd && oi->lower) ||
	    ((flags & LX_RENAME_EXCHANGE) && LX_S_ISDIR(newi->mode) && ni->lower))
		return -EXDEV;
	if (flags & LX_RENAME_EXCHANGE)
		return rename_exchange(odir, oname, olen, oi, ndir, nname, nlen, ni);
	if (ni && LX_S_ISDIR(newi->mode)) {
		ret = check_empty(ni);
		if (!ret)
			ret = clear_whiteouts(ni);
		if (ret)
			return ret;
	}
	ret = copy_up(oi);
	if (!ret)
		ret = copy_up(ndir);
	if (!ret && !ni)
		ret = whiteout_at(ndir->upper, nname, nlen, true, &wh);
	if (ret)
		return ret;
	ret = odir->upper->iops->rename(odir->upper, oname, olen, oi->upper,
					ndir->upper, nname, nlen,
					ni ? ni->upper : NULL, 0);
	if (ret) {
		if (wh)
			make_whiteout(ndir->upper, nname, nlen);
		return ret;
	}
	/* What the new name hid below must stay hidden. */
	if (odd && (wh || (ni && ni->lower)))
		oi->upper->flags |= LBX_I_OPAQUE;
	if (oi->lower) {
		ret = make_whiteout(odir->upper, oname, olen);
		if (ret)
			lbx_warn("overlay: no whiteout for a renamed lower file (%d)", ret);
	}
	if (ni)
		cache_drop(ni);
	lbx_list_del(&oi->sibling);
	if (!set_name(oi, nname, nlen)) {
		oi->parent = ndir;
		lbx_list_add_tail(&oi->sibling, &ndir->children);
	} else {
		/* Out of memory for the name: forget the cache entry. */
		oi->parent = NULL;
		lbx_inode_put(&oi->i);
	}
	sync_attrs(odir);
	sync_attrs(ndir);
	return 0;
}

static int ovl_readlink(struct lbx_inode *i, const char **target, size_t *len)
{
	struct lbx_inode *r = real(OI(i));

	if (!r->iops->readlink)
		return -EINVAL;
	return r->iops->readlink(r, target, len);
}

static int ovl_setattr(struct lbx_inode *i, const struct lbx_iattr *ia)
{
	struct ovl_inode *oi = OI(i);
	int ret = copy_up(oi);

	if (ret)
		return ret;
	ret = oi->upper->iops->setattr(oi->upper, ia);
	sync_attrs(oi);
	return ret;
}

static int ovl_getattr(struct lbx_inode *i, struct lbx_kstat *st)
{
	struct ovl_inode *oi = OI(i);
	int ret = lbx_inode_getattr(real(oi), st);

	if (ret)
		return ret;
	st->ino = i->ino;
	st->dev = i->sb->dev;
	if (oi->removed && !oi->upper)
		st->nlink = 0;
	return 0;
}

static int ovl_open(struct lbx_inode *i, struct lbx_file *f)
{
	struct ovl_inode *oi = OI(i);
	struct lbx_file *rf;
	int ret;

	if (LX_S_ISDIR(i->mode)) {
		f->ops = &ovl_dir_ops;
		return 0;
	}
	if (f->fmode & LBX_FMODE_WRITE) {
		ret = copy_up(oi);
		if (ret)
			return ret;
	}
	ret = lbx_vfs_open_inode(i->sb->vfs, NULL, real(oi), f->flags, &rf);
	if (ret)
		return ret;
	f->priv = rf;
	f->ops = &ovl_file_ops;
	return 0;
}

/* ---- files: delegated to the real file ---- */

static struct lbx_file *RF(struct lbx_file *f)
{
	struct lbx_file *rf = f->priv;

	rf->flags = f->flags;	/* F_SETFL (O_APPEND) reaches the real file */
	return rf;
}

static ssize_t ovl_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct lbx_file *rf = RF(f);

	return rf->ops->read ? rf->ops->read(rf, to, pos) : -EINVAL;
}

static ssize_t ovl_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct lbx_file *rf = RF(f);

	return rf->ops->write ? rf->ops->write(rf, from, pos) : -EINVAL;
}

static s64 ovl_llseek(struct lbx_file *f, s64 off, int whence)
{
	struct lbx_file *rf = RF(f);
	s64 r;

	if (!rf->ops->llseek)
		return -ESPIPE;
	rf->pos = f->pos;
	r = rf->ops->llseek(rf, off, whence);
	f->pos = rf->pos;
	return r;
}

static long ovl_ioctl(struct lbx_file *f, u32 cmd, u64 arg)
{
	struct lbx_file *rf = RF(f);

	return rf->ops->ioctl ? rf->ops->ioctl(rf, cmd, arg) : -ENOTTY;
}

static int ovl_shm(struct lbx_file *f, struct lbx_plat_shm **shm, u64 *id)
{
	struct lbx_file *rf = RF(f);

	return rf->ops->shm ? rf->ops->shm(rf, shm, id) : -ENODEV;
}

static int ovl_image_data(struct lbx_file *f, const void **data, u64 *size)
{
	struct lbx_file *rf = RF(f);

	return rf->ops->image_data ? rf->ops->image_data(rf, data, size) : -ENODEV;
}

static void ovl_release(struct lbx_file *f)
{
	lbx_file_put(f->priv);
}

/* ---- directories ---- */

static ssize_t ovl_dir_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return -EISDIR;
}

static int ovl_iterate(struct lbx_file *f, struct lbx_dir_ctx *ctx)
{
	struct ovl_inode *od = OI(f->inode);
	struct ovl_dir *d = f->priv;
	struct lbx_list_head *p;
	u64 n = 2;
	int ret;

	if (!d) {
		d = lbx_plat_alloc(sizeof(*d));
		if (!d)
			return -ENOMEM;
		lbx_list_init(&d->ents);
		f->priv = d;
	}
	if (!d->valid || ctx->pos == 0) {
		free_ents(&d->ents);
		d->valid = false;
		if (!od->removed) {
			ret = merge_dir(od, &d->ents);
			if (ret)
				return ret;
		}
		d->valid = true;
	}
	if (od->removed)
		return 0;
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, od->i.ino, LX_DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct ovl_inode *pd = od->parent ? od->parent : od;

		if (!ctx->emit(ctx, "..", 2, pd->i.ino, LX_DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	lbx_list_for_each(p, &d->ents) {
		struct ovl_ent *e = lbx_list_entry(p, struct ovl_ent, node);

		if (n++ < ctx->pos)
			continue;
		if (!ctx->emit(ctx, e->name, e->len, e->ino, e->dtype))
			return 0;
		ctx->pos = n;
	}
	return 0;
}

static void ovl_dir_release(struct lbx_file *f)
{
	struct ovl_dir *d = f->priv;

	if (!d)
		return;
	free_ents(&d->ents);
	lbx_plat_free(d);
}

static const struct lbx_file_ops ovl_file_ops = {
	.read = ovl_read,
	.write = ovl_write,
	.llseek = ovl_llseek,
	.ioctl = ovl_ioctl,
	.release = ovl_release,
	.shm = ovl_shm,
	.image_data = ovl_image_data,
};

static const struct lbx_file_ops ovl_dir_ops = {
	.read = ovl_dir_read,
	.write = ovl_dir_read,
	.llseek = lbx_dir_llseek,
	.iterate = ovl_iterate,
	.release = ovl_dir_release,
};

static const struct lbx_inode_ops ovl_iops = {
	.lookup = ovl_lookup,
	.create = ovl_create,
	.tmpfile = ovl_tmpfile,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.readlink = ovl_readlink,
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.open = ovl_open,
};

/* ---- the super block ---- */

/* Empties the cache tree without recursion, as memfs does. */
static void clear_cache(struct ovl_inode *root)
{
	struct ovl_inode *cur = root;

	for (;;) {
		struct ovl_inode *c;

		if (lbx_list_empty(&cur->children)) {
			if (cur == root)
				break;
			cur = cur->parent;
			continue;
		}
		c = lbx_list_entry(cur->children.next, struct ovl_inode, sibling);
		if (!lbx_list_empty(&c->children)) {
			cur = c;
			continue;
		}
		lbx_list_del(&c->sibling);
		c->parent = NULL;
		lbx_inode_put(&c->i);
	}
}

static void ovl_destroy(struct lbx_super *sb)
{
	struct ovl_sb *os = OSB(sb);

	clear_cache(OI(sb->root));
	lbx_inode_put(sb->root);
	lbx_super_destroy(os->upper);
	lbx_super_destroy(os->lower);
	lbx_plat_free(os);
}

static const struct lbx_super_ops ovl_sops = {
	.free_inode = ovl_free_inode,
	.destroy = ovl_destroy,
};

int lbx_overlay_create(struct lbx_vfs *vfs, struct lbx_super *upper,
		       struct lbx_super *lower, struct lbx_super **out)
{
	struct ovl_sb *os;
	struct ovl_inode *root;

	if (!lbx_is_memfs(upper) || (upper->flags & LBX_SB_RDONLY))
		return -EINVAL;
	os = lbx_plat_alloc(sizeof(*os));
	if (!os)
		return -ENOMEM;
	os->sb.ops = &ovl_sops;
	os->sb.vfs = vfs;
	os->sb.type = "overlay";
	os->sb.dev = lbx_vfs_alloc_dev(vfs);
	os->sb.max_size = upper->max_size;
	root = ovl_new(&os->sb, lbx_inode_get(upper->root), lbx_inode_get(lower->root));
	if (!root) {
		lbx_inode_put(upper->root);
		lbx_inode_put(lower->root);
		lbx_plat_free(os);
		return -ENOMEM;
	}
	os->upper = upper;
	os->lower = lower;
	os->sb.root = &root->i;
	*out = &os->sb;
	return 0;
}
