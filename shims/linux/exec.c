// SPDX-License-Identifier: GPL-2.0
/*
 * execve: "#!" scripts, ELF loading (with PT_INTERP), and the initial stack
 * (argc, argv, envp, auxv), as Linux's binfmt_elf builds it. No vDSO: the
 * guest gets no AT_SYSINFO_EHDR, so every clock read is a system call.
 */
#include <litebox/fdtable.h>
#include <litebox/fsabi.h>
#include <litebox/mm.h>
#include <litebox/ptimer.h>
#include <litebox/vfs.h>
#include "shim.h"
#include "cpu.h"
#include "elf_load.h"

#define LBX_STACK_SIZE		(8ULL << 20)
#define LBX_ARG_MAX		(2ULL << 20)	/* 1/4 of the default stack */
#define LBX_ARG_STRLEN_MAX	(128ULL << 10)	/* MAX_ARG_STRLEN */
#define LBX_BINPRM_DEPTH	4
#define LBX_SHEBANG_MAX		256

#define LX_AT_NULL		0
#define LX_AT_PHDR		3
#define LX_AT_PHENT	4
#define LX_AT_PHNUM	5
#define LX_AT_PAGESZ	6
#define LX_AT_BASE		7
#define LX_AT_FLAGS	8
#define LX_AT_ENTRY	9
#define LX_AT_UID		11
#define LX_AT_EUID		12
#define LX_AT_GID		13
#define LX_AT_EGID		14
#define LX_AT_PLATFORM	15
#define LX_AT_HWCAP	16
#define LX_AT_CLKTCK	17
#define LX_AT_SECURE	23
#define LX_AT_RANDOM	25
#define LX_AT_HWCAP2	26
#define LX_AT_EXECFN	31
#define LX_AT_MINSIGSTKSZ	51
#define LBX_NAUXV	20

struct exec_image {
	struct lbx_file *file;
	struct lbx_elf_reader rd;
	struct lbx_elf_info info;
	struct lbx_sys *s;
	const char *name;
	u64 dyn_hint;		/* where an ET_DYN image would go, 0: the layout's choice */
};

/* The loader's mappings go into the process's memory map. */
static void record_mapping(void *ctx, u64 start, u64 end, int prot, u64 offset)
{
	struct exec_image *img = ctx;

	lbx_mm_insert(img->s->p->mm, start, end, prot, LBX_VMA_FILE, offset, img->name);
}

/* The image's extent, placed by the core's layout (exec.c's hint for a PIE). */
static int reserve_image(void *ctx, u64 *addr, u64 len, int flags)
{
	struct exec_image *img = ctx;

	if (!flags)
		*addr = img->dyn_hint;
	return lbx_linux_place(img->s, addr, len, 0, flags);
}

static void code_loaded(void *ctx, u64 addr, u64 filesz, u64 offset)
{
	struct exec_image *img = ctx;

	lbx_linux_rewrite_file(img->s->p, img->file, addr, filesz, offset);
}

/* Whole pages of a file served from the lower image file are mapped. */
static int map_image(void *ctx, u64 addr, u64 len, int prot, u64 offset)
{
	struct exec_image *img = ctx;

	return lbx_linux_map_image(img->s->p, img->file, addr, len, prot, offset) == len ?
	       0 : -EOPNOTSUPP;
}

static ssize_t file_reader(void *ctx, void *buf, size_t n, u64 off)
{
	return lbx_file_pread(ctx, buf, n, off);
}

static int open_image(struct lbx_sys *s, const char *path, struct exec_image *img)
{
	s64 size;
	int ret;

	ret = lbx_vfs_openat(s->p->fs, NULL, path, LX_O_RDONLY, 0, &img->file);
	if (ret)
		return ret;
	/* Linux: EACCES for anything but an executable regular file. */
	ret = -EACCES;
	if (!LX_S_ISREG(img->file->inode->mode))
		goto err;
	ret = lbx_inode_permission(s->p->fs, img->file->inode, LBX_MAY_EXEC);
	if (ret)
		goto err;
	size = lbx_file_llseek(img->file, 0, LX_SEEK_END);
	if (size < 0) {
		ret = (int)size;
		goto err;
	}
	img->rd.pread = file_reader;
	img->rd.ctx = img->file;
	img->rd.size = (u64)size;
	img->rd.mapped = record_mapping;
	img->rd.map_ctx = img;
	img->rd.code_loaded = code_loaded;
	img->rd.reserve = reserve_image;
	img->rd.map = map_image;
	img->s = s;
	img->name = path;
	return 0;
err:
	lbx_file_put(img->file);
	img->file = NULL;
	return ret;
}

static void close_image(struct exec_image *img)
{
	if (img->file)
		lbx_file_put(img->file);
	img->file = NULL;
}

/* The argument vector being built: strings live in one buffer. */
struct exec_args {
	const char **argv;
	const char *const *envp;
	u32 argc;
	u32 envc;
	u64 bytes;		/* all strings with their NULs */
};

static int count_strings(const char *const *v, u32 *count, u64 *bytes)
{
	u32 n;

	for (n = 0; v && v[n]; n++) {
		u64 len = strlen(v[n]) + 1;

		if (len > LBX_ARG_STRLEN_MAX)
			return -E2BIG;
		*bytes += len;
		if (*bytes > LBX_ARG_MAX)
			return -E2BIG;
	}
	*count = n;
	return 0;
}

/*
 * Parses a "#!interp [arg]" line. On success interp and arg point into line
 * (NUL-terminated in place); arg may be NULL.
 */
static int parse_shebang(char *line, size_t len, char **interp, char **arg)
{
	char *p, *end;

	end = memchr(line, '\n', len);
	if (!end)
		return -ENOEXEC;	/* too long a line, as Linux with no newline in the buffer */
	*end = '\0';
	p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			/* Linux passes the rest of the line as one argument,
			 * trailing blanks trimmed. */
			char *q = p + strlen(p);

			while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
				*--q = '\0';
			*arg = p;
		}
	}
	return 0;
}

static u64 push_bytes(u8 *buf, u64 *top, const void *src, u64 n)
{
	*top -= n;
	memcpy(buf + *top, src, n);
	return *top;
}

/*
 * Builds the initial stack in a LiteBox buffer mirroring the top of the
 * guest stack, then copies it once. Returns the guest stack pointer.
 */
static int build_stack(struct lbx_sys *s, const struct exec_args *a,
		       const struct exec_image *main, const struct exec_image *interp,
		       const char *execfn, u64 stack_top, u64 *sp_out)
{
	u64 ptrs = (u64)a->argc + a->envc + 3 + 2 * LBX_NAUXV;
	u64 size = LBX_ALIGN_UP(a->bytes + strlen(execfn) + 1 + 7 + 16 + 8, 16) +
		   LBX_ALIGN_UP(ptrs * 8, 16) + 16;
	u64 top = size, *v, guest_base = stack_top - size;
	u64 execfn_at, platform_at, random_at, i, n = 0;
	u64 *argp, *envpp;
	u8 rnd[16];
	u8 *buf;
	int ret;

	buf = lbx_plat_alloc_large(size);
	if (!buf)
		return -ENOMEM;
#define G(off) (guest_base + (off))
	top -= 8;				/* end marker */
	execfn_at = G(push_bytes(buf, &top, execfn, strlen(execfn) + 1));
	v = lbx_plat_alloc(((u64)a->argc + a->envc + 1) * sizeof(u64));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = a->envc; i-- > 0;)
		v[a->argc + i] = G(push_bytes(buf, &top, a->envp[i], strlen(a->envp[i]) + 1));
	for (i = a->argc; i-- > 0;)
		v[i] = G(push_bytes(buf, &top, a->argv[i], strlen(a->argv[i]) + 1));
	platform_at = G(push_bytes(buf, &top, "x86_64", 7));
	lbx_plat_random(rnd, sizeof(rnd));
	random_at = G(push_bytes(buf, &top, rnd, sizeof(rnd)));
	top = LBX_ALIGN_DOWN(top, 16);
	/* argc + argv + NULL + envp + NULL + auxv must end 16-aligned at argc. */
	top -= ptrs * 8;
	top = LBX_ALIGN_DOWN(top, 16);
	argp = (u64 *)(buf + top);
	argp[n++] = a->argc;
	for (i = 0; i < a->argc; i++)
		argp[n++] = v[i];
	argp[n++] = 0;
	envpp = &argp[n];
	for (i = 0; i < a->envc; i++)
		envpp[i] = v[a->argc + i];
	n += a->envc;
	argp[n++] = 0;
#define AUX(k, val) do { argp[n++] = (k); argp[n++] = (val); } while (0)
	AUX(LX_AT_PHDR, main->info.phdr);
	AUX(LX_AT_PHENT, main->info.phent);
	AUX(LX_AT_PHNUM, main->info.phnum);
	AUX(LX_AT_PAGESZ, LBX_PAGE_SIZE);
	AUX(LX_AT_BASE, interp ? interp->info.bias : 0);
	AUX(LX_AT_FLAGS, 0);
	AUX(LX_AT_ENTRY, main->info.entry);
	AUX(LX_AT_UID, s->t->cred.uid);
	AUX(LX_AT_EUID, s->t->cred.euid);
	AUX(LX_AT_GID, s->t->cred.gid);
	AUX(LX_AT_EGID, s->t->cred.egid);
	/* As Linux's secureexec without set-id files: ids that differ. */
	AUX(LX_AT_SECURE, s->t->cred.euid != s->t->cred.uid ||
			  s->t->cred.egid != s->t->cred.gid);
	AUX(LX_AT_RANDOM, random_at);
	AUX(LX_AT_HWCAP, lbx_cpu_hwcap());
	AUX(LX_AT_HWCAP2, 0);
	AUX(LX_AT_CLKTCK, 100);
	AUX(LX_AT_PLATFORM, platform_at);
	AUX(LX_AT_EXECFN, execfn_at);
	AUX(LX_AT_MINSIGSTKSZ, lbx_cpu_minsigstksz());
	AUX(LX_AT_NULL, 0);
#undef AUX
#undef G
	ret = lbx_copy_to_guest(guest_base + top, buf + top, size - top);
	*sp_out = guest_base + top;
	lbx_plat_free(v);
out:
	lbx_plat_free_large(buf);
	return ret;
}

/*
 * The main stack: LBX_STACK_SIZE bytes, mapped whole (it does not grow:
 * RLIMIT_STACK is not enforced, and nothing is mapped on a fault below
 * it), and recorded as a stack, so that the guard gap below it stays free
 * of non-fixed mappings. It is the one mapping whose place the host
 * chooses: there is room for it below the host's own mappings (the
 * launcher or lbx-run, the stub), and the guest's layout follows from it,
 * as Linux's follows from its stack: mmap_base below it by RLIMIT_STACK
 * plus the gap (at least 128 MiB), the legacy bottom-up layout when
 * RLIMIT_STACK is unlimited.
 */
static int map_stack(struct lbx_sys *s, bool exec, u64 *top)
{
	struct lbx_process *p = s->p;
	u64 addr = 0, limit = p->rlim[LX_RLIMIT_STACK].cur;
	int prot = LBX_PROT_READ | LBX_PROT_WRITE | (exec ? LBX_PROT_EXEC : 0);
	int ret;

	ret = lbx_plat_guest_map(&addr, LBX_STACK_SIZE, prot, 0);
	if (ret)
		return ret;
	ret = lbx_mm_insert(p->mm, addr, addr + LBX_STACK_SIZE, prot, LBX_VMA_GROWSDOWN, 0,
			    "[stack]");
	if (ret) {
		lbx_plat_guest_unmap(addr, LBX_STACK_SIZE);
		return ret;
	}
	*top = addr + LBX_STACK_SIZE;
	lbx_mm_set_layout(p->mm, *top, lbx_max(limit, LBX_STACK_SIZE),
			  limit == LX_RLIM_INFINITY);
	return 0;
}

/* Linux's ELF_ET_DYN_BASE plus arch_mmap_rnd() (28 bits of pages). */
#define LBX_ET_DYN_BASE		0x555555554000ULL
#define LBX_MMAP_RND_PAGES	(1ULL << 28)

static u64 pie_base(void)
{
	u64 rnd;

	lbx_plat_random(&rnd, sizeof(rnd));
	return LBX_ET_DYN_BASE + (rnd & (LBX_MMAP_RND_PAGES - 1)) * LBX_PAGE_SIZE;
}

/* Joins strings NUL-separated (each with its NUL), as /proc shows them. */
static char *join_strings(const char *const *v, u32 n, u32 *len)
{
	u64 total = 0;
	char *buf, *at;
	u32 i;

	for (i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	*len = (u32)total;
	if (!total)
		return NULL;
	buf = lbx_plat_alloc_large(total);
	if (!buf)
		return NULL;
	for (at = buf, i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		memcpy(at, v[i], l);
		at += l;
	}
	return buf;
}

/* What /proc/PID/cmdline and environ show for the new image. */
static void set_proc_strings(struct lbx_process *p, const struct exec_args *a)
{
	char *cmd, *env, *old_cmd, *old_env;
	u32 cmd_len, env_len;

	cmd = join_strings(a->argv, a->argc, &cmd_len);
	env = join_strings(a->envp, a->envc, &env_len);
	if (!cmd)
		cmd_len = 0;
	if (!env)
		env_len = 0;
	lbx_plat_mutex_lock(&p->sb->lock);
	old_cmd = p->cmdline;
	old_env = p->environ;
	p->cmdline = cmd;
	p->cmdline_len = cmd_len;
	p->environ = env;
	p->environ_len = env_len;
	lbx_plat_mutex_unlock(&p->sb->lock);
	lbx_plat_free_large(old_cmd);
	lbx_plat_free_large(old_env);
}

static int set_exe_path(struct lbx_process *p, const char *path)
{
	size_t len = strlen(path) + 1;
	char *copy = lbx_plat_alloc(len), *old;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, path, len);
	/* procfs reads exe_path under the sandbox lock. */
	lbx_plat_mutex_lock(&p->sb->lock);
	old = p->exe_path;
	p->exe_path = copy;
	lbx_plat_mutex_unlock(&p->sb->lock);
	lbx_plat_free(old);
	return 0;
}

/*
 * The point of no return of an execve that replaces a running image: the
 * old mappings, close-on-exec descriptors, signal handlers and alternate
 * stack go.
 */
static void flush_old_image(struct lbx_sys *s)
{
	struct lbx_process *p = s->p;
	int i;

	/* The robust lists point into the image that goes. */
	lbx_linux_robust_exit_all(s->t);
	lbx_mm_clear(p->mm, lbx_plat_guest_unmap);
	lbx_fd_close_on_exec(p->files);
	lbx_ptimers_release(p);		/* POSIX timers do not survive execve */
	lbx_plat_mutex_lock(&p->sb->lock);
	for (i = 0; i < LBX_NSIG; i++) {
		struct lbx_sigaction *a = &p->sigactions[i];

		/* Handlers become SIG_DFL; ignored signals stay ignored. */
		if (a->handler > 1)
			memset(a, 0, sizeof(*a));
	}
	p->membarrier_reg = 0;	/* registrations belong to the old mm */
	lbx_plat_mutex_unlock(&p->sb->lock);
	s->t->altstack_sp = 0;
	s->t->altstack_size = 0;
	s->t->altstack_flags = 0;
	s->t->clear_child_tid = 0;
	p->brk_start = 0;
	p->brk_cur = 0;
	p->brk_mapped_end = 0;
}

/*
 * Loads the ELF in img (and its interpreter) and starts it with args. Every
 * check that can fail cleanly runs before the old image is dropped.
 */
/*
 * The credentials after an execve: set-user-ID and set-group-ID bits on
 * files in the sandbox are ignored, as on a nosuid mount (docs/creds.md),
 * so only the saved and fs ids follow the effective ones and capabilities
 * are recomputed as for a file without any.
 */
static void exec_creds(struct lbx_thread *t)
{
	struct lbx_sandbox *sb = t->proc->sb;
	struct lbx_cred n;

	lbx_plat_mutex_lock(&sb->lock);
	n = t->cred;
	lbx_cred_exec(&n);
	lbx_cred_install_locked(t, &n);
	/* A secure exec (AT_SECURE, below) clears PR_SET_PDEATHSIG. */
	if (n.euid != n.uid || n.egid != n.gid)
		LBX_WRITE_ONCE(t->pdeath_sig, 0);
	lbx_plat_mutex_unlock(&sb->lock);
}

static int exec_elf(struct lbx_sys *s, struct exec_image *img,
		    const struct exec_args *args, const char *path, bool replace)
{
	struct exec_image interp = { 0 };
	struct lbx_cpu_regs *r = s->regs;
	struct lbx_process *p = s->p;
	u64 stack_top, sp, entry;
	int ret;

	ret = lbx_elf_check(&img->rd, &img->info);
	if (ret)
		return ret;
	if (img->info.interp[0]) {
		ret = open_image(s, img->info.interp, &interp);
		if (ret)
			return ret;
		ret = lbx_elf_check(&interp.rd, &interp.info);
		if (!ret && interp.info.interp[0])
			ret = -ELIBBAD;	/* an interpreter with an interpreter */
		if (ret)
			goto out;
	}
	if (replace) {
		/* The point of no return: the other threads go first. */
		s->restart_always = true;
		ret = lbx_process_de_thread(s->t);
		if (ret)
			goto out;
		flush_old_image(s);
	}
	/* The stack first: the layout follows from it. A PIE with an
	 * interpreter goes where Linux puts it, the interpreter and a static
	 * PIE top-down from mmap_base. */
	ret = map_stack(s, img->info.exec_stack, &stack_top);
	if (ret)
		goto out_fatal;
	if (interp.file)
		img->dyn_hint = pie_base();
	exec_creds(s->t);
	ret = lbx_elf_load(&img->rd, &img->info);
	if (ret)
		goto out_fatal;
	entry = img->info.entry;
	if (interp.file) {
		ret = lbx_elf_load(&interp.rd, &interp.info);
		if (ret)
			goto out_fatal;
		entry = interp.info.entry;
	}
	ret = build_stack(s, args, img, interp.file ? &interp : NULL, path,
				  stack_top, &sp);
	if (!ret)
		ret = set_exe_path(p, path);
	if (ret)
		goto out_fatal;
	set_proc_strings(p, args);
	p->brk_start = img->info.hi;
	p->brk_cur = img->info.hi;
	p->brk_mapped_end = img->info.hi;

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rsp = sp;
	r->rflags = 0x202;
	r->fs_base = 0;
	s->t->fs_base = 0;
	s->t->sig_frames = 0;
	s->res->flags |= LBX_RES_ALL_REGS | LBX_RES_SET_FS;
	goto out;
out_fatal:
	if (replace) {
		/* Nothing to return to: the process dies, as Linux kills it. */
		lbx_linux_record_usage(p);
		lbx_process_exit(p, 9 /* SIGKILL */);
		s->res->hostop = LBX_HOP_EXIT_GROUP;
		s->res->arg[0] = lbx_linux_exit_status(p);
	}
out:
	close_image(&interp);
	return ret;
}

int lbx_linux_exec(struct lbx_sys *s, const char *path,
		   const char *const *argv, const char *const *envp, bool replace)
{
	struct exec_args args = { .envp = envp };
	const char *cur_path = path;
	char *hdr = NULL, *interp_s, *arg_s;
	struct exec_image img = { 0 };
	const char **newv = NULL;
	int depth, ret;
	u32 i, argc;

	ret = count_strings(argv, &argc, &args.bytes);
	if (!ret)
		ret = count_strings(envp, &args.envc, &args.bytes);
	if (ret)
		return ret;
	/* Room for up to LBX_BINPRM_DEPTH interpreter + argument pairs. */
	newv = lbx_plat_alloc(((u64)argc + 1 + 2 * LBX_BINPRM_DEPTH) * sizeof(char *));
	hdr = lbx_plat_alloc(LBX_BINPRM_DEPTH * LBX_SHEBANG_MAX);
	if (!newv || !hdr) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < argc; i++)
		newv[i] = argv[i];
	args.argv = newv;
	args.argc = argc;

	for (depth = 0;; depth++) {
		char *line = hdr + depth * LBX_SHEBANG_MAX;
		ssize_t got;
		u32 extra;

		ret = open_image(s, cur_path, &img);
		if (ret)
			goto out;
		got = lbx_file_pread(img.file, line, LBX_SHEBANG_MAX - 1, 0);
		if (got < 0) {
			ret = (int)got;
			goto out;
		}
		line[got] = '\0';
		if (got < 2 || line[0] != '#' || line[1] != '!')
			break;
		if (depth + 1 >= LBX_BINPRM_DEPTH) {
			ret = -ELOOP;
			goto out;
		}
		ret = parse_shebang(line, got, &interp_s, &arg_s);
		if (ret)
			goto out;
		/* argv becomes: interp [arg] script-path argv[1..] */
		extra = arg_s ? 2 : 1;
		if (!args.argc)
			args.argc = 1;	/* the script path replaces a missing argv[0] */
		memmove(&newv[extra + 1], &newv[1], (args.argc - 1) * sizeof(char *));
		newv[0] = interp_s;
		if (arg_s)
			newv[1] = arg_s;
		newv[extra] = cur_path;
		args.argc += extra;
		args.bytes += strlen(interp_s) + 1 + (arg_s ? strlen(arg_s) + 1 : 0) +
			      strlen(cur_path) + 1;
		if (args.bytes > LBX_ARG_MAX) {
			ret = -E2BIG;
			goto out;
		}
		newv[args.argc] = NULL;
		cur_path = interp_s;
		close_image(&img);
	}
	ret = exec_elf(s, &img, &args, path, replace);
out:
	close_image(&img);
	lbx_plat_free(hdr);
	lbx_plat_free(newv);
	return ret;
}

int lbx_linux_start(struct lbx_sandbox *sb, void *thread_plat, const char *path,
		    const char *const *argv, const char *const *envp,
		    const char *cwd, const struct lbx_cred *cred,
		    struct lbx_cpu_regs *regs, struct lbx_resume *res,
		    struct lbx_thread **out)
{
	struct lbx_thread *t;
	struct lbx_sys s;
	int ret;

	ret = lbx_process_create(sb, NULL, &t);
	if (ret)
		return ret;
	t->plat = thread_plat;
	s.t = t;
	s.p = t->proc;
	s.regs = regs;
	s.res = res;
	memset(res, 0, sizeof(*res));
	lbx_linux_rlimits_init(s.p);
	ret = lbx_linux_process_fs_init(s.p, cwd);
	if (ret)
		goto err;
	if (cred) {
		lbx_plat_mutex_lock(&sb->lock);
		lbx_cred_install_locked(t, cred);
		lbx_plat_mutex_unlock(&sb->lock);
	}
	lbx_plat_set_current(t);
	ret = lbx_linux_exec(&s, path, argv, envp, false);
	if (ret)
		goto err_current;
	*out = t;
	return 0;
err_current:
	lbx_plat_set_current(NULL);
err:
	lbx_thread_exit(t);
	lbx_thread_put(t);
	return ret;
}
