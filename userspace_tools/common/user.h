/* SPDX-License-Identifier: GPL-2.0 */
/* --user UID[:GID]: the guest's first identity, by number or by the names
 * in the sandbox's own /etc/passwd and /etc/group. */
#ifndef LBX_USER_H
#define LBX_USER_H

#include <stdint.h>

#include "image.h"
#include "options.h"

#define LBX_USER_NGROUPS_MAX	32	/* LBX_CRED_NGROUPS_MAX */

struct lbx_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t ngroups;
	uint32_t groups[LBX_USER_NGROUPS_MAX];
};

/*
 * Resolves o->user against the images' /etc/passwd and /etc/group (the
 * upper image's copy first, as the overlay shows it):
 *  - USER is a number or a name in /etc/passwd;
 *  - GROUP is a number or a name in /etc/group; without it, the user's
 *    primary group from /etc/passwd, else 0;
 *  - a user known by name gets as supplementary groups its primary group
 *    and every /etc/group entry that lists it (as initgroups(3)); a user
 *    known only by number gets none.
 * Prints a one-line error and returns LBX_EXIT_SETUP on failure, 0 on
 * success.
 */
int lbx_user_resolve(const struct lbx_opts *o, const struct lbx_images *img,
		     struct lbx_user *u);

#endif
