// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_kunit.ko: KUnit suites over LiteBox's portable core, the shim's
 * ELF checks and the kernel platform, linked with litebox.ko's sources
 * (see kunit/Kbuild). The suites run when the module is loaded, after
 * litebox's own init, and print KTAP to the kernel log. This file holds the
 * helpers the suites share (lbx_kunit.h).
 */
#include <linux/module.h>

#include <litebox/net.h>

#include "lbx_kunit.h"

/* kmod/main.c has one too; this one keeps the suites' KUnit (GPL-only)
 * symbols available whatever becomes of it. */
MODULE_LICENSE("GPL");

/* ---- tar writer ---- */

void lbx_tarw_init(struct kunit *test, struct lbx_tarw *w, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->buf);
	w->cap = cap;
}

static bool tarw_room(struct lbx_tarw *w, size_t n)
{
	if (w->overflow || w->len + n > w->cap) {
		w->overflow = true;
		return false;
	}
	return true;
}

void lbx_tarw_pad(struct lbx_tarw *w)
{
	size_t n = (LBX_TAR_BLOCK - w->len % LBX_TAR_BLOCK) % LBX_TAR_BLOCK;

	if (!n || !tarw_room(w, n))
		return;
	memset(w->buf + w->len, 0, n);
	w->len += n;
}

void lbx_tarw_raw(struct lbx_tarw *w, const void *p, size_t n)
{
	if (!tarw_room(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void lbx_tarw_sum(struct lbx_tarw *w, size_t off)
{
	u8 *h = w->buf + off;
	unsigned int sum = 0;
	int i;

	if (off + LBX_TAR_BLOCK > w->len)
		return;
	memset(h + 148, ' ', 8);
	for (i = 0; i < LBX_TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Copies s into a header field of n bytes, NUL-padded, maybe unterminated
 * (a 100-byte name fills the field, as in ustar). */
static void put_field(u8 *field, size_t n, const char *s)
{
	memcpy(field, s, strnlen(s, n));
}

size_t lbx_tarw_hdr(struct lbx_tarw *w, const char *name, char type, u32 mode,
		    const char *link, u64 size)
{
	size_t off;
	u8 *h;

	lbx_tarw_pad(w);
	off = w->len;
	if (!tarw_room(w, LBX_TAR_BLOCK))
		return off;
	h = w->buf + off;
	memset(h, 0, LBX_TAR_BLOCK);
	put_field(h, 100, name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", w->uid);
	snprintf((char *)h + 116, 8, "%07o", w->gid);
	snprintf((char *)h + 124, 12, "%011llo", size);
	snprintf((char *)h + 136, 12, "%011llo", w->mtime);
	h[156] = type;
	if (link)
		put_field(h + 157, 100, link);
	memcpy(h + 257, "ustar\0" "00", 8);
	w->len += LBX_TAR_BLOCK;
	lbx_tarw_sum(w, off);
	return off;
}

size_t lbx_tarw_file(struct lbx_tarw *w, const char *name, const void *data,
		     size_t n)
{
	size_t off = lbx_tarw_hdr(w, name, '0', 0644, NULL, n);

	lbx_tarw_raw(w, data, n);
	lbx_tarw_pad(w);
	return off;
}

size_t lbx_tarw_dir(struct lbx_tarw *w, const char *name)
{
	return lbx_tarw_hdr(w, name, '5', 0755, NULL, 0);
}

size_t lbx_tarw_symlink(struct lbx_tarw *w, const char *name, const char *target)
{
	return lbx_tarw_hdr(w, name, '2', 0777, target, 0);
}

size_t lbx_tarw_hardlink(struct lbx_tarw *w, const char *name, const char *target)
{
	return lbx_tarw_hdr(w, name, '1', 0644, target, 0);
}

void lbx_tarw_pax(struct lbx_tarw *w, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, len = body + 1;
	char *rec;
	int n;

	/* The record length counts its own digits. */
	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	rec = kmalloc(len + 1, GFP_KERNEL);
	if (!rec) {
		w->overflow = true;
		return;
	}
	n = snprintf(rec, len + 1, "%zu %s=%s\n", len, key, val);
	lbx_tarw_hdr(w, "PaxHeader", 'x', 0644, NULL, n);
	lbx_tarw_raw(w, rec, n);
	lbx_tarw_pad(w);
	kfree(rec);
}

void lbx_tarw_gnu_long(struct lbx_tarw *w, char type, const char *name)
{
	size_t n = strlen(name) + 1;

	lbx_tarw_hdr(w, "././@LongLink", type, 0644, NULL, n);
	lbx_tarw_raw(w, name, n);
	lbx_tarw_pad(w);
}

void lbx_tarw_end(struct lbx_tarw *w)
{
	lbx_tarw_pad(w);
	if (!tarw_room(w, 2 * LBX_TAR_BLOCK))
		return;
	memset(w->buf + w->len, 0, 2 * LBX_TAR_BLOCK);
	w->len += 2 * LBX_TAR_BLOCK;
}

/* ---- file-system fixture ---- */

static void fs_teardown(struct lbx_kunit_fs *fx)
{
	if (!fx->live)
		return;
	fx->live = false;
	while (fx->nfiles > 0) {
		struct lbx_file *f = fx->files[--fx->nfiles];

		if (f)
			lbx_file_put(f);
	}
	lbx_fs_ctx_release(&fx->ctx);
	lbx_vfs_destroy(fx->vfs);
	fx->vfs = NULL;
}

static int fs_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void fs_res_free(struct kunit_resource *res)
{
	struct lbx_kunit_fs *fx = res->data;

	fs_teardown(fx);
	kfree(fx);
}

struct lbx_kunit_fs *lbx_kunit_fs_init(struct kunit *test, u64 limit)
{
	struct lbx_kunit_fs *fx;
	int ret;

	fx = kzalloc(sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	lbx_memacct_init(&fx->acct, limit);
	ret = lbx_vfs_create_empty(&fx->vfs, NULL, &fx->acct);
	if (ret) {
		kfree(fx);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "lbx_vfs_create_empty");
	}
	ret = lbx_fs_ctx_init(&fx->ctx, fx->vfs);
	if (ret) {
		lbx_vfs_destroy(fx->vfs);
		kfree(fx);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "lbx_fs_ctx_init");
	}
	fx->live = true;
	if (!kunit_alloc_resource(test, fs_res_init, fs_res_free, GFP_KERNEL, fx)) {
		fs_teardown(fx);
		kfree(fx);
		KUNIT_ASSERT_FAILURE(test, "cannot register the fixture");
	}
	return fx;
}

void lbx_kunit_fs_fini(struct kunit *test, struct lbx_kunit_fs *fx)
{
	fs_teardown(fx);
	KUNIT_EXPECT_EQ_MSG(test, lbx_memacct_used(&fx->acct), 0ULL,
			    "bytes still charged after the VFS was destroyed");
}

struct lbx_file *lbx_kunit_hold(struct kunit *test, struct lbx_kunit_fs *fx,
				struct lbx_file *f)
{
	KUNIT_ASSERT_NOT_NULL(test, f);
	if (fx->nfiles >= LBX_KUNIT_FILES) {
		lbx_file_put(f);
		KUNIT_ASSERT_FAILURE(test, "more than %d files held", LBX_KUNIT_FILES);
	}
	fx->files[fx->nfiles++] = f;
	return f;
}

void lbx_kunit_close(struct lbx_kunit_fs *fx, struct lbx_file *f)
{
	int i;

	for (i = 0; i < fx->nfiles; i++) {
		if (fx->files[i] == f) {
			fx->files[i] = NULL;
			lbx_file_put(f);
			return;
		}
	}
}

int lbx_kunit_open(struct lbx_kunit_fs *fx, const char *path, u32 flags,
		   u32 mode, struct lbx_file **out)
{
	return lbx_vfs_openat(&fx->ctx, NULL, path, flags, mode, out);
}

int lbx_kunit_try_open(struct lbx_kunit_fs *fx, const char *path, u32 flags)
{
	struct lbx_file *f;
	int ret = lbx_vfs_openat(&fx->ctx, NULL, path, flags, 0644, &f);

	if (!ret)
		lbx_file_put(f);
	return ret;
}

long lbx_kunit_write(struct lbx_file *f, const void *buf, size_t n)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, (void *)buf, n);
	return lbx_file_write(f, &it);
}

long lbx_kunit_read(struct lbx_file *f, void *buf, size_t n)
{
	struct lbx_iter it;

	lbx_iter_init_kernel(&it, buf, n);
	return lbx_file_read(f, &it);
}

long lbx_kunit_send(struct lbx_file *f, const void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, (void *)buf, n);
	return lbx_sock_sendmsg(f, &m, flags);
}

long lbx_kunit_recv(struct lbx_file *f, void *buf, size_t n, u32 flags)
{
	struct lbx_msg m = { 0 };
	struct lbx_kvec v;

	lbx_msg_iter_kernel(&m.iter, &v, buf, n);
	return lbx_sock_recvmsg(f, &m, flags);
}

long lbx_kunit_put_file(struct lbx_kunit_fs *fx, const char *path,
			const char *data)
{
	struct lbx_file *f;
	long ret = lbx_kunit_open(fx, path, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC,
				  0644, &f);

	if (ret)
		return ret;
	ret = lbx_kunit_write(f, data, strlen(data));
	lbx_file_put(f);
	return ret;
}

long lbx_kunit_get_file(struct lbx_kunit_fs *fx, const char *path, char *buf,
			size_t size)
{
	struct lbx_file *f;
	long ret = lbx_kunit_open(fx, path, LX_O_RDONLY, 0, &f), n = 0;

	if (ret)
		return ret;
	while (n < size - 1) {
		ret = lbx_kunit_read(f, buf + n, size - 1 - n);
		if (ret <= 0)
			break;
		n += ret;
	}
	lbx_file_put(f);
	buf[n] = '\0';
	return ret < 0 ? ret : n;
}
