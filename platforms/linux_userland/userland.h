/* SPDX-License-Identifier: GPL-2.0 */
/* Userland-platform knobs shared with lbx-run. */
#ifndef LITEBOX_USERLAND_H
#define LITEBOX_USERLAND_H

/* Messages at or below this level reach stderr (LBX_LOG_*). */
extern int lbx_userland_log_level;

#include <stdbool.h>
#include <stdint.h>

/* Guest copies as plain string instructions, a fault in them turned into
 * -EFAULT by the process's SIGSEGV/SIGBUS handler calling
 * lbx_userland_fault_fixup() (lbx-run sets this once the stub's handlers are
 * in place); else through process_vm_readv/writev. */
extern bool lbx_userland_fast_copy;
/* A fault at *rip: when it is in a guest copy, moves *rip to its fixup. */
bool lbx_userland_fault_fixup(uint64_t *rip);

/*
 * thread.c: guest threads on pthreads (lbx-run). The platform starts the
 * host thread; lbx-run's ops run a guest thread on it:
 *   prepare(t)     in the creating thread: allocates what the new host
 *                  thread needs (NULL: out of memory);
 *   run(ctx, t)    on the new host thread: runs guest thread t until it is
 *                  over, then returns with every signal blocked (ctx is
 *                  freed by then);
 *   discard(ctx)   a prepared thread that could not be started.
 */
struct lbx_thread;
struct lbx_userland_thread_ops {
	void *(*prepare)(struct lbx_thread *t);
	void (*run)(void *ctx, struct lbx_thread *t);
	void (*discard)(void *ctx);
};
void lbx_userland_threads_init(const struct lbx_userland_thread_ops *ops);
/* The calling (main) host thread runs guest thread t: it can be kicked. */
void lbx_userland_thread_adopt(struct lbx_thread *t);
/* The calling host thread's guest thread is over: no more kicks. */
void lbx_userland_thread_gone(void);
/* The process exits: pulls every other guest thread out and joins the host
 * threads started for them; returns how many did not end in time. */
int lbx_userland_threads_stop(void);

/*
 * tun.c: the sandbox's network device, a host TUN device (docs/net.md), and
 * the net thread that feeds it to lwIP and runs lwIP's timers. Also the
 * platform's lbx_plat_net_timer_arm() (false while no device runs).
 */
struct lbx_inet_if_config;
/* Attaches to (or creates) TUN device name: 0, or -errno from opening
 * /dev/net/tun (-ENOENT) or from TUNSETIFF (-EPERM, -EBUSY, -EINVAL). */
int lbx_userland_tun_open(const char *name);
/* Makes it owner's lwIP interface and starts the net thread. */
int lbx_userland_tun_start(uint32_t owner, const struct lbx_inet_if_config *cfg);
/* Stops the thread, takes the interface out of lwIP, closes the device. */
void lbx_userland_tun_close(void);

#endif
