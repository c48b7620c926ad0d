/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous pipes: pipe(2)/pipe2(2), F_SETPIPE_SZ/F_GETPIPE_SZ, FIONREAD.
 *
 * A pipe is a ring of up to size/4096 pages (allocated as data arrives,
 * charged to the VFS's memory account) shared by two struct lbx_file's, a
 * read end and a write end, each S_IFIFO. Semantics are Linux's: reads
 * block until data or until every write end is closed (then 0); writes of
 * at most LBX_PIPE_BUF bytes are atomic (they wait for room for the
 * whole), larger ones may be split and interleaved; with no read end left
 * writes give -EPIPE (the shim raises SIGPIPE); O_NONBLOCK gives -EAGAIN
 * where a blocking call would wait. Blocking waits are interruptible
 * (-EINTR, or the count done so far) for the calling guest thread.
 */
#ifndef LITEBOX_PIPE_H
#define LITEBOX_PIPE_H

#include <litebox/core.h>

struct lbx_vfs;
struct lbx_file;
struct lbx_poll_table;

#define LBX_PIPE_BUF		4096U		/* PIPE_BUF */
#define LBX_PIPE_DEF_SIZE	65536U		/* 16 pages */
#define LBX_PIPE_MAX_SIZE	(1U << 20)	/* /proc/sys/fs/pipe-max-size */

/* Linux's FIONREAD (ioctl) and F_SETPIPE_SZ / F_GETPIPE_SZ (fcntl). */
#define LX_FIONREAD		0x541b
#define LX_F_SETPIPE_SZ		1031
#define LX_F_GETPIPE_SZ		1032

/*
 * Creates a pipe: *rd the read end (O_RDONLY), *wr the write end (O_WRONLY),
 * each with one reference. flags: LX_O_NONBLOCK (both ends), LX_O_CLOEXEC
 * (accepted; the caller applies it to the descriptors); anything else,
 * O_DIRECT (packet mode) included, is -EINVAL.
 */
int lbx_pipe_create(struct lbx_vfs *vfs, u32 flags, struct lbx_file **rd,
		    struct lbx_file **wr);

bool lbx_file_is_pipe(struct lbx_file *f);

/*
 * F_SETPIPE_SZ: size rounded up to a power-of-two number of pages (at
 * least one). Returns the new size, -EINVAL (above 2 GiB), -EPERM (growing
 * beyond LBX_PIPE_MAX_SIZE), -EBUSY (the data queued does not fit),
 * -ENOMEM, or -EBADF when f is not a pipe.
 */
long lbx_pipe_set_size(struct lbx_file *f, u64 size);
/* F_GETPIPE_SZ: the capacity in bytes, or -EBADF. */
long lbx_pipe_get_size(struct lbx_file *f);
/* FIONREAD: bytes queued, or -EBADF. (The pipe's ioctl answers it too.) */
long lbx_pipe_nread(struct lbx_file *f);

/* The pipe's poll operation (see poll.h). */
u32 lbx_pipe_poll(struct lbx_file *f, struct lbx_poll_table *pt);

#endif /* LITEBOX_PIPE_H */
