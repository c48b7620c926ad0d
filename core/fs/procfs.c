// SPDX-License-Identifier: GPL-2.0
/*
 * procfs: /proc, read-only, in the text formats Linux programs parse.
 *
 * The tree is a set of static tables (struct proc_ent): global files,
 * /proc/sys/kernel, and what every /proc/<pid> holds. Only the root inode
 * lives as long as the super block; every other inode is made at lookup
 * and freed with its last reference. Its number is computed from what it
 * names (entry, pid, fd), so lookup and readdir agree and getcwd can
 * climb through /proc. A symlink's target is computed at lookup and kept
 * in the inode; a file's text is generated at open into a buffer the
 * open file owns, so reads at any offset see one snapshot.
 *
 * Locking: inode operations and iterate() run under the VFS namespace
 * lock (open included); the sandbox lock nests inside it. A process is
 * touched only under the sandbox lock, and its fs context, descriptor
 * table and memory map only while it has not exited: lbx_process_exit()
 * sets ->exited under that lock before it releases them. What may
 * re-enter procfs (climbing a path through a procfs directory) or drop
 * a last file reference runs after the sandbox lock is dropped.
 */
#include <litebox/procfs.h>
#include <litebox/eventfd.h>
#include <litebox/fdtable.h>
#include <litebox/mm.h>
#include <litebox/pipe.h>
#include <litebox/task.h>

#define PBUF_MIN	256U
#define PBUF_MAX	(64U << 20)
#define PROC_NAME_MAX	12	/* a u32 in decimal and a NUL */
#define LX_RLIMIT_SIGPENDING	11
#define CLOCK_HZ	100ULL	/* USER_HZ: clock ticks in /proc */

/* ---- generated text ---- */

struct pbuf {
	char *data;
	size_t len;
	size_t cap;
	int err;
};

static int pb_reserve(struct pbuf *b, size_t need)
{
	size_t cap;
	char *d;

	if (b->err || need <= b->cap)
		return b->err;
	if (need > PBUF_MAX) {
		b->err = -ENOMEM;
		return b->err;
	}
	cap = lbx_max(lbx_max(need, (size_t)PBUF_MIN), b->cap * 2);
	d = lbx_plat_alloc_large(cap);
	if (!d) {
		b->err = -ENOMEM;
		return b->err;
	}
	if (b->len)
		memcpy(d, b->data, b->len);
	lbx_plat_free_large(b->data);
	b->data = d;
	b->cap = cap;
	return 0;
}

static void pb_printf(struct pbuf *b, const char *fmt, ...) __lbx_printf(2, 3);
static void pb_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = lbx_vsnprintf(b->data ? b->data + b->len : NULL, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if (b->len + n >= b->cap) {
		if (pb_reserve(b, b->len + n + 1))
			return;
		va_start(ap, fmt);
		lbx_vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

static void pb_free(struct pbuf *b)
{
	lbx_plat_free_large(b->data);
	lbx_plat_free(b);
}

/* ---- the tables ---- */

/* What a file's text is made from. */
struct proc_show {
	struct pbuf *b;
	struct lbx_vfs *vfs;
	struct lbx_process *p;	/* per-process files: the sandbox lock held */
	s32 fd;
	struct lbx_file *file;	/* put once the sandbox lock is dropped */
};

/* What a symlink points at, worked out at lookup. */
struct proc_link {
	struct lbx_vfs *vfs;
	u32 pid;
	s32 fd;
	u32 perm;		/* permission bits of the link */
	char *target;
	size_t len;
};

struct proc_ent {
	const char *name;
	u32 id;			/* part of the inode number */
	u32 mode;
	int (*show)(struct proc_show *s);	/* regular files */
	/* writable files: the bytes written (len <= PROC_STORE_MAX) */
	int (*store)(struct proc_show *s, const char *buf, size_t len);
	int (*link)(struct proc_link *l);	/* symlinks */
	/* directories */
	const struct proc_ent *const *children;
	u32 nchildren;
	const struct proc_ent *parent;		/* NULL: the root's own */
	u32 dyn;				/* DYN_*: numbered entries */
	const struct proc_ent *dyn_ent;		/* what they are */
};

enum { DYN_NONE, DYN_PIDS, DYN_FDS, DYN_TIDS };

#define PROC_STORE_MAX	64	/* bytes of a write a store sees */

struct proc_inode {
	struct lbx_inode i;
	const struct proc_ent *ent;
	u32 pid;		/* 0: not a per-process entry */
	s32 fd;			/* fd/N and fdinfo/N: N; task/N and what it
				 * holds: the tid N; -1 otherwise */
	char *target;		/* symlinks; length 0: dangling (-ENOENT) */
	size_t tlen;
};

static const struct lbx_inode_ops proc_iops;
static const struct lbx_file_ops proc_file_ops;
static const struct lbx_file_ops proc_dir_ops;
static const struct lbx_super_ops proc_sops;

static struct proc_inode *PI(struct lbx_inode *i)
{
	return lbx_container_of(i, struct proc_inode, i);
}

static u64 proc_ino(const struct proc_ent *e, u32 pid, s32 fd)
{
	return ((u64)pid << 40) ^ ((u64)e->id << 32) ^ (u32)(fd + 1);
}

/* ---- processes ---- */

/* A live (not reaped) process of the sandbox; the sandbox lock held. */
static struct lbx_process *proc_find(struct lbx_sandbox *sb, u32 pid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->pid == pid && !p->reaped)
			return p;
	}
	return NULL;
}

/* Returns pid's process with the sandbox lock held, or NULL (unlocked). */
static struct lbx_process *proc_lock(struct lbx_vfs *vfs, u32 pid)
{
	struct lbx_sandbox *sb = vfs->sandbox;
	struct lbx_process *p;

	if (!sb)
		return NULL;
	lbx_plat_mutex_lock(&sb->lock);
	p = proc_find(sb, pid);
	if (!p)
		lbx_plat_mutex_unlock(&sb->lock);
	return p;
}

static void proc_unlock(struct lbx_process *p)
{
	lbx_plat_mutex_unlock(&p->sb->lock);
}

static bool proc_exists(struct lbx_vfs *vfs, u32 pid)
{
	struct lbx_process *p = proc_lock(vfs, pid);

	if (p)
		proc_unlock(p);
	return p != NULL;
}

/* The thread tid of p, or NULL; the sandbox lock held. */
static struct lbx_thread *proc_thread(struct lbx_process *p, s32 tid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if ((s32)t->tid == tid)
			return t;
	}
	return NULL;
}

static bool thread_exists(struct lbx_vfs *vfs, u32 pid, s32 tid)
{
	struct lbx_process *p = proc_lock(vfs, pid);
	bool found;

	if (!p)
		return false;
	found = !p->exited && proc_thread(p, tid);
	proc_unlock(p);
	return found;
}

/* The lowest tid >= from among pid's threads. */
static bool next_tid(struct lbx_vfs *vfs, u32 pid, u32 from, u32 *out)
{
	struct lbx_process *p = proc_lock(vfs, pid);
	struct lbx_list_head *pos;
	bool found = false;

	if (!p)
		return false;
	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (p->exited || t->tid < from || (found && t->tid >= *out))
			continue;
		*out = t->tid;
		found = true;
	}
	proc_unlock(p);
	return found;
}

/* The lowest live pid >= from. */
static bool next_pid(struct lbx_vfs *vfs, u32 from, u32 *out)
{
	struct lbx_sandbox *sb = vfs->sandbox;
	struct lbx_list_head *pos;
	u32 best = 0;
	bool found = false;

	if (!sb)
		return false;
	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->reaped || p->pid < from || (found && p->pid >= best))
			continue;
		best = p->pid;
		found = true;
	}
	lbx_plat_mutex_unlock(&sb->lock);
	*out = best;
	return found;
}

/* The lowest open descriptor >= from of process pid. */
static bool next_fd(struct lbx_vfs *vfs, u32 pid, u32 from, u32 *out)
{
	struct lbx_process *p = proc_lock(vfs, pid);
	struct lbx_fdtable *t;
	bool found = false;
	u32 fd;

	if (!p)
		return false;
	t = p->exited ? NULL : p->files;
	if (t) {
		lbx_plat_mutex_lock(&t->lock);
		for (fd = from; fd < t->size && !found; fd++) {
			if (t->files[fd]) {
				*out = fd;
				found = true;
			}
		}
		lbx_plat_mutex_unlock(&t->lock);
	}
	proc_unlock(p);
	return found;
}

/* A reference on the file at fd of process pid, or NULL. */
static struct lbx_file *proc_fd_get(struct lbx_vfs *vfs, u32 pid, s32 fd)
{
	struct lbx_process *p = proc_lock(vfs, pid);
	struct lbx_file *f = NULL;

	if (!p)
		return NULL;
	if (!p->exited && p->files)
		f = lbx_fd_get(p->files, fd);
	proc_unlock(p);
	return f;
}

/* The thread whose tid is the pid, else any; the sandbox lock held. */
static struct lbx_thread *main_thread(struct lbx_process *p)
{
	struct lbx_thread *first = NULL;
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (t->tid == p->pid)
			return t;
		if (!first)
			first = t;
	}
	return first;
}

/* The name ps shows: prctl's comm, else the executable's base name. */
static void proc_comm(struct lbx_process *p, char *out, size_t size)
{
	struct lbx_thread *t = main_thread(p);
	const char *base;
	size_t n;

	out[0] = '\0';
	if (t && t->comm[0]) {
		n = strnlen(t->comm, lbx_min(sizeof(t->comm) - 1, size - 1));
		memcpy(out, t->comm, n);
		out[n] = '\0';
	} else if (p->exe_path) {
		base = strrchr(p->exe_path, '/');
		lbx_strscpy(out, base ? base + 1 : p->exe_path, lbx_min(size, (size_t)16));
	}
}

/* A thread's name: its own, else the process's (task/<tid>/comm). */
static void thread_comm(struct lbx_process *p, struct lbx_thread *t, char *out, size_t size)
{
	size_t n;

	if (!t || !t->comm[0]) {
		proc_comm(p, out, size);
		return;
	}
	n = strnlen(t->comm, lbx_min(sizeof(t->comm) - 1, size - 1));
	memcpy(out, t->comm, n);
	out[n] = '\0';
}

static bool proc_is_current(struct lbx_process *p)
{
	struct lbx_thread *t = lbx_current();

	return t && t->proc == p;
}

static char proc_state(struct lbx_process *p)
{
	if (p->exited || p->exiting)
		return 'Z';
	return proc_is_current(p) ? 'R' : 'S';
}

static u64 vm_size(struct lbx_process *p)
{
	struct lbx_mm *mm = p->exited ? NULL : p->mm;
	struct lbx_list_head *pos;
	u64 sum = 0;

	if (!mm)
		return 0;
	lbx_plat_mutex_lock(&mm->lock);
	lbx_list_for_each(pos, &mm->vmas) {
		struct lbx_vma *v = lbx_list_entry(pos, struct lbx_vma, node);

		sum += v->end - v->start;
	}
	lbx_plat_mutex_unlock(&mm->lock);
	return sum;
}

/* Not __builtin_popcountll: the kernel has no libgcc to back it. */
static u32 bit_count(u64 v)
{
	u32 n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

struct sigsets {
	u64 pending, blocked, ignored, caught;
};

static void proc_sigsets(struct lbx_process *p, struct sigsets *ss)
{
	struct lbx_thread *t = main_thread(p);
	u32 n;

	memset(ss, 0, sizeof(*ss));
	if (t) {
		ss->pending = t->sigpending;
		ss->blocked = t->sigmask;
	}
	for (n = 0; n < LBX_NSIG; n++) {
		if (p->sigactions[n].handler == 1)
			ss->ignored |= 1ULL << n;
		else if (p->sigactions[n].handler > 1)
			ss->caught |= 1ULL << n;
	}
}

/* ---- paths ---- */

/* The root paths are resolved against: the reader's, else the VFS's. */
static void reader_root(struct lbx_vfs *vfs, struct lbx_path *root)
{
	struct lbx_thread *t = lbx_current();

	if (t && t->proc && !t->proc->exited && t->proc->fs &&
	    t->proc->fs->vfs == vfs) {
		*root = t->proc->fs->root;
		return;
	}
	root->mnt = vfs->root_mnt;
	root->inode = vfs->root_mnt->sb->root;
}

/*
 * The path of directory start as seen from root, built right to left in
 * buf (LX_PATH_MAX bytes, then LX_NAME_MAX + 1 of scratch), as getcwd
 * does but with the namespace lock already held.
 */
static int dir_path(struct lbx_vfs *vfs, const struct lbx_path *root,
		    const struct lbx_path *start, char *buf, const char **out)
{
	struct lbx_path cur = { start->mnt, lbx_inode_get(start->inode) };
	char *name = buf + LX_PATH_MAX;
	size_t pos = LX_PATH_MAX - 1, len;
	struct lbx_inode *up;
	int ret = 0;

	buf[pos] = '\0';
	while (cur.mnt != root->mnt || cur.inode != root->inode) {
		if (cur.inode == cur.mnt->sb->root) {
			if (!cur.mnt->parent)
				break;
			lbx_inode_put(cur.inode);
			cur.inode = lbx_inode_get(cur.mnt->mountpoint);
			cur.mnt = cur.mnt->parent;
			continue;
		}
		if (!LX_S_ISDIR(cur.inode->mode) || !cur.inode->iops ||
		    !cur.inode->iops->lookup) {
			ret = -ENOTDIR;
			break;
		}
		ret = cur.inode->iops->lookup(cur.inode, "..", 2, &up);
		if (ret)
			break;
		ret = lbx_vfs_name_of(vfs, cur.mnt, up, cur.inode->ino, name, &len);
		if (!ret && len + 1 > pos)
			ret = -ENAMETOOLONG;
		if (ret) {
			lbx_inode_put(up);
			break;
		}
		pos -= len;
		memcpy(buf + pos, name, len);
		buf[--pos] = '/';
		lbx_inode_put(cur.inode);
		cur.inode = up;
	}
	lbx_inode_put(cur.inode);
	if (ret)
		return ret;
	if (pos == LX_PATH_MAX - 1)
		buf[--pos] = '/';
	*out = buf + pos;
	return 0;
}

/* ---- symlinks ---- */

static int link_set(struct proc_link *l, const char *fmt, ...) __lbx_printf(2, 3);
static int link_set(struct proc_link *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lbx_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= LX_PATH_MAX)
		return -ENAMETOOLONG;
	l->target = lbx_plat_alloc(n + 1);
	if (!l->target)
		return -ENOMEM;
	va_start(ap, fmt);
	lbx_vsnprintf(l->target, n + 1, fmt, ap);
	va_end(ap);
	l->len = n;
	return 0;
}

static int link_dir(struct proc_link *l, const struct lbx_path *dir)
{
	char *buf = lbx_plat_alloc(LX_PATH_MAX + LX_NAME_MAX + 1);
	struct lbx_path root;
	const char *path;
	int ret;

	if (!buf)
		return -ENOMEM;
	reader_root(l->vfs, &root);
	ret = dir_path(l->vfs, &root, dir, buf, &path);
	if (!ret)
		ret = link_set(l, "%s", path);
	lbx_plat_free(buf);
	return ret;
}

/* "/proc/self": the reader's pid; dangling outside a guest thread. */
static int link_self(struct proc_link *l)
{
	struct lbx_thread *t = lbx_current();

	if (!t || !t->proc || !l->vfs->sandbox || t->proc->sb != l->vfs->sandbox)
		return 0;
	return link_set(l, "%u", t->proc->pid);
}

static int link_exe(struct proc_link *l)
{
	struct lbx_process *p = proc_lock(l->vfs, l->pid);
	int ret = -ENOENT;

	if (!p)
		return -ENOENT;
	if (!p->exited && p->exe_path)
		ret = link_set(l, "%s", p->exe_path);
	proc_unlock(p);
	return ret;
}

static int link_fs(struct proc_link *l, bool root)
{
	struct lbx_process *p = proc_lock(l->vfs, l->pid);
	struct lbx_path path = { NULL, NULL };
	int ret;

	if (!p)
		return -ENOENT;
	if (!p->exited && p->fs) {
		path = root ? p->fs->root : p->fs->cwd;
		lbx_inode_get(path.inode);
	}
	proc_unlock(p);
	if (!path.inode)
		return -ENOENT;
	ret = link_dir(l, &path);
	lbx_path_put(&path);
	return ret;
}

static int link_cwd(struct proc_link *l)
{
	return link_fs(l, false);
}

static int link_root(struct proc_link *l)
{
	return link_fs(l, true);
}

/* A devfs node by name: the console files are "/dev/stdin" and so on. */
static int link_devfs(struct proc_link *l, struct lbx_inode *i)
{
	struct lbx_super *dev = l->vfs->devfs;
	struct lbx_list_head *pos;
	const char *mpath = NULL;
	char *name;
	size_t len;
	int ret;

	lbx_list_for_each(pos, &l->vfs->mounts) {
		struct lbx_mount *m = lbx_list_entry(pos, struct lbx_mount, node);

		if (m->sb == dev)
			mpath = m->path;
	}
	if (!mpath)
		return -ENOENT;
	name = lbx_plat_alloc(LX_NAME_MAX + 1);
	if (!name)
		return -ENOMEM;
	ret = lbx_vfs_name_of(l->vfs, NULL, dev->root, i->ino, name, &len);
	if (!ret)
		ret = link_set(l, "%s/%.*s", mpath, (int)len, name);
	lbx_plat_free(name);
	return ret;
}

/*
 * What fd/N points at. Pipes, sockets and anonymous inodes as Linux
 * names them; directories by their path; devfs nodes by name. A file
 * does not remember the path it was opened by, so other files get the
 * link's own path (readable, but following it loops).
 */
static int fd_target(struct proc_link *l, struct lbx_file *f)
{
	struct lbx_inode *i = f->inode;

	if (lbx_file_is_pipe(f))
		return link_set(l, "pipe:[%llu]", (unsigned long long)i->ino);
	if (LX_S_ISSOCK(i->mode))
		return link_set(l, "socket:[%llu]", (unsigned long long)i->ino);
	if (lbx_file_is_eventfd(f))
		return link_set(l, "anon_inode:[eventfd]");
	if (!(i->mode & LX_S_IFMT))
		return link_set(l, "anon_inode:[%s]", i->sb->type ? i->sb->type : "unknown");
	if (f->mnt && LX_S_ISDIR(i->mode)) {
		struct lbx_path dir = { f->mnt, i };

		if (!link_dir(l, &dir))
			return 0;
	}
	if (l->vfs->devfs && i->sb == l->vfs->devfs && !link_devfs(l, i))
		return 0;
	return link_set(l, "/proc/%u/fd/%d", l->pid, l->fd);
}

static int link_fd(struct proc_link *l)
{
	struct lbx_file *f = proc_fd_get(l->vfs, l->pid, l->fd);
	int ret;

	if (!f)
		return -ENOENT;
	/* As Linux: r-x for reading, -wx for writing, to the owner. */
	l->perm = 0;
	if (f->fmode & LBX_FMODE_READ)
		l->perm |= 0500;
	if (f->fmode & LBX_FMODE_WRITE)
		l->perm |= 0300;
	ret = fd_target(l, f);
	lbx_file_put(f);
	return ret;
}

/* ---- global files ---- */

static int show_cpuinfo(struct proc_show *s)
{
	/* No platform call describes the CPU: one baseline x86-64 CPU, the
	 * count the rest of /proc and sched_getaffinity agree on. */
	pb_printf(s->b,
		  "processor\t: 0\n"
		  "vendor_id\t: GenuineIntel\n"
		  "cpu family\t: 6\n"
		  "model\t\t: 85\n"
		  "model name\t: LiteBox virtual CPU\n"
		  "stepping\t: 0\n"
		  "microcode\t: 0x1\n"
		  "cpu MHz\t\t: 2000.000\n"
		  "cache size\t: 4096 KB\n"
		  "physical id\t: 0\n"
		  "siblings\t: 1\n"
		  "core id\t\t: 0\n"
		  "cpu cores\t: 1\n"
		  "apicid\t\t: 0\n"
		  "initial apicid\t: 0\n"
		  "fpu\t\t: yes\n"
		  "fpu_exception\t: yes\n"
		  "cpuid level\t: 13\n"
		  "wp\t\t: yes\n"
		  "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov"
		  " pat pse36 clflush mmx fxsr sse sse2 syscall nx lm\n"
		  "bogomips\t: 4000.00\n"
		  "clflush size\t: 64\n"
		  "cache_alignment\t: 64\n"
		  "address sizes\t: 46 bits physical, 48 bits virtual\n"
		  "power management:\n"
		  "\n");
	return 0;
}

static void kb_line(struct pbuf *b, const char *name, u64 bytes)
{
	pb_printf(b, "%-16s%8llu kB\n", name, (unsigned long long)(bytes >> 10));
}

/*
 * The sandbox's file-system memory limit and use: what the sandbox may
 * still allocate for files (tmpfs, the overlay's upper layer), not host
 * RAM.
 */
static int show_meminfo(struct proc_show *s)
{
	struct lbx_sandbox *sb = s->vfs->sandbox;
	struct lbx_memacct *a = sb ? &sb->fs_mem : s->vfs->acct;
	u64 total = a ? a->limit : 0, used = a ? lbx_memacct_used(a) : 0;
	u64 free = total > used ? total - used : 0;
	static const char *const zero[] = {
		"Buffers:", "SwapCached:", "Active:", "Inactive:", "Unevictable:",
		"Mlocked:", "SwapTotal:", "SwapFree:", "Dirty:", "Writeback:",
		"AnonPages:", "Mapped:",
	};
	size_t n;

	kb_line(s->b, "MemTotal:", total);
	kb_line(s->b, "MemFree:", free);
	kb_line(s->b, "MemAvailable:", free);
	kb_line(s->b, "Cached:", 0);
	for (n = 0; n < LBX_ARRAY_SIZE(zero); n++)
		kb_line(s->b, zero[n], 0);
	kb_line(s->b, "Shmem:", used);
	kb_line(s->b, "CommitLimit:", total);
	kb_line(s->b, "Committed_AS:", used);
	pb_printf(s->b, "HugePages_Total:       0\nHugePages_Free:        0\n");
	kb_line(s->b, "Hugepagesize:", 2048 << 10);
	return 0;
}

static void centisecs(u64 ns, unsigned long long *sec, unsigned long long *cs)
{
	*sec = ns / LBX_NSEC_PER_SEC;
	*cs = (ns % LBX_NSEC_PER_SEC) / 10000000ULL;
}

static int show_uptime(struct proc_show *s)
{
	unsigned long long sec, cs;

	centisecs(lbx_plat_now_mono(), &sec, &cs);
	pb_printf(s->b, "%llu.%02llu %llu.%02llu\n", sec, cs, sec, cs);
	return 0;
}

static void sandbox_counts(struct lbx_vfs *vfs, u32 *threads, u32 *last_pid)
{
	struct lbx_sandbox *sb = vfs->sandbox;

	*threads = 0;
	*last_pid = 0;
	if (!sb)
		return;
	lbx_plat_mutex_lock(&sb->lock);
	*threads = sb->nr_threads;
	*last_pid = sb->next_pid - 1;
	lbx_plat_mutex_unlock(&sb->lock);
}

static int show_loadavg(struct proc_show *s)
{
	u32 threads, last;

	sandbox_counts(s->vfs, &threads, &last);
	pb_printf(s->b, "0.00 0.00 0.00 %u/%u %u\n", threads ? 1 : 0, threads, last);
	return 0;
}

static int show_stat(struct proc_show *s)
{
	u64 mono = lbx_plat_now_mono();
	unsigned long long idle = mono / (LBX_NSEC_PER_SEC / CLOCK_HZ);
	unsigned long long btime = (lbx_plat_now_real() - mono) / LBX_NSEC_PER_SEC;
	u32 threads, last;

	sandbox_counts(s->vfs, &threads, &last);
	pb_printf(s->b, "cpu  0 0 0 %llu 0 0 0 0 0 0\n", idle);
	pb_printf(s->b, "cpu0 0 0 0 %llu 0 0 0 0 0 0\n", idle);
	pb_printf(s->b, "intr 0\nctxt 0\nbtime %llu\nprocesses %u\n", btime, last);
	pb_printf(s->b, "procs_running %u\nprocs_blocked 0\n", threads ? 1 : 0);
	pb_printf(s->b, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
	return 0;
}

static const char *fs_type(const struct lbx_mount *m)
{
	return m->sb->type ? m->sb->type : "none";
}

/* /proc/mounts: as the kernel's, with the file-system type as source. */
static int show_mounts(struct proc_show *s)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &s->vfs->mounts) {
		struct lbx_mount *m = lbx_list_entry(pos, struct lbx_mount, node);

		pb_printf(s->b, "%s %s %s %s 0 0\n", fs_type(m), m->path, fs_type(m),
			  (m->sb->flags & LBX_SB_RDONLY) ? "ro" : "rw");
	}
	return 0;
}

/* Mount ids: the position in the mount list, from 1; 0 for no mount. */
static u32 mount_id(struct lbx_vfs *vfs, const struct lbx_mount *mnt)
{
	struct lbx_list_head *pos;
	u32 id = 1;

	lbx_list_for_each(pos, &vfs->mounts) {
		if (lbx_list_entry(pos, struct lbx_mount, node) == mnt)
			return id;
		id++;
	}
	return 0;
}

static int show_mountinfo(struct proc_show *s)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &s->vfs->mounts) {
		struct lbx_mount *m = lbx_list_entry(pos, struct lbx_mount, node);
		const char *rw = (m->sb->flags & LBX_SB_RDONLY) ? "ro" : "rw";

		pb_printf(s->b, "%u %u %u:%u / %s %s - %s %s %s\n",
			  mount_id(s->vfs, m), mount_id(s->vfs, m->parent),
			  LBX_MAJOR(m->sb->dev), LBX_MINOR(m->sb->dev), m->path, rw,
			  fs_type(m), fs_type(m), rw);
	}
	return 0;
}

static int show_filesystems(struct proc_show *s)
{
	pb_printf(s->b, "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\toverlay\n");
	return 0;
}

static int show_version(struct proc_show *s)
{
	pb_printf(s->b, "%s version %s (litebox@litebox) (gcc) %s\n",
		  LBX_UTS_SYSNAME, LBX_UTS_RELEASE, LBX_UTS_VERSION);
	return 0;
}

static int show_ostype(struct proc_show *s)
{
	pb_printf(s->b, "%s\n", LBX_UTS_SYSNAME);
	return 0;
}

static int show_osrelease(struct proc_show *s)
{
	pb_printf(s->b, "%s\n", LBX_UTS_RELEASE);
	return 0;
}

static int show_kversion(struct proc_show *s)
{
	pb_printf(s->b, "%s\n", LBX_UTS_VERSION);
	return 0;
}

static int show_hostname(struct proc_show *s)
{
	pb_printf(s->b, "%s\n", LBX_UTS_NODENAME);
	return 0;
}

static int show_pid_max(struct proc_show *s)
{
	pb_printf(s->b, "4194304\n");
	return 0;
}

static int show_ngroups_max(struct proc_show *s)
{
	pb_printf(s->b, "%u\n", LBX_NGROUPS_MAX);
	return 0;
}

/* ---- per-process files (the sandbox lock held, s->p found) ---- */

/* /proc/<pid>/status (t NULL) and /proc/<pid>/task/<tid>/status. */
static int status_of(struct proc_show *s, struct lbx_thread *t)
{
	struct lbx_process *p = s->p;
	bool alive = !p->exited;
	const struct lbx_cred *c = &p->cred;
	u64 prm = c->cap_permitted ? LBX_CAP_FULL : 0;
	u64 eff = c->cap_effective ? LBX_CAP_FULL : 0;
	u32 n;
	struct sigsets ss;
	char comm[16];
	char st = proc_state(p);

	thread_comm(p, t, comm, sizeof(comm));
	proc_sigsets(p, &ss);
	pb_printf(s->b, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\n", comm,
		  alive && p->fs ? p->fs->umask : 022, st,
		  st == 'Z' ? "zombie" : st == 'R' ? "running" : "sleeping");
	pb_printf(s->b, "Tgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\nTracerPid:\t0\n",
		  p->pid, t ? t->tid : p->pid, p->ppid);
	pb_printf(s->b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		  c->uid, c->euid, c->suid, c->fsuid,
		  c->gid, c->egid, c->sgid, c->fsgid);
	pb_printf(s->b, "FDSize:\t%u\nGroups:\t",
		  alive && p->files ? LBX_READ_ONCE(p->files->size) : 0);
	/* Space-separated, with Linux's trailing space. */
	for (n = 0; n < c->ngroups; n++)
		pb_printf(s->b, n ? " %u" : "%u", c->groups[n]);
	pb_printf(s->b, " \n");
	pb_printf(s->b, "NStgid:\t%u\nNSpid:\t%u\nNSpgid:\t%u\nNSsid:\t%u\n",
		  p->pid, t ? t->tid : p->pid, p->pgid, p->sid);
	if (alive)
		pb_printf(s->b, "VmSize:\t%8llu kB\n",
			  (unsigned long long)(vm_size(p) >> 10));
	pb_printf(s->b, "Threads:\t%u\nSigQ:\t%u/%llu\n", p->nr_threads,
		  bit_count(ss.pending),
		  (unsigned long long)p->rlim[LX_RLIMIT_SIGPENDING].cur);
	pb_printf(s->b, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
		  (unsigned long long)ss.pending, 0ULL,
		  (unsigned long long)ss.blocked);
	pb_printf(s->b, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  (unsigned long long)ss.ignored, (unsigned long long)ss.caught);
	pb_printf(s->b, "CapInh:\t0000000000000000\nCapPrm:\t%016llx\n"
		  "CapEff:\t%016llx\nCapBnd:\t%016llx\n"
		  "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n",
		  (unsigned long long)prm, (unsigned long long)eff,
		  (unsigned long long)LBX_CAP_FULL);
	pb_printf(s->b, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		  "Mems_allowed:\t1\nMems_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

static int show_status(struct proc_show *s)
{
	return status_of(s, NULL);
}

/* The thread of a task/<tid> file: -ENOENT once it is gone. */
static int shown_thread(struct proc_show *s, struct lbx_thread **t)
{
	*t = s->p->exited ? NULL : proc_thread(s->p, s->fd);
	return *t ? 0 : -ENOENT;
}

static int show_tstatus(struct proc_show *s)
{
	struct lbx_thread *t;

	return shown_thread(s, &t) ?: status_of(s, t);
}

/* The 52 fields of proc(5)'s /proc/<pid>/stat (t NULL) and of
 * /proc/<pid>/task/<tid>/stat; zero where unknown. */
static int pstat_of(struct proc_show *s, struct lbx_thread *t)
{
	struct lbx_process *p = s->p;
	struct sigsets ss;
	char comm[16];

	thread_comm(p, t, comm, sizeof(comm));
	proc_sigsets(p, &ss);
	/* 1-9: pid (comm) state ppid pgrp session tty_nr tpgid flags */
	pb_printf(s->b, "%u (%s) %c %u %u %u 0 -1 4194304 ", t ? t->tid : p->pid, comm,
		  proc_state(p), p->ppid, p->pgid, p->sid);
	/* 10-19: faults, times, priority, nice */
	pb_printf(s->b, "0 0 0 0 0 0 0 0 20 0 ");
	/* 20-25: threads itrealvalue starttime vsize rss rsslim */
	pb_printf(s->b, "%u 0 0 %llu 0 18446744073709551615 ", p->nr_threads,
		  (unsigned long long)vm_size(p));
	/* 26-30: startcode endcode startstack kstkesp kstkeip */
	pb_printf(s->b, "0 0 0 0 0 ");
	/* 31-34: signal blocked sigignore sigcatch (decimal) */
	pb_printf(s->b, "%llu %llu %llu %llu ", (unsigned long long)ss.pending,
		  (unsigned long long)ss.blocked, (unsigned long long)ss.ignored,
		  (unsigned long long)ss.caught);
	/* 35-46: wchan nswap cnswap exit_signal processor rt_priority policy
	 * blkio guest_time cguest_time start_data end_data */
	pb_printf(s->b, "0 0 0 17 0 0 0 0 0 0 0 0 ");
	/* 47-52: start_brk arg_start arg_end env_start env_end exit_code */
	pb_printf(s->b, "%llu 0 0 0 0 %d\n", (unsigned long long)p->brk_start,
		  p->exited ? p->exit_code : 0);
	return 0;
}

static int show_pstat(struct proc_show *s)
{
	return pstat_of(s, NULL);
}

static int show_tstat(struct proc_show *s)
{
	struct lbx_thread *t;

	return shown_thread(s, &t) ?: pstat_of(s, t);
}

static int show_statm(struct proc_show *s)
{
	pb_printf(s->b, "%llu 0 0 0 0 0 0\n",
		  (unsigned long long)(vm_size(s->p) / LBX_PAGE_SIZE));
	return 0;
}

static int show_maps(struct proc_show *s)
{
	struct lbx_mm *mm = s->p->exited ? NULL : s->p->mm;
	size_t need;

	if (!mm)
		return 0;
	need = lbx_mm_render_maps(mm, NULL, 0);
	for (;;) {
		size_t n;

		if (pb_reserve(s->b, need + 1))
			return s->b->err;
		n = lbx_mm_render_maps(mm, s->b->data, s->b->cap);
		if (n < s->b->cap) {
			s->b->len = n;
			return 0;
		}
		need = n;	/* grew meanwhile */
	}
}

static int show_comm(struct proc_show *s)
{
	char comm[16];

	proc_comm(s->p, comm, sizeof(comm));
	pb_printf(s->b, "%s\n", comm);
	return 0;
}

static int show_tcomm(struct proc_show *s)
{
	struct lbx_thread *t;
	char comm[16];
	int ret = shown_thread(s, &t);

	if (ret)
		return ret;
	thread_comm(s->p, t, comm, sizeof(comm));
	pb_printf(s->b, "%s\n", comm);
	return 0;
}

/*
 * A write to comm names the thread (the process's main one for
 * /proc/<pid>/comm) as Linux's comm_write() does: its first 15 bytes, a
 * newline included, for a writer of the same process only (-EINVAL for
 * another's).
 */
static int store_comm(struct proc_show *s, const char *buf, size_t len)
{
	struct lbx_thread *me = lbx_current(), *t;
	char name[16] = { 0 };

	if (!me || me->proc != s->p)
		return -EINVAL;
	t = s->fd >= 0 ? proc_thread(s->p, s->fd) : main_thread(s->p);
	if (!t)
		return -ESRCH;
	memcpy(name, buf, lbx_min(len, sizeof(name) - 1));
	memcpy(t->comm, name, sizeof(name));
	return 0;
}

static void pb_bytes(struct pbuf *b, const char *src, size_t n)
{
	if (!src || !n || pb_reserve(b, b->len + n + 1))
		return;
	memcpy(b->data + b->len, src, n);
	b->len += n;
}

/* argv and envp as the process's exec left them: NUL-separated. */
static int show_cmdline(struct proc_show *s)
{
	pb_bytes(s->b, s->p->cmdline, s->p->cmdline_len);
	return 0;
}

static int show_environ(struct proc_show *s)
{
	pb_bytes(s->b, s->p->environ, s->p->environ_len);
	return 0;
}

static int show_cgroup(struct proc_show *s)
{
	pb_printf(s->b, "0::/\n");
	return 0;
}

static int show_limits(struct proc_show *s)
{
	static const char *const lim[LBX_RLIM_NLIMITS][2] = {
		{ "Max cpu time", "seconds" }, { "Max file size", "bytes" },
		{ "Max data size", "bytes" }, { "Max stack size", "bytes" },
		{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" },
		{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
		{ "Max file locks", "locks" }, { "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", "" },
		{ "Max realtime priority", "" }, { "Max realtime timeout", "us" },
	};
	u32 n;

	pb_printf(s->b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		  "Hard Limit", "Units");
	for (n = 0; n < LBX_RLIM_NLIMITS; n++) {
		u64 v[2] = { s->p->rlim[n].cur, s->p->rlim[n].max };
		int k;

		pb_printf(s->b, "%-25s ", lim[n][0]);
		for (k = 0; k < 2; k++) {
			if (v[k] == LBX_RLIM_INFINITY)
				pb_printf(s->b, "%-20s ", "unlimited");
			else
				pb_printf(s->b, "%-20llu ", (unsigned long long)v[k]);
		}
		if (lim[n][1][0])
			pb_printf(s->b, "%-10s\n", lim[n][1]);
		else
			pb_printf(s->b, "\n");
	}
	return 0;
}

static int show_fdinfo(struct proc_show *s)
{
	struct lbx_process *p = s->p;
	struct lbx_file *f;
	u32 flags;
	u64 count;
	int fdfl;

	if (p->exited || !p->files)
		return -ENOENT;
	f = lbx_fd_get(p->files, s->fd);
	if (!f)
		return -ENOENT;
	s->file = f;
	fdfl = lbx_fd_get_flags(p->files, s->fd);
	flags = lbx_file_get_flags(f);
	if (fdfl > 0 && (fdfl & LX_FD_CLOEXEC))
		flags |= LX_O_CLOEXEC;
	pb_printf(s->b, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%u\nino:\t%llu\n",
		  (unsigned long long)LBX_READ_ONCE(f->pos), flags,
		  mount_id(s->vfs, f->mnt), (unsigned long long)f->inode->ino);
	if (lbx_file_is_eventfd(f) && !lbx_eventfd_count(f, &count))
		pb_printf(s->b, "eventfd-count: %16llx\n", (unsigned long long)count);
	return 0;
}

/* ---- the tree ---- */

enum {
	ID_ROOT = 1, ID_SELF, ID_CPUINFO, ID_FILESYSTEMS, ID_LOADAVG, ID_MEMINFO,
	ID_MOUNTS, ID_STAT, ID_UPTIME, ID_VERSION, ID_SYS, ID_KERNEL,
	ID_OSTYPE, ID_OSRELEASE, ID_KVERSION, ID_HOSTNAME, ID_PID_MAX,
	ID_NGROUPS_MAX,
	ID_PID, ID_CGROUP, ID_CMDLINE, ID_COMM, ID_CWD, ID_ENVIRON, ID_EXE,
	ID_FD, ID_FDINFO, ID_LIMITS, ID_MAPS, ID_MOUNTINFO, ID_PMOUNTS,
	ID_PROOT, ID_PSTAT, ID_STATM, ID_STATUS, ID_FD_LINK, ID_FDINFO_FILE,
	ID_TASK, ID_TID, ID_TCOMM, ID_TSTAT, ID_TSTATUS,
};

#define PROC_FILE(var, nm, i, perm, fn)					\
	static const struct proc_ent var = {				\
		.name = nm, .id = i, .mode = LX_S_IFREG | (perm), .show = fn }
#define PROC_FILE_RW(var, nm, i, perm, fn, st)				\
	static const struct proc_ent var = {				\
		.name = nm, .id = i, .mode = LX_S_IFREG | (perm), .show = fn, \
		.store = st }
#define PROC_LINK(var, nm, i, fn)					\
	static const struct proc_ent var = {				\
		.name = nm, .id = i, .mode = LX_S_IFLNK | 0777, .link = fn }

/* Directories name their parents: declared here, defined below. */
static const struct proc_ent root_ent, sys_ent, kernel_ent, pid_ent, task_ent, tid_ent;

PROC_LINK(self_ent, "self", ID_SELF, link_self);
PROC_FILE(cpuinfo_ent, "cpuinfo", ID_CPUINFO, 0444, show_cpuinfo);
PROC_FILE(filesystems_ent, "filesystems", ID_FILESYSTEMS, 0444, show_filesystems);
PROC_FILE(loadavg_ent, "loadavg", ID_LOADAVG, 0444, show_loadavg);
PROC_FILE(meminfo_ent, "meminfo", ID_MEMINFO, 0444, show_meminfo);
PROC_FILE(mounts_ent, "mounts", ID_MOUNTS, 0444, show_mounts);
PROC_FILE(stat_ent, "stat", ID_STAT, 0444, show_stat);
PROC_FILE(uptime_ent, "uptime", ID_UPTIME, 0444, show_uptime);
PROC_FILE(version_ent, "version", ID_VERSION, 0444, show_version);

PROC_FILE(ostype_ent, "ostype", ID_OSTYPE, 0444, show_ostype);
PROC_FILE(osrelease_ent, "osrelease", ID_OSRELEASE, 0444, show_osrelease);
PROC_FILE(kversion_ent, "version", ID_KVERSION, 0444, show_kversion);
PROC_FILE(hostname_ent, "hostname", ID_HOSTNAME, 0444, show_hostname);
PROC_FILE(pid_max_ent, "pid_max", ID_PID_MAX, 0444, show_pid_max);
PROC_FILE(ngroups_max_ent, "ngroups_max", ID_NGROUPS_MAX, 0444, show_ngroups_max);

static const struct proc_ent *const kernel_children[] = {
	&hostname_ent, &ngroups_max_ent, &osrelease_ent, &ostype_ent,
	&pid_max_ent, &kversion_ent,
};

static const struct proc_ent kernel_ent = {
	.name = "kernel", .id = ID_KERNEL, .mode = LX_S_IFDIR | 0555,
	.children = kernel_children, .nchildren = LBX_ARRAY_SIZE(kernel_children),
	.parent = &sys_ent,
};

static const struct proc_ent *const sys_children[] = { &kernel_ent };

static const struct proc_ent sys_ent = {
	.name = "sys", .id = ID_SYS, .mode = LX_S_IFDIR | 0555,
	.children = sys_children, .nchildren = LBX_ARRAY_SIZE(sys_children),
	.parent = &root_ent,
};

static const struct proc_ent *const root_children[] = {
	&self_ent, &cpuinfo_ent, &filesystems_ent, &loadavg_ent, &meminfo_ent,
	&mounts_ent, &stat_ent, &sys_ent, &uptime_ent, &version_ent,
};

static const struct proc_ent root_ent = {
	.name = "/", .id = ID_ROOT, .mode = LX_S_IFDIR | 0555,
	.children = root_children, .nchildren = LBX_ARRAY_SIZE(root_children),
	.dyn = DYN_PIDS, .dyn_ent = &pid_ent,
};

/* /proc/<pid>/fd/N and /proc/<pid>/fdinfo/N */
static const struct proc_ent fd_link_ent = {
	.name = "", .id = ID_FD_LINK, .mode = LX_S_IFLNK | 0700, .link = link_fd,
};
PROC_FILE(fdinfo_file_ent, "", ID_FDINFO_FILE, 0444, show_fdinfo);

static const struct proc_ent fd_ent = {
	.name = "fd", .id = ID_FD, .mode = LX_S_IFDIR | 0500,
	.parent = &pid_ent, .dyn = DYN_FDS, .dyn_ent = &fd_link_ent,
};

static const struct proc_ent fdinfo_ent = {
	.name = "fdinfo", .id = ID_FDINFO, .mode = LX_S_IFDIR | 0555,
	.parent = &pid_ent, .dyn = DYN_FDS, .dyn_ent = &fdinfo_file_ent,
};

PROC_FILE(cgroup_ent, "cgroup", ID_CGROUP, 0444, show_cgroup);
PROC_FILE(cmdline_ent, "cmdline", ID_CMDLINE, 0444, show_cmdline);
PROC_FILE_RW(comm_ent, "comm", ID_COMM, 0644, show_comm, store_comm);
PROC_LINK(cwd_ent, "cwd", ID_CWD, link_cwd);
PROC_FILE(environ_ent, "environ", ID_ENVIRON, 0400, show_environ);
PROC_LINK(exe_ent, "exe", ID_EXE, link_exe);
PROC_FILE(limits_ent, "limits", ID_LIMITS, 0444, show_limits);
PROC_FILE(maps_ent, "maps", ID_MAPS, 0444, show_maps);
PROC_FILE(mountinfo_ent, "mountinfo", ID_MOUNTINFO, 0444, show_mountinfo);
PROC_FILE(pmounts_ent, "mounts", ID_PMOUNTS, 0444, show_mounts);
PROC_LINK(proot_ent, "root", ID_PROOT, link_root);
PROC_FILE(pstat_ent, "stat", ID_PSTAT, 0444, show_pstat);
PROC_FILE(statm_ent, "statm", ID_STATM, 0444, show_statm);
PROC_FILE(status_ent, "status", ID_STATUS, 0444, show_status);

/* /proc/<pid>/task/<tid>/: a thread's own comm, stat and status. */
PROC_FILE_RW(tcomm_ent, "comm", ID_TCOMM, 0644, show_tcomm, store_comm);
PROC_FILE(tstat_ent, "stat", ID_TSTAT, 0444, show_tstat);
PROC_FILE(tstatus_ent, "status", ID_TSTATUS, 0444, show_tstatus);

static const struct proc_ent *const tid_children[] = {
	&tcomm_ent, &tstat_ent, &tstatus_ent,
};

static const struct proc_ent tid_ent = {
	.name = "", .id = ID_TID, .mode = LX_S_IFDIR | 0555,
	.children = tid_children, .nchildren = LBX_ARRAY_SIZE(tid_children),
	.parent = &task_ent,
};

static const struct proc_ent task_ent = {
	.name = "task", .id = ID_TASK, .mode = LX_S_IFDIR | 0555,
	.parent = &pid_ent, .dyn = DYN_TIDS, .dyn_ent = &tid_ent,
};

static const struct proc_ent *const pid_children[] = {
	&cgroup_ent, &cmdline_ent, &comm_ent, &cwd_ent, &environ_ent, &exe_ent,
	&fd_ent, &fdinfo_ent, &limits_ent, &maps_ent, &mountinfo_ent,
	&pmounts_ent, &proot_ent, &pstat_ent, &statm_ent, &status_ent, &task_ent,
};

static const struct proc_ent pid_ent = {
	.name = "", .id = ID_PID, .mode = LX_S_IFDIR | 0555,
	.children = pid_children, .nchildren = LBX_ARRAY_SIZE(pid_children),
	.parent = &root_ent,
};

/* ---- inodes ---- */

static u32 dir_nlink(const struct proc_ent *e)
{
	u32 n, links = 2;

	for (n = 0; n < e->nchildren; n++)
		if (LX_S_ISDIR(e->children[n]->mode))
			links++;
	return links;
}

/* A process's entries belong to its euid and egid, as Linux's. */
static void proc_owner(struct lbx_vfs *vfs, u32 pid, struct lbx_inode *i)
{
	struct lbx_process *p = proc_lock(vfs, pid);

	if (!p)
		return;
	i->uid = p->cred.euid;
	i->gid = p->cred.egid;
	proc_unlock(p);
}

/* Makes the inode for e (of process pid, descriptor fd). */
static int proc_make(struct lbx_super *sb, const struct proc_ent *e, u32 pid,
		     s32 fd, struct lbx_inode **out)
{
	struct proc_inode *pi;
	int ret;

	pi = lbx_plat_alloc(sizeof(*pi));
	if (!pi)
		return -ENOMEM;
	lbx_inode_init(&pi->i, sb, e->mode);
	pi->i.ino = proc_ino(e, pid, fd);
	pi->i.iops = &proc_iops;
	pi->ent = e;
	pi->pid = pid;
	pi->fd = fd;
	if (LX_S_ISDIR(e->mode))
		pi->i.nlink = dir_nlink(e);
	if (pid)
		proc_owner(sb->vfs, pid, &pi->i);
	if (LX_S_ISLNK(e->mode)) {
		struct proc_link l = {
			.vfs = sb->vfs, .pid = pid, .fd = fd, .perm = e->mode & 0777,
		};

		ret = e->link(&l);
		if (ret) {
			lbx_plat_free(pi);
			return ret;
		}
		pi->target = l.target;
		pi->tlen = l.len;
		pi->i.size = l.len;
		pi->i.mode = LX_S_IFLNK | l.perm;
	}
	*out = &pi->i;
	return 0;
}

static void proc_free_inode(struct lbx_inode *i)
{
	struct proc_inode *pi = PI(i);

	lbx_plat_free(pi->target);
	lbx_plat_free(pi);
}

/* What the entries of directory dir carry in their fd field: a tid dir's
 * children are its thread's; anything else's none. */
static s32 tid_arg(const struct proc_ent *dir, s32 fd)
{
	return dir->id == ID_TID ? fd : -1;
}

/* The parent's pid: a /proc/<pid> directory's parent is global. */
static u32 parent_pid(const struct proc_ent *parent, u32 pid)
{
	return parent == &root_ent ? 0 : pid;
}

static u64 parent_ino(struct proc_inode *pi)
{
	const struct proc_ent *parent = pi->ent->parent;

	if (!parent)
		return pi->i.ino;
	return proc_ino(parent, parent_pid(parent, pi->pid), tid_arg(parent, pi->fd));
}

/* Decimal without sign or leading zeros, as Linux's name_to_int. */
static bool parse_num(const char *name, size_t len, u32 *out)
{
	u64 v = 0;
	size_t n;

	if (!len || len > 10 || (name[0] == '0' && len > 1))
		return false;
	for (n = 0; n < len; n++) {
		if (name[n] < '0' || name[n] > '9')
			return false;
		v = v * 10 + (name[n] - '0');
	}
	if (v > 0x7fffffff)
		return false;
	*out = (u32)v;
	return true;
}

static int proc_lookup(struct lbx_inode *dir, const char *name, size_t len,
		       struct lbx_inode **out)
{
	struct proc_inode *pd = PI(dir);
	const struct proc_ent *e = pd->ent;
	struct lbx_vfs *vfs = dir->sb->vfs;
	struct lbx_file *f;
	u32 n;

	if (len == 1 && name[0] == '.') {
		*out = lbx_inode_get(dir);
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (!e->parent || e->parent == &root_ent) {
			*out = lbx_inode_get(dir->sb->root);
			return 0;
		}
		return proc_make(dir->sb, e->parent, pd->pid, tid_arg(e->parent, pd->fd), out);
	}
	if (pd->pid && !proc_exists(vfs, pd->pid))
		return -ENOENT;
	if (e->id == ID_TID && !thread_exists(vfs, pd->pid, pd->fd))
		return -ENOENT;
	for (n = 0; n < e->nchildren; n++) {
		const char *cn = e->children[n]->name;

		if (strlen(cn) == len && !memcmp(cn, name, len))
			return proc_make(dir->sb, e->children[n], pd->pid,
					 tid_arg(e, pd->fd), out);
	}
	if (e->dyn == DYN_NONE || !parse_num(name, len, &n))
		return -ENOENT;
	if (e->dyn == DYN_PIDS) {
		if (!n || !proc_exists(vfs, n))
			return -ENOENT;
		return proc_make(dir->sb, e->dyn_ent, n, -1, out);
	}
	if (e->dyn == DYN_TIDS) {
		if (!thread_exists(vfs, pd->pid, (s32)n))
			return -ENOENT;
		return proc_make(dir->sb, e->dyn_ent, pd->pid, (s32)n, out);
	}
	if (e->dyn_ent->show) {
		/* fdinfo/N exists while the descriptor does. */
		f = proc_fd_get(vfs, pd->pid, n);
		if (!f)
			return -ENOENT;
		lbx_file_put(f);
	}
	return proc_make(dir->sb, e->dyn_ent, pd->pid, n, out);
}

/* No file can be made in /proc: EACCES as the kernel's vfs_create(). */
static int proc_create(struct lbx_inode *dir, const char *name, size_t len,
		       const struct lbx_new_inode *ni, struct lbx_inode **out)
{
	return LX_S_ISREG(ni->mode) ? -EACCES : -EPERM;
}

static int proc_readlink(struct lbx_inode *i, const char **target, size_t *len)
{
	struct proc_inode *pi = PI(i);

	if (!LX_S_ISLNK(i->mode))
		return -EINVAL;
	if (!pi->tlen)
		return -ENOENT;
	*target = pi->target;
	*len = pi->tlen;
	return 0;
}

static int proc_generate(struct proc_inode *pi, struct lbx_vfs *vfs, struct pbuf *b)
{
	struct proc_show s = { .b = b, .vfs = vfs, .fd = pi->fd };
	int ret;

	if (!pi->pid) {
		ret = pi->ent->show(&s);
	} else {
		s.p = proc_lock(vfs, pi->pid);
		if (!s.p)
			return -ENOENT;
		ret = pi->ent->show(&s);
		proc_unlock(s.p);
		lbx_file_put(s.file);
	}
	return ret ? ret : b->err;
}

static int proc_open(struct lbx_inode *i, struct lbx_file *f)
{
	struct pbuf *b;
	int ret;

	if (LX_S_ISDIR(i->mode)) {
		f->ops = &proc_dir_ops;
		return 0;
	}
	if (!LX_S_ISREG(i->mode))
		return -ENXIO;
	if ((f->fmode & LBX_FMODE_WRITE) && !PI(i)->ent->store)
		return -EACCES;
	b = lbx_plat_alloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = proc_generate(PI(i), f->vfs, b);
	if (ret) {
		pb_free(b);
		return ret;
	}
	f->priv = b;
	f->ops = &proc_file_ops;
	return 0;
}

/* As Linux's proc_setattr(): no mode change; a size (O_TRUNC before a
 * write to comm) or times are taken and mean nothing. */
static int proc_setattr(struct lbx_inode *i, const struct lbx_iattr *ia)
{
	if (ia->valid & (LBX_ATTR_MODE | LBX_ATTR_UID | LBX_ATTR_GID))
		return -EPERM;
	return 0;
}

static const struct lbx_inode_ops proc_iops = {
	.lookup = proc_lookup,
	.create = proc_create,
	.setattr = proc_setattr,
	.readlink = proc_readlink,
	.open = proc_open,
};

/* ---- files ---- */

static ssize_t proc_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	struct pbuf *b = f->priv;
	ssize_t ret;
	size_t n;

	if (*pos >= b->len)
		return 0;
	n = lbx_min(b->len - (size_t)*pos, lbx_iter_count(to));
	ret = lbx_iter_copy_to_partial(to, b->data + *pos, n);
	if (ret > 0)
		*pos += ret;
	return ret;
}

/* A write to a writable file: one store of its first PROC_STORE_MAX bytes
 * (all count as written, as Linux's comm_write() has it), with the
 * process locked. */
static ssize_t proc_write(struct lbx_file *f, struct lbx_iter *from, u64 *pos)
{
	struct proc_inode *pi = PI(f->inode);
	struct proc_show s = { .vfs = f->vfs, .fd = pi->fd };
	size_t count = lbx_iter_count(from), n = lbx_min(count, (size_t)PROC_STORE_MAX);
	char buf[PROC_STORE_MAX];
	int ret;

	if (!pi->ent->store)
		return -EINVAL;
	if (lbx_iter_copy_from(from, buf, n))
		return -EFAULT;
	s.p = proc_lock(f->vfs, pi->pid);
	if (!s.p)
		return -ESRCH;
	ret = pi->ent->store(&s, buf, n);
	proc_unlock(s.p);
	return ret ? ret : (ssize_t)count;
}

static s64 proc_llseek(struct lbx_file *f, s64 off, int whence)
{
	struct pbuf *b = f->priv;

	return lbx_generic_llseek(f, off, whence, b->len);
}

static void proc_release(struct lbx_file *f)
{
	pb_free(f->priv);
}

static const struct lbx_file_ops proc_file_ops = {
	.read = proc_read,
	.write = proc_write,
	.llseek = proc_llseek,
	.release = proc_release,
};

static ssize_t proc_dir_read(struct lbx_file *f, struct lbx_iter *to, u64 *pos)
{
	return -EISDIR;
}

static bool emit_num(struct lbx_dir_ctx *ctx, u32 v, u64 ino, u32 mode)
{
	char name[PROC_NAME_MAX];
	int len = lbx_snprintf(name, sizeof(name), "%u", v);

	return ctx->emit(ctx, name, len, ino, lbx_mode_to_dtype(mode));
}

/*
 * Positions: 0 ".", 1 "..", then the static entries, then numbered ones
 * at base + number, so a listing resumes at the next pid or fd that still
 * exists however the set changed meanwhile.
 */
static int proc_iterate(struct lbx_file *f, struct lbx_dir_ctx *ctx)
{
	struct proc_inode *pi = PI(f->inode);
	const struct proc_ent *e = pi->ent;
	u64 base = 2 + e->nchildren;
	u32 next = 0;

	if (pi->pid && !proc_exists(f->vfs, pi->pid))
		return -ENOENT;
	if (e->id == ID_TID && !thread_exists(f->vfs, pi->pid, pi->fd))
		return -ENOENT;
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, pi->i.ino, LX_DT_DIR))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, parent_ino(pi), LX_DT_DIR))
			return 0;
		ctx->pos = 2;
	}
	for (; ctx->pos < base; ctx->pos++) {
		const struct proc_ent *c = e->children[ctx->pos - 2];

		if (!ctx->emit(ctx, c->name, strlen(c->name),
			       proc_ino(c, pi->pid, tid_arg(e, pi->fd)),
			       lbx_mode_to_dtype(c->mode)))
			return 0;
	}
	while (e->dyn != DYN_NONE && ctx->pos - base <= 0xffffffffULL) {
		u32 from = (u32)(ctx->pos - base);
		bool ok;

		if (e->dyn == DYN_PIDS) {
			if (!next_pid(f->vfs, from, &next))
				break;
			ok = emit_num(ctx, next, proc_ino(e->dyn_ent, next, -1),
				      e->dyn_ent->mode);
		} else if (e->dyn == DYN_TIDS) {
			if (!next_tid(f->vfs, pi->pid, from, &next))
				break;
			ok = emit_num(ctx, next, proc_ino(e->dyn_ent, pi->pid, (s32)next),
				      e->dyn_ent->mode);
		} else {
			if (!next_fd(f->vfs, pi->pid, from, &next))
				break;
			ok = emit_num(ctx, next, proc_ino(e->dyn_ent, pi->pid, next),
				      e->dyn_ent->mode);
		}
		if (!ok)
			break;
		ctx->pos = base + next + 1ULL;
	}
	return 0;
}

static const struct lbx_file_ops proc_dir_ops = {
	.read = proc_dir_read,
	.write = proc_dir_read,
	.llseek = lbx_dir_llseek,
	.iterate = proc_iterate,
};

/* ---- the super block ---- */

static void proc_destroy(struct lbx_super *sb)
{
	struct lbx_inode *root = sb->root;

	sb->root = NULL;
	lbx_inode_put(root);
	lbx_plat_free(sb);
}

static const struct lbx_super_ops proc_sops = {
	.free_inode = proc_free_inode,
	.destroy = proc_destroy,
};

int lbx_procfs_create(struct lbx_vfs *vfs, struct lbx_super **out)
{
	struct lbx_super *sb = lbx_plat_alloc(sizeof(*sb));
	int ret;

	if (!sb)
		return -ENOMEM;
	sb->ops = &proc_sops;
	sb->vfs = vfs;
	sb->type = "proc";
	sb->dev = lbx_vfs_alloc_dev(vfs);
	ret = proc_make(sb, &root_ent, 0, -1, &sb->root);
	if (ret) {
		lbx_plat_free(sb);
		return ret;
	}
	*out = sb;
	return 0;
}

int lbx_procfs_mount(struct lbx_vfs *vfs, const char *path)
{
	struct lbx_super *sb;
	int ret;

	ret = lbx_procfs_create(vfs, &sb);
	if (ret)
		return ret;
	ret = lbx_vfs_mount(vfs, path, sb);
	if (ret)
		lbx_super_destroy(sb);
	return ret;
}
