/* SPDX-License-Identifier: GPL-2.0 */
/* The file-system images a sandbox starts from (DESIGN.md 6). */
#ifndef LBX_IMAGE_H
#define LBX_IMAGE_H

#include <stddef.h>
#include "imgcache.h"
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
	void *rootfs_map;		/* --rootfs, or the cached image, mapped */
	size_t rootfs_len;

	/* lbx-launch's image cache (imgcache.h): lower_fd is the cached tar
	 * to hand over as the lower file, -1 when there is none. */
	struct lbx_cache cache;
	struct tarw_manifest man;
	int lower_fd;
};

/*
 * Builds both images from the options: --rootfs (mapped) or a default root
 * holding the program, its interpreter and libraries; --add entries go to
 * the upper image. Prints a one-line error and returns an exit status
 * (LBX_EXIT_*) on failure, 0 on success.
 */
int lbx_images_build(const struct lbx_opts *o, struct lbx_images *img);
/* Unmaps the images and closes lower_fd (once the sandbox holds them),
 * keeping program. */
void lbx_images_unmap(struct lbx_images *img);
void lbx_images_free(struct lbx_images *img);

#endif
