/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eventfd(2): a 64-bit counter behind a file. A write of an 8-byte value
 * adds it (blocking while the sum would exceed 0xfffffffffffffffe); a read
 * of at least 8 bytes returns the counter and zeroes it, or with
 * EFD_SEMAPHORE returns 1 and decrements it, blocking while it is 0.
 * Transfers under 8 bytes, and writing 0xffffffffffffffff, are -EINVAL.
 * Readable while the counter is non-zero, writable while it is below the
 * maximum.
 */
#ifndef LITEBOX_EVENTFD_H
#define LITEBOX_EVENTFD_H

#include <litebox/core.h>

struct lbx_vfs;
struct lbx_file;
struct lbx_poll_table;

#define LX_EFD_SEMAPHORE	00000001
#define LX_EFD_NONBLOCK		00004000	/* O_NONBLOCK */
#define LX_EFD_CLOEXEC		02000000	/* O_CLOEXEC */

#define LBX_EVENTFD_MAX		0xfffffffffffffffeULL

/* Creates an eventfd file (O_RDWR) holding initval; flags LX_EFD_*
 * (CLOEXEC is the caller's to apply); -EINVAL for other flags. */
int lbx_eventfd_create(struct lbx_vfs *vfs, u64 initval, u32 flags,
		       struct lbx_file **out);
bool lbx_file_is_eventfd(struct lbx_file *f);
/* The counter now (/proc/self/fdinfo's eventfd-count), or -EBADF. */
int lbx_eventfd_count(struct lbx_file *f, u64 *count);
/* The eventfd's poll operation (see poll.h). */
u32 lbx_eventfd_poll(struct lbx_file *f, struct lbx_poll_table *pt);
/*
 * Adds n from inside LiteBox (as the kernel's eventfd_signal(): never
 * blocks; saturates at 2^64-1, which poll reports as LX_POLLERR). For
 * future aio/io_uring-style users.
 */
void lbx_eventfd_signal(struct lbx_file *f, u64 n);

#endif /* LITEBOX_EVENTFD_H */
