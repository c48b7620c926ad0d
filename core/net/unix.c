// SPDX-License-Identifier: GPL-2.0
/*
 * AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, socketpair,
 * path and abstract names, SCM_RIGHTS and SCM_CREDENTIALS.
 *
 * Name spaces. Every VFS (one per sandbox) has one struct unix_ns: the
 * list of bound sockets (abstract names are per sandbox), the lock, and
 * the count of files in flight. A path name is a socket inode created in
 * the VFS by bind (mknod S_IFSOCK); a bound socket holds a reference on
 * that inode and connect finds the socket by inode, after resolving the
 * path with the caller's permissions (write on the socket inode).
 *
 * Locking. ns->lock (sleeping) guards every field of every socket of the
 * name space: states, peers, queues. Guest copies are made under it, as
 * pipes do (guest memory is host anonymous memory: a fault never re-enters
 * LiteBox). VFS calls (bind's mknod, connect's path walk) are made before
 * taking it; files are put only after dropping it (a put may release
 * another socket of the same name space).
 *
 * Lifetimes. struct usock is refcounted: its file holds one reference
 * (dropped at release), a connected peer another, a sleeper a third. After
 * release the usock is "dead": it has no file (u->sk is NULL), its queues
 * are empty, and peers that still point at it see EPIPE/ECONNREFUSED.
 *
 * Flow control. A stream or seqpacket writer may queue while the peer's
 * receive queue holds fewer than its own SO_SNDBUF bytes; a datagram
 * writer while the receiver's queue holds fewer than its SO_RCVBUF bytes
 * (or is empty). Writers block (on their own wr_wait, or on the name
 * space's dgram_wq for datagrams), or get EAGAIN.
 *
 * Files in flight (SCM_RIGHTS). Each message takes references on its
 * files at send time; recvmsg installs them. At most LBX_UNIX_INFLIGHT_MAX
 * files per name space are in flight (ETOOMANYREFS beyond). Reference
 * cycles (a socket whose file sits, directly or not, in its own receive
 * queue, which would never be released) are prevented instead of
 * collected: a socket file may be sent only when it carries no socket
 * files itself (none queued to it, no pending connections) and only to a
 * socket whose own file is not in flight; a socket is never sent to
 * itself. Paths of "file in queue" edges are therefore at most two long
 * (listener, embryo) and never close. Passing a socket that already
 * holds passed sockets gives ETOOMANYREFS: a documented limitation.
 */
#include <litebox/fdtable.h>
#include <litebox/list.h>
#include <litebox/net.h>
#include <litebox/poll.h>
#include <litebox/sync.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include <litebox/waitqueue.h>

#define UNIX_PATH_MAX		108
#define UNIX_ADDR_MAX		(2 + UNIX_PATH_MAX)
#define UNIX_DEF_BUF		212992U		/* wmem_default */
#define UNIX_MAX_BUF		212992U		/* wmem_max */
#define UNIX_MIN_SNDBUF		4608U
#define UNIX_MIN_RCVBUF		2304U
#define UNIX_STREAM_CHUNK	65536U
#define LBX_UNIX_INFLIGHT_MAX	1024U
#define LX_SIOCINQ		0x541b
#define LX_SIOCOUTQ		0x5411

/* u->shutdown */
#define RCV_SHUTDOWN		1
#define SEND_SHUTDOWN		2
#define SHUTDOWN_MASK		3

enum usock_state {
	US_UNCONNECTED,
	US_LISTENING,
	US_CONNECTED,
};

struct unix_ns {
	struct lbx_list_head node;	/* in ns_list */
	struct lbx_vfs *vfs;
	u32 refs;			/* under ns_list_lock */
	struct lbx_plat_mutex lock;
	struct lbx_list_head bound;
	struct lbx_waitqueue dgram_wq;	/* room in some datagram queue */
	u32 inflight;
	u32 next_auto;
};

struct usock {
	u32 refs;
	struct unix_ns *ns;
	struct lbx_sock *sk;		/* NULL once released */
	int type;
	enum usock_state state;
	bool dead;
	bool passcred;
	u8 shutdown;
	int err;			/* SO_ERROR, positive */
	struct usock *peer;		/* a reference */

	/* The address (bound sockets, and accepted ones: the listener's). */
	bool bound;			/* in ns->bound */
	struct lbx_list_head bnode;
	u32 addr_len;			/* 0: none */
	u8 addr[UNIX_ADDR_MAX];
	struct lbx_inode *inode;	/* a path binding's inode (reference) */

	struct lbx_list_head rq;	/* struct uskb */
	u32 rq_bytes;
	u32 rq_len;
	u32 sndbuf, rcvbuf;

	/* Listeners: pending connections (embryos, through anode). */
	struct lbx_list_head accq;
	u32 acc_len;
	int backlog;
	/* Embryos: the listener (no reference) and the file it holds. */
	struct lbx_list_head anode;
	struct usock *listener;
	struct lbx_file *efile;
	bool embryo;			/* not accepted yet */

	struct lbx_ucred peercred;
	bool has_peercred;
	/* Cycle prevention (see the top): how many times this socket's file
	 * is in flight or pending, and how many socket files it holds. */
	u32 carried;
	u32 carries;

	struct lbx_waitqueue rd_wait;
	struct lbx_waitqueue wr_wait;
};

struct uskb {
	struct lbx_list_head node;
	u32 len;
	u32 off;			/* stream: bytes already read */
	bool large;
	struct lbx_ucred cred;
	u32 addr_len;			/* datagrams: the sender's address */
	u8 addr[UNIX_ADDR_MAX];
	u32 nfds;
	u32 nsocks;			/* unix socket files among fds */
	struct lbx_file **fds;
	u8 data[];
};

static const struct lbx_sock_ops unix_ops;

/* ---- name spaces ---- */

static struct lbx_mutex ns_list_lock = LBX_MUTEX_INIT;
static struct lbx_list_head ns_list = { &ns_list, &ns_list };

static struct unix_ns *ns_get(struct lbx_vfs *vfs)
{
	struct lbx_list_head *pos;
	struct unix_ns *ns;

	lbx_mutex_lock(&ns_list_lock);
	lbx_list_for_each(pos, &ns_list) {
		ns = lbx_list_entry(pos, struct unix_ns, node);
		if (ns->vfs == vfs) {
			ns->refs++;
			goto out;
		}
	}
	ns = lbx_plat_alloc(sizeof(*ns));
	if (ns) {
		ns->vfs = vfs;
		ns->refs = 1;
		lbx_plat_mutex_init(&ns->lock);
		lbx_list_init(&ns->bound);
		lbx_waitqueue_init(&ns->dgram_wq);
		lbx_list_add_tail(&ns->node, &ns_list);
	}
out:
	lbx_mutex_unlock(&ns_list_lock);
	return ns;
}

static void ns_put(struct unix_ns *ns)
{
	bool last;

	lbx_mutex_lock(&ns_list_lock);
	last = !--ns->refs;
	if (last)
		lbx_list_del(&ns->node);
	lbx_mutex_unlock(&ns_list_lock);
	if (last)
		lbx_plat_free(ns);
}

/* ---- sockets ---- */

static struct usock *U(struct lbx_sock *sk)
{
	return sk->priv;
}

static struct usock *usock_get(struct usock *u)
{
	__atomic_fetch_add(&u->refs, 1, __ATOMIC_RELAXED);
	return u;
}

static void usock_put(struct usock *u)
{
	struct unix_ns *ns;

	if (!u || __atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	ns = u->ns;
	lbx_plat_free(u);
	ns_put(ns);
}

/* The usock of a unix socket file of name space ns, or NULL. */
static struct usock *file_usock(struct lbx_file *f, struct unix_ns *ns)
{
	struct lbx_sock *sk = lbx_file_sock(f);

	if (!sk || sk->ops != &unix_ops || !sk->priv)
		return NULL;
	return U(sk)->ns == ns ? U(sk) : NULL;
}

static int usock_new(struct lbx_vfs *vfs, int type, u32 fflags,
		     struct lbx_file **out)
{
	struct lbx_sock *sk;
	struct usock *u;
	int ret;

	u = lbx_plat_alloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->ns = ns_get(vfs);
	if (!u->ns) {
		lbx_plat_free(u);
		return -ENOMEM;
	}
	ret = lbx_sock_alloc(vfs, LX_AF_UNIX, type, 0, fflags, &sk);
	if (ret) {
		ns_put(u->ns);
		lbx_plat_free(u);
		return ret;
	}
	u->refs = 1;
	u->sk = sk;
	u->type = type;
	u->state = US_UNCONNECTED;
	u->sndbuf = UNIX_DEF_BUF;
	u->rcvbuf = UNIX_DEF_BUF;
	lbx_list_init(&u->bnode);
	lbx_list_init(&u->rq);
	lbx_list_init(&u->accq);
	lbx_list_init(&u->anode);
	lbx_waitqueue_init(&u->rd_wait);
	lbx_waitqueue_init(&u->wr_wait);
	sk->priv = u;
	sk->ops = &unix_ops;
	*out = sk->file;
	return 0;
}

static bool connection_type(const struct usock *u)
{
	return u->type != LX_SOCK_DGRAM;
}

static void wake_all(struct usock *u)
{
	lbx_wake_up_key(&u->rd_wait, -1, 0);
	lbx_wake_up_key(&u->wr_wait, -1, 0);
}

/* ---- messages ---- */

static struct uskb *skb_alloc(u32 len)
{
	size_t total = sizeof(struct uskb) + len;
	bool large = total > 2 * LBX_PAGE_SIZE;
	struct uskb *skb = large ? lbx_plat_alloc_large(total) :
				   lbx_plat_alloc(total);

	if (!skb)
		return NULL;
	skb->len = len;
	skb->large = large;
	lbx_list_init(&skb->node);
	return skb;
}

/* Frees skb and puts its files (never under ns->lock). */
static void skb_free(struct uskb *skb)
{
	u32 i;

	for (i = 0; i < skb->nfds; i++)
		lbx_file_put(skb->fds[i]);
	lbx_plat_free(skb->fds);
	if (skb->large)
		lbx_plat_free_large(skb);
	else
		lbx_plat_free(skb);
}

static void skb_list_free(struct lbx_list_head *list)
{
	struct lbx_list_head *pos, *n;

	lbx_list_for_each_safe(pos, n, list) {
		lbx_list_del(pos);
		skb_free(lbx_list_entry(pos, struct uskb, node));
	}
}

/* Under ns->lock: skb leaves u's queue; its files stop being in flight. */
static void skb_unlink(struct usock *u, struct uskb *skb)
{
	u32 i;

	lbx_list_del(&skb->node);
	u->rq_bytes -= skb->len - skb->off;
	u->rq_len--;
	for (i = 0; i < skb->nfds; i++) {
		struct usock *f = file_usock(skb->fds[i], u->ns);

		if (f)
			f->carried--;
	}
	u->carries -= skb->nsocks;
	u->ns->inflight -= skb->nfds;
}

/*
 * Under ns->lock: queues skb to r, checking the in-flight rules for its
 * files (see the top of the file).
 */
static int skb_queue(struct usock *r, struct uskb *skb)
{
	struct unix_ns *ns = r->ns;
	u32 i;

	if (skb->nfds) {
		if (ns->inflight + skb->nfds > LBX_UNIX_INFLIGHT_MAX)
			return -ETOOMANYREFS;
		for (i = 0; i < skb->nfds; i++) {
			struct usock *f = file_usock(skb->fds[i], ns);

			if (!f)
				continue;
			if (f == r || f->carries || r->carried ||
			    (r->listener && r->listener->carried))
				return -ETOOMANYREFS;
		}
		for (i = 0; i < skb->nfds; i++) {
			struct usock *f = file_usock(skb->fds[i], ns);

			if (f) {
				f->carried++;
				skb->nsocks++;
			}
		}
		r->carries += skb->nsocks;
		ns->inflight += skb->nfds;
	}
	lbx_list_add_tail(&skb->node, &r->rq);
	r->rq_bytes += skb->len;
	r->rq_len++;
	lbx_wake_up_key(&r->rd_wait, -1, LX_POLLIN | LX_POLLRDNORM);
	return 0;
}

/* ---- control data ---- */

struct scm {
	struct lbx_file **fds;
	u32 nfds;
	bool has_cred;
	struct lbx_ucred cred;
};

static void scm_release(struct scm *scm)
{
	u32 i;

	for (i = 0; i < scm->nfds; i++)
		lbx_file_put(scm->fds[i]);
	lbx_plat_free(scm->fds);
	scm->fds = NULL;
	scm->nfds = 0;
}

static int scm_rights(struct scm *scm, struct lbx_msg *m, struct lbx_cmsghdr *c)
{
	u64 bytes = c->len - LBX_CMSG_LEN(0);
	u32 n = (u32)(bytes / sizeof(s32)), i;
	s32 fd;

	if (bytes % sizeof(s32) || !m->fdt)
		return -EINVAL;
	if (scm->nfds + n > LX_SCM_MAX_FD)
		return -EINVAL;
	if (!scm->fds) {
		scm->fds = lbx_plat_alloc(LX_SCM_MAX_FD * sizeof(*scm->fds));
		if (!scm->fds)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(&fd, LBX_CMSG_DATA(c) + i * sizeof(s32), sizeof(fd));
		scm->fds[scm->nfds] = lbx_fd_get(m->fdt, fd);
		if (!scm->fds[scm->nfds])
			return -EBADF;
		scm->nfds++;
	}
	return 0;
}

static int scm_creds(struct scm *scm, struct lbx_cmsghdr *c)
{
	struct lbx_ucred want;

	if (c->len != LBX_CMSG_LEN(sizeof(want)))
		return -EINVAL;
	memcpy(&want, LBX_CMSG_DATA(c), sizeof(want));
	if (!lbx_sock_may_claim_cred(&want))
		return -EPERM;
	scm->cred = want;
	scm->has_cred = true;
	return 0;
}

/* Parses the cmsgs of a send (taking the file references). */
static int scm_parse(struct scm *scm, struct lbx_msg *m)
{
	struct lbx_cmsghdr *c;
	int ret = 0;

	memset(scm, 0, sizeof(*scm));
	if (!m->control_len)
		return 0;
	c = lbx_cmsg_first(m->control, m->control_len);
	if (!c)
		return -EINVAL;
	for (; c && !ret; c = lbx_cmsg_next(m->control, m->control_len, c)) {
		if (c->level != LX_SOL_SOCKET)
			ret = -EINVAL;
		else if (c->type == LX_SCM_RIGHTS)
			ret = scm_rights(scm, m, c);
		else if (c->type == LX_SCM_CREDENTIALS)
			ret = scm_creds(scm, c);
		else
			ret = -EINVAL;
	}
	if (ret)
		scm_release(scm);
	return ret;
}

/* Moves the scm into skb (the first of a send). */
static void scm_attach(struct scm *scm, struct uskb *skb, struct usock *u)
{
	if (scm->has_cred)
		skb->cred = scm->cred;
	else
		lbx_sock_current_cred(&skb->cred);
	skb->fds = scm->fds;
	skb->nfds = scm->nfds;
	scm->fds = NULL;
	scm->nfds = 0;
	if (u->type == LX_SOCK_DGRAM && u->addr_len) {
		skb->addr_len = u->addr_len;
		memcpy(skb->addr, u->addr, u->addr_len);
	}
}

/*
 * After a receive, outside ns->lock: installs the files taken from a
 * message into the receiver's table and reports them (SCM_RIGHTS), as
 * many as fit; the rest are dropped with MSG_CTRUNC.
 */
static void scm_deliver_fds(struct lbx_msg *m, struct lbx_file **fds, u32 nfds,
			    u32 flags)
{
	u32 n = nfds * sizeof(s32), i, done = 0;
	s32 *out = NULL;

	if (!nfds)
		return;
	if (m->fdt)
		out = lbx_cmsg_put(m, LX_SOL_SOCKET, LX_SCM_RIGHTS, &n, true);
	else
		m->msg_flags |= LX_MSG_CTRUNC;
	for (i = 0; out && i < n / sizeof(s32); i++) {
		int fd = lbx_fd_install(m->fdt, fds[i],
					flags & LX_MSG_CMSG_CLOEXEC ? LBX_FD_CLOEXEC : 0,
					0);

		if (fd < 0) {
			m->msg_flags |= LX_MSG_CTRUNC;
			break;
		}
		memcpy(&out[i], &fd, sizeof(fd));
		done++;
	}
	if (out && done < n / sizeof(s32)) {
		/* Shrink the cmsg to what was installed. */
		struct lbx_cmsghdr *c = (struct lbx_cmsghdr *)((u8 *)out -
						sizeof(struct lbx_cmsghdr));
		u32 old = (u32)LBX_CMSG_ALIGN(c->len);

		c->len = LBX_CMSG_LEN(done * sizeof(s32));
		m->control_len -= old - (u32)LBX_CMSG_ALIGN(c->len);
	}
	for (i = 0; i < nfds; i++)
		lbx_file_put(fds[i]);
	lbx_plat_free(fds);
}

static void scm_put_creds(struct lbx_msg *m, const struct lbx_ucred *cred)
{
	u32 n = sizeof(*cred);
	void *p = lbx_cmsg_put(m, LX_SOL_SOCKET, LX_SCM_CREDENTIALS, &n, false);

	if (p)
		memcpy(p, cred, sizeof(*cred));
}

/* ---- addresses ---- */

struct uaddr {
	bool abstract;
	u32 len;			/* abstract: the whole sockaddr length */
	u8 bytes[UNIX_ADDR_MAX];
	char path[UNIX_PATH_MAX + 1];
	struct lbx_inode *inode;	/* resolved path (reference) */
};

static struct lbx_fs_ctx *cur_fs(void)
{
	struct lbx_thread *t = lbx_current();

	return t && t->proc ? t->proc->fs : NULL;
}

/* Checks and splits a sockaddr_un; len 2 (family only) is "autobind". */
static int uaddr_parse(const void *addr, u32 len, struct uaddr *a)
{
	const u8 *b = addr;
	u16 family;
	u32 plen;

	memset(a, 0, sizeof(*a));
	if (len < 2 || len > UNIX_ADDR_MAX)
		return -EINVAL;
	memcpy(&family, b, sizeof(family));
	if (family != LX_AF_UNIX)
		return -EINVAL;
	plen = len - 2;
	if (plen && b[2] == 0) {
		a->abstract = true;
		a->len = len;
		memcpy(a->bytes, b, len);
		return 0;
	}
	if (!plen)
		return 0;
	memcpy(a->path, b + 2, plen);
	a->path[plen] = 0;
	if (!a->path[0])
		return -EINVAL;
	return 0;
}

/* connect/sendto: resolves a path name to its inode (before ns->lock). */
static int uaddr_resolve(struct uaddr *a)
{
	struct lbx_fs_ctx *ctx = cur_fs();
	struct lbx_path p;
	int ret;

	if (a->abstract)
		return 0;
	if (!a->path[0])
		return -EINVAL;
	if (!ctx)
		return -ENOENT;
	ret = lbx_vfs_lookup(ctx, NULL, a->path, 0, &p);
	if (ret)
		return ret;
	if (!LX_S_ISSOCK(p.inode->mode)) {
		ret = -ECONNREFUSED;
	} else {
		ret = lbx_inode_permission(ctx, p.inode, LBX_MAY_WRITE);
		if (!ret)
			a->inode = lbx_inode_get(p.inode);
	}
	lbx_path_put(&p);
	return ret;
}

static void uaddr_release(struct uaddr *a)
{
	if (a->inode)
		lbx_inode_put(a->inode);
	a->inode = NULL;
}

/* Under ns->lock: the live socket bound to a, or NULL. */
static struct usock *find_bound(struct unix_ns *ns, const struct uaddr *a)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &ns->bound) {
		struct usock *u = lbx_list_entry(pos, struct usock, bnode);

		if (a->abstract) {
			if (!u->inode && u->addr_len == a->len &&
			    !memcmp(u->addr, a->bytes, a->len))
				return u;
		} else if (u->inode && u->inode == a->inode) {
			return u;
		}
	}
	return NULL;
}

static int autobind_locked(struct usock *u)
{
	struct unix_ns *ns = u->ns;
	struct uaddr a;
	u32 tries;

	memset(&a, 0, sizeof(a));
	a.abstract = true;
	a.len = 2 + 1 + 5;
	a.bytes[0] = LX_AF_UNIX;
	for (tries = 0; tries <= 0xfffff; tries++) {
		char name[8];

		lbx_snprintf(name, sizeof(name), "%05x", ns->next_auto++ & 0xfffff);
		memcpy(a.bytes + 3, name, 5);
		if (!find_bound(ns, &a)) {
			memcpy(u->addr, a.bytes, a.len);
			u->addr_len = a.len;
			u->bound = true;
			lbx_list_add_tail(&u->bnode, &ns->bound);
			return 0;
		}
	}
	return -EADDRINUSE;
}

static int unix_bind(struct lbx_sock *sk, const void *addr, u32 len)
{
	struct usock *u = U(sk);
	struct unix_ns *ns = u->ns;
	struct lbx_fs_ctx *ctx;
	struct lbx_path p;
	struct uaddr a;
	int ret;

	ret = uaddr_parse(addr, len, &a);
	if (ret)
		return ret;
	if (len == 2 || a.abstract) {
		lbx_plat_mutex_lock(&ns->lock);
		if (u->addr_len)	/* bound, or accepted */
			ret = -EINVAL;
		else if (len == 2)
			ret = autobind_locked(u);
		else if (find_bound(ns, &a))
			ret = -EADDRINUSE;
		else {
			memcpy(u->addr, a.bytes, a.len);
			u->addr_len = a.len;
			u->bound = true;
			lbx_list_add_tail(&u->bnode, &ns->bound);
		}
		lbx_plat_mutex_unlock(&ns->lock);
		return ret;
	}
	ctx = cur_fs();
	if (!ctx)
		return -EINVAL;
	if (LBX_READ_ONCE(u->addr_len))
		return -EINVAL;
	ret = lbx_vfs_mknodat(ctx, NULL, a.path, LX_S_IFSOCK | 0777, 0);
	if (ret)
		return ret == -EEXIST ? -EADDRINUSE : ret;
	ret = lbx_vfs_lookup(ctx, NULL, a.path, LX_AT_SYMLINK_NOFOLLOW, &p);
	if (ret)
		return ret;
	lbx_plat_mutex_lock(&ns->lock);
	if (u->addr_len) {
		ret = -EINVAL;
	} else {
		u->inode = lbx_inode_get(p.inode);
		u->addr_len = 2 + (u32)strlen(a.path) + 1;
		u->addr[0] = LX_AF_UNIX;
		u->addr[1] = 0;
		memcpy(u->addr + 2, a.path, u->addr_len - 2);
		u->bound = true;
		lbx_list_add_tail(&u->bnode, &ns->bound);
	}
	lbx_plat_mutex_unlock(&ns->lock);
	lbx_path_put(&p);
	return ret;
}

static int unix_getname(struct lbx_sock *sk, void *addr, u32 *len, bool peer)
{
	struct usock *u = U(sk), *src;
	int ret = 0;

	lbx_plat_mutex_lock(&u->ns->lock);
	src = u;
	if (peer) {
		src = u->peer;
		if (!src || (connection_type(u) && u->state != US_CONNECTED))
			ret = -ENOTCONN;
	}
	if (!ret) {
		if (src->addr_len) {
			memcpy(addr, src->addr, src->addr_len);
			*len = src->addr_len;
		} else {
			u16 family = LX_AF_UNIX;

			memcpy(addr, &family, sizeof(family));
			*len = sizeof(family);
		}
	}
	lbx_plat_mutex_unlock(&u->ns->lock);
	return ret;
}

/* ---- connections ---- */

static int unix_listen(struct lbx_sock *sk, int backlog)
{
	struct usock *u = U(sk);
	int ret = 0;

	lbx_plat_mutex_lock(&u->ns->lock);
	if (u->type == LX_SOCK_DGRAM)
		ret = -EOPNOTSUPP;
	else if (!u->bound || u->state == US_CONNECTED)
		ret = -EINVAL;
	if (!ret) {
		if (u->state != US_LISTENING)
			lbx_sock_current_peercred(&u->peercred);
		u->has_peercred = true;
		u->state = US_LISTENING;
		u->backlog = backlog;
		lbx_wake_up_key(&u->wr_wait, -1, 0);
	}
	lbx_plat_mutex_unlock(&u->ns->lock);
	return ret;
}

/* Under ns->lock: a and b become each other's peers. */
static void pair(struct usock *a, struct usock *b)
{
	a->peer = usock_get(b);
	b->peer = usock_get(a);
	a->state = US_CONNECTED;
	b->state = US_CONNECTED;
}

static bool backlog_room(void *arg)
{
	struct usock *l = arg;

	return l->dead || l->state != US_LISTENING || l->acc_len <= (u32)l->backlog;
}

static int map_wait(int ret)
{
	return ret == -ETIMEDOUT ? -EAGAIN : ret;
}

static int stream_connect(struct usock *u, struct uaddr *a, bool nonblock)
{
	struct unix_ns *ns = u->ns;
	struct lbx_file *nfile;
	struct usock *l = NULL, *n;
	int ret;

	ret = usock_new(ns->vfs, u->type, 0, &nfile);
	if (ret)
		return ret;
	n = U(lbx_file_sock(nfile));
	lbx_plat_mutex_lock(&ns->lock);
	for (;;) {
		if (u->state == US_CONNECTED) {
			ret = -EISCONN;
			break;
		}
		if (u->state == US_LISTENING) {
			ret = -EINVAL;
			break;
		}
		l = find_bound(ns, a);
		if (!l) {
			ret = -ECONNREFUSED;
			break;
		}
		if (l->type != u->type) {
			ret = -EPROTOTYPE;
			l = NULL;
			break;
		}
		if (l->state != US_LISTENING) {
			ret = -ECONNREFUSED;
			l = NULL;
			break;
		}
		if (l->acc_len <= (u32)l->backlog)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			l = NULL;
			break;
		}
		usock_get(l);
		ret = lbx_wait_event_locked(&l->wr_wait, backlog_room, l, &ns->lock,
					    lbx_sock_snd_deadline(u->sk),
					    lbx_current(), LBX_WQ_INTERRUPTIBLE);
		/* l may be dead now: the next round looks it up again. */
		usock_put(l);
		l = NULL;
		if (ret) {
			ret = map_wait(ret);
			break;
		}
	}
	if (!ret && l) {
		pair(u, n);
		n->listener = l;
		n->embryo = true;
		n->efile = nfile;
		nfile = NULL;
		memcpy(n->addr, l->addr, l->addr_len);
		n->addr_len = l->addr_len;
		u->peercred = l->peercred;
		u->has_peercred = true;
		lbx_sock_current_peercred(&n->peercred);
		n->has_peercred = true;
		n->sndbuf = l->sndbuf;
		n->rcvbuf = l->rcvbuf;
		n->passcred = l->passcred;
		lbx_list_add_tail(&n->anode, &l->accq);
		l->acc_len++;
		l->carries++;
		n->carried = 0;
		lbx_wake_up_key(&l->rd_wait, -1, LX_POLLIN | LX_POLLRDNORM);
	}
	lbx_plat_mutex_unlock(&ns->lock);
	if (nfile)
		lbx_file_put(nfile);
	return ret;
}

/* Under ns->lock: drops u's datagram peer. */
static void dgram_disconnect(struct usock *u, struct usock **put)
{
	*put = u->peer;
	u->peer = NULL;
	u->state = US_UNCONNECTED;
}

static int unix_connect(struct lbx_sock *sk, const void *addr, u32 len,
			bool nonblock)
{
	struct usock *u = U(sk), *t, *old = NULL;
	struct unix_ns *ns = u->ns;
	struct uaddr a;
	u16 family = 0;
	int ret;

	if (len >= 2)
		memcpy(&family, addr, sizeof(family));
	if (u->type == LX_SOCK_DGRAM && len >= 2 && family == LX_AF_UNSPEC) {
		lbx_plat_mutex_lock(&ns->lock);
		dgram_disconnect(u, &old);
		lbx_plat_mutex_unlock(&ns->lock);
		usock_put(old);
		return 0;
	}
	ret = uaddr_parse(addr, len, &a);
	if (ret)
		return ret;
	if (len == 2)
		return -EINVAL;
	ret = uaddr_resolve(&a);
	if (ret)
		return ret;
	if (connection_type(u)) {
		ret = stream_connect(u, &a, nonblock);
		uaddr_release(&a);
		return ret;
	}
	lbx_plat_mutex_lock(&ns->lock);
	t = find_bound(ns, &a);
	if (!t)
		ret = -ECONNREFUSED;
	else if (t->type != u->type)
		ret = -EPROTOTYPE;
	if (!ret) {
		if (u->passcred && !u->bound)
			autobind_locked(u);
		old = u->peer;
		u->peer = usock_get(t);
		u->state = US_CONNECTED;
		if (!u->has_peercred) {
			u->peercred = t->peercred;
		}
	}
	lbx_plat_mutex_unlock(&ns->lock);
	usock_put(old);
	uaddr_release(&a);
	return ret;
}

static bool acc_ready(void *arg)
{
	struct usock *l = arg;

	return !lbx_list_empty(&l->accq) || l->state != US_LISTENING;
}

static int unix_accept(struct lbx_sock *sk, u32 fflags, bool nonblock,
		       struct lbx_file **out)
{
	struct usock *l = U(sk), *n;
	struct unix_ns *ns = l->ns;
	struct lbx_file *f = NULL;
	int ret = 0;

	lbx_plat_mutex_lock(&ns->lock);
	if (l->state != US_LISTENING) {
		ret = -EINVAL;
		goto out;
	}
	if (lbx_list_empty(&l->accq)) {
		if (nonblock) {
			ret = -EAGAIN;
			goto out;
		}
		ret = map_wait(lbx_wait_event_locked(&l->rd_wait, acc_ready, l,
						     &ns->lock,
						     lbx_sock_rcv_deadline(sk),
						     lbx_current(),
						     LBX_WQ_INTERRUPTIBLE));
		if (ret)
			goto out;
		if (l->state != US_LISTENING) {
			ret = -EINVAL;
			goto out;
		}
	}
	n = lbx_list_entry(l->accq.next, struct usock, anode);
	lbx_list_del(&n->anode);
	lbx_list_init(&n->anode);
	l->acc_len--;
	l->carries--;
	n->listener = NULL;
	n->embryo = false;
	f = n->efile;
	n->efile = NULL;
	lbx_wake_up_key(&l->wr_wait, -1, 0);
out:
	lbx_plat_mutex_unlock(&ns->lock);
	if (f) {
		u32 fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);

		fl = (fl & ~(u32)LX_O_NONBLOCK) | (fflags & LX_O_NONBLOCK);
		__atomic_store_n(&f->flags, fl, __ATOMIC_RELAXED);
		*out = f;
	}
	return ret;
}

static int unix_shutdown(struct lbx_sock *sk, int how)
{
	struct usock *u = U(sk), *p;
	u8 mode = (u8)(how + 1), pmode = 0;

	lbx_plat_mutex_lock(&u->ns->lock);
	u->shutdown |= mode;
	p = u->peer;
	if (p && connection_type(u)) {
		if (mode & RCV_SHUTDOWN)
			pmode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			pmode |= RCV_SHUTDOWN;
		p->shutdown |= pmode;
		wake_all(p);
	}
	wake_all(u);
	lbx_plat_mutex_unlock(&u->ns->lock);
	return 0;
}

/* ---- release ---- */

static void unix_release(struct lbx_sock *sk)
{
	struct usock *u = U(sk), *p, *n;
	struct unix_ns *ns = u->ns;
	struct lbx_list_head skbs;
	struct lbx_inode *inode;

	lbx_list_init(&skbs);
	lbx_plat_mutex_lock(&ns->lock);
	u->dead = true;
	u->sk = NULL;
	if (u->bound) {
		lbx_list_del(&u->bnode);
		u->bound = false;
	}
	inode = u->inode;
	u->inode = NULL;
	p = u->peer;
	u->peer = NULL;
	if (p && connection_type(u)) {
		p->shutdown = SHUTDOWN_MASK;
		if (u->rq_len || u->embryo)
			p->err = ECONNRESET;
		wake_all(p);
	}
	/*
	 * Pending connections die with their listener. u is unbound and
	 * dead, so no connection can join the queue while the lock is
	 * dropped to put each one.
	 */
	while (!lbx_list_empty(&u->accq)) {
		struct lbx_file *ef;

		n = lbx_list_entry(u->accq.next, struct usock, anode);
		lbx_list_del(&n->anode);
		lbx_list_init(&n->anode);
		n->listener = NULL;
		ef = n->efile;
		n->efile = NULL;
		u->carries--;
		u->acc_len--;
		lbx_plat_mutex_unlock(&ns->lock);
		lbx_file_put(ef);
		lbx_plat_mutex_lock(&ns->lock);
	}
	u->listener = NULL;
	while (!lbx_list_empty(&u->rq)) {
		struct uskb *skb = lbx_list_entry(u->rq.next, struct uskb, node);

		skb_unlink(u, skb);
		lbx_list_add_tail(&skb->node, &skbs);
	}
	u->state = US_UNCONNECTED;
	u->shutdown = SHUTDOWN_MASK;
	wake_all(u);
	lbx_wake_up_key(&ns->dgram_wq, -1, 0);
	lbx_plat_mutex_unlock(&ns->lock);

	skb_list_free(&skbs);
	if (inode)
		lbx_inode_put(inode);
	usock_put(p);
	usock_put(u);
}

/* ---- sending ---- */

struct wr_cond {
	struct usock *u;
	u32 need;
};

static u32 stream_room(struct usock *u)
{
	struct usock *p = u->peer;

	if (!p || p->dead)
		return 0;
	return u->sndbuf > p->rq_bytes ? u->sndbuf - p->rq_bytes : 0;
}

static bool stream_can_write(void *arg)
{
	struct wr_cond *c = arg;
	struct usock *u = c->u;

	return !u->peer || u->peer->dead || (u->shutdown & SEND_SHUTDOWN) ||
	       u->err || stream_room(u) >= c->need;
}

static ssize_t stream_sendmsg(struct usock *u, struct lbx_msg *m, u32 flags,
			      bool nonblock, struct scm *scm)
{
	struct unix_ns *ns = u->ns;
	size_t len = lbx_msg_iter_count(&m->iter), done = 0;
	bool seqpacket = u->type == LX_SOCK_SEQPACKET;
	u64 deadline = lbx_sock_snd_deadline(u->sk);
	struct wr_cond c = { .u = u };
	ssize_t ret = 0;

	if (seqpacket && len > u->sndbuf - 32)
		return -EMSGSIZE;
	lbx_plat_mutex_lock(&ns->lock);
	do {
		struct uskb *skb;
		u32 room, chunk;

		if (u->state != US_CONNECTED || !u->peer) {
			ret = u->state == US_CONNECTED ? -EPIPE : -ENOTCONN;
			break;
		}
		if ((u->shutdown & SEND_SHUTDOWN) || u->peer->dead) {
			ret = -EPIPE;
			break;
		}
		/* Nothing to send on a stream (its files with it, as Linux):
		 * an empty record there would stall a peek for ever. */
		if (!seqpacket && !len) {
			ret = 0;
			break;
		}
		room = stream_room(u);
		c.need = seqpacket ? (u32)lbx_max(len, (size_t)1) : 1;
		if (room < c.need) {
			if (nonblock) {
				ret = -EAGAIN;
				break;
			}
			ret = map_wait(lbx_wait_event_locked(&u->wr_wait,
					stream_can_write, &c, &ns->lock,
					deadline, lbx_current(),
					LBX_WQ_INTERRUPTIBLE));
			if (ret)
				break;
			continue;
		}
		chunk = seqpacket ? (u32)len :
			(u32)lbx_min(len - done, (size_t)lbx_min(room, UNIX_STREAM_CHUNK));
		skb = skb_alloc(chunk);
		if (!skb) {
			ret = -ENOMEM;
			break;
		}
		if (lbx_msg_copy_from(&m->iter, skb->data, chunk)) {
			skb_free(skb);
			ret = -EFAULT;
			break;
		}
		if (!done)
			scm_attach(scm, skb, u);
		else
			lbx_sock_current_cred(&skb->cred);
		ret = skb_queue(u->peer, skb);
		if (ret) {
			/* The files go back to the caller's scm for release. */
			scm->fds = skb->fds;
			scm->nfds = skb->nfds;
			skb->fds = NULL;
			skb->nfds = 0;
			skb_free(skb);
			break;
		}
		done += chunk;
	} while (done < len);
	lbx_plat_mutex_unlock(&ns->lock);
	return done ? (ssize_t)done : ret;
}

struct dg_cond {
	struct usock *t;
	u32 len;
};

static bool dgram_room_ok(struct usock *t, u32 len)
{
	return !t->rq_len || t->rq_bytes + len <= t->rcvbuf;
}

static bool dgram_can_write(void *arg)
{
	struct dg_cond *c = arg;

	return c->t->dead || dgram_room_ok(c->t, c->len);
}

static ssize_t dgram_sendmsg(struct usock *u, struct lbx_msg *m, u32 flags,
			     bool nonblock, struct scm *scm)
{
	struct unix_ns *ns = u->ns;
	u32 len = (u32)lbx_msg_iter_count(&m->iter);
	u64 deadline = lbx_sock_snd_deadline(u->sk);
	struct usock *t = NULL, *old = NULL;
	struct uskb *skb = NULL;
	struct uaddr a;
	bool named = m->name_len > 0;
	ssize_t ret;

	if (len > u->sndbuf - 32)
		return -EMSGSIZE;
	if (named) {
		ret = uaddr_parse(m->name, m->name_len, &a);
		if (!ret && m->name_len == 2)
			ret = -EINVAL;
		if (!ret)
			ret = uaddr_resolve(&a);
		if (ret)
			return ret;
	}
	skb = skb_alloc(len);
	if (!skb) {
		ret = -ENOMEM;
		goto out_addr;
	}
	if (lbx_msg_copy_from(&m->iter, skb->data, len)) {
		ret = -EFAULT;
		goto out_free;
	}
	lbx_plat_mutex_lock(&ns->lock);
	for (;;) {
		if (named) {
			t = find_bound(ns, &a);
			if (!t) {
				ret = -ECONNREFUSED;
				break;
			}
		} else {
			t = u->peer;
			if (!t) {
				ret = -ENOTCONN;
				break;
			}
		}
		if (t->dead) {
			if (t == u->peer)
				dgram_disconnect(u, &old);
			ret = -ECONNREFUSED;
			break;
		}
		if (t->type != u->type) {
			ret = -EPROTOTYPE;
			break;
		}
		if (t->peer && t->peer != u) {
			ret = -EPERM;
			break;
		}
		if ((u->shutdown & SEND_SHUTDOWN) || (t->shutdown & RCV_SHUTDOWN)) {
			ret = -EPIPE;
			break;
		}
		if (dgram_room_ok(t, len)) {
			if ((u->passcred || t->passcred) && !u->bound)
				autobind_locked(u);
			scm_attach(scm, skb, u);
			ret = skb_queue(t, skb);
			if (ret) {
				scm->fds = skb->fds;
				scm->nfds = skb->nfds;
				skb->fds = NULL;
				skb->nfds = 0;
				break;
			}
			skb = NULL;
			ret = len;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		{
			struct dg_cond c = { .t = usock_get(t), .len = len };

			ret = map_wait(lbx_wait_event_locked(&ns->dgram_wq,
					dgram_can_write, &c, &ns->lock,
					deadline, lbx_current(),
					LBX_WQ_INTERRUPTIBLE));
			/* The next round looks t up again (it may be dead;
			 * u still holds a reference on it, or the caller's
			 * name space does: the put never frees ns). */
			usock_put(c.t);
		}
		if (ret)
			break;
	}
	lbx_plat_mutex_unlock(&ns->lock);
	usock_put(old);
out_free:
	if (skb)
		skb_free(skb);
out_addr:
	if (named)
		uaddr_release(&a);
	return ret;
}

static ssize_t unix_sendmsg(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			    bool nonblock)
{
	struct usock *u = U(sk);
	struct scm scm;
	ssize_t ret;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	if (connection_type(u) && m->name_len) {
		lbx_plat_mutex_lock(&u->ns->lock);
		ret = u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		lbx_plat_mutex_unlock(&u->ns->lock);
		return ret;
	}
	ret = scm_parse(&scm, m);
	if (ret)
		return ret;
	if (connection_type(u))
		ret = stream_sendmsg(u, m, flags, nonblock, &scm);
	else
		ret = dgram_sendmsg(u, m, flags, nonblock, &scm);
	scm_release(&scm);
	return ret;
}

/* ---- receiving ---- */

static bool can_read(void *arg)
{
	struct usock *u = arg;

	return !lbx_list_empty(&u->rq) || (u->shutdown & RCV_SHUTDOWN) ||
	       u->err || u->dead;
}

/* Under ns->lock: room appeared in u's queue. */
static void wake_writers(struct usock *u)
{
	if (u->type == LX_SOCK_DGRAM)
		lbx_wake_up_key(&u->ns->dgram_wq, -1, LX_POLLOUT | LX_POLLWRNORM);
	else if (u->peer)
		lbx_wake_up_key(&u->peer->wr_wait, -1, LX_POLLOUT | LX_POLLWRNORM);
}

/* Under ns->lock: waits for something to read. 1: something there. */
static int wait_data(struct usock *u, bool nonblock, u64 deadline)
{
	if (can_read(u))
		return 1;
	if (nonblock)
		return -EAGAIN;
	return map_wait(lbx_wait_event_locked(&u->rd_wait, can_read, u,
					      &u->ns->lock, deadline,
					      lbx_current(),
					      LBX_WQ_INTERRUPTIBLE)) ?: 1;
}

static int take_err(struct usock *u)
{
	int err = u->err;

	u->err = 0;
	return -err;
}

static ssize_t stream_recvmsg(struct usock *u, struct lbx_msg *m, u32 flags,
			      bool nonblock)
{
	struct unix_ns *ns = u->ns;
	size_t len = lbx_msg_iter_count(&m->iter), copied = 0;
	size_t target = (flags & LX_MSG_WAITALL) ? len : 1;
	u64 deadline = lbx_sock_rcv_deadline(u->sk);
	bool peek = flags & LX_MSG_PEEK;
	struct lbx_file **fds = NULL;
	struct lbx_ucred cred;
	bool have_cred = false;
	u32 nfds = 0, peek_off = 0;
	struct lbx_list_head *pos;
	ssize_t ret = 0;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	lbx_plat_mutex_lock(&ns->lock);
	if (u->state != US_CONNECTED) {
		ret = u->type == LX_SOCK_SEQPACKET ? -ENOTCONN : -EINVAL;
		goto out;
	}
	if (!len)
		goto out;
	pos = u->rq.next;
	for (;;) {
		struct uskb *skb;
		u32 avail, n;

		if (pos == &u->rq) {
			if (copied >= target)
				break;
			/* A peek ends at the end of the queue once it has seen
			 * anything, MSG_WAITALL or not, as Linux's: what it saw
			 * stays queued, so a wait for data would hold at once,
			 * and the loop spun in the kernel for ever. */
			if (copied && (nonblock || peek))
				break;
			if (u->err) {
				ret = take_err(u);
				break;
			}
			if (u->shutdown & RCV_SHUTDOWN)
				break;
			ret = wait_data(u, nonblock, deadline);
			if (ret < 0)
				break;
			ret = 0;
			/* The queue may have been drained by another reader.
			 * (A peek gets here only with nothing seen yet.) */
			pos = u->rq.next;
			peek_off = 0;
			continue;
		}
		skb = lbx_list_entry(pos, struct uskb, node);
		if (copied && skb->nfds)
			break;		/* files start a new read */
		if (u->passcred) {
			if (have_cred && memcmp(&cred, &skb->cred, sizeof(cred)))
				break;	/* one sender's data per read */
			cred = skb->cred;
			have_cred = true;
		}
		avail = skb->len - skb->off - peek_off;
		n = (u32)lbx_min((size_t)avail, len - copied);
		if (lbx_msg_copy_to(&m->iter, skb->data + skb->off + peek_off, n)) {
			if (!copied)
				ret = -EFAULT;
			break;
		}
		copied += n;
		if (peek) {
			peek_off += n;
			if (peek_off == skb->len - skb->off) {
				pos = pos->next;
				peek_off = 0;
			}
			if (skb->nfds)
				break;
		} else {
			skb->off += n;
			u->rq_bytes -= n;
			if (skb->off == skb->len) {
				pos = pos->next;
				skb->off = 0;
				u->rq_bytes += skb->len;	/* unlink subtracts it */
				skb_unlink(u, skb);
				if (skb->nfds) {
					fds = skb->fds;
					nfds = skb->nfds;
					skb->fds = NULL;
					skb->nfds = 0;
				}
				skb_free(skb);
			} else if (skb->nfds) {
				/* Files go with the first bytes of their skb. */
				fds = skb->fds;
				nfds = skb->nfds;
				skb->fds = NULL;
				skb->nfds = 0;
				u->carries -= skb->nsocks;
				ns->inflight -= nfds;
				{
					u32 i;

					for (i = 0; i < nfds; i++) {
						struct usock *f = file_usock(fds[i], ns);

						if (f)
							f->carried--;
					}
				}
				skb->nsocks = 0;
			}
			wake_writers(u);
			if (fds)
				break;
		}
		if (copied == len)
			break;
	}
out:
	lbx_plat_mutex_unlock(&ns->lock);
	if (copied && have_cred)
		scm_put_creds(m, &cred);
	if (fds)
		scm_deliver_fds(m, fds, nfds, flags);
	return copied ? (ssize_t)copied : ret;
}

static ssize_t dgram_recvmsg(struct usock *u, struct lbx_msg *m, u32 flags,
			     bool nonblock)
{
	struct unix_ns *ns = u->ns;
	size_t len = lbx_msg_iter_count(&m->iter);
	u64 deadline = lbx_sock_rcv_deadline(u->sk);
	bool peek = flags & LX_MSG_PEEK;
	struct lbx_file **fds = NULL;
	struct lbx_ucred cred;
	struct uskb *skb;
	u32 nfds = 0, n;
	ssize_t ret;

	if (flags & LX_MSG_OOB)
		return -EOPNOTSUPP;
	lbx_plat_mutex_lock(&ns->lock);
	if (u->type == LX_SOCK_SEQPACKET && u->state != US_CONNECTED) {
		ret = u->state == US_LISTENING ? -EINVAL : -ENOTCONN;
		goto out;
	}
	for (;;) {
		if (!lbx_list_empty(&u->rq))
			break;
		if (u->err) {
			ret = take_err(u);
			goto out;
		}
		if (u->shutdown & RCV_SHUTDOWN) {
			ret = 0;
			goto out;
		}
		ret = wait_data(u, nonblock, deadline);
		if (ret < 0)
			goto out;
	}
	skb = lbx_list_entry(u->rq.next, struct uskb, node);
	n = (u32)lbx_min((size_t)skb->len, len);
	if (lbx_msg_copy_to(&m->iter, skb->data, n)) {
		/* Linux has dequeued the datagram when the copy faults: it is
		 * lost below, and the descriptors it carried are closed. */
		ret = -EFAULT;
	} else {
		if (skb->len > len)
			m->msg_flags |= LX_MSG_TRUNC;
		ret = (flags & LX_MSG_TRUNC) ? skb->len : n;
		if (m->name && skb->addr_len) {
			memcpy(m->name, skb->addr, skb->addr_len);
			m->name_len = skb->addr_len;
		}
		cred = skb->cred;
	}
	if (!peek) {
		skb_unlink(u, skb);
		fds = skb->fds;
		nfds = skb->nfds;
		skb->fds = NULL;
		skb->nfds = 0;
		skb_free(skb);
		wake_writers(u);
	}
out:
	lbx_plat_mutex_unlock(&ns->lock);
	if (ret >= 0 && u->passcred)
		scm_put_creds(m, &cred);
	if (fds && ret >= 0) {
		scm_deliver_fds(m, fds, nfds, flags);
	} else if (fds) {
		while (nfds)
			lbx_file_put(fds[--nfds]);
		lbx_plat_free(fds);
	}
	return ret;
}

static ssize_t unix_recvmsg(struct lbx_sock *sk, struct lbx_msg *m, u32 flags,
			    bool nonblock)
{
	struct usock *u = U(sk);

	m->name_len = 0;
	if (u->type == LX_SOCK_STREAM)
		return stream_recvmsg(u, m, flags, nonblock);
	return dgram_recvmsg(u, m, flags, nonblock);
}

/* ---- options ---- */

static int get_int(const void *val, u32 len, int *v)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof(*v));
	return 0;
}

static u32 buf_size(int v, u32 min)
{
	u32 x = v < 0 ? 0 : (u32)v;

	x = lbx_min(x, UNIX_MAX_BUF) * 2;
	return lbx_max(x, min);
}

static int unix_setsockopt(struct lbx_sock *sk, int level, int name,
			   const void *val, u32 len)
{
	struct usock *u = U(sk);
	int v, ret;

	if (level != LX_SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case LX_SO_PASSCRED:
	case LX_SO_SNDBUF:
	case LX_SO_RCVBUF:
	case LX_SO_SNDBUFFORCE:
	case LX_SO_RCVBUFFORCE:
	case LX_SO_REUSEADDR:
	case LX_SO_KEEPALIVE:
	case LX_SO_BROADCAST:
	case LX_SO_PASSSEC:
	case LX_SO_RCVLOWAT:
		ret = get_int(val, len, &v);
		if (ret)
			return ret;
		break;
	case LX_SO_LINGER:
		return len < 8 ? -EINVAL : 0;
	default:
		return -ENOPROTOOPT;
	}
	lbx_plat_mutex_lock(&u->ns->lock);
	switch (name) {
	case LX_SO_PASSCRED:
		u->passcred = v != 0;
		break;
	case LX_SO_SNDBUF:
	case LX_SO_SNDBUFFORCE:
		u->sndbuf = buf_size(v, UNIX_MIN_SNDBUF);
		lbx_wake_up_key(&u->wr_wait, -1, 0);
		break;
	case LX_SO_RCVBUF:
	case LX_SO_RCVBUFFORCE:
		u->rcvbuf = buf_size(v, UNIX_MIN_RCVBUF);
		lbx_wake_up_key(&u->ns->dgram_wq, -1, 0);
		break;
	default:
		break;		/* accepted, no effect on AF_UNIX */
	}
	lbx_plat_mutex_unlock(&u->ns->lock);
	return 0;
}

static int put_int(void *val, u32 *len, int v)
{
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(int);
	return 0;
}

static int unix_getsockopt(struct lbx_sock *sk, int level, int name,
			   void *val, u32 *len)
{
	struct usock *u = U(sk);
	struct lbx_ucred cred;
	int ret = 0, v = 0;

	if (level != LX_SOL_SOCKET)
		return -EOPNOTSUPP;
	lbx_plat_mutex_lock(&u->ns->lock);
	switch (name) {
	case LX_SO_ERROR:
		v = u->err;
		u->err = 0;
		break;
	case LX_SO_PASSCRED:
		v = u->passcred;
		break;
	case LX_SO_SNDBUF:
		v = (int)u->sndbuf;
		break;
	case LX_SO_RCVBUF:
		v = (int)u->rcvbuf;
		break;
	case LX_SO_ACCEPTCONN:
		v = u->state == US_LISTENING;
		break;
	case LX_SO_REUSEADDR:
	case LX_SO_KEEPALIVE:
	case LX_SO_BROADCAST:
		v = 0;
		break;
	case LX_SO_PEERCRED:
		if (u->has_peercred) {
			cred = u->peercred;
		} else {
			cred.pid = 0;
			cred.uid = (u32)-1;	/* overflowuid */
			cred.gid = (u32)-1;
		}
		break;
	default:
		ret = -ENOPROTOOPT;
		break;
	}
	lbx_plat_mutex_unlock(&u->ns->lock);
	if (ret)
		return ret;
	if (name == LX_SO_PEERCRED) {
		u32 n = lbx_min(*len, (u32)sizeof(cred));

		memcpy(val, &cred, n);
		*len = n;
		return 0;
	}
	return put_int(val, len, v);
}

/* ---- readiness ---- */

static u32 unix_poll(struct lbx_sock *sk, struct lbx_poll_table *pt)
{
	struct usock *u = U(sk), *p;
	u32 mask = 0;
	bool writable;

	lbx_poll_add(pt, &u->rd_wait);
	lbx_poll_add(pt, &u->wr_wait);
	if (u->type == LX_SOCK_DGRAM)
		lbx_poll_add(pt, &u->ns->dgram_wq);
	lbx_plat_mutex_lock(&u->ns->lock);
	p = u->peer;
	if (u->err)
		mask |= LX_POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= LX_POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= LX_POLLRDHUP | LX_POLLIN | LX_POLLRDNORM;
	if (!lbx_list_empty(&u->rq) || !lbx_list_empty(&u->accq))
		mask |= LX_POLLIN | LX_POLLRDNORM;
	if (connection_type(u) && u->state == US_UNCONNECTED)
		mask |= LX_POLLHUP;
	if (u->state == US_LISTENING) {
		writable = false;
	} else if (connection_type(u)) {
		writable = !p || p->dead || stream_room(u) > 0;
	} else {
		writable = !p || p->dead || p->peer == u || dgram_room_ok(p, 1);
	}
	if (writable)
		mask |= LX_POLLOUT | LX_POLLWRNORM;
	lbx_plat_mutex_unlock(&u->ns->lock);
	return mask;
}

static long unix_ioctl(struct lbx_sock *sk, u32 cmd, u64 arg)
{
	struct usock *u = U(sk);
	s32 n = 0;

	if (cmd != LX_SIOCINQ && cmd != LX_SIOCOUTQ)
		return -ENOTTY;
	lbx_plat_mutex_lock(&u->ns->lock);
	if (cmd == LX_SIOCOUTQ) {
		if (u->peer && connection_type(u))
			n = (s32)u->peer->rq_bytes;
	} else if (u->state == US_LISTENING) {
		n = -EINVAL;
	} else if (u->type == LX_SOCK_STREAM) {
		n = (s32)u->rq_bytes;
	} else if (!lbx_list_empty(&u->rq)) {
		n = (s32)lbx_list_entry(u->rq.next, struct uskb, node)->len;
	}
	lbx_plat_mutex_unlock(&u->ns->lock);
	if (n < 0)
		return n;
	return lbx_copy_to_guest(arg, &n, sizeof(n));
}

static const struct lbx_sock_ops unix_ops = {
	.bind = unix_bind,
	.listen = unix_listen,
	.accept = unix_accept,
	.connect = unix_connect,
	.shutdown = unix_shutdown,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

/* ---- the family ---- */

static int check_type(int *type, int protocol)
{
	if (*type == LX_SOCK_RAW)
		*type = LX_SOCK_DGRAM;	/* as Linux */
	if (*type != LX_SOCK_STREAM && *type != LX_SOCK_DGRAM &&
	    *type != LX_SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != LX_AF_UNIX)
		return -EPROTONOSUPPORT;
	return 0;
}

static int unix_create(struct lbx_vfs *vfs, int type, int protocol, u32 fflags,
		       struct lbx_file **out)
{
	int ret = check_type(&type, protocol);

	if (ret)
		return ret;
	return usock_new(vfs, type, fflags, out);
}

static int unix_socketpair(struct lbx_vfs *vfs, int type, int protocol,
			   u32 fflags, struct lbx_file **a, struct lbx_file **b)
{
	struct usock *ua, *ub;
	int ret = check_type(&type, protocol);

	if (ret)
		return ret;
	ret = usock_new(vfs, type, fflags, a);
	if (ret)
		return ret;
	ret = usock_new(vfs, type, fflags, b);
	if (ret) {
		lbx_file_put(*a);
		return ret;
	}
	ua = U(lbx_file_sock(*a));
	ub = U(lbx_file_sock(*b));
	lbx_plat_mutex_lock(&ua->ns->lock);
	pair(ua, ub);
	lbx_sock_current_peercred(&ua->peercred);
	ub->peercred = ua->peercred;
	ua->has_peercred = true;
	ub->has_peercred = true;
	lbx_plat_mutex_unlock(&ua->ns->lock);
	return 0;
}

const struct lbx_net_family lbx_unix_family = {
	.family = LX_AF_UNIX,
	.create = unix_create,
	.socketpair = unix_socketpair,
};
