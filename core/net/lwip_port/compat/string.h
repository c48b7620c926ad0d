/* SPDX-License-Identifier: GPL-2.0 */
/* <string.h> for lwIP's sources where there is no C library (the kernel,
 * freestanding builds): core's string functions. */
#ifndef LBX_LWIP_COMPAT_STRING_H
#define LBX_LWIP_COMPAT_STRING_H
#include <litebox/string.h>
#endif
