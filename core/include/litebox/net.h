/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The socket layer: sockets as files, and the contract between it, the
 * Linux shim (shims/linux/sys_net.c) and the address families
 * (core/net/unix.c for AF_UNIX; core/net/inet.c for AF_INET/AF_INET6).
 *
 * A socket is a struct lbx_file of type S_IFSOCK whose priv is a struct
 * lbx_sock: the family's operations, the socket's type and protocol, the
 * options every family shares (timeouts), and the family's private state.
 * read/write/readv/writev on the file become recvmsg/sendmsg with flags 0;
 * poll/select/epoll reach ops->poll through the file's poll operation.
 *
 * ---- The family contract ----
 *
 * Creation. socket(2) finds the family (lbx_net_family_find()) and calls
 * its create(), which allocates the socket with lbx_sock_alloc() (the file
 * and the generic part) and fills sk->ops and sk->priv. accept and
 * socketpair create sockets the same way. AF_INET and AF_INET6 come from
 * lbx_net_inet_family(), which socket.c defines weakly (returning NULL, so
 * socket(AF_INET) is -EAFNOSUPPORT) and core/net/inet.c defines for real;
 * any family may also be added at run time with lbx_net_register_family().
 *
 * Calls. The socket layer calls an operation without any lock of its own
 * held, in process context, for the calling guest thread (lbx_current(),
 * NULL in unit tests). A family does its own locking; it may sleep and
 * copy guest memory under its sleeping locks, never under a spinlock.
 * Operations a family leaves NULL give -EOPNOTSUPP.
 *
 * Blocking. An operation that would block first checks nonblock (the
 * caller passes it: the file's O_NONBLOCK or MSG_DONTWAIT) and returns
 * -EAGAIN (connect: -EINPROGRESS). Otherwise it sleeps on one of its wait
 * queues with lbx_wait_event_locked() (or lbx_wait_event*), with
 * LBX_WQ_INTERRUPTIBLE and the deadline lbx_sock_rcv_deadline() /
 * lbx_sock_snd_deadline() gives (SO_RCVTIMEO / SO_SNDTIMEO; a timeout is
 * -EAGAIN, as Linux). -EINTR when interrupted before anything was
 * transferred (the shim restarts or fails the call by SA_RESTART); after a
 * partial transfer, the count. Readiness changes wake the queues with
 * lbx_wake_up_key() and LX_POLL* keys, as pipes do.
 *
 * Errors are negative Linux errnos. sendmsg returning -EPIPE makes the shim
 * raise SIGPIPE unless MSG_NOSIGNAL was given. A pending socket error
 * (SO_ERROR) is the family's: it reports it through getsockopt(SO_ERROR)
 * and returns it from the next call that fails.
 *
 * Addresses are kernel copies (at most LBX_SOCKADDR_MAX bytes) that the
 * shim copied from, or will copy to, the guest; a family checks their
 * length and family field itself (-EINVAL / -EAFNOSUPPORT).
 *
 * Data is described by a struct lbx_msg (a kernel-side msghdr): the shim
 * has copied the iovec array (at most LBX_UIO_MAXIOV entries) and checked
 * the lengths (no entry negative, the total at most LBX_MAX_RW_COUNT);
 * the bytes themselves are still in guest memory, moved with
 * lbx_msg_copy_to() / lbx_msg_copy_from(), which are fault-safe (-EFAULT).
 * Control data (cmsgs) is a kernel buffer in Linux's struct cmsghdr layout
 * (helpers below); on receive the family writes cmsgs there and sets
 * control_len and msg_flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR).
 *
 * Lifetime. The socket lives as long as its file. release() is called
 * once, at the last file reference, after epoll has let go of the file;
 * the family tears its state down there (it may keep private state alive
 * longer with refcounts of its own, but must not touch sk after release).
 */
#ifndef LITEBOX_NET_H
#define LITEBOX_NET_H

#include <litebox/core.h>
#include <litebox/file.h>

struct lbx_fdtable;
struct lbx_poll_table;
struct lbx_sock;
struct lbx_vfs;

/* ---- Linux ABI values ---- */

#define LX_AF_UNSPEC		0
#define LX_AF_UNIX		1
#define LX_AF_INET		2
#define LX_AF_INET6		10
#define LX_AF_NETLINK		16
#define LX_AF_MAX		46

#define LX_SOCK_STREAM		1
#define LX_SOCK_DGRAM		2
#define LX_SOCK_RAW		3
#define LX_SOCK_SEQPACKET	5
#define LX_SOCK_TYPE_MASK	0xf
#define LX_SOCK_NONBLOCK	00004000	/* = O_NONBLOCK */
#define LX_SOCK_CLOEXEC		02000000	/* = O_CLOEXEC */

#define LX_SHUT_RD		0
#define LX_SHUT_WR		1
#define LX_SHUT_RDWR		2

#define LX_MSG_OOB		0x1
#define LX_MSG_PEEK		0x2
#define LX_MSG_DONTROUTE	0x4
#define LX_MSG_CTRUNC		0x8
#define LX_MSG_TRUNC		0x20
#define LX_MSG_DONTWAIT		0x40
#define LX_MSG_EOR		0x80
#define LX_MSG_WAITALL		0x100
#define LX_MSG_NOSIGNAL		0x4000
#define LX_MSG_MORE		0x8000
#define LX_MSG_WAITFORONE	0x10000
#define LX_MSG_CMSG_CLOEXEC	0x40000000

#define LX_SOL_SOCKET		1
#define LX_SO_DEBUG		1
#define LX_SO_REUSEADDR		2
#define LX_SO_TYPE		3
#define LX_SO_ERROR		4
#define LX_SO_DONTROUTE		5
#define LX_SO_BROADCAST		6
#define LX_SO_SNDBUF		7
#define LX_SO_RCVBUF		8
#define LX_SO_KEEPALIVE		9
#define LX_SO_OOBINLINE		10
#define LX_SO_LINGER		13
#define LX_SO_REUSEPORT		15
#define LX_SO_PASSCRED		16
#define LX_SO_PEERCRED		17
#define LX_SO_RCVLOWAT		18
#define LX_SO_SNDLOWAT		19
#define LX_SO_RCVTIMEO		20	/* SO_RCVTIMEO_OLD: struct timeval */
#define LX_SO_SNDTIMEO		21
#define LX_SO_ACCEPTCONN	30
#define LX_SO_PEERSEC		31
#define LX_SO_SNDBUFFORCE	32
#define LX_SO_RCVBUFFORCE	33
#define LX_SO_PASSSEC		34
#define LX_SO_PROTOCOL		38
#define LX_SO_DOMAIN		39

#define LX_SCM_RIGHTS		1
#define LX_SCM_CREDENTIALS	2
#define LX_SCM_MAX_FD		253

#define LX_SOMAXCONN		4096

/* Largest address any family takes (struct sockaddr_storage). */
#define LBX_SOCKADDR_MAX	128
/* UIO_MAXIOV, and the largest transfer of one call (MAX_RW_COUNT). */
#define LBX_UIO_MAXIOV		1024
#define LBX_MAX_RW_COUNT	0x7ffff000ULL
/* The largest control buffer the shim copies in (sysctl optmem_max). */
#define LBX_CMSG_MAX		20480

/* struct ucred */
struct lbx_ucred {
	u32 pid;
	u32 uid;
	u32 gid;
};

/* Linux's struct cmsghdr (x86-64), followed by the data. */
struct lbx_cmsghdr {
	u64 len;		/* header and data, without trailing padding */
	s32 level;
	s32 type;
};

#define LBX_CMSG_ALIGN(n)	LBX_ALIGN_UP((u64)(n), 8)
#define LBX_CMSG_LEN(n)		(sizeof(struct lbx_cmsghdr) + (u64)(n))
#define LBX_CMSG_SPACE(n)	(sizeof(struct lbx_cmsghdr) + LBX_CMSG_ALIGN(n))
#define LBX_CMSG_DATA(c)	((u8 *)(c) + sizeof(struct lbx_cmsghdr))

/* ---- data: a kernel-side msghdr ---- */

/* One iovec: struct iovec's layout. base is a guest address, or (in a
 * kernel message) a LiteBox pointer. */
struct lbx_kvec {
	u64 base;
	u64 len;
};

/* A cursor over the iovecs of a message. */
struct lbx_msg_iter {
	const struct lbx_kvec *vec;
	u32 nr;
	u32 idx;		/* current segment */
	u64 off;		/* bytes of vec[idx] already done */
	size_t count;		/* bytes left in all */
	bool guest;
};

struct lbx_msg {
	/* send: the destination (name_len 0: none). recv: a buffer of
	 * LBX_SOCKADDR_MAX bytes; the family sets name_len to the full
	 * length of the source address (0: none), which the shim copies
	 * truncated to the guest's buffer. */
	void *name;
	u32 name_len;
	struct lbx_msg_iter iter;
	/* send: control_len bytes of cmsgs. recv: room for control_cap
	 * bytes; the family sets control_len to what it wrote. */
	void *control;
	u32 control_len;
	u32 control_cap;
	/* recv: the MSG_* bits for msg_flags. */
	u32 msg_flags;
	/* The descriptor table SCM_RIGHTS takes files from (send) and
	 * installs them into (recv), or NULL: passing files is -EINVAL
	 * (send) or they are dropped with MSG_CTRUNC (recv). */
	struct lbx_fdtable *fdt;
};

/* Sets up it over nr vectors; -EINVAL when a length is negative or the
 * total exceeds LBX_MAX_RW_COUNT. */
int lbx_msg_iter_init(struct lbx_msg_iter *it, const struct lbx_kvec *vec,
		      u32 nr, bool guest);
/* A single kernel buffer (read/write paths, tests): vec is the caller's
 * storage for the one segment. */
void lbx_msg_iter_kernel(struct lbx_msg_iter *it, struct lbx_kvec *vec,
			 void *buf, size_t n);
static inline size_t lbx_msg_iter_count(const struct lbx_msg_iter *it)
{
	return it->count;
}
/* Move n (<= count) bytes and advance by what moved. Returns 0, or
 * -EFAULT after moving part (the iterator tells how much). */
int lbx_msg_copy_to(struct lbx_msg_iter *it, const void *src, size_t n);
int lbx_msg_copy_from(struct lbx_msg_iter *it, void *dst, size_t n);

/* Control-data helpers. First header with room, or NULL; next, or NULL
 * at the end or at a malformed header. */
struct lbx_cmsghdr *lbx_cmsg_first(void *control, u32 len);
struct lbx_cmsghdr *lbx_cmsg_next(void *control, u32 len,
				  struct lbx_cmsghdr *c);
/* Appends a cmsg to a receive message: returns the data pointer, or NULL
 * (and sets MSG_CTRUNC) when fewer than LBX_CMSG_LEN(n) bytes remain. *n
 * is lowered to what fits when partial is true (SCM_RIGHTS). */
void *lbx_cmsg_put(struct lbx_msg *m, s32 level, s32 type, u32 *n,
		   bool partial);

/* ---- the socket ---- */

struct lbx_sock_ops {
	int (*bind)(struct lbx_sock *sk, const void *addr, u32 len);
	int (*listen)(struct lbx_sock *sk, int backlog);
	/* A new connected socket (file, one reference) with file flags
	 * fflags (LX_O_NONBLOCK); -EINVAL when not listening. */
	int (*accept)(struct lbx_sock *sk, u32 fflags, bool nonblock,
		      struct lbx_file **out);
	/* Non-blocking in progress: -EINPROGRESS; a second call while in
	 * progress -EALREADY, once done -EISCONN (or the error). */
	int (*connect)(struct lbx_sock *sk, const void *addr, u32 len,
		       bool nonblock);
	int (*shutdown)(struct lbx_sock *sk, int how);
	/* flags: MSG_*; nonblock already folds in MSG_DONTWAIT. Returns
	 * bytes sent or a negative errno. */
	ssize_t (*sendmsg)(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			   bool nonblock);
	/* Returns bytes copied (MSG_TRUNC in flags: the real length) or a
	 * negative errno. */
	ssize_t (*recvmsg)(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			   bool nonblock);
	/* Writes at most LBX_SOCKADDR_MAX bytes, sets *len to the full
	 * length. peer: getpeername (-ENOTCONN). */
	int (*getname)(struct lbx_sock *sk, void *addr, u32 *len, bool peer);
	/* Kernel copies; SOL_SOCKET options the layer does not handle
	 * itself come here too. Unknown: -ENOPROTOOPT. getsockopt: *len is
	 * the room on entry (at most 256 bytes), the length on return. */
	int (*setsockopt)(struct lbx_sock *sk, int level, int name,
			  const void *val, u32 len);
	int (*getsockopt)(struct lbx_sock *sk, int level, int name,
			  void *val, u32 *len);
	/* As struct lbx_file_ops.poll; never sleeps on a condition. */
	u32 (*poll)(struct lbx_sock *sk, struct lbx_poll_table *pt);
	/* Optional (FIONREAD, SIOCOUTQ ...); NULL: -ENOTTY. arg is guest. */
	long (*ioctl)(struct lbx_sock *sk, u32 cmd, u64 arg);
	void (*release)(struct lbx_sock *sk);
};

struct lbx_sock {
	struct lbx_file *file;		/* the socket's file (no reference) */
	const struct lbx_sock_ops *ops;
	struct lbx_vfs *vfs;
	int family;
	int type;			/* LX_SOCK_STREAM ... */
	int protocol;
	/* SO_RCVTIMEO / SO_SNDTIMEO in ns, 0: none (socket.c's). */
	u64 rcvtimeo;
	u64 sndtimeo;
	void *priv;			/* the family's */
};

struct lbx_net_family {
	int family;
	/* Creates a socket of type (without SOCK_* flags) and protocol with
	 * file flags fflags (LX_O_NONBLOCK). -ESOCKTNOSUPPORT /
	 * -EPROTONOSUPPORT for what it does not do. */
	int (*create)(struct lbx_vfs *vfs, int type, int protocol, u32 fflags,
		      struct lbx_file **out);
	/* Optional: socketpair(2); NULL gives -EOPNOTSUPP. */
	int (*socketpair)(struct lbx_vfs *vfs, int type, int protocol,
			  u32 fflags, struct lbx_file **a, struct lbx_file **b);
};

/*
 * Adds family ops at run time (family < LX_AF_MAX); -EEXIST when taken.
 * Registrations last for the life of the program (module).
 */
int lbx_net_register_family(const struct lbx_net_family *fam);
/* The family, or NULL. */
const struct lbx_net_family *lbx_net_family_find(int family);
/* Defined weakly in socket.c (NULL); core/net/inet.c's AF_INET/AF_INET6. */
const struct lbx_net_family *lbx_net_inet_family(int family);
/* AF_UNIX (unix.c). */
extern const struct lbx_net_family lbx_unix_family;

/*
 * For a family's create(): a socket file with one reference (O_RDWR |
 * fflags) on a fresh S_IFSOCK inode owned by the current fsuid/fsgid.
 * The caller sets (*sk)->ops and priv before anybody else sees the file.
 */
int lbx_sock_alloc(struct lbx_vfs *vfs, int family, int type, int protocol,
		   u32 fflags, struct lbx_sock **sk);

/* The socket of a file, or NULL when f is no socket. */
struct lbx_sock *lbx_file_sock(struct lbx_file *f);
static inline bool lbx_file_is_socket(struct lbx_file *f)
{
	return lbx_file_sock(f) != NULL;
}
/* O_NONBLOCK of the socket's file. */
bool lbx_sock_nonblock(struct lbx_sock *sk);
/* Absolute deadlines from SO_RCVTIMEO / SO_SNDTIMEO (or LBX_NO_DEADLINE). */
u64 lbx_sock_rcv_deadline(struct lbx_sock *sk);
u64 lbx_sock_snd_deadline(struct lbx_sock *sk);
/* The caller's credentials as Linux hands them out: its guest pid with the
 * real uid and gid (the SCM_CREDENTIALS a sender attaches by default) or
 * the effective ones (SO_PEERCRED); zeros without a current thread. */
void lbx_sock_current_cred(struct lbx_ucred *cred);
void lbx_sock_current_peercred(struct lbx_ucred *cred);
/* Whether the caller may send SCM_CREDENTIALS want: its own pid, and ids
 * among its real, effective and saved ones, unless capable. */
bool lbx_sock_may_claim_cred(const struct lbx_ucred *want);

/* ---- the calls (the shim's entry points) ---- */

/* type may carry SOCK_NONBLOCK; SOCK_CLOEXEC is the caller's. */
int lbx_sock_create(struct lbx_vfs *vfs, int family, int type, int protocol,
		    struct lbx_file **out);
int lbx_sock_socketpair(struct lbx_vfs *vfs, int family, int type,
			int protocol, struct lbx_file **a, struct lbx_file **b);
int lbx_sock_bind(struct lbx_file *f, const void *addr, u32 len);
int lbx_sock_listen(struct lbx_file *f, int backlog);
/* flags: SOCK_NONBLOCK (SOCK_CLOEXEC is the caller's). addr/len as for
 * getname, when addr is not NULL. */
int lbx_sock_accept(struct lbx_file *f, u32 flags, struct lbx_file **out,
		    void *addr, u32 *len);
int lbx_sock_connect(struct lbx_file *f, const void *addr, u32 len);
int lbx_sock_shutdown(struct lbx_file *f, int how);
ssize_t lbx_sock_sendmsg(struct lbx_file *f, struct lbx_msg *m, u32 flags);
ssize_t lbx_sock_recvmsg(struct lbx_file *f, struct lbx_msg *m, u32 flags);
int lbx_sock_getname(struct lbx_file *f, void *addr, u32 *len, bool peer);
int lbx_sock_setsockopt(struct lbx_file *f, int level, int name,
			const void *val, u32 len);
int lbx_sock_getsockopt(struct lbx_file *f, int level, int name, void *val,
			u32 *len);
/* readv/writev on a socket: one message over the guest vectors. */
ssize_t lbx_sock_rw_vec(struct lbx_file *f, const struct lbx_kvec *vec,
			u32 nr, bool write);

#endif /* LITEBOX_NET_H */
