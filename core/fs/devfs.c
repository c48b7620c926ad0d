// SPDX-License-Identifier: GPL-2.0
/*
 * devfs and the character devices: null, zero, full, random, urandom,
 * tty, and the console files (/dev/std{in,out,err} and the guest's
 * initial fds 0-2), whose I/O goes to the platform's stdio through a
 * kernel bounce buffer. devfs itself is a memfs of device nodes; opening
 * a character device anywhere dispatches on its rdev here.
 */
#include <litebox/memfs.h>

#define CONSOLE_CHUNK	4096U

/* Linux ioctls a console answers */
#define LX_TCGETS	0x5401
#define LX_TCSETS	0x5402
#define LX_TCSETSW	0x5403
#define LX_TCSETSF	0x5404
#define LX_TIOCGWINSZ	0x5413
#define LX_TIOCSWINSZ	0x5414

struct console {
	struct lbx_sandbox *sb;
	int in_fd;
	int out_fd;
};

/* ---- memory devices ---- */

static s64 mem_llseek(struct lbx_file *f, s64 off, int whence)
{
	f->pos = 0;
	return 0;
}

static ssize_t null_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return 0;
}

static ssize_t null_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	return lbx_iter_count(from);
}

static ssize_t zero_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return lbx_iter_zero_partial(to, lbx_iter_count(to));
}

static ssize_t full_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	return lbx_iter_count(from) ? -ENOSPC : 0;
}

static ssize_t random_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	u8 buf[64];
	ssize_t done = 0;
	int ret = 0;

	while (lbx_iter_count(to)) {
		size_t n = lbx_min(lbx_iter_count(to), sizeof(buf));

		ssize_t m;

		lbx_plat_random(buf, n);
		m = lbx_iter_copy_to_partial(to, buf, n);
		if (m < 0) {
			ret = (int)m;
			break;
		}
		done += m;
		if ((size_t)m < n)
			break;
	}
	memset(buf, 0, sizeof(buf));
	return done ? done : ret;
}

static const struct lbx_file_ops null_fops = {
	.read = null_read, .write = null_write, .llseek = mem_llseek,
};
static const struct lbx_file_ops zero_fops = {
	.read = zero_read, .write = null_write, .llseek = mem_llseek,
};
static const struct lbx_file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct lbx_file_ops random_fops = {
	.read = random_read, .write = null_write, .llseek = mem_llseek,
};

/* ---- the console ---- */

static struct console *CON(struct lbx_file *f)
{
	return f->priv;
}

static ssize_t console_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct console *c = CON(f);
	size_t n = lbx_min(lbx_iter_count(to), (size_t)CONSOLE_CHUNK);
	void *buf;
	long r;

	if (!n)
		return 0;
	if (to->guest) {
		/* Straight into guest memory: no bounce buffer. */
		r = lbx_plat_stdio_read_guest(c->sb, c->in_fd, to->addr,
					      lbx_iter_count(to));
		if (r > 0) {
			to->addr += r;
			to->count -= r;
		}
		return r;
	}
	buf = lbx_plat_alloc(n);
	if (!buf)
		return -ENOMEM;
	/* One host read: a terminal returns a line at a time. */
	r = lbx_plat_stdio_read(c->sb, c->in_fd, buf, n);
	if (r > 0) {
		int ret = lbx_iter_copy_to(to, buf, r);

		if (ret)
			r = ret;
	}
	lbx_plat_free(buf);
	return r;
}

static ssize_t console_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct console *c = CON(f);
	size_t chunk = lbx_min(lbx_iter_count(from), (size_t)CONSOLE_CHUNK);
	ssize_t done = 0;
	long r = 0;
	void *buf;

	if (!chunk)
		return 0;
	if (from->guest) {
		r = lbx_plat_stdio_write_guest(c->sb, c->out_fd, from->addr,
					       lbx_iter_count(from));
		if (r > 0) {
			from->addr += r;
			from->count -= r;
		}
		return r;
	}
	buf = lbx_plat_alloc(chunk);
	if (!buf)
		return -ENOMEM;
	while (lbx_iter_count(from)) {
		size_t n = lbx_min(lbx_iter_count(from), chunk);

		r = lbx_iter_copy_from(from, buf, n);
		if (r)
			break;
		r = lbx_plat_stdio_write(c->sb, c->out_fd, buf, n);
		if (r <= 0)
			break;
		done += r;
		if ((size_t)r < n)
			break;
	}
	lbx_plat_free(buf);
	return done ? done : r;
}

bool lbx_console_isatty(struct lbx_file *f)
{
	struct console *c = CON(f);

	return lbx_plat_stdio_isatty(c->sb, c->in_fd);
}

/* Just enough termios for isatty() and line-mode programs. */
static long console_tcgets(u64 arg)
{
	u8 t[36] = { 0 };
	u32 iflag = 0x0500, oflag = 0x0005, cflag = 0x00bf, lflag = 0x8a3b;

	memcpy(t, &iflag, 4);
	memcpy(t + 4, &oflag, 4);
	memcpy(t + 8, &cflag, 4);
	memcpy(t + 12, &lflag, 4);
	t[17 + 0] = 3;		/* VINTR ^C */
	t[17 + 1] = 28;		/* VQUIT */
	t[17 + 2] = 127;	/* VERASE */
	t[17 + 3] = 21;		/* VKILL */
	t[17 + 4] = 4;		/* VEOF */
	t[17 + 6] = 1;		/* VMIN */
	return lbx_copy_to_guest(arg, t, sizeof(t));
}

static long console_ioctl(struct lbx_file *f, u32 cmd, u64 arg)
{
	u16 ws[4] = { 24, 80, 0, 0 };

	if (!lbx_console_isatty(f))
		return -ENOTTY;
	switch (cmd) {
	case LX_TCGETS:
		return console_tcgets(arg);
	case LX_TCSETS:
	case LX_TCSETSW:
	case LX_TCSETSF:
	case LX_TIOCSWINSZ:
		return 0;
	case LX_TIOCGWINSZ:
		return lbx_copy_to_guest(arg, ws, sizeof(ws));
	}
	return -ENOTTY;
}

static void console_release(struct lbx_file *f)
{
	lbx_plat_free(f->priv);
}

static const struct lbx_file_ops console_fops = {
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.release = console_release,
};

static int console_attach(struct lbx_file *f, int in_fd, int out_fd)
{
	struct console *c = lbx_plat_alloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->sb = f->vfs->sandbox;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	f->priv = c;
	f->ops = &console_fops;
	f->fmode |= LBX_FMODE_CONSOLE;
	return 0;
}

/* ---- dispatch ---- */

struct chrdev {
	u32 major, minor;
	const char *name;
	const struct lbx_file_ops *fops;
};

static const struct chrdev chrdevs[] = {
	{ 1, 3, "null", &null_fops },
	{ 1, 5, "zero", &zero_fops },
	{ 1, 7, "full", &full_fops },
	{ 1, 8, "random", &random_fops },
	{ 1, 9, "urandom", &random_fops },
	{ 5, 0, "tty", &console_fops },
	{ LBX_CONSOLE_MAJOR, LBX_CONSOLE_MINOR0 + 0, "stdin", &console_fops },
	{ LBX_CONSOLE_MAJOR, LBX_CONSOLE_MINOR0 + 1, "stdout", &console_fops },
	{ LBX_CONSOLE_MAJOR, LBX_CONSOLE_MINOR0 + 2, "stderr", &console_fops },
};

int lbx_chrdev_open(struct lbx_file *f, u32 rdev)
{
	u32 ma = LBX_MAJOR(rdev), mi = LBX_MINOR(rdev);
	size_t n;
	int fd;

	for (n = 0; n < LBX_ARRAY_SIZE(chrdevs); n++) {
		if (chrdevs[n].major != ma || chrdevs[n].minor != mi)
			continue;
		if (chrdevs[n].fops != &console_fops) {
			f->ops = chrdevs[n].fops;
			return 0;
		}
		if (ma == 5 && mi == 0) {
			/* No controlling terminal without a host terminal. */
			if (!lbx_plat_stdio_isatty(f->vfs->sandbox, 0))
				return -ENXIO;
			return console_attach(f, 0, 1);
		}
		fd = mi - LBX_CONSOLE_MINOR0;
		return console_attach(f, fd, fd);
	}
	return -ENXIO;
}

int lbx_console_file_open(struct lbx_vfs *vfs, int host_fd, struct lbx_file **out)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct lbx_inode *root, *i;
	int ret;

	if (host_fd < 0 || host_fd > 2)
		return -EBADF;
	if (!vfs->devfs)
		return -ENODEV;
	root = vfs->devfs->root;
	lbx_plat_mutex_lock(&vfs->ns_lock);
	ret = root->iops->lookup(root, names[host_fd], strlen(names[host_fd]), &i);
	lbx_plat_mutex_unlock(&vfs->ns_lock);
	if (ret)
		return ret;
	if (!LX_S_ISCHR(i->mode) ||
	    i->rdev != LBX_MKDEV(LBX_CONSOLE_MAJOR, LBX_CONSOLE_MINOR0 + host_fd))
		ret = -ENODEV;
	else
		/* Read-write, as a terminal's fds are; the host decides. */
		ret = lbx_vfs_open_inode(vfs, NULL, i, LX_O_RDWR, out);
	lbx_inode_put(i);
	return ret;
}

/* ---- the devfs tree ---- */

static int mknode(struct lbx_inode *root, const char *name, u32 mode, u32 rdev,
		  const char *target)
{
	struct lbx_new_inode ni = { .mode = mode, .rdev = rdev, .target = target,
				    .target_len = target ? strlen(target) : 0 };
	struct lbx_inode *i;
	int ret;

	ret = root->iops->create(root, name, strlen(name), &ni, &i);
	if (!ret)
		lbx_inode_put(i);
	return ret;
}

int lbx_devfs_create(struct lbx_vfs *vfs, struct lbx_super **out)
{
	struct lbx_super *sb;
	struct lbx_inode *root;
	size_t n;
	int ret;

	ret = lbx_memfs_create(vfs, vfs->acct, 0755, &sb);
	if (ret)
		return ret;
	sb->type = "devtmpfs";
	root = sb->root;
	for (n = 0; n < LBX_ARRAY_SIZE(chrdevs) && !ret; n++)
		ret = mknode(root, chrdevs[n].name, LX_S_IFCHR | 0666,
			     LBX_MKDEV(chrdevs[n].major, chrdevs[n].minor), NULL);
	if (!ret)
		ret = mknode(root, "fd", LX_S_IFLNK | 0777, 0, "/proc/self/fd");
	if (!ret)
		ret = mknode(root, "shm", LX_S_IFDIR | 01777, 0, NULL);
	if (!ret)
		ret = mknode(root, "pts", LX_S_IFDIR | 0755, 0, NULL);
	if (ret) {
		lbx_super_destroy(sb);
		return ret;
	}
	vfs->devfs = sb;
	*out = sb;
	return 0;
}
