// SPDX-License-Identifier: GPL-2.0
/* Pipes, eventfd, futexes, and waiting on descriptors: poll, ppoll, select. */
#include <litebox/eventfd.h>
#include <litebox/fdtable.h>
#include <litebox/file.h>
#include <litebox/fsabi.h>
#include <litebox/futex.h>
#include <litebox/pipe.h>
#include <litebox/poll.h>
#include <litebox/vfs.h>
#include "shim.h"

#define LX_FUTEX_WAIT		0
#define LX_FUTEX_WAKE		1
#define LX_FUTEX_REQUEUE	3
#define LX_FUTEX_CMP_REQUEUE	4
#define LX_FUTEX_WAKE_OP	5
#define LX_FUTEX_WAIT_BITSET	9
#define LX_FUTEX_WAKE_BITSET	10
#define LX_FUTEX_PRIVATE	128
#define LX_FUTEX_CLOCK_REALTIME	256
#define LX_FUTEX_BITSET_ANY	0xffffffffU

#define LX_FD_SETSIZE_MAX	(1 << 20)

struct lx_ts {
	s64 sec;
	s64 nsec;
};

/* A guest timespec as nanoseconds; -EINVAL for a malformed one. */
static int read_timespec(u64 addr, u64 *ns)
{
	struct lx_ts ts;

	if (lbx_copy_from_guest(&ts, addr, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (s64)LBX_NSEC_PER_SEC)
		return -EINVAL;
	if (lbx_mul_overflow((u64)ts.sec, LBX_NSEC_PER_SEC, ns) ||
	    lbx_add_overflow(*ns, (u64)ts.nsec, ns))
		*ns = (u64)-2;
	return 0;
}

static u64 deadline_after(u64 ns)
{
	u64 d;

	if (lbx_add_overflow(lbx_plat_now_mono(), ns, &d) || d == LBX_NO_DEADLINE)
		return LBX_NO_DEADLINE - 1;
	return d;
}

/* ---- pipes and eventfd ---- */

static long install_pair(struct lbx_sys *s, struct lbx_file *rd, struct lbx_file *wr,
			 u32 cloexec, s32 fds[2])
{
	struct lbx_fdtable *t = s->p->files;

	fds[0] = lbx_fd_install(t, rd, cloexec, 0);
	if (fds[0] < 0)
		return fds[0];
	fds[1] = lbx_fd_install(t, wr, cloexec, 0);
	if (fds[1] < 0) {
		lbx_fd_close(t, fds[0]);
		return fds[1];
	}
	return 0;
}

LBX_SYSCALL(pipe2)
{
	struct lbx_file *rd, *wr;
	u32 flags = (u32)a1;
	s32 fds[2];
	long ret;

	if (flags & ~(u32)(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_O_DIRECT))
		return -EINVAL;
	ret = lbx_pipe_create(s->p->sb->vfs, flags & ~(u32)LX_O_CLOEXEC, &rd, &wr);
	if (ret)
		return ret;
	ret = install_pair(s, rd, wr, flags & LX_O_CLOEXEC ? LBX_FD_CLOEXEC : 0, fds);
	lbx_file_put(rd);
	lbx_file_put(wr);
	if (ret)
		return ret;
	if (lbx_copy_to_guest(a0, fds, sizeof(fds))) {
		lbx_fd_close(s->p->files, fds[0]);
		lbx_fd_close(s->p->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

LBX_SYSCALL(pipe)
{
	return lbx_sys_pipe2(s, a0, 0, 0, 0, 0, 0);
}

LBX_SYSCALL(eventfd2)
{
	struct lbx_file *f;
	u32 flags = (u32)a1;
	long ret;

	if (flags & ~(u32)(LX_EFD_SEMAPHORE | LX_EFD_NONBLOCK | LX_EFD_CLOEXEC))
		return -EINVAL;
	ret = lbx_eventfd_create(s->p->sb->vfs, (u32)a0, flags, &f);
	if (ret)
		return ret;
	ret = lbx_fd_install(s->p->files, f, flags & LX_EFD_CLOEXEC ? LBX_FD_CLOEXEC : 0, 0);
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(eventfd)
{
	return lbx_sys_eventfd2(s, a0, 0, 0, 0, 0, 0);
}

/* ---- futex ---- */

LBX_SYSCALL(futex)
{
	struct lbx_futex_table *ft = s->p->sb->futex;
	u32 op = (u32)a1 & ~(u32)(LX_FUTEX_PRIVATE | LX_FUTEX_CLOCK_REALTIME);
	bool realtime = a1 & LX_FUTEX_CLOCK_REALTIME;
	bool private = a1 & LX_FUTEX_PRIVATE;
	struct lbx_futex_key k, k2;
	u64 deadline = LBX_NO_DEADLINE, ns;
	u32 bitset = LX_FUTEX_BITSET_ANY, cmp;
	int ret;

	if (a0 & 3)
		return -EINVAL;
	lbx_linux_futex_key(s->p, a0, private, &k);
	switch (op) {
	case LX_FUTEX_WAIT:
	case LX_FUTEX_WAIT_BITSET:
		if (op == LX_FUTEX_WAIT_BITSET) {
			bitset = (u32)a5;
			if (!bitset)
				return -EINVAL;
		} else if (realtime) {
			return -ENOSYS;	/* as Linux: CLOCK_REALTIME needs WAIT_BITSET */
		}
		if (a3) {
			ret = read_timespec(a3, &ns);
			if (ret)
				return ret;
			if (op == LX_FUTEX_WAIT) {
				deadline = deadline_after(ns);
			} else if (realtime) {
				u64 now = lbx_plat_now_real();

				deadline = ns > now ? deadline_after(ns - now) :
						      lbx_plat_now_mono();
			} else {
				deadline = ns;
			}
		}
		return lbx_futex_wait_key(ft, &k, a0, (u32)a2, bitset, deadline, s->t);
	case LX_FUTEX_WAKE:
		return lbx_futex_wake_key(ft, &k, (int)a2, LX_FUTEX_BITSET_ANY);
	case LX_FUTEX_WAKE_BITSET:
		if (!(u32)a5)
			return -EINVAL;
		return lbx_futex_wake_key(ft, &k, (int)a2, (u32)a5);
	case LX_FUTEX_REQUEUE:
	case LX_FUTEX_CMP_REQUEUE:
		/* The second word has its own key (it may be elsewhere). */
		if (a4 & 3)
			return -EINVAL;
		lbx_linux_futex_key(s->p, a4, private, &k2);
		cmp = (u32)a5;
		return lbx_futex_requeue_key(ft, &k, a0, (int)a2, &k2, (int)a3,
					     op == LX_FUTEX_CMP_REQUEUE ? &cmp : NULL);
	case LX_FUTEX_WAKE_OP:
		if (a4 & 3)
			return -EINVAL;
		lbx_linux_futex_key(s->p, a4, private, &k2);
		return lbx_futex_wake_op_key(ft, &k, (int)a2, &k2, a4, (int)a3, (u32)a5);
	default:
		return -ENOSYS;
	}
}

/* ---- poll and select ---- */

struct lx_pollfd {
	s32 fd;
	s16 events;
	s16 revents;
};

/* Fills entries from the guest's pollfds; returns 0 or -errno. */
static int poll_prepare(struct lbx_sys *s, const struct lx_pollfd *pfd,
			struct lbx_poll_entry *e, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		e[i].file = NULL;
		e[i].events = (u16)pfd[i].events;
		e[i].revents = 0;
		if (pfd[i].fd < 0) {
			e[i].events = 0;
			continue;
		}
		e[i].file = lbx_fd_get(s->p->files, pfd[i].fd);
		if (!e[i].file)
			e[i].revents = LX_POLLNVAL;
	}
	return 0;
}

static void poll_release(struct lbx_poll_entry *e, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (e[i].file)
			lbx_file_put(e[i].file);
}

static long do_poll(struct lbx_sys *s, u64 ufds, u64 nfds, u64 deadline)
{
	struct lbx_poll_entry *e = NULL;
	struct lx_pollfd *pfd = NULL;
	long ret;
	u32 i;

	if (nfds > s->p->rlim[7].cur || nfds > LX_FD_SETSIZE_MAX)
		return -EINVAL;
	if (nfds) {
		pfd = lbx_plat_alloc_large(nfds * sizeof(*pfd));
		e = lbx_plat_alloc_large(nfds * sizeof(*e));
		if (!pfd || !e) {
			ret = -ENOMEM;
			goto out;
		}
		if (lbx_copy_from_guest(pfd, ufds, nfds * sizeof(*pfd))) {
			ret = -EFAULT;
			goto out;
		}
		poll_prepare(s, pfd, e, nfds);
	}
	ret = lbx_poll_wait(e, nfds, deadline, s->t);
	for (i = 0; ret >= 0 && i < nfds; i++)
		pfd[i].revents = (s16)e[i].revents;
	if (ret >= 0 && nfds && lbx_copy_to_guest(ufds, pfd, nfds * sizeof(*pfd)))
		ret = -EFAULT;
	poll_release(e, nfds);
out:
	lbx_plat_free_large(e);
	lbx_plat_free_large(pfd);
	return ret;
}

LBX_SYSCALL(poll)
{
	s32 ms = (s32)a2;
	u64 deadline = LBX_NO_DEADLINE;

	if (ms >= 0)
		deadline = deadline_after((u64)ms * 1000000ULL);
	return do_poll(s, a0, a1, deadline);
}

LBX_SYSCALL(ppoll)
{
	u64 deadline = LBX_NO_DEADLINE, ns;
	int ret;

	if (a3 && a4 != sizeof(u64))
		return -EINVAL;
	if (a2) {
		ret = read_timespec(a2, &ns);
		if (ret)
			return ret;
		deadline = deadline_after(ns);
	}
	return do_poll(s, a0, a1, deadline);
}

#define SEL_IN	(LX_POLLIN | LX_POLLRDNORM | LX_POLLHUP | LX_POLLERR)
#define SEL_OUT	(LX_POLLOUT | LX_POLLWRNORM | LX_POLLERR)
#define SEL_EX	(LX_POLLPRI)

/* select over poll: one entry per descriptor named in any set. */
static long do_select(struct lbx_sys *s, s32 nfds, u64 uin, u64 uout, u64 uex,
		      u64 deadline)
{
	u64 *sets[3] = { NULL, NULL, NULL }, *res[3] = { NULL, NULL, NULL };
	u64 uset[3] = { uin, uout, uex };
	struct lbx_poll_entry *e = NULL;
	u32 words, n = 0, i, k, *fdof = NULL;
	long ret = 0, count = 0;

	if (nfds < 0)
		return -EINVAL;
	if ((u64)nfds > s->p->rlim[7].cur)
		nfds = (s32)s->p->rlim[7].cur;
	words = ((u32)nfds + 63) / 64;
	for (k = 0; k < 3 && words; k++) {
		if (!uset[k])
			continue;
		sets[k] = lbx_plat_alloc(words * 8);
		res[k] = lbx_plat_alloc(words * 8);
		if (!sets[k] || !res[k]) {
			ret = -ENOMEM;
			goto out;
		}
		if (lbx_copy_from_guest(sets[k], uset[k], ((u32)nfds + 7) / 8)) {
			ret = -EFAULT;
			goto out;
		}
		if (nfds % 64)
			sets[k][words - 1] &= (1ULL << (nfds % 64)) - 1;
	}
	e = lbx_plat_alloc_large((u64)(nfds ? nfds : 1) * sizeof(*e));
	fdof = lbx_plat_alloc_large((u64)(nfds ? nfds : 1) * sizeof(*fdof));
	if (!e || !fdof) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < (u32)nfds; i++) {
		u32 ev = 0;

		for (k = 0; k < 3; k++)
			if (sets[k] && (sets[k][i / 64] >> (i % 64) & 1))
				ev |= k == 0 ? SEL_IN : k == 1 ? SEL_OUT : SEL_EX;
		if (!ev)
			continue;
		e[n].file = lbx_fd_get(s->p->files, (int)i);
		if (!e[n].file) {
			ret = -EBADF;
			break;
		}
		e[n].events = ev;
		e[n].revents = 0;
		fdof[n++] = i;
	}
	if (!ret)
		ret = lbx_poll_wait(e, n, deadline, s->t);
	if (ret >= 0) {
		for (i = 0; i < n; i++) {
			u32 fd = fdof[i], r = e[i].revents;

			for (k = 0; k < 3; k++) {
				u32 want = k == 0 ? SEL_IN : k == 1 ? SEL_OUT : SEL_EX;

				if (sets[k] && (sets[k][fd / 64] >> (fd % 64) & 1) && (r & want)) {
					res[k][fd / 64] |= 1ULL << (fd % 64);
					count++;
				}
			}
		}
		for (k = 0; k < 3; k++)
			if (sets[k] && lbx_copy_to_guest(uset[k], res[k], ((u32)nfds + 7) / 8))
				ret = -EFAULT;
		if (ret >= 0)
			ret = count;
	}
	poll_release(e, n);
out:
	lbx_plat_free_large(fdof);
	lbx_plat_free_large(e);
	for (k = 0; k < 3; k++) {
		lbx_plat_free(sets[k]);
		lbx_plat_free(res[k]);
	}
	return ret;
}

struct lx_timeval {
	s64 sec;
	s64 usec;
};

LBX_SYSCALL(select)
{
	u64 deadline = LBX_NO_DEADLINE;
	struct lx_timeval tv;
	long ret;

	if (a4) {
		if (lbx_copy_from_guest(&tv, a4, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0)
			return -EINVAL;
		deadline = deadline_after((u64)tv.sec * LBX_NSEC_PER_SEC +
					  (u64)(tv.usec % 1000000) * 1000 +
					  (u64)(tv.usec / 1000000) * LBX_NSEC_PER_SEC);
	}
	ret = do_select(s, (s32)a0, a1, a2, a3, deadline);
	if (a4 && ret >= 0) {
		/* Linux writes back the time left. */
		u64 now = lbx_plat_now_mono(), left = deadline > now ? deadline - now : 0;

		tv.sec = (s64)(left / LBX_NSEC_PER_SEC);
		tv.usec = (s64)(left % LBX_NSEC_PER_SEC / 1000);
		lbx_copy_to_guest(a4, &tv, sizeof(tv));
	}
	return ret;
}

LBX_SYSCALL(pselect6)
{
	u64 deadline = LBX_NO_DEADLINE, ns;
	int ret;

	if (a4) {
		ret = read_timespec(a4, &ns);
		if (ret)
			return ret;
		deadline = deadline_after(ns);
	}
	return do_select(s, (s32)a0, a1, a2, a3, deadline);
}
