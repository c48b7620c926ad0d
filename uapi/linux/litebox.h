/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The /dev/litebox ioctl ABI: the only header shared by litebox.ko and
 * userspace (lbx-launch and the guest stub). docs/uapi.md describes every
 * command and its errors.
 *
 * Rules every struct follows: fixed-width fields, pointers as __u64, no
 * implicit padding, a leading `size` the caller sets to sizeof() as it knows
 * it (so structs can grow: the kernel accepts any size from the first
 * published one up to its own, and zero-fills the tail), and `reserved`
 * fields that must be zero (-EINVAL otherwise).
 */
#ifndef _UAPI_LINUX_LITEBOX_H
#define _UAPI_LINUX_LITEBOX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Major in the high 16 bits: a change there breaks compatibility. */
#define LBX_ABI_MAJOR		1
#define LBX_ABI_MINOR		4
#define LBX_ABI_VERSION		((LBX_ABI_MAJOR << 16) | LBX_ABI_MINOR)

#define LBX_IOC_MAGIC		0xBB

/* lbx_version.features */
#define LBX_FEATURE_DIRECT	(1ULL << 0)	/* direct entries (ABI 1.1) */
#define LBX_FEATURE_NETDEV	(1ULL << 1)	/* lbx_sandbox_create.net (ABI 1.2) */
#define LBX_FEATURE_CRED	(1ULL << 2)	/* lbx_exec.cred (ABI 1.3) */
#define LBX_FEATURE_LOWER_FD	(1ULL << 3)	/* lbx_sandbox_create.lower_fd (ABI 1.4) */

/* ---- on /dev/litebox ---- */

struct lbx_version {
	__u32 size;		/* in: sizeof(struct lbx_version) */
	__u32 abi_version;	/* out: LBX_ABI_VERSION */
	__u64 features;		/* out: LBX_FEATURE_* */
	__u64 reserved[2];	/* in: zero */
};

/*
 * A sandbox's network device (ABI 1.2): with LBX_NET_DEVICE the kernel
 * registers an L3 device lbx<N> in the creator's network namespace (the
 * creator needs CAP_NET_ADMIN there) whose far end is the guest, with
 * address addr/prefix (and gateway gw, if not all zero: destinations
 * outside the prefix are then sent to the host too). family is AF_INET
 * (2) or AF_INET6 (10); addresses are in network order (IPv4 in the first
 * 4 bytes, the rest zero). mtu 0 means 1500; else 576..65535 (1280.. for
 * IPv6). flags 0: no device, and every other field must be zero.
 */
#define LBX_NET_DEVICE		(1U << 0)

struct lbx_net_config {
	__u32 flags;		/* LBX_NET_DEVICE or zero */
	__u8 family;
	__u8 prefix;		/* 1..32 (IPv4), 1..128 (IPv6) */
	__u16 mtu;
	__u8 addr[16];
	__u8 gw[16];
	__u32 reserved[4];
};

/*
 * Sandbox creation. The root file system is an overlay of an in-memory
 * upper layer over a read-only lower tar image. `upper` is a tar image whose
 * entries are unpacked into the upper layer at creation (its bytes count
 * against mem_limit); either image may be absent (len 0).
 *
 * The lower image is either a buffer (lower_ptr, lower_len), copied into
 * the kernel, or (ABI 1.4, LBX_SANDBOX_LOWER_FD) the whole of the regular
 * file open for reading at lower_fd, which the kernel never copies: it
 * keeps a reference to the file, reads the image from its page cache and
 * maps programs' pages from it. The file must not be able to change while
 * the sandbox lives: a memfd sealed with F_SEAL_WRITE | F_SEAL_GROW |
 * F_SEAL_SHRINK, or a file that nobody has open for writing (the kernel
 * then denies write access to it as long as the sandbox holds it, as for a
 * running program: ETXTBSY to writers). Otherwise ETXTBSY. lower_ptr and
 * lower_len are then zero; without the flag, lower_fd is zero.
 */
#define LBX_SANDBOX_LOWER_FD	(1U << 0)

struct lbx_sandbox_create {
	__u32 size;		/* sizeof(struct lbx_sandbox_create) */
	__u32 flags;		/* LBX_SANDBOX_LOWER_FD or zero */
	__u64 lower_ptr;	/* tar image, copied into the kernel */
	__u64 lower_len;
	__u64 upper_ptr;	/* tar image unpacked into the upper layer */
	__u64 upper_len;
	__u64 mem_limit;	/* bytes of file-system memory; 0: default */
	__u32 max_procs;	/* 0: default */
	__u32 max_threads;	/* 0: default */
	__u32 max_fds;		/* per process; 0: default */
	__s32 stdio_fd[3];	/* host fds taken as the guest's console; -1: none */
	__u64 reserved[4];
	struct lbx_net_config net;	/* ABI 1.2; absent (shorter size): none */
	__s32 lower_fd;		/* ABI 1.4: the lower image, with LBX_SANDBOX_LOWER_FD */
	__u32 reserved2[3];	/* zero */
};

#define LBX_IOC_VERSION		_IOWR(LBX_IOC_MAGIC, 0x00, struct lbx_version)
/* Returns a new sandbox fd (O_CLOEXEC). */
#define LBX_IOC_SANDBOX_CREATE	_IOW(LBX_IOC_MAGIC, 0x01, struct lbx_sandbox_create)

/* ---- on a sandbox fd ---- */

/* The guest's register state at an entry, and the state to resume with. */
struct lbx_regs {
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	__u64 r9, r8, rax, rcx, rdx, rsi, rdi;
	__u64 rip, rsp, rflags;
	__u64 fs_base;		/* out: valid when LBX_RESUME_SET_FS is set */
	__u64 reserved;
};

/*
 * Start the sandbox's first process in the calling thread: load the ELF
 * program at `path` in the sandbox's file system into the caller's address
 * space, build its stack, and return its initial registers. The caller then
 * jumps to regs.rip with regs.rsp; from then on every guest system call is
 * an LBX_IOC_SYSCALL.
 */
/*
 * The first process's credentials (ABI 1.3). With LBX_CRED_SET its real,
 * effective, saved and fs uid are uid, its gids gid, and its supplementary
 * groups the ngroups (at most LBX_CRED_NGROUPS_MAX) gids at groups_ptr; uid
 * and gids must not be (__u32)-1. flags 0: root (uid and gid 0, no
 * groups, every capability), and every other field must be zero.
 */
#define LBX_CRED_SET		(1U << 0)
#define LBX_CRED_NGROUPS_MAX	32

struct lbx_exec_cred {
	__u32 flags;		/* LBX_CRED_SET or zero */
	__u32 uid;
	__u32 gid;
	__u32 ngroups;
	__u64 groups_ptr;	/* __u32[ngroups] */
	__u64 reserved[2];
};

struct lbx_exec {
	__u32 size;
	__u32 flags;		/* zero */
	__u64 path_ptr;		/* NUL-terminated guest path */
	__u64 argv_ptr;		/* NULL-terminated array of string pointers */
	__u64 envp_ptr;		/* NULL-terminated array of string pointers */
	__u64 cwd_ptr;		/* initial cwd, or 0 for "/" */
	__u64 stub_entry;	/* the stub's direct entry, called from rewritten
				 * syscall sites (see LBX_SYSCALL_DIRECT); 0: the
				 * loader does not rewrite (ABI 1.1) */
	struct lbx_regs regs;	/* out */
	__u32 resume_flags;	/* out: LBX_RESUME_* */
	__u32 pid;		/* out: the guest pid (1) */
	__u64 reserved[4];
	struct lbx_exec_cred cred;	/* ABI 1.3; absent (shorter size): root */
};

/* Host operations the stub performs for the kernel (DESIGN.md 3.4). */
enum lbx_hostop {
	LBX_HOSTOP_NONE = 0,
	LBX_HOSTOP_EXIT_GROUP = 1,	/* arg0: host exit status */
	LBX_HOSTOP_EXIT_THREAD = 2,	/* arg0: status */
	LBX_HOSTOP_MPROTECT = 3,	/* arg0 addr, arg1 len, arg2 prot; result = syscall result */
	LBX_HOSTOP_FORK = 4,		/* fork the host process; complete with HOSTOP_DONE */
	LBX_HOSTOP_THREAD = 5,		/* arg0 clone flags, arg1 stack top: start a host
					 * thread; complete with HOSTOP_DONE */
	LBX_HOSTOP_MAX
};

/* resume_flags */
#define LBX_RESUME_SET_FS	(1U << 0)	/* load regs.fs_base into FS */
#define LBX_RESUME_ALL_REGS	(1U << 1)	/* regs were replaced (execve, sigreturn) */
#define LBX_RESUME_TRAP		(1U << 2)	/* direct entry only: execute the trapping
						 * syscall instruction with regs.rax (ABI 1.1) */

/* lbx_syscall.flags */
#define LBX_SYSCALL_DIRECT	(1U << 0)	/* entered from a rewritten site (ABI 1.1) */

/*
 * A direct entry resumes the guest with rax alone. When the call needs more
 * (a signal to deliver, a restart, sigreturn, execve) the answer is
 * LBX_RESUME_TRAP: the stub returns to the site's trapping syscall
 * instruction with regs.rax, either the call's own number (not served yet)
 * or LBX_NR_RESUME (served; the kernel kept the rest of the work, which that
 * trapped call picks up). No Linux system call has this number.
 */
#define LBX_NR_RESUME	0x4c42

struct lbx_syscall {
	__u32 size;
	__u32 flags;		/* LBX_SYSCALL_DIRECT or zero */
	struct lbx_regs regs;	/* in: at the syscall (rax = nr); out: to resume */
	__u32 resume_flags;	/* out */
	__u32 hostop;		/* out: enum lbx_hostop */
	__u64 hostop_arg[4];	/* out */
	__u64 reserved[2];
};

/*
 * An event entry: something other than a system call brought the guest
 * thread into the stub. kind:
 *   LBX_EVENT_SIGNAL  a host signal sent to the guest's process (signo)
 *   LBX_EVENT_FAULT   a fault in guest code (signo, code, addr, trapno)
 *   LBX_EVENT_KICK    LiteBox's own wake-up: deliver what is pending
 * With LBX_EVENT_NESTED (the thread was inside LiteBox when it arrived)
 * the signal is only made pending and regs are not used.
 */
enum lbx_event_kind {
	LBX_EVENT_SIGNAL = 1,
	LBX_EVENT_FAULT = 2,
	LBX_EVENT_KICK = 3,
};
#define LBX_EVENT_NESTED	(1U << 0)

struct lbx_event {
	__u32 size;
	__u32 flags;		/* LBX_EVENT_NESTED */
	__u32 kind;
	__u32 signo;
	__s32 code;		/* si_code of a fault */
	__u32 trapno;
	__u64 addr;		/* si_addr of a fault */
	struct lbx_regs regs;	/* in: the interrupted state; out: to resume */
	__u32 resume_flags;	/* out */
	__u32 hostop;		/* out */
	__u64 hostop_arg[4];	/* out */
	__u64 reserved[2];
};

#define LBX_IOC_EXEC		_IOWR(LBX_IOC_MAGIC, 0x10, struct lbx_exec)
#define LBX_IOC_SYSCALL		_IOWR(LBX_IOC_MAGIC, 0x11, struct lbx_syscall)
/*
 * Completes a host operation that needs it (LBX_HOSTOP_FORK, _THREAD): in, hostop is
 * the operation and hostop_arg[0] its host result; out, as LBX_IOC_SYSCALL.
 * The forked child issues it too (with result 0) to become the new guest
 * process, and gets that process's registers back.
 */
#define LBX_IOC_HOSTOP_DONE	_IOWR(LBX_IOC_MAGIC, 0x12, struct lbx_syscall)
#define LBX_IOC_EVENT		_IOWR(LBX_IOC_MAGIC, 0x13, struct lbx_event)

/* The sandbox's network device (ABI 1.2): ENODEV without one. */
struct lbx_net_info {
	__u32 size;
	__u32 ifindex;		/* out: in the creator's network namespace */
	char ifname[16];	/* out: NUL-terminated, e.g. "lbx0" */
	__u64 reserved[2];	/* in: zero */
};

#define LBX_IOC_NET_INFO	_IOWR(LBX_IOC_MAGIC, 0x14, struct lbx_net_info)

#endif /* _UAPI_LINUX_LITEBOX_H */
