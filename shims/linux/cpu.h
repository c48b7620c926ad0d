/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_SHIM_CPU_H
#define LBX_SHIM_CPU_H

#include <litebox/core.h>

u64 lbx_cpu_hwcap(void);
u64 lbx_cpu_minsigstksz(void);

#endif
