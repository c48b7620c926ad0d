/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_KMOD_DEVICE_H
#define LBX_KMOD_DEVICE_H

#include <linux/litebox.h>

int lbx_device_init(void);
void lbx_device_exit(void);

#endif
