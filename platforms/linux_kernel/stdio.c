// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox console: the launcher's stdin, stdout and stderr, taken by
 * reference at sandbox creation. The only host files a sandbox touches.
 */
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/kdev_t.h>
#include <linux/major.h>

#include <litebox/core.h>
#include "kplat.h"

static struct file *console(struct lbx_sandbox *sb, int fd, struct mutex **lock)
{
	struct lbx_kplat_sandbox *ks = sb->plat;

	if (fd < 0 || fd > 2 || !ks->stdio[fd])
		return NULL;
	*lock = &ks->stdio_lock[fd];
	return ks->stdio[fd];
}

/* As write(2) or read(2) on the launcher's fd: use and advance its position. */
static long console_rw(struct lbx_sandbox *sb, int fd, void *buf, size_t n, int dir)
{
	struct mutex *lock;
	struct file *f = console(sb, fd, &lock);
	ssize_t ret;
	loff_t pos;

	if (!f)
		return -EBADF;
	mutex_lock(lock);
	pos = f->f_pos;
	ret = dir == WRITE ? kernel_write(f, buf, n, &pos) : kernel_read(f, buf, n, &pos);
	if (ret > 0)
		f->f_pos = pos;
	mutex_unlock(lock);
	return ret;
}

long lbx_plat_stdio_write(struct lbx_sandbox *sb, int fd, const void *buf, size_t n)
{
	return console_rw(sb, fd, (void *)buf, n, WRITE);
}

long lbx_plat_stdio_read(struct lbx_sandbox *sb, int fd, void *buf, size_t n)
{
	return console_rw(sb, fd, buf, n, READ);
}

/*
 * From guest memory: the guest is the current task, so its buffer is a
 * user pointer here and the host file's own read/write path (write_iter or
 * plain write, as for /dev/null) handles it, faults included.
 */
static long console_rw_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n,
			     int dir)
{
	struct mutex *lock;
	struct file *f = console(sb, fd, &lock);
	struct iov_iter iter;
	struct iovec iov;
	ssize_t ret;
	loff_t pos;

	if (!f)
		return -EBADF;
	ret = import_single_range(dir, u64_to_user_ptr(buf), n, &iov, &iter);
	if (ret)
		return ret;
	mutex_lock(lock);
	pos = f->f_pos;
	ret = dir == WRITE ? vfs_iter_write(f, &iter, &pos, 0) :
			     vfs_iter_read(f, &iter, &pos, 0);
	if (ret > 0)
		f->f_pos = pos;
	mutex_unlock(lock);
	return ret;
}

long lbx_plat_stdio_write_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n)
{
	return console_rw_guest(sb, fd, buf, n, WRITE);
}

long lbx_plat_stdio_read_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n)
{
	return console_rw_guest(sb, fd, buf, n, READ);
}

bool lbx_plat_stdio_isatty(struct lbx_sandbox *sb, int fd)
{
	struct mutex *lock;
	struct file *f = console(sb, fd, &lock);
	struct inode *inode;
	unsigned int major;

	if (!f)
		return false;
	inode = file_inode(f);
	if (!S_ISCHR(inode->i_mode))
		return false;
	/* tty_fops is not exported: recognise the terminal device majors. */
	major = MAJOR(inode->i_rdev);
	return major == TTY_MAJOR || major == TTYAUX_MAJOR ||
	       (major >= UNIX98_PTY_SLAVE_MAJOR &&
		major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT) ||
	       major == 229 /* hvc */;
}
