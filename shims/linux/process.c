// SPDX-License-Identifier: GPL-2.0
/* A process's file-system context and descriptor table at its start. */
#include <litebox/fdtable.h>
#include <litebox/mm.h>
#include <litebox/vfs.h>
#include "shim.h"

int lbx_linux_process_fs_init(struct lbx_process *p, const char *cwd)
{
	struct lbx_vfs *vfs = p->sb->vfs;
	int fd, ret;

	if (!vfs)
		return -ENOENT;
	ret = lbx_mm_create(&p->mm);
	if (ret)
		return ret;
	p->fs = lbx_plat_alloc(sizeof(*p->fs));
	if (!p->fs)
		return -ENOMEM;
	ret = lbx_fs_ctx_init(p->fs, vfs);
	if (ret) {
		lbx_plat_free(p->fs);
		p->fs = NULL;
		return ret;
	}
	p->fs->umask = 022;
	ret = lbx_fs_chdir(p->fs, cwd);
	if (ret)
		return ret;
	ret = lbx_fdtable_create(p->sb->limits.max_fds, &p->files);
	if (ret)
		return ret;
	/* fds 0-2: the sandbox console. */
	for (fd = 0; fd < 3; fd++) {
		struct lbx_file *f;

		ret = lbx_console_file_open(vfs, fd, &f);
		if (ret)
			return ret;
		ret = lbx_fd_install(p->files, f, 0, fd);
		lbx_file_put(f);
		if (ret < 0)
			return ret;
	}
	return 0;
}
