// SPDX-License-Identifier: GPL-2.0
/* A sandbox's VFS instance: mounts, set-up and teardown. */
#include <litebox/vfs.h>
#include <litebox/procfs.h>

u64 lbx_vfs_alloc_ino(struct lbx_vfs *vfs)
{
	return __atomic_fetch_add(&vfs->next_ino, 1, __ATOMIC_RELAXED);
}

u32 lbx_vfs_alloc_dev(struct lbx_vfs *vfs)
{
	/* Anonymous devices, as the kernel's (major 0). */
	return LBX_MKDEV(0, __atomic_fetch_add(&vfs->next_dev, 1, __ATOMIC_RELAXED));
}

void lbx_super_destroy(struct lbx_super *sb)
{
	if (sb)
		sb->ops->destroy(sb);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = lbx_plat_alloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static int add_mount(struct lbx_vfs *vfs, struct lbx_super *fs,
		     struct lbx_mount *parent, struct lbx_inode *mountpoint,
		     const char *path)
{
	struct lbx_mount *m = lbx_plat_alloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->path = dup_str(path);
	if (!m->path) {
		lbx_plat_free(m);
		return -ENOMEM;
	}
	m->sb = fs;
	m->parent = parent;
	m->mountpoint = mountpoint ? lbx_inode_get(mountpoint) : NULL;
	lbx_list_add_tail(&m->node, &vfs->mounts);
	if (!parent)
		vfs->root_mnt = m;
	return 0;
}

int lbx_vfs_mount(struct lbx_vfs *vfs, const char *path, struct lbx_super *fs)
{
	struct lbx_fs_ctx *ctx = lbx_plat_alloc(sizeof(*ctx));
	struct lbx_path p;
	int ret;

	if (!ctx)
		return -ENOMEM;
	lbx_fs_ctx_init(ctx, vfs);
	ret = lbx_vfs_lookup(ctx, NULL, path, 0, &p);
	if (ret)
		goto out;
	lbx_plat_mutex_lock(&vfs->ns_lock);
	if (!LX_S_ISDIR(p.inode->mode))
		ret = -ENOTDIR;
	else
		ret = add_mount(vfs, fs, p.mnt, p.inode, path);
	lbx_plat_mutex_unlock(&vfs->ns_lock);
	lbx_path_put(&p);
out:
	lbx_fs_ctx_release(ctx);
	lbx_plat_free(ctx);
	return ret;
}

static struct lbx_vfs *vfs_alloc(struct lbx_sandbox *sb, struct lbx_memacct *acct)
{
	struct lbx_vfs *vfs = lbx_plat_alloc(sizeof(*vfs));

	if (!vfs)
		return NULL;
	lbx_plat_mutex_init(&vfs->ns_lock);
	lbx_list_init(&vfs->mounts);
	vfs->sandbox = sb;
	vfs->acct = acct;
	vfs->next_ino = 1;
	vfs->next_dev = 1;
	return vfs;
}

/* Unmounts in reverse order: every mount before the one it sits on. */
void lbx_vfs_destroy(struct lbx_vfs *vfs)
{
	if (!vfs)
		return;
	while (!lbx_list_empty(&vfs->mounts)) {
		struct lbx_mount *m = lbx_list_entry(vfs->mounts.prev,
						     struct lbx_mount, node);

		lbx_list_del(&m->node);
		lbx_inode_put(m->mountpoint);
		lbx_super_destroy(m->sb);
		lbx_plat_free(m->path);
		lbx_plat_free(m);
	}
	lbx_plat_free(vfs);
}

int lbx_vfs_create_empty(struct lbx_vfs **out, struct lbx_sandbox *sb,
			 struct lbx_memacct *acct)
{
	struct lbx_vfs *vfs = vfs_alloc(sb, acct);
	struct lbx_super *root;
	int ret;

	if (!vfs)
		return -ENOMEM;
	ret = lbx_memfs_create(vfs, acct, 0755, &root);
	if (ret)
		goto err;
	ret = add_mount(vfs, root, NULL, NULL, "/");
	if (ret) {
		lbx_super_destroy(root);
		goto err;
	}
	*out = vfs;
	return 0;
err:
	lbx_plat_free(vfs);
	return ret;
}

/* Makes path a directory of the given mode unless it already is one. */
static int ensure_dir(struct lbx_fs_ctx *ctx, const char *path, u32 mode)
{
	int ret = lbx_vfs_mkdirat(ctx, NULL, path, mode);

	if (ret == -EEXIST) {
		struct lbx_kstat st;

		ret = lbx_vfs_statat(ctx, NULL, path, 0, &st);
		if (!ret && !LX_S_ISDIR(st.mode))
			ret = -ENOTDIR;
		if (ret)
			lbx_warn("vfs: %s in the image is not a directory", path);
	}
	return ret;
}

static int populate(struct lbx_vfs *vfs)
{
	struct lbx_fs_ctx *ctx = lbx_plat_alloc(sizeof(*ctx));
	struct lbx_super *dev;
	int ret;

	if (!ctx)
		return -ENOMEM;
	lbx_fs_ctx_init(ctx, vfs);
	ctx->umask = 0;
	ret = ensure_dir(ctx, "/dev", 0755);
	if (!ret)
		ret = ensure_dir(ctx, "/proc", 0555);
	if (!ret)
		ret = ensure_dir(ctx, "/tmp", 01777);
	lbx_fs_ctx_release(ctx);
	lbx_plat_free(ctx);
	if (ret)
		return ret;
	ret = lbx_devfs_create(vfs, &dev);
	if (ret)
		return ret;
	ret = lbx_vfs_mount(vfs, "/dev", dev);
	if (ret)
		lbx_super_destroy(dev);
	return ret;
}

int lbx_vfs_create(struct lbx_vfs **out, struct lbx_sandbox *sb,
		   const void *lower_tar, size_t lower_len,
		   const void *upper_tar, size_t upper_len,
		   struct lbx_memacct *acct)
{
	struct lbx_super *upper = NULL, *lower = NULL, *root;
	struct lbx_vfs *vfs = vfs_alloc(sb, acct);
	int ret;

	if (!vfs)
		return -ENOMEM;
	ret = lbx_memfs_create(vfs, acct, 0755, &upper);
	if (ret)
		goto err;
	if (upper_len) {
		ret = lbx_tar_unpack(upper, upper_tar, upper_len);
		if (ret)
			goto err;
	}
	root = upper;
	if (lower_len) {
		ret = lbx_tarfs_create(vfs, lower_tar, lower_len, &lower);
		if (ret)
			goto err;
		ret = lbx_overlay_create(vfs, upper, lower, &root);
		if (ret)
			goto err;
		upper = lower = NULL;	/* the overlay owns them */
	}
	ret = add_mount(vfs, root, NULL, NULL, "/");
	if (ret) {
		lbx_super_destroy(root);
		upper = NULL;
		goto err;
	}
	ret = populate(vfs);
	if (!ret)
		ret = lbx_procfs_mount(vfs, "/proc");
	if (ret) {
		lbx_vfs_destroy(vfs);
		return ret;
	}
	*out = vfs;
	return 0;
err:
	lbx_super_destroy(lower);
	lbx_super_destroy(upper);
	lbx_plat_free(vfs);
	return ret;
}
