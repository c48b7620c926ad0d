// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials: the get/set*id calls, supplementary groups, capget and
 * capset over core/task/cred.c's model (docs/creds.md).
 */
#include <litebox/cred.h>
#include "shim.h"

#define LX_SIGCONT		18

/* Linux's capability header versions. */
#define LX_CAP_V1		0x19980330
#define LX_CAP_V2		0x20071026
#define LX_CAP_V3		0x20080522

struct lx_cap_header {
	u32 version;
	s32 pid;
};

struct lx_cap_data {
	u32 effective;
	u32 permitted;
	u32 inheritable;
};

/* A change of the calling thread's credentials (only its own, as Linux's
 * commit_creds()): fn computes it from the current ones under the sandbox
 * lock, where other threads read them. */
struct cred_args {
	u32 a, b, c;
	const u32 *groups;	/* setgroups' list; capset's data */
};
typedef int (*cred_fn)(const struct lbx_cred *c, struct lbx_cred *n,
		       const struct cred_args *args);

static long cred_change(struct lbx_sys *s, cred_fn fn, const struct cred_args *args,
			u32 *old_fs)
{
	struct lbx_thread *t = s->t;
	struct lbx_cred n;
	int ret;

	lbx_plat_mutex_lock(&s->p->sb->lock);
	if (old_fs)
		*old_fs = args->b ? t->cred.fsgid : t->cred.fsuid;
	ret = fn(&t->cred, &n, args);
	if (!ret) {
		/* As Linux's commit_creds(): a change of the effective or fs
		 * ids, or capabilities gained, clears PR_SET_PDEATHSIG. */
		if (n.euid != t->cred.euid || n.egid != t->cred.egid ||
		    n.fsuid != t->cred.fsuid || n.fsgid != t->cred.fsgid ||
		    (n.cap_permitted && !t->cred.cap_permitted))
			LBX_WRITE_ONCE(t->pdeath_sig, 0);
		lbx_cred_install_locked(t, &n);
	}
	lbx_plat_mutex_unlock(&s->p->sb->lock);
	return ret;
}

/* The calling thread's own credentials: written by itself only, so read
 * without the lock. */
LBX_SYSCALL(getuid)
{
	return s->t->cred.uid;
}

LBX_SYSCALL(geteuid)
{
	return s->t->cred.euid;
}

LBX_SYSCALL(getgid)
{
	return s->t->cred.gid;
}

LBX_SYSCALL(getegid)
{
	return s->t->cred.egid;
}

static long put_three(u64 ua, u64 ub, u64 uc, u32 a, u32 b, u32 c)
{
	if (lbx_copy_to_guest(ua, &a, sizeof(a)) ||
	    lbx_copy_to_guest(ub, &b, sizeof(b)) ||
	    lbx_copy_to_guest(uc, &c, sizeof(c)))
		return -EFAULT;
	return 0;
}

LBX_SYSCALL(getresuid)
{
	const struct lbx_cred *c = &s->t->cred;

	return put_three(a0, a1, a2, c->uid, c->euid, c->suid);
}

LBX_SYSCALL(getresgid)
{
	const struct lbx_cred *c = &s->t->cred;

	return put_three(a0, a1, a2, c->gid, c->egid, c->sgid);
}

static int do_setuid(const struct lbx_cred *c, struct lbx_cred *n,
		     const struct cred_args *x)
{
	return lbx_cred_setuid(c, n, x->a);
}

static int do_setgid(const struct lbx_cred *c, struct lbx_cred *n,
		     const struct cred_args *x)
{
	return lbx_cred_setgid(c, n, x->a);
}

static int do_setreuid(const struct lbx_cred *c, struct lbx_cred *n,
		       const struct cred_args *x)
{
	return lbx_cred_setreuid(c, n, x->a, x->b);
}

static int do_setregid(const struct lbx_cred *c, struct lbx_cred *n,
		       const struct cred_args *x)
{
	return lbx_cred_setregid(c, n, x->a, x->b);
}

static int do_setresuid(const struct lbx_cred *c, struct lbx_cred *n,
			const struct cred_args *x)
{
	return lbx_cred_setresuid(c, n, x->a, x->b, x->c);
}

static int do_setresgid(const struct lbx_cred *c, struct lbx_cred *n,
			const struct cred_args *x)
{
	return lbx_cred_setresgid(c, n, x->a, x->b, x->c);
}

static int do_setfsid(const struct lbx_cred *c, struct lbx_cred *n,
		      const struct cred_args *x)
{
	if (x->b)
		lbx_cred_setfsgid(c, n, x->a);
	else
		lbx_cred_setfsuid(c, n, x->a);
	return 0;
}

static int do_setgroups(const struct lbx_cred *c, struct lbx_cred *n,
			const struct cred_args *x)
{
	return lbx_cred_setgroups(c, n, x->groups, x->a);
}

LBX_SYSCALL(setuid)
{
	struct cred_args x = { .a = (u32)a0 };

	return cred_change(s, do_setuid, &x, NULL);
}

LBX_SYSCALL(setgid)
{
	struct cred_args x = { .a = (u32)a0 };

	return cred_change(s, do_setgid, &x, NULL);
}

LBX_SYSCALL(setreuid)
{
	struct cred_args x = { .a = (u32)a0, .b = (u32)a1 };

	return cred_change(s, do_setreuid, &x, NULL);
}

LBX_SYSCALL(setregid)
{
	struct cred_args x = { .a = (u32)a0, .b = (u32)a1 };

	return cred_change(s, do_setregid, &x, NULL);
}

LBX_SYSCALL(setresuid)
{
	struct cred_args x = { .a = (u32)a0, .b = (u32)a1, .c = (u32)a2 };

	return cred_change(s, do_setresuid, &x, NULL);
}

LBX_SYSCALL(setresgid)
{
	struct cred_args x = { .a = (u32)a0, .b = (u32)a1, .c = (u32)a2 };

	return cred_change(s, do_setresgid, &x, NULL);
}

/* setfsuid and setfsgid answer the previous id, whether or not they
 * changed it (b selects the gid). */
LBX_SYSCALL(setfsuid)
{
	struct cred_args x = { .a = (u32)a0, .b = 0 };
	u32 old;

	cred_change(s, do_setfsid, &x, &old);
	return old;
}

LBX_SYSCALL(setfsgid)
{
	struct cred_args x = { .a = (u32)a0, .b = 1 };
	u32 old;

	cred_change(s, do_setfsid, &x, &old);
	return old;
}

LBX_SYSCALL(getgroups)
{
	s32 size = (s32)a0;
	struct lbx_cred c;

	if (size < 0)
		return -EINVAL;
	c = s->t->cred;
	if (size) {
		if (c.ngroups > (u32)size)
			return -EINVAL;
		if (lbx_copy_to_guest(a1, c.groups, c.ngroups * sizeof(u32)))
			return -EFAULT;
	}
	return c.ngroups;
}

LBX_SYSCALL(setgroups)
{
	u32 groups[LBX_NGROUPS_MAX];
	struct cred_args x = { .groups = groups };
	s32 size = (s32)a0;

	if (!lbx_cred_capable(&s->t->cred))
		return -EPERM;
	/* Linux allows 65536 (NGROUPS_MAX); LiteBox LBX_NGROUPS_MAX. */
	if (size < 0 || size > LBX_NGROUPS_MAX)
		return -EINVAL;
	x.a = (u32)size;
	if (size && lbx_copy_from_guest(groups, a1, (size_t)size * sizeof(u32)))
		return -EFAULT;
	return cred_change(s, do_setgroups, &x, NULL);
}

/*
 * The capability header: v1 has one data struct, v2 and v3 two (the high
 * 32 capabilities in the second). An unknown version is answered with the
 * preferred one and -EINVAL (0 for capget's probe with no data).
 */
static long cap_header(struct lbx_sys *s, u64 uhdr, struct lx_cap_header *h,
		       u32 *nstructs)
{
	if (lbx_copy_from_guest(h, uhdr, sizeof(*h)))
		return -EFAULT;
	switch (h->version) {
	case LX_CAP_V1:
		*nstructs = 1;
		break;
	case LX_CAP_V2:
	case LX_CAP_V3:
		*nstructs = 2;
		break;
	default: {
		u32 v3 = LX_CAP_V3;

		if (lbx_copy_to_guest(uhdr, &v3, sizeof(v3)))
			return -EFAULT;
		return -EINVAL;
	}
	}
	if (h->pid < 0)
		return -EINVAL;
	return 0;
}

LBX_SYSCALL(capget)
{
	struct lx_cap_data d[2];
	struct lx_cap_header h;
	struct lbx_cred c;
	u32 nstructs, i;
	long ret;

	ret = cap_header(s, a0, &h, &nstructs);
	if (!a1)
		return ret == -EINVAL ? 0 : ret;
	if (ret)
		return ret;
	if (h.pid && (u32)h.pid != s->t->tid) {
		struct lbx_thread *t = lbx_thread_find(s->p->sb, (u32)h.pid);

		if (!t)
			return -ESRCH;
		lbx_cred_get(t, &c);
		lbx_thread_put(t);
	} else {
		c = s->t->cred;
	}
	for (i = 0; i < 2; i++) {
		u32 full = (u32)(LBX_CAP_FULL >> (32 * i));

		d[i].effective = c.cap_effective ? full : 0;
		d[i].permitted = c.cap_permitted ? full : 0;
		d[i].inheritable = 0;
	}
	if (lbx_copy_to_guest(a1, d, nstructs * sizeof(d[0])))
		return -EFAULT;
	return 0;
}

/* One field of the capability data as 64 bits (v1: the low 32 only). */
static u64 cap_field(const struct lx_cap_data *d, u32 nstructs, size_t field)
{
	u64 v = *(const u32 *)((const char *)&d[0] + field);

	if (nstructs == 2)
		v |= (u64)*(const u32 *)((const char *)&d[1] + field) << 32;
	return v;
}

/*
 * Linux's checks first: the permitted set may only shrink, the effective
 * set must lie within the new permitted one, the inheritable within the
 * old permitted (EPERM). Then the model's own limit: all or nothing, and
 * no inheritable set (EINVAL).
 */
static int do_capset(const struct lbx_cred *c, struct lbx_cred *n,
		     const struct cred_args *x)
{
	const struct lx_cap_data *d = (const void *)x->groups;
	u64 full = x->c == 1 ? 0xffffffffULL : LBX_CAP_FULL;
	u64 old = c->cap_permitted ? full : 0;
	u64 eff = cap_field(d, x->c, __builtin_offsetof(struct lx_cap_data, effective));
	u64 prm = cap_field(d, x->c, __builtin_offsetof(struct lx_cap_data, permitted));
	u64 inh = cap_field(d, x->c, __builtin_offsetof(struct lx_cap_data, inheritable));

	if ((prm & ~old) || (eff & ~prm) || (inh & ~old))
		return -EPERM;
	if (inh || (prm && prm != full) || (eff && eff != full))
		return -EINVAL;
	*n = *c;
	n->cap_permitted = prm != 0;
	n->cap_effective = eff != 0;
	return 0;
}

LBX_SYSCALL(capset)
{
	struct lx_cap_data d[2] = {};
	struct lx_cap_header h;
	struct cred_args x = { .groups = (const u32 *)d };
	long ret;

	ret = cap_header(s, a0, &h, &x.c);
	if (ret)
		return ret;
	/* Only the calling thread itself, as Linux (-EPERM). */
	if (h.pid && (u32)h.pid != s->t->tid)
		return -EPERM;
	if (lbx_copy_from_guest(d, a1, x.c * sizeof(d[0])))
		return -EFAULT;
	return cred_change(s, do_capset, &x, NULL);
}

bool lbx_linux_may_signal_locked(const struct lbx_thread *me,
				 const struct lbx_process *p,
				 const struct lbx_cred *target, u32 sig)
{
	if (me->proc == p || lbx_cred_may_signal(&me->cred, target))
		return true;
	return sig == LX_SIGCONT && me->proc->sid == p->sid;
}

long lbx_linux_prctl_keepcaps(struct lbx_sys *s, bool set, u64 arg)
{
	struct lbx_thread *t = s->t;
	struct lbx_cred n;

	if (!set)
		return t->cred.keepcaps;
	if (arg > 1)
		return -EINVAL;
	lbx_plat_mutex_lock(&s->p->sb->lock);
	n = t->cred;
	n.keepcaps = arg;
	lbx_cred_install_locked(t, &n);
	lbx_plat_mutex_unlock(&s->p->sb->lock);
	return 0;
}
