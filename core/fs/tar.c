// SPDX-License-Identifier: GPL-2.0
/*
 * The tar parser: walks the headers of an in-memory image and hands out
 * entries whose data points into the image. Nothing here trusts the image:
 * every number is range-checked, every size is checked against the bytes
 * actually present, every name is normalised and confined.
 */
#include <litebox/tar.h>

struct ustar_hdr {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

_Static_assert(sizeof(struct ustar_hdr) == LBX_TAR_BLOCK, "ustar header size");

/* What pax ('x') and GNU ('L', 'K') records say about the next entry. */
struct tar_meta {
	const char *path;
	size_t path_len;
	const char *link;
	size_t link_len;
	bool has_size, has_mtime, has_uid, has_gid;
	u64 size;
	s64 mtime_sec;
	u32 mtime_nsec;
	u64 uid, gid;
};

static const char *raw_name(const struct ustar_hdr *h, int *len)
{
	*len = (int)strnlen(h->name, sizeof(h->name));
	return h->name;
}

#define tar_bad(it, h, fmt, ...)					\
	({								\
		int __n;						\
		const char *__s = raw_name(h, &__n);			\
		lbx_warn("tar: entry '%.*s' at offset %zu: " fmt,	\
			 __n, __s, (it)->pos, ##__VA_ARGS__);		\
		-EINVAL;						\
	})

/*
 * A numeric header field: octal ASCII (optionally space or NUL padded) or
 * GNU base-256 (first byte 0x80). Negative base-256 values are refused.
 */
static int parse_num(const char *f, size_t n, u64 *out)
{
	const u8 *p = (const u8 *)f;
	u64 v = 0;
	size_t i = 0;

	if (p[0] & 0x80) {
		if (p[0] & 0x40)
			return -EINVAL;
		v = p[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return -EINVAL;
			v = (v << 8) | p[i];
		}
		*out = v;
		return 0;
	}
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 61)
			return -EINVAL;
		v = (v << 3) | (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -EINVAL;
	*out = v;
	return 0;
}

static bool is_zero_block(const u8 *b)
{
	size_t i;

	for (i = 0; i < LBX_TAR_BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

#define BYTES_LO	0x00ff00ff00ff00ffULL
#define BYTES_ONE	0x0101010101010101ULL

/* The sum of the four 16-bit lanes of v. */
static u64 lane_sum(u64 v)
{
	return (v & 0xffff) + ((v >> 16) & 0xffff) + ((v >> 32) & 0xffff) + (v >> 48);
}

/*
 * The unsigned and the signed sum of a header's 512 bytes, with the
 * checksum field counted as eight spaces. Eight bytes at a time: it runs
 * for every header of every image at every sandbox's creation (a
 * byte-wise loop was most of the tar parse). Each 16-bit lane of usum
 * adds two bytes per word, at most 510 * 64; each byte lane of high counts
 * at most 64 bytes of 0x80 and up, which the signed sum takes 256 from.
 */
void lbx_tar_sums(const u8 *h, u64 *usum_out, s64 *ssum_out)
{
	const size_t f = offsetof(struct ustar_hdr, chksum);
	u64 usum = 0, high = 0, n, hi;
	size_t i;

	for (i = 0; i < LBX_TAR_BLOCK; i += 8) {
		u64 w;

		memcpy(&w, h + i, 8);
		usum += (w & BYTES_LO) + ((w >> 8) & BYTES_LO);
		high += (w >> 7) & BYTES_ONE;
	}
	n = lane_sum(usum);
	hi = lane_sum((high & BYTES_LO) + ((high >> 8) & BYTES_LO));
	/* The field's own bytes out, eight spaces in. */
	for (i = f; i < f + 8; i++) {
		n -= h[i];
		hi -= h[i] >> 7;
	}
	n += 8 * ' ';
	*usum_out = n;
	*ssum_out = (s64)n - 256 * (s64)hi;
}

/* Accepts the POSIX unsigned sum and the historical signed one. */
static bool checksum_ok(const struct ustar_hdr *h)
{
	u64 want, usum;
	s64 ssum;

	if (parse_num(h->chksum, sizeof(h->chksum), &want))
		return false;
	lbx_tar_sums((const u8 *)h, &usum, &ssum);
	return want == usum || (s64)want == ssum;
}

long lbx_tar_normalize(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0;

	if (len && in[0] == '/')
		return -EINVAL;
	while (i < len) {
		size_t start, clen;

		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/') {
			if (!in[i])
				return -EINVAL;
			i++;
		}
		clen = i - start;
		if (!clen || (clen == 1 && in[start] == '.'))
			continue;
		if (clen == 2 && in[start] == '.' && in[start + 1] == '.')
			return -EINVAL;
		if (clen > LX_NAME_MAX)
			return -ENAMETOOLONG;
		if (o + !!o + clen >= LX_PATH_MAX)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, in + start, clen);
		o += clen;
	}
	out[o] = '\0';
	return o;
}

int lbx_tar_iter_init(struct lbx_tar_iter *it, const void *image, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->image = image;
	it->len = len;
	it->name = lbx_plat_alloc(LX_PATH_MAX);
	it->link = lbx_plat_alloc(LX_PATH_MAX);
	it->tmp = lbx_plat_alloc(LX_PATH_MAX);
	if (!it->name || !it->link || !it->tmp) {
		lbx_tar_iter_fini(it);
		return -ENOMEM;
	}
	return 0;
}

void lbx_tar_iter_fini(struct lbx_tar_iter *it)
{
	lbx_plat_free(it->tmp);
	lbx_plat_free(it->link);
	lbx_plat_free(it->name);
	it->tmp = it->link = it->name = NULL;
}

static int parse_dec(const char *s, size_t n, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (lbx_mul_overflow(v, 10, &v) || lbx_add_overflow(v, (u64)(s[i] - '0'), &v))
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* "[-]seconds[.fraction]" */
static int parse_pax_time(const char *s, size_t n, s64 *sec, u32 *nsec)
{
	bool neg = n && s[0] == '-';
	size_t i, dot;
	u64 v, frac = 0;
	int digits = 0;

	if (neg) {
		s++;
		n--;
	}
	for (dot = 0; dot < n && s[dot] != '.'; dot++)
		;
	if (parse_dec(s, dot, &v) || v > (u64)1 << 62)
		return -EINVAL;
	for (i = dot + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (digits < 9) {
			frac = frac * 10 + (s[i] - '0');
			digits++;
		}
	}
	while (digits++ < 9)
		frac *= 10;
	if (neg && frac) {
		/* -1.25 is 2 seconds before the epoch plus 0.75. */
		*sec = -(s64)v - 1;
		*nsec = (u32)(LBX_NSEC_PER_SEC - frac);
	} else {
		*sec = neg ? -(s64)v : (s64)v;
		*nsec = (u32)frac;
	}
	return 0;
}

static int pax_apply(struct tar_meta *m, const char *key, size_t klen,
		     const char *val, size_t vlen)
{
#define KEY_IS(k) (klen == sizeof(k) - 1 && !memcmp(key, k, klen))
	if (KEY_IS("path")) {
		m->path = vlen ? val : NULL;
		m->path_len = vlen;
	} else if (KEY_IS("linkpath")) {
		m->link = vlen ? val : NULL;
		m->link_len = vlen;
	} else if (KEY_IS("size")) {
		m->has_size = true;
		return parse_dec(val, vlen, &m->size);
	} else if (KEY_IS("uid")) {
		m->has_uid = true;
		if (parse_dec(val, vlen, &m->uid) || m->uid > 0xffffffffULL)
			return -EINVAL;
	} else if (KEY_IS("gid")) {
		m->has_gid = true;
		if (parse_dec(val, vlen, &m->gid) || m->gid > 0xffffffffULL)
			return -EINVAL;
	} else if (KEY_IS("mtime")) {
		m->has_mtime = true;
		return parse_pax_time(val, vlen, &m->mtime_sec, &m->mtime_nsec);
	} else if (klen > 11 && !memcmp(key, "GNU.sparse.", 11)) {
		return -EOPNOTSUPP;
	}
	/* Other keys (atime, ctime, uname, comment, xattrs) are not needed. */
	return 0;
#undef KEY_IS
}

/* Records are "<len> <key>=<value>\n", len counting the whole record. */
static int parse_pax(struct tar_meta *m, const char *p, size_t n)
{
	while (n) {
		size_t i = 0, reclen = 0, k, eq;
		int ret;

		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (reclen > LBX_TAR_MAX_META)
				return -EINVAL;
			reclen = reclen * 10 + (p[i] - '0');
			i++;
		}
		if (!i || i >= n || p[i] != ' ' || reclen > n || reclen < i + 3 ||
		    p[reclen - 1] != '\n')
			return -EINVAL;
		k = i + 1;
		for (eq = k; eq < reclen - 1 && p[eq] != '='; eq++)
			;
		if (eq == k || eq >= reclen - 1)
			return -EINVAL;
		ret = pax_apply(m, p + k, eq - k, p + eq + 1, reclen - 1 - eq - 1);
		if (ret)
			return ret;
		p += reclen;
		n -= reclen;
	}
	return 0;
}

static bool header_only(char t)
{
	return t == '1' || t == '2' || t == '3' || t == '4' || t == '5' || t == '6';
}

static int entry_type(char t, enum lbx_tar_type *type)
{
	switch (t) {
	case '0': case '\0': case '7':
		*type = LBX_TAR_REG;
		return 0;
	case '1':
		*type = LBX_TAR_HARDLINK;
		return 0;
	case '2':
		*type = LBX_TAR_SYMLINK;
		return 0;
	case '3':
		*type = LBX_TAR_CHR;
		return 0;
	case '4':
		*type = LBX_TAR_BLK;
		return 0;
	case '5': case 'D':
		*type = LBX_TAR_DIR;
		return 0;
	case '6':
		*type = LBX_TAR_FIFO;
		return 0;
	}
	return -ENOENT;
}

/* The member name: pax path, else GNU long name, else prefix/name. */
static int entry_name(struct lbx_tar_iter *it, const struct ustar_hdr *h,
		      const struct tar_meta *m, struct lbx_tar_entry *e,
		      bool *trailing_slash)
{
	const char *src = m->path;
	size_t len = m->path_len;
	long r;

	if (!src) {
		size_t nl = strnlen(h->name, sizeof(h->name));
		size_t pl = 0;

		if (!memcmp(h->magic, "ustar\0", 6))
			pl = strnlen(h->prefix, sizeof(h->prefix));
		if (pl) {
			memcpy(it->tmp, h->prefix, pl);
			it->tmp[pl] = '/';
			memcpy(it->tmp + pl + 1, h->name, nl);
			len = pl + 1 + nl;
		} else {
			memcpy(it->tmp, h->name, nl);
			len = nl;
		}
		src = it->tmp;
	}
	if (!len)
		return tar_bad(it, h, "empty name");
	*trailing_slash = src[len - 1] == '/';
	r = lbx_tar_normalize(src, len, it->name);
	if (r < 0)
		return tar_bad(it, h, "unsafe or overlong name '%.*s'",
			       (int)lbx_min(len, (size_t)200), src);
	e->path = it->name;
	e->path_len = r;
	return 0;
}

static int entry_link(struct lbx_tar_iter *it, const struct ustar_hdr *h,
		      const struct tar_meta *m, struct lbx_tar_entry *e)
{
	const char *src = m->link;
	size_t len = m->link_len;
	long r;

	if (!src) {
		src = h->linkname;
		len = strnlen(h->linkname, sizeof(h->linkname));
	}
	if (!len)
		return tar_bad(it, h, "empty link target");
	if (e->type == LBX_TAR_HARDLINK) {
		r = lbx_tar_normalize(src, len, it->link);
		if (r <= 0)
			return tar_bad(it, h, "unsafe hard-link target");
		len = r;
	} else {
		/* A symlink target is resolved inside the sandbox at run
		 * time, so any text is allowed, but not NUL or PATH_MAX. */
		if (len >= LX_PATH_MAX || strnlen(src, len) != len)
			return tar_bad(it, h, "bad symlink target");
		memcpy(it->link, src, len);
		it->link[len] = '\0';
	}
	e->link = it->link;
	e->link_len = len;
	return 0;
}

static int fill_entry(struct lbx_tar_iter *it, const struct ustar_hdr *h,
		      const struct tar_meta *m, struct lbx_tar_entry *e,
		      u64 size, size_t data_off)
{
	bool slash = false;
	u64 v;
	int ret;

	ret = entry_name(it, h, m, e, &slash);
	if (ret)
		return ret;
	/* Pre-POSIX archives mark directories with a trailing slash. */
	if (e->type == LBX_TAR_REG && slash && (h->typeflag == '\0' || h->typeflag == '0'))
		e->type = LBX_TAR_DIR;
	if (e->type == LBX_TAR_HARDLINK || e->type == LBX_TAR_SYMLINK) {
		ret = entry_link(it, h, m, e);
		if (ret)
			return ret;
	}
	if (parse_num(h->mode, sizeof(h->mode), &v))
		return tar_bad(it, h, "bad mode field");
	e->mode = v & 07777;
	if (m->has_uid)
		e->uid = (u32)m->uid;
	else if (parse_num(h->uid, sizeof(h->uid), &v) || v > 0xffffffffULL)
		return tar_bad(it, h, "bad uid field");
	else
		e->uid = (u32)v;
	if (m->has_gid)
		e->gid = (u32)m->gid;
	else if (parse_num(h->gid, sizeof(h->gid), &v) || v > 0xffffffffULL)
		return tar_bad(it, h, "bad gid field");
	else
		e->gid = (u32)v;
	if (m->has_mtime) {
		e->mtime_sec = m->mtime_sec;
		e->mtime_nsec = m->mtime_nsec;
	} else if (parse_num(h->mtime, sizeof(h->mtime), &v) || v > (u64)1 << 62) {
		return tar_bad(it, h, "bad mtime field");
	} else {
		e->mtime_sec = (s64)v;
	}
	if (e->type == LBX_TAR_CHR || e->type == LBX_TAR_BLK) {
		u64 ma, mi;

		if (parse_num(h->devmajor, sizeof(h->devmajor), &ma) || ma > 0xfff ||
		    parse_num(h->devminor, sizeof(h->devminor), &mi) || mi > 0xfffff)
			return tar_bad(it, h, "bad device number");
		e->devmajor = (u32)ma;
		e->devminor = (u32)mi;
	}
	e->size = e->type == LBX_TAR_REG ? size : 0;
	e->data = it->image + data_off;
	e->offset = it->pos;
	return 0;
}

/* Takes the data of a GNU 'L'/'K' record: a name, NUL-terminated or not. */
static int gnu_long(struct lbx_tar_iter *it, const struct ustar_hdr *h,
		    const char *data, u64 size, const char **out, size_t *len)
{
	size_t n = strnlen(data, size);

	if (!n || n >= LX_PATH_MAX)
		return tar_bad(it, h, "bad GNU long name record");
	*out = data;
	*len = n;
	return 0;
}

static int next_header(struct lbx_tar_iter *it, struct lbx_tar_entry *e,
		       struct tar_meta *m, bool *pending)
{
	const struct ustar_hdr *h;
	size_t data_off, left, next;
	u64 size, skip;
	int ret;

	if (it->len - it->pos < LBX_TAR_BLOCK) {
		lbx_warn("tar: truncated header at offset %zu", it->pos);
		return -EINVAL;
	}
	h = (const struct ustar_hdr *)(it->image + it->pos);
	if (!checksum_ok(h))
		return tar_bad(it, h, "bad header checksum");
	if (parse_num(h->size, sizeof(h->size), &size))
		return tar_bad(it, h, "bad size field");
	if (h->typeflag == '0' || h->typeflag == '\0' || h->typeflag == '7') {
		if (m->has_size)
			size = m->size;
	}
	skip = header_only(h->typeflag) ? 0 : size;
	data_off = it->pos + LBX_TAR_BLOCK;
	left = it->len - data_off;
	if (skip > left)
		return tar_bad(it, h, "size %llu beyond the image (truncated?)",
			       (unsigned long long)skip);
	/* The last member's padding may be missing; nothing follows it. */
	next = data_off + (size_t)lbx_min(LBX_ALIGN_UP(skip, (u64)LBX_TAR_BLOCK), (u64)left);

	switch (h->typeflag) {
	case 'x':
		if (size > LBX_TAR_MAX_META)
			return tar_bad(it, h, "pax header too large");
		ret = parse_pax(m, (const char *)it->image + data_off, size);
		if (ret == -EOPNOTSUPP)
			return tar_bad(it, h, "GNU sparse files are not supported");
		if (ret)
			return tar_bad(it, h, "malformed pax header");
		*pending = true;
		goto consumed;
	case 'g':
		/* Global pax headers carry nothing a read-only image needs. */
		goto consumed;
	case 'L':
		ret = gnu_long(it, h, (const char *)it->image + data_off, size,
			       &m->path, &m->path_len);
		if (ret)
			return ret;
		*pending = true;
		goto consumed;
	case 'K':
		ret = gnu_long(it, h, (const char *)it->image + data_off, size,
			       &m->link, &m->link_len);
		if (ret)
			return ret;
		*pending = true;
		goto consumed;
	case 'S':
		return tar_bad(it, h, "GNU sparse files are not supported");
	}
	if (entry_type(h->typeflag, &e->type)) {
		int n;
		const char *s = raw_name(h, &n);

		lbx_warn("tar: entry '%.*s' at offset %zu: skipping unknown type '%c'",
			 n, s, it->pos, h->typeflag);
		memset(m, 0, sizeof(*m));
		*pending = false;
		goto consumed;
	}
	ret = fill_entry(it, h, m, e, size, data_off);
	if (ret)
		return ret;
	it->pos = next;
	return 1;
consumed:
	it->pos = next;
	return 0;
}

int lbx_tar_next(struct lbx_tar_iter *it, struct lbx_tar_entry *e)
{
	struct tar_meta m;
	bool pending = false;
	int ret;

	memset(&m, 0, sizeof(m));
	memset(e, 0, sizeof(*e));
	while (!it->done) {
		if (it->pos >= it->len ||
		    (it->len - it->pos >= LBX_TAR_BLOCK &&
		     is_zero_block(it->image + it->pos))) {
			it->done = true;
			break;
		}
		ret = next_header(it, e, &m, &pending);
		if (ret)
			return ret;
	}
	if (pending) {
		lbx_warn("tar: extended header at the end of the archive has no entry");
		return -EINVAL;
	}
	return 0;
}
