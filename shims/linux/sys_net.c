// SPDX-License-Identifier: GPL-2.0
/*
 * Socket system calls: the Linux ABI (struct msghdr, mmsghdr, socklen_t
 * in-out lengths, SOCK_* flags) over core's socket layer (net.h).
 *
 * Guest memory is read once into kernel copies here (addresses, iovec
 * arrays, control data, option values) and checked; the payload bytes stay
 * in guest memory and the families move them with fault-safe copies.
 */
#include <litebox/fdtable.h>
#include <litebox/file.h>
#include <litebox/net.h>
#include <litebox/vfs.h>
#include "shim.h"

#define LX_SIGPIPE		13
#define LX_SOCKOPT_MAX		256

/* struct msghdr and struct mmsghdr (x86-64). */
struct lx_msghdr {
	u64 name;
	u32 namelen;
	u32 pad0;
	u64 iov;
	u64 iovlen;
	u64 control;
	u64 controllen;
	u32 flags;
	u32 pad1;
};

struct lx_mmsghdr {
	struct lx_msghdr hdr;
	u32 len;
	u32 pad;
};

static struct lbx_vfs *vfs(struct lbx_sys *s)
{
	return s->p->sb->vfs;
}

static u32 fd_flags(int type)
{
	return (type & LX_SOCK_CLOEXEC) ? LBX_FD_CLOEXEC : 0;
}

static long sock_file(struct lbx_sys *s, int fd, struct lbx_file **f)
{
	long ret = lbx_linux_fd_file(s, fd, f);

	if (ret)
		return ret;
	if (!lbx_file_is_socket(*f)) {
		lbx_file_put(*f);
		return -ENOTSOCK;
	}
	return 0;
}

/* Installs f (dropping the caller's reference) and returns the fd. */
static long install(struct lbx_sys *s, struct lbx_file *f, u32 flags)
{
	long fd = lbx_fd_install(s->p->files, f, flags, 0);

	lbx_file_put(f);
	return fd;
}

/* A guest sockaddr into buf (LBX_SOCKADDR_MAX bytes). */
static long addr_in(u64 uaddr, u64 len, void *buf)
{
	if ((s64)(s32)len < 0 || len > LBX_SOCKADDR_MAX)
		return -EINVAL;
	if (len && lbx_copy_from_guest(buf, uaddr, len))
		return -EFAULT;
	return 0;
}

/* Copies an address out, truncated to the guest's *ulen, and stores the
 * full length in *ulen (the socklen_t in-out convention). */
static long addr_out(u64 uaddr, u64 ulen, const void *addr, u32 len)
{
	s32 room;

	if (!uaddr)
		return 0;
	if (lbx_copy_from_guest(&room, ulen, sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	if (lbx_copy_to_guest(uaddr, addr, lbx_min((u32)room, len)))
		return -EFAULT;
	room = (s32)len;
	if (lbx_copy_to_guest(ulen, &room, sizeof(room)))
		return -EFAULT;
	return 0;
}

static long pipe_error(struct lbx_sys *s, long ret, u32 flags)
{
	if (ret == -EPIPE && !(flags & LX_MSG_NOSIGNAL))
		lbx_linux_signal_self(s, LX_SIGPIPE);
	return ret;
}

/* ---- creation ---- */

LBX_SYSCALL(socket)
{
	struct lbx_file *f;
	long ret;

	ret = lbx_sock_create(vfs(s), (int)a0, (int)a1, (int)a2, &f);
	if (ret)
		return ret;
	return install(s, f, fd_flags((int)a1));
}

LBX_SYSCALL(socketpair)
{
	struct lbx_fdtable *t = s->p->files;
	struct lbx_file *fa, *fb;
	s32 fds[2];
	long ret;

	ret = lbx_sock_socketpair(vfs(s), (int)a0, (int)a1, (int)a2, &fa, &fb);
	if (ret)
		return ret;
	fds[0] = lbx_fd_install(t, fa, fd_flags((int)a1), 0);
	fds[1] = fds[0] < 0 ? fds[0] : lbx_fd_install(t, fb, fd_flags((int)a1), 0);
	lbx_file_put(fa);
	lbx_file_put(fb);
	if (fds[0] < 0)
		return fds[0];
	if (fds[1] < 0) {
		lbx_fd_close(t, fds[0]);
		return fds[1];
	}
	if (lbx_copy_to_guest(a3, fds, sizeof(fds))) {
		lbx_fd_close(t, fds[0]);
		lbx_fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* ---- addresses and connections ---- */

LBX_SYSCALL(bind)
{
	u8 addr[LBX_SOCKADDR_MAX];
	struct lbx_file *f;
	long ret;

	ret = addr_in(a1, a2, addr);
	if (ret)
		return ret;
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_sock_bind(f, addr, (u32)a2);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(listen)
{
	struct lbx_file *f;
	long ret = sock_file(s, (int)a0, &f);

	if (ret)
		return ret;
	ret = lbx_sock_listen(f, (int)a1);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(accept4)
{
	u8 addr[LBX_SOCKADDR_MAX];
	struct lbx_file *f, *nf;
	u32 len = 0;
	long ret, fd;

	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_sock_accept(f, (u32)a3, &nf, a1 ? addr : NULL, &len);
	lbx_file_put(f);
	if (ret)
		return ret;
	fd = lbx_fd_install(s->p->files, nf, fd_flags((int)a3), 0);
	lbx_file_put(nf);
	if (fd < 0)
		return fd;
	ret = addr_out(a1, a2, addr, len);
	if (ret) {
		lbx_fd_close(s->p->files, (int)fd);
		return ret;
	}
	return fd;
}

LBX_SYSCALL(accept)
{
	return lbx_sys_accept4(s, a0, a1, a2, 0, 0, 0);
}

LBX_SYSCALL(connect)
{
	u8 addr[LBX_SOCKADDR_MAX];
	struct lbx_file *f;
	long ret;

	ret = addr_in(a1, a2, addr);
	if (ret)
		return ret;
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_sock_connect(f, addr, (u32)a2);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(shutdown)
{
	struct lbx_file *f;
	long ret = sock_file(s, (int)a0, &f);

	if (ret)
		return ret;
	ret = lbx_sock_shutdown(f, (int)a1);
	lbx_file_put(f);
	return ret;
}

static long getname(struct lbx_sys *s, int fd, u64 uaddr, u64 ulen, bool peer)
{
	u8 addr[LBX_SOCKADDR_MAX];
	struct lbx_file *f;
	u32 len = 0;
	long ret;

	ret = sock_file(s, fd, &f);
	if (ret)
		return ret;
	ret = lbx_sock_getname(f, addr, &len, peer);
	lbx_file_put(f);
	if (ret)
		return ret;
	if (!uaddr)
		return -EFAULT;
	return addr_out(uaddr, ulen, addr, lbx_min(len, (u32)LBX_SOCKADDR_MAX));
}

LBX_SYSCALL(getsockname)
{
	return getname(s, (int)a0, a1, a2, false);
}

LBX_SYSCALL(getpeername)
{
	return getname(s, (int)a0, a1, a2, true);
}

/* ---- options ---- */

LBX_SYSCALL(setsockopt)
{
	u8 val[LX_SOCKOPT_MAX];
	struct lbx_file *f;
	u32 len = (u32)a4;
	long ret;

	if ((s32)len < 0)
		return -EINVAL;
	len = lbx_min(len, (u32)LX_SOCKOPT_MAX);
	if (len && lbx_copy_from_guest(val, a3, len))
		return -EFAULT;
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_sock_setsockopt(f, (int)a1, (int)a2, val, len);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(getsockopt)
{
	u8 val[LX_SOCKOPT_MAX];
	struct lbx_file *f;
	s32 ulen;
	u32 len;
	long ret;

	if (lbx_copy_from_guest(&ulen, a4, sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	len = lbx_min((u32)ulen, (u32)LX_SOCKOPT_MAX);
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	memset(val, 0, sizeof(val));
	ret = lbx_sock_getsockopt(f, (int)a1, (int)a2, val, &len);
	lbx_file_put(f);
	if (ret)
		return ret;
	len = lbx_min(len, (u32)ulen);
	if (lbx_copy_to_guest(a3, val, len))
		return -EFAULT;
	ulen = (s32)len;
	if (lbx_copy_to_guest(a4, &ulen, sizeof(ulen)))
		return -EFAULT;
	return 0;
}

/* ---- data ---- */

/* The kernel side of one guest msghdr: what msg_in() allocated. */
struct kmsg {
	struct lbx_msg m;
	struct lbx_kvec *iov;
	u8 name[LBX_SOCKADDR_MAX];
};

static void kmsg_free(struct kmsg *k)
{
	lbx_plat_free(k->iov);
	lbx_plat_free(k->m.control);
	k->iov = NULL;
	k->m.control = NULL;
}

/* Copies the iovec array of h into k and sets up the iterator. */
static long iov_in(struct kmsg *k, u64 uiov, u64 cnt)
{
	long ret;

	if (cnt > LBX_UIO_MAXIOV)
		return -EMSGSIZE;
	if (cnt) {
		k->iov = lbx_plat_alloc(cnt * sizeof(*k->iov));
		if (!k->iov)
			return -ENOMEM;
		if (lbx_copy_from_guest(k->iov, uiov, cnt * sizeof(*k->iov)))
			return -EFAULT;
	}
	ret = lbx_msg_iter_init(&k->m.iter, k->iov, (u32)cnt, true);
	return ret;
}

static long msg_in(struct lbx_sys *s, const struct lx_msghdr *h, struct kmsg *k,
		   bool send)
{
	long ret;

	memset(k, 0, sizeof(*k));
	k->m.fdt = s->p->files;
	ret = iov_in(k, h->iov, h->iovlen);
	if (ret)
		return ret;
	if (send) {
		if (h->name) {
			ret = addr_in(h->name, h->namelen, k->name);
			if (ret)
				return ret;
			k->m.name = k->name;
			k->m.name_len = h->namelen;
		}
		if (h->controllen) {
			if (h->controllen > LBX_CMSG_MAX)
				return -ENOBUFS;
			k->m.control = lbx_plat_alloc(h->controllen);
			if (!k->m.control)
				return -ENOMEM;
			if (lbx_copy_from_guest(k->m.control, h->control,
						h->controllen))
				return -EFAULT;
			k->m.control_len = (u32)h->controllen;
		}
	} else {
		k->m.name = k->name;
		if (h->control && h->controllen) {
			u32 cap = (u32)lbx_min(h->controllen, (u64)LBX_CMSG_MAX);

			k->m.control = lbx_plat_alloc(cap);
			if (!k->m.control)
				return -ENOMEM;
			k->m.control_cap = cap;
		}
	}
	return 0;
}

/* Writes what recvmsg produced back into the guest msghdr at umsg. */
static long msg_out(u64 umsg, const struct lx_msghdr *h, struct kmsg *k)
{
	u32 namelen = 0;
	u64 clen = k->m.control_len;
	u32 flags = k->m.msg_flags;

	if (h->name && k->m.name_len) {
		namelen = lbx_min(k->m.name_len, h->namelen);
		if (lbx_copy_to_guest(h->name, k->name,
				      lbx_min(namelen, (u32)LBX_SOCKADDR_MAX)))
			return -EFAULT;
		namelen = k->m.name_len;
	}
	if (clen && lbx_copy_to_guest(h->control, k->m.control, clen))
		return -EFAULT;
	if (lbx_copy_to_guest(umsg + __builtin_offsetof(struct lx_msghdr, namelen),
			      &namelen, sizeof(namelen)) ||
	    lbx_copy_to_guest(umsg + __builtin_offsetof(struct lx_msghdr, controllen),
			      &clen, sizeof(clen)) ||
	    lbx_copy_to_guest(umsg + __builtin_offsetof(struct lx_msghdr, flags),
			      &flags, sizeof(flags)))
		return -EFAULT;
	return 0;
}

static long do_sendmsg(struct lbx_sys *s, struct lbx_file *f, u64 umsg, u32 flags)
{
	struct lx_msghdr h;
	struct kmsg k;
	long ret;

	if (lbx_copy_from_guest(&h, umsg, sizeof(h)))
		return -EFAULT;
	ret = msg_in(s, &h, &k, true);
	if (!ret)
		ret = lbx_sock_sendmsg(f, &k.m, flags);
	kmsg_free(&k);
	return ret;
}

static long do_recvmsg(struct lbx_sys *s, struct lbx_file *f, u64 umsg, u32 flags)
{
	struct lx_msghdr h;
	struct kmsg k;
	long ret, ret2;

	if (lbx_copy_from_guest(&h, umsg, sizeof(h)))
		return -EFAULT;
	if ((s32)h.namelen < 0)
		return -EINVAL;
	ret = msg_in(s, &h, &k, false);
	if (!ret)
		ret = lbx_sock_recvmsg(f, &k.m, flags);
	if (ret >= 0) {
		ret2 = msg_out(umsg, &h, &k);
		if (ret2)
			ret = ret2;
	}
	kmsg_free(&k);
	return ret;
}

LBX_SYSCALL(sendmsg)
{
	struct lbx_file *f;
	long ret = sock_file(s, (int)a0, &f);

	if (ret)
		return ret;
	ret = do_sendmsg(s, f, a1, (u32)a2);
	lbx_file_put(f);
	return pipe_error(s, ret, (u32)a2);
}

LBX_SYSCALL(recvmsg)
{
	struct lbx_file *f;
	long ret = sock_file(s, (int)a0, &f);

	if (ret)
		return ret;
	ret = do_recvmsg(s, f, a1, (u32)a2);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(sendto)
{
	struct kmsg k;
	struct lbx_file *f;
	u32 flags = (u32)a3;
	long ret;

	memset(&k, 0, sizeof(k));
	k.m.fdt = s->p->files;
	if (a4) {
		ret = addr_in(a4, a5, k.name);
		if (ret)
			return ret;
		k.m.name = k.name;
		k.m.name_len = (u32)a5;
	}
	if (a2 > LBX_MAX_RW_COUNT)
		a2 = LBX_MAX_RW_COUNT;
	k.iov = NULL;
	{
		struct lbx_kvec v = { .base = a1, .len = a2 };

		ret = lbx_msg_iter_init(&k.m.iter, &v, 1, true);
		if (ret)
			return ret;
		ret = sock_file(s, (int)a0, &f);
		if (ret)
			return ret;
		ret = lbx_sock_sendmsg(f, &k.m, flags);
		lbx_file_put(f);
	}
	return pipe_error(s, ret, flags);
}

LBX_SYSCALL(recvfrom)
{
	struct lbx_kvec v = { .base = a1, .len = lbx_min(a2, LBX_MAX_RW_COUNT) };
	struct kmsg k;
	struct lbx_file *f;
	long ret, ret2;

	memset(&k, 0, sizeof(k));
	k.m.fdt = s->p->files;
	k.m.name = k.name;
	ret = lbx_msg_iter_init(&k.m.iter, &v, 1, true);
	if (ret)
		return ret;
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	ret = lbx_sock_recvmsg(f, &k.m, (u32)a3);
	lbx_file_put(f);
	if (ret >= 0 && a4) {
		ret2 = addr_out(a4, a5, k.name, k.m.name_len);
		if (ret2)
			ret = ret2;
	}
	return ret;
}

LBX_SYSCALL(sendmmsg)
{
	u64 vec = a1;
	u32 vlen = (u32)lbx_min(a2, (u64)LBX_UIO_MAXIOV), flags = (u32)a3, i;
	struct lbx_file *f;
	long ret = sock_file(s, (int)a0, &f), n = 0;

	if (ret)
		return ret;
	for (i = 0; i < vlen; i++) {
		u64 um = vec + (u64)i * sizeof(struct lx_mmsghdr);
		u32 len;

		ret = do_sendmsg(s, f, um, flags);
		if (ret < 0)
			break;
		len = (u32)ret;
		if (lbx_copy_to_guest(um + __builtin_offsetof(struct lx_mmsghdr, len),
				      &len, sizeof(len))) {
			ret = -EFAULT;
			break;
		}
		n++;
	}
	lbx_file_put(f);
	if (n)
		return n;
	return pipe_error(s, ret, flags);
}

LBX_SYSCALL(recvmmsg)
{
	u64 vec = a1;
	u32 vlen = (u32)lbx_min(a2, (u64)LBX_UIO_MAXIOV), flags = (u32)a3, i;
	struct lbx_file *f;
	long ret, n = 0;

	/* The timeout (a4) is checked by Linux only between messages; it is
	 * accepted and ignored here. */
	ret = sock_file(s, (int)a0, &f);
	if (ret)
		return ret;
	for (i = 0; i < vlen; i++) {
		u64 um = vec + (u64)i * sizeof(struct lx_mmsghdr);
		u32 len;

		ret = do_recvmsg(s, f, um, flags & ~(u32)LX_MSG_WAITFORONE);
		if (ret < 0)
			break;
		len = (u32)ret;
		if (lbx_copy_to_guest(um + __builtin_offsetof(struct lx_mmsghdr, len),
				      &len, sizeof(len))) {
			ret = -EFAULT;
			break;
		}
		n++;
		if (flags & LX_MSG_WAITFORONE)
			flags |= LX_MSG_DONTWAIT;
	}
	lbx_file_put(f);
	return n ? n : ret;
}
