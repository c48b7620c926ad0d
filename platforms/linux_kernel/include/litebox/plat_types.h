/* SPDX-License-Identifier: GPL-2.0 */
/* Types for core/ when it is built into litebox.ko. */
#ifndef LITEBOX_PLAT_TYPES_H
#define LITEBOX_PLAT_TYPES_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/stdarg.h>
#include <linux/string.h>

#define LBX_HOST_STRING 1

#define LBX_PAGE_SIZE 4096UL

struct lbx_plat_mutex {
	struct mutex m;
};

struct lbx_plat_spinlock {
	spinlock_t l;
};

/*
 * Inline at each call site: mutex_init() and spin_lock_init() give every
 * site its own lockdep class, so that nesting a VFS lock inside another kind
 * of core lock is not reported as recursion.
 */
#define lbx_plat_mutex_init(mx) mutex_init(&(mx)->m)
#define lbx_plat_spin_init(sl) spin_lock_init(&(sl)->l)

#endif
