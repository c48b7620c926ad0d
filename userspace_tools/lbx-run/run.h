/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_RUN_H
#define LBX_RUN_H

#include <stdbool.h>
#include <stdint.h>

/* filter.c: trap every syscall made outside lbx-run's own code. */
int lbx_run_install_filter(uintptr_t text_start, uintptr_t text_end);
/* The filter itself (tests): its length, or -EINVAL. */
#define LBX_RUN_FILTER_MAX	16
struct sock_filter;
int lbx_run_filter_build(uintptr_t text_start, uintptr_t text_end,
			 struct sock_filter *out);

/* entry.c */
void lbx_run_entry_init(void);
uint64_t lbx_run_read_fs(void);
void lbx_run_write_fs(uint64_t base);
/* Sets up the direct entry of rewritten sites for the process and the
 * calling thread; -errno when unavailable. */
struct lbx_stub_tls;
int lbx_run_direct_init(struct lbx_stub_tls *tls, bool sse_libc);
/* Another thread's direct stack and save area (none without the direct
 * entry): 0 or -ENOMEM; and their release. */
int lbx_run_direct_alloc(struct lbx_stub_tls *tls);
void lbx_run_direct_free(struct lbx_stub_tls *tls);
/* Makes tls the calling thread's GS base (the direct entry reads it). */
int lbx_run_set_gs(struct lbx_stub_tls *tls);

/* thread.c: guest threads on host threads. */
void lbx_run_threads_init(void);
/*
 * An entry's answer ends the calling thread (LBX_HOSTOP_EXIT_THREAD) or
 * the process (LBX_HOSTOP_EXIT_GROUP). The first thread to end the process
 * stops the others and returns (the stub then exits the host process, with
 * res->arg[0] the status); any other thread ends here without returning,
 * but the main host thread, which returns for an EXIT_THREAD (the stub
 * ends it) and waits to be ended with the process for an EXIT_GROUP.
 */
struct lbx_resume;
void lbx_run_thread_end(const struct lbx_resume *res);
/* Makes the C library use its SSE string functions (re-running lbx-run
 * once); false when it could not. Call first thing in main(). */
bool lbx_run_sse_libc(char **argv);

#endif
