/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LBX_LAUNCH_H
#define LBX_LAUNCH_H

/* filter.c: the seccomp allowlist (sets no_new_privs first). */
int lbx_install_filter(void);

#endif
