/* SPDX-License-Identifier: GPL-2.0 */
/* Reference counts: saturating, with the kernel refcount_t's ordering. */
#ifndef LITEBOX_REFCOUNT_H
#define LITEBOX_REFCOUNT_H

#include <litebox/plat_types.h>

#define LBX_REF_SATURATED 0xc0000000U

static inline void lbx_ref_init(u32 *r)
{
	__atomic_store_n(r, 1, __ATOMIC_RELAXED);
}

static inline void lbx_ref_get(u32 *r)
{
	u32 old = __atomic_fetch_add(r, 1, __ATOMIC_RELAXED);

	/* Never wrap: a saturated object leaks instead of being freed early. */
	if (old == 0 || old >= LBX_REF_SATURATED)
		__atomic_store_n(r, LBX_REF_SATURATED, __ATOMIC_RELAXED);
}

/* Returns true when the last reference was dropped. */
static inline bool lbx_ref_put(u32 *r)
{
	u32 old = __atomic_fetch_sub(r, 1, __ATOMIC_RELEASE);

	if (old >= LBX_REF_SATURATED) {
		__atomic_store_n(r, LBX_REF_SATURATED, __ATOMIC_RELAXED);
		return false;
	}
	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

#endif
