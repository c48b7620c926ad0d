// SPDX-License-Identifier: GPL-2.0
/*
 * The lower image from a file descriptor (ABI 1.4, docs/uapi.md).
 *
 * The tar parser checks the image's headers once, when the sandbox is
 * created, and tarfs then serves file data in place; the ELF loader maps
 * programs' pages from the file. So the file must not change while the
 * sandbox holds it, or what was checked is not what is read (TOCTOU). Two
 * kinds of files give that guarantee, both enforced by the kernel itself:
 *
 * - a memfd sealed with F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK: no
 *   write, truncation, hole punching or writable shared mapping, by anyone,
 *   ever (seals cannot be removed, so F_SEAL_SEAL is not needed);
 * - any other file nobody has open for writing: we deny write access to
 *   it (deny_write_access(), as exec does for a running program) until the
 *   sandbox is gone, so opens for writing and truncate(2) get ETXTBSY.
 *   That needs every writer counted in i_writecount, which holds for files
 *   opened by path only: a file made without an open (memfd_create(),
 *   shmem_file_setup(): they live on internal mounts) is written through
 *   its own descriptor uncounted, so there only seals will do.
 *   Only for a caller who owns the file or may write it: denying writes
 *   to a file one may merely read would let any user lock, say,
 *   /etc/passwd against its owner for as long as a sandbox lives (the
 *   reason Linux ignores MAP_DENYWRITE from user space), and pin its
 *   page cache, charged to whoever read it first, in memory.
 *
 * The image is not copied: we hold a reference on each of the file's
 * page-cache pages and map them read-only into the kernel (vmap), so
 * sandboxes started from the same file share one copy of it, and each
 * sandbox pays only for the page array and the kernel mapping. The pages
 * stay resident while a sandbox holds them, as the copy did.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/fcntl.h>

#include "image.h"

#define LBX_IMAGE_SEALS	(F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)

static bool is_shmem(struct inode *inode)
{
	return inode->i_sb->s_magic == TMPFS_MAGIC;
}

/* The file's contents cannot change from now on: sealed, or made so. */
static int freeze(struct lbx_kimage *img)
{
	struct inode *inode = file_inode(img->file);

	if (is_shmem(inode) &&
	    (READ_ONCE(SHMEM_I(inode)->seals) & LBX_IMAGE_SEALS) == LBX_IMAGE_SEALS)
		return 0;
	if (img->file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		return -ETXTBSY;	/* its writers are not counted */
	if (!file_owner_or_capable(img->file) && file_permission(img->file, MAY_WRITE))
		return -EACCES;
	if (deny_write_access(img->file))
		return -ETXTBSY;
	img->write_denied = true;
	return 0;
}

/*
 * A name for the image's bytes that no other bytes will ever have (for the
 * rewriter's shared cache, lbx_plat_image_ident()), when the file system
 * can be trusted to move ctime on every change: tmpfs, or a file system on
 * a local block device, but not one whose times a server or a FUSE daemon
 * supplies. Device, inode number and generation name the file (a freed
 * and reused inode number gets a new generation); ctime and size name its
 * contents. Whatever changes the contents later (a write, truncate,
 * fallocate, a write through a shared mapping, a reflink) first sets ctime
 * to the current time at the file system's granularity; if that is already
 * past ctime now, the new ctime must differ. A file changed within the
 * current tick gets no name (its next use will). Called once the contents
 * are frozen; only the root changing the clock could defeat it.
 */
static void name_contents(struct lbx_kimage *img)
{
	struct inode *inode = file_inode(img->file);
	struct timespec64 now, ctime;

	if (!is_shmem(inode) && !(inode->i_sb->s_type->fs_flags & FS_REQUIRES_DEV))
		return;
	inode_lock_shared(inode);
	ctime = inode->i_ctime;
	inode_unlock_shared(inode);
	ktime_get_coarse_real_ts64(&now);
	now = timestamp_truncate(now, inode);
	if (timespec64_compare(&ctime, &now) >= 0)
		return;
	img->ident[0] = inode->i_sb->s_dev;
	img->ident[1] = inode->i_ino;
	img->ident[2] = inode->i_generation;
	img->ident[3] = ctime.tv_sec;
	img->ident[4] = ctime.tv_nsec;
	img->ident[5] = img->len;
	img->ident_ok = true;
}

static struct page *get_page_at(struct lbx_kimage *img, pgoff_t idx)
{
	struct address_space *mapping = img->file->f_mapping;

	if (is_shmem(file_inode(img->file)))
		return shmem_read_mapping_page(mapping, idx);
	return read_mapping_page(mapping, idx, img->file);
}

/*
 * Takes pages [*i, ...) of the image from the page cache as they are, in
 * batches (one walk of the mapping per batch rather than a lookup per
 * page), up to the first page that is not there or not read yet.
 */
static void take_cached(struct lbx_kimage *img, unsigned long *i)
{
	struct address_space *mapping = img->file->f_mapping;
	struct folio_batch fbatch;
	pgoff_t start = *i;
	unsigned int n, k;

	folio_batch_init(&fbatch);
	n = filemap_get_folios_contig(mapping, &start, img->npages - 1, &fbatch);
	for (k = 0; k < n; k++) {
		struct folio *folio = fbatch.folios[k];
		unsigned long idx = folio->index, end = idx + folio_nr_pages(folio);

		if (!folio_test_uptodate(folio) || idx > *i || end <= *i)
			break;
		for (; *i < end && *i < img->npages; (*i)++) {
			struct page *page = folio_page(folio, *i - idx);

			get_page(page);
			img->pages[*i] = page;
		}
	}
	folio_batch_release(&fbatch);
}

static int map_pages(struct lbx_kimage *img)
{
	unsigned long i = 0;

	img->npages = DIV_ROUND_UP(img->len, PAGE_SIZE);
	img->pages = kvcalloc(img->npages, sizeof(*img->pages), GFP_KERNEL_ACCOUNT);
	if (!img->pages)
		return -ENOMEM;
	while (i < img->npages) {
		unsigned long before = i;

		take_cached(img, &i);
		if (i == before) {
			/* Not in the page cache, or not read yet: read it. */
			struct page *page = get_page_at(img, i);

			if (IS_ERR(page))
				return PTR_ERR(page);
			img->pages[i++] = page;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	img->base = vmap(img->pages, img->npages, VM_MAP, PAGE_KERNEL_RO);
	return img->base ? 0 : -ENOMEM;
}

void lbx_kimage_close(struct lbx_kimage *img)
{
	unsigned long i;

	if (img->base)
		vunmap(img->base);
	if (img->pages) {
		for (i = 0; i < img->npages && img->pages[i]; i++)
			put_page(img->pages[i]);
		kvfree(img->pages);
	}
	if (img->write_denied)
		allow_write_access(img->file);
	fput(img->file);
	kfree(img);
}

int lbx_kimage_open(int fd, u64 max, struct lbx_kimage **out)
{
	struct lbx_kimage *img;
	struct file *file;
	loff_t size;
	int ret;

	file = fget(fd);
	if (!file)
		return -EBADF;
	if (!(file->f_mode & FMODE_READ)) {
		fput(file);
		return -EBADF;
	}
	if (!S_ISREG(file_inode(file)->i_mode)) {
		fput(file);
		return -EINVAL;
	}
	img = kzalloc(sizeof(*img), GFP_KERNEL_ACCOUNT);
	if (!img) {
		fput(file);
		return -ENOMEM;
	}
	img->file = file;
	ret = freeze(img);
	if (ret)
		goto err;
	/* Read once the size can no longer change. */
	size = i_size_read(file_inode(file));
	ret = -EINVAL;
	if (size <= 0)
		goto err;
	ret = -EFBIG;
	if ((u64)size > max)
		goto err;
	ret = -EINVAL;
	if (!is_shmem(file_inode(file)) &&
	    (!file->f_mapping->a_ops || !file->f_mapping->a_ops->read_folio))
		goto err;	/* no page cache to read the image from */
	img->len = size;
	ret = map_pages(img);
	if (ret)
		goto err;
	name_contents(img);
	*out = img;
	return 0;
err:
	lbx_kimage_close(img);
	return ret;
}
