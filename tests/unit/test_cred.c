// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials (core/task/cred.c): Linux's set*id rules for a capable and
 * an unprivileged caller, the capability transitions (keepcaps, euid 0),
 * setfs*id's answers, groups, execve, kill's permission, inheritance at
 * process creation and the copy the VFS checks.
 */
#include <litebox/core.h>
#include <litebox/cred.h>
#include <litebox/task.h>
#include <litebox/vfs.h>
#include "lbx_test.h"

#define X LBX_INVALID_ID

static void user(struct lbx_cred *c, u32 r, u32 e, u32 s)
{
	lbx_cred_init_root(c);
	c->uid = r;
	c->euid = c->fsuid = e;
	c->suid = s;
	c->cap_permitted = c->cap_effective = !r || !e || !s;
	c->cap_effective = !e;
}

#define EXPECT_UIDS(c, r, e, s, fs) do {			\
	EXPECT_EQ((c).uid, (u32)(r));				\
	EXPECT_EQ((c).euid, (u32)(e));				\
	EXPECT_EQ((c).suid, (u32)(s));				\
	EXPECT_EQ((c).fsuid, (u32)(fs));			\
} while (0)

TEST(cred_root_default_and_init)
{
	static const u32 groups[] = { 30, 10, 20 };
	struct lbx_cred c;

	lbx_cred_init_root(&c);
	EXPECT_UIDS(c, 0, 0, 0, 0);
	EXPECT_TRUE(c.cap_permitted && c.cap_effective);
	ASSERT_EQ(lbx_cred_init(&c, 1000, 100, groups, 3), 0);
	EXPECT_UIDS(c, 1000, 1000, 1000, 1000);
	EXPECT_EQ(c.gid, 100u);
	EXPECT_EQ(c.fsgid, 100u);
	EXPECT_FALSE(c.cap_permitted || c.cap_effective);
	ASSERT_EQ(c.ngroups, 3u);
	EXPECT_EQ(c.groups[0], 10u);	/* sorted */
	EXPECT_EQ(c.groups[2], 30u);
	EXPECT_EQ(lbx_cred_init(&c, X, 0, NULL, 0), -EINVAL);
	EXPECT_EQ(lbx_cred_init(&c, 0, X, NULL, 0), -EINVAL);
	EXPECT_EQ(lbx_cred_init(&c, 0, 0, groups, LBX_NGROUPS_MAX + 1), -EINVAL);
}

TEST(cred_setuid_rules)
{
	struct lbx_cred c, n;

	lbx_cred_init_root(&c);
	ASSERT_EQ(lbx_cred_setuid(&c, &n, 1000), 0);
	EXPECT_UIDS(n, 1000, 1000, 1000, 1000);
	EXPECT_FALSE(n.cap_permitted || n.cap_effective);
	EXPECT_EQ(lbx_cred_setuid(&c, &n, X), -EINVAL);

	user(&c, 1000, 2000, 3000);
	EXPECT_EQ(lbx_cred_setuid(&c, &n, 0), -EPERM);
	EXPECT_EQ(lbx_cred_setuid(&c, &n, 2000), -EPERM);	/* euid is not enough */
	ASSERT_EQ(lbx_cred_setuid(&c, &n, 3000), 0);
	EXPECT_UIDS(n, 1000, 3000, 3000, 3000);
	ASSERT_EQ(lbx_cred_setuid(&c, &n, 1000), 0);
	EXPECT_UIDS(n, 1000, 1000, 3000, 1000);

	/* A saved root: back to euid 0 raises the effective set. */
	user(&c, 1000, 1000, 0);
	EXPECT_TRUE(c.cap_permitted && !c.cap_effective);
	ASSERT_EQ(lbx_cred_setuid(&c, &n, 0), 0);
	EXPECT_UIDS(n, 1000, 0, 0, 0);
	EXPECT_TRUE(n.cap_effective);
}

TEST(cred_setreuid_saved_rule)
{
	struct lbx_cred c, n;

	lbx_cred_init_root(&c);
	ASSERT_EQ(lbx_cred_setreuid(&c, &n, 1000, 2000), 0);
	EXPECT_UIDS(n, 1000, 2000, 2000, 2000);	/* ruid set: suid = euid */
	ASSERT_EQ(lbx_cred_setreuid(&c, &n, X, 0), 0);
	EXPECT_UIDS(n, 0, 0, 0, 0);			/* euid = ruid: suid kept */
	ASSERT_EQ(lbx_cred_setreuid(&c, &n, X, 5), 0);
	EXPECT_UIDS(n, 0, 5, 5, 5);

	user(&c, 1000, 2000, 3000);
	ASSERT_EQ(lbx_cred_setreuid(&c, &n, 2000, 1000), 0);	/* a swap */
	EXPECT_UIDS(n, 2000, 1000, 1000, 1000);
	EXPECT_EQ(lbx_cred_setreuid(&c, &n, 3000, X), -EPERM);	/* ruid: r or e only */
	ASSERT_EQ(lbx_cred_setreuid(&c, &n, X, 3000), 0);		/* euid: r, e or s */
	EXPECT_UIDS(n, 1000, 3000, 3000, 3000);
	EXPECT_EQ(lbx_cred_setreuid(&c, &n, X, 4000), -EPERM);
}

TEST(cred_setresuid_rules)
{
	struct lbx_cred c, n;

	user(&c, 1000, 2000, 3000);
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, 3000, 1000, 2000), 0);	/* a permutation */
	EXPECT_UIDS(n, 3000, 1000, 2000, 1000);
	EXPECT_EQ(lbx_cred_setresuid(&c, &n, X, 0, X), -EPERM);
	EXPECT_EQ(lbx_cred_setresuid(&c, &n, 4000, X, X), -EPERM);
	/* Nothing changes: Linux returns early, the fsuid stays. */
	c.fsuid = 1000;
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, X, X, X), 0);
	EXPECT_EQ(n.fsuid, 1000u);
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, X, 2000, X), 0);	/* euid == but fsuid != */
	EXPECT_EQ(n.fsuid, 2000u);
}

TEST(cred_capabilities_follow_uids)
{
	struct lbx_cred c, n, m;

	lbx_cred_init_root(&c);
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, 1000, 1000, 0), 0);
	EXPECT_TRUE(n.cap_permitted && !n.cap_effective);
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, 1000, 1000, 1000), 0);
	EXPECT_FALSE(n.cap_permitted || n.cap_effective);
	c.keepcaps = true;
	ASSERT_EQ(lbx_cred_setresuid(&c, &n, 1000, 1000, 1000), 0);
	EXPECT_TRUE(n.cap_permitted && !n.cap_effective);
	EXPECT_EQ(lbx_cred_setuid(&n, &m, 0), -EPERM);	/* not effective */
	/* execve: keepcaps goes, and with no uid 0 the permitted set too. */
	lbx_cred_exec(&n);
	EXPECT_FALSE(n.keepcaps || n.cap_permitted || n.cap_effective);
	/* execve with a real root uid: permitted, not effective. */
	user(&c, 0, 1000, 1000);
	lbx_cred_exec(&c);
	EXPECT_TRUE(c.cap_permitted && !c.cap_effective);
	EXPECT_UIDS(c, 0, 1000, 1000, 1000);
}

TEST(cred_gid_rules)
{
	struct lbx_cred c, n;

	lbx_cred_init_root(&c);
	ASSERT_EQ(lbx_cred_setresgid(&c, &n, 1, 2, 3), 0);
	EXPECT_EQ(n.gid, 1u);
	EXPECT_EQ(n.egid, 2u);
	EXPECT_EQ(n.sgid, 3u);
	EXPECT_EQ(n.fsgid, 2u);
	EXPECT_TRUE(n.cap_effective);	/* gids leave capabilities alone */

	user(&c, 1000, 1000, 1000);
	c.gid = 1;
	c.egid = c.fsgid = 2;
	c.sgid = 3;
	ASSERT_EQ(lbx_cred_setgid(&c, &n, 3), 0);
	EXPECT_EQ(n.egid, 3u);
	EXPECT_EQ(n.gid, 1u);
	EXPECT_EQ(lbx_cred_setgid(&c, &n, 0), -EPERM);
	EXPECT_EQ(lbx_cred_setregid(&c, &n, 3, X), -EPERM);
	ASSERT_EQ(lbx_cred_setregid(&c, &n, 2, 1), 0);
	EXPECT_EQ(n.gid, 2u);
	EXPECT_EQ(n.egid, 1u);
	EXPECT_EQ(n.sgid, 1u);
	EXPECT_EQ(lbx_cred_setresgid(&c, &n, X, 7, X), -EPERM);
	EXPECT_EQ(lbx_cred_setgroups(&c, &n, NULL, 0), -EPERM);
}

TEST(cred_setfs)
{
	struct lbx_cred c, n;

	user(&c, 1000, 2000, 3000);
	lbx_cred_setfsuid(&c, &n, 3000);
	EXPECT_EQ(n.fsuid, 3000u);
	lbx_cred_setfsuid(&c, &n, 0);
	EXPECT_EQ(n.fsuid, 2000u);	/* refused: unchanged */
	lbx_cred_setfsuid(&c, &n, X);
	EXPECT_EQ(n.fsuid, 2000u);
	lbx_cred_init_root(&c);
	lbx_cred_setfsgid(&c, &n, 77);
	EXPECT_EQ(n.fsgid, 77u);
	EXPECT_TRUE(lbx_cred_in_group(&n, 77));
	EXPECT_FALSE(lbx_cred_in_group(&n, 0));
}

TEST(cred_kill_permission)
{
	struct lbx_cred a, b;

	user(&a, 1000, 1000, 1000);
	user(&b, 2000, 2000, 1000);
	EXPECT_TRUE(lbx_cred_may_signal(&a, &b));	/* a's uid = b's suid */
	EXPECT_FALSE(lbx_cred_may_signal(&b, &a));	/* b's suid does not count */
	user(&b, 2000, 1000, 2000);
	EXPECT_TRUE(lbx_cred_may_signal(&b, &a));	/* b's euid = a's uid */
	lbx_cred_init_root(&b);
	EXPECT_TRUE(lbx_cred_may_signal(&b, &a));	/* capable */
	EXPECT_FALSE(lbx_cred_may_signal(&a, &b));
}

/* Credentials are per thread: another thread's change is its own; the
 * process's copy (and its fs context's) follows the leader only. */
TEST(cred_per_thread)
{
	struct lbx_limits lim = { 0 };
	struct lbx_thread *t, *t2;
	struct lbx_sandbox *sb;
	struct lbx_fs_ctx fs;
	struct lbx_cred n;

	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &sb), 0);
	ASSERT_EQ(lbx_process_create(sb, NULL, &t), 0);
	memset(&fs, 0, sizeof(fs));
	t->proc->fs = &fs;
	ASSERT_EQ(lbx_thread_create(t->proc, &t2), 0);
	EXPECT_UIDS(t2->cred, 0, 0, 0, 0);
	ASSERT_EQ(lbx_cred_setresuid(&t2->cred, &n, 1000, 1000, 1000), 0);
	lbx_plat_mutex_lock(&sb->lock);
	lbx_cred_install_locked(t2, &n);
	lbx_plat_mutex_unlock(&sb->lock);
	EXPECT_UIDS(t2->cred, 1000, 1000, 1000, 1000);
	EXPECT_FALSE(lbx_cred_capable(&t2->cred));
	EXPECT_UIDS(t->cred, 0, 0, 0, 0);
	EXPECT_UIDS(t->proc->cred, 0, 0, 0, 0);
	EXPECT_EQ(fs.fsuid, 0u);
	/* The leader's change is the process's. */
	ASSERT_EQ(lbx_cred_setresuid(&t->cred, &n, 7, 7, 7), 0);
	lbx_plat_mutex_lock(&sb->lock);
	lbx_cred_install_locked(t, &n);
	lbx_plat_mutex_unlock(&sb->lock);
	EXPECT_UIDS(t->proc->cred, 7, 7, 7, 7);
	EXPECT_EQ(fs.fsuid, 7u);
	EXPECT_UIDS(t2->cred, 1000, 1000, 1000, 1000);
	t->proc->fs = NULL;

	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	lbx_process_exit(t->proc, 0);
	lbx_thread_exit(t);
	lbx_thread_put(t);
	lbx_sandbox_release_zombies(sb);
	lbx_sandbox_put(sb);
}

TEST(cred_process_inherits_and_vfs_copy)
{
	static const u32 groups[] = { 5 };
	struct lbx_limits lim = { 0 };
	struct lbx_thread *t, *t2;
	struct lbx_sandbox *sb;
	struct lbx_fs_ctx fs;
	struct lbx_cred n;

	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &sb), 0);
	ASSERT_EQ(lbx_process_create(sb, NULL, &t), 0);
	EXPECT_UIDS(t->proc->cred, 0, 0, 0, 0);
	memset(&fs, 0, sizeof(fs));
	t->proc->fs = &fs;
	ASSERT_EQ(lbx_cred_init(&n, 1000, 100, groups, 1), 0);
	lbx_plat_mutex_lock(&sb->lock);
	lbx_cred_install_locked(t, &n);
	lbx_plat_mutex_unlock(&sb->lock);
	EXPECT_UIDS(t->cred, 1000, 1000, 1000, 1000);
	EXPECT_UIDS(t->proc->cred, 1000, 1000, 1000, 1000);
	EXPECT_EQ(fs.fsuid, 1000u);
	EXPECT_EQ(fs.fsgid, 100u);
	EXPECT_EQ(fs.ruid, 1000u);
	EXPECT_EQ(fs.ngroups, 1u);
	EXPECT_EQ(fs.groups[0], 5u);
	/* No calling thread here: the checks use the fs context's copy. */
	{
		struct lbx_fs_ident id;

		lbx_fs_ident(&fs, &id);
		EXPECT_EQ(id.fsuid, 1000u);
		EXPECT_EQ(id.fsgid, 100u);
		EXPECT_TRUE(lbx_fs_ident_in_group(&id, 5));
		EXPECT_FALSE(lbx_fs_ident_in_group(&id, 6));
	}
	t->proc->fs = NULL;
	ASSERT_EQ(lbx_process_create(sb, t->proc, &t2), 0);
	EXPECT_UIDS(t2->proc->cred, 1000, 1000, 1000, 1000);
	EXPECT_EQ(t2->proc->cred.ngroups, 1u);

	lbx_process_exit(t2->proc, 0);
	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	lbx_process_exit(t->proc, 0);
	lbx_thread_exit(t);
	lbx_thread_put(t);
	lbx_sandbox_release_zombies(sb);
	lbx_sandbox_put(sb);
}
