/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tar image parser: ustar, pax extended headers ('x'; path, linkpath,
 * size, mtime, uid, gid) and GNU long names ('L', 'K').
 *
 * The image stays in memory and is never copied: an entry's data is a
 * pointer into it. Names are normalised into buffers the iterator owns
 * ("./a//b/" -> "a/b", "." -> ""), so a name never escapes the image
 * root: absolute names and ".." components are rejected.
 *
 * Every malformed entry (bad checksum, bad number, truncated image, size
 * beyond the image, unsafe name) gives -EINVAL and one lbx_warn line that
 * names the entry and the problem. Duplicate names are not the parser's
 * business: the tree builders (tarfs, the upper-layer unpack) reject them
 * with -EEXIST.
 */
#ifndef LITEBOX_TAR_H
#define LITEBOX_TAR_H

#include <litebox/core.h>
#include <litebox/fsabi.h>

#define LBX_TAR_BLOCK		512
/* Largest pax header or GNU long-name record the parser accepts. */
#define LBX_TAR_MAX_META	(1U << 20)

enum lbx_tar_type {
	LBX_TAR_REG = 1,
	LBX_TAR_HARDLINK,
	LBX_TAR_SYMLINK,
	LBX_TAR_CHR,
	LBX_TAR_BLK,
	LBX_TAR_DIR,
	LBX_TAR_FIFO,
};

struct lbx_tar_entry {
	const char *path;	/* normalised, NUL-terminated; "" is the root */
	size_t path_len;
	const char *link;	/* symlink target or hard-link member name */
	size_t link_len;
	enum lbx_tar_type type;
	u32 mode;		/* permission bits (07777) */
	u32 uid, gid;
	s64 mtime_sec;
	u32 mtime_nsec;
	u32 devmajor, devminor;
	u64 size;
	const void *data;	/* size bytes inside the image */
	u64 offset;		/* of the entry's header, for messages */
};

struct lbx_tar_iter {
	const u8 *image;
	size_t len;
	size_t pos;		/* next header */
	bool done;
	char *name;		/* LX_PATH_MAX bytes each */
	char *link;
	char *tmp;
};

int lbx_tar_iter_init(struct lbx_tar_iter *it, const void *image, size_t len);
void lbx_tar_iter_fini(struct lbx_tar_iter *it);
/*
 * Returns 1 and fills *e (valid until the next call), 0 at the end of the
 * archive, or -EINVAL for a malformed image. Entries of an unknown type
 * are skipped with a warning.
 */
int lbx_tar_next(struct lbx_tar_iter *it, struct lbx_tar_entry *e);

/*
 * Normalises a member name into out (LX_PATH_MAX bytes): drops "." and
 * empty components; -EINVAL for an absolute name, a ".." component, a
 * component over NAME_MAX, or a name over PATH_MAX. Returns the length.
 */
long lbx_tar_normalize(const char *in, size_t len, char *out);
/* A header block's unsigned and signed checksums (the checksum field
 * counted as spaces), as tar(5) defines them. */
void lbx_tar_sums(const u8 *hdr, u64 *usum, s64 *ssum);

#endif
