/* SPDX-License-Identifier: GPL-2.0 */
/* <stdlib.h> for lwIP's sources where there is no C library: netif.c's
 * atoi(), from core/net/lwip_port.c. */
#ifndef LBX_LWIP_COMPAT_STDLIB_H
#define LBX_LWIP_COMPAT_STDLIB_H
#define atoi(s) lbx_lwip_atoi(s)
#endif
