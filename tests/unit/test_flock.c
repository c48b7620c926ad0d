// SPDX-License-Identifier: GPL-2.0
/* core/fs/flock.c: POSIX record locks. */
#include <litebox/flock.h>
#include "lbx_test.h"

static const int inode_a, inode_b, p1, p2;

static struct lbx_flock_req R(u32 type, u64 start, u64 end)
{
	struct lbx_flock_req r = { .type = type, .start = start, .end = end };

	return r;
}

TEST(shared_locks_coexist_exclusive_conflicts)
{
	struct lbx_flock_table *t;
	struct lbx_flock_req r;

	ASSERT_EQ(lbx_flock_table_create(&t), 0);
	r = R(LX_F_RDLCK, 0, 100);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p1, 1, &r, false, NULL), 0);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 50, 60);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), -EAGAIN);
	/* Another file, or a range nobody holds, is free. */
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_b, &p2, 2, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 100, LBX_LOCK_EOF);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), 0);
	lbx_flock_table_destroy(t);
}

TEST(own_locks_never_conflict_and_convert)
{
	struct lbx_flock_table *t;
	struct lbx_flock_req r;

	ASSERT_EQ(lbx_flock_table_create(&t), 0);
	r = R(LX_F_RDLCK, 0, 100);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p1, 1, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 10, 20);	/* upgrade a middle piece */
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p1, 1, &r, false, NULL), 0);
	r = R(LX_F_RDLCK, 10, 20);
	lbx_posix_lock_test(t, &inode_a, &p2, &r);
	ASSERT_EQ(r.type, LX_F_WRLCK);
	ASSERT_EQ(r.start, 10);
	ASSERT_EQ(r.end, 20);
	ASSERT_EQ(r.owner_pid, 1);
	/* The pieces around it stayed shared. */
	r = R(LX_F_RDLCK, 0, 10);
	lbx_posix_lock_test(t, &inode_a, &p2, &r);
	ASSERT_EQ(r.type, LX_F_UNLCK);
	r = R(LX_F_WRLCK, 0, 10);
	lbx_posix_lock_test(t, &inode_a, &p2, &r);
	ASSERT_EQ(r.type, LX_F_RDLCK);
	lbx_flock_table_destroy(t);
}

TEST(unlock_splits_and_release_frees)
{
	struct lbx_flock_table *t;
	struct lbx_flock_req r;

	ASSERT_EQ(lbx_flock_table_create(&t), 0);
	r = R(LX_F_WRLCK, 0, 100);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p1, 1, &r, false, NULL), 0);
	r = R(LX_F_UNLCK, 40, 60);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p1, 1, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 45, 55);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 30, 50);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), -EAGAIN);
	lbx_posix_lock_release(t, &inode_a, &p1);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), 0);
	r = R(LX_F_WRLCK, 5, 5);
	ASSERT_EQ(lbx_posix_lock_set(t, &inode_a, &p2, 2, &r, false, NULL), -EINVAL);
	lbx_flock_table_destroy(t);
}
