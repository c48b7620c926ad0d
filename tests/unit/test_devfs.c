// SPDX-License-Identifier: GPL-2.0
/* core/fs/devfs.c: memory devices and console files. */
#include <unistd.h>
#include "test_vfs_util.h"

struct devfix {
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
};

static void dev_init(struct devfix *d)
{
	lbx_memacct_init(&d->acct, 1 << 24);
	ASSERT_EQ(lbx_vfs_create(&d->vfs, NULL, NULL, 0, NULL, 0, &d->acct), 0);
	ASSERT_EQ(lbx_fs_ctx_init(&d->ctx, d->vfs), 0);
}

static void dev_fini(struct devfix *d)
{
	lbx_fs_ctx_release(&d->ctx);
	lbx_vfs_destroy(d->vfs);
	ASSERT_EQ(lbx_memacct_used(&d->acct), 0);
}

TEST(devfs_null)
{
	struct devfix d;
	struct lbx_file *f;
	char buf[8];

	dev_init(&d);
	ASSERT_EQ(fopen_(&d.ctx, "/dev/null", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 0);
	ASSERT_EQ(fwrite_(f, "discard", 7), 7);
	ASSERT_EQ(lbx_file_llseek(f, 100, LX_SEEK_SET), 0);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_zero_fills_guest_memory)
{
	struct devfix d;
	struct lbx_file *f;
	struct lbx_iter it;
	char buf[10000];

	dev_init(&d);
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(fopen_(&d.ctx, "/dev/zero", LX_O_RDONLY, 0, &f), 0);
	lbx_iter_init_guest(&it, (unsigned long)buf, sizeof(buf));
	ASSERT_EQ(lbx_file_read(f, &it), sizeof(buf));
	ASSERT_EQ(buf[0], 0);
	ASSERT_EQ(buf[sizeof(buf) - 1], 0);
	lbx_iter_init_guest(&it, 16, 8);
	ASSERT_EQ(lbx_file_read(f, &it), -EFAULT);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_full_is_enospc)
{
	struct devfix d;
	struct lbx_file *f;
	char buf[4] = { 1, 1, 1, 1 };

	dev_init(&d);
	ASSERT_EQ(fopen_(&d.ctx, "/dev/full", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(fwrite_(f, "x", 1), -ENOSPC);
	ASSERT_EQ(fread_(f, buf, 4), 4);
	ASSERT_EQ(buf[3], 0);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_random_and_urandom)
{
	struct devfix d;
	struct lbx_file *f;
	unsigned char a[200], b[200];

	dev_init(&d);
	ASSERT_EQ(fopen_(&d.ctx, "/dev/urandom", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fread_(f, a, sizeof(a)), sizeof(a));
	ASSERT_EQ(fread_(f, b, sizeof(b)), sizeof(b));
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) != 0);
	lbx_file_put(f);
	ASSERT_EQ(fopen_(&d.ctx, "/dev/random", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(fread_(f, a, 7), 7);
	ASSERT_EQ(fwrite_(f, "seed", 4), 4);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_listing_and_types)
{
	struct devfix d;
	struct lbx_kstat st;
	char names[256];

	dev_init(&d);
	ASSERT_EQ(list_dir(&d.ctx, "/dev", names, sizeof(names), 1), 0);
	ASSERT_STREQ(names, "null,zero,full,random,urandom,tty,stdin,stdout,stderr,fd,shm,pts");
	ASSERT_EQ(stat_(&d.ctx, "/dev/urandom", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFCHR | 0666);
	ASSERT_EQ(st.rdev, LBX_MKDEV(1, 9));
	ASSERT_EQ(stat_(&d.ctx, "/dev/shm", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 01777);
	ASSERT_EQ(readlink_(&d.ctx, "/dev/fd", names, sizeof(names)), 13);
	ASSERT_EQ(put_file(&d.ctx, "/dev/shm/seg", "shared"), 6);
	/* An unknown device number. */
	ASSERT_EQ(lbx_vfs_mknodat(&d.ctx, NULL, "/dev/odd", LX_S_IFCHR | 0600,
				  LBX_MKDEV(99, 1)), 0);
	ASSERT_EQ(try_open(&d.ctx, "/dev/odd", LX_O_RDONLY), -ENXIO);
	dev_fini(&d);
}

/* Runs with host fd `fd` replaced by one end of a pipe; returns the other. */
static int swap_fd(int fd, int *saved)
{
	int p[2];

	if (pipe(p))
		return -1;
	*saved = dup(fd);
	if (fd == 0) {
		dup2(p[0], 0);
		close(p[0]);
		return p[1];
	}
	dup2(p[1], fd);
	close(p[1]);
	return p[0];
}

static void restore_fd(int fd, int saved)
{
	dup2(saved, fd);
	close(saved);
}

TEST(devfs_console_write_goes_to_host_fd_in_chunks)
{
	struct devfix d;
	struct lbx_file *f;
	struct lbx_kstat st;
	static char big[10000], back[10001];
	int saved, rd;
	long n = 0, r;

	dev_init(&d);
	memset(big, 'w', sizeof(big));
	fflush(stdout);
	rd = swap_fd(1, &saved);
	ASSERT_GE(rd, 0);
	ASSERT_EQ(lbx_console_file_open(d.vfs, 1, &f), 0);
	r = fwrite_(f, big, sizeof(big));
	restore_fd(1, saved);
	ASSERT_EQ(r, sizeof(big));
	while (n < (long)sizeof(big) && (r = read(rd, back + n, sizeof(back) - n)) > 0)
		n += r;
	close(rd);
	ASSERT_EQ(n, sizeof(big));
	ASSERT_MEMEQ(back, big, sizeof(big));
	ASSERT_EQ(lbx_file_stat(f, &st), 0);
	ASSERT_TRUE(LX_S_ISCHR(st.mode));
	ASSERT_EQ(st.rdev, LBX_MKDEV(LBX_CONSOLE_MAJOR, LBX_CONSOLE_MINOR0 + 1));
	ASSERT_FALSE(lbx_file_isatty(f));
	ASSERT_EQ(lbx_file_ioctl(f, 0x5401, 0), -ENOTTY);
	ASSERT_EQ(lbx_file_llseek(f, 0, LX_SEEK_SET), -ESPIPE);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_console_read_from_host_stdin)
{
	struct devfix d;
	struct lbx_file *f;
	char buf[32] = { 0 };
	int saved, wr;

	dev_init(&d);
	wr = swap_fd(0, &saved);
	ASSERT_GE(wr, 0);
	ASSERT_EQ(write(wr, "typed line\n", 11), 11);
	close(wr);
	ASSERT_EQ(fopen_(&d.ctx, "/dev/stdin", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 11);
	ASSERT_STREQ(buf, "typed line\n");
	ASSERT_EQ(fread_(f, buf, sizeof(buf)), 0);	/* EOF */
	/* No terminal on stdin: no controlling tty either. */
	ASSERT_EQ(try_open(&d.ctx, "/dev/tty", LX_O_RDWR), -ENXIO);
	restore_fd(0, saved);
	lbx_file_put(f);
	dev_fini(&d);
}

TEST(devfs_console_file_open_bounds)
{
	struct devfix d;
	struct lbx_file *f;

	dev_init(&d);
	ASSERT_EQ(lbx_console_file_open(d.vfs, 3, &f), -EBADF);
	ASSERT_EQ(lbx_console_file_open(d.vfs, -1, &f), -EBADF);
	ASSERT_EQ(lbx_console_file_open(d.vfs, 2, &f), 0);
	lbx_file_put(f);
	dev_fini(&d);
}
