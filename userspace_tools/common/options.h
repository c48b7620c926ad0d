/* SPDX-License-Identifier: GPL-2.0 */
/* The command line shared by lbx-launch (kernel mode) and lbx-run (userland). */
#ifndef LBX_OPTIONS_H
#define LBX_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct lbx_add {
	const char *host;
	const char *guest;
};

/* --net [tun=NAME,]ADDR/PREFIX[,gw=ADDR][,mtu=N] (lbx_net_config's fields;
 * tun= for lbx-run only). */
struct lbx_net_opt {
	const char *arg;		/* as given; NULL: no --net */
	char tun[16];			/* host TUN device (IFNAMSIZ); "": none */
	int family;			/* AF_INET, AF_INET6 */
	unsigned int prefix;
	unsigned int mtu;		/* 0: default */
	unsigned char addr[16];
	unsigned char gw[16];		/* all zero: none */
};

struct lbx_opts {
	const char *tool;		/* "lbx-launch" or "lbx-run" */
	const char *rootfs;		/* --rootfs TAR */
	struct lbx_add *adds;		/* --add HOST[:GUEST] */
	size_t nadds;
	const char **env;		/* --env K=V */
	size_t nenv;
	bool clear_env;
	const char *cwd;
	unsigned long long mem_limit;
	unsigned int max_procs;
	unsigned int max_fds;
	bool no_rewrite;		/* --no-rewrite */
	bool copy_image;		/* --copy-image (lbx-launch) */
	bool no_cache;			/* --no-cache (lbx-launch) */
	struct lbx_net_opt net;		/* --net */
	const char *user;		/* --user UID[:GID]; NULL: root */
	int verbose;
	int argc;			/* PROGRAM [ARGS...] */
	char **argv;
};

/* Parses argv; prints help/version and exits, or exits 2 on a usage error. */
void lbx_opts_parse(struct lbx_opts *o, const char *tool, int argc, char **argv);
void lbx_opts_free(struct lbx_opts *o);

/* Builds the guest environment: the host's (unless --clear-env) plus --env. */
char **lbx_opts_environ(const struct lbx_opts *o);

/* Messages: "tool: message" on stderr. */
void lbx_msg(const struct lbx_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lbx_verbose(const struct lbx_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reports why PROGRAM could not start (err: a positive errno) and returns
 * the tool's exit status for it. */
int lbx_exec_error(const struct lbx_opts *o, const char *prog, int err);

/* Exit statuses of the tools themselves (the guest's own go through). */
#define LBX_EXIT_USAGE		2
#define LBX_EXIT_SETUP		125	/* LiteBox could not start the guest */
#define LBX_EXIT_NOEXEC		126	/* the program exists but cannot run */
#define LBX_EXIT_NOENT		127	/* the program was not found */

#endif
