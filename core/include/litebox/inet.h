/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_INET / AF_INET6 over lwIP (core/net/inet.c): the stack's life cycle.
 * The sockets themselves are reached through the socket layer
 * (litebox/net.h, lbx_net_inet_family()).
 */
#ifndef LITEBOX_INET_H
#define LITEBOX_INET_H

#include <litebox/core.h>

/* Brings the stack up now (it also comes up with the first socket). */
void lbx_inet_init(void);
/* Delivers queued loopback traffic and runs lwIP's due timers. */
void lbx_inet_poll(void);
/* At program (module) exit, after the last socket file: frees what lwIP
 * still holds (closing connections, TIME_WAIT). */
void lbx_inet_exit(void);

/* The shared stack's TCP connections right now (diagnostics). */
struct lbx_inet_counts {
	u32 tcp_active;		/* connected, connecting or closing */
	u32 tcp_time_wait;	/* at most LBX_INET_MAX_TIME_WAIT */
	u32 tcp_listen;
};
#define LBX_INET_MAX_TIME_WAIT	1024
void lbx_inet_counts(struct lbx_inet_counts *c);

/*
 * A sandbox's network interface: the far end of the platform's device
 * (litebox.ko's lbx<N>). IP packets come in through lbx_inet_if_input() and
 * leave through the platform's ops. Only the owning sandbox's sockets see
 * what arrives on it, and its sockets' traffic to non-loopback destinations
 * leaves through it alone (core/net/README.md).
 */
struct lbx_inet_if;

struct lbx_inet_if_config {
	u8 family;		/* LX_AF_INET or LX_AF_INET6 */
	u8 prefix;
	u16 mtu;
	u8 addr[16];		/* network order */
	u8 gw[16];		/* all zero: none (only the prefix is reachable) */
};

struct lbx_inet_if_ops {
	/* Called with the stack's lock held, in process context (may sleep
	 * for memory): room for an outgoing packet of len bytes, or NULL
	 * (dropped); *token is passed to send. */
	void *(*tx_alloc)(void *ctx, u32 len, void **token);
	/* Sends the packet tx_alloc made room for (now filled in). */
	void (*tx_send)(void *ctx, void *token);
};

/* Adds owner's interface (one per sandbox): 0, -EEXIST, -ENOSPC, -ENOMEM. */
int lbx_inet_if_add(u32 owner, const struct lbx_inet_if_config *cfg,
		    const struct lbx_inet_if_ops *ops, void *ctx,
		    struct lbx_inet_if **out);
/* A packet from the platform (process context; takes the stack's lock). */
void lbx_inet_if_input(struct lbx_inet_if *ifp, const void *pkt, u32 len);
/* Whether TCP connections on the interface still have data or a FIN to
 * deliver (or unacknowledged): a platform that ends with its sandbox
 * waits for them (bounded) before it detaches the interface, which resets
 * what is left. */
bool lbx_inet_if_sending(struct lbx_inet_if *ifp);
/* Takes the interface out of the stack: no ops are called once it returns
 * and later input is dropped. Then, with no input call left running,
 * lbx_inet_if_free(). */
void lbx_inet_if_detach(struct lbx_inet_if *ifp);
void lbx_inet_if_free(struct lbx_inet_if *ifp);

#endif
