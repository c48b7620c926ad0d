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
		lbx_plat_free(*p);
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

int lbx_linux_copy_strv(u64 uv, char ***out, u64 *budget)
{
	u64 *ptrs = NULL, n = 0, bytes = 0, i;
	char **v = NULL, *scratch = NULL;
	int ret;

	*out = NULL;
	if (!uv)
		return 0;	/* Linux treats a NULL argv or envp as empty */
	ret = copy_pointers(uv, &ptrs, &n);
	if (ret)
		return ret;
	ret = -ENOMEM;
	v = lbx_plat_alloc_large((n + 1) * sizeof(*v));
	scratch = lbx_plat_alloc_large(LX_ARG_STRLEN_MAX);
	if (!v || !scratch)
		goto err;
	for (i = 0; i < n; i++) {
		long len = lbx_strncpy_from_guest(scratch, ptrs[i], LX_ARG_STRLEN_MAX);

		if (len < 0) {
			ret = len == -ENAMETOOLONG ? -E2BIG : (int)len;
			goto err;
		}
		bytes += len + 1;
		ret = -E2BIG;
		if (bytes > *budget)
			goto err;
		ret = -ENOMEM;
		v[i] = lbx_plat_alloc(len + 1);
		if (!v[i])
			goto err;
		memcpy(v[i], scratch, len + 1);
	}
	*budget -= bytes;
	*out = v;
	v = NULL;
	ret = 0;
err:
	lbx_linux_free_strv(v);
	lbx_plat_free_large(scratch);
	lbx_plat_free_large(ptrs);
	return ret;
}
