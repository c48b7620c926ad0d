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
/* Sets up the direct entry of rewritten sites; -errno when unavailable. */
struct lbx_stub_tls;
int lbx_run_direct_init(struct lbx_stub_tls *tls, bool sse_libc);
/* Makes the C library use its SSE string functions (re-running lbx-run
 * once); false when it could not. Call first thing in main(). */
bool lbx_run_sse_libc(char **argv);

#endif
