// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-run: run a Linux program on LiteBox's userland platform. The same
 * stub, loader, shim and core as lbx-launch, in one host process: the stub
 * calls the core directly instead of issuing an ioctl (DESIGN.md 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <litebox/cred.h>
#include <litebox/inet.h>
#include <litebox/net.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include "image.h"
#include "linux_shim.h"
#include "options.h"
#include "run.h"
#include "stub.h"
#include "user.h"
#include "userland.h"

extern char __executable_start[];
extern char etext[];

/* --net tun=NAME,...: attaches to the host's TUN device before anything
 * else is set up (a usage error is status 2). */
static int open_tun(const struct lbx_opts *o)
{
	int ret = lbx_userland_tun_open(o->net.tun);

	switch (ret) {
	case 0:
		return 0;
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		lbx_msg(o, "--net %s: no /dev/net/tun on this host (is the tun module loaded?)",
			o->net.arg);
		break;
	case -EPERM:
	case -EACCES:
		lbx_msg(o, "--net %s: not permitted to use TUN device %s (create it with "
			"'ip tuntap add dev %s mode tun user $USER', or run with CAP_NET_ADMIN)",
			o->net.arg, o->net.tun, o->net.tun);
		break;
	case -EBUSY:
		lbx_msg(o, "--net %s: TUN device %s is in use by another process",
			o->net.arg, o->net.tun);
		break;
	case -EINVAL:
		lbx_msg(o, "--net %s: %s exists and is not a TUN device (IFF_TUN, no packet information)",
			o->net.arg, o->net.tun);
		break;
	default:
		lbx_msg(o, "--net %s: cannot attach TUN device %s: %s", o->net.arg,
			o->net.tun, strerror(-ret));
		return LBX_EXIT_SETUP;
	}
	return LBX_EXIT_USAGE;
}

/* Gives the sandbox its interface behind the TUN device. */
static int start_tun(const struct lbx_opts *o, u32 owner)
{
	struct lbx_inet_if_config cfg = {
		.family = o->net.family == AF_INET6 ? LX_AF_INET6 : LX_AF_INET,
		.prefix = o->net.prefix,
		.mtu = o->net.mtu,
	};
	int ret;

	memcpy(cfg.addr, o->net.addr, 16);
	memcpy(cfg.gw, o->net.gw, 16);
	ret = lbx_userland_tun_start(owner, &cfg);
	if (ret) {
		lbx_msg(o, "--net %s: cannot start the network device: %s", o->net.arg,
			strerror(-ret));
		lbx_userland_tun_close();
		return LBX_EXIT_SETUP;
	}
	lbx_verbose(o, "network device %s (guest address %s)", o->net.tun, o->net.arg);
	return 0;
}

int main(int argc, char **argv)
{
	struct lbx_cred cred, *credp = NULL;
	struct lbx_limits limits = { 0 };
	struct lbx_stub_tls *tls;
	struct lbx_cpu_regs regs;
	struct lbx_resume res;
	struct lbx_images img;
	struct lbx_sandbox *sb;
	struct lbx_thread *t;
	struct lbx_opts o;
	char **env;
	int ret;

	bool sse_libc = lbx_run_sse_libc(argv);

	lbx_opts_parse(&o, "lbx-run", argc, argv);
	if (o.net.arg) {
		ret = open_tun(&o);
		if (ret)
			return ret;
	}
	if (o.verbose)
		lbx_userland_log_level = o.verbose > 1 ? LBX_LOG_DEBUG : LBX_LOG_INFO;
	ret = lbx_images_build(&o, &img);
	if (ret)
		return ret;
	if (o.user) {
		struct lbx_user user;

		ret = lbx_user_resolve(&o, &img, &user);
		if (ret)
			return ret;
		if (lbx_cred_init(&cred, user.uid, user.gid, user.groups, user.ngroups)) {
			lbx_msg(&o, "invalid --user '%s'", o.user);
			return LBX_EXIT_SETUP;
		}
		credp = &cred;
	}
	env = lbx_opts_environ(&o);
	if (!env) {
		lbx_msg(&o, "out of memory");
		return LBX_EXIT_SETUP;
	}
	limits.fs_mem = o.mem_limit;
	limits.max_procs = o.max_procs;
	limits.max_fds = o.max_fds;
	ret = lbx_sandbox_create(&limits, NULL, &sb);
	if (!ret)
		ret = lbx_vfs_create(&sb->vfs, sb, img.lower, img.lower_len,
				     img.upper, img.upper_len, &sb->fs_mem);
	if (ret) {
		if (ret == -ENOSPC)
			lbx_msg(&o, "the files added do not fit in --mem-limit");
		else
			lbx_msg(&o, "cannot create the sandbox: %s%s", strerror(-ret),
				ret == -EINVAL ? " (malformed root image)" : "");
		return LBX_EXIT_SETUP;
	}
	if (o.net.arg) {
		ret = start_tun(&o, sb->id);
		if (ret)
			return ret;
	}
	lbx_run_entry_init();
	tls = lbx_stub_thread_init();
	if (!tls || lbx_stub_install()) {
		lbx_msg(&o, "cannot install the stub: %s", strerror(errno));
		return LBX_EXIT_SETUP;
	}
	ret = lbx_run_set_gs(tls);
	if (ret) {
		lbx_msg(&o, "cannot set the stub's GS base: %s", strerror(-ret));
		return LBX_EXIT_SETUP;
	}
	tls->host_fs = lbx_run_read_fs();
	lbx_run_threads_init();
	/* The stub's SIGSEGV/SIGBUS handler now fixes up faulting guest copies. */
	lbx_userland_fast_copy = true;
	if (!o.no_rewrite) {
		ret = lbx_run_direct_init(tls, sse_libc);
		if (ret)
			lbx_verbose(&o, "no direct entry (%s): every syscall traps", strerror(-ret));
		else if (!sse_libc)
			lbx_verbose(&o, "the direct entry saves the whole extended state (slower)");
		else
			sb->direct_entry = (uintptr_t)lbx_stub_direct;
	}
	lbx_verbose(&o, "starting %s", img.program);
	ret = lbx_linux_start(sb, NULL, img.program, (const char *const *)o.argv,
			      (const char *const *)env, o.cwd ? o.cwd : "/",
			      credp, &regs, &res, &t);
	if (ret)
		return lbx_exec_error(&o, img.program, -ret);
	tls->thread = t;
	lbx_userland_thread_adopt(t);
	ret = lbx_run_install_filter((uintptr_t)__executable_start, (uintptr_t)etext);
	if (ret) {
		lbx_msg(&o, "cannot install the seccomp filter: %s", strerror(-ret));
		return LBX_EXIT_SETUP;
	}
	lbx_stub_enter_guest((const struct lbx_regs *)&regs, res.flags);
}
