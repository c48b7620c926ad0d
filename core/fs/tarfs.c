// SPDX-License-Identifier: GPL-2.0
/*
 * tarfs: a read-only file system over a tar image, and the unpacking of a
 * tar image into a writable memfs. Both build a memfs tree from the
 * parser's entries; tarfs points each file at its bytes in the image (no
 * copy, no charge), the unpack copies them into charged pages.
 *
 * Parents a tar leaves implicit are created (0755, root). A name given
 * twice is an error (-EEXIST), except a directory, whose later entry just
 * sets its attributes.
 */
#include <litebox/memfs.h>
#include <litebox/tar.h>

struct builder {
	struct lbx_super *sb;
	bool in_place;
	const struct lbx_tar_entry *e;
};

#define build_bad(b, err, fmt, ...)					\
	({								\
		lbx_warn("tar: entry '%s' at offset %llu: " fmt,	\
			 (b)->e->path, (unsigned long long)(b)->e->offset, \
			 ##__VA_ARGS__);				\
		(err);							\
	})

/* Walks the directories of path (all but the last component), creating
 * the missing ones. Returns the parent with a reference. */
static int walk_parents(struct builder *b, const char *path, size_t len,
			struct lbx_inode **parent, const char **last, size_t *last_len)
{
	static const struct lbx_new_inode implied = { .mode = LX_S_IFDIR | 0755 };
	struct lbx_inode *dir = lbx_inode_get(b->sb->root), *next;
	const char *p = path, *end = path + len, *slash;
	int ret;

	for (;;) {
		for (slash = p; slash < end && *slash != '/'; slash++)
			;
		if (slash == end)
			break;
		ret = dir->iops->lookup(dir, p, slash - p, &next);
		if (ret == -ENOENT)
			ret = dir->iops->create(dir, p, slash - p, &implied, &next);
		lbx_inode_put(dir);
		if (ret)
			return build_bad(b, ret, "cannot create its directory");
		dir = next;
		if (!LX_S_ISDIR(dir->mode)) {
			lbx_inode_put(dir);
			return build_bad(b, -EINVAL, "a parent is not a directory");
		}
		p = slash + 1;
	}
	*parent = dir;
	*last = p;
	*last_len = end - p;
	return 0;
}

static int lookup_path(struct lbx_super *sb, const char *path, struct lbx_inode **out)
{
	struct lbx_inode *dir = lbx_inode_get(sb->root), *next;
	const char *p = path, *slash;
	int ret = 0;

	while (*p) {
		slash = strchr(p, '/');
		if (!slash)
			slash = p + strlen(p);
		if (!LX_S_ISDIR(dir->mode))
			ret = -ENOTDIR;
		else
			ret = dir->iops->lookup(dir, p, slash - p, &next);
		lbx_inode_put(dir);
		if (ret)
			return ret;
		dir = next;
		p = *slash ? slash + 1 : slash;
	}
	*out = dir;
	return 0;
}

static void set_attrs(const struct lbx_tar_entry *e, struct lbx_inode *i)
{
	struct lbx_iattr ia = {
		.valid = LBX_ATTR_MODE | LBX_ATTR_UID | LBX_ATTR_GID |
			 LBX_ATTR_ATIME | LBX_ATTR_MTIME,
		.mode = e->mode,
		.uid = e->uid,
		.gid = e->gid,
		.mtime = { .sec = e->mtime_sec, .nsec = e->mtime_nsec },
	};

	ia.atime = ia.mtime;
	lbx_plat_mutex_lock(&i->lock);
	lbx_inode_apply_attr(i, &ia);
	lbx_plat_mutex_unlock(&i->lock);
}

static int copy_data(struct builder *b, struct lbx_inode *i)
{
	const struct lbx_tar_entry *e = b->e;
	struct lbx_file *f;
	struct lbx_iter it;
	u64 off = 0;
	ssize_t n = 0;
	int ret;

	if (b->in_place)
		return lbx_memfs_set_ext_data(i, e->data, e->size);
	if (!e->size)
		return 0;
	ret = lbx_vfs_open_inode(b->sb->vfs, NULL, i, LX_O_WRONLY, &f);
	if (ret)
		return ret;
	while (off < e->size) {
		lbx_iter_init_kernel(&it, (u8 *)e->data + off, e->size - off);
		n = lbx_file_pwrite_iter(f, &it, off);
		if (n <= 0)
			break;
		off += n;
	}
	lbx_file_put(f);
	if (off == e->size)
		return 0;
	return build_bad(b, n < 0 ? (int)n : -ENOSPC, "cannot store its data");
}

static int add_link(struct builder *b, struct lbx_inode *dir, const char *name,
		    size_t len)
{
	struct lbx_inode *target;
	int ret;

	ret = lookup_path(b->sb, b->e->link, &target);
	if (ret)
		return build_bad(b, -EINVAL, "hard-link target '%s' not found",
				 b->e->link);
	if (LX_S_ISDIR(target->mode))
		ret = build_bad(b, -EINVAL, "hard link to a directory");
	else
		ret = dir->iops->link(dir, name, len, target);
	lbx_inode_put(target);
	return ret;
}

static int add_entry(struct builder *b, struct lbx_inode *dir, const char *name,
		     size_t len)
{
	const struct lbx_tar_entry *e = b->e;
	struct lbx_new_inode ni = { 0 };
	struct lbx_inode *i;
	int ret;

	switch (e->type) {
	case LBX_TAR_REG:
		ni.mode = LX_S_IFREG;
		break;
	case LBX_TAR_DIR:
		ni.mode = LX_S_IFDIR;
		break;
	case LBX_TAR_SYMLINK:
		ni.mode = LX_S_IFLNK;
		ni.target = e->link;
		ni.target_len = e->link_len;
		break;
	case LBX_TAR_HARDLINK:
		return add_link(b, dir, name, len);
	case LBX_TAR_FIFO:
		ni.mode = LX_S_IFIFO;
		break;
	case LBX_TAR_CHR:
		/* An overlay whiteout (0/0) in the upper layer is kept. */
		if (!b->in_place && !e->devmajor && !e->devminor) {
			ni.mode = LX_S_IFCHR;
			break;
		}
		lbx_fallthrough;
	default:
		lbx_warn("tar: entry '%s': skipping device node", e->path);
		return 0;
	}
	ni.mode |= e->mode;
	ni.uid = e->uid;
	ni.gid = e->gid;
	ret = dir->iops->create(dir, name, len, &ni, &i);
	if (ret)
		return build_bad(b, ret, "cannot create (%d)", ret);
	ret = e->type == LBX_TAR_REG ? copy_data(b, i) : 0;
	if (!ret)
		set_attrs(e, i);
	lbx_inode_put(i);
	return ret;
}

static int build_one(struct builder *b)
{
	const struct lbx_tar_entry *e = b->e;
	struct lbx_inode *dir, *old;
	const char *name;
	size_t len;
	int ret;

	if (!e->path_len) {
		if (e->type != LBX_TAR_DIR)
			return build_bad(b, -EINVAL, "the root is not a directory");
		set_attrs(e, b->sb->root);
		return 0;
	}
	ret = walk_parents(b, e->path, e->path_len, &dir, &name, &len);
	if (ret)
		return ret;
	ret = dir->iops->lookup(dir, name, len, &old);
	if (!ret) {
		if (e->type == LBX_TAR_DIR && LX_S_ISDIR(old->mode))
			set_attrs(e, old);
		else
			ret = build_bad(b, -EEXIST, "duplicate name");
		lbx_inode_put(old);
	} else if (ret == -ENOENT) {
		ret = add_entry(b, dir, name, len);
	}
	lbx_inode_put(dir);
	return ret;
}

static int build(struct lbx_super *sb, const void *image, size_t len, bool in_place)
{
	struct builder b = { .sb = sb, .in_place = in_place };
	struct lbx_tar_entry e;
	struct lbx_tar_iter it;
	int ret;

	ret = lbx_tar_iter_init(&it, image, len);
	if (ret)
		return ret;
	b.e = &e;
	while ((ret = lbx_tar_next(&it, &e)) == 1) {
		ret = build_one(&b);
		if (ret)
			break;
	}
	lbx_tar_iter_fini(&it);
	return ret;
}

int lbx_tar_unpack(struct lbx_super *memfs, const void *image, size_t len)
{
	if (!lbx_is_memfs(memfs))
		return -EINVAL;
	return build(memfs, image, len, false);
}

int lbx_tarfs_create(struct lbx_vfs *vfs, const void *image, size_t len,
		     struct lbx_super **out)
{
	struct lbx_super *sb;
	int ret;

	ret = lbx_memfs_create(vfs, NULL, 0755, &sb);
	if (ret)
		return ret;
	ret = build(sb, image, len, true);
	if (ret) {
		lbx_super_destroy(sb);
		return ret;
	}
	sb->type = "tarfs";
	sb->flags |= LBX_SB_RDONLY;
	*out = sb;
	return 0;
}
