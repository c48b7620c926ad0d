/* SPDX-License-Identifier: GPL-2.0 */
/* The file-system images a sandbox starts from (DESIGN.md 6). */
#ifndef LBX_IMAGE_H
#define LBX_IMAGE_H

#include <stddef.h>
#include "options.h"
#include "tarw.h"

struct lbx_images {
	const void *lower;		/* read-only root image */
	size_t lower_len;
	const void *upper;		/* unpacked into the writable layer */
	size_t upper_len;
	char *program;			/* the program's path inside the sandbox */

	struct tarw lower_w;		/* storage for generated images */
	struct tarw upper_w;
	void *rootfs_map;
	size_t rootfs_len;
};

/*
 * Builds both images from the options: --rootfs (mapped) or a default root
 * holding the program, its interpreter and libraries; --add entries go to
 * the upper image. Prints a one-line error and returns an exit status
 * (LBX_EXIT_*) on failure, 0 on success.
 */
int lbx_images_build(const struct lbx_opts *o, struct lbx_images *img);
/* Unmaps the images (once the sandbox holds its copy), keeping program. */
void lbx_images_unmap(struct lbx_images *img);
void lbx_images_free(struct lbx_images *img);

#endif
