/* SPDX-License-Identifier: GPL-2.0 */
/* Byte accounting against a sandbox limit (file-system memory). */
#ifndef LITEBOX_MEMACCT_H
#define LITEBOX_MEMACCT_H

#include <litebox/core.h>

struct lbx_memacct {
	struct lbx_plat_spinlock lock;
	u64 used;
	u64 limit;
	u64 peak;
};

void lbx_memacct_init(struct lbx_memacct *a, u64 limit);
/* Charges n bytes; -ENOSPC (and nothing charged) beyond the limit. */
int lbx_memacct_charge(struct lbx_memacct *a, u64 n);
void lbx_memacct_uncharge(struct lbx_memacct *a, u64 n);
u64 lbx_memacct_used(struct lbx_memacct *a);

#endif
