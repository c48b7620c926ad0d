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

#endif
