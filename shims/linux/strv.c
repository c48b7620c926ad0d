// SPDX-License-Identifier: GPL-2.0
/* argv and envp vectors from guest memory (execve, and the first exec). */
#include "shim.h"

#define LX_ARG_STRLEN_MAX	(128 * 1024)	/* MAX_ARG_STRLEN */
#define LX_ARGV_MAX_COUNT	(1 << 16)

void lbx_linux_free_strv(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		lbx_plat_free_large(*p);
	lbx_plat_free_large(v);
}

/*
 * Reads the guest's pointer array once into LiteBox memory (growing it as
 * it goes), so that what is counted is what is copied.
 */
static int copy_pointers(u64 uv, u64 **out, u64 *count)
{
	u64 *ptrs = NULL, n = 0, cap = 0;

	for (;; n++) {
		u64 p;

		if (n >= LX_ARGV_MAX_COUNT) {
			lbx_plat_free_large(ptrs);
			return -E2BIG;
		}
		if (lbx_copy_from_guest(&p, uv + n * sizeof(p), sizeof(p))) {
			lbx_plat_free_large(ptrs);
			return -EFAULT;
		}
		if (n == cap) {
			u64 *bigger;

			cap = cap ? cap * 2 : 64;
			bigger = lbx_plat_alloc_large((cap + 1) * sizeof(*ptrs));
			if (!bigger) {
				lbx_plat_free_large(ptrs);
				return -ENOMEM;
			}
			if (n)
				memcpy(bigger, ptrs, n * sizeof(*ptrs));
			lbx_plat_free_large(ptrs);
			ptrs = bigger;
		}
		ptrs[n] = p;
		if (!p)
			break;
	}
	*out = ptrs;
	*count = n;
	return 0;
}

/*
 * One string of at most MAX_ARG_STRLEN bytes with its NUL, into a buffer of
 * its size's order (lbx_plat_free_large): most are short, and a scratch
 * buffer of the maximum size costs a 128 KiB allocation, cleared, for every
 * vector of every exec. What a failed attempt saw is not used: the string
 * returned is the one copy whose length was counted.
 */
static long copy_string(u64 src, char **out)
{
	size_t cap = 256;

	for (;;) {
		char *s = lbx_plat_alloc_large(cap);
		long len;

		if (!s)
			return -ENOMEM;
		len = lbx_strncpy_from_guest(s, src, cap);
		if (len >= 0) {
			*out = s;
			return len;
		}
		lbx_plat_free_large(s);
		if (len != -ENAMETOOLONG)
			return len;
		if (cap >= LX_ARG_STRLEN_MAX)
			return -E2BIG;
		cap = lbx_min(cap * 8, (size_t)LX_ARG_STRLEN_MAX);
	}
}

int lbx_linux_copy_strv(u64 uv, char ***out, u64 *budget)
{
	u64 *ptrs = NULL, n = 0, bytes = 0, i;
	char **v = NULL;
	int ret;

	*out = NULL;
	if (!uv)
		return 0;	/* Linux treats a NULL argv or envp as empty */
	ret = copy_pointers(uv, &ptrs, &n);
	if (ret)
		return ret;
	ret = -ENOMEM;
	v = lbx_plat_alloc_large((n + 1) * sizeof(*v));
	if (!v)
		goto err;
	for (i = 0; i < n; i++) {
		long len = copy_string(ptrs[i], &v[i]);

		if (len < 0) {
			ret = (int)len;
			goto err;
		}
		bytes += len + 1;
		ret = -E2BIG;
		if (bytes > *budget)
			goto err;
	}
	*budget -= bytes;
	*out = v;
	v = NULL;
	ret = 0;
err:
	lbx_linux_free_strv(v);
	lbx_plat_free_large(ptrs);
	return ret;
}
