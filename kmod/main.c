// SPDX-License-Identifier: GPL-2.0
/*
 * litebox.ko: a library OS in the kernel. Guests' system calls are served
 * by LiteBox's own core through /dev/litebox (see DESIGN.md).
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include <litebox/inet.h>
#include <litebox/rewrite.h>

#include "device.h"
#include "kplat.h"
#include "diag.h"
#include "sandbox.h"

struct workqueue_struct *lbx_wq;

static unsigned int rewrite_cache_mb = 32;
module_param(rewrite_cache_mb, uint, 0444);
MODULE_PARM_DESC(rewrite_cache_mb,
		 "MiB of scanned code whose rewrite plans sandboxes of the same host user share (0: none)");

struct lbx_rw_shared *lbx_rw_shared_global;

static int __init lbx_mod_init(void)
{
	int ret;

	if (rewrite_cache_mb > 1024)
		rewrite_cache_mb = 1024;
	lbx_wq = alloc_workqueue("litebox", WQ_UNBOUND, 0);
	if (!lbx_wq)
		return -ENOMEM;
	if (rewrite_cache_mb) {
		ret = lbx_rw_shared_create((size_t)rewrite_cache_mb << 20, &lbx_rw_shared_global);
		if (ret)
			goto err_rw;
	}
	lbx_diag_init();
	ret = lbx_device_init();
	if (ret)
		goto err_device;
	pr_info("litebox: loaded, ABI %u.%u\n", LBX_ABI_MAJOR, LBX_ABI_MINOR);
	return 0;

err_device:
	lbx_diag_exit();
	lbx_rw_shared_destroy(lbx_rw_shared_global);
	lbx_rw_shared_global = NULL;
err_rw:
	destroy_workqueue(lbx_wq);
	return ret;
}

static void __exit lbx_mod_exit(void)
{
	lbx_device_exit();
	/* No sandbox, so no socket, is left: stop lwIP's timer, then free
	 * what it still holds (closing connections, TIME_WAIT). */
	lbx_kplat_net_exit();
	lbx_inet_exit();
	lbx_diag_exit();
	lbx_rw_shared_destroy(lbx_rw_shared_global);
	lbx_rw_shared_global = NULL;
	destroy_workqueue(lbx_wq);
}

module_init(lbx_mod_init);
module_exit(lbx_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LiteBox: a security-focused library OS serving guest system calls in the kernel");
MODULE_AUTHOR("The LiteBox developers");
