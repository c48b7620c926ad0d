// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the tar parser and both tree builders (tarfs in place,
 * unpack into a charged memfs) on arbitrary images. Build and run with
 * tests/unit/fuzz/run.sh.
 */
#include <litebox/tar.h>
#include <litebox/vfs.h>

#include "userland.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Malformed input is the point: keep the parser's warnings quiet. */
	lbx_userland_log_level = LBX_LOG_ERR;
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct lbx_tar_entry e;
	struct lbx_tar_iter it;
	struct lbx_memacct acct;
	struct lbx_vfs *vfs;
	struct lbx_super *sb;
	u64 sum = 0;

	if (lbx_tar_iter_init(&it, data, size))
		return 0;
	while (lbx_tar_next(&it, &e) == 1) {
		/* Touch every byte the parser hands out. */
		const u8 *p = e.data;
		u64 n;

		for (n = 0; n < e.size; n++)
			sum += p[n];
		sum += strlen(e.path) + (e.link ? strlen(e.link) : 0);
	}
	lbx_tar_iter_fini(&it);
	(void)sum;

	lbx_memacct_init(&acct, 1 << 20);
	if (lbx_vfs_create_empty(&vfs, NULL, &acct))
		return 0;
	if (!lbx_tarfs_create(vfs, data, size, &sb))
		lbx_super_destroy(sb);
	if (!lbx_memfs_create(vfs, &acct, 0755, &sb)) {
		lbx_tar_unpack(sb, data, size);
		lbx_super_destroy(sb);
	}
	lbx_vfs_destroy(vfs);
	if (lbx_memacct_used(&acct))
		__builtin_trap();	/* a charge leaked */
	return 0;
}
