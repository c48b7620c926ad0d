// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/litebox ioctl contract, one case per rule of docs/uapi.md: sizes,
 * reserved fields, bad pointers, wrong fd types, and a sandbox fd closed by
 * another thread while it is in use. Runs natively in the test VM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/litebox.h>

#include "vmtest.h"

static int dev(void)
{
	int fd = open("/dev/litebox", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open /dev/litebox");
		exit(1);
	}
	return fd;
}

/* A one-file tar image holding an empty directory "d/". */
static char tiny_tar[3 * 512];

static void make_tiny_tar(void)
{
	char *h = tiny_tar;
	unsigned int sum = 0;
	int i;

	memset(tiny_tar, 0, sizeof(tiny_tar));
	strcpy(h, "d/");
	strcpy(h + 100, "0000755");
	strcpy(h + 108, "0000000");
	strcpy(h + 116, "0000000");
	strcpy(h + 124, "00000000000");
	strcpy(h + 136, "00000000000");
	h[156] = '5';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
}

static struct lbx_sandbox_create good_create(void)
{
	struct lbx_sandbox_create c = {
		.size = sizeof(c),
		.lower_ptr = (uintptr_t)tiny_tar,
		.lower_len = sizeof(tiny_tar),
		.stdio_fd = { -1, -1, -1 },
	};

	return c;
}

static void version_ok(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd = dev();

	EXPECT(ioctl(fd, LBX_IOC_VERSION, &v) == 0, "errno %d", errno);
	EXPECT(v.abi_version >> 16 == LBX_ABI_MAJOR, "abi %#x", v.abi_version);
	EXPECT(v.size == sizeof(v), "size written back %u", v.size);
	close(fd);
}

static void version_bad_sizes(void)
{
	struct {
		struct lbx_version v;
		char tail[64];
	} big;
	struct lbx_version v;
	int fd = dev();

	memset(&v, 0, sizeof(v));
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, &v), EINVAL);	/* size 0 */
	v.size = 4;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, &v), EINVAL);
	v.size = 1 << 20;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, &v), EINVAL);
	/* A larger struct from a newer userspace: fine if its tail is zero... */
	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	EXPECT(ioctl(fd, LBX_IOC_VERSION, &big) == 0, "errno %d", errno);
	EXPECT(big.v.size == sizeof(struct lbx_version), "size %u", big.v.size);
	/* ...and refused when the tail holds something we do not know. */
	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.tail[10] = 1;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, &big), EINVAL);
	close(fd);
}

static void version_reserved(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd = dev();

	v.reserved[1] = 1;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, &v), EINVAL);
	close(fd);
}

static void version_bad_pointers(void)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = dev();

	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, NULL), EFAULT);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, (void *)1), EFAULT);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, none), EFAULT);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_VERSION, (void *)0xffff800000000000ULL), EFAULT);
	munmap(none, 4096);
	close(fd);
}

static void unknown_command(void)
{
	int fd = dev();

	EXPECT_ERRNO(ioctl(fd, _IO(LBX_IOC_MAGIC, 0x7f)), ENOTTY);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SYSCALL, NULL), ENOTTY);	/* a sandbox command */
	close(fd);
}

static void create_ok(void)
{
	struct lbx_sandbox_create c = good_create();
	int fd = dev(), sb;

	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "errno %d", errno);
	EXPECT(fcntl(sb, F_GETFD) == FD_CLOEXEC, "sandbox fd is close-on-exec");
	close(sb);
	close(fd);
}

static void create_bad_args(void)
{
	struct lbx_sandbox_create c;
	int fd = dev();

	c = good_create();
	c.flags = 1;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = good_create();
	c.reserved[3] = 1;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = good_create();
	c.size = 8;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = good_create();
	c.lower_ptr = 0;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EFAULT);
	c = good_create();
	c.lower_ptr = 16;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EFAULT);
	c = good_create();
	c.stdio_fd[1] = 999;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EBADF);
	c = good_create();
	c.stdio_fd[0] = -5;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EBADF);
	c = good_create();
	c.lower_len = 1ULL << 40;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EFBIG);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, NULL), EFAULT);
	close(fd);
}

static void create_malformed_image(void)
{
	static char junk[1024];
	struct lbx_sandbox_create c = good_create();
	int fd = dev();

	memset(junk, 'x', sizeof(junk));
	c.lower_ptr = (uintptr_t)junk;
	c.lower_len = sizeof(junk);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	/* A truncated header block. */
	c.lower_ptr = (uintptr_t)tiny_tar;
	c.lower_len = 100;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(fd);
}

static int new_sandbox(void)
{
	struct lbx_sandbox_create c = good_create();
	int fd = dev(), sb;

	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	close(fd);
	if (sb < 0) {
		perror("LBX_IOC_SANDBOX_CREATE");
		exit(1);
	}
	return sb;
}

static void sandbox_wrong_commands(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	struct lbx_syscall sc = { .size = sizeof(sc) };
	int sb = new_sandbox();

	EXPECT_ERRNO(ioctl(sb, LBX_IOC_VERSION, &v), ENOTTY);
	/* This thread runs no guest of that sandbox. */
	sc.regs.rax = 39;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_SYSCALL, &sc), EPERM);
	sc.reserved[0] = 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_SYSCALL, &sc), EINVAL);
	sc.reserved[0] = 0;
	sc.hostop = 1;	/* output fields must be zero on input */
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_SYSCALL, &sc), EINVAL);
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_SYSCALL, (void *)8), EFAULT);
	close(sb);
}

static void exec_bad_args(void)
{
	static const char *argv[] = { "x", NULL };
	struct lbx_exec ex = { .size = sizeof(ex) };
	int sb = new_sandbox();

	ex.path_ptr = (uintptr_t)"/nonexistent";
	ex.argv_ptr = (uintptr_t)argv;
	ex.reserved[0] = 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.reserved[0] = 0;
	ex.flags = 2;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.flags = 0;
	ex.path_ptr = 8;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EFAULT);
	ex.path_ptr = (uintptr_t)"/nonexistent";
	ex.argv_ptr = 8;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EFAULT);
	ex.argv_ptr = (uintptr_t)argv;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);
	ex.path_ptr = (uintptr_t)"/d";
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EACCES);	/* a directory */
	close(sb);
}

static void version_cred(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd = dev();

	EXPECT(ioctl(fd, LBX_IOC_VERSION, &v) == 0, "errno %d", errno);
	EXPECT((v.abi_version & 0xffff) >= 3, "abi %#x", v.abi_version);
	EXPECT(v.features & LBX_FEATURE_CRED, "features %#llx",
	       (unsigned long long)v.features);
	close(fd);
}

static void version_lower_fd(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd = dev();

	EXPECT(ioctl(fd, LBX_IOC_VERSION, &v) == 0, "errno %d", errno);
	EXPECT((v.abi_version & 0xffff) >= 4, "abi %#x", v.abi_version);
	EXPECT(v.features & LBX_FEATURE_LOWER_FD, "features %#llx",
	       (unsigned long long)v.features);
	close(fd);
}

/* A memfd holding len bytes of data, with the given seals added. */
static int image_memfd(const void *data, size_t len, unsigned int seals)
{
	int fd = memfd_create("lbx-test-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		perror("image memfd");
		exit(1);
	}
	return fd;
}

#define IMAGE_SEALS	(F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)

static struct lbx_sandbox_create fd_create(int lower)
{
	struct lbx_sandbox_create c = good_create();

	c.flags = LBX_SANDBOX_LOWER_FD;
	c.lower_ptr = 0;
	c.lower_len = 0;
	c.lower_fd = lower;
	return c;
}

/* The lower image as a sealed memfd (1.4), and the 1.3 layout still served. */
static void create_lower_fd(void)
{
	struct lbx_sandbox_create c;
	int fd = dev(), img, sb;

	img = image_memfd(tiny_tar, sizeof(tiny_tar), IMAGE_SEALS);
	c = fd_create(img);
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "sealed memfd: errno %d", errno);
	/* The sandbox holds its own reference: the launcher's fd may go. */
	close(img);
	if (sb >= 0)
		close(sb);
	img = image_memfd(tiny_tar, sizeof(tiny_tar), IMAGE_SEALS | F_SEAL_SEAL);
	c = fd_create(img);
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "sealed memfd with F_SEAL_SEAL: errno %d", errno);
	if (sb >= 0)
		close(sb);
	close(img);
	/* The 1.3 layout (no lower_fd): a buffer image as ever. */
	c = good_create();
	c.size = offsetof(struct lbx_sandbox_create, lower_fd);
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "1.3 layout: errno %d", errno);
	if (sb >= 0)
		close(sb);
	close(fd);
}

/* An image that could change under the sandbox is refused (ETXTBSY). */
static void create_lower_fd_mutable(void)
{
	const char *path = "/tmp/lbx-contract-image.tar";
	struct lbx_sandbox_create c;
	int fd = dev(), img, rw, sb;

	img = image_memfd(tiny_tar, sizeof(tiny_tar), 0);
	c = fd_create(img);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), ETXTBSY);
	close(img);
	/* Write-sealed but able to grow or shrink: not enough. */
	img = image_memfd(tiny_tar, sizeof(tiny_tar), F_SEAL_WRITE);
	c = fd_create(img);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), ETXTBSY);
	close(img);

	/* A regular file: refused while open for writing, by us or anyone. */
	rw = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	EXPECT(rw >= 0 && write(rw, tiny_tar, sizeof(tiny_tar)) == sizeof(tiny_tar),
	       "writing %s: errno %d", path, errno);
	c = fd_create(rw);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), ETXTBSY);
	img = open(path, O_RDONLY | O_CLOEXEC);
	c = fd_create(img);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), ETXTBSY);
	close(rw);
	/* Nobody writes it now: taken, and writers are kept out until the
	 * sandbox is gone. */
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "read-only file without writers: errno %d", errno);
	EXPECT_ERRNO(open(path, O_WRONLY | O_CLOEXEC), ETXTBSY);
	EXPECT_ERRNO(truncate(path, 0), ETXTBSY);
	if (sb >= 0)
		close(sb);
	rw = open(path, O_WRONLY | O_CLOEXEC);
	EXPECT(rw >= 0, "writable again once the sandbox is gone: errno %d", errno);
	if (rw >= 0)
		close(rw);
	close(img);
	unlink(path);
	close(fd);
}

/*
 * Denying writes is for files the caller could keep from changing anyway:
 * one it owns or may write. A file it may only read is refused (EACCES), or
 * any user could lock, say, /etc/passwd against its owner.
 */
static int create_as(uid_t uid, const char *path)
{
	struct lbx_sandbox_create c;
	int status, fd, img, sb;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		fd = dev();
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(100);
		img = open(path, O_RDONLY | O_CLOEXEC);
		if (img < 0)
			_exit(101);
		c = fd_create(img);
		sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
		_exit(sb >= 0 ? 0 : errno);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void create_lower_fd_not_ours(void)
{
	const char *path = "/tmp/lbx-contract-owned.tar";
	int rw, ret;

	rw = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	EXPECT(rw >= 0 && write(rw, tiny_tar, sizeof(tiny_tar)) == sizeof(tiny_tar),
	       "writing %s: errno %d", path, errno);
	close(rw);
	/* root's, world-readable: user 1000 may read it, not deny its writes. */
	ret = create_as(1000, path);
	EXPECT(ret == EACCES, "another user's read-only file: %d, expected EACCES", ret);
	rw = open(path, O_WRONLY | O_CLOEXEC);
	EXPECT(rw >= 0, "the owner may still write it: errno %d", errno);
	if (rw >= 0)
		close(rw);
	/* Writable by user 1000: taken. */
	EXPECT(chmod(path, 0666) == 0, "chmod errno %d", errno);
	ret = create_as(1000, path);
	EXPECT(ret == 0, "a file the user may write: %d", ret);
	/* Owned by user 1000, read-only to all: taken. */
	EXPECT(chmod(path, 0444) == 0 && chown(path, 1000, 1000) == 0,
	       "chmod/chown errno %d", errno);
	ret = create_as(1000, path);
	EXPECT(ret == 0, "the user's own read-only file: %d", ret);
	/* The file is whole and writable again afterwards. */
	EXPECT(chmod(path, 0644) == 0, "chmod errno %d", errno);
	rw = open(path, O_WRONLY | O_CLOEXEC);
	EXPECT(rw >= 0, "writable once the sandboxes are gone: errno %d", errno);
	if (rw >= 0)
		close(rw);
	unlink(path);
}

static void create_lower_fd_bad(void)
{
	struct lbx_sandbox_create c;
	int fd = dev(), img, p[2], dir, null, wo;

	img = image_memfd(tiny_tar, sizeof(tiny_tar), IMAGE_SEALS);
	/* Descriptors that are not open, or not for reading. */
	c = fd_create(999);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EBADF);
	c = fd_create(-1);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EBADF);
	wo = open("/tmp/lbx-contract-wo", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	c = fd_create(wo);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EBADF);
	close(wo);
	unlink("/tmp/lbx-contract-wo");
	/* Not regular files. */
	EXPECT(pipe(p) == 0, "pipe errno %d", errno);
	c = fd_create(p[0]);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(p[0]);
	close(p[1]);
	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c = fd_create(dir);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(dir);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	c = fd_create(null);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(null);
	/* Reserved bits and fields, and both kinds of image at once. */
	c = fd_create(img);
	c.flags |= 2;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = fd_create(img);
	c.reserved2[2] = 1;
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = good_create();
	c.lower_fd = img;		/* without the flag */
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = fd_create(img);
	c.lower_ptr = (uintptr_t)tiny_tar;
	c.lower_len = sizeof(tiny_tar);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	c = fd_create(img);
	c.lower_len = sizeof(tiny_tar);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	/* A layout that has no lower_fd cannot ask for one. */
	c = fd_create(img);
	c.size = offsetof(struct lbx_sandbox_create, lower_fd);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(img);
	/* Sealed, but empty or malformed: the parser's EINVAL. */
	img = image_memfd(tiny_tar, 0, IMAGE_SEALS);
	c = fd_create(img);
	EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
	close(img);
	{
		static char junk[1024];

		memset(junk, 'x', sizeof(junk));
		img = image_memfd(junk, sizeof(junk), IMAGE_SEALS);
		c = fd_create(img);
		EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL);
		close(img);
	}
	close(fd);
}

/* lbx_exec.cred (1.3): checked before the program is looked up, so a
 * good one reaches ENOENT for a missing program and a bad one stops first. */
static void exec_cred_args(void)
{
	static const char *argv[] = { "x", NULL };
	static const __u32 groups[LBX_CRED_NGROUPS_MAX + 1] = { 10, 20 };
	static const __u32 bad_group[1] = { (__u32)-1 };
	struct lbx_exec ex;
	int sb = new_sandbox();

#define RESET() do { memset(&ex, 0, sizeof(ex)); ex.size = sizeof(ex); \
	ex.path_ptr = (uintptr_t)"/nonexistent"; ex.argv_ptr = (uintptr_t)argv; } while (0)
	RESET();
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);	/* no cred: root */
	ex.size = offsetof(struct lbx_exec, cred);		/* a 1.2 caller */
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);
	RESET();
	ex.cred.flags = LBX_CRED_SET;
	ex.cred.uid = 1000;
	ex.cred.gid = 1000;
	ex.cred.ngroups = 2;
	ex.cred.groups_ptr = (uintptr_t)groups;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);	/* accepted */
	ex.cred.ngroups = LBX_CRED_NGROUPS_MAX;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);
	ex.cred.ngroups = LBX_CRED_NGROUPS_MAX + 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.ngroups = 1;
	ex.cred.groups_ptr = 8;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EFAULT);
	ex.cred.groups_ptr = (uintptr_t)bad_group;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.ngroups = 0;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);	/* a pointer, no groups */
	ex.cred.groups_ptr = 0;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);
	ex.cred.uid = (__u32)-1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.uid = 1000;
	ex.cred.gid = (__u32)-1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.gid = 1000;
	ex.cred.reserved[1] = 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.reserved[1] = 0;
	ex.cred.flags = 2;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.flags = 0;					/* flags 0: all zero */
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), EINVAL);
	ex.cred.uid = 0;
	ex.cred.gid = 0;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EXEC, &ex), ENOENT);
#undef RESET
	close(sb);
}

static void hostop_done_bad_args(void)
{
	struct lbx_syscall sc = { .size = sizeof(sc) };
	int sb = new_sandbox();

	/* Only fork and thread starts complete; this thread runs no guest,
	 * and no fork of it is pending. */
	sc.hostop = LBX_HOSTOP_MPROTECT;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_HOSTOP_DONE, &sc), EINVAL);
	sc.hostop = LBX_HOSTOP_FORK;
	sc.hostop_arg[1] = 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_HOSTOP_DONE, &sc), EINVAL);
	sc.hostop_arg[1] = 0;
	sc.reserved[1] = 1;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_HOSTOP_DONE, &sc), EINVAL);
	sc.reserved[1] = 0;
	sc.size = 4;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_HOSTOP_DONE, &sc), EINVAL);
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_HOSTOP_DONE, (void *)16), EFAULT);
	close(sb);
}

static void event_bad_args(void)
{
	struct lbx_event ev = { .size = sizeof(ev), .kind = LBX_EVENT_SIGNAL, .signo = 2 };
	int sb = new_sandbox();

	/* A thread that runs no guest of the sandbox. */
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, &ev), EPERM);
	ev.kind = 9;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, &ev), EINVAL);
	ev.kind = LBX_EVENT_SIGNAL;
	ev.signo = 65;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, &ev), EINVAL);
	ev.signo = 2;
	ev.flags = 4;
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, &ev), EINVAL);
	ev.flags = 0;
	ev.hostop = 1;	/* an output field */
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, &ev), EINVAL);
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_EVENT, NULL), EFAULT);
	close(sb);
}

struct closer {
	int fd;
	volatile int stop;
};

static void *hammer(void *arg)
{
	struct closer *c = arg;
	struct lbx_syscall sc = { .size = sizeof(sc) };
	long errs = 0;

	while (!c->stop) {
		if (ioctl(c->fd, LBX_IOC_SYSCALL, &sc) < 0 && errno != EPERM && errno != EBADF)
			errs++;
	}
	return (void *)errs;
}

static void close_while_in_use(void)
{
	struct closer c;
	pthread_t th[2];
	void *r0, *r1;
	int round;

	for (round = 0; round < 50; round++) {
		c.fd = new_sandbox();
		c.stop = 0;
		pthread_create(&th[0], NULL, hammer, &c);
		pthread_create(&th[1], NULL, hammer, &c);
		usleep(200);
		close(c.fd);	/* the threads now see EBADF (or a reused fd) */
		usleep(200);
		c.stop = 1;
		pthread_join(th[0], &r0);
		pthread_join(th[1], &r1);
		EXPECT(!r0 && !r1, "unexpected errors in round %d", round);
	}
}

static void version_netdev(void)
{
	struct lbx_version v = { .size = sizeof(v) };
	int fd = dev();

	EXPECT(ioctl(fd, LBX_IOC_VERSION, &v) == 0, "errno %d", errno);
	EXPECT((v.abi_version & 0xffff) >= 2, "abi %#x", v.abi_version);
	EXPECT(v.features & LBX_FEATURE_NETDEV, "features %#llx",
	       (unsigned long long)v.features);
	close(fd);
}

static struct lbx_sandbox_create net_create(const char *addr, int prefix)
{
	struct lbx_sandbox_create c = good_create();

	c.net.flags = LBX_NET_DEVICE;
	c.net.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	c.net.prefix = prefix;
	inet_pton(c.net.family, addr, c.net.addr);
	return c;
}

static void create_net(void)
{
	struct lbx_sandbox_create c = good_create();
	struct lbx_net_info ni = { .size = sizeof(ni) };
	/* The ABI 1.1 layout (no net): still accepted, no device. */
	size_t old = offsetof(struct lbx_sandbox_create, net);
	int fd = dev(), sb, sb2;

	c.size = old;
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "1.1 layout: errno %d", errno);
	EXPECT_ERRNO(ioctl(sb, LBX_IOC_NET_INFO, &ni), ENODEV);
	close(sb);

	c = net_create("10.98.0.2", 24);
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "with a device: errno %d", errno);
	EXPECT(ioctl(sb, LBX_IOC_NET_INFO, &ni) == 0, "NET_INFO errno %d", errno);
	EXPECT(!strncmp(ni.ifname, "lbx", 3) && ni.ifindex > 0, "name %.16s index %u",
	       ni.ifname, ni.ifindex);
	EXPECT(if_nametoindex(ni.ifname) == ni.ifindex, "the device exists");
	/* One address per sandbox. */
	sb2 = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb2 < 0 && errno == EADDRINUSE, "same address twice: %d errno %d", sb2, errno);
	if (sb2 >= 0)
		close(sb2);
	close(sb);
	EXPECT(if_nametoindex(ni.ifname) == 0, "the device is gone with the sandbox");

	c = net_create("fd00:98::2", 64);
	sb = ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c);
	EXPECT(sb >= 0, "IPv6 device: errno %d", errno);
	close(sb);
	close(fd);
}

static void create_net_bad(void)
{
	struct lbx_sandbox_create c;
	int fd = dev();

#define BAD(what) EXPECT_ERRNO(ioctl(fd, LBX_IOC_SANDBOX_CREATE, &c), EINVAL)
	c = net_create("10.98.0.2", 24); c.net.flags = 2; BAD();
	c = net_create("10.98.0.2", 24); c.net.reserved[3] = 1; BAD();
	c = good_create(); c.net.prefix = 24; BAD();		/* no flag, not zero */
	c = net_create("10.98.0.2", 0); BAD();
	c = net_create("10.98.0.2", 33); BAD();
	c = net_create("fd00::2", 129); BAD();
	c = net_create("10.98.0.2", 24); c.net.family = 7; BAD();
	c = net_create("127.0.0.2", 8); BAD();
	c = net_create("224.0.0.1", 24); BAD();
	c = net_create("10.98.0.0", 24); BAD();
	c = net_create("10.98.0.255", 24); BAD();
	c = net_create("0.0.0.0", 24); BAD();
	c = net_create("::1", 64); BAD();
	c = net_create("fe80::1", 64); BAD();
	c = net_create("ff02::1", 64); BAD();
	c = net_create("10.98.0.2", 24); c.net.mtu = 575; BAD();
	c = net_create("fd00::2", 64); c.net.mtu = 1279; BAD();
	c = net_create("10.98.0.2", 24); c.net.addr[5] = 1; BAD();
	c = net_create("10.98.0.2", 24); memcpy(c.net.gw, c.net.addr, 16); BAD();
#undef BAD
	close(fd);
}

int main(void)
{
	static const struct vmtest tests[] = {
		{ "VERSION answers the ABI version", version_ok },
		{ "VERSION rejects bad sizes and unknown tails", version_bad_sizes },
		{ "VERSION rejects non-zero reserved fields", version_reserved },
		{ "VERSION bad pointers give EFAULT", version_bad_pointers },
		{ "unknown commands give ENOTTY", unknown_command },
		{ "SANDBOX_CREATE returns a close-on-exec fd", create_ok },
		{ "SANDBOX_CREATE rejects bad arguments", create_bad_args },
		{ "SANDBOX_CREATE rejects malformed images", create_malformed_image },
		{ "VERSION reports LBX_FEATURE_NETDEV (ABI 1.2)", version_netdev },
		{ "SANDBOX_CREATE with a network device; NET_INFO", create_net },
		{ "SANDBOX_CREATE rejects bad network configurations", create_net_bad },
		{ "sandbox fd: wrong commands and callers", sandbox_wrong_commands },
		{ "EXEC rejects bad arguments", exec_bad_args },
		{ "VERSION reports LBX_FEATURE_CRED (ABI 1.3)", version_cred },
		{ "EXEC's credentials (ABI 1.3): checked, old sizes served", exec_cred_args },
		{ "VERSION reports LBX_FEATURE_LOWER_FD (ABI 1.4)", version_lower_fd },
		{ "SANDBOX_CREATE with a sealed memfd image (1.4); the 1.3 layout", create_lower_fd },
		{ "SANDBOX_CREATE refuses an image file that could change (ETXTBSY)",
		  create_lower_fd_mutable },
		{ "SANDBOX_CREATE rejects bad image fds and reserved fields", create_lower_fd_bad },
		{ "SANDBOX_CREATE takes an image file only from its owner or a writer (EACCES)",
		  create_lower_fd_not_ours },
		{ "HOSTOP_DONE rejects bad arguments and strangers", hostop_done_bad_args },
		{ "EVENT rejects bad arguments and strangers", event_bad_args },
		{ "sandbox fd closed by another thread while in use", close_while_in_use },
	};

	make_tiny_tar();
	return vt_run(tests, sizeof(tests) / sizeof(tests[0]));
}
