/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's hooks (LWIP_HOOK_FILENAME), implemented in core/net/inet.c.
 */
#ifndef LBX_LWIP_HOOKS_H
#define LBX_LWIP_HOOKS_H

#include "lwip/err.h"

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

/* Every TCP segment for a known pcb, header in host order: a SYN to
 * another sandbox's listener is refused (RST) as if nobody listened. */
err_t lbx_inet_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
			    struct pbuf *p);

#endif
