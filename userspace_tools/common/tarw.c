// SPDX-License-Identifier: GPL-2.0
/* A tar image writer for the images lbx-launch hands to the sandbox. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tarw.h"

#define BLK 512

void tarw_init(struct tarw *t, bool splice)
{
	memset(t, 0, sizeof(*t));
	t->splice = splice;
}

void tarw_set_manifest(struct tarw *t, struct tarw_manifest *m, bool dry)
{
	t->man = m;
	t->dry = dry;
}

void tarw_manifest_put(struct tarw_manifest *m, const void *p, size_t n)
{
	size_t need;

	if (m->err || !n)
		return;
	if (__builtin_add_overflow(m->len, n, &need)) {
		m->err = -EOVERFLOW;
		return;
	}
	if (need > m->cap) {
		size_t nc = m->cap ? m->cap : 4096;
		char *nb;

		while (nc < need) {
			if (__builtin_mul_overflow(nc, 2, &nc)) {
				m->err = -EOVERFLOW;
				return;
			}
		}
		nb = realloc(m->buf, nc);
		if (!nb) {
			m->err = -ENOMEM;
			return;
		}
		m->buf = nb;
		m->cap = nc;
	}
	memcpy(m->buf + m->len, p, n);
	m->len = need;
}

void tarw_manifest_str(struct tarw_manifest *m, const char *s)
{
	tarw_manifest_put(m, s, strlen(s) + 1);
}

/* As "%llu" and its NUL; by hand: a manifest holds eight numbers per host
 * file, and snprintf() was half of a cached python3 start's resolution. */
void tarw_manifest_num(struct tarw_manifest *m, unsigned long long v)
{
	char num[24], *p = num + sizeof(num);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	tarw_manifest_put(m, p, (size_t)(num + sizeof(num) - p));
}

void tarw_manifest_free(struct tarw_manifest *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

/*
 * One entry of the manifest: type, mode, path, then what its contents come
 * from: the link target, the host file's identity, or (data given in
 * memory: rare, small) the bytes themselves after their length.
 */
static void record(struct tarw *t, const char *path, char type, mode_t mode,
		   const void *data, size_t size, const char *link,
		   const char *host, const struct stat *st)
{
	struct tarw_manifest *m = t->man;
	const char ty[2] = { type, '\0' };

	if (!m)
		return;
	tarw_manifest_str(m, ty);
	tarw_manifest_num(m, mode & 07777);
	tarw_manifest_str(m, path);
	if (link) {
		tarw_manifest_str(m, link);
	} else if (host) {
		tarw_manifest_str(m, host);
		tarw_manifest_num(m, st->st_dev);
		tarw_manifest_num(m, st->st_ino);
		tarw_manifest_num(m, st->st_size);
		tarw_manifest_num(m, st->st_mtim.tv_sec);
		tarw_manifest_num(m, st->st_mtim.tv_nsec);
		tarw_manifest_num(m, st->st_ctim.tv_sec);
		tarw_manifest_num(m, st->st_ctim.tv_nsec);
	} else if (type == '0') {
		tarw_manifest_num(m, size);
		if (size)
			tarw_manifest_put(m, data, size);
	}
}

void tarw_free(struct tarw *t)
{
	size_t i;

	for (i = 0; i < t->names_cap; i++)
		free(t->names[i]);
	free(t->names);
	if (t->buf)
		munmap(t->buf, t->reserved);
	memset(t, 0, sizeof(*t));
}

/*
 * The image lives in one reserved range of address space that is made
 * read-write as it grows, so it never moves: a file spliced into it stays
 * where it was mapped. The reservation costs no memory; it shrinks when
 * the address space is limited (RLIMIT_AS).
 */
#define RESERVE_MAX	(1ULL << 36)	/* 64 GiB */
#define RESERVE_MIN	(1ULL << 26)	/* 64 MiB */
#define COMMIT_STEP	(1UL << 20)

static int reserve(struct tarw *t, size_t more)
{
	size_t need = t->len + more, ncap;

	if (need < t->len)
		return -EOVERFLOW;
	if (!t->buf) {
		size_t r = RESERVE_MAX;
		void *p;

		for (;;) {
			p = mmap(NULL, r, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			if (p != MAP_FAILED)
				break;
			if (r / 2 < RESERVE_MIN)
				return -ENOMEM;
			r /= 2;
		}
		t->buf = p;
		t->reserved = r;
	}
	if (need <= t->cap)
		return 0;
	if (need > t->reserved)
		return -EFBIG;
	ncap = (need + COMMIT_STEP - 1) / COMMIT_STEP * COMMIT_STEP;
	if (ncap > t->reserved)
		ncap = t->reserved;
	if (mmap(t->buf + t->cap, ncap - t->cap, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -ENOMEM;
	t->cap = ncap;
	return 0;
}

uint64_t tarw_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* The slot holding path, or the empty slot where it would go. */
static size_t name_slot(char *const *names, size_t cap, const char *path)
{
	size_t i = (size_t)tarw_hash(path, strlen(path)) & (cap - 1);

	while (names[i] && strcmp(names[i], path))
		i = (i + 1) & (cap - 1);
	return i;
}

int tarw_contains(const struct tarw *t, const char *path)
{
	return t->names_cap && t->names[name_slot(t->names, t->names_cap, path)];
}

static int remember(struct tarw *t, const char *path)
{
	size_t i;

	if (2 * (t->nnames + 1) > t->names_cap) {
		size_t nc = t->names_cap ? t->names_cap * 2 : 256;
		char **nn = calloc(nc, sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		for (i = 0; i < t->names_cap; i++)
			if (t->names[i])
				nn[name_slot(nn, nc, t->names[i])] = t->names[i];
		free(t->names);
		t->names = nn;
		t->names_cap = nc;
	}
	i = name_slot(t->names, t->names_cap, path);
	if (t->names[i])
		return 0;
	t->names[i] = strdup(path);
	if (!t->names[i])
		return -ENOMEM;
	t->nnames++;
	return 0;
}

static void octal(char *dst, size_t width, unsigned long long v)
{
	snprintf(dst, width, "%0*llo", (int)width - 1, v);
}

static void checksum(char *h)
{
	unsigned int sum = 0;
	int i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < BLK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static int write_header(struct tarw *t, const char *name, char type,
			mode_t mode, size_t size, const char *link)
{
	char *h;
	int ret = reserve(t, BLK);

	if (ret)
		return ret;
	h = t->buf + t->len;
	memset(h, 0, BLK);
	strncpy(h, name, 100);
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, 0);
	h[156] = type;
	if (link)
		strncpy(h + 157, link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	checksum(h);
	t->len += BLK;
	return 0;
}

static int write_data(struct tarw *t, const void *data, size_t len)
{
	size_t padded = (len + BLK - 1) / BLK * BLK;
	int ret = reserve(t, padded);

	if (ret)
		return ret;
	memcpy(t->buf + t->len, data, len);
	memset(t->buf + t->len + len, 0, padded - len);
	t->len += padded;
	return 0;
}

/* A pax record "LEN key=value\n", where LEN counts the whole record. */
static int pax_record(char *out, size_t cap, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1;
	int n;

	while ((size_t)snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	n = snprintf(out, cap, "%zu %s=%s\n", len, key, val);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

/* Pads with empty global pax headers (each one block, ignored by readers)
 * until the next `meta` bytes of headers end on a page boundary. */
static int pad_to_page(struct tarw *t, size_t meta)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int ret = 0;

	while (!ret && (t->len + meta) % pg)
		ret = write_header(t, "pax_global_header", 'g', 0644, 0, NULL);
	return ret;
}

/*
 * Maps size bytes of fd at the end of the image, which is page-aligned:
 * the page cache's pages, with no copy. Bytes past the end of the file in
 * its last page read as zeros, which is the tar padding. The mapping is
 * private, so the next header written into that page copies it alone.
 */
static int splice_data(struct tarw *t, int fd, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (size + pg - 1) / pg * pg, end = t->len + span;

	if (end < t->len || end > t->reserved)
		return -EFBIG;
	if (mmap(t->buf + t->len, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED)
		return -errno;
	if (end > t->cap)
		t->cap = end;
	t->len += (size + BLK - 1) / BLK * BLK;
	return 0;
}

/*
 * An entry's data comes from memory (data), or from a file (fd >= 0);
 * host and st name the host file it copies, if any (for the manifest).
 */
static int entry(struct tarw *t, const char *path, char type, mode_t mode,
		 const void *data, int fd, size_t size, const char *link,
		 const char *host, const struct stat *st)
{
	char pax[2 * PATH_MAX + 64];
	int n = 0, ret;

	if (tarw_contains(t, path))
		return 0;
	record(t, path, type, mode, data, size, link, host, st);
	if (t->dry)
		return remember(t, path);
	if (strlen(path) >= 100) {
		ret = pax_record(pax, sizeof(pax), "path", path);
		if (ret < 0)
			return ret;
		n = ret;
	}
	if (link && strlen(link) >= 100) {
		ret = pax_record(pax + n, sizeof(pax) - n, "linkpath", link);
		if (ret < 0)
			return ret;
		n += ret;
	}
	if (fd >= 0) {
		ret = pad_to_page(t, BLK + (n ? BLK + (n + BLK - 1) / BLK * BLK : 0));
		if (ret)
			return ret;
	}
	if (n) {
		ret = write_header(t, "././@PaxHeader", 'x', 0644, n, NULL);
		if (!ret)
			ret = write_data(t, pax, n);
		if (ret)
			return ret;
	}
	ret = write_header(t, path, type, mode, size, link);
	if (!ret && size)
		ret = fd >= 0 ? splice_data(t, fd, size) : write_data(t, data, size);
	if (!ret)
		ret = remember(t, path);
	return ret;
}

/* Tar names are relative: "usr/bin/x" for "/usr/bin/x". */
static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

static int add_parents(struct tarw *t, const char *path)
{
	char buf[PATH_MAX], *p;
	int ret;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, rel(path));
	/* A parent already in holds its own parents (each entry's parents go
	 * in first): one lookup for the files of a directory after its first. */
	p = strrchr(buf, '/');
	if (p) {
		*p = '\0';
		ret = !*buf || tarw_contains(t, buf);
		*p = '/';
		if (ret)
			return 0;
	}
	for (p = strchr(buf, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (*buf) {
			ret = entry(t, buf, '5', 0755, NULL, -1, 0, NULL, NULL, NULL);
			if (ret)
				return ret;
		}
		*p = '/';
	}
	return 0;
}

int tarw_add_dir(struct tarw *t, const char *path, mode_t mode)
{
	int ret = add_parents(t, path);

	if (!ret && *rel(path))
		ret = entry(t, rel(path), '5', mode, NULL, -1, 0, NULL, NULL, NULL);
	return ret;
}

int tarw_add_file(struct tarw *t, const char *path, mode_t mode,
		  const void *data, size_t len)
{
	int ret = add_parents(t, path);

	return ret ? ret : entry(t, rel(path), '0', mode, data, -1, len, NULL, NULL, NULL);
}

int tarw_add_symlink(struct tarw *t, const char *path, const char *target)
{
	int ret = add_parents(t, path);

	return ret ? ret : entry(t, rel(path), '2', 0777, NULL, -1, 0, target, NULL, NULL);
}

/* Files this big or bigger are spliced rather than copied (when the
 * image is spliceable): the page of padding costs less than the copy. */
#define SPLICE_MIN	(64 << 10)

/*
 * Reads a host file into the image. Its identity in the manifest is that of
 * the descriptor the data is read from (a file replaced after the lstat is
 * recorded as what was read). A dry image records the lstat's and opens
 * nothing.
 */
static int add_host_file(struct tarw *t, const char *host, const char *path,
			 const struct stat *lst)
{
	void *data = NULL;
	struct stat st;
	int fd, ret;

	ret = add_parents(t, path);
	if (ret)
		return ret;
	if (t->dry)
		return entry(t, rel(path), '0', lst->st_mode, NULL, -1, lst->st_size,
			     NULL, host, lst);
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EAGAIN;		/* replaced by something else meanwhile */
	}
	if (t->splice && st.st_size >= SPLICE_MIN) {
		ret = entry(t, rel(path), '0', st.st_mode, NULL, fd, st.st_size, NULL,
			    host, &st);
		close(fd);
		return ret;
	}
	if (st.st_size) {
		data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data == MAP_FAILED) {
			ret = -errno;
			close(fd);
			return ret;
		}
	}
	ret = entry(t, rel(path), '0', st.st_mode, data, -1, st.st_size, NULL, host, &st);
	if (data)
		munmap(data, st.st_size);
	close(fd);
	return ret;
}

/* dst = dir "/" name; -ENAMETOOLONG when it does not fit in size. */
static int join(char *dst, size_t size, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);

	if (a + 1 + b >= size)
		return -ENAMETOOLONG;
	memcpy(dst, dir, a);
	dst[a] = '/';
	memcpy(dst + a + 1, name, b + 1);
	return 0;
}

/*
 * Adds the host entry name in directory dirfd (AT_FDCWD and a full path for
 * the top one), whose full host path is host, at guest path path. A tree
 * is walked by descriptor: each entry is looked up in its directory (one
 * component) rather than from the root, and a directory replaced by a
 * symlink meanwhile is not followed.
 */
static int add_host_at(struct tarw *t, int dirfd, const char *name, const char *host,
		       const char *path)
{
	struct stat st;
	char target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int fd, ret;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return tarw_add_symlink(t, path, target);
	}
	if (S_ISREG(st.st_mode))
		return add_host_file(t, host, path, &st);
	if (!S_ISDIR(st.st_mode))
		return 0;	/* devices, fifos, sockets: not carried over */
	ret = tarw_add_dir(t, path, st.st_mode);
	if (ret)
		return ret;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		char h[PATH_MAX], g[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (join(h, sizeof(h), host, de->d_name) || join(g, sizeof(g), path, de->d_name))
			ret = -ENAMETOOLONG;
		else
			ret = add_host_at(t, fd, de->d_name, h, g);
	}
	closedir(d);
	return ret;
}

int tarw_add_host(struct tarw *t, const char *host, const char *path)
{
	return add_host_at(t, AT_FDCWD, host, host, path);
}

int tarw_finish(struct tarw *t)
{
	int ret = reserve(t, 2 * BLK);

	if (ret)
		return ret;
	memset(t->buf + t->len, 0, 2 * BLK);
	t->len += 2 * BLK;
	return 0;
}
