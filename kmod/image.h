/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sandbox's read-only lower image taken from a file descriptor (ABI 1.4):
 * the file's page-cache pages mapped into the kernel, never copied.
 */
#ifndef LBX_KMOD_IMAGE_H
#define LBX_KMOD_IMAGE_H

#include <linux/types.h>

struct file;
struct page;

struct lbx_kimage {
	struct file *file;	/* a reference */
	bool write_denied;	/* deny_write_access() held on it */
	struct page **pages;	/* a reference on each */
	unsigned long npages;
	void *base;		/* vmap() of pages, read-only */
	size_t len;		/* the file's size */
	bool ident_ok;		/* ident names these bytes for good */
	u64 ident[6];		/* device, inode, generation, ctime, size */
};

/*
 * Takes the image at fd: a regular file open for reading, at most max
 * bytes, whose contents cannot change (a memfd sealed against writes,
 * growth and shrinking, or a file write access to which can be denied).
 * -EBADF, -EINVAL (not a regular file, empty), -ETXTBSY (could change),
 * -EFBIG, -ENOMEM, or the error of reading a page.
 */
int lbx_kimage_open(int fd, u64 max, struct lbx_kimage **out);
void lbx_kimage_close(struct lbx_kimage *img);

#endif
