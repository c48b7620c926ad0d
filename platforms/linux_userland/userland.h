/* SPDX-License-Identifier: GPL-2.0 */
/* Userland-platform knobs shared with lbx-run. */
#ifndef LITEBOX_USERLAND_H
#define LITEBOX_USERLAND_H

/* Messages at or below this level reach stderr (LBX_LOG_*). */
extern int lbx_userland_log_level;

#endif
