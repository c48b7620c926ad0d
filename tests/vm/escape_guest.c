// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that tries to leave its sandbox (run under lbx-launch in the VM,
 * never natively): every attempt must see only the sandbox's view or an
 * error. With "int80", tries a 32-bit system call, which the filter answers
 * by killing the process. Writes a verdict line like the guest tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/litebox.h>

static int failures;

#define MUST(cond, ...)							\
	do {								\
		if (!(cond)) {						\
			failures++;					\
			printf("  escape check failed: %s: ", #cond);	\
			printf(__VA_ARGS__);				\
			printf(" (errno %d %s)\n", errno, strerror(errno)); \
		}							\
	} while (0)

/* A raw syscall instruction in this program, bypassing libc. */
static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	struct stat st;
	char buf[256];
	long r;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "int80")) {
		/* getpid through the i386 entry: the filter kills the process. */
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");
		printf("FAIL escape_guest: int 0x80 returned %ld\n", r);
		return 1;
	}
	/* Host files are not in the sandbox. */
	MUST(open("/etc/passwd", O_RDONLY) < 0 && errno == ENOENT, "open /etc/passwd");
	MUST(raw6(SYS_open, (long)"/etc/passwd", O_RDONLY, 0, 0, 0, 0) == -ENOENT,
	     "raw open /etc/passwd");
	MUST(open("/etc/shadow", O_RDONLY) < 0, "open /etc/shadow");
	MUST(stat("/home", &st) < 0 && errno == ENOENT, "stat /home");
	/* The guest's /proc shows the sandbox, not the host. */
	{
		ssize_t n = readlink("/proc/1/exe", buf, sizeof(buf) - 1);

		MUST(n > 0 && (buf[n] = '\0', strstr(buf, "escape_guest") != NULL),
		     "/proc/1/exe is the guest itself");
	}
	MUST(open("/proc/modules", O_RDONLY) < 0, "open /proc/modules");
	MUST(open("/proc/kallsyms", O_RDONLY) < 0, "open /proc/kallsyms");
	MUST(open("/proc/2/cmdline", O_RDONLY) < 0, "no other process");
	MUST(open("/sys/kernel/notes", O_RDONLY) < 0, "open /sys");
	/* Writes land in the sandbox's memory, not on the host. */
	fd = open("/tmp/lbx-escaped", O_CREAT | O_WRONLY, 0644);
	MUST(fd >= 0, "create /tmp/lbx-escaped inside the sandbox");
	if (fd >= 0) {
		MUST(write(fd, "x", 1) == 1, "write");
		close(fd);
	}
	/* Kernel interfaces the guest must not reach. */
	MUST(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, 0, 0) < 0, "ptrace");
	MUST(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL) < 0, "mount");
	MUST(syscall(SYS_umount2, "/", 0) < 0, "umount2");
	MUST(syscall(SYS_init_module, NULL, 0, "") < 0, "init_module");
	MUST(syscall(SYS_finit_module, 0, "", 0) < 0, "finit_module");
	MUST(syscall(SYS_delete_module, "litebox", 0) < 0, "delete_module");
	MUST(syscall(SYS_kexec_load, 0, 0, NULL, 0) < 0, "kexec_load");
	MUST(syscall(SYS_bpf, 0, NULL, 0) < 0, "bpf");
	MUST(syscall(SYS_unshare, 0x20000000 /* CLONE_NEWNS */) < 0, "unshare");
	MUST(syscall(SYS_setns, 0, 0) < 0, "setns");
	MUST(syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL) < 0, "reboot");
	MUST(syscall(SYS_socket, 16 /* AF_NETLINK */, 3, 0) < 0, "netlink socket");
	MUST(syscall(SYS_memfd_create, "x", 0) < 0 || 1, "memfd_create");
	/* The sandbox fd cannot start a second program. */
	{
		struct lbx_exec ex = { .size = sizeof(ex), .path_ptr = (unsigned long)"/x" };

		MUST(raw6(SYS_ioctl, 3, LBX_IOC_EXEC, (long)&ex, 0, 0, 0) < 0,
		     "LBX_IOC_EXEC from the guest");
	}
	/* Host ioctls on the host's stdio are not reachable either. */
	MUST(raw6(SYS_ioctl, 3, 0x5401 /* TCGETS */, (long)buf, 0, 0, 0) < 0, "TCGETS on fd 3");
	printf("%s escape_guest (%d failures)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
