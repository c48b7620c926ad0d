// SPDX-License-Identifier: GPL-2.0
/*
 * litebox_elf: the header checks of the shim's ELF loader
 * (shims/linux/elf.c, lbx_elf_check) on files crafted in the test with the
 * kernel's own <linux/elf.h> definitions. What binfmt_elf refuses with
 * ENOEXEC must be ENOEXEC here; a bad PT_INTERP path is EINVAL.
 */
#include <linux/elf.h>

#include "elf_load.h"
#include "lbx_kunit.h"

#define IMG_SIZE	8192
#define BASE		0x400000ULL

struct img {
	u8 *buf;
	u64 size;
};

static ssize_t img_pread(void *ctx, void *buf, size_t n, u64 off)
{
	struct img *im = ctx;

	if (off >= im->size)
		return 0;
	n = min_t(u64, n, im->size - off);
	memcpy(buf, im->buf + off, n);
	return n;
}

static Elf64_Ehdr *ehdr(struct img *im)
{
	return (Elf64_Ehdr *)im->buf;
}

static Elf64_Phdr *phdr(struct img *im, int i)
{
	return (Elf64_Phdr *)(im->buf + sizeof(Elf64_Ehdr)) + i;
}

/*
 * A valid static x86-64 executable: the headers, then nphdr program
 * headers; the first is one PT_LOAD of the whole file at BASE, r-x.
 */
static struct img *new_img(struct kunit *test, u16 type, int nphdr)
{
	struct img *im = kunit_kzalloc(test, sizeof(*im), GFP_KERNEL);
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;

	KUNIT_ASSERT_NOT_NULL(test, im);
	im->buf = kunit_kzalloc(test, IMG_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, im->buf);
	im->size = IMG_SIZE;
	eh = ehdr(im);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = (type == ET_EXEC ? BASE : 0) + 0x100;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = nphdr;
	ph = phdr(im, 0);
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_offset = 0;
	ph->p_vaddr = ph->p_paddr = type == ET_EXEC ? BASE : 0;
	ph->p_filesz = ph->p_memsz = IMG_SIZE;
	ph->p_align = 0x1000;
	return im;
}

static int check(struct img *im, struct lbx_elf_info *info)
{
	struct lbx_elf_reader r = { .pread = img_pread, .ctx = im, .size = im->size };

	return lbx_elf_check(&r, info);
}

/* A PT_INTERP header i whose path (len bytes, copied as is) sits at 0x800. */
static void set_interp(struct img *im, int i, const char *path, size_t len)
{
	Elf64_Phdr *ph = phdr(im, i);

	ph->p_type = PT_INTERP;
	ph->p_flags = PF_R;
	ph->p_offset = 0x800 + 0x200 * (i - 1);
	ph->p_filesz = ph->p_memsz = len;
	memcpy(im->buf + ph->p_offset, path, len);
}

static void accepts_static_and_pie_executables(struct kunit *test)
{
	static const char ld[] = "/lib/ld-musl-x86_64.so.1";
	struct lbx_elf_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	struct img *im;

	KUNIT_ASSERT_NOT_NULL(test, info);
	im = new_img(test, ET_EXEC, 2);
	phdr(im, 1)->p_type = PT_GNU_STACK;
	phdr(im, 1)->p_flags = PF_R | PF_W;
	KUNIT_ASSERT_EQ(test, check(im, info), 0);
	KUNIT_EXPECT_EQ(test, info->lo, BASE);
	KUNIT_EXPECT_EQ(test, info->hi, BASE + IMG_SIZE);
	KUNIT_EXPECT_FALSE(test, info->is_dyn);
	KUNIT_EXPECT_FALSE(test, info->exec_stack);
	KUNIT_EXPECT_EQ(test, info->phnum, 2u);
	KUNIT_EXPECT_STREQ(test, info->interp, "");

	/* A PIE with an interpreter; an executable stack when PF_X. */
	im = new_img(test, ET_DYN, 3);
	set_interp(im, 1, ld, sizeof(ld));
	phdr(im, 2)->p_type = PT_GNU_STACK;
	phdr(im, 2)->p_flags = PF_R | PF_W | PF_X;
	KUNIT_ASSERT_EQ(test, check(im, info), 0);
	KUNIT_EXPECT_TRUE(test, info->is_dyn);
	KUNIT_EXPECT_TRUE(test, info->exec_stack);
	KUNIT_EXPECT_EQ(test, info->lo, 0ULL);
	KUNIT_EXPECT_STREQ(test, info->interp, ld);
}

static void truncated_files_are_enoexec(struct kunit *test)
{
	struct lbx_elf_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	struct img *im;

	KUNIT_ASSERT_NOT_NULL(test, info);
	/* Shorter than the ELF header; empty. */
	im = new_img(test, ET_EXEC, 1);
	im->size = sizeof(Elf64_Ehdr) - 1;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	im->size = 0;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Program headers running past the end of the file. */
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_phoff = IMG_SIZE - sizeof(Elf64_Phdr) / 2;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* e_phoff + e_phnum * e_phentsize wrapping around. */
	ehdr(im)->e_phoff = ~0ULL - 8;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* A segment whose file bytes go past the end of the file. */
	im = new_img(test, ET_EXEC, 1);
	im->size = IMG_SIZE - 1;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
}

static void wrong_machine_or_format_is_enoexec(struct kunit *test)
{
	struct lbx_elf_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	struct img *im;

	KUNIT_ASSERT_NOT_NULL(test, info);
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_machine = EM_386;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	ehdr(im)->e_machine = EM_AARCH64;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);

	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_ident[EI_CLASS] = ELFCLASS32;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_ident[EI_DATA] = ELFDATA2MSB;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_ident[EI_MAG1] = 'X';
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Relocatable objects and core files are not programs. */
	im = new_img(test, ET_REL, 1);
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	im = new_img(test, ET_CORE, 1);
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Program header size or count binfmt_elf would refuse. */
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_phentsize = sizeof(Elf64_Phdr) - 1;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	im = new_img(test, ET_EXEC, 1);
	ehdr(im)->e_phnum = 0;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* No PT_LOAD at all. */
	im = new_img(test, ET_EXEC, 1);
	phdr(im, 0)->p_type = PT_NOTE;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
}

static void bad_segments_are_enoexec(struct kunit *test)
{
	struct lbx_elf_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	struct img *im;
	Elf64_Phdr *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, info);
	/* Two loads that overlap. */
	im = new_img(test, ET_EXEC, 2);
	a = phdr(im, 0);
	b = phdr(im, 1);
	a->p_filesz = a->p_memsz = 0x1000;
	*b = *a;
	b->p_offset = 0x1000;
	b->p_vaddr = BASE + 0x1000;
	b->p_memsz = 0x2000;
	KUNIT_ASSERT_EQ_MSG(test, check(im, info), 0, "the disjoint pair is valid");
	b->p_vaddr = BASE + 0x800;
	b->p_offset = 0x800;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Out of order (binfmt_elf and the loader expect ascending vaddr). */
	b->p_vaddr = BASE - 0x1000;
	b->p_offset = 0x1000;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);

	/* File size larger than memory size. */
	im = new_img(test, ET_EXEC, 1);
	phdr(im, 0)->p_memsz = 0x100;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Memory beyond the user address space, and a wrapping end. */
	im = new_img(test, ET_EXEC, 1);
	phdr(im, 0)->p_memsz = 0x800000000000ULL;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	phdr(im, 0)->p_vaddr = ~0ULL - 0x1000;
	phdr(im, 0)->p_memsz = 0x2000;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* Address and offset disagreeing modulo the page size. */
	im = new_img(test, ET_EXEC, 1);
	phdr(im, 0)->p_vaddr = BASE + 0x10;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* A fixed-address program below mmap_min_addr. */
	im = new_img(test, ET_EXEC, 1);
	phdr(im, 0)->p_vaddr = 0x1000;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
}

static void bad_interpreter_is_einval(struct kunit *test)
{
	static const char ok[] = "/lib64/ld-linux-x86-64.so.2";
	struct lbx_elf_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	char *longpath = kunit_kzalloc(test, 300, GFP_KERNEL);
	struct img *im;

	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, longpath);
	/* Not NUL-terminated. */
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, ok, sizeof(ok) - 1);
	KUNIT_EXPECT_EQ(test, check(im, info), -EINVAL);
	KUNIT_EXPECT_STREQ(test, info->interp, "");
	/* A NUL inside the path. */
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, "/lib\0/ld.so", 12);
	KUNIT_EXPECT_EQ(test, check(im, info), -EINVAL);
	/* Relative (resolved against the cwd: refused). */
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, "lib/ld.so", 10);
	KUNIT_EXPECT_EQ(test, check(im, info), -EINVAL);
	/* Empty, and longer than LBX_ELF_INTERP_MAX. */
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, "", 1);
	KUNIT_EXPECT_EQ(test, check(im, info), -EINVAL);
	memset(longpath, 'a', 299);
	longpath[0] = '/';
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, longpath, 300);
	KUNIT_EXPECT_EQ(test, check(im, info), -EINVAL);
	/* Two PT_INTERP headers: a malformed file (ENOEXEC). */
	im = new_img(test, ET_DYN, 3);
	set_interp(im, 1, ok, sizeof(ok));
	set_interp(im, 2, ok, sizeof(ok));
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
	/* The path itself beyond the end of the file. */
	im = new_img(test, ET_DYN, 2);
	set_interp(im, 1, ok, sizeof(ok));
	phdr(im, 1)->p_offset = IMG_SIZE - 4;
	KUNIT_EXPECT_EQ(test, check(im, info), -ENOEXEC);
}

static struct kunit_case elf_cases[] = {
	KUNIT_CASE(accepts_static_and_pie_executables),
	KUNIT_CASE(truncated_files_are_enoexec),
	KUNIT_CASE(wrong_machine_or_format_is_enoexec),
	KUNIT_CASE(bad_segments_are_enoexec),
	KUNIT_CASE(bad_interpreter_is_einval),
	{}
};

static struct kunit_suite elf_suite = {
	.name = "litebox_elf",
	.test_cases = elf_cases,
};

kunit_test_suite(elf_suite);
