/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copying ioctl structs that carry a leading u32 size: the caller's size may
 * be anything from the first published layout (min) up to PAGE_SIZE; a
 * larger struct than ours must have a zero tail (copy_struct_from_user).
 */
#ifndef LBX_KMOD_IOCTL_UTIL_H
#define LBX_KMOD_IOCTL_UTIL_H

#include <linux/uaccess.h>

static inline int lbx_copy_sized_arg(void *dst, size_t ksize, size_t min,
				     const void __user *src)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < min || usize > PAGE_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(dst, ksize, src, usize);
	if (ret == -E2BIG)
		return -EINVAL;	/* a non-zero field we do not know */
	if (ret)
		return ret;
	*(u32 *)dst = min_t(u32, usize, ksize);
	return 0;
}

/* Writes back as much of the struct as the caller knows (its size field). */
static inline int lbx_copy_sized_out(void __user *dst, const void *src,
				     size_t ksize)
{
	u32 n = min_t(u32, *(const u32 *)src, ksize);

	return copy_to_user(dst, src, n) ? -EFAULT : 0;
}

#endif
