// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-launch: run a Linux program in a LiteBox sandbox served by litebox.ko.
 *
 * The launcher builds the sandbox's images, creates the sandbox, asks the
 * kernel to load the program into this very process, drops every host fd but
 * the sandbox fd, installs the seccomp filter and jumps to the guest. From
 * then on this process is the guest; its exit status is the guest's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image.h"
#include "launch.h"
#include "options.h"
#include "stub.h"
#include "user.h"

#define LBX_DEV "/dev/litebox"

/* The VM tests build a copy of lbx-launch that claims another ABI major, to
 * check the mismatch message against the real module. */
#ifdef LBX_TEST_ABI_MAJOR
#undef LBX_ABI_MAJOR
#define LBX_ABI_MAJOR LBX_TEST_ABI_MAJOR
#endif

static int open_device(struct lbx_opts *o)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd;

	fd = open(LBX_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			lbx_msg(o, "%s does not exist: is litebox.ko loaded? (insmod litebox.ko)", LBX_DEV);
		else
			lbx_msg(o, "cannot open %s: %s", LBX_DEV, strerror(errno));
		return -1;
	}
	if (ioctl(fd, LBX_IOC_VERSION, &v)) {
		lbx_msg(o, "%s does not answer the version query: %s (is it LiteBox's?)",
			LBX_DEV, strerror(errno));
		close(fd);
		return -1;
	}
	if (v.abi_version >> 16 != LBX_ABI_MAJOR) {
		lbx_msg(o, "ABI mismatch: litebox.ko speaks %u.%u, this lbx-launch %u.%u; "
			"use the lbx-launch built with the module",
			v.abi_version >> 16, v.abi_version & 0xffff, LBX_ABI_MAJOR, LBX_ABI_MINOR);
		close(fd);
		return -1;
	}
	lbx_verbose(o, "litebox.ko ABI %u.%u", v.abi_version >> 16, v.abi_version & 0xffff);
	if (o->net.arg && !(v.features & LBX_FEATURE_NETDEV)) {
		lbx_msg(o, "--net: litebox.ko %u.%u has no network devices (ABI 1.2 has)",
			v.abi_version >> 16, v.abi_version & 0xffff);
		close(fd);
		return -1;
	}
	if (o->user && !(v.features & LBX_FEATURE_CRED)) {
		lbx_msg(o, "--user: litebox.ko %u.%u cannot set the guest's identity (ABI 1.3 can)",
			v.abi_version >> 16, v.abi_version & 0xffff);
		close(fd);
		return -1;
	}
	if (!(v.features & LBX_FEATURE_LOWER_FD) && !o->copy_image) {
		lbx_verbose(o, "litebox.ko takes no image file: the root image is copied");
		o->copy_image = true;
	}
	if (!(v.features & LBX_FEATURE_DIRECT) && !o->no_rewrite) {
		lbx_verbose(o, "litebox.ko has no direct entry: syscall sites are not rewritten");
		o->no_rewrite = true;
	}
	return fd;
}

/*
 * A built image bigger than this is copied into the kernel rather than
 * written into a memfd. Under qemu's instruction count (bench/README.md,
 * 2026-11-22, session 5), a memfd costs about 13.5k instructions a page
 * to fill, take and free (shmem's page cache), a copy 12.6k a page at
 * 1 MiB and 9.2k at 32 MiB (vmalloc's bulk allocation); the memfd wins
 * back about 8k a page of program text the loader maps instead of
 * copying. A static program's root (under 1 MiB, mostly the program)
 * gains; python3's (its standard library: tens of MiB, little of it
 * text) lost 8% of its start.
 */
#define LBX_MEMFD_MAX	(4UL << 20)

/*
 * The root image as a file litebox.ko maps from instead of copying (ABI
 * 1.4): the --rootfs file itself or the image cache's tar (the kernel
 * denies writes to it while a sandbox holds it; sandboxes of one file
 * share its page cache), else a memfd holding the built image, sealed so
 * that it can never change. -1: hand over the buffer.
 */
static int lower_file(const struct lbx_opts *o, const struct lbx_images *img)
{
	const unsigned int seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
	size_t done = 0;
	int fd;

	if (o->copy_image || !img->lower_len)
		return -1;
	if (o->rootfs)
		return open(o->rootfs, O_RDONLY | O_CLOEXEC);
	if (img->lower_fd >= 0)
		return fcntl(img->lower_fd, F_DUPFD_CLOEXEC, 0);
	if (img->lower_len > LBX_MEMFD_MAX) {
		lbx_verbose(o, "the root image is over %lu MiB: copied, not written to a memfd",
			    LBX_MEMFD_MAX >> 20);
		return -1;
	}
	fd = memfd_create("lbx-root", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	while (done < img->lower_len) {
		ssize_t n = write(fd, (const char *)img->lower + done, img->lower_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto err;
		done += n;
	}
	if (fcntl(fd, F_ADD_SEALS, seals))
		goto err;
	return fd;
err:
	lbx_verbose(o, "cannot build the image file (%s): the root image is copied",
		    strerror(errno));
	close(fd);
	return -1;
}

static int create_sandbox(const struct lbx_opts *o, int dev, const struct lbx_images *img)
{
	struct lbx_sandbox_create c = {
		.size = sizeof(c),
		.lower_ptr = (uintptr_t)img->lower,
		.lower_len = img->lower_len,
		.upper_ptr = (uintptr_t)img->upper,
		.upper_len = img->upper_len,
		.mem_limit = o->mem_limit,
		.max_procs = o->max_procs,
		.max_fds = o->max_fds,
		.stdio_fd = { 0, 1, 2 },
	};
	int i, sb, lower;

	if (o->net.arg) {
		c.net.flags = LBX_NET_DEVICE;
		c.net.family = o->net.family;
		c.net.prefix = o->net.prefix;
		c.net.mtu = o->net.mtu;
		memcpy(c.net.addr, o->net.addr, 16);
		memcpy(c.net.gw, o->net.gw, 16);
	}
	/* A closed stdio fd is no console. */
	for (i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			c.stdio_fd[i] = -1;
	lower = lower_file(o, img);
	if (lower >= 0) {
		c.flags |= LBX_SANDBOX_LOWER_FD;
		c.lower_fd = lower;
		c.lower_ptr = 0;
		c.lower_len = 0;
	}
	sb = ioctl(dev, LBX_IOC_SANDBOX_CREATE, &c);
	if (sb < 0 && lower >= 0 && (errno == ETXTBSY || errno == EACCES)) {
		/* Someone has the file open for writing, or it is not ours to
		 * keep from its writers: copy it. */
		lbx_verbose(o, "%s %s: the root image is copied",
			    o->rootfs ? o->rootfs : "the cached root image",
			    errno == ETXTBSY ? "is open for writing" :
			    "is neither ours nor writable by us");
		c.flags &= ~LBX_SANDBOX_LOWER_FD;
		c.lower_fd = 0;
		c.lower_ptr = (uintptr_t)img->lower;
		c.lower_len = img->lower_len;
		sb = ioctl(dev, LBX_IOC_SANDBOX_CREATE, &c);
	}
	if (lower >= 0) {
		int e = errno;

		close(lower);
		errno = e;
	}
	if (sb < 0) {
		int e = errno;

		if (o->net.arg && e == EPERM)
			lbx_msg(o, "--net %s: creating a network device needs CAP_NET_ADMIN",
				o->net.arg);
		else if (o->net.arg && e == EADDRINUSE)
			lbx_msg(o, "--net %s: another sandbox has that address", o->net.arg);
		else if (e == EINVAL || e == ENOENT || e == ENAMETOOLONG || e == EEXIST)
			lbx_msg(o, "the root image is malformed: %s (the kernel log names the entry)",
				strerror(e));
		else if (e == ENOSPC)
			lbx_msg(o, "the files added do not fit in --mem-limit: %s", strerror(e));
		else
			lbx_msg(o, "cannot create the sandbox: %s", strerror(e));
		return -1;
	}
	if (o->net.arg) {
		struct lbx_net_info ni = { .size = sizeof(ni) };

		if (ioctl(sb, LBX_IOC_NET_INFO, &ni) == 0)
			lbx_verbose(o, "network device %s (guest address %s)", ni.ifname,
				    o->net.arg);
	}
	return sb;
}

/* Moves fd to LBX_SANDBOX_FD. */
static int place_sandbox_fd(int sb)
{
	if (sb == LBX_SANDBOX_FD)
		return fcntl(sb, F_SETFD, 0) ? -1 : 0;
	if (dup2(sb, LBX_SANDBOX_FD) < 0)
		return -1;
	close(sb);
	return 0;
}

int main(int argc, char **argv)
{
	struct lbx_exec ex = { .size = sizeof(ex) };
	struct lbx_images img;
	struct lbx_user user;
	struct lbx_opts o;
	char **env;
	int dev, sb, ret;

	lbx_opts_parse(&o, "lbx-launch", argc, argv);
	ret = lbx_images_build(&o, &img);
	if (ret)
		return ret;
	if (o.user) {
		ret = lbx_user_resolve(&o, &img, &user);
		if (ret)
			return ret;
		ex.cred.flags = LBX_CRED_SET;
		ex.cred.uid = user.uid;
		ex.cred.gid = user.gid;
		ex.cred.ngroups = user.ngroups;
		ex.cred.groups_ptr = user.ngroups ? (uintptr_t)user.groups : 0;
	}
	env = lbx_opts_environ(&o);
	if (!env) {
		lbx_msg(&o, "out of memory");
		return LBX_EXIT_SETUP;
	}
	dev = open_device(&o);
	if (dev < 0)
		return LBX_EXIT_SETUP;
	sb = create_sandbox(&o, dev, &img);
	close(dev);
	/* The images now live in the kernel: out of the guest's way. */
	lbx_images_unmap(&img);
	if (sb < 0)
		return LBX_EXIT_SETUP;
	if (place_sandbox_fd(sb)) {
		lbx_msg(&o, "cannot place the sandbox fd: %s", strerror(errno));
		return LBX_EXIT_SETUP;
	}
	if (!lbx_stub_thread_init() || lbx_stub_install()) {
		lbx_msg(&o, "cannot install the stub: %s", strerror(errno));
		return LBX_EXIT_SETUP;
	}
	ex.path_ptr = (uintptr_t)img.program;
	ex.argv_ptr = (uintptr_t)o.argv;
	ex.envp_ptr = (uintptr_t)env;
	ex.cwd_ptr = (uintptr_t)o.cwd;
	ex.stub_entry = o.no_rewrite ? 0 : (uintptr_t)lbx_stub_direct;
	lbx_stub_direct_ioctl = 1;
	lbx_verbose(&o, "starting %s", img.program);
	if (ioctl(LBX_SANDBOX_FD, LBX_IOC_EXEC, &ex))
		return lbx_exec_error(&o, img.program, errno);
	lbx_images_free(&img);

	/* Point of no return: nothing below may print or fail softly. */
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	if (syscall(SYS_close_range, 0, LBX_SANDBOX_FD - 1, 0) ||
	    syscall(SYS_close_range, LBX_SANDBOX_FD + 1, ~0U, 0))
		_exit(LBX_EXIT_SETUP);
	if (lbx_install_filter())
		_exit(LBX_EXIT_SETUP);
	lbx_stub_enter_guest(&ex.regs, ex.resume_flags);
}
