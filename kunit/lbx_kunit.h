/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the LiteBox KUnit suites share: a tar image writer (images are built
 * byte by byte inside the test, as tests/unit/test_tar_writer.h does in
 * userland) and a file-system fixture (an empty VFS with a memfs root and
 * an fs context) whose teardown is a KUnit resource, so a failed assertion
 * cannot leak it.
 */
#ifndef LBX_KUNIT_H
#define LBX_KUNIT_H

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <litebox/core.h>
#include <litebox/memacct.h>
#include <litebox/tar.h>
#include <litebox/vfs.h>

/* ---- tar writer ---- */

struct lbx_tarw {
	u8 *buf;
	size_t len, cap;
	bool overflow;		/* an append did not fit in cap */
	u32 uid, gid;
	u64 mtime;
};

/* An image of at most cap bytes, freed with the test. */
void lbx_tarw_init(struct kunit *test, struct lbx_tarw *w, size_t cap);
/* Pads to a 512-byte block with zeros. */
void lbx_tarw_pad(struct lbx_tarw *w);
void lbx_tarw_raw(struct lbx_tarw *w, const void *p, size_t n);
/* Recomputes the checksum of the header at off. */
void lbx_tarw_sum(struct lbx_tarw *w, size_t off);
/* A ustar header; returns its offset in the image. */
size_t lbx_tarw_hdr(struct lbx_tarw *w, const char *name, char type, u32 mode,
		    const char *link, u64 size);
size_t lbx_tarw_file(struct lbx_tarw *w, const char *name, const void *data,
		     size_t n);
size_t lbx_tarw_dir(struct lbx_tarw *w, const char *name);
size_t lbx_tarw_symlink(struct lbx_tarw *w, const char *name, const char *target);
size_t lbx_tarw_hardlink(struct lbx_tarw *w, const char *name, const char *target);
/* A pax extended header ('x') holding one record "len key=value\n". */
void lbx_tarw_pax(struct lbx_tarw *w, const char *key, const char *val);
/* A GNU long name ('L') or long link ('K') record. */
void lbx_tarw_gnu_long(struct lbx_tarw *w, char type, const char *name);
/* The two zero blocks that end an archive. */
void lbx_tarw_end(struct lbx_tarw *w);

/* ---- file-system fixture ---- */

#define LBX_KUNIT_FILES	16

struct lbx_kunit_fs {
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_fs_ctx ctx;
	bool live;		/* vfs and ctx still to be torn down */
	/* Files the case holds (lbx_kunit_hold()), put before the VFS goes,
	 * newest first: an epoll file before what it watches. */
	struct lbx_file *files[LBX_KUNIT_FILES];
	int nfiles;
};

/* An empty VFS (memfs root) charged to a limit of limit bytes; torn down
 * when the test ends unless lbx_kunit_fs_fini() did it first. */
struct lbx_kunit_fs *lbx_kunit_fs_init(struct kunit *test, u64 limit);
/* Tears the fixture down (the held files first); every charged byte must
 * have come back. */
void lbx_kunit_fs_fini(struct kunit *test, struct lbx_kunit_fs *fx);
/* The fixture holds f until teardown or lbx_kunit_close(); returns f. */
struct lbx_file *lbx_kunit_hold(struct kunit *test, struct lbx_kunit_fs *fx,
				struct lbx_file *f);
/* Puts a held file now (the fixture forgets it). */
void lbx_kunit_close(struct lbx_kunit_fs *fx, struct lbx_file *f);

/* Small wrappers in the shape of the system calls (0/-errno or a count). */
int lbx_kunit_open(struct lbx_kunit_fs *fx, const char *path, u32 flags,
		   u32 mode, struct lbx_file **out);
int lbx_kunit_try_open(struct lbx_kunit_fs *fx, const char *path, u32 flags);
long lbx_kunit_write(struct lbx_file *f, const void *buf, size_t n);
long lbx_kunit_read(struct lbx_file *f, void *buf, size_t n);
/* sendmsg and recvmsg of one kernel buffer, no address or control. */
long lbx_kunit_send(struct lbx_file *f, const void *buf, size_t n, u32 flags);
long lbx_kunit_recv(struct lbx_file *f, void *buf, size_t n, u32 flags);
/* Creates or truncates path and writes the string data into it. */
long lbx_kunit_put_file(struct lbx_kunit_fs *fx, const char *path,
			const char *data);
/* Reads a small file into buf as a string; the length or -errno. */
long lbx_kunit_get_file(struct lbx_kunit_fs *fx, const char *path, char *buf,
			size_t size);

#endif /* LBX_KUNIT_H */
