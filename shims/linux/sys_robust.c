// SPDX-License-Identifier: GPL-2.0
/*
 * Robust futex lists: set_robust_list, get_robust_list, and what a thread's
 * end does with its list, as Linux's exit_robust_list() and
 * handle_futex_death() (kernel/futex/core.c): every futex on the list that
 * the dead thread owns gets FUTEX_OWNER_DIED (FUTEX_WAITERS kept), and one
 * waiter is woken, so that its pthread_mutex_lock() returns EOWNERDEAD.
 *
 * The list lives in guest memory and is the guest's to corrupt: it is read
 * with fault-safe copies, bounded (ROBUST_LIST_LIMIT entries), and a fault
 * ends the walk. Only the calling thread's address space is walked, so the
 * walk runs in a thread of the dying thread's process (its own exit, or the
 * thread that ends the process: exit_group, a fatal signal, execve).
 */
#include <litebox/futex.h>
#include "linux_shim.h"
#include "shim.h"

#define LX_ROBUST_LIST_LIMIT	2048
#define LX_FUTEX_WAITERS	0x80000000U
#define LX_FUTEX_OWNER_DIED	0x40000000U
#define LX_FUTEX_TID_MASK	0x3fffffffU
/* Attempts at the compare-and-exchange while the guest keeps changing the
 * word; Linux retries forever (with cond_resched), core cannot yield. */
#define LX_DEATH_RETRIES	1024

/* struct robust_list_head (x86-64). */
struct lx_robust_list_head {
	u64 next;		/* list.next; bit 0: a PI futex */
	s64 futex_offset;	/* from an entry to its futex word */
	u64 list_op_pending;	/* the entry being added or removed */
};

LBX_SYSCALL(set_robust_list)
{
	if (a1 != sizeof(struct lx_robust_list_head))
		return -EINVAL;
	LBX_WRITE_ONCE(s->t->robust_list, a0);
	return 0;
}

LBX_SYSCALL(get_robust_list)
{
	u64 len = sizeof(struct lx_robust_list_head), head;
	s32 tid = (s32)a0;

	if (tid) {
		struct lbx_thread *t = tid > 0 ?
			lbx_thread_find(s->p->sb, (u32)tid) : NULL;

		if (!t)
			return -ESRCH;
		head = LBX_READ_ONCE(t->robust_list);
		lbx_thread_put(t);
	} else {
		head = s->t->robust_list;
	}
	if (lbx_copy_to_guest(a2, &len, sizeof(len)))
		return -EFAULT;
	return lbx_copy_to_guest(a1, &head, sizeof(head));
}

/* One robust futex of the thread tid that ended (handle_futex_death()). */
static int futex_death(struct lbx_process *p, u64 uaddr, u32 tid, bool pi,
		       bool pending)
{
	struct lbx_futex_key k;
	u32 uval, mval, cur;
	int tries, ret;

	if (uaddr & (sizeof(u32) - 1))
		return -EINVAL;
	for (tries = 0; tries < LX_DEATH_RETRIES; tries++) {
		if (lbx_copy_from_guest(&uval, uaddr, sizeof(uval)))
			return -EFAULT;
		/*
		 * An unlock (or a woken waiter) that died between releasing
		 * the word and waking: wake a waiter, who takes the free
		 * lock, without marking a consistent mutex dead.
		 */
		if (pending && !pi && !(uval & LX_FUTEX_TID_MASK)) {
			lbx_linux_futex_key(p, uaddr, false, &k);
			lbx_futex_wake_key(p->sb->futex, &k, 1, LBX_FUTEX_BITSET_ANY);
			return 0;
		}
		if ((uval & LX_FUTEX_TID_MASK) != tid)
			return 0;
		mval = (uval & LX_FUTEX_WAITERS) | LX_FUTEX_OWNER_DIED;
		ret = lbx_guest_cmpxchg_u32(uaddr, uval, mval, &cur);
		if (ret)
			return ret;
		if (cur != uval)
			continue;	/* the guest changed it: look again */
		/* PI futexes are not provided (FUTEX_LOCK_PI is ENOSYS):
		 * nobody can wait on one here. */
		if (!pi && (uval & LX_FUTEX_WAITERS)) {
			lbx_linux_futex_key(p, uaddr, false, &k);
			lbx_futex_wake_key(p->sb->futex, &k, 1, LBX_FUTEX_BITSET_ANY);
		}
		return 0;
	}
	return -EAGAIN;
}

static int fetch_entry(u64 uaddr, u64 *entry, bool *pi)
{
	u64 v;

	if (lbx_copy_from_guest(&v, uaddr, sizeof(v)))
		return -EFAULT;
	*entry = v & ~1ULL;
	*pi = v & 1;
	return 0;
}

/* exit_robust_list() for the list at head of the thread tid of p. */
static void walk_list(struct lbx_process *p, u32 tid, u64 head)
{
	struct lx_robust_list_head h;
	u64 entry, next = 0, pending;
	u32 limit = LX_ROBUST_LIST_LIMIT;
	bool pi, next_pi = false, pending_pi;
	int rc;

	if (!head || lbx_copy_from_guest(&h, head, sizeof(h)))
		return;
	entry = h.next & ~1ULL;
	pi = h.next & 1;
	pending = h.list_op_pending & ~1ULL;
	pending_pi = h.list_op_pending & 1;
	while (entry != head) {
		/* The next entry first: the death may let another thread
		 * unlink and reuse this one. */
		rc = fetch_entry(entry, &next, &next_pi);
		/* A pending entry may already be linked: once is enough. */
		if (entry != pending &&
		    futex_death(p, entry + (u64)h.futex_offset, tid, pi, false))
			return;
		if (rc)
			return;
		entry = next;
		pi = next_pi;
		if (!--limit)
			break;	/* too long, or circular */
	}
	if (pending)
		futex_death(p, pending + (u64)h.futex_offset, tid, pending_pi, true);
}

void lbx_linux_robust_exit(struct lbx_thread *t)
{
	u64 head = LBX_READ_ONCE(t->robust_list);

	if (!head)
		return;
	LBX_WRITE_ONCE(t->robust_list, 0);
	walk_list(t->proc, t->tid, head);
}

void lbx_linux_robust_host_death(struct lbx_thread *t)
{
	lbx_linux_robust_exit(t);
}

void lbx_linux_robust_exit_all(struct lbx_thread *self)
{
	struct lbx_process *p = self->proc;
	struct lbx_sandbox *sb = p->sb;
	struct lbx_list_head *pos;
	struct {
		u32 tid;
		u64 head;
	} *v;
	u32 n = 0, max, i;

	/* The lists are walked outside sb->lock (guest copies may fault). */
	max = LBX_READ_ONCE(p->nr_threads);
	if (!max)
		return;
	v = lbx_plat_alloc((size_t)max * sizeof(*v));
	if (!v) {
		/* No memory: at least the caller's own list. */
		lbx_linux_robust_exit(self);
		return;
	}
	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (n == max)
			break;
		if (!t->robust_list)
			continue;
		v[n].tid = t->tid;
		v[n].head = t->robust_list;
		t->robust_list = 0;
		n++;
	}
	lbx_plat_mutex_unlock(&sb->lock);
	for (i = 0; i < n; i++)
		walk_list(p, v[i].tid, v[i].head);
	lbx_plat_free(v);
}
