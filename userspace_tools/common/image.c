// SPDX-License-Identifier: GPL-2.0
/*
 * Builds the sandbox's file-system images. The default root reproduces the
 * host's view of exactly what the program needs: the program itself, its
 * ELF interpreter and its shared libraries (resolved as ld.so would, from
 * DT_NEEDED in the standard directories), with the symlinks on the way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"

#define MAX_LINKS 40

static const char *const lib_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib", NULL,
};

/*
 * Adds host path `path` at the same guest path, with every symlink met on
 * the way (in the directories or at the end) recreated as a symlink.
 */
static int add_with_links(struct tarw *t, const char *path, int depth)
{
	char cur[PATH_MAX], target[PATH_MAX], next[PATH_MAX];
	const char *rest;
	struct stat st;
	size_t len;
	ssize_t n;

	if (depth > MAX_LINKS)
		return -ELOOP;
	if (path[0] != '/' || strlen(path) >= sizeof(cur))
		return -EINVAL;
	/* Find the first symlink component. */
	for (rest = path + 1;; rest++) {
		if (*rest != '/' && *rest != '\0')
			continue;
		len = rest - path;
		memcpy(cur, path, len);
		cur[len] = '\0';
		if (lstat(cur, &st))
			return -errno;
		if (S_ISLNK(st.st_mode))
			break;
		if (!*rest)
			return tarw_add_host(t, cur, cur);
	}
	n = readlink(cur, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (!tarw_contains(t, cur + 1)) {
		int ret = tarw_add_symlink(t, cur, target);

		if (ret)
			return ret;
	}
	/* Continue from the link's target, then the remaining components. */
	if (target[0] == '/') {
		n = snprintf(next, sizeof(next), "%s%s", target, rest);
	} else {
		char *slash = strrchr(cur, '/');

		*slash = '\0';
		n = snprintf(next, sizeof(next), "%s/%s%s", cur, target, rest);
	}
	if (n >= (ssize_t)sizeof(next))
		return -ENAMETOOLONG;
	return add_with_links(t, next, depth + 1);
}

/*
 * An ELF file's headers, read with pread() rather than mapped: the
 * resolution runs at every start (also when the image cache hits), and a
 * mapping with its faults and unmap costs several system calls' worth.
 */
struct elf_file {
	int fd;
	size_t len;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
};

#define ELF_HEAD	1024		/* the headers of most programs lie here */
#define ELF_MAX_META	(1U << 20)	/* the most read of a section */

/* n bytes at off, all inside the file. */
static int elf_read(const struct elf_file *ef, size_t off, void *buf, size_t n)
{
	if (off > ef->len || n > ef->len - off)
		return -ENOEXEC;
	return pread(ef->fd, buf, n, off) == (ssize_t)n ? 0 : -ENOEXEC;
}

static void elf_close(struct elf_file *ef)
{
	free(ef->ph);
	if (ef->fd >= 0)
		close(ef->fd);
	ef->ph = NULL;
	ef->fd = -1;
}

static int elf_open(const char *path, struct elf_file *ef)
{
	unsigned char head[ELF_HEAD];
	struct stat st;
	size_t n, phsize;
	ssize_t got;

	memset(ef, 0, sizeof(*ef));
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		return -errno;
	if (fstat(ef->fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		goto bad;
	ef->len = st.st_size;
	n = ef->len < sizeof(head) ? ef->len : sizeof(head);
	got = pread(ef->fd, head, n, 0);
	if (got != (ssize_t)n)
		goto bad;
	memcpy(&ef->eh, head, sizeof(ef->eh));
	if (memcmp(ef->eh.e_ident, ELFMAG, SELFMAG) ||
	    ef->eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    ef->eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    ef->eh.e_phoff > ef->len ||
	    ef->eh.e_phnum > (ef->len - ef->eh.e_phoff) / sizeof(Elf64_Phdr))
		goto bad;
	phsize = (size_t)ef->eh.e_phnum * sizeof(Elf64_Phdr);
	ef->ph = malloc(phsize ? phsize : 1);
	if (!ef->ph)
		goto bad;
	if (ef->eh.e_phoff + phsize <= n)
		memcpy(ef->ph, head + ef->eh.e_phoff, phsize);
	else if (elf_read(ef, ef->eh.e_phoff, ef->ph, phsize))
		goto bad;
	return 0;
bad:
	elf_close(ef);
	return -ENOEXEC;
}

/* File offset of virtual address v, or 0 when no PT_LOAD covers it. */
static size_t vaddr_to_off(const struct elf_file *ef, Elf64_Addr v)
{
	int i;

	for (i = 0; i < ef->eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type == PT_LOAD && v >= p->p_vaddr &&
		    v - p->p_vaddr < p->p_filesz && p->p_offset + (v - p->p_vaddr) < ef->len)
			return p->p_offset + (v - p->p_vaddr);
	}
	return 0;
}

static int find_lib(const char *name, char *out, size_t cap)
{
	int i;

	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return access(out, R_OK) ? -ENOENT : 0;
	}
	for (i = 0; lib_dirs[i]; i++) {
		if (snprintf(out, cap, "%s/%s", lib_dirs[i], name) >= (int)cap)
			continue;
		if (!access(out, R_OK))
			return 0;
	}
	return -ENOENT;
}

struct resolver {
	const struct lbx_opts *o;
	struct tarw *t;
	bool quiet;		/* said already, by a dry resolution */
	char **seen;
	size_t nseen;
};

static int seen_before(struct resolver *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->nseen; i++)
		if (!strcmp(r->seen[i], path))
			return 1;
	r->seen = realloc(r->seen, (r->nseen + 1) * sizeof(*r->seen));
	if (!r->seen)
		return -ENOMEM;
	r->seen[r->nseen++] = strdup(path);
	return 0;
}

/* musl's dynamic linker is its libc: programs name it "libc.so". */
static bool is_musl_interp(const char *interp)
{
	const char *base = strrchr(interp, '/');

	return !strncmp(base ? base + 1 : interp, "ld-musl-", 8);
}

/*
 * The string table dyn points at (DT_STRTAB, DT_STRSZ), read whole (a
 * library's: a few KiB): *size bytes, or NULL.
 */
static char *read_strtab(const struct elf_file *ef, const Elf64_Dyn *dyn, size_t ndyn,
			 size_t *size)
{
	size_t off = 0, sz = 0, i;
	char *tab;

	for (i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB)
			off = vaddr_to_off(ef, dyn[i].d_un.d_ptr);
		else if (dyn[i].d_tag == DT_STRSZ)
			sz = dyn[i].d_un.d_val;
	}
	if (!off || off >= ef->len)
		return NULL;
	if (!sz || sz > ef->len - off)
		sz = ef->len - off;
	if (sz > ELF_MAX_META)
		sz = ELF_MAX_META;
	tab = malloc(sz);
	if (tab && elf_read(ef, off, tab, sz)) {
		free(tab);
		tab = NULL;
	}
	*size = sz;
	return tab;
}

/* Adds an ELF file, its interpreter, and (recursively) its DT_NEEDED libraries. */
static int add_elf_closure(struct resolver *r, const char *path)
{
	Elf64_Dyn *dyn = NULL;
	size_t ndyn = 0, strsz = 0;
	char *strtab = NULL;
	struct elf_file ef;
	bool musl = false;
	int i, ret;

	ret = seen_before(r, path);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = add_with_links(r->t, path, 0);
	if (ret)
		return ret;
	if (elf_open(path, &ef))
		return 0;	/* not ELF (a script): nothing more to add */
	for (i = 0; i < ef.eh.e_phnum && !ret; i++) {
		const Elf64_Phdr *p = &ef.ph[i];

		if (p->p_offset > ef.len || p->p_filesz > ef.len - p->p_offset)
			continue;
		if (p->p_type == PT_INTERP && p->p_filesz > 1 && p->p_filesz <= PATH_MAX) {
			char interp[PATH_MAX + 1];

			if (elf_read(&ef, p->p_offset, interp, p->p_filesz))
				continue;
			interp[p->p_filesz - 1] = '\0';
			if (!r->quiet)
				lbx_verbose(r->o, "interpreter %s", interp);
			musl = is_musl_interp(interp);
			ret = add_elf_closure(r, interp);
		} else if (p->p_type == PT_DYNAMIC && !dyn && p->p_filesz <= ELF_MAX_META) {
			ndyn = p->p_filesz / sizeof(*dyn);
			dyn = malloc(ndyn ? ndyn * sizeof(*dyn) : 1);
			if (dyn && elf_read(&ef, p->p_offset, dyn, ndyn * sizeof(*dyn))) {
				free(dyn);
				dyn = NULL;
			}
		}
	}
	if (dyn && !ret)
		strtab = read_strtab(&ef, dyn, ndyn, &strsz);
	for (i = 0; !ret && strtab && i < (int)ndyn && dyn[i].d_tag != DT_NULL; i++) {
		const char *name;
		char lib[PATH_MAX];

		if (dyn[i].d_tag != DT_NEEDED || dyn[i].d_un.d_val >= strsz)
			continue;
		name = strtab + dyn[i].d_un.d_val;
		if (!memchr(name, '\0', strsz - dyn[i].d_un.d_val))
			continue;
		if (musl && !strcmp(name, "libc.so"))
			continue;	/* the interpreter itself */
		if (find_lib(name, lib, sizeof(lib))) {
			if (!r->quiet)
				lbx_msg(r->o, "warning: library %s needed by %s not found on the host",
					name, path);
			continue;
		}
		if (!r->quiet)
			lbx_verbose(r->o, "library %s", lib);
		ret = add_elf_closure(r, lib);
	}
	free(strtab);
	free(dyn);
	elf_close(&ef);
	return ret;
}

/* Resolves PROGRAM on the host: a path, or a name searched in $PATH. */
static int host_program(const char *prog, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	char *dirs, *d, *save = NULL;

	if (strchr(prog, '/')) {
		/* Keep the path as given (made absolute): symlinks stay visible. */
		if (prog[0] == '/')
			snprintf(out, cap, "%s", prog);
		else {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)))
				return -errno;
			if (snprintf(out, cap, "%s/%s", cwd, prog) >= (int)cap)
				return -ENAMETOOLONG;
		}
		return access(out, F_OK) ? -errno : 0;
	}
	dirs = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		if (snprintf(out, cap, "%s/%s", d, prog) < (int)cap &&
		    !access(out, X_OK)) {
			free(dirs);
			return 0;
		}
	}
	free(dirs);
	return -ENOENT;
}

/*
 * Interpreters whose programs need more than their libraries: the default
 * root also carries their standard library, so that `lbx-launch python3 -c
 * ...` just works. Keyed by the program's real name.
 */
static int add_runtime_dirs(const struct resolver *r, const char *prog)
{
	char real[PATH_MAX], dir[PATH_MAX], osmod[PATH_MAX + 8];
	const char *base;
	struct dirent *de;
	int ret = 0;
	DIR *d;

	/* A name that is not python's is the real one unless it is a link
	 * (one readlink; realpath() costs one per component). */
	base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	if (strncmp(base, "python", 6) && readlink(prog, real, sizeof(real)) < 0)
		return 0;
	if (!realpath(prog, real))
		return 0;
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	if (strncmp(base, "python3", 7))
		return 0;
	/* python3.N uses /usr/lib/python3.N; a plain python3, whichever
	 * /usr/lib/python3.N holds a standard library. */
	d = opendir("/usr/lib");
	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		if (strncmp(de->d_name, "python3.", 8) || !de->d_name[8])
			continue;
		if (base[7] && strcmp(base, de->d_name))
			continue;
		snprintf(dir, sizeof(dir), "/usr/lib/%.200s", de->d_name);
		snprintf(osmod, sizeof(osmod), "%s/os.py", dir);
		if (access(osmod, R_OK))
			continue;
		if (!r->quiet)
			lbx_verbose(r->o, "runtime directory %s", dir);
		ret = tarw_add_host(r->t, dir, dir);
	}
	closedir(d);
	return ret;
}

/*
 * The default root into t: what the program needs from the host, and the
 * fixed directories. quiet: a dry resolution has said what it found.
 */
static int default_root(const struct lbx_opts *o, struct lbx_images *img,
			struct tarw *t, bool quiet)
{
	struct resolver r = { .o = o, .t = t, .quiet = quiet };
	char prog[PATH_MAX];
	size_t i;
	int ret;

	ret = host_program(o->argv[0], prog, sizeof(prog));
	if (ret) {
		lbx_msg(o, "%s: %s", o->argv[0], strerror(-ret));
		return ret == -ENOENT ? LBX_EXIT_NOENT : LBX_EXIT_NOEXEC;
	}
	free(img->program);
	img->program = strdup(prog);
	ret = add_elf_closure(&r, prog);
	if (!ret)
		ret = add_runtime_dirs(&r, prog);
	if (!ret)
		ret = tarw_add_dir(t, "/tmp", 01777);
	if (!ret)
		ret = tarw_add_dir(t, "/dev", 0755);
	if (!ret)
		ret = tarw_add_dir(t, "/proc", 0555);
	if (!ret)
		ret = tarw_add_dir(t, "/root", 0700);
	for (i = 0; i < r.nseen; i++)
		free(r.seen[i]);
	free(r.seen);
	if (ret) {
		lbx_msg(o, "cannot build the root file system for %s: %s", prog,
			strerror(-ret));
		return LBX_EXIT_SETUP;
	}
	return 0;
}

/* Opens the image cache for lbx-launch's default root, if it may be used. */
static void open_cache(const struct lbx_opts *o, struct lbx_images *img)
{
	char dir[4096], why[160];

	if (strcmp(o->tool, "lbx-launch") || o->rootfs || o->copy_image)
		return;
	if (o->no_cache) {
		lbx_verbose(o, "root image cache: not used (--no-cache)");
		return;
	}
	if (lbx_cache_dir(dir, sizeof(dir))) {
		lbx_verbose(o, "root image cache: not used (no LBX_CACHE_DIR, XDG_CACHE_HOME or HOME)");
		return;
	}
	if (lbx_cache_open(&img->cache, dir, geteuid(), why, sizeof(why)))
		lbx_verbose(o, "root image cache: %s not used: %s", dir, why);
}

/* Maps the cached image (size bytes), which is copied instead if
 * litebox.ko refuses the file (ETXTBSY: someone opened it for writing). */
static int map_cached(struct lbx_images *img, int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	img->rootfs_map = p;
	img->rootfs_len = size;
	img->lower_fd = fd;
	return 0;
}

/*
 * The default root through the cache: a dry resolution gives the manifest
 * (stats and ELF headers, no file data); on a hit the cached tar is the
 * image. On a miss the image is built while the manifest it is stored
 * under is recorded anew (from the descriptors its data is read from), and
 * lbx_images_build() stores it once finished.
 */
static int cached_root(const struct lbx_opts *o, struct lbx_images *img)
{
	char name[LBX_CACHE_NAME_LEN + 1];
	struct tarw_manifest dry_man = { 0 };
	struct tarw dry;
	size_t size;
	int ret, fd;

	tarw_init(&dry, img->lower_w.splice);
	lbx_cache_manifest_begin(&dry_man);
	tarw_set_manifest(&dry, &dry_man, true);
	ret = default_root(o, img, &dry, false);
	tarw_free(&dry);
	if (ret) {
		tarw_manifest_free(&dry_man);
		return ret;
	}
	lbx_cache_name(&dry_man, name);
	fd = lbx_cache_lookup(&img->cache, name, &dry_man, &size);
	tarw_manifest_free(&dry_man);
	if (fd >= 0) {
		ret = map_cached(img, fd, size);
		if (!ret) {
			lbx_verbose(o, "root image cache: hit %s/%s.tar", img->cache.path, name);
			return 0;
		}
		close(fd);
		lbx_verbose(o, "root image cache: cannot map %s.tar: %s", name, strerror(-ret));
	} else {
		lbx_verbose(o, "root image cache: miss (%s)",
			    fd == -ENOENT ? "no entry" : "the entry differs");
	}
	lbx_cache_manifest_begin(&img->man);
	tarw_set_manifest(&img->lower_w, &img->man, false);
	return default_root(o, img, &img->lower_w, true);
}

/* Stores a freshly built default root, which becomes the lower file. */
static void store_root(const struct lbx_opts *o, struct lbx_images *img)
{
	char name[LBX_CACHE_NAME_LEN + 1];
	int fd, n;

	lbx_cache_name(&img->man, name);
	fd = lbx_cache_store(&img->cache, name, &img->man, img->lower, img->lower_len);
	tarw_manifest_free(&img->man);
	if (fd < 0) {
		lbx_verbose(o, "root image cache: cannot store the image in %s: %s",
			    img->cache.path, strerror(-fd));
		return;
	}
	img->lower_fd = fd;
	lbx_verbose(o, "root image cache: stored %s/%s.tar (%zu bytes)", img->cache.path,
		    name, img->lower_len);
	n = lbx_cache_trim(&img->cache, name, LBX_CACHE_MAX_ENTRIES, LBX_CACHE_MAX_BYTES,
			   time(NULL));
	if (n)
		lbx_verbose(o, "root image cache: evicted %d old entr%s", n, n == 1 ? "y" : "ies");
}

static int map_rootfs(const struct lbx_opts *o, struct lbx_images *img)
{
	struct stat st;
	int fd;

	fd = open(o->rootfs, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		lbx_msg(o, "cannot read root image %s: %s", o->rootfs, strerror(errno));
		if (fd >= 0)
			close(fd);
		return LBX_EXIT_SETUP;
	}
	if (!S_ISREG(st.st_mode) || !st.st_size || st.st_size % 512) {
		lbx_msg(o, "root image %s is not a tar image (size %lld is not a non-zero multiple of 512)",
			o->rootfs, (long long)st.st_size);
		close(fd);
		return LBX_EXIT_SETUP;
	}
	img->rootfs_len = st.st_size;
	img->rootfs_map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img->rootfs_map == MAP_FAILED) {
		img->rootfs_map = NULL;
		lbx_msg(o, "cannot map root image %s: %s", o->rootfs, strerror(errno));
		return LBX_EXIT_SETUP;
	}
	img->program = strdup(o->argv[0]);
	return 0;
}

static int add_entries(const struct lbx_opts *o, struct lbx_images *img)
{
	size_t i;

	for (i = 0; i < o->nadds; i++) {
		const struct lbx_add *a = &o->adds[i];
		char guest[PATH_MAX];
		int ret;

		if (a->guest)
			snprintf(guest, sizeof(guest), "%s", a->guest);
		else if (a->host[0] == '/')
			snprintf(guest, sizeof(guest), "%s", a->host);
		else if (!realpath(a->host, guest))
			snprintf(guest, sizeof(guest), "/%s", a->host);
		ret = tarw_add_host(&img->upper_w, a->host, guest);
		if (ret) {
			lbx_msg(o, "cannot add %s: %s", a->host, strerror(-ret));
			return LBX_EXIT_SETUP;
		}
		lbx_verbose(o, "added %s as %s", a->host, guest);
	}
	return 0;
}

int lbx_images_build(const struct lbx_opts *o, struct lbx_images *img)
{
	int ret;

	/* litebox.ko copies the images at sandbox creation and lbx-launch
	 * unmaps them before the guest runs, so big files can be spliced in;
	 * lbx-run reads its images for as long as the guest runs. */
	bool splice = !strcmp(o->tool, "lbx-launch");

	memset(img, 0, sizeof(*img));
	img->lower_fd = -1;
	img->cache.dirfd = -1;
	tarw_init(&img->lower_w, splice);
	tarw_init(&img->upper_w, splice);
	open_cache(o, img);
	if (o->rootfs)
		ret = map_rootfs(o, img);
	else if (img->cache.dirfd >= 0)
		ret = cached_root(o, img);
	else
		ret = default_root(o, img, &img->lower_w, false);
	if (!ret)
		ret = add_entries(o, img);
	if (ret)
		return ret;
	if (!img->program) {
		lbx_msg(o, "out of memory");
		return LBX_EXIT_SETUP;
	}
	if (img->rootfs_map) {
		img->lower = img->rootfs_map;
		img->lower_len = img->rootfs_len;
	} else {
		if (tarw_finish(&img->lower_w))
			return LBX_EXIT_SETUP;
		img->lower = img->lower_w.buf;
		img->lower_len = img->lower_w.len;
		if (img->cache.dirfd >= 0)
			store_root(o, img);
	}
	lbx_cache_close(&img->cache);
	if (o->nadds) {
		if (tarw_finish(&img->upper_w))
			return LBX_EXIT_SETUP;
		img->upper = img->upper_w.buf;
		img->upper_len = img->upper_w.len;
	}
	lbx_verbose(o, "root image %zu bytes, upper image %zu bytes",
		    img->lower_len, img->upper_len);
	return 0;
}

void lbx_images_unmap(struct lbx_images *img)
{
	if (img->lower_fd >= 0)
		close(img->lower_fd);
	img->lower_fd = -1;
	lbx_cache_close(&img->cache);
	tarw_manifest_free(&img->man);
	if (img->rootfs_map)
		munmap(img->rootfs_map, img->rootfs_len);
	img->rootfs_map = NULL;
	tarw_free(&img->lower_w);
	tarw_free(&img->upper_w);
	img->lower = img->upper = NULL;
	img->lower_len = img->upper_len = 0;
}

void lbx_images_free(struct lbx_images *img)
{
	lbx_images_unmap(img);
	free(img->program);
	img->program = NULL;
}
