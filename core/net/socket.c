// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer (see net.h): the socket file, the family table, the
 * message iterator and cmsg helpers, and the generic calls the shim makes.
 *
 * A socket embeds its inode and a private super block, as a pipe does:
 * the file holds the inode reference, so the last file reference frees the
 * socket (after ops->release).
 */
#include <litebox/net.h>
#include <litebox/poll.h>
#include <litebox/task.h>
#include <litebox/vfs.h>

/* st_dev of sockets: Linux's sockfs is an anonymous device too. */
#define SOCKFS_DEV	LBX_MKDEV(0, 8)

struct sock_obj {
	struct lbx_super sb;
	struct lbx_inode inode;
	struct lbx_sock sk;
};

static const struct lbx_file_ops sock_fops;

/* ---- the message iterator ---- */

int lbx_msg_iter_init(struct lbx_msg_iter *it, const struct lbx_kvec *vec,
		      u32 nr, bool guest)
{
	u64 total = 0;
	u32 i;

	for (i = 0; i < nr; i++) {
		if ((s64)vec[i].len < 0 ||
		    lbx_add_overflow(total, vec[i].len, &total))
			return -EINVAL;
	}
	if (total > LBX_MAX_RW_COUNT)
		return -EINVAL;
	it->vec = vec;
	it->nr = nr;
	it->idx = 0;
	it->off = 0;
	it->count = (size_t)total;
	it->guest = guest;
	return 0;
}

void lbx_msg_iter_kernel(struct lbx_msg_iter *it, struct lbx_kvec *vec,
			 void *buf, size_t n)
{
	vec->base = (u64)(unsigned long)buf;
	vec->len = n;
	it->vec = vec;
	it->nr = 1;
	it->idx = 0;
	it->off = 0;
	it->count = n;
	it->guest = false;
}

static int msg_copy(struct lbx_msg_iter *it, void *kbuf, size_t n, bool to)
{
	u8 *p = kbuf;

	while (n) {
		const struct lbx_kvec *v;
		size_t chunk;
		u64 addr;
		int ret = 0;

		if (it->idx >= it->nr)
			return -EFAULT;		/* n > count: a caller bug */
		v = &it->vec[it->idx];
		if (it->off >= v->len) {
			it->idx++;
			it->off = 0;
			continue;
		}
		chunk = lbx_min(n, (size_t)(v->len - it->off));
		addr = v->base + it->off;
		if (it->guest)
			ret = to ? lbx_copy_to_guest(addr, p, chunk) :
				   lbx_copy_from_guest(p, addr, chunk);
		else if (to)
			memcpy((void *)(unsigned long)addr, p, chunk);
		else
			memcpy(p, (void *)(unsigned long)addr, chunk);
		if (ret)
			return -EFAULT;
		it->off += chunk;
		it->count -= chunk;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

int lbx_msg_copy_to(struct lbx_msg_iter *it, const void *src, size_t n)
{
	return msg_copy(it, (void *)src, n, true);
}

int lbx_msg_copy_from(struct lbx_msg_iter *it, void *dst, size_t n)
{
	return msg_copy(it, dst, n, false);
}

/* ---- cmsgs ---- */

struct lbx_cmsghdr *lbx_cmsg_first(void *control, u32 len)
{
	struct lbx_cmsghdr *c = control;

	if (!control || len < sizeof(*c))
		return NULL;
	if (c->len < sizeof(*c) || c->len > len)
		return NULL;
	return c;
}

struct lbx_cmsghdr *lbx_cmsg_next(void *control, u32 len,
				  struct lbx_cmsghdr *c)
{
	u64 off = (u64)((u8 *)c - (u8 *)control) + LBX_CMSG_ALIGN(c->len);
	struct lbx_cmsghdr *n;

	if (off + sizeof(*n) > len)
		return NULL;
	n = (struct lbx_cmsghdr *)((u8 *)control + off);
	if (n->len < sizeof(*n) || n->len > len - off)
		return NULL;
	return n;
}

void *lbx_cmsg_put(struct lbx_msg *m, s32 level, s32 type, u32 *n,
		   bool partial)
{
	u32 room, want = *n;
	struct lbx_cmsghdr *c;
	u64 len;

	if (!m->control || m->control_cap < m->control_len)
		goto trunc;
	room = m->control_cap - m->control_len;
	if (room < LBX_CMSG_LEN(want)) {
		if (!partial || room < LBX_CMSG_LEN(0))
			goto trunc;
		/* SCM_RIGHTS: as many whole items as fit (4-byte fds). */
		want = (u32)(room - LBX_CMSG_LEN(0)) & ~3U;
		m->msg_flags |= LX_MSG_CTRUNC;
		if (!want)
			return NULL;
	}
	c = (struct lbx_cmsghdr *)((u8 *)m->control + m->control_len);
	c->len = LBX_CMSG_LEN(want);
	c->level = level;
	c->type = type;
	len = lbx_min((u64)room, LBX_CMSG_SPACE(want));
	m->control_len += (u32)len;
	*n = want;
	return LBX_CMSG_DATA(c);
trunc:
	m->msg_flags |= LX_MSG_CTRUNC;
	return NULL;
}

/* ---- families ---- */

static const struct lbx_net_family *families[LX_AF_MAX];

__attribute__((weak)) const struct lbx_net_family *lbx_net_inet_family(int family)
{
	return NULL;
}

int lbx_net_register_family(const struct lbx_net_family *fam)
{
	const struct lbx_net_family *none = NULL;

	if (!fam || fam->family <= 0 || fam->family >= LX_AF_MAX)
		return -EINVAL;
	if (!__atomic_compare_exchange_n(&families[fam->family], &none, fam,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return -EEXIST;
	return 0;
}

const struct lbx_net_family *lbx_net_family_find(int family)
{
	const struct lbx_net_family *fam;

	if (family <= 0 || family >= LX_AF_MAX)
		return NULL;
	if (family == LX_AF_UNIX)
		return &lbx_unix_family;
	if (family == LX_AF_INET || family == LX_AF_INET6) {
		fam = lbx_net_inet_family(family);
		if (fam)
			return fam;
	}
	return __atomic_load_n(&families[family], __ATOMIC_ACQUIRE);
}

/* ---- the socket file ---- */

static void sockfs_free_inode(struct lbx_inode *i)
{
	lbx_plat_free(lbx_container_of(i, struct sock_obj, inode));
}

static void sockfs_destroy(struct lbx_super *sb)
{
	/* Never mounted: the last inode reference frees everything. */
}

static const struct lbx_super_ops sockfs_ops = {
	.free_inode = sockfs_free_inode,
	.destroy = sockfs_destroy,
};

struct lbx_sock *lbx_file_sock(struct lbx_file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

int lbx_sock_alloc(struct lbx_vfs *vfs, int family, int type, int protocol,
		   u32 fflags, struct lbx_sock **out)
{
	struct sock_obj *so = lbx_plat_alloc(sizeof(*so));
	struct lbx_thread *t = lbx_current();
	struct lbx_file *f;
	int ret;

	if (!so)
		return -ENOMEM;
	so->sb.ops = &sockfs_ops;
	so->sb.vfs = vfs;
	so->sb.type = "sockfs";
	so->sb.dev = SOCKFS_DEV;
	lbx_inode_init(&so->inode, &so->sb, LX_S_IFSOCK | 0777);
	so->inode.ino = lbx_vfs_alloc_ino(vfs);
	if (t && t->proc) {
		so->inode.uid = t->cred.fsuid;
		so->inode.gid = t->cred.fsgid;
	}
	ret = lbx_file_alloc(vfs, NULL, &so->inode,
			     LX_O_RDWR | (fflags & LX_O_NONBLOCK), &f);
	/* The file holds its own reference now (or none: this frees so). */
	lbx_inode_put(&so->inode);
	if (ret)
		return ret;
	so->sk.file = f;
	so->sk.vfs = vfs;
	so->sk.family = family;
	so->sk.type = type;
	so->sk.protocol = protocol;
	f->ops = &sock_fops;
	f->priv = &so->sk;
	*out = &so->sk;
	return 0;
}

bool lbx_sock_nonblock(struct lbx_sock *sk)
{
	return __atomic_load_n(&sk->file->flags, __ATOMIC_RELAXED) & LX_O_NONBLOCK;
}

static u64 deadline_after(u64 ns)
{
	u64 d;

	if (!ns)
		return LBX_NO_DEADLINE;
	if (lbx_add_overflow(lbx_plat_now_mono(), ns, &d) || d == LBX_NO_DEADLINE)
		return LBX_NO_DEADLINE - 1;
	return d;
}

u64 lbx_sock_rcv_deadline(struct lbx_sock *sk)
{
	return deadline_after(LBX_READ_ONCE(sk->rcvtimeo));
}

u64 lbx_sock_snd_deadline(struct lbx_sock *sk)
{
	return deadline_after(LBX_READ_ONCE(sk->sndtimeo));
}

/* The calling thread's credentials are its own to change: read without
 * the sandbox lock. */
static void current_cred(struct lbx_ucred *cred, bool effective)
{
	struct lbx_thread *t = lbx_current();
	struct lbx_cred *c;

	memset(cred, 0, sizeof(*cred));
	if (!t || !t->proc)
		return;
	c = &t->cred;
	cred->pid = t->proc->pid;
	cred->uid = effective ? c->euid : c->uid;
	cred->gid = effective ? c->egid : c->gid;
}

void lbx_sock_current_cred(struct lbx_ucred *cred)
{
	current_cred(cred, false);
}

void lbx_sock_current_peercred(struct lbx_ucred *cred)
{
	current_cred(cred, true);
}

bool lbx_sock_may_claim_cred(const struct lbx_ucred *want)
{
	struct lbx_thread *t = lbx_current();
	struct lbx_cred c;

	if (!t || !t->proc)
		return false;
	c = t->cred;
	if (lbx_cred_capable(&c))
		return true;	/* CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID */
	return want->pid == t->proc->pid &&
	       (want->uid == c.uid || want->uid == c.euid || want->uid == c.suid) &&
	       (want->gid == c.gid || want->gid == c.egid || want->gid == c.sgid);
}

/* read/write on a socket: one message over the iterator's one segment,
 * and the iterator moved past what it carried. */
static ssize_t sock_rw(struct lbx_file *f, struct lbx_iter *it, bool write)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v = { .base = it->guest ? it->addr : (u64)(unsigned long)it->kbuf,
			      .len = it->count };
	ssize_t ret;

	m.iter.vec = &v;
	m.iter.nr = 1;
	m.iter.count = it->count;
	m.iter.guest = it->guest;
	ret = write ? lbx_sock_sendmsg(f, &m, 0) : lbx_sock_recvmsg(f, &m, 0);
	if (ret > 0) {
		/* Keep the caller's iterator honest. */
		if (it->guest)
			it->addr += (u64)ret;
		else
			it->kbuf += ret;
		it->count -= (size_t)ret;
	}
	return ret;
}

static ssize_t sock_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return sock_rw(f, to, false);
}

static ssize_t sock_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	return sock_rw(f, from, true);
}

static u32 sock_poll(struct lbx_file *f, struct lbx_poll_table *pt)
{
	struct lbx_sock *sk = f->priv;

	if (!sk->ops || !sk->ops->poll)
		return LBX_DEFAULT_POLLMASK;
	return sk->ops->poll(sk, pt);
}

#define LX_FIONBIO	0x5421

static long sock_ioctl(struct lbx_file *f, u32 cmd, u64 arg)
{
	struct lbx_sock *sk = f->priv;

	if (cmd == LX_FIONBIO) {
		s32 on;

		if (lbx_copy_from_guest(&on, arg, sizeof(on)))
			return -EFAULT;
		return lbx_file_set_flags(f, on ? f->flags | LX_O_NONBLOCK :
						  f->flags & ~(u32)LX_O_NONBLOCK);
	}
	if (!sk->ops || !sk->ops->ioctl)
		return -ENOTTY;
	return sk->ops->ioctl(sk, cmd, arg);
}

static void sock_release(struct lbx_file *f)
{
	struct lbx_sock *sk = f->priv;

	if (sk->ops && sk->ops->release)
		sk->ops->release(sk);
	sk->priv = NULL;
}

static const struct lbx_file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
};

/* ---- the calls ---- */

int lbx_sock_create(struct lbx_vfs *vfs, int family, int type, int protocol,
		    struct lbx_file **out)
{
	const struct lbx_net_family *fam = lbx_net_family_find(family);
	u32 fflags = (type & LX_SOCK_NONBLOCK) ? LX_O_NONBLOCK : 0;

	if (type & ~(LX_SOCK_TYPE_MASK | LX_SOCK_NONBLOCK | LX_SOCK_CLOEXEC))
		return -EINVAL;
	if (!fam)
		return family < 0 || family >= LX_AF_MAX ? -EAFNOSUPPORT :
							 -EAFNOSUPPORT;
	return fam->create(vfs, type & LX_SOCK_TYPE_MASK, protocol, fflags, out);
}

int lbx_sock_socketpair(struct lbx_vfs *vfs, int family, int type,
			int protocol, struct lbx_file **a, struct lbx_file **b)
{
	const struct lbx_net_family *fam = lbx_net_family_find(family);
	u32 fflags = (type & LX_SOCK_NONBLOCK) ? LX_O_NONBLOCK : 0;

	if (type & ~(LX_SOCK_TYPE_MASK | LX_SOCK_NONBLOCK | LX_SOCK_CLOEXEC))
		return -EINVAL;
	if (!fam)
		return -EAFNOSUPPORT;
	if (!fam->socketpair)
		return -EOPNOTSUPP;
	return fam->socketpair(vfs, type & LX_SOCK_TYPE_MASK, protocol, fflags,
			       a, b);
}

/* The socket of f, or -ENOTSOCK. */
static int sock_of(struct lbx_file *f, struct lbx_sock **sk)
{
	*sk = lbx_file_sock(f);
	if (!*sk || !(*sk)->ops)
		return -ENOTSOCK;
	return 0;
}

#define SOCK_CALL(f, op, ...)						\
	({								\
		struct lbx_sock *__sk;					\
		long __r = sock_of((f), &__sk);				\
									\
		if (!__r)						\
			__r = __sk->ops->op ? __sk->ops->op(__sk, ##__VA_ARGS__) \
					    : -EOPNOTSUPP;		\
		__r;							\
	})

int lbx_sock_bind(struct lbx_file *f, const void *addr, u32 len)
{
	return (int)SOCK_CALL(f, bind, addr, len);
}

int lbx_sock_listen(struct lbx_file *f, int backlog)
{
	if (backlog < 0 || backlog > LX_SOMAXCONN)
		backlog = LX_SOMAXCONN;
	return (int)SOCK_CALL(f, listen, backlog);
}

int lbx_sock_accept(struct lbx_file *f, u32 flags, struct lbx_file **out,
		    void *addr, u32 *len)
{
	struct lbx_sock *sk, *nsk;
	u32 fflags = (flags & LX_SOCK_NONBLOCK) ? LX_O_NONBLOCK : 0;
	int ret;

	if (flags & ~(u32)(LX_SOCK_NONBLOCK | LX_SOCK_CLOEXEC))
		return -EINVAL;
	ret = sock_of(f, &sk);
	if (ret)
		return ret;
	if (!sk->ops->accept)
		return -EOPNOTSUPP;
	ret = sk->ops->accept(sk, fflags, lbx_sock_nonblock(sk), out);
	if (ret || !addr)
		return ret;
	nsk = lbx_file_sock(*out);
	ret = nsk->ops->getname ? nsk->ops->getname(nsk, addr, len, true) : 0;
	if (ret) {
		/* The peer is gone already: Linux still hands out the socket,
		 * with an empty address. */
		*len = 0;
		ret = 0;
	}
	return ret;
}

int lbx_sock_connect(struct lbx_file *f, const void *addr, u32 len)
{
	struct lbx_sock *sk;
	int ret = sock_of(f, &sk);

	if (ret)
		return ret;
	if (!sk->ops->connect)
		return -EOPNOTSUPP;
	return sk->ops->connect(sk, addr, len, lbx_sock_nonblock(sk));
}

int lbx_sock_shutdown(struct lbx_file *f, int how)
{
	if (how < LX_SHUT_RD || how > LX_SHUT_RDWR)
		return -EINVAL;
	return (int)SOCK_CALL(f, shutdown, how);
}

ssize_t lbx_sock_sendmsg(struct lbx_file *f, struct lbx_msg *m, u32 flags)
{
	struct lbx_sock *sk;
	int ret = sock_of(f, &sk);

	if (ret)
		return ret;
	if (!sk->ops->sendmsg)
		return -EOPNOTSUPP;
	return sk->ops->sendmsg(sk, m, flags,
				lbx_sock_nonblock(sk) || (flags & LX_MSG_DONTWAIT));
}

ssize_t lbx_sock_recvmsg(struct lbx_file *f, struct lbx_msg *m, u32 flags)
{
	struct lbx_sock *sk;
	int ret = sock_of(f, &sk);

	if (ret)
		return ret;
	if (!sk->ops->recvmsg)
		return -EOPNOTSUPP;
	m->msg_flags = 0;
	m->control_len = 0;
	return sk->ops->recvmsg(sk, m, flags,
				lbx_sock_nonblock(sk) || (flags & LX_MSG_DONTWAIT));
}

int lbx_sock_getname(struct lbx_file *f, void *addr, u32 *len, bool peer)
{
	return (int)SOCK_CALL(f, getname, addr, len, peer);
}

/* struct timeval (SO_RCVTIMEO_OLD) */
struct lx_timeval {
	s64 sec;
	s64 usec;
};

static int set_timeo(u64 *timeo, const void *val, u32 len)
{
	struct lx_timeval tv;
	u64 ns;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		/* Linux: a negative time is "do not wait at all"; the
		 * closest we have is the smallest timeout. */
		ns = 1;
	} else if (lbx_mul_overflow((u64)tv.sec, LBX_NSEC_PER_SEC, &ns) ||
		   lbx_add_overflow(ns, (u64)tv.usec * 1000, &ns)) {
		ns = 0;		/* too far to matter: no timeout */
	}
	__atomic_store_n(timeo, ns, __ATOMIC_RELAXED);
	return 0;
}

static int get_timeo(u64 timeo, void *val, u32 *len)
{
	struct lx_timeval tv = {
		.sec = (s64)(timeo / LBX_NSEC_PER_SEC),
		.usec = (s64)(timeo % LBX_NSEC_PER_SEC) / 1000,
	};
	u32 n = lbx_min(*len, (u32)sizeof(tv));

	memcpy(val, &tv, n);
	*len = n;
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

int lbx_sock_setsockopt(struct lbx_file *f, int level, int name,
			const void *val, u32 len)
{
	struct lbx_sock *sk;
	int ret = sock_of(f, &sk);

	if (ret)
		return ret;
	if (level == LX_SOL_SOCKET) {
		switch (name) {
		case LX_SO_RCVTIMEO:
			return set_timeo(&sk->rcvtimeo, val, len);
		case LX_SO_SNDTIMEO:
			return set_timeo(&sk->sndtimeo, val, len);
		case LX_SO_TYPE:
		case LX_SO_DOMAIN:
		case LX_SO_PROTOCOL:
		case LX_SO_ACCEPTCONN:
		case LX_SO_PEERCRED:
		case LX_SO_ERROR:
			return -ENOPROTOOPT;
		}
	}
	if (!sk->ops->setsockopt)
		return -ENOPROTOOPT;
	return sk->ops->setsockopt(sk, level, name, val, len);
}

int lbx_sock_getsockopt(struct lbx_file *f, int level, int name, void *val,
			u32 *len)
{
	struct lbx_sock *sk;
	int ret = sock_of(f, &sk);

	if (ret)
		return ret;
	if (level == LX_SOL_SOCKET) {
		switch (name) {
		case LX_SO_TYPE:
			return put_int(val, len, sk->type);
		case LX_SO_DOMAIN:
			return put_int(val, len, sk->family);
		case LX_SO_PROTOCOL:
			return put_int(val, len, sk->protocol);
		case LX_SO_RCVTIMEO:
			return get_timeo(LBX_READ_ONCE(sk->rcvtimeo), val, len);
		case LX_SO_SNDTIMEO:
			return get_timeo(LBX_READ_ONCE(sk->sndtimeo), val, len);
		}
	}
	if (!sk->ops->getsockopt)
		return -ENOPROTOOPT;
	return sk->ops->getsockopt(sk, level, name, val, len);
}

ssize_t lbx_sock_rw_vec(struct lbx_file *f, const struct lbx_kvec *vec,
			u32 nr, bool write)
{
	struct lbx_msg m = { 0 };
	int ret;

	if ((f->fmode & LBX_FMODE_PATH) ||
	    !(f->fmode & (write ? LBX_FMODE_WRITE : LBX_FMODE_READ)))
		return -EBADF;
	ret = lbx_msg_iter_init(&m.iter, vec, nr, true);
	if (ret)
		return ret;
	return write ? lbx_sock_sendmsg(f, &m, 0) : lbx_sock_recvmsg(f, &m, 0);
}
