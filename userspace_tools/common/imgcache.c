// SPDX-License-Identifier: GPL-2.0
/*
 * The image cache (imgcache.h). Everything after the directory's checks
 * goes through its descriptor, so the directory that was checked is the
 * one used.
 *
 * An entry NAME is two files: NAME.tar, the image, and NAME.key, the
 * manifest it was built from followed by the tar's identity when it was
 * stored. Both are written to temp files and renamed in place, the tar
 * first, the two renames under an exclusive flock() of the directory so
 * that racing stores of one name leave one store's pair, not one's tar
 * and the other's key. A reader takes no lock: one that finds a key whose
 * tar is not the one it describes (a store between its renames, a crash
 * between them, a touched or truncated tar) sees a miss, and the next
 * store replaces both.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imgcache.h"

#define TMP_PREFIX	".tmp-"

int lbx_cache_dir(char *out, size_t cap)
{
	const char *env = getenv("LBX_CACHE_DIR");
	int n;

	if (env && *env)
		n = snprintf(out, cap, "%s", env);
	else if ((env = getenv("XDG_CACHE_HOME")) && env[0] == '/')
		n = snprintf(out, cap, "%s/litebox", env);
	else if ((env = getenv("HOME")) && *env && strcmp(env, "/"))
		n = snprintf(out, cap, "%s/.cache/litebox", env);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* mkdir -p, each directory it creates mode 0700. */
static int make_dirs(const char *path)
{
	char buf[4096];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0700) && errno != EEXIST)
				return -errno;
			*p = c;
		}
		if (!*p)
			return 0;
	}
}

int lbx_cache_open(struct lbx_cache *c, const char *path, uid_t uid, char *why, size_t cap)
{
	struct stat st;
	int fd, ret;

	c->dirfd = -1;
	if (snprintf(c->path, sizeof(c->path), "%s", path) >= (int)sizeof(c->path)) {
		snprintf(why, cap, "its path is too long");
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		ret = make_dirs(path);
		if (ret) {
			snprintf(why, cap, "it cannot be created: %s", strerror(-ret));
			return ret;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = -errno;
		snprintf(why, cap, "%s", ret == -ENOTDIR ? "it is not a directory" : strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(why, cap, "%s", strerror(-ret));
		goto err;
	}
	if (st.st_uid != uid) {
		snprintf(why, cap, "it is owned by uid %u, not %u", (unsigned int)st.st_uid,
			 (unsigned int)uid);
		ret = -EPERM;
		goto err;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, cap, "others may write to it (mode %04o)",
			 (unsigned int)st.st_mode & 07777);
		ret = -EPERM;
		goto err;
	}
	c->dirfd = fd;
	return 0;
err:
	close(fd);
	return ret;
}

void lbx_cache_close(struct lbx_cache *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}

void lbx_cache_manifest_begin(struct tarw_manifest *m)
{
	tarw_manifest_str(m, "litebox-imgcache");
	tarw_manifest_num(m, LBX_CACHE_VERSION);
	tarw_manifest_num(m, TARW_FORMAT);
	tarw_manifest_num(m, (unsigned long long)sysconf(_SC_PAGESIZE));
}

/* Only a file name: a hit compares the whole manifest. */
void lbx_cache_name(const struct tarw_manifest *m, char *name)
{
	snprintf(name, LBX_CACHE_NAME_LEN + 1, "%016llx",
		 (unsigned long long)tarw_hash(m->buf, m->len));
}

/* The key file's contents for manifest m and the tar whose stat is st. */
static int key_contents(const struct tarw_manifest *m, const struct stat *st,
			struct tarw_manifest *key)
{
	memset(key, 0, sizeof(*key));
	tarw_manifest_put(key, m->buf, m->len);
	tarw_manifest_str(key, "image");
	tarw_manifest_num(key, st->st_dev);
	tarw_manifest_num(key, st->st_ino);
	tarw_manifest_num(key, st->st_size);
	tarw_manifest_num(key, st->st_mtim.tv_sec);
	tarw_manifest_num(key, st->st_mtim.tv_nsec);
	tarw_manifest_num(key, st->st_uid);
	if (key->err) {
		int ret = key->err;

		tarw_manifest_free(key);
		return ret;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		done += n;
	}
	return 0;
}

static int entry_file(char *out, size_t cap, const char *name, const char *ext)
{
	int n = snprintf(out, cap, "%s.%s", name, ext);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int lbx_cache_lookup(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		     size_t *size)
{
	char tarname[64], keyname[64], *buf = NULL;
	struct tarw_manifest want;
	struct stat st;
	int tfd, kfd = -1, ret;

	if (c->dirfd < 0 || m->err)
		return -ENOENT;
	ret = entry_file(tarname, sizeof(tarname), name, "tar");
	if (!ret)
		ret = entry_file(keyname, sizeof(keyname), name, "key");
	if (ret)
		return ret;
	/* O_NONBLOCK: a FIFO planted under an entry's name must not hang us. */
	tfd = openat(c->dirfd, tarname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (tfd < 0)
		return errno == ENOENT ? -ENOENT : -ESTALE;
	ret = -ESTALE;
	if (fstat(tfd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    !st.st_size || st.st_size % 512)
		goto out;
	kfd = openat(c->dirfd, keyname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (kfd < 0) {
		ret = errno == ENOENT ? -ENOENT : -ESTALE;
		goto out;
	}
	ret = key_contents(m, &st, &want);
	if (ret)
		goto out;
	/* The key is exactly want: one byte more read shows a longer one;
	 * a directory or FIFO reads as an error or as nothing. */
	buf = malloc(want.len + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_want;
	}
	ret = -ESTALE;
	if (pread(kfd, buf, want.len + 1, 0) != (ssize_t)want.len ||
	    memcmp(buf, want.buf, want.len))
		goto out_want;
	/* Used now: the last to be evicted. Best effort. */
	futimens(kfd, NULL);
	*size = st.st_size;
	ret = 0;
out_want:
	free(buf);
	tarw_manifest_free(&want);
out:
	if (kfd >= 0)
		close(kfd);
	if (ret) {
		close(tfd);
		return ret;
	}
	return tfd;
}

/* A new temp file in the cache, O_EXCL: *wfd for writing, its name in tmp. */
static int make_temp(struct lbx_cache *c, const char *name, const char *ext,
		     char *tmp, size_t cap)
{
	static unsigned int seq;
	struct timespec ts;
	int i, fd;

	for (i = 0; i < 100; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (snprintf(tmp, cap, TMP_PREFIX "%s.%s.%d.%u.%ld", name, ext, (int)getpid(),
			     seq++, (long)ts.tv_nsec) >= (int)cap)
			return -ENAMETOOLONG;
		fd = openat(c->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0400);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* Writes data to a new temp file; returns its descriptor (still open for
 * writing) and its name in tmp. */
static int write_temp(struct lbx_cache *c, const char *name, const char *ext,
		      const void *data, size_t len, char *tmp, size_t cap)
{
	int fd = make_temp(c, name, ext, tmp, cap), ret;

	if (fd < 0)
		return fd;
	ret = write_all(fd, data, len);
	if (ret) {
		unlinkat(c->dirfd, tmp, 0);
		close(fd);
		return ret;
	}
	return fd;
}

int lbx_cache_store(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		    const void *img, size_t len)
{
	char tartmp[128], keytmp[128], tarname[64], keyname[64];
	struct tarw_manifest key;
	struct stat st;
	int wfd, rfd, ret;

	if (c->dirfd < 0)
		return -ENOENT;
	if (m->err)
		return m->err;
	ret = entry_file(tarname, sizeof(tarname), name, "tar");
	if (!ret)
		ret = entry_file(keyname, sizeof(keyname), name, "key");
	if (ret)
		return ret;
	wfd = write_temp(c, name, "tar", img, len, tartmp, sizeof(tartmp));
	if (wfd < 0)
		return wfd;
	/*
	 * The descriptor handed on is read-only, and the writable one is
	 * closed: litebox.ko refuses a lower file that anyone may still write
	 * through (ETXTBSY).
	 */
	rfd = openat(c->dirfd, tartmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ret = rfd < 0 ? -errno : 0;
	close(wfd);
	if (!ret && fstat(rfd, &st))
		ret = -errno;
	if (!ret)
		ret = key_contents(m, &st, &key);
	if (ret)
		goto err_tar;
	wfd = write_temp(c, name, "key", key.buf, key.len, keytmp, sizeof(keytmp));
	tarw_manifest_free(&key);
	if (wfd < 0) {
		ret = wfd;
		goto err_tar;
	}
	close(wfd);
	/* Should the lock fail (EINTR is retried), the renames go unlocked:
	 * a race can then at worst leave a miss, as without it. */
	while (flock(c->dirfd, LOCK_EX) && errno == EINTR)
		;
	if (renameat(c->dirfd, tartmp, c->dirfd, tarname)) {
		ret = -errno;
		flock(c->dirfd, LOCK_UN);
		unlinkat(c->dirfd, keytmp, 0);
		goto err_tar;
	}
	if (renameat(c->dirfd, keytmp, c->dirfd, keyname)) {
		/* The tar in place has no key of its own: a miss, and trimmed. */
		ret = -errno;
		flock(c->dirfd, LOCK_UN);
		unlinkat(c->dirfd, keytmp, 0);
		close(rfd);
		return ret;
	}
	flock(c->dirfd, LOCK_UN);
	return rfd;
err_tar:
	unlinkat(c->dirfd, tartmp, 0);
	if (rfd >= 0)
		close(rfd);
	return ret;
}

struct cache_ent {
	char name[LBX_CACHE_NAME_LEN + 1];
	bool has_tar, has_key;
	struct timespec mtime;		/* the key's (refreshed by hits), else the tar's */
	unsigned long long bytes;
};

static bool is_entry_name(const char *d, const char **ext)
{
	int i;

	for (i = 0; i < LBX_CACHE_NAME_LEN; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	if (strcmp(d + i, ".tar") && strcmp(d + i, ".key"))
		return false;
	*ext = d + i + 1;
	return true;
}

static struct cache_ent *find_ent(struct cache_ent **v, size_t *n, size_t *cap,
				  const char *name)
{
	struct cache_ent *e;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strncmp((*v)[i].name, name, LBX_CACHE_NAME_LEN))
			return &(*v)[i];
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct cache_ent *nv;

		if (nc > SIZE_MAX / sizeof(*nv))
			return NULL;
		nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		*v = nv;
		*cap = nc;
	}
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, LBX_CACHE_NAME_LEN);
	return e;
}

static int older(const void *a, const void *b)
{
	const struct cache_ent *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void remove_ent(struct lbx_cache *c, const struct cache_ent *e)
{
	char f[64];

	/* The key first: from then on a lookup misses. */
	if (e->has_key && !entry_file(f, sizeof(f), e->name, "key"))
		unlinkat(c->dirfd, f, 0);
	if (e->has_tar && !entry_file(f, sizeof(f), e->name, "tar"))
		unlinkat(c->dirfd, f, 0);
}

int lbx_cache_trim(struct lbx_cache *c, const char *keep, size_t max_entries,
		   unsigned long long max_bytes, time_t now)
{
	struct cache_ent *v = NULL, *e;
	size_t n = 0, cap = 0, i, count = 0;
	unsigned long long total = 0;
	struct dirent *de;
	int removed = 0, fd;
	DIR *d;

	if (c->dirfd < 0)
		return 0;
	fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *ext;
		struct stat st;

		if (fstatat(c->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX))) {
			/* A crashed launcher's; a live one writes for seconds. */
			if (now - st.st_mtim.tv_sec > LBX_CACHE_TMP_AGE)
				unlinkat(c->dirfd, de->d_name, 0);
			continue;
		}
		if (!is_entry_name(de->d_name, &ext))
			continue;
		e = find_ent(&v, &n, &cap, de->d_name);
		if (!e)
			break;
		if (!strcmp(ext, "key")) {
			e->has_key = true;
			e->mtime = st.st_mtim;
		} else {
			e->has_tar = true;
			if (!e->has_key)
				e->mtime = st.st_mtim;
		}
		e->bytes += st.st_size;
	}
	closedir(d);
	/* Halves of entries: a crash between the renames, or a racing store. */
	for (i = 0; i < n; i++) {
		e = &v[i];
		if (!(e->has_tar && e->has_key) && now - e->mtime.tv_sec > LBX_CACHE_TMP_AGE) {
			remove_ent(c, e);
			e->bytes = 0;
			e->has_tar = e->has_key = false;
			continue;
		}
		if (e->has_tar || e->has_key) {
			count++;
			total += e->bytes;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), older);
	for (i = 0; i < n && (count > max_entries || total > max_bytes); i++) {
		e = &v[i];
		if (!(e->has_tar || e->has_key) ||
		    (keep && !strncmp(e->name, keep, LBX_CACHE_NAME_LEN)))
			continue;
		remove_ent(c, e);
		count--;
		total -= e->bytes;
		removed++;
	}
	free(v);
	return removed;
}
