/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbx-launch's cache of built default-root images: a directory of the
 * user's own (0700) holding, per key, NAME.tar (the image, handed to
 * litebox.ko as the lower file) and NAME.key (the manifest it was built
 * from, then the tar's own identity). NAME is a hash of the manifest, but
 * a hit needs the whole manifest to match byte for byte.
 */
#ifndef LBX_IMGCACHE_H
#define LBX_IMGCACHE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "tarw.h"

/* The key file's format: bumped when it, or what a manifest holds, changes. */
#define LBX_CACHE_VERSION	1
#define LBX_CACHE_NAME_LEN	16	/* hex digits of a 64-bit hash */
#define LBX_CACHE_MAX_ENTRIES	64
#define LBX_CACHE_MAX_BYTES	(512ULL << 20)
#define LBX_CACHE_TMP_AGE	3600	/* seconds before a temp file is stale */

struct lbx_cache {
	int dirfd;			/* -1: no cache */
	char path[4096];
};

/*
 * The cache directory from the environment: $LBX_CACHE_DIR, else
 * $XDG_CACHE_HOME/litebox (an absolute one), else $HOME/.cache/litebox.
 * 0, or -ENOENT when none applies (HOME unset, empty or "/").
 */
int lbx_cache_dir(char *out, size_t cap);

/*
 * Opens (creating it and its parents, mode 0700, if missing) the cache
 * directory path. It is used only if it is a directory owned by uid and
 * writable by no one else. 0, or -errno with why (cap bytes) saying what
 * is wrong.
 */
int lbx_cache_open(struct lbx_cache *c, const char *path, uid_t uid, char *why, size_t cap);
void lbx_cache_close(struct lbx_cache *c);

/* Starts a manifest with the cache's format tag and the image layout. */
void lbx_cache_manifest_begin(struct tarw_manifest *m);
/* NAME for a manifest: LBX_CACHE_NAME_LEN hex digits and a NUL. */
void lbx_cache_name(const struct tarw_manifest *m, char *name);

/*
 * The image stored under name for manifest m: a read-only descriptor when
 * the key file holds exactly m and the identity (device, inode, size,
 * mtime, owner) of the tar as it is now; the entry's mtime is refreshed.
 * Else -ENOENT (no entry) or -ESTALE (a different manifest, or a tar that
 * changed since it was stored). *size: the tar's size, on a hit.
 */
int lbx_cache_lookup(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		     size_t *size);

/*
 * Stores img under name for manifest m, replacing any entry there
 * atomically (a temp file renamed in place), and returns a read-only
 * descriptor of the stored tar, or -errno (nothing left behind).
 */
int lbx_cache_store(struct lbx_cache *c, const char *name, const struct tarw_manifest *m,
		    const void *img, size_t len);

/*
 * Removes the oldest entries (by the key file's mtime) until at most
 * max_entries and max_bytes remain, never the entry keep; also removes
 * temp files older than LBX_CACHE_TMP_AGE and tar or key files left
 * without their other half for as long. Returns the entries removed.
 */
int lbx_cache_trim(struct lbx_cache *c, const char *keep, size_t max_entries,
		   unsigned long long max_bytes, time_t now);

#endif
