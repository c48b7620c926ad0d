/* SPDX-License-Identifier: GPL-2.0 */
/* Writing tar images in memory (ustar, with pax headers for long names). */
#ifndef LBX_TARW_H
#define LBX_TARW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The layout tarw writes (headers, page-aligned spliced data): part of the
 * image cache's key, so that a change of layout never serves an old image.
 */
#define TARW_FORMAT	1

/*
 * A record of every entry an image holds, without the data of host files:
 * for each entry its type, mode, guest path and symlink target, and for a
 * host file its host path and stat identity (st_dev, st_ino, st_size,
 * st_mtim, st_ctim). Fields are NUL-terminated strings, so two manifests
 * are equal exactly when they describe the same entries.
 */
struct tarw_manifest {
	char *buf;
	size_t len;
	size_t cap;
	int err;		/* -ENOMEM once an append failed */
};

void tarw_manifest_free(struct tarw_manifest *m);
/* Appends (a failure is kept in m->err): raw bytes, a string and its NUL,
 * a number in decimal and a NUL. */
void tarw_manifest_put(struct tarw_manifest *m, const void *p, size_t n);
void tarw_manifest_str(struct tarw_manifest *m, const char *s);
void tarw_manifest_num(struct tarw_manifest *m, unsigned long long v);

struct tarw {
	char *buf;		/* the image: a reserved range that never moves */
	size_t len;
	size_t cap;		/* bytes of buf mapped read-write */
	size_t reserved;	/* bytes of address space reserved at buf */
	bool splice;		/* map big host files in rather than copy them */
	/* dry: record entries in man but write nothing and read no file data. */
	bool dry;
	struct tarw_manifest *man;	/* NULL: no manifest */
	/* Paths already written, to skip duplicates: a hash set (open
	 * addressing; names_cap slots, a power of two, at most half full). */
	char **names;
	size_t nnames;
	size_t names_cap;
};

/*
 * splice: host files of 64 KiB or more are mapped into the image (their
 * data page-aligned, after empty global pax headers as padding) instead of
 * copied. Only for an image that is copied once and unmapped soon, as
 * litebox.ko does: a host file that shrinks while mapped faults its reader.
 */
void tarw_init(struct tarw *t, bool splice);
/* Records every entry added from now on in m (which outlives t); with dry,
 * only records them: the image stays empty. */
void tarw_set_manifest(struct tarw *t, struct tarw_manifest *m, bool dry);
void tarw_free(struct tarw *t);
/* Each returns 0 or -errno; an entry already present is skipped (0). */
int tarw_add_dir(struct tarw *t, const char *path, mode_t mode);
int tarw_add_file(struct tarw *t, const char *path, mode_t mode,
		  const void *data, size_t len);
int tarw_add_symlink(struct tarw *t, const char *path, const char *target);
/* Copies a host file, directory tree or symlink to guest path `path`,
 * recreating intermediate directories. */
int tarw_add_host(struct tarw *t, const char *host, const char *path);
/* Ends the archive (two zero blocks). */
int tarw_finish(struct tarw *t);
int tarw_contains(const struct tarw *t, const char *path);
/* A fast 64-bit hash of n bytes, eight at a time: for tables and file
 * names whose matches are then compared in full, never for trust. */
uint64_t tarw_hash(const void *p, size_t n);

#endif
