// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-run: run a Linux program on LiteBox's userland platform. The same
 * stub, loader, shim and core as lbx-launch, in one host process: the stub
 * calls the core directly instead of issuing an ioctl (DESIGN.md 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <litebox/cred.h>
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
		lbx_msg(&o, "--net is not supported in userland mode (use lbx-launch)");
		return LBX_EXIT_USAGE;
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
	lbx_run_entry_init();
	tls = lbx_stub_thread_init();
	if (!tls || lbx_stub_install()) {
		lbx_msg(&o, "cannot install the stub: %s", strerror(errno));
		return LBX_EXIT_SETUP;
	}
	tls->host_fs = lbx_run_read_fs();
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
	ret = lbx_run_install_filter((uintptr_t)__executable_start, (uintptr_t)etext);
	if (ret) {
		lbx_msg(&o, "cannot install the seccomp filter: %s", strerror(-ret));
		return LBX_EXIT_SETUP;
	}
	lbx_stub_enter_guest((const struct lbx_regs *)&regs, res.flags);
}
