// SPDX-License-Identifier: GPL-2.0
#include <litebox/memacct.h>

void lbx_memacct_init(struct lbx_memacct *a, u64 limit)
{
	lbx_plat_spin_init(&a->lock);
	a->used = 0;
	a->peak = 0;
	a->limit = limit;
}

int lbx_memacct_charge(struct lbx_memacct *a, u64 n)
{
	u64 sum;
	int ret = 0;

	lbx_plat_spin_lock(&a->lock);
	if (lbx_add_overflow(a->used, n, &sum) || sum > a->limit) {
		ret = -ENOSPC;
	} else {
		a->used = sum;
		if (sum > a->peak)
			a->peak = sum;
	}
	lbx_plat_spin_unlock(&a->lock);
	if (ret)
		lbx_plat_trace_limit(LBX_LIMIT_FS_MEM, a->limit);
	return ret;
}

void lbx_memacct_uncharge(struct lbx_memacct *a, u64 n)
{
	lbx_plat_spin_lock(&a->lock);
	a->used = n > a->used ? 0 : a->used - n;
	lbx_plat_spin_unlock(&a->lock);
}

u64 lbx_memacct_used(struct lbx_memacct *a)
{
	u64 v;

	lbx_plat_spin_lock(&a->lock);
	v = a->used;
	lbx_plat_spin_unlock(&a->lock);
	return v;
}
