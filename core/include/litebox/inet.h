/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_INET / AF_INET6 over lwIP (core/net/inet.c): the stack's life cycle.
 * The sockets themselves are reached through the socket layer
 * (litebox/net.h, lbx_net_inet_family()).
 */
#ifndef LITEBOX_INET_H
#define LITEBOX_INET_H

/* Brings the stack up now (it also comes up with the first socket). */
void lbx_inet_init(void);
/* Delivers queued loopback traffic and runs lwIP's due timers. */
void lbx_inet_poll(void);
/* At program (module) exit, after the last socket file: frees what lwIP
 * still holds (closing connections, TIME_WAIT). */
void lbx_inet_exit(void);

#endif
