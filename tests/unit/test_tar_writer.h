/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny tar writer for the file-system unit tests (host libc is fine here). */
#ifndef TEST_TAR_WRITER_H
#define TEST_TAR_WRITER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tarw {
	unsigned char *buf;
	size_t len, cap;
	unsigned int uid, gid;
	unsigned long long mtime;
};

static inline void tarw_reserve(struct tarw *w, size_t n)
{
	if (w->len + n <= w->cap)
		return;
	while (w->len + n > w->cap)
		w->cap = w->cap ? w->cap * 2 : 8192;
	w->buf = realloc(w->buf, w->cap);
}

static inline void tarw_pad(struct tarw *w)
{
	size_t n = (512 - w->len % 512) % 512;

	if (!n)
		return;
	tarw_reserve(w, n);
	memset(w->buf + w->len, 0, n);
	w->len += n;
}

static inline void tarw_raw(struct tarw *w, const void *p, size_t n)
{
	tarw_reserve(w, n);
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* Fixes up the checksum of the header at offset off. */
static inline void tarw_sum(struct tarw *w, size_t off)
{
	unsigned char *h = w->buf + off;
	unsigned int sum = 0;
	int i;

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Returns the header's offset in the image. */
static inline size_t tarw_hdr(struct tarw *w, const char *name, char type,
			      unsigned int mode, const char *link,
			      unsigned long long size)
{
	size_t off;
	char *h;

	tarw_pad(w);
	off = w->len;
	tarw_reserve(w, 512);
	h = (char *)w->buf + off;
	memset(h, 0, 512);
	strncpy(h, name, 100);
	snprintf(h + 100, 8, "%07o", mode);
	snprintf(h + 108, 8, "%07o", w->uid);
	snprintf(h + 116, 8, "%07o", w->gid);
	snprintf(h + 124, 12, "%011llo", size);
	snprintf(h + 136, 12, "%011llo", w->mtime);
	h[156] = type;
	if (link)
		strncpy(h + 157, link, 100);
	memcpy(h + 257, "ustar\0" "00", 8);
	w->len += 512;
	tarw_sum(w, off);
	return off;
}

static inline size_t tarw_file(struct tarw *w, const char *name,
			       const void *data, size_t n)
{
	size_t off = tarw_hdr(w, name, '0', 0644, NULL, n);

	tarw_raw(w, data, n);
	tarw_pad(w);
	return off;
}

static inline size_t tarw_dir(struct tarw *w, const char *name)
{
	return tarw_hdr(w, name, '5', 0755, NULL, 0);
}

static inline size_t tarw_symlink(struct tarw *w, const char *name, const char *target)
{
	return tarw_hdr(w, name, '2', 0777, target, 0);
}

static inline size_t tarw_hardlink(struct tarw *w, const char *name, const char *target)
{
	return tarw_hdr(w, name, '1', 0644, target, 0);
}

/* One pax record "len key=value\n", the length computed. */
static inline void tarw_pax(struct tarw *w, const char *key, const char *val)
{
	char rec[8192];
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1;
	int n;

	while ((size_t)snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	n = snprintf(rec, sizeof(rec), "%zu %s=%s\n", len, key, val);
	tarw_hdr(w, "PaxHeader", 'x', 0644, NULL, n);
	tarw_raw(w, rec, n);
	tarw_pad(w);
}

static inline void tarw_gnu_long(struct tarw *w, char type, const char *name)
{
	size_t n = strlen(name) + 1;

	tarw_hdr(w, "././@LongLink", type, 0644, NULL, n);
	tarw_raw(w, name, n);
	tarw_pad(w);
}

static inline void tarw_end(struct tarw *w)
{
	tarw_pad(w);
	tarw_reserve(w, 1024);
	memset(w->buf + w->len, 0, 1024);
	w->len += 1024;
}

static inline void tarw_free(struct tarw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

#endif
