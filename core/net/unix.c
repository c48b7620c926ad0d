// SPDX-License-Identifier: GPL-2.0
/* AF_UNIX sockets (placeholder until the implementation lands). */
#include <litebox/net.h>

static int unix_create(struct lbx_vfs *vfs, int type, int protocol, u32 fflags,
		       struct lbx_file **out)
{
	return -ESOCKTNOSUPPORT;
}

const struct lbx_net_family lbx_unix_family = {
	.family = LX_AF_UNIX,
	.create = unix_create,
};
