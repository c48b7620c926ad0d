// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-rewrite: LiteBox's syscall rewriter ahead of time. It patches the
 * syscall sites of an x86-64 ELF file as litebox.ko and lbx-run do at load
 * time (core/rewrite), and puts the trampolines in a new executable segment.
 * The output runs under LiteBox with direct entries from the start; a
 * static (ET_EXEC) output also runs natively, each patched call going
 * through its trampoline's own syscall instruction.
 *
 *   lbx-rewrite [-v] IN -o OUT     rewrite
 *   lbx-rewrite --stats IN         count the syscall sites and the patchable ones
 *   lbx-rewrite --list IN          print the address and length of every
 *                                  instruction of the executable sections
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <litebox/rewrite.h>
#include "version.h"

#define EXIT_USAGE 2

static const char *prog = "lbx-rewrite";
static int verbose;

/* core's allocation hooks, for the rewriter alone */
void *lbx_plat_alloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void lbx_plat_free(const void *p)
{
	free((void *)p);
}

void *lbx_plat_alloc_large(size_t size)
{
	return lbx_plat_alloc(size);
}

void lbx_plat_free_large(const void *p)
{
	free((void *)p);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s [-v] IN -o OUT\n"
"       %s --stats IN\n"
"       %s --list IN\n"
"\n"
"Rewrites the syscall sites of IN, an x86-64 ELF executable or shared object,\n"
"into calls to LiteBox's direct entry, as litebox.ko and lbx-run do when they\n"
"load code. Sites that cannot be patched safely are left to trap.\n"
"\n"
"  -o OUT        write the rewritten file to OUT\n"
"  --stats       print how many syscall sites IN has and how many are patchable\n"
"  --list        print \"ADDRESS LENGTH\" for each instruction of the executable\n"
"                sections (the decoder's view, to compare with a disassembler)\n"
"  -v, --verbose say more\n"
"  -h, --help    show this help\n"
"  -V, --version show the version\n"
"\n"
"Exit status: 0 on success, 1 on an error, 2 for a usage error.\n",
		prog, prog, prog);
}

struct elf_file {
	unsigned char *buf;
	size_t size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
};

static void load(const char *path, struct elf_file *ef)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	ef->size = st.st_size;
	ef->buf = malloc(ef->size + 1);
	if (!ef->buf)
		die("out of memory");
	while (got < ef->size) {
		ssize_t n = read(fd, ef->buf + got, ef->size - got);

		if (n <= 0)
			die("%s: read: %s", path, n ? strerror(errno) : "short file");
		got += n;
	}
	close(fd);
	ef->eh = (Elf64_Ehdr *)ef->buf;
	if (ef->size < sizeof(Elf64_Ehdr) || memcmp(ef->eh->e_ident, ELFMAG, SELFMAG) ||
	    ef->eh->e_ident[EI_CLASS] != ELFCLASS64 || ef->eh->e_machine != EM_X86_64)
		die("%s: not an x86-64 ELF file", path);
	if (ef->eh->e_type != ET_EXEC && ef->eh->e_type != ET_DYN)
		die("%s: not an executable or shared object", path);
	if (ef->eh->e_phentsize != sizeof(Elf64_Phdr) || ef->eh->e_phoff > ef->size ||
	    (size_t)ef->eh->e_phnum * sizeof(Elf64_Phdr) > ef->size - ef->eh->e_phoff)
		die("%s: malformed program headers", path);
	ef->ph = (Elf64_Phdr *)(ef->buf + ef->eh->e_phoff);
}

/* An executable PT_LOAD's file bytes, checked against the file. */
static int exec_segment(const struct elf_file *ef, int i)
{
	const Elf64_Phdr *p = &ef->ph[i];

	if (p->p_type != PT_LOAD || !(p->p_flags & PF_X) || !p->p_filesz)
		return 0;
	if (p->p_offset > ef->size || p->p_filesz > ef->size - p->p_offset)
		die("segment %d lies outside the file", i);
	return 1;
}

static int do_list(const struct elf_file *ef)
{
	const Elf64_Shdr *sh;
	int i;

	if (!ef->eh->e_shoff || ef->eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    ef->eh->e_shoff > ef->size ||
	    (size_t)ef->eh->e_shnum * sizeof(Elf64_Shdr) > ef->size - ef->eh->e_shoff)
		die("no usable section headers");
	sh = (const Elf64_Shdr *)(ef->buf + ef->eh->e_shoff);
	for (i = 0; i < ef->eh->e_shnum; i++) {
		size_t off = 0;

		if (sh[i].sh_type != SHT_PROGBITS || !(sh[i].sh_flags & SHF_EXECINSTR))
			continue;
		if (sh[i].sh_offset > ef->size || sh[i].sh_size > ef->size - sh[i].sh_offset)
			die("section %d lies outside the file", i);
		while (off < sh[i].sh_size) {
			struct lbx_x86_insn in;
			int n = lbx_x86_decode(ef->buf + sh[i].sh_offset + off,
					       sh[i].sh_size - off, &in);

			if (n < 0) {
				printf("%llx bad\n", (unsigned long long)(sh[i].sh_addr + off));
				off++;
				continue;
			}
			printf("%llx %d\n", (unsigned long long)(sh[i].sh_addr + off), n);
			off += n;
		}
	}
	return 0;
}

static int do_stats(const struct elf_file *ef)
{
	unsigned long found = 0, safe = 0, bad = 0, regions = 0;
	int i;

	for (i = 0; i < ef->eh->e_phnum; i++) {
		struct lbx_rw_plan plan;

		if (!exec_segment(ef, i))
			continue;
		if (lbx_rw_is_region(ef->buf + ef->ph[i].p_offset, ef->ph[i].p_filesz)) {
			regions++;	/* lbx-rewrite's own trampolines */
			continue;
		}
		if (lbx_rw_scan(ef->buf + ef->ph[i].p_offset, ef->ph[i].p_filesz, &plan))
			die("out of memory");
		found += plan.found;
		safe += plan.n;
		bad += plan.undecodable;
		lbx_rw_plan_free(&plan);
	}
	printf("syscall sites: %lu\npatchable: %lu\nleft to trap: %lu\nundecodable bytes: %lu\n"
	       "trampoline segments: %lu\n", found, safe, found - safe, bad, regions);
	return 0;
}

/*
 * Appends one PT_LOAD (R+X) holding the trampolines, page-aligned after the
 * image; its program header replaces a PT_NOTE (the notes stay in the file,
 * only their header goes), so the header table keeps its size and place.
 */
static int do_rewrite(struct elf_file *ef, const char *out)
{
	size_t total = 0, region_size, used, out_size;
	u64 top = 0, region_addr, region_off;
	unsigned char *region, *obuf;
	int i, note = -1, fd;
	u32 patched = 0, sites = 0;
	struct lbx_rw_plan plans[16];
	int segs[16], nsegs = 0;

	for (i = 0; i < ef->eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type == PT_LOAD && p->p_vaddr + p->p_memsz > top)
			top = p->p_vaddr + p->p_memsz;
		if (p->p_type == PT_NOTE && note < 0)
			note = i;
		if (!exec_segment(ef, i))
			continue;
		if (nsegs == 16)
			die("too many executable segments");
		if (lbx_rw_is_region(ef->buf + ef->ph[i].p_offset, ef->ph[i].p_filesz))
			die("already rewritten");
		if (lbx_rw_scan(ef->buf + ef->ph[i].p_offset, ef->ph[i].p_filesz, &plans[nsegs]))
			die("out of memory");
		sites += plans[nsegs].found;
		total += lbx_rw_region_size(&plans[nsegs], plans[nsegs].n);
		segs[nsegs++] = i;
	}
	if (note < 0)
		die("no PT_NOTE program header to turn into the trampoline segment");
	region_size = (total + 4095) & ~4095UL;
	region_addr = (top + 0xfff) & ~0xfffULL;
	region_off = (ef->size + 0xfff) & ~0xfffUL;
	out_size = region_off + region_size;
	obuf = calloc(1, out_size);
	if (!obuf)
		die("out of memory");
	memcpy(obuf, ef->buf, ef->size);
	region = obuf + region_off;
	memset(region, 0xcc, region_size);
	/* One region for the file: its header's slot serves every trampoline. */
	lbx_rw_emit_header(region, region_addr, 0);
	used = 0;
	for (i = 0; i < nsegs; i++) {
		const Elf64_Phdr *p = &ef->ph[segs[i]];

		patched += lbx_rw_emit(obuf + p->p_offset, p->p_vaddr, &plans[i], plans[i].n,
				       region, region_addr, region_size, &used);
		lbx_rw_plan_free(&plans[i]);
	}
	{
		Elf64_Phdr *ph = (Elf64_Phdr *)(obuf + ef->eh->e_phoff);

		ph[note] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			.p_offset = region_off, .p_vaddr = region_addr, .p_paddr = region_addr,
			.p_filesz = region_size, .p_memsz = region_size, .p_align = 0x1000,
		};
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		die("%s: %s", out, strerror(errno));
	if (write(fd, obuf, out_size) != (ssize_t)out_size || close(fd))
		die("%s: write: %s", out, strerror(errno));
	if (verbose)
		fprintf(stderr, "%s: %u of %u syscall sites patched; trampolines at %#llx (%zu bytes)\n",
			prog, patched, sites, (unsigned long long)region_addr, used);
	free(obuf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int mode = 0, c;
	struct elf_file ef;

	while ((c = getopt_long(argc, argv, "o:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
		case 'l':
			mode = c;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", prog, LBX_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (!mode && !out) || (mode && out)) {
		fprintf(stderr, "%s: %s\n", prog, optind >= argc ? "no input file" :
			"give exactly one input file, and -o OUT or --stats or --list");
		usage(stderr);
		return EXIT_USAGE;
	}
	load(argv[optind], &ef);
	if (mode == 'l')
		return do_list(&ef);
	if (mode == 's')
		return do_stats(&ef);
	return do_rewrite(&ef, out);
}
