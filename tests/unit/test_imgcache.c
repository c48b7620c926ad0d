// SPDX-License-Identifier: GPL-2.0
/*
 * userspace_tools/common/imgcache.c and tarw.c's manifests: lbx-launch's
 * cache of built root images. A hit needs the same files (same identity)
 * and an intact cache file; anything else is a miss, never a wrong image.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "../../userspace_tools/common/tarw.c"
#include "../../userspace_tools/common/imgcache.c"

/* The tar size a hit reports. */
static size_t tsize;

#include "lbx_test.h"

#define BIG	(100 * 1024 + 7)	/* spliced into the image */

static char tmpdir[64], hostdir[96], cachedir[96];

static void write_file(const char *path, const char *fill, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		abort();
	for (i = 0; i < len; i++)
		fputc(fill[i % strlen(fill)], f);
	fclose(f);
}

static void setup(void)
{
	char p[160];

	strcpy(tmpdir, "/tmp/lbx-imgcache-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	snprintf(hostdir, sizeof(hostdir), "%s/host", tmpdir);
	snprintf(cachedir, sizeof(cachedir), "%s/cache", tmpdir);
	if (mkdir(hostdir, 0755))
		abort();
	snprintf(p, sizeof(p), "%s/lib.so", hostdir);
	write_file(p, "library", BIG);
	snprintf(p, sizeof(p), "%s/small", hostdir);
	write_file(p, "small\n", 6);
	snprintf(p, sizeof(p), "%s/link", hostdir);
	if (symlink("lib.so", p))
		abort();
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwX %s; rm -rf %s", tmpdir, tmpdir);
	if (system(cmd))
		abort();
}

/* The root of the host tree as the launcher would record it. */
static int manifest(struct tarw_manifest *m, bool dry, struct tarw *t)
{
	int ret;

	memset(m, 0, sizeof(*m));
	lbx_cache_manifest_begin(m);
	tarw_init(t, true);
	tarw_set_manifest(t, m, dry);
	ret = tarw_add_host(t, hostdir, "/data");
	if (!ret)
		ret = tarw_add_dir(t, "/tmp", 01777);
	if (!ret && !dry)
		ret = tarw_finish(t);
	return ret ? ret : m->err;
}

static void dry_manifest(struct tarw_manifest *m)
{
	struct tarw t;

	if (manifest(m, true, &t))
		abort();
	tarw_free(&t);
}

static bool same(const struct tarw_manifest *a, const struct tarw_manifest *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

static bool fd_holds(int fd, const void *data, size_t len)
{
	struct stat st;
	char *buf;
	bool ok;

	if (fstat(fd, &st) || (size_t)st.st_size != len)
		return false;
	buf = malloc(len);
	ok = buf && pread(fd, buf, len, 0) == (ssize_t)len && !memcmp(buf, data, len);
	free(buf);
	return ok;
}

static void open_cache_ok(struct lbx_cache *c)
{
	char why[160];

	if (lbx_cache_open(c, cachedir, geteuid(), why, sizeof(why)))
		abort();
}

/* Opens a cache file (stored read-only, 0400) for writing, as its owner may. */
static int open_w(int dirfd, const char *name)
{
	if (fchmodat(dirfd, name, 0600, 0))
		return -1;
	return openat(dirfd, name, O_WRONLY);
}

/* Stores data under name, which must succeed; the descriptor is closed. */
static void store_ok(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		     const void *data, size_t len)
{
	int fd = lbx_cache_store(c, name, m, data, len);

	ASSERT_GE(fd, 0);
	close(fd);
}

/* Looks name up, which must hit (holding data, when given). */
static void hit_ok(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		   const void *data, size_t len)
{
	int fd = lbx_cache_lookup(c, name, m, &tsize);

	ASSERT_GE(fd, 0);
	if (data)
		ASSERT_TRUE(fd_holds(fd, data, len));
	close(fd);
}

/* Gives path back the times st holds (a change that must not show in them). */
static void keep_times(const char *path, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (utimensat(AT_FDCWD, path, ts, 0))
		abort();
}

/* Builds, stores and looks up the host tree's image: a hit, same bytes. */
TEST(store_then_hit)
{
	struct tarw_manifest dry, real;
	char name[LBX_CACHE_NAME_LEN + 1], name2[LBX_CACHE_NAME_LEN + 1];
	struct lbx_cache c;
	struct stat st;
	struct tarw t;
	int fd, hit;

	setup();
	dry_manifest(&dry);
	ASSERT_EQ(manifest(&real, false, &t), 0);
	/* A dry resolution records exactly what a build does. */
	ASSERT_TRUE(same(&dry, &real));
	ASSERT_TRUE(memmem(dry.buf, dry.len, "lib.so", 7) != NULL);
	open_cache_ok(&c);
	ASSERT_EQ(fstat(c.dirfd, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);
	lbx_cache_name(&real, name);
	ASSERT_EQ(strlen(name), LBX_CACHE_NAME_LEN);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &dry, &tsize), -ENOENT);
	fd = lbx_cache_store(&c, name, &real, t.buf, t.len);
	ASSERT_GE(fd, 0);
	ASSERT_TRUE(fd_holds(fd, t.buf, t.len));
	/* Read-only: litebox.ko refuses a file someone may write through. */
	ASSERT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	/* A second resolution of the same files: same key, a hit. */
	tarw_manifest_free(&dry);
	dry_manifest(&dry);
	lbx_cache_name(&dry, name2);
	ASSERT_STREQ(name, name2);
	hit = lbx_cache_lookup(&c, name, &dry, &tsize);
	ASSERT_GE(hit, 0);
	ASSERT_EQ(tsize, t.len);
	ASSERT_TRUE(fd_holds(hit, t.buf, t.len));
	ASSERT_EQ(fcntl(hit, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(hit);
	tarw_free(&t);
	tarw_manifest_free(&dry);
	tarw_manifest_free(&real);
	lbx_cache_close(&c);
	teardown();
}

/* Stores the tree, changes the library with op, expects a miss. */
static void check_change(void (*op)(const char *lib))
{
	struct tarw_manifest before, after;
	char name[LBX_CACHE_NAME_LEN + 1], name2[LBX_CACHE_NAME_LEN + 1], lib[160];
	struct lbx_cache c;
	struct tarw t;

	setup();
	open_cache_ok(&c);
	ASSERT_EQ(manifest(&before, false, &t), 0);
	lbx_cache_name(&before, name);
	store_ok(&c, name, &before, t.buf, t.len);
	tarw_free(&t);
	snprintf(lib, sizeof(lib), "%s/lib.so", hostdir);
	op(lib);
	dry_manifest(&after);
	ASSERT_FALSE(same(&before, &after));
	lbx_cache_name(&after, name2);
	ASSERT_NE(strcmp(name, name2), 0);
	ASSERT_EQ(lbx_cache_lookup(&c, name2, &after, &tsize), -ENOENT);
	/* Even under the old name the new manifest is no hit. */
	ASSERT_EQ(lbx_cache_lookup(&c, name, &after, &tsize), -ESTALE);
	tarw_manifest_free(&before);
	tarw_manifest_free(&after);
	lbx_cache_close(&c);
	teardown();
}

static void touch_mtime(const char *lib)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1234567, 0 } };

	if (utimensat(AT_FDCWD, lib, ts, 0))
		abort();
}

static void replace_inode(const char *lib)
{
	char tmp[200];
	struct stat st;

	/* Same contents, size and mtime: only the inode (and ctime) differs. */
	snprintf(tmp, sizeof(tmp), "%s.new", lib);
	write_file(tmp, "library", BIG);
	if (stat(lib, &st))
		abort();
	keep_times(tmp, &st);
	if (rename(tmp, lib))
		abort();
}

static void resize(const char *lib)
{
	struct stat st;

	if (stat(lib, &st) || truncate(lib, BIG - 1))
		abort();
	keep_times(lib, &st);
}

TEST(touched_library_misses)
{
	check_change(touch_mtime);
}

TEST(replaced_library_misses)
{
	check_change(replace_inode);
}

TEST(resized_library_misses)
{
	check_change(resize);
}

/* Two manifests under one name (a hash collision): the other one misses. */
TEST(collision_misses)
{
	struct tarw_manifest a, b;
	char name[LBX_CACHE_NAME_LEN + 1];
	struct lbx_cache c;
	struct tarw t;

	setup();
	open_cache_ok(&c);
	ASSERT_EQ(manifest(&a, false, &t), 0);
	lbx_cache_name(&a, name);
	store_ok(&c, name, &a, t.buf, t.len);
	memset(&b, 0, sizeof(b));
	tarw_manifest_put(&b, a.buf, a.len);
	b.buf[b.len - 2] ^= 1;		/* same length, one byte off */
	ASSERT_EQ(lbx_cache_lookup(&c, name, &b, &tsize), -ESTALE);
	b.len--;			/* a prefix of it */
	ASSERT_EQ(lbx_cache_lookup(&c, name, &b, &tsize), -ESTALE);
	hit_ok(&c, name, &a, NULL, 0);
	tarw_free(&t);
	tarw_manifest_free(&a);
	tarw_manifest_free(&b);
	lbx_cache_close(&c);
	teardown();
}

/* A damaged cache file misses, and storing again repairs the entry. */
TEST(damaged_cache_file_misses_and_rebuilds)
{
	struct tarw_manifest m;
	char name[LBX_CACHE_NAME_LEN + 1], tar[64], key[64];
	struct lbx_cache c;
	struct tarw t;
	int fd;

	setup();
	open_cache_ok(&c);
	ASSERT_EQ(manifest(&m, false, &t), 0);
	lbx_cache_name(&m, name);
	snprintf(tar, sizeof(tar), "%s.tar", name);
	snprintf(key, sizeof(key), "%s.key", name);

	/* Truncated. */
	store_ok(&c, name, &m, t.buf, t.len);
	fd = open_w(c.dirfd, tar);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, t.len - 512), 0);
	close(fd);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);
	store_ok(&c, name, &m, t.buf, t.len);
	hit_ok(&c, name, &m, t.buf, t.len);

	/* Overwritten in place, same size: its mtime moves. */
	fd = open_w(c.dirfd, tar);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pwrite(fd, "X", 1, 700), 1);
	{
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 2000000000, 0 } };

		ASSERT_EQ(futimens(fd, ts), 0);
	}
	close(fd);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);

	/* A damaged key file. */
	store_ok(&c, name, &m, t.buf, t.len);
	fd = open_w(c.dirfd, key);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pwrite(fd, "Z", 1, 3), 1);
	close(fd);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);
	/* A key file with the right contents and a byte more. */
	store_ok(&c, name, &m, t.buf, t.len);
	fd = open_w(c.dirfd, key);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pwrite(fd, "", 1, lseek(fd, 0, SEEK_END)), 1);
	close(fd);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);
	/* A FIFO under the key's name is a miss, not a hang. */
	ASSERT_EQ(unlinkat(c.dirfd, key, 0), 0);
	ASSERT_EQ(mkfifoat(c.dirfd, key, 0600), 0);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);
	/* A missing key. */
	ASSERT_EQ(unlinkat(c.dirfd, key, 0), 0);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ENOENT);
	/* A tar replaced by a symlink is not followed. */
	ASSERT_EQ(unlinkat(c.dirfd, tar, 0), 0);
	ASSERT_EQ(symlinkat("/etc/passwd", c.dirfd, tar), 0);
	ASSERT_EQ(lbx_cache_lookup(&c, name, &m, &tsize), -ESTALE);
	/* Storing replaces the symlink. */
	store_ok(&c, name, &m, t.buf, t.len);
	hit_ok(&c, name, &m, t.buf, t.len);
	tarw_free(&t);
	tarw_manifest_free(&m);
	lbx_cache_close(&c);
	teardown();
}

/* Two launchers storing one key: both get their own image whole. */
TEST(racing_stores_both_work)
{
	struct tarw_manifest m;
	char name[LBX_CACHE_NAME_LEN + 1];
	struct lbx_cache c;
	struct tarw t;
	int a, b;

	setup();
	open_cache_ok(&c);
	ASSERT_EQ(manifest(&m, false, &t), 0);
	lbx_cache_name(&m, name);
	a = lbx_cache_store(&c, name, &m, t.buf, t.len);
	b = lbx_cache_store(&c, name, &m, t.buf, t.len);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_TRUE(fd_holds(a, t.buf, t.len));
	ASSERT_TRUE(fd_holds(b, t.buf, t.len));
	hit_ok(&c, name, &m, NULL, 0);
	close(a);
	close(b);
	tarw_free(&t);
	tarw_manifest_free(&m);
	lbx_cache_close(&c);
	teardown();
}

TEST(directory_checks)
{
	char why[160], path[200];
	struct lbx_cache c;
	struct stat st;

	setup();
	/* Created with its missing parents, 0700 each. */
	snprintf(path, sizeof(path), "%s/a/b/litebox", tmpdir);
	ASSERT_EQ(lbx_cache_open(&c, path, geteuid(), why, sizeof(why)), 0);
	lbx_cache_close(&c);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);

	/* Writable by others. */
	snprintf(path, sizeof(path), "%s/open", tmpdir);
	ASSERT_EQ(mkdir(path, 0700), 0);
	ASSERT_EQ(chmod(path, 0777), 0);
	ASSERT_EQ(lbx_cache_open(&c, path, geteuid(), why, sizeof(why)), -EPERM);
	ASSERT_TRUE(strstr(why, "0777") != NULL);
	ASSERT_EQ(c.dirfd, -1);
	ASSERT_EQ(chmod(path, 0720), 0);
	ASSERT_EQ(lbx_cache_open(&c, path, geteuid(), why, sizeof(why)), -EPERM);

	/* Another uid's: as root, a real chown; else it is someone else's by
	 * asking for a uid we are not. */
	snprintf(path, sizeof(path), "%s/theirs", tmpdir);
	ASSERT_EQ(mkdir(path, 0700), 0);
	if (geteuid() == 0) {
		ASSERT_EQ(chown(path, 12345, 12345), 0);
		ASSERT_EQ(lbx_cache_open(&c, path, 0, why, sizeof(why)), -EPERM);
	} else {
		ASSERT_EQ(lbx_cache_open(&c, path, geteuid() + 1, why, sizeof(why)), -EPERM);
	}
	ASSERT_TRUE(strstr(why, "owned by uid") != NULL);

	/* Not a directory. */
	snprintf(path, sizeof(path), "%s/small", hostdir);
	ASSERT_EQ(lbx_cache_open(&c, path, geteuid(), why, sizeof(why)), -ENOTDIR);
	/* Cannot be created (a file where a parent should be). */
	snprintf(path, sizeof(path), "%s/small/litebox", hostdir);
	ASSERT_LT(lbx_cache_open(&c, path, geteuid(), why, sizeof(why)), 0);
	ASSERT_EQ(c.dirfd, -1);
	teardown();
}

TEST(directory_from_environment)
{
	char out[256];

	setenv("LBX_CACHE_DIR", "/x/lbx", 1);
	setenv("XDG_CACHE_HOME", "/x/xdg", 1);
	setenv("HOME", "/x/home", 1);
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/x/lbx");
	unsetenv("LBX_CACHE_DIR");
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/x/xdg/litebox");
	setenv("XDG_CACHE_HOME", "relative", 1);	/* ignored, as the spec says */
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/x/home/.cache/litebox");
	unsetenv("XDG_CACHE_HOME");
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), 0);
	ASSERT_STREQ(out, "/x/home/.cache/litebox");
	setenv("HOME", "/", 1);
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), -ENOENT);
	setenv("HOME", "", 1);
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), -ENOENT);
	unsetenv("HOME");
	ASSERT_EQ(lbx_cache_dir(out, sizeof(out)), -ENOENT);
}

static void set_mtime(int dirfd, const char *name, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW))
		abort();
}

/* Files in the cache directory whose names end in suffix. */
static int count_files(const char *suffix)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -c -- '%s$'", cachedir, suffix);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &n) != 1)
		abort();
	pclose(p);
	return n;
}

/* Trimming removes the oldest entries until both bounds hold. */
TEST(eviction_keeps_bounds)
{
	struct lbx_cache c;
	char name[8][LBX_CACHE_NAME_LEN + 1], f[64];
	static char data[8192];
	time_t now = time(NULL);
	int i, fd;

	setup();
	open_cache_ok(&c);
	for (i = 0; i < 8; i++) {
		struct tarw_manifest m = { 0 };

		lbx_cache_manifest_begin(&m);
		tarw_manifest_num(&m, i);
		lbx_cache_name(&m, name[i]);
		store_ok(&c, name[i], &m, data, sizeof(data));
		tarw_manifest_free(&m);
		/* Entry i was last used i hours ago (its key's mtime). */
		snprintf(f, sizeof(f), "%s.key", name[i]);
		set_mtime(c.dirfd, f, now - 3600 * i - 10);
	}
	/* A crashed launcher's temp file, and a live one's. */
	fd = openat(c.dirfd, ".tmp-old", O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	set_mtime(c.dirfd, ".tmp-old", now - 2 * 3600);
	fd = openat(c.dirfd, ".tmp-young", O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(fd, 0);
	close(fd);

	ASSERT_EQ(lbx_cache_trim(&c, NULL, 64, 1ULL << 30, now), 0);
	ASSERT_EQ(count_files(".tar"), 8);
	ASSERT_EQ(faccessat(c.dirfd, ".tmp-old", F_OK, 0), -1);
	ASSERT_EQ(faccessat(c.dirfd, ".tmp-young", F_OK, 0), 0);

	/* Count: 5 kept, the youngest (0..4). */
	ASSERT_EQ(lbx_cache_trim(&c, NULL, 5, 1ULL << 30, now), 3);
	ASSERT_EQ(count_files(".tar"), 5);
	ASSERT_EQ(count_files(".key"), 5);
	for (i = 0; i < 8; i++) {
		snprintf(f, sizeof(f), "%s.tar", name[i]);
		ASSERT_EQ(faccessat(c.dirfd, f, F_OK, 0), i < 5 ? 0 : -1);
	}

	/* Bytes: room for two entries; the oldest (4) is the one kept. */
	ASSERT_EQ(lbx_cache_trim(&c, name[4], 64, 2 * (sizeof(data) + 200), now), 3);
	ASSERT_EQ(count_files(".tar"), 2);
	snprintf(f, sizeof(f), "%s.tar", name[4]);
	ASSERT_EQ(faccessat(c.dirfd, f, F_OK, 0), 0);
	snprintf(f, sizeof(f), "%s.tar", name[0]);
	ASSERT_EQ(faccessat(c.dirfd, f, F_OK, 0), 0);

	/* A tar without its key (a crash between the renames), old: removed. */
	snprintf(f, sizeof(f), "%s.key", name[0]);
	ASSERT_EQ(unlinkat(c.dirfd, f, 0), 0);
	snprintf(f, sizeof(f), "%s.tar", name[0]);
	set_mtime(c.dirfd, f, now - 2 * 3600);
	ASSERT_EQ(lbx_cache_trim(&c, NULL, 64, 1ULL << 30, now), 0);
	ASSERT_EQ(faccessat(c.dirfd, f, F_OK, 0), -1);
	ASSERT_EQ(count_files(".tar"), 1);
	lbx_cache_close(&c);
	teardown();
}

/* A hit refreshes the entry's mtime: used entries are evicted last. */
TEST(hit_refreshes_age)
{
	struct tarw_manifest m = { 0 };
	char name[LBX_CACHE_NAME_LEN + 1], key[64];
	struct lbx_cache c;
	static char data[1024];
	struct stat st;
	time_t now = time(NULL);

	setup();
	open_cache_ok(&c);
	lbx_cache_manifest_begin(&m);
	lbx_cache_name(&m, name);
	store_ok(&c, name, &m, data, sizeof(data));
	snprintf(key, sizeof(key), "%s.key", name);
	set_mtime(c.dirfd, key, now - 5000);
	hit_ok(&c, name, &m, NULL, 0);
	ASSERT_EQ(fstatat(c.dirfd, key, &st, 0), 0);
	ASSERT_GE(st.st_mtime, now - 5);
	tarw_manifest_free(&m);
	lbx_cache_close(&c);
	teardown();
}
