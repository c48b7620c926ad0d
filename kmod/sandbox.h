/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_KMOD_SANDBOX_H
#define LBX_KMOD_SANDBOX_H

#include <linux/compiler_types.h>

/* LBX_IOC_SANDBOX_CREATE: returns the new sandbox fd or -errno. */
long lbx_sandbox_ioctl_create(void __user *uarg);

#endif
