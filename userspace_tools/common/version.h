/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_VERSION_H
#define LBX_VERSION_H

#include <linux/litebox.h>

#define LBX_VERSION "0.1.0"

#endif
