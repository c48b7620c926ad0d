/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's configuration for LiteBox (every platform).
 *
 * NO_SYS with the raw API: lwIP has no threads of its own. Every call into
 * it is made with the one lwIP lock held (core/net/README.md), from process
 * context; its timers run from core/net/inet.c (lbx_inet_timers()), called
 * by the platform's timer where it has one and on the way through every
 * socket call and every bounded wait otherwise.
 *
 * Memory: lwIP's heap and pools are plain allocations from the platform
 * (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC): nothing is reserved up front, and the
 * memory used is bounded by the socket buffers (window and send buffer).
 */
#ifndef LBX_LWIPOPTS_H
#define LBX_LWIPOPTS_H

#define NO_SYS				1
#define SYS_LIGHTWEIGHT_PROT		0
#define LWIP_TIMERS			1
#define LWIP_NETCONN			0
#define LWIP_SOCKET			0
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

/* ---- memory ---- */
void *lbx_lwip_malloc(unsigned long size);
void *lbx_lwip_calloc(unsigned long n, unsigned long size);
void lbx_lwip_free(void *p);
#define MEM_LIBC_MALLOC			1
#define MEMP_MEM_MALLOC			1
#define mem_clib_malloc			lbx_lwip_malloc
#define mem_clib_calloc			lbx_lwip_calloc
#define mem_clib_free			lbx_lwip_free
#define MEM_ALIGNMENT			8
#define MEMP_NUM_TCP_PCB		1024
#define MEMP_NUM_UDP_PCB		1024
#define MEMP_NUM_TCP_PCB_LISTEN		256
#define MEMP_NUM_TCP_SEG		4096
#define MEMP_NUM_PBUF			1024
#define PBUF_POOL_SIZE			64
#define MEMP_NUM_SYS_TIMEOUT		16

/* ---- protocols ---- */
#define LWIP_IPV4			1
#define LWIP_IPV6			1
#define LWIP_ARP			0
#define LWIP_ETHERNET			0
#define LWIP_ICMP			1
#define LWIP_RAW			0
#define LWIP_UDP			1
#define LWIP_TCP			1
#define LWIP_DHCP			0
#define LWIP_AUTOIP			0
#define LWIP_IGMP			0
#define LWIP_DNS			0
#define LWIP_IPV6_MLD			0
#define LWIP_IPV6_AUTOCONFIG		0
#define LWIP_IPV6_DHCP6			0
#define LWIP_IPV6_SEND_ROUTER_SOLICIT	0
#define LWIP_ND6_QUEUEING		0
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS	0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define LWIP_IPV6_FRAG			1
#define LWIP_IPV6_REASS			1
#define IP_DEFAULT_TTL			64
#define LWIP_IPV6_NUM_ADDRESSES		3
#define IPV6_FRAG_COPYHEADER		1

/* ---- TCP ---- */
/* 256 KiB windows and send buffers (a socket's memory bound), in 8 KiB
 * segments: the loopback interface has no MTU. */
#define TCP_MSS				8192
#define LWIP_WND_SCALE			1
#define TCP_RCV_SCALE			3
#define TCP_WND				(32 * TCP_MSS)
#define TCP_SND_BUF			(32 * TCP_MSS)
#define TCP_SND_QUEUELEN		(4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT			(2 * TCP_MSS)
#define TCP_SNDQUEUELOWAT		(TCP_SND_QUEUELEN / 4)
#define TCP_LISTEN_BACKLOG		0	/* inet.c counts its own */
#define TCP_DEFAULT_LISTEN_BACKLOG	128
#define LWIP_TCP_KEEPALIVE		1
#define TCP_QUEUE_OOSEQ			1
/* TIME_WAIT lasts 2 * MSL: 60 s, as Linux. */
#define TCP_MSL				30000UL
#define LWIP_TCP_SACK_OUT		0
#define SO_REUSE			1
#define LWIP_TCP_TIMESTAMPS		0
#define TCP_OVERSIZE			TCP_MSS
#define LWIP_CALLBACK_API		1

/* ---- interfaces ---- */
#define LWIP_HAVE_LOOPIF		1
#define LWIP_NETIF_LOOPBACK		1
#define LWIP_LOOPBACK_MAX_PBUFS		0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_SINGLE_NETIF		0
#define LWIP_NETIF_STATUS_CALLBACK	0
#define LWIP_NETIF_LINK_CALLBACK	0
#define LWIP_CHECKSUM_ON_COPY		0
/* Checksums are made and checked, except on the loopback interface, where
 * traffic never leaves memory (core/net/inet.c turns them off there). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1

/* ---- hooks (core/net/inet.c) ---- */
#define LWIP_HOOK_FILENAME		"lbx_lwip_hooks.h"
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	lbx_inet_tcp_inpacket((pcb), (hdr), (p))
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest)	lbx_inet_route4((src), (dest))
#define LWIP_HOOK_IP6_ROUTE(src, dest)		lbx_inet_route6((src), (dest))

/* ---- diagnostics ---- */
#define LWIP_STATS			0
#define LWIP_DEBUG			0
#define LWIP_NOASSERT_ON_ERROR		0

/* Only what it changes in timeouts.c: the timeout list is reachable
 * (sys_timeouts_get_next_timeout), so module exit can free its entries. */
#define LWIP_TESTMODE			1

#endif
