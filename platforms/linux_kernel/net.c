// SPDX-License-Identifier: GPL-2.0
/*
 * The network part of the platform contract in litebox.ko: lwIP's timers
 * run from a delayed work on LiteBox's workqueue (process context, so core
 * may take its sleeping lwIP lock there).
 */
#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include <litebox/platform.h>
#include <litebox/inet.h>

#include "kplat.h"
#include "sandbox.h"

static bool lbx_net_stopping;

static void lbx_net_timer_fn(struct work_struct *work)
{
	lbx_inet_poll();
}

static DECLARE_DELAYED_WORK(lbx_net_dwork, lbx_net_timer_fn);

bool lbx_plat_net_timer_arm(u64 deadline_ns)
{
	u64 now = lbx_plat_now_mono();
	unsigned long delay;

	if (READ_ONCE(lbx_net_stopping))
		return true;
	/* No workqueue yet: the module's init has not run (KUnit runs
	 * litebox_kunit.ko's suites first). Core then runs lwIP's timers on
	 * its way through socket calls and waits. */
	if (!READ_ONCE(lbx_wq))
		return false;
	delay = deadline_ns > now ? nsecs_to_jiffies(deadline_ns - now) : 0;
	mod_delayed_work(lbx_wq, &lbx_net_dwork, delay);
	return true;
}

void lbx_kplat_net_exit(void)
{
	WRITE_ONCE(lbx_net_stopping, true);
	cancel_delayed_work_sync(&lbx_net_dwork);
}
