// SPDX-License-Identifier: GPL-2.0
/* core/fs/procfs.c: /proc over a sandbox's processes. */
#include <litebox/procfs.h>
#include <litebox/fdtable.h>
#include <litebox/mm.h>
#include <litebox/pipe.h>
#include <litebox/task.h>
#include "test_vfs_util.h"

struct pfix {
	struct lbx_sandbox *sb;
	struct lbx_thread *t;		/* pid 1's main thread, the current one */
	struct lbx_process *p;
	struct lbx_fs_ctx *ctx;		/* pid 1's */
};

static char *dup_(const char *s)
{
	char *d = lbx_plat_alloc(strlen(s) + 1);

	memcpy(d, s, strlen(s) + 1);
	return d;
}

/* What the shim's process set-up gives a process: a memory map, an fs
 * context at "/", the console on fds 0-2, an executable path. */
static void proc_setup(struct lbx_process *p)
{
	struct lbx_vfs *vfs = p->sb->vfs;
	int fd;

	ASSERT_EQ(lbx_mm_create(&p->mm), 0);
	p->fs = lbx_plat_alloc(sizeof(*p->fs));
	ASSERT_NOT_NULL(p->fs);
	ASSERT_EQ(lbx_fs_ctx_init(p->fs, vfs), 0);
	p->fs->umask = 022;
	ASSERT_EQ(lbx_fdtable_create(p->sb->limits.max_fds, &p->files), 0);
	for (fd = 0; fd < 3; fd++) {
		struct lbx_file *f;

		ASSERT_EQ(lbx_console_file_open(vfs, fd, &f), 0);
		ASSERT_EQ(lbx_fd_install(p->files, f, 0, fd), fd);
		lbx_file_put(f);
	}
	p->exe_path = dup_("/bin/true");
}

static void pf_init(struct pfix *x)
{
	struct lbx_limits lim;

	memset(x, 0, sizeof(*x));
	memset(&lim, 0, sizeof(lim));
	ASSERT_EQ(lbx_sandbox_create(&lim, NULL, &x->sb), 0);
	ASSERT_EQ(lbx_vfs_create(&x->sb->vfs, x->sb, NULL, 0, NULL, 0, &x->sb->fs_mem), 0);
	ASSERT_EQ(lbx_process_create(x->sb, NULL, &x->t), 0);
	x->p = x->t->proc;
	proc_setup(x->p);
	x->ctx = x->p->fs;
	lbx_plat_set_current(x->t);
}

static void pf_fini(struct pfix *x)
{
	lbx_plat_set_current(NULL);
	lbx_process_exit(x->p, 0);
	lbx_thread_exit(x->t);
	lbx_thread_put(x->t);
	lbx_sandbox_put(x->sb);
}

static bool has_item(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *s = list;

	while ((s = strstr(s, item))) {
		if ((s == list || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
			return true;
		s += n;
	}
	return false;
}

TEST(procfs_root_lists_static_entries_and_pids)
{
	static const char *const names[] = {
		"self", "1", "cpuinfo", "meminfo", "mounts", "uptime", "loadavg",
		"version", "filesystems", "stat", "sys",
	};
	struct pfix x;
	char list[1024];
	size_t n;

	pf_init(&x);
	ASSERT_EQ(list_dir(x.ctx, "/proc", list, sizeof(list), 0), 0);
	for (n = 0; n < LBX_ARRAY_SIZE(names); n++)
		EXPECT_TRUE(has_item(list, names[n]));
	EXPECT_TRUE(has_item(list, "."));
	EXPECT_TRUE(has_item(list, ".."));
	EXPECT_FALSE(has_item(list, "2"));
	ASSERT_EQ(list_dir(x.ctx, "/proc/sys/kernel", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "hostname,ngroups_max,osrelease,ostype,pid_max,version");
	ASSERT_EQ(list_dir(x.ctx, "/proc/1", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "cgroup,cmdline,comm,cwd,environ,exe,fd,fdinfo,limits,"
		     "maps,mountinfo,mounts,root,stat,statm,status,task");
	ASSERT_EQ(list_dir(x.ctx, "/proc/1/task", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "1");
	ASSERT_EQ(list_dir(x.ctx, "/proc/1/task/1", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "comm,stat,status");
	pf_fini(&x);
}

TEST(procfs_self_is_the_current_pid)
{
	struct pfix x;
	struct lbx_kstat st;
	char buf[64];

	pf_init(&x);
	ASSERT_EQ(readlink_(x.ctx, "/proc/self", buf, sizeof(buf)), 1);
	ASSERT_STREQ(buf, "1");
	ASSERT_EQ(stat_(x.ctx, "/proc/self", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISDIR(st.mode));
	ASSERT_EQ(stat_(x.ctx, "/proc/self", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFLNK | 0777);
	/* No guest thread: dangling, as for a kernel thread. */
	lbx_plat_set_current(NULL);
	ASSERT_EQ(readlink_(x.ctx, "/proc/self", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(try_open(x.ctx, "/proc/self/status", LX_O_RDONLY), -ENOENT);
	ASSERT_EQ(try_open(x.ctx, "/proc/1/status", LX_O_RDONLY), 0);
	pf_fini(&x);
}

TEST(procfs_status_fields)
{
	struct pfix x;
	char buf[4096];

	pf_init(&x);
	x.t->sigmask = 1ULL << (10 - 1);		/* SIGUSR1 */
	x.t->sigpending = 1ULL << (12 - 1);		/* SIGUSR2 */
	x.p->sigactions[13 - 1].handler = 1;		/* SIGPIPE ignored */
	x.p->sigactions[17 - 1].handler = 0x401000;	/* SIGCHLD caught */
	ASSERT_GT(get_file(x.ctx, "/proc/self/status", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "Name:\ttrue\n"));
	EXPECT_TRUE(strstr(buf, "\nPid:\t1\n"));
	EXPECT_TRUE(strstr(buf, "\nPPid:\t0\n"));
	EXPECT_TRUE(strstr(buf, "\nTgid:\t1\n"));
	EXPECT_TRUE(strstr(buf, "\nUmask:\t0022\n"));
	EXPECT_TRUE(strstr(buf, "\nState:\tR (running)\n"));
	EXPECT_TRUE(strstr(buf, "\nUid:\t0\t0\t0\t0\n"));
	EXPECT_TRUE(strstr(buf, "\nGroups:\t \n"));		/* Linux's trailing space */
	EXPECT_TRUE(strstr(buf, "\nCapEff:\t000001ffffffffff\n"));
	EXPECT_TRUE(strstr(buf, "\nThreads:\t1\n"));
	EXPECT_TRUE(strstr(buf, "\nSigPnd:\t0000000000000800\n"));
	EXPECT_TRUE(strstr(buf, "\nSigBlk:\t0000000000000200\n"));
	EXPECT_TRUE(strstr(buf, "\nSigIgn:\t0000000000001000\n"));
	EXPECT_TRUE(strstr(buf, "\nSigCgt:\t0000000000010000\n"));
	/* prctl(PR_SET_NAME) wins over the executable's name. */
	strcpy(x.t->comm, "worker");
	ASSERT_GT(get_file(x.ctx, "/proc/1/status", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "Name:\tworker\n"));
	ASSERT_EQ(get_file(x.ctx, "/proc/1/comm", buf, sizeof(buf)), 7);
	ASSERT_STREQ(buf, "worker\n");
	/* The process's credentials, each id in its column. */
	x.p->cred.uid = 1;
	x.p->cred.euid = 2;
	x.p->cred.suid = 3;
	x.p->cred.fsuid = 4;
	x.p->cred.gid = 5;
	x.p->cred.egid = 6;
	x.p->cred.sgid = 7;
	x.p->cred.fsgid = 8;
	x.p->cred.ngroups = 2;
	x.p->cred.groups[0] = 10;
	x.p->cred.groups[1] = 20;
	x.p->cred.cap_effective = false;
	ASSERT_GT(get_file(x.ctx, "/proc/1/status", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "\nUid:\t1\t2\t3\t4\n"));
	EXPECT_TRUE(strstr(buf, "\nGid:\t5\t6\t7\t8\n"));
	EXPECT_TRUE(strstr(buf, "\nGroups:\t10 20 \n"));
	EXPECT_TRUE(strstr(buf, "\nCapPrm:\t000001ffffffffff\n"));
	EXPECT_TRUE(strstr(buf, "\nCapEff:\t0000000000000000\n"));
	lbx_cred_init_root(&x.p->cred);
	pf_fini(&x);
}

TEST(procfs_maps_is_the_memory_map)
{
	struct pfix x;
	char buf[4096], want[4096];
	size_t n;

	pf_init(&x);
	ASSERT_EQ(get_file(x.ctx, "/proc/self/maps", buf, sizeof(buf)), 0);
	ASSERT_EQ(lbx_mm_insert(x.p->mm, 0x400000, 0x401000, LBX_PROT_READ | LBX_PROT_EXEC,
				0, 0, "/bin/true"), 0);
	ASSERT_EQ(lbx_mm_insert(x.p->mm, 0x600000, 0x603000, LBX_PROT_READ | LBX_PROT_WRITE,
				0, 0, "[heap]"), 0);
	ASSERT_EQ(lbx_mm_insert(x.p->mm, 0x7ff000000000ULL, 0x7ff000021000ULL,
				LBX_PROT_READ | LBX_PROT_WRITE, 0, 0, "[stack]"), 0);
	n = lbx_mm_render_maps(x.p->mm, want, sizeof(want));
	ASSERT_EQ(get_file(x.ctx, "/proc/self/maps", buf, sizeof(buf)), (long)n);
	ASSERT_STREQ(buf, want);
	ASSERT_TRUE(strstr(buf, "[heap]"));
	/* statm's size: pages mapped. */
	ASSERT_GT(get_file(x.ctx, "/proc/self/statm", buf, sizeof(buf)), 0);
	ASSERT_EQ(strtoul(buf, NULL, 10), 1 + 3 + 0x21);
	pf_fini(&x);
}

TEST(procfs_maps_grows_past_the_first_buffer)
{
	struct pfix x;
	struct lbx_file *f;
	size_t n, want;
	char *buf, *ref;
	u64 a;

	pf_init(&x);
	for (a = 0; a < 500; a++)
		ASSERT_EQ(lbx_mm_insert(x.p->mm, 0x10000000 + a * 0x2000,
					0x10000000 + a * 0x2000 + 0x1000,
					LBX_PROT_READ, 0, 0, "/usr/lib/libsomething.so.1"), 0);
	want = lbx_mm_render_maps(x.p->mm, NULL, 0);
	ref = malloc(want + 1);
	buf = malloc(want + 1);
	lbx_mm_render_maps(x.p->mm, ref, want + 1);
	ASSERT_EQ(fopen_(x.ctx, "/proc/self/maps", LX_O_RDONLY, 0, &f), 0);
	n = 0;
	for (;;) {
		long r = fread_(f, buf + n, want + 1 - n);

		ASSERT_GE(r, 0);
		if (!r)
			break;
		n += r;
	}
	lbx_file_put(f);
	ASSERT_EQ(n, want);
	ASSERT_MEMEQ(buf, ref, want);
	free(buf);
	free(ref);
	pf_fini(&x);
}

TEST(procfs_fd_dir_lists_descriptors)
{
	struct pfix x;
	struct lbx_file *rd, *wr, *d, *f;
	char list[256], buf[256], want[64], fdinfo4[128];
	int fd;

	pf_init(&x);
	ASSERT_EQ(list_dir(x.ctx, "/proc/self/fd", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "0,1,2");
	ASSERT_EQ(list_dir(x.ctx, "/proc/self/fdinfo", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "0,1,2");
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/fd/0", buf, sizeof(buf)), 10);
	ASSERT_STREQ(buf, "/dev/stdin");
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/fd/2", buf, sizeof(buf)), 11);
	ASSERT_STREQ(buf, "/dev/stderr");

	ASSERT_EQ(lbx_pipe_create(x.sb->vfs, 0, &rd, &wr), 0);
	ASSERT_EQ(lbx_fd_install(x.p->files, rd, 0, 0), 3);
	ASSERT_EQ(lbx_fd_install(x.p->files, wr, LBX_FD_CLOEXEC, 0), 4);
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)rd->inode->ino);
	snprintf(fdinfo4, sizeof(fdinfo4), "pos:\t0\nflags:\t02100001\nmnt_id:\t0\nino:\t%llu\n",
		 (unsigned long long)wr->inode->ino);
	lbx_file_put(rd);
	lbx_file_put(wr);
	ASSERT_EQ(fopen_(x.ctx, "/tmp", LX_O_RDONLY | LX_O_DIRECTORY, 0, &d), 0);
	ASSERT_EQ(lbx_fd_install(x.p->files, d, 0, 0), 5);
	lbx_file_put(d);
	ASSERT_EQ(put_file(x.ctx, "/tmp/data", "hello"), 5);
	ASSERT_EQ(fopen_(x.ctx, "/tmp/data", LX_O_RDWR, 0, &f), 0);
	ASSERT_EQ(lbx_fd_install(x.p->files, f, 0, 9), 9);
	ASSERT_EQ(fread_(f, buf, 2), 2);
	lbx_file_put(f);

	ASSERT_EQ(list_dir(x.ctx, "/proc/self/fd", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "0,1,2,3,4,5,9");
	ASSERT_GT(readlink_(x.ctx, "/proc/self/fd/3", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, want);
	ASSERT_GT(readlink_(x.ctx, "/proc/1/fd/4", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, want);
	ASSERT_EQ(readlink_(x.ctx, "/proc/1/fd/5", buf, sizeof(buf)), 4);
	ASSERT_STREQ(buf, "/tmp");
	/* No path is kept for regular files: the link names itself. */
	ASSERT_GT(readlink_(x.ctx, "/proc/1/fd/9", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "/proc/1/fd/9");
	ASSERT_EQ(readlink_(x.ctx, "/proc/1/fd/6", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(readlink_(x.ctx, "/proc/1/fd/03", buf, sizeof(buf)), -ENOENT);
	/* The directory's link can be followed. */
	ASSERT_EQ(list_dir(x.ctx, "/proc/self/fd/5", list, sizeof(list), 1), 0);
	ASSERT_TRUE(has_item(list, "data"));

	/* O_WRONLY | O_LARGEFILE | O_CLOEXEC; pipes are on no mount. */
	ASSERT_GT(get_file(x.ctx, "/proc/self/fdinfo/4", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, fdinfo4);
	ASSERT_GT(get_file(x.ctx, "/proc/self/fdinfo/9", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "pos:\t2\n"));
	EXPECT_TRUE(strstr(buf, "flags:\t0100002\n"));
	EXPECT_TRUE(strstr(buf, "mnt_id:\t1\n"));
	ASSERT_EQ(try_open(x.ctx, "/proc/self/fdinfo/7", LX_O_RDONLY), -ENOENT);

	fd = lbx_fd_close(x.p->files, 3);
	ASSERT_EQ(fd, 0);
	ASSERT_EQ(list_dir(x.ctx, "/proc/self/fd", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "0,1,2,4,5,9");
	pf_fini(&x);
}

TEST(procfs_fd_link_modes)
{
	struct pfix x;
	struct lbx_kstat st;

	pf_init(&x);
	ASSERT_EQ(stat_(x.ctx, "/proc/self/fd/0", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFLNK | 0700);
	ASSERT_EQ(stat_(x.ctx, "/proc/self/fd", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 0500);
	/* Following fd/0 reaches the console node. */
	ASSERT_EQ(stat_(x.ctx, "/proc/self/fd/0", 0, &st), 0);
	ASSERT_TRUE(LX_S_ISCHR(st.mode));
	pf_fini(&x);
}

/* Splits a stat line into its fields; the comm may hold spaces. */
static int stat_fields(const char *line, char fields[64][64], int max)
{
	const char *open = strchr(line, '('), *close = strrchr(line, ')');
	const char *s;
	int n = 0;

	if (!open || !close)
		return -1;
	snprintf(fields[n++], 64, "%.*s", (int)(open - line - 1), line);
	snprintf(fields[n++], 64, "%.*s", (int)(close - open - 1), open + 1);
	s = close + 1;
	while (*s && n < max) {
		int len;

		while (*s == ' ')
			s++;
		if (!*s || *s == '\n')
			break;
		len = strcspn(s, " \n");
		snprintf(fields[n++], 64, "%.*s", len, s);
		s += len;
	}
	return n;
}

TEST(procfs_stat_line_parses)
{
	static char fields[64][64];
	struct pfix x;
	char buf[1024];

	pf_init(&x);
	strcpy(x.t->comm, "a b) c");
	ASSERT_GT(get_file(x.ctx, "/proc/self/stat", buf, sizeof(buf)), 0);
	ASSERT_EQ(stat_fields(buf, fields, 64), 52);
	ASSERT_STREQ(fields[0], "1");
	ASSERT_STREQ(fields[1], "a b) c");
	ASSERT_STREQ(fields[2], "R");
	ASSERT_STREQ(fields[3], "0");		/* ppid */
	ASSERT_STREQ(fields[4], "1");		/* pgrp */
	ASSERT_STREQ(fields[5], "1");		/* session */
	ASSERT_STREQ(fields[19], "1");		/* num_threads */
	ASSERT_STREQ(fields[37], "17");		/* exit_signal */
	ASSERT_EQ(buf[strlen(buf) - 1], '\n');
	pf_fini(&x);
}

TEST(procfs_is_read_only)
{
	struct pfix x;
	struct lbx_file *f;
	struct lbx_fs_ctx user;

	pf_init(&x);
	ASSERT_EQ(try_open(x.ctx, "/proc/self/status", LX_O_WRONLY), -EACCES);
	ASSERT_EQ(try_open(x.ctx, "/proc/cpuinfo", LX_O_RDWR), -EACCES);
	ASSERT_EQ(try_open(x.ctx, "/proc/new", LX_O_WRONLY | LX_O_CREAT), -EACCES);
	ASSERT_EQ(mkdir_(x.ctx, "/proc/newdir", 0755), -EPERM);
	ASSERT_EQ(unlink_(x.ctx, "/proc/cpuinfo"), -EPERM);
	ASSERT_EQ(rmdir_(x.ctx, "/proc/1"), -EPERM);
	ASSERT_EQ(symlink_(x.ctx, "x", "/proc/lnk"), -EPERM);
	ASSERT_EQ(try_open(x.ctx, "/proc", LX_O_RDWR), -EISDIR);
	ASSERT_EQ(lbx_vfs_fchmodat(x.ctx, NULL, "/proc/cpuinfo", 0666, 0), -EPERM);
	/* A reader cannot write through a read-only open either. */
	ASSERT_EQ(fopen_(x.ctx, "/proc/version", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fwrite_(f, "x", 1), -EBADF);
	lbx_file_put(f);
	/* Not root: the mode bits answer, as Linux's permission check. */
	ASSERT_EQ(lbx_fs_ctx_copy(&user, x.ctx), 0);
	user.fsuid = 1000;
	user.fsgid = 1000;
	ASSERT_EQ(try_open(&user, "/proc/cpuinfo", LX_O_WRONLY), -EACCES);
	ASSERT_EQ(try_open(&user, "/proc/new", LX_O_WRONLY | LX_O_CREAT), -EACCES);
	ASSERT_EQ(try_open(&user, "/proc/1/environ", LX_O_RDONLY), -EACCES);
	ASSERT_EQ(try_open(&user, "/proc/1/fd", LX_O_RDONLY | LX_O_DIRECTORY), -EACCES);
	ASSERT_EQ(try_open(&user, "/proc/cpuinfo", LX_O_RDONLY), 0);
	lbx_fs_ctx_release(&user);
	pf_fini(&x);
}

TEST(procfs_small_reads_and_seeks_see_one_snapshot)
{
	struct pfix x;
	struct lbx_file *f;
	char whole[4096], part[4096], c[7];
	long len, n = 0, r;
	size_t step;

	pf_init(&x);
	len = get_file(x.ctx, "/proc/self/status", whole, sizeof(whole));
	ASSERT_GT(len, 100);
	for (step = 1; step <= sizeof(c); step += 3) {
		ASSERT_EQ(fopen_(x.ctx, "/proc/self/status", LX_O_RDONLY, 0, &f), 0);
		n = 0;
		while ((r = fread_(f, c, step)) > 0) {
			memcpy(part + n, c, r);
			n += r;
		}
		ASSERT_EQ(r, 0);
		ASSERT_EQ(n, len);
		ASSERT_MEMEQ(part, whole, len);
		/* Seeks and positioned reads into the same snapshot. */
		ASSERT_EQ(lbx_file_llseek(f, 5, LX_SEEK_SET), 5);
		ASSERT_EQ(fread_(f, c, 4), 4);
		ASSERT_MEMEQ(c, whole + 5, 4);
		ASSERT_EQ(lbx_file_llseek(f, -3, LX_SEEK_END), len - 3);
		ASSERT_EQ(fread_(f, c, sizeof(c)), 3);
		ASSERT_MEMEQ(c, whole + len - 3, 3);
		ASSERT_EQ(lbx_file_pread(f, c, 6, 10), 6);
		ASSERT_MEMEQ(c, whole + 10, 6);
		ASSERT_EQ(lbx_file_pread(f, c, 6, len + 100), 0);
		lbx_file_put(f);
	}
	pf_fini(&x);
}

TEST(procfs_small_getdents_buffers_resume)
{
	struct pfix x;
	struct lbx_file *f;
	unsigned char buf[48];
	char all[1024], one[1024];
	size_t o = 0;

	pf_init(&x);
	ASSERT_EQ(list_dir(x.ctx, "/proc/1", all, sizeof(all), 0), 0);
	ASSERT_EQ(fopen_(x.ctx, "/proc/1", LX_O_RDONLY | LX_O_DIRECTORY, 0, &f), 0);
	one[0] = '\0';
	for (;;) {
		struct lbx_iter it;
		long n, p = 0;

		lbx_iter_init_kernel(&it, buf, sizeof(buf));
		n = lbx_file_getdents64(f, &it);
		ASSERT_GE(n, 0);
		if (!n)
			break;
		while (p < n) {
			unsigned short reclen;

			memcpy(&reclen, buf + p + 16, 2);
			o += snprintf(one + o, sizeof(one) - o, "%s%s", o ? "," : "",
				      (const char *)buf + p + 19);
			p += reclen;
		}
	}
	lbx_file_put(f);
	ASSERT_STREQ(one, all);
	pf_fini(&x);
}

TEST(procfs_second_process_comes_and_goes)
{
	struct pfix x;
	struct lbx_thread *ct;
	struct lbx_process *c;
	struct lbx_wait_result res;
	char list[1024], buf[4096];

	pf_init(&x);
	ASSERT_EQ(lbx_process_create(x.sb, x.p, &ct), 0);
	c = ct->proc;
	proc_setup(c);
	ASSERT_EQ(c->pid, 2);
	ASSERT_EQ(list_dir(x.ctx, "/proc", list, sizeof(list), 1), 0);
	ASSERT_TRUE(has_item(list, "1"));
	ASSERT_TRUE(has_item(list, "2"));
	ASSERT_GT(get_file(x.ctx, "/proc/2/status", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "\nPid:\t2\n"));
	EXPECT_TRUE(strstr(buf, "\nPPid:\t1\n"));
	EXPECT_TRUE(strstr(buf, "\nState:\tS (sleeping)\n"));
	ASSERT_EQ(list_dir(x.ctx, "/proc/2/fd", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "0,1,2");
	ASSERT_EQ(get_file(x.ctx, "/proc/loadavg", buf, sizeof(buf)), 21);
	ASSERT_STREQ(buf, "0.00 0.00 0.00 1/2 2\n");

	/* A zombie: still listed, its resources gone. */
	lbx_process_exit(c, 3 << 8);
	lbx_thread_exit(ct);
	lbx_thread_put(ct);
	ASSERT_EQ(list_dir(x.ctx, "/proc", list, sizeof(list), 1), 0);
	ASSERT_TRUE(has_item(list, "2"));
	ASSERT_GT(get_file(x.ctx, "/proc/2/status", buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "\nState:\tZ (zombie)\n"));
	EXPECT_TRUE(strstr(buf, "\nThreads:\t0\n"));
	ASSERT_EQ(get_file(x.ctx, "/proc/2/maps", buf, sizeof(buf)), 0);
	ASSERT_EQ(list_dir(x.ctx, "/proc/2/fd", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "");
	ASSERT_EQ(readlink_(x.ctx, "/proc/2/exe", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(readlink_(x.ctx, "/proc/2/cwd", buf, sizeof(buf)), -ENOENT);

	/* Reaped: gone. */
	ASSERT_EQ(lbx_process_wait(x.t, 2, LBX_WAIT_NOHANG | LBX_WAIT_EXITED, &res), 0);
	ASSERT_EQ(res.pid, 2);
	ASSERT_EQ(list_dir(x.ctx, "/proc", list, sizeof(list), 1), 0);
	ASSERT_FALSE(has_item(list, "2"));
	ASSERT_EQ(try_open(x.ctx, "/proc/2/status", LX_O_RDONLY), -ENOENT);
	ASSERT_EQ(readlink_(x.ctx, "/proc/2", buf, sizeof(buf)), -ENOENT);
	pf_fini(&x);
}

TEST(procfs_open_file_outlives_its_process)
{
	struct pfix x;
	struct lbx_thread *ct;
	struct lbx_wait_result res;
	struct lbx_file *f, *d;
	char buf[4096];
	long n;

	pf_init(&x);
	ASSERT_EQ(lbx_process_create(x.sb, x.p, &ct), 0);
	proc_setup(ct->proc);
	ASSERT_EQ(fopen_(x.ctx, "/proc/2/status", LX_O_RDONLY, 0, &f), 0);
	ASSERT_EQ(fopen_(x.ctx, "/proc/2", LX_O_RDONLY | LX_O_DIRECTORY, 0, &d), 0);
	lbx_process_exit(ct->proc, 0);
	lbx_thread_exit(ct);
	lbx_thread_put(ct);
	ASSERT_EQ(lbx_process_wait(x.t, 2, LBX_WAIT_NOHANG | LBX_WAIT_EXITED, &res), 0);
	n = fread_(f, buf, sizeof(buf) - 1);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	EXPECT_TRUE(strstr(buf, "\nPid:\t2\n"));
	lbx_file_put(f);
	{
		struct lbx_iter it;

		lbx_iter_init_kernel(&it, buf, sizeof(buf));
		ASSERT_EQ(lbx_file_getdents64(d, &it), -ENOENT);
	}
	lbx_file_put(d);
	pf_fini(&x);
}

TEST(procfs_cwd_exe_root_links)
{
	struct pfix x;
	char buf[256];

	pf_init(&x);
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/exe", buf, sizeof(buf)), 9);
	ASSERT_STREQ(buf, "/bin/true");
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/root", buf, sizeof(buf)), 1);
	ASSERT_STREQ(buf, "/");
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/cwd", buf, sizeof(buf)), 1);
	ASSERT_STREQ(buf, "/");
	ASSERT_EQ(mkdir_(x.ctx, "/tmp/a", 0755), 0);
	ASSERT_EQ(mkdir_(x.ctx, "/tmp/a/b", 0755), 0);
	ASSERT_EQ(lbx_fs_chdir(x.ctx, "/tmp/a/b"), 0);
	ASSERT_EQ(readlink_(x.ctx, "/proc/self/cwd", buf, sizeof(buf)), 8);
	ASSERT_STREQ(buf, "/tmp/a/b");
	/* Following cwd lands in the directory. */
	ASSERT_EQ(put_file(x.ctx, "/proc/self/cwd/../f", "z"), 1);
	ASSERT_EQ(get_file(x.ctx, "/tmp/a/f", buf, sizeof(buf)), 1);
	/* Inside /proc itself: the climb and getcwd go through procfs. */
	ASSERT_EQ(lbx_fs_chdir(x.ctx, "/proc/self/fd"), 0);
	ASSERT_EQ(readlink_(x.ctx, "/proc/1/cwd", buf, sizeof(buf)), 10);
	ASSERT_STREQ(buf, "/proc/1/fd");
	ASSERT_EQ(lbx_fs_getcwd(x.ctx, buf, sizeof(buf)), 11);
	ASSERT_STREQ(buf, "/proc/1/fd");
	ASSERT_EQ(readlink_(x.ctx, "0", buf, sizeof(buf)), 10);
	ASSERT_STREQ(buf, "/dev/stdin");
	ASSERT_EQ(lbx_fs_chdir(x.ctx, "../../sys/kernel"), 0);
	ASSERT_EQ(lbx_fs_getcwd(x.ctx, buf, sizeof(buf)), 17);
	ASSERT_STREQ(buf, "/proc/sys/kernel");
	ASSERT_EQ(lbx_fs_chdir(x.ctx, "/"), 0);
	pf_fini(&x);
}

TEST(procfs_global_files)
{
	struct pfix x;
	char buf[4096];
	unsigned long long total = 0, sec, cs;

	pf_init(&x);
	ASSERT_GT(get_file(x.ctx, "/proc/cpuinfo", buf, sizeof(buf)), 0);
	ASSERT_TRUE(!strncmp(buf, "processor\t: 0\n", 14));
	ASSERT_TRUE(strstr(buf, "\nflags\t\t: fpu "));
	ASSERT_GT(get_file(x.ctx, "/proc/meminfo", buf, sizeof(buf)), 0);
	ASSERT_EQ(sscanf(buf, "MemTotal: %llu kB", &total), 1);
	ASSERT_EQ(total, LBX_DEFAULT_FS_MEM >> 10);
	ASSERT_TRUE(strstr(buf, "\nMemFree:  "));
	ASSERT_TRUE(strstr(buf, "\nMemAvailable:  "));
	ASSERT_GT(get_file(x.ctx, "/proc/uptime", buf, sizeof(buf)), 0);
	ASSERT_EQ(sscanf(buf, "%llu.%llu", &sec, &cs), 2);
	ASSERT_GT(get_file(x.ctx, "/proc/mounts", buf, sizeof(buf)), 0);
	ASSERT_TRUE(!strncmp(buf, "tmpfs / tmpfs rw 0 0\n", 21));
	ASSERT_TRUE(strstr(buf, "\ndevtmpfs /dev devtmpfs rw 0 0\n"));
	ASSERT_TRUE(strstr(buf, "\nproc /proc proc rw 0 0\n"));
	{
		char self[4096];

		ASSERT_GT(get_file(x.ctx, "/proc/self/mounts", self, sizeof(self)), 0);
		ASSERT_STREQ(self, buf);
	}
	ASSERT_GT(get_file(x.ctx, "/proc/self/mountinfo", buf, sizeof(buf)), 0);
	ASSERT_TRUE(strstr(buf, " / / rw - tmpfs tmpfs rw\n"));
	ASSERT_TRUE(strstr(buf, "3 1 "));
	ASSERT_EQ(get_file(x.ctx, "/proc/sys/kernel/osrelease", buf, sizeof(buf)), 14);
	ASSERT_STREQ(buf, LBX_UTS_RELEASE "\n");
	ASSERT_GT(get_file(x.ctx, "/proc/sys/kernel/hostname", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "litebox\n");
	ASSERT_GT(get_file(x.ctx, "/proc/version", buf, sizeof(buf)), 0);
	ASSERT_TRUE(!strncmp(buf, "Linux version 6.1.0-litebox ", 28));
	ASSERT_GT(get_file(x.ctx, "/proc/stat", buf, sizeof(buf)), 0);
	ASSERT_TRUE(!strncmp(buf, "cpu  ", 5));
	ASSERT_TRUE(strstr(buf, "\ncpu0 "));
	ASSERT_TRUE(strstr(buf, "\nbtime "));
	ASSERT_GT(get_file(x.ctx, "/proc/filesystems", buf, sizeof(buf)), 0);
	ASSERT_TRUE(strstr(buf, "nodev\tproc\n"));
	ASSERT_EQ(get_file(x.ctx, "/proc/self/cmdline", buf, sizeof(buf)), 0);
	ASSERT_EQ(get_file(x.ctx, "/proc/self/environ", buf, sizeof(buf)), 0);
	ASSERT_EQ(get_file(x.ctx, "/proc/self/cgroup", buf, sizeof(buf)), 5);
	pf_fini(&x);
}

TEST(procfs_limits)
{
	struct pfix x;
	char buf[4096];

	pf_init(&x);
	x.p->rlim[7].cur = 1024;		/* RLIMIT_NOFILE */
	x.p->rlim[7].max = 4096;
	x.p->rlim[3].cur = LBX_RLIM_INFINITY;	/* RLIMIT_STACK */
	x.p->rlim[3].max = LBX_RLIM_INFINITY;
	ASSERT_GT(get_file(x.ctx, "/proc/self/limits", buf, sizeof(buf)), 0);
	ASSERT_TRUE(!strncmp(buf, "Limit                     Soft Limit           "
			     "Hard Limit           Units     \n", 79));
	ASSERT_TRUE(strstr(buf, "\nMax open files            1024                 "
			   "4096                 files     \n"));
	ASSERT_TRUE(strstr(buf, "\nMax stack size            unlimited            "
			   "unlimited            bytes     \n"));
	ASSERT_TRUE(strstr(buf, "\nMax nice priority         0                    0"
			   "                    \n"));
	pf_fini(&x);
}

TEST(procfs_stat_modes)
{
	struct pfix x;
	struct lbx_kstat st, st2;

	pf_init(&x);
	ASSERT_EQ(stat_(x.ctx, "/proc", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 0555);
	ASSERT_GE(st.nlink, 3);
	ASSERT_EQ(st.uid, 0);
	ASSERT_EQ(stat_(x.ctx, "/proc/cpuinfo", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0444);
	ASSERT_EQ(st.nlink, 1);
	ASSERT_EQ(st.size, 0);
	ASSERT_EQ(stat_(x.ctx, "/proc/1", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFDIR | 0555);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/environ", 0, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFREG | 0400);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/exe", LX_AT_SYMLINK_NOFOLLOW, &st), 0);
	ASSERT_EQ(st.mode, LX_S_IFLNK | 0777);
	/* Inode numbers are stable across lookups; the dev is procfs's own. */
	ASSERT_EQ(stat_(x.ctx, "/proc/self/status", 0, &st), 0);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/status", 0, &st2), 0);
	ASSERT_EQ(st.ino, st2.ino);
	ASSERT_EQ(st.dev, st2.dev);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/stat", 0, &st2), 0);
	ASSERT_NE(st.ino, st2.ino);
	ASSERT_EQ(stat_(x.ctx, "/tmp", 0, &st2), 0);
	ASSERT_NE(st.dev, st2.dev);
	ASSERT_EQ(stat_(x.ctx, "/proc/0", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(x.ctx, "/proc/01", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(x.ctx, "/proc/99999999999", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/nope", 0, &st), -ENOENT);
	ASSERT_EQ(stat_(x.ctx, "/proc/1/status/x", 0, &st), -ENOTDIR);
	pf_fini(&x);
}

TEST(procfs_without_a_sandbox)
{
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
	char list[1024], buf[1024];
	unsigned long long total;

	lbx_memacct_init(&acct, 1 << 24);
	ASSERT_EQ(lbx_vfs_create(&vfs, NULL, NULL, 0, NULL, 0, &acct), 0);
	ASSERT_EQ(lbx_fs_ctx_init(&ctx, vfs), 0);
	ASSERT_EQ(list_dir(&ctx, "/proc", list, sizeof(list), 1), 0);
	ASSERT_STREQ(list, "self,cpuinfo,filesystems,loadavg,meminfo,mounts,stat,sys,"
		     "uptime,version");
	ASSERT_EQ(readlink_(&ctx, "/proc/self", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(try_open(&ctx, "/proc/1/status", LX_O_RDONLY), -ENOENT);
	ASSERT_GT(get_file(&ctx, "/proc/meminfo", buf, sizeof(buf)), 0);
	ASSERT_EQ(sscanf(buf, "MemTotal: %llu kB", &total), 1);
	ASSERT_EQ(total, 1 << 14);
	ASSERT_EQ(get_file(&ctx, "/proc/loadavg", buf, sizeof(buf)), 21);
	ASSERT_STREQ(buf, "0.00 0.00 0.00 0/0 0\n");
	lbx_fs_ctx_release(&ctx);
	lbx_vfs_destroy(vfs);
	ASSERT_EQ(lbx_memacct_used(&acct), 0);
}
