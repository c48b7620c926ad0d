/* SPDX-License-Identifier: GPL-2.0 */
/* A sandbox's network device lbx<N> (kmod/netdev.c). */
#ifndef LBX_KMOD_NETDEV_H
#define LBX_KMOD_NETDEV_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <linux/litebox.h>

struct lbx_netdev;

/* Validates lbx_sandbox_create.net: 0 or -EINVAL. */
int lbx_netdev_check(const struct lbx_net_config *c);
/* Registers the device for sandbox owner (a validated config with
 * LBX_NET_DEVICE): 0, -EPERM without CAP_NET_ADMIN, -errno. */
int lbx_netdev_create(const struct lbx_net_config *c, u32 owner,
		      struct lbx_netdev **out);
void lbx_netdev_destroy(struct lbx_netdev *nd);
/* LBX_IOC_NET_INFO (nd NULL: the sandbox has none). */
long lbx_netdev_ioctl_info(struct lbx_netdev *nd, void __user *uarg);

#endif
