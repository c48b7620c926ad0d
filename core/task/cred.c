// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials: Linux's set*id rules (kernel/sys.c) and the capability
 * transitions of commoncap.c, on an all-or-nothing capability set.
 */
#include <litebox/cred.h>
#include <litebox/task.h>
#include <litebox/vfs.h>

void lbx_cred_init_root(struct lbx_cred *c)
{
	memset(c, 0, sizeof(*c));
	c->cap_permitted = true;
	c->cap_effective = true;
}

int lbx_cred_init(struct lbx_cred *c, u32 uid, u32 gid, const u32 *groups,
		  u32 ngroups)
{
	u32 n;

	if (uid == LBX_INVALID_ID || gid == LBX_INVALID_ID ||
	    ngroups > LBX_NGROUPS_MAX)
		return -EINVAL;
	for (n = 0; n < ngroups; n++)
		if (groups[n] == LBX_INVALID_ID)
			return -EINVAL;
	lbx_cred_init_root(c);
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	/* Through setgroups' sort, as the groups an initgroups() leaves. */
	lbx_cred_setgroups(c, c, groups, ngroups);
	lbx_cred_exec(c);
	return 0;
}

static bool any_root(const struct lbx_cred *c)
{
	return !c->uid || !c->euid || !c->suid;
}

/* cap_emulate_setxuid(): what a change of uids does to capabilities. */
static void fix_setuid(const struct lbx_cred *old, struct lbx_cred *n)
{
	if (any_root(old) && !any_root(n) && !n->keepcaps) {
		n->cap_permitted = false;
		n->cap_effective = false;
	}
	if (!old->euid && n->euid)
		n->cap_effective = false;
	if (old->euid && !n->euid)
		n->cap_effective = n->cap_permitted;
}

int lbx_cred_setuid(const struct lbx_cred *c, struct lbx_cred *n, u32 uid)
{
	if (uid == LBX_INVALID_ID)
		return -EINVAL;
	*n = *c;
	if (lbx_cred_capable(c))
		n->uid = n->suid = uid;
	else if (uid != c->uid && uid != c->suid)
		return -EPERM;
	n->euid = n->fsuid = uid;
	fix_setuid(c, n);
	return 0;
}

int lbx_cred_setgid(const struct lbx_cred *c, struct lbx_cred *n, u32 gid)
{
	if (gid == LBX_INVALID_ID)
		return -EINVAL;
	*n = *c;
	if (lbx_cred_capable(c))
		n->gid = n->sgid = gid;
	else if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	n->egid = n->fsgid = gid;
	return 0;
}

/* setreuid and setregid share their shape: ids[0..3] real, effective,
 * saved, fs of c, written to out. */
static int set_re(const struct lbx_cred *c, const u32 *old, u32 *out,
		  u32 r, u32 e)
{
	bool cap = lbx_cred_capable(c);

	if (r != LBX_INVALID_ID) {
		out[0] = r;
		if (old[0] != r && old[1] != r && !cap)
			return -EPERM;
	}
	if (e != LBX_INVALID_ID) {
		out[1] = e;
		if (old[0] != e && old[1] != e && old[2] != e && !cap)
			return -EPERM;
	}
	if (r != LBX_INVALID_ID || (e != LBX_INVALID_ID && e != old[0]))
		out[2] = out[1];
	out[3] = out[1];
	return 0;
}

int lbx_cred_setreuid(const struct lbx_cred *c, struct lbx_cred *n, u32 r, u32 e)
{
	const u32 old[4] = { c->uid, c->euid, c->suid, c->fsuid };
	u32 ids[4] = { c->uid, c->euid, c->suid, c->fsuid };
	int ret;

	ret = set_re(c, old, ids, r, e);
	if (ret)
		return ret;
	*n = *c;
	n->uid = ids[0];
	n->euid = ids[1];
	n->suid = ids[2];
	n->fsuid = ids[3];
	fix_setuid(c, n);
	return 0;
}

int lbx_cred_setregid(const struct lbx_cred *c, struct lbx_cred *n, u32 r, u32 e)
{
	const u32 old[4] = { c->gid, c->egid, c->sgid, c->fsgid };
	u32 ids[4] = { c->gid, c->egid, c->sgid, c->fsgid };
	int ret;

	ret = set_re(c, old, ids, r, e);
	if (ret)
		return ret;
	*n = *c;
	n->gid = ids[0];
	n->egid = ids[1];
	n->sgid = ids[2];
	n->fsgid = ids[3];
	return 0;
}

static bool one_of(u32 id, const u32 *old)
{
	return id == LBX_INVALID_ID || id == old[0] || id == old[1] || id == old[2];
}

/*
 * setresuid and setresgid: old[] real, effective, saved, fs. Returns 1
 * when nothing changes (Linux's early return, which leaves the fs id
 * alone), 0 when out[] holds the new ids.
 */
static int set_res(const struct lbx_cred *c, const u32 *old, u32 *out,
		   u32 r, u32 e, u32 s)
{
	if ((r == LBX_INVALID_ID || r == old[0]) &&
	    (e == LBX_INVALID_ID || (e == old[1] && e == old[3])) &&
	    (s == LBX_INVALID_ID || s == old[2]))
		return 1;
	if (!lbx_cred_capable(c) &&
	    (!one_of(r, old) || !one_of(e, old) || !one_of(s, old)))
		return -EPERM;
	if (r != LBX_INVALID_ID)
		out[0] = r;
	if (e != LBX_INVALID_ID)
		out[1] = e;
	if (s != LBX_INVALID_ID)
		out[2] = s;
	out[3] = out[1];
	return 0;
}

int lbx_cred_setresuid(const struct lbx_cred *c, struct lbx_cred *n,
		       u32 r, u32 e, u32 s)
{
	const u32 old[4] = { c->uid, c->euid, c->suid, c->fsuid };
	u32 ids[4] = { c->uid, c->euid, c->suid, c->fsuid };
	int ret;

	*n = *c;
	ret = set_res(c, old, ids, r, e, s);
	if (ret)
		return ret < 0 ? ret : 0;
	n->uid = ids[0];
	n->euid = ids[1];
	n->suid = ids[2];
	n->fsuid = ids[3];
	fix_setuid(c, n);
	return 0;
}

int lbx_cred_setresgid(const struct lbx_cred *c, struct lbx_cred *n,
		       u32 r, u32 e, u32 s)
{
	const u32 old[4] = { c->gid, c->egid, c->sgid, c->fsgid };
	u32 ids[4] = { c->gid, c->egid, c->sgid, c->fsgid };
	int ret;

	*n = *c;
	ret = set_res(c, old, ids, r, e, s);
	if (ret)
		return ret < 0 ? ret : 0;
	n->gid = ids[0];
	n->egid = ids[1];
	n->sgid = ids[2];
	n->fsgid = ids[3];
	return 0;
}

/*
 * The fs capabilities that Linux drops and raises with the fsuid are a
 * subset this model cannot express; the VFS treats fsuid 0 as privileged
 * instead (lbx_inode_permission()), which is what they amount to there.
 */
void lbx_cred_setfsuid(const struct lbx_cred *c, struct lbx_cred *n, u32 fsuid)
{
	*n = *c;
	if (fsuid == LBX_INVALID_ID)
		return;
	if (fsuid == c->uid || fsuid == c->euid || fsuid == c->suid ||
	    fsuid == c->fsuid || lbx_cred_capable(c))
		n->fsuid = fsuid;
}

void lbx_cred_setfsgid(const struct lbx_cred *c, struct lbx_cred *n, u32 fsgid)
{
	*n = *c;
	if (fsgid == LBX_INVALID_ID)
		return;
	if (fsgid == c->gid || fsgid == c->egid || fsgid == c->sgid ||
	    fsgid == c->fsgid || lbx_cred_capable(c))
		n->fsgid = fsgid;
}

int lbx_cred_setgroups(const struct lbx_cred *c, struct lbx_cred *n,
		       const u32 *groups, u32 ngroups)
{
	u32 sorted[LBX_NGROUPS_MAX];
	u32 i, j;

	if (!lbx_cred_capable(c))
		return -EPERM;
	if (ngroups > LBX_NGROUPS_MAX)
		return -EINVAL;
	for (i = 0; i < ngroups; i++) {
		u32 g = groups[i];

		if (g == LBX_INVALID_ID)
			return -EINVAL;
		/* Sorted, as Linux's groups_sort(): getgroups shows the order. */
		for (j = i; j > 0 && sorted[j - 1] > g; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = g;
	}
	if (n != c)
		*n = *c;
	memcpy(n->groups, sorted, ngroups * sizeof(sorted[0]));
	n->ngroups = ngroups;
	return 0;
}

void lbx_cred_exec(struct lbx_cred *c)
{
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	c->keepcaps = false;
	c->cap_permitted = !c->euid || !c->uid;
	c->cap_effective = !c->euid;
}

bool lbx_cred_may_signal(const struct lbx_cred *c, const struct lbx_cred *t)
{
	return c->euid == t->suid || c->euid == t->uid ||
	       c->uid == t->suid || c->uid == t->uid || lbx_cred_capable(c);
}

bool lbx_cred_in_group(const struct lbx_cred *c, u32 gid)
{
	u32 n;

	if (c->fsgid == gid)
		return true;
	for (n = 0; n < c->ngroups; n++)
		if (c->groups[n] == gid)
			return true;
	return false;
}

void lbx_cred_install_locked(struct lbx_thread *t, const struct lbx_cred *n)
{
	struct lbx_process *p = t->proc;

	/* Only t itself, or its creator before it runs, installs its
	 * credentials: t's lockless reads of its own never race with this. */
	t->cred = *n;
	if (t->tid != p->pid)
		return;
	p->cred = *n;
	if (p->fs) {
		/* The groups before the ids that let a check look at them. */
		memcpy(p->fs->groups, n->groups, sizeof(n->groups));
		LBX_WRITE_ONCE(p->fs->ngroups, n->ngroups);
		LBX_WRITE_ONCE(p->fs->fsuid, n->fsuid);
		LBX_WRITE_ONCE(p->fs->fsgid, n->fsgid);
		LBX_WRITE_ONCE(p->fs->ruid, n->uid);
		LBX_WRITE_ONCE(p->fs->rgid, n->gid);
	}
}

void lbx_cred_get(struct lbx_thread *t, struct lbx_cred *out)
{
	struct lbx_sandbox *sb = t->proc->sb;

	lbx_plat_mutex_lock(&sb->lock);
	*out = t->cred;
	lbx_plat_mutex_unlock(&sb->lock);
}
