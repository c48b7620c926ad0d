// SPDX-License-Identifier: GPL-2.0
/* --user: numbers, or names from the sandbox's /etc/passwd and /etc/group. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user.h"

#define BLK 512

/* Parses the octal number of a tar header field. */
static bool tar_octal(const char *f, size_t n, size_t *out)
{
	size_t v = 0, i = 0;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (SIZE_MAX >> 3))
			return false;
		v = v << 3 | (size_t)(f[i] - '0');
	}
	*out = v;
	return true;
}

/* Whether a tar name (ustar prefix/name) is path, with "./" or "/" before
 * it or not. */
static bool tar_name_is(const char *hdr, const char *path)
{
	char name[256 + 2];
	const char *n = name;

	if (hdr[345])
		snprintf(name, sizeof(name), "%.155s/%.100s", hdr + 345, hdr);
	else
		snprintf(name, sizeof(name), "%.100s", hdr);
	if (!strncmp(n, "./", 2))
		n += 2;
	while (*n == '/')
		n++;
	return !strcmp(n, path);
}

/*
 * The contents of regular file path (no leading '/') in a tar image, or
 * NULL; the last entry of that name wins, as when it is unpacked.
 */
static const char *tar_find(const void *image, size_t len, const char *path,
			    size_t *size)
{
	const char *p = image, *found = NULL;
	size_t off = 0;

	while (image && off <= len && len - off >= BLK) {
		const char *hdr = p + off;
		size_t fsize, blocks;

		if (!hdr[0])
			break;		/* the end: a zero block */
		if (!tar_octal(hdr + 124, 12, &fsize))
			break;
		blocks = fsize / BLK + !!(fsize % BLK);
		if (blocks > (len - off) / BLK - 1)
			break;		/* truncated */
		if ((hdr[156] == '0' || hdr[156] == '\0') && tar_name_is(hdr, path)) {
			found = hdr + BLK;
			*size = fsize;
		}
		off += BLK * (blocks + 1);
	}
	return found;
}

/* A NUL-terminated copy of the sandbox's file path (upper image first). */
static char *image_file(const struct lbx_images *img, const char *path)
{
	const char *data;
	size_t size;
	char *copy;

	data = tar_find(img->upper, img->upper_len, path, &size);
	if (!data)
		data = tar_find(img->lower, img->lower_len, path, &size);
	if (!data)
		return NULL;
	copy = malloc(size + 1);
	if (copy) {
		memcpy(copy, data, size);
		copy[size] = '\0';
	}
	return copy;
}

/* A decimal id other than (uint32_t)-1; false if s is not a number. */
static bool parse_id(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Splits the next line of a colon-separated file into at most nf fields;
 * returns the field count (0 at the end). */
static int next_record(char **cursor, char **f, int nf)
{
	char *line = *cursor, *nl;
	int n = 0;

	while (line && *line == '\n')
		line++;
	if (!line || !*line)
		return 0;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	f[n++] = line;
	while (n < nf && (line = strchr(line, ':'))) {
		*line++ = '\0';
		f[n++] = line;
	}
	return n;
}

/* /etc/passwd: by name (name != NULL) or by uid; fills uid, gid and the
 * name (malloc'd). */
static bool passwd_find(char *passwd, const char *name, uint32_t uid,
			uint32_t *out_uid, uint32_t *out_gid, char **out_name)
{
	char *cur = passwd, *f[7];
	int n;

	while (cur && (n = next_record(&cur, f, 7))) {
		uint32_t u, g;

		if (n < 4 || !parse_id(f[2], &u) || !parse_id(f[3], &g))
			continue;
		if (name ? strcmp(f[0], name) : u != uid)
			continue;
		*out_uid = u;
		*out_gid = g;
		*out_name = strdup(f[0]);
		return *out_name != NULL;
	}
	return false;
}

/* /etc/group: the gid of name; or (name NULL) adds to u->groups every
 * group that lists member. Returns false when name is not found, or when
 * the groups do not fit. */
static bool group_scan(char *group, const char *name, const char *member,
		       uint32_t *gid, struct lbx_user *u)
{
	char *cur = group, *f[4];
	int n;

	while (cur && (n = next_record(&cur, f, 4))) {
		char *m, *save = NULL;
		uint32_t g;
		uint32_t i;

		if (n < 3 || !parse_id(f[2], &g))
			continue;
		if (name) {
			if (strcmp(f[0], name))
				continue;
			*gid = g;
			return true;
		}
		if (n < 4)
			continue;
		for (m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, member))
				continue;
			for (i = 0; i < u->ngroups && u->groups[i] != g; i++)
				;
			if (i == u->ngroups) {
				if (u->ngroups == LBX_USER_NGROUPS_MAX)
					return false;
				u->groups[u->ngroups++] = g;
			}
			break;
		}
	}
	return !name;
}

int lbx_user_resolve(const struct lbx_opts *o, const struct lbx_images *img,
		     struct lbx_user *u)
{
	char *spec = strdup(o->user), *grp, *passwd, *group, *name = NULL;
	bool have_gid = false, ok = true;
	uint32_t pw_gid = 0;
	int ret = LBX_EXIT_SETUP;

	memset(u, 0, sizeof(*u));
	if (!spec) {
		lbx_msg(o, "out of memory");
		return LBX_EXIT_SETUP;
	}
	passwd = image_file(img, "etc/passwd");
	group = image_file(img, "etc/group");
	grp = strchr(spec, ':');
	if (grp)
		*grp++ = '\0';
	if (!*spec || (grp && !*grp)) {
		lbx_msg(o, "invalid --user '%s' (use UID[:GID] or NAME[:GROUP])", o->user);
		goto out;
	}
	if (parse_id(spec, &u->uid)) {
		/* A number: its passwd entry, if any, names its groups. */
		if (passwd) {
			char *copy = strdup(passwd);

			if (copy && passwd_find(copy, NULL, u->uid, &u->uid, &pw_gid, &name))
				have_gid = true;
			free(copy);
		}
	} else if (spec[0] >= '0' && spec[0] <= '9') {
		lbx_msg(o, "invalid --user '%s' (a uid is 0..4294967294)", o->user);
		goto out;
	} else {
		char *copy = passwd ? strdup(passwd) : NULL;

		ok = copy && passwd_find(copy, spec, 0, &u->uid, &pw_gid, &name);
		free(copy);
		if (!ok) {
			lbx_msg(o, "--user '%s': no user '%s' in the sandbox's /etc/passwd%s",
				o->user, spec, passwd ? "" : " (it has none)");
			goto out;
		}
		have_gid = true;
	}
	u->gid = have_gid ? pw_gid : 0;
	if (grp && !parse_id(grp, &u->gid)) {
		char *copy = group ? strdup(group) : NULL;

		if (grp[0] >= '0' && grp[0] <= '9') {
			lbx_msg(o, "invalid --user '%s' (a gid is 0..4294967294)", o->user);
			free(copy);
			goto out;
		}
		ok = copy && group_scan(copy, grp, NULL, &u->gid, u);
		free(copy);
		if (!ok) {
			lbx_msg(o, "--user '%s': no group '%s' in the sandbox's /etc/group%s",
				o->user, grp, group ? "" : " (it has none)");
			goto out;
		}
	}
	if (name) {
		u->groups[u->ngroups++] = u->gid;
		if (group) {
			char *copy = strdup(group);

			ok = copy && group_scan(copy, NULL, name, NULL, u);
			free(copy);
			if (!ok) {
				lbx_msg(o, "--user '%s': more than %d groups", o->user,
					LBX_USER_NGROUPS_MAX);
				goto out;
			}
		}
	}
	lbx_verbose(o, "running as uid %u gid %u with %u supplementary groups",
		    u->uid, u->gid, u->ngroups);
	ret = 0;
out:
	free(name);
	free(group);
	free(passwd);
	free(spec);
	return ret;
}
