/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signalfd(2): a file that dequeues the reading thread's pending signals in
 * its mask, as struct signalfd_siginfo records (128 bytes each). Readable
 * while such a signal is pending for the thread that polls (as Linux: the
 * caller's pending set). Signals are woken for through the sandbox's
 * sig_wq, which lbx_signal_queue() wakes for every queued signal.
 */
#ifndef LITEBOX_SIGNALFD_H
#define LITEBOX_SIGNALFD_H

#include <litebox/core.h>

struct lbx_vfs;
struct lbx_file;

#define LX_SFD_NONBLOCK		00004000	/* O_NONBLOCK */
#define LX_SFD_CLOEXEC		02000000	/* O_CLOEXEC */

/* Linux's struct signalfd_siginfo. */
struct lbx_signalfd_siginfo {
	u32 ssi_signo;
	s32 ssi_errno;
	s32 ssi_code;
	u32 ssi_pid;
	u32 ssi_uid;
	s32 ssi_fd;
	u32 ssi_tid;
	u32 ssi_band;
	u32 ssi_overrun;
	u32 ssi_trapno;
	s32 ssi_status;
	s32 ssi_int;
	u64 ssi_ptr;
	u64 ssi_utime;
	u64 ssi_stime;
	u64 ssi_addr;
	u16 ssi_addr_lsb;
	u16 pad2;
	s32 ssi_syscall;
	u64 ssi_call_addr;
	u32 ssi_arch;
	u8 pad[28];
};

/* Creates a signalfd (O_RDWR) for the signals in mask (bit n-1: signal n;
 * SIGKILL and SIGSTOP are dropped); flags LX_SFD_* (CLOEXEC the caller's). */
int lbx_signalfd_create(struct lbx_vfs *vfs, u64 mask, u32 flags,
			struct lbx_file **out);
bool lbx_file_is_signalfd(struct lbx_file *f);
/* signalfd(fd, ...) on an existing one: replaces the mask. */
int lbx_signalfd_set_mask(struct lbx_file *f, u64 mask);

#endif /* LITEBOX_SIGNALFD_H */
