// SPDX-License-Identifier: GPL-2.0
/*
 * memfs: the in-memory file system. Regular files are sparse trees of
 * pages (holes read as zero); every page, tree node, inode, directory
 * entry and symlink body is charged to the super block's memacct, so a
 * write past the limit fails with -ENOSPC and loses nothing already
 * written. A file may instead point at external read-only bytes: that is
 * how tarfs serves a tar image in place.
 *
 * A regular file mapped MAP_SHARED moves its data into a platform shared
 * memory object (lbx_plat_shm_*) on its first shared mapping and keeps it
 * there for the rest of the inode's life: read, write, truncate and the
 * mappings of every process then see the same pages. Such a file is charged
 * whole pages up to its size (it is no longer sparse). See docs/mm.md.
 *
 * Tree operations run under the VFS namespace lock; file data and size
 * under the inode's own lock.
 */
#include <litebox/memfs.h>
#include <litebox/mm.h>

#define RADIX_SHIFT	9
#define RADIX_SLOTS	(1U << RADIX_SHIFT)
#define RADIX_MAX_HEIGHT 5
#define NO_PAGE		((u64)-1)

struct memfs_sb {
	struct lbx_super sb;
	struct lbx_memacct *acct;
};

struct memfs_dirent {
	struct lbx_list_head node;
	struct memfs_dirent *hnext;	/* its hash bucket's next */
	u32 hash;
	u64 pos;
	struct lbx_inode *inode;	/* a reference */
	u32 charged;
	u16 len;
	char name[];
};

struct memfs_inode {
	struct lbx_inode i;
	union {
		struct {
			struct lbx_list_head entries;	/* in readdir order */
			u64 next_pos;
			u32 count;
			struct memfs_inode *parent;	/* not counted */
			/* By name, once the directory is big enough
			 * (DIR_HASH_MIN entries); NULL: the list is searched. */
			struct memfs_dirent **buckets;
			u32 nbuckets;			/* a power of two */
		} dir;
		struct {
			void *root;
			u32 height;
			const u8 *ext;
			struct lbx_plat_shm *shm;	/* the data, once mapped shared */
			u64 shm_pages;			/* charged for shm */
			u64 shm_id;
		} reg;
		struct {
			char *target;
			size_t len;
		} lnk;
	};
};

static const struct lbx_inode_ops memfs_iops;
static const struct lbx_file_ops memfs_file_ops;
static const struct lbx_file_ops memfs_dir_ops;
static const struct lbx_super_ops memfs_sops;

static struct memfs_inode *MI(struct lbx_inode *i)
{
	return lbx_container_of(i, struct memfs_inode, i);
}

static struct memfs_sb *MSB(struct lbx_super *sb)
{
	return lbx_container_of(sb, struct memfs_sb, sb);
}

bool lbx_is_memfs(const struct lbx_super *sb)
{
	return sb->ops == &memfs_sops;
}

static int charge(struct lbx_super *sb, u64 n)
{
	struct lbx_memacct *a = MSB(sb)->acct;

	return a ? lbx_memacct_charge(a, n) : 0;
}

static void uncharge(struct lbx_super *sb, u64 n)
{
	struct lbx_memacct *a = MSB(sb)->acct;

	if (a)
		lbx_memacct_uncharge(a, n);
}

/* ---- the page tree ---- */

static u64 radix_cap(u32 h)
{
	return h ? 1ULL << (RADIX_SHIFT * (h - 1)) : 0;
}

static void *radix_lookup(struct memfs_inode *mi, u64 idx)
{
	u32 h = mi->reg.height;
	void *node = mi->reg.root;

	if (idx >= radix_cap(h))
		return NULL;
	while (h > 1 && node) {
		h--;
		node = ((void **)node)[(idx >> (RADIX_SHIFT * (h - 1))) & (RADIX_SLOTS - 1)];
	}
	return node;
}

static void *page_new(struct memfs_inode *mi)
{
	void *p;

	if (charge(mi->i.sb, LBX_PAGE_SIZE))
		return NULL;
	p = lbx_plat_page_alloc();
	if (!p)
		uncharge(mi->i.sb, LBX_PAGE_SIZE);
	return p;
}

static void page_del(struct memfs_inode *mi, void *p)
{
	lbx_plat_page_free(p);
	uncharge(mi->i.sb, LBX_PAGE_SIZE);
}

/* Returns the data page for idx, allocating the path to it: -ENOSPC when
 * the sandbox is out of file-system memory. */
static int radix_get(struct memfs_inode *mi, u64 idx, u8 **out)
{
	void **slot;
	u32 h;

	while (idx >= radix_cap(mi->reg.height)) {
		void **node;

		if (mi->reg.height >= RADIX_MAX_HEIGHT)
			return -EFBIG;
		if (!mi->reg.root) {
			mi->reg.height++;
			continue;
		}
		node = page_new(mi);
		if (!node)
			return -ENOSPC;
		node[0] = mi->reg.root;
		mi->reg.root = node;
		mi->reg.height++;
	}
	slot = &mi->reg.root;
	for (h = mi->reg.height; ; h--) {
		if (!*slot) {
			*slot = page_new(mi);
			if (!*slot)
				return -ENOSPC;
			if (h == 1)
				mi->i.blocks += LBX_PAGE_SIZE / 512;
		}
		if (h == 1)
			break;
		slot = &((void **)*slot)[(idx >> (RADIX_SHIFT * (h - 2))) & (RADIX_SLOTS - 1)];
	}
	*out = *slot;
	return 0;
}

/* Frees the pages at index >= first under *slot, which covers
 * [base, base + radix_cap(h)). */
static void radix_trim(struct memfs_inode *mi, void **slot, u32 h, u64 base, u64 first)
{
	void **node = *slot;
	u64 span;
	bool empty = true;
	u32 n;

	if (!node)
		return;
	if (h == 1) {
		if (base >= first) {
			page_del(mi, node);
			mi->i.blocks -= LBX_PAGE_SIZE / 512;
			*slot = NULL;
		}
		return;
	}
	span = radix_cap(h - 1);
	for (n = 0; n < RADIX_SLOTS; n++) {
		u64 b = base + n * span;

		if (b + span > first)
			radix_trim(mi, &node[n], h - 1, b, first);
		if (node[n])
			empty = false;
	}
	if (empty) {
		page_del(mi, node);
		*slot = NULL;
	}
}

static u64 radix_next_present(void *node, u32 h, u64 base, u64 from)
{
	u64 span, r;
	u32 n;

	if (!node)
		return NO_PAGE;
	if (h == 1)
		return base >= from ? base : NO_PAGE;
	span = radix_cap(h - 1);
	for (n = 0; n < RADIX_SLOTS; n++) {
		u64 b = base + n * span;

		if (b + span <= from)
			continue;
		r = radix_next_present(((void **)node)[n], h - 1, b, from);
		if (r != NO_PAGE)
			return r;
	}
	return NO_PAGE;
}

/* Drops the bytes at and beyond size. Caller holds the inode lock. */
static void reg_shrink(struct memfs_inode *mi, u64 size)
{
	u64 first = (size + LBX_PAGE_SIZE - 1) / LBX_PAGE_SIZE;
	u8 *tail;

	if (mi->reg.ext)
		return;
	radix_trim(mi, &mi->reg.root, mi->reg.height, 0, first);
	if (!mi->reg.root)
		mi->reg.height = 0;
	/* A later extension must read zeros in the partial last page. */
	if (size % LBX_PAGE_SIZE) {
		tail = radix_lookup(mi, size / LBX_PAGE_SIZE);
		if (tail)
			memset(tail + size % LBX_PAGE_SIZE, 0,
			       LBX_PAGE_SIZE - size % LBX_PAGE_SIZE);
	}
}

/* ---- shared memory objects ---- */

static u64 pages_of(u64 size)
{
	return size / LBX_PAGE_SIZE + !!(size % LBX_PAGE_SIZE);
}

/* Gives the object size bytes, charging or uncharging the difference in
 * pages. Caller holds the inode lock and sets i.size. */
static int shm_resize(struct memfs_inode *mi, u64 size)
{
	u64 np = pages_of(size), op = mi->reg.shm_pages;
	int ret;

	if (np > op) {
		ret = charge(mi->i.sb, (np - op) * LBX_PAGE_SIZE);
		if (ret)
			return ret;
	}
	ret = lbx_plat_shm_resize(mi->reg.shm, size);
	if (ret) {
		if (np > op)
			uncharge(mi->i.sb, (np - op) * LBX_PAGE_SIZE);
		return ret;
	}
	if (np < op)
		uncharge(mi->i.sb, (op - np) * LBX_PAGE_SIZE);
	mi->reg.shm_pages = np;
	mi->i.blocks = np * (LBX_PAGE_SIZE / 512);
	return 0;
}

/*
 * Moves the file's pages into a new shared memory object of its size.
 * Caller holds the inode lock. The object is charged first, so for a
 * moment the file counts twice against the limit (-ENOSPC then, and
 * nothing changed).
 */
static int shm_attach(struct memfs_inode *mi)
{
	u64 np = pages_of(mi->i.size), idx;
	struct lbx_plat_shm *shm;
	int ret;

	if (mi->reg.ext)
		return -ENODEV;		/* tarfs: read-only bytes in the image */
	ret = charge(mi->i.sb, np * LBX_PAGE_SIZE);
	if (ret)
		return ret;
	ret = lbx_plat_shm_create("litebox-shm", mi->i.size, &shm);
	if (ret)
		goto err_uncharge;
	for (idx = radix_next_present(mi->reg.root, mi->reg.height, 0, 0);
	     idx != NO_PAGE && idx < np;
	     idx = radix_next_present(mi->reg.root, mi->reg.height, 0, idx + 1)) {
		struct lbx_shm_page pg;

		ret = lbx_plat_shm_page_get(shm, idx, &pg);
		if (ret)
			goto err_destroy;
		/* Past EOF the page holds zeroes (reg_shrink). */
		memcpy(pg.addr, radix_lookup(mi, idx), LBX_PAGE_SIZE);
		lbx_plat_shm_page_put(&pg, true);
	}
	reg_shrink(mi, 0);
	mi->reg.shm = shm;
	mi->reg.shm_pages = np;
	mi->reg.shm_id = lbx_mm_new_obj_id();
	mi->i.blocks = np * (LBX_PAGE_SIZE / 512);
	return 0;
err_destroy:
	lbx_plat_shm_destroy(shm);
err_uncharge:
	uncharge(mi->i.sb, np * LBX_PAGE_SIZE);
	return ret;
}

static int memfs_shm(struct lbx_file *f, struct lbx_plat_shm **shm, u64 *id)
{
	struct memfs_inode *mi = MI(f->inode);
	int ret = 0;

	lbx_plat_mutex_lock(&mi->i.lock);
	if (!mi->reg.shm)
		ret = shm_attach(mi);
	if (!ret) {
		*shm = mi->reg.shm;
		*id = mi->reg.shm_id;
	}
	lbx_plat_mutex_unlock(&mi->i.lock);
	return ret;
}

/* ---- inodes ---- */

static int memfs_new_inode(struct lbx_super *sb, const struct lbx_new_inode *ni,
			   struct memfs_inode **out)
{
	struct memfs_inode *mi;
	int ret;

	ret = charge(sb, sizeof(*mi));
	if (ret)
		return ret;
	mi = lbx_plat_alloc(sizeof(*mi));
	if (!mi) {
		uncharge(sb, sizeof(*mi));
		return -ENOMEM;
	}
	lbx_inode_init(&mi->i, sb, ni->mode);
	mi->i.uid = ni->uid;
	mi->i.gid = ni->gid;
	mi->i.rdev = ni->rdev;
	mi->i.iops = &memfs_iops;
	if (LX_S_ISDIR(ni->mode)) {
		lbx_list_init(&mi->dir.entries);
		mi->dir.next_pos = 2;
		mi->i.fops = &memfs_dir_ops;
		mi->i.size = LBX_PAGE_SIZE;
	} else if (LX_S_ISREG(ni->mode)) {
		mi->i.fops = &memfs_file_ops;
	} else if (LX_S_ISLNK(ni->mode)) {
		if (!ni->target_len || ni->target_len >= LX_PATH_MAX) {
			ret = ni->target_len ? -ENAMETOOLONG : -ENOENT;
			goto err;
		}
		ret = charge(sb, ni->target_len + 1);
		if (ret)
			goto err;
		mi->lnk.target = lbx_plat_alloc(ni->target_len + 1);
		if (!mi->lnk.target) {
			uncharge(sb, ni->target_len + 1);
			ret = -ENOMEM;
			goto err;
		}
		memcpy(mi->lnk.target, ni->target, ni->target_len);
		mi->lnk.len = ni->target_len;
		mi->i.size = ni->target_len;
	}
	*out = mi;
	return 0;
err:
	uncharge(sb, sizeof(*mi));
	lbx_plat_free(mi);
	return ret;
}

static void memfs_free_inode(struct lbx_inode *i)
{
	struct memfs_inode *mi = MI(i);
	struct lbx_super *sb = i->sb;

	if (LX_S_ISREG(i->mode)) {
		reg_shrink(mi, 0);
		if (mi->reg.shm) {
			/* The host mappings keep their pages. */
			lbx_plat_shm_destroy(mi->reg.shm);
			uncharge(sb, mi->reg.shm_pages * LBX_PAGE_SIZE);
		}
	} else if (LX_S_ISLNK(i->mode)) {
		uncharge(sb, mi->lnk.len + 1);
		lbx_plat_free(mi->lnk.target);
	} else if (LX_S_ISDIR(i->mode) && mi->dir.buckets) {
		uncharge(sb, (u64)mi->dir.nbuckets * sizeof(*mi->dir.buckets));
		lbx_plat_free_large(mi->dir.buckets);
	}
	uncharge(sb, sizeof(*mi));
	lbx_plat_free(mi);
}

int lbx_memfs_set_ext_data(struct lbx_inode *i, const void *data, u64 size)
{
	struct memfs_inode *mi = MI(i);

	if (!lbx_is_memfs(i->sb) || !LX_S_ISREG(i->mode) || mi->reg.root)
		return -EINVAL;
	mi->reg.ext = data;
	i->size = size;
	i->blocks = (size + 511) / 512;
	return 0;
}

/* ---- directories ---- */

/*
 * Names are found through a hash table once a directory has DIR_HASH_MIN
 * entries (a distribution's /usr/lib holds thousands; python3's standard
 * library directories hundreds), grown to keep about one entry per bucket;
 * smaller ones are searched in order. The table is charged to the file
 * system's memory; when it cannot grow, chains just get longer.
 */
#define DIR_HASH_MIN	16

static u32 name_hash(const char *name, size_t len)
{
	u32 h = 2166136261u;
	size_t n;

	for (n = 0; n < len; n++) {
		h ^= (u8)name[n];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

/* Rehashes every entry into a table of n buckets; false if it cannot. */
static bool dir_rehash(struct memfs_inode *dir, u32 n)
{
	u64 bytes = (u64)n * sizeof(*dir->dir.buckets);
	struct memfs_dirent **b;
	struct lbx_list_head *p;

	if (charge(dir->i.sb, bytes))
		return false;
	b = lbx_plat_alloc_large(bytes);
	if (!b) {
		uncharge(dir->i.sb, bytes);
		return false;
	}
	lbx_list_for_each(p, &dir->dir.entries) {
		struct memfs_dirent *d = lbx_list_entry(p, struct memfs_dirent, node);

		d->hnext = b[d->hash & (n - 1)];
		b[d->hash & (n - 1)] = d;
	}
	if (dir->dir.buckets) {
		uncharge(dir->i.sb, (u64)dir->dir.nbuckets * sizeof(*dir->dir.buckets));
		lbx_plat_free_large(dir->dir.buckets);
	}
	dir->dir.buckets = b;
	dir->dir.nbuckets = n;
	return true;
}

static struct memfs_dirent *dir_find(struct memfs_inode *dir, const char *name,
				     size_t len)
{
	struct lbx_list_head *p;
	struct memfs_dirent *d;
	u32 h;

	if (dir->dir.buckets) {
		h = name_hash(name, len);
		for (d = dir->dir.buckets[h & (dir->dir.nbuckets - 1)]; d; d = d->hnext)
			if (d->hash == h && d->len == len && !memcmp(d->name, name, len))
				return d;
		return NULL;
	}
	lbx_list_for_each(p, &dir->dir.entries) {
		d = lbx_list_entry(p, struct memfs_dirent, node);
		if (d->len == len && !memcmp(d->name, name, len))
			return d;
	}
	return NULL;
}

static int dirent_add(struct memfs_inode *dir, const char *name, size_t len,
		      struct lbx_inode *inode)
{
	u32 sz = sizeof(struct memfs_dirent) + len + 1;
	struct memfs_dirent *d;
	int ret;

	if (len > LX_NAME_MAX)
		return -ENAMETOOLONG;
	ret = charge(dir->i.sb, sz);
	if (ret)
		return ret;
	d = lbx_plat_alloc(sz);
	if (!d) {
		uncharge(dir->i.sb, sz);
		return -ENOMEM;
	}
	d->charged = sz;
	d->len = (u16)len;
	memcpy(d->name, name, len);
	d->inode = lbx_inode_get(inode);
	d->hash = name_hash(name, len);
	d->pos = dir->dir.next_pos++;
	lbx_list_add_tail(&d->node, &dir->dir.entries);
	dir->dir.count++;
	if (dir->dir.count >= DIR_HASH_MIN && dir->dir.count > dir->dir.nbuckets &&
	    dir_rehash(dir, lbx_max(2 * dir->dir.nbuckets, 2u * DIR_HASH_MIN)))
		return 0;
	if (dir->dir.buckets) {
		u32 b = d->hash & (dir->dir.nbuckets - 1);

		d->hnext = dir->dir.buckets[b];
		dir->dir.buckets[b] = d;
	}
	return 0;
}

/* Unhooks d; the caller owns d->inode's reference afterwards. */
static struct lbx_inode *dirent_del(struct memfs_inode *dir, struct memfs_dirent *d)
{
	struct lbx_inode *i = d->inode;

	if (dir->dir.buckets) {
		struct memfs_dirent **pp = &dir->dir.buckets[d->hash & (dir->dir.nbuckets - 1)];

		while (*pp != d)
			pp = &(*pp)->hnext;
		*pp = d->hnext;
	}
	lbx_list_del(&d->node);
	dir->dir.count--;
	uncharge(dir->i.sb, d->charged);
	lbx_plat_free(d);
	return i;
}

static void touch_dir(struct lbx_inode *dir)
{
	lbx_plat_mutex_lock(&dir->lock);
	lbx_now(&dir->mtime);
	dir->ctime = dir->mtime;
	lbx_plat_mutex_unlock(&dir->lock);
}

static void touch_ctime(struct lbx_inode *i)
{
	lbx_plat_mutex_lock(&i->lock);
	lbx_now(&i->ctime);
	lbx_plat_mutex_unlock(&i->lock);
}

static int memfs_lookup(struct lbx_inode *dir, const char *name, size_t len,
			struct lbx_inode **out)
{
	struct memfs_inode *md = MI(dir);
	struct memfs_dirent *d;

	if (!dir->nlink)
		return -ENOENT;
	if (len == 1 && name[0] == '.') {
		*out = lbx_inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = lbx_inode_get(md->dir.parent ? &md->dir.parent->i : dir);
		return 0;
	}
	d = dir_find(md, name, len);
	if (!d)
		return -ENOENT;
	*out = lbx_inode_get(d->inode);
	return 0;
}

static int memfs_create(struct lbx_inode *dir, const char *name, size_t len,
			const struct lbx_new_inode *ni, struct lbx_inode **out)
{
	struct memfs_inode *md = MI(dir), *mi;
	int ret;

	if (!dir->nlink)
		return -ENOENT;
	if (dir_find(md, name, len))
		return -EEXIST;
	ret = memfs_new_inode(dir->sb, ni, &mi);
	if (ret)
		return ret;
	ret = dirent_add(md, name, len, &mi->i);
	if (ret) {
		mi->i.nlink = 0;
		lbx_inode_put(&mi->i);
		return ret;
	}
	if (LX_S_ISDIR(ni->mode)) {
		mi->dir.parent = md;
		dir->nlink++;
	}
	touch_dir(dir);
	*out = &mi->i;
	return 0;
}

static int memfs_tmpfile(struct lbx_inode *dir, const struct lbx_new_inode *ni,
			 struct lbx_inode **out)
{
	struct memfs_inode *mi;
	int ret;

	if (!LX_S_ISREG(ni->mode))
		return -EOPNOTSUPP;
	ret = memfs_new_inode(dir->sb, ni, &mi);
	if (ret)
		return ret;
	mi->i.nlink = 0;
	*out = &mi->i;
	return 0;
}

static int memfs_link(struct lbx_inode *dir, const char *name, size_t len,
		      struct lbx_inode *target)
{
	int ret;

	if (!dir->nlink)
		return -ENOENT;
	if (dir_find(MI(dir), name, len))
		return -EEXIST;
	ret = dirent_add(MI(dir), name, len, target);
	if (ret)
		return ret;
	target->nlink++;
	touch_ctime(target);
	touch_dir(dir);
	return 0;
}

static int memfs_unlink(struct lbx_inode *dir, const char *name, size_t len,
			struct lbx_inode *victim)
{
	struct memfs_dirent *d = dir_find(MI(dir), name, len);

	if (!d || d->inode != victim)
		return -ENOENT;
	dirent_del(MI(dir), d);
	victim->nlink--;
	touch_ctime(victim);
	touch_dir(dir);
	lbx_inode_put(victim);
	return 0;
}

static int memfs_rmdir(struct lbx_inode *dir, const char *name, size_t len,
		       struct lbx_inode *victim)
{
	struct memfs_dirent *d = dir_find(MI(dir), name, len);

	if (!d || d->inode != victim)
		return -ENOENT;
	if (MI(victim)->dir.count)
		return -ENOTEMPTY;
	dirent_del(MI(dir), d);
	victim->nlink = 0;
	MI(victim)->dir.parent = NULL;
	dir->nlink--;
	touch_dir(dir);
	lbx_inode_put(victim);
	return 0;
}

/* A directory moved from odir to ndir: its ".." and the parents' links. */
static void reparent(struct lbx_inode *child, struct lbx_inode *odir,
		     struct lbx_inode *ndir)
{
	if (!LX_S_ISDIR(child->mode) || odir == ndir)
		return;
	MI(child)->dir.parent = MI(ndir);
	odir->nlink--;
	ndir->nlink++;
}

static int memfs_rename(struct lbx_inode *odir, const char *oname, size_t olen,
			struct lbx_inode *oldi, struct lbx_inode *ndir,
			const char *nname, size_t nlen, struct lbx_inode *newi,
			u32 flags)
{
	struct memfs_dirent *od = dir_find(MI(odir), oname, olen);
	struct memfs_dirent *nd = dir_find(MI(ndir), nname, nlen);
	int ret;

	if (!od || od->inode != oldi || (newi && (!nd || nd->inode != newi)))
		return -ENOENT;
	/* A removed directory takes no new entries: nothing could reach them. */
	if (!ndir->nlink || !odir->nlink)
		return -ENOENT;
	if (flags & LX_RENAME_EXCHANGE) {
		od->inode = newi;
		nd->inode = oldi;
		reparent(oldi, odir, ndir);
		reparent(newi, ndir, odir);
		touch_ctime(newi);
	} else if (newi) {
		if (LX_S_ISDIR(newi->mode) && MI(newi)->dir.count)
			return -ENOTEMPTY;
		nd->inode = oldi;
		dirent_del(MI(odir), od);
		if (LX_S_ISDIR(newi->mode)) {
			newi->nlink = 0;
			MI(newi)->dir.parent = NULL;
			ndir->nlink--;
		} else {
			newi->nlink--;
		}
		touch_ctime(newi);
		lbx_inode_put(newi);
		reparent(oldi, odir, ndir);
	} else {
		ret = dirent_add(MI(ndir), nname, nlen, oldi);
		if (ret)
			return ret;
		lbx_inode_put(dirent_del(MI(odir), od));
		reparent(oldi, odir, ndir);
	}
	touch_ctime(oldi);
	touch_dir(odir);
	if (ndir != odir)
		touch_dir(ndir);
	return 0;
}

static int memfs_readlink(struct lbx_inode *i, const char **target, size_t *len)
{
	if (!LX_S_ISLNK(i->mode))
		return -EINVAL;
	*target = MI(i)->lnk.target;
	*len = MI(i)->lnk.len;
	return 0;
}

static int memfs_setattr(struct lbx_inode *i, const struct lbx_iattr *ia)
{
	struct memfs_inode *mi = MI(i);

	lbx_plat_mutex_lock(&i->lock);
	if (ia->valid & LBX_ATTR_SIZE) {
		if (ia->size > i->sb->max_size) {
			lbx_plat_mutex_unlock(&i->lock);
			return -EFBIG;
		}
		if (mi->reg.shm) {
			int ret = shm_resize(mi, ia->size);

			if (ret) {
				lbx_plat_mutex_unlock(&i->lock);
				return ret;
			}
		} else if (ia->size < i->size) {
			reg_shrink(mi, ia->size);
		}
		i->size = ia->size;
	}
	lbx_inode_apply_attr(i, ia);
	lbx_plat_mutex_unlock(&i->lock);
	return 0;
}

static int memfs_iterate(struct lbx_file *f, struct lbx_dir_ctx *ctx)
{
	struct memfs_inode *md = MI(f->inode);
	struct lbx_list_head *p;

	if (!f->inode->nlink)
		return 0;
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, md->i.ino, LX_DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct memfs_inode *pd = md->dir.parent ? md->dir.parent : md;

		if (!ctx->emit(ctx, "..", 2, pd->i.ino, LX_DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	lbx_list_for_each(p, &md->dir.entries) {
		struct memfs_dirent *d = lbx_list_entry(p, struct memfs_dirent, node);

		if (d->pos < ctx->pos)
			continue;
		if (!ctx->emit(ctx, d->name, d->len, d->inode->ino,
			       lbx_mode_to_dtype(d->inode->mode)))
			return 0;
		ctx->pos = d->pos + 1;
	}
	return 0;
}

/* ---- regular file data ---- */

static ssize_t memfs_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct memfs_inode *mi = MI(f->inode);
	ssize_t done = 0;
	int ret = 0;

	lbx_plat_mutex_lock(&mi->i.lock);
	while (lbx_iter_count(to) && *pos < mi->i.size) {
		u64 off = *pos % LBX_PAGE_SIZE;
		size_t n = lbx_min((u64)lbx_iter_count(to), mi->i.size - *pos);
		const u8 *page;
		ssize_t m;

		if (mi->reg.ext) {
			m = lbx_iter_copy_to_partial(to, mi->reg.ext + *pos, n);
		} else if (mi->reg.shm) {
			struct lbx_shm_page pg;

			n = lbx_min((u64)n, LBX_PAGE_SIZE - off);
			m = lbx_plat_shm_page_get(mi->reg.shm, *pos / LBX_PAGE_SIZE, &pg);
			if (!m) {
				m = lbx_iter_copy_to_partial(to, (u8 *)pg.addr + off, n);
				lbx_plat_shm_page_put(&pg, false);
			}
		} else {
			n = lbx_min((u64)n, LBX_PAGE_SIZE - off);
			page = radix_lookup(mi, *pos / LBX_PAGE_SIZE);
			m = page ? lbx_iter_copy_to_partial(to, page + off, n) :
				   lbx_iter_zero_partial(to, n);
		}
		if (m < 0) {
			ret = (int)m;
			break;
		}
		*pos += m;
		done += m;
		/* The buffer turned bad: what came before it counts. */
		if ((size_t)m < n)
			break;
	}
	lbx_plat_mutex_unlock(&mi->i.lock);
	return done ? done : ret;
}

static ssize_t memfs_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct memfs_inode *mi = MI(f->inode);
	u64 max = f->inode->sb->max_size, grown = 0;
	ssize_t done = 0;
	int ret = 0;

	lbx_plat_mutex_lock(&mi->i.lock);
	if (mi->reg.ext) {
		ret = -EROFS;
		goto out;
	}
	if (f->flags & LX_O_APPEND)
		*pos = mi->i.size;
	if (lbx_iter_count(from) && *pos >= max) {
		ret = -EFBIG;
		goto out;
	}
	/* A shared object grows first, to where the write ends (its pages
	 * must exist before they are written), and back if it falls short. */
	if (mi->reg.shm && lbx_min(*pos + lbx_iter_count(from), max) > mi->i.size) {
		grown = lbx_min(*pos + lbx_iter_count(from), max);
		ret = shm_resize(mi, grown);
		if (ret)
			goto out;
	}
	while (lbx_iter_count(from)) {
		u64 off = *pos % LBX_PAGE_SIZE;
		size_t n = lbx_min((u64)lbx_iter_count(from), LBX_PAGE_SIZE - off);
		struct lbx_shm_page pg;
		ssize_t m;
		u8 *page;

		if (*pos >= max)
			break;
		if (mi->reg.shm) {
			ret = lbx_plat_shm_page_get(mi->reg.shm, *pos / LBX_PAGE_SIZE, &pg);
			page = pg.addr;
		} else {
			ret = radix_get(mi, *pos / LBX_PAGE_SIZE, &page);
		}
		if (ret)
			break;
		m = lbx_iter_copy_from_partial(from, page + off, n);
		if (mi->reg.shm)
			lbx_plat_shm_page_put(&pg, m > 0);
		if (m < 0) {
			ret = (int)m;
			break;
		}
		*pos += m;
		done += m;
		if (*pos > mi->i.size)
			mi->i.size = *pos;
		if ((size_t)m < n)
			break;
	}
	if (grown > mi->i.size)
		shm_resize(mi, mi->i.size);	/* a shrink: uncharges only */
	if (done) {
		lbx_now(&mi->i.mtime);
		mi->i.ctime = mi->i.mtime;
	}
out:
	lbx_plat_mutex_unlock(&mi->i.lock);
	return done ? done : ret;
}

static s64 memfs_llseek(struct lbx_file *f, s64 off, int whence)
{
	struct memfs_inode *mi = MI(f->inode);
	u64 size, idx, at;
	s64 ret;

	if (whence != LX_SEEK_DATA && whence != LX_SEEK_HOLE)
		return lbx_generic_llseek(f, off, whence, f->inode->size);
	lbx_plat_mutex_lock(&mi->i.lock);
	size = mi->i.size;
	ret = -ENXIO;
	if (off < 0 || (u64)off >= size)
		goto out;
	if (mi->reg.ext || mi->reg.shm) {
		at = whence == LX_SEEK_DATA ? (u64)off : size;
	} else if (whence == LX_SEEK_DATA) {
		idx = radix_next_present(mi->reg.root, mi->reg.height, 0,
					 (u64)off / LBX_PAGE_SIZE);
		if (idx == NO_PAGE || idx * LBX_PAGE_SIZE >= size)
			goto out;
		at = lbx_max((u64)off, idx * LBX_PAGE_SIZE);
	} else {
		idx = (u64)off / LBX_PAGE_SIZE;
		while (idx * LBX_PAGE_SIZE < size && radix_lookup(mi, idx))
			idx++;
		at = lbx_min(lbx_max((u64)off, idx * LBX_PAGE_SIZE), size);
	}
	f->pos = at;
	ret = (s64)at;
out:
	lbx_plat_mutex_unlock(&mi->i.lock);
	return ret;
}

static int memfs_image_data(struct lbx_file *f, const void **data, u64 *size)
{
	struct memfs_inode *mi = MI(f->inode);

	/* External bytes are set once, before the (read-only) tree is used. */
	if (!mi->reg.ext)
		return -ENODEV;
	*data = mi->reg.ext;
	*size = mi->i.size;
	return 0;
}

static ssize_t memfs_dir_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return -EISDIR;
}

static const struct lbx_file_ops memfs_file_ops = {
	.read = memfs_read,
	.write = memfs_write,
	.llseek = memfs_llseek,
	.shm = memfs_shm,
	.image_data = memfs_image_data,
};

static const struct lbx_file_ops memfs_dir_ops = {
	.read = memfs_dir_read,
	.write = memfs_dir_read,
	.llseek = lbx_dir_llseek,
	.iterate = memfs_iterate,
};

static const struct lbx_inode_ops memfs_iops = {
	.lookup = memfs_lookup,
	.create = memfs_create,
	.tmpfile = memfs_tmpfile,
	.link = memfs_link,
	.unlink = memfs_unlink,
	.rmdir = memfs_rmdir,
	.rename = memfs_rename,
	.readlink = memfs_readlink,
	.setattr = memfs_setattr,
};

/* ---- the super block ---- */

/*
 * Empties the tree without recursion (a deep tree must not exhaust a
 * kernel stack): descend into the first non-empty subdirectory, drop
 * leaves, climb back through the parent pointers.
 */
static void memfs_clear_tree(struct memfs_inode *root)
{
	struct memfs_inode *cur = root;

	for (;;) {
		struct memfs_dirent *d;
		struct lbx_inode *child;

		if (lbx_list_empty(&cur->dir.entries)) {
			if (cur == root)
				break;
			cur = cur->dir.parent;
			continue;
		}
		d = lbx_list_entry(cur->dir.entries.next, struct memfs_dirent, node);
		child = d->inode;
		if (LX_S_ISDIR(child->mode) && MI(child)->dir.parent == cur &&
		    !lbx_list_empty(&MI(child)->dir.entries)) {
			cur = MI(child);
			continue;
		}
		dirent_del(cur, d);
		if (LX_S_ISDIR(child->mode) && MI(child)->dir.parent == cur) {
			child->nlink = 0;
			MI(child)->dir.parent = NULL;
			cur->i.nlink--;
		} else {
			child->nlink--;
		}
		lbx_inode_put(child);
	}
}

static void memfs_destroy(struct lbx_super *sb)
{
	struct lbx_inode *root = sb->root;

	memfs_clear_tree(MI(root));
	sb->root = NULL;
	lbx_inode_put(root);
	lbx_plat_free(MSB(sb));
}

static const struct lbx_super_ops memfs_sops = {
	.free_inode = memfs_free_inode,
	.destroy = memfs_destroy,
};

int lbx_memfs_create(struct lbx_vfs *vfs, struct lbx_memacct *acct,
		     u32 root_mode, struct lbx_super **out)
{
	struct lbx_new_inode ni = { .mode = LX_S_IFDIR | (root_mode & LX_S_IALLUGO) };
	struct memfs_sb *ms = lbx_plat_alloc(sizeof(*ms));
	struct memfs_inode *root;
	int ret;

	if (!ms)
		return -ENOMEM;
	ms->acct = acct;
	ms->sb.ops = &memfs_sops;
	ms->sb.vfs = vfs;
	ms->sb.type = "tmpfs";
	ms->sb.dev = lbx_vfs_alloc_dev(vfs);
	ms->sb.max_size = LBX_MEMFS_MAX_SIZE;
	ret = memfs_new_inode(&ms->sb, &ni, &root);
	if (ret) {
		lbx_plat_free(ms);
		return ret;
	}
	ms->sb.root = &root->i;
	*out = &ms->sb;
	return 0;
}
