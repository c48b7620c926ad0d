// SPDX-License-Identifier: GPL-2.0
/*
 * The network part of the platform contract in userland: no timer thread
 * (lbx-run's guest threads own the process); core runs lwIP's timers on the
 * way through socket calls and from its bounded waits.
 */
#include <litebox/platform.h>

bool lbx_plat_net_timer_arm(u64 deadline_ns)
{
	return false;
}
