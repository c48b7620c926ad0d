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
struct netif;
struct ip4_addr;
struct ip6_addr;

/* Every TCP segment for a known pcb, header in host order: a SYN to
 * another sandbox's listener is refused (RST) as if nobody listened. */
err_t lbx_inet_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
			    struct pbuf *p);

/* Routing (lwIP's own skips sandbox interfaces, which have no link): the
 * sandbox interface of the source address, or of the calling guest's
 * sandbox when the source is "any"; NULL for lwIP's own choice. */
struct netif *lbx_inet_route4(const struct ip4_addr *src,
			      const struct ip4_addr *dest);
struct netif *lbx_inet_route6(const struct ip6_addr *src,
			      const struct ip6_addr *dest);

#endif
