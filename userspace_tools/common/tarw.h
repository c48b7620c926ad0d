/* SPDX-License-Identifier: GPL-2.0 */
/* Writing tar images in memory (ustar, with pax headers for long names). */
#ifndef LBX_TARW_H
#define LBX_TARW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tarw {
	char *buf;		/* the image: a reserved range that never moves */
	size_t len;
	size_t cap;		/* bytes of buf mapped read-write */
	size_t reserved;	/* bytes of address space reserved at buf */
	bool splice;		/* map big host files in rather than copy them */
	/* Paths already written, to skip duplicates. */
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

#endif
