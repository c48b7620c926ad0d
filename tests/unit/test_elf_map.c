// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF loader's file mappings (shims/linux/elf.c): where the reader can
 * map the file (litebox.ko's lower image file), the loader asks for the
 * whole pages of each segment that lie inside the file and copies the
 * rest. The "image" here is a memfd holding the ELF file followed by
 * bytes of another entry, mapped for real; what the loader builds must be
 * what a copy builds, with nothing of the other entry showing.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <litebox/core.h>
#include "../../shims/linux/elf_load.h"
#include "lbx_test.h"

#define PGSZ		4096
#define FSIZE		(3 * PGSZ + 100)	/* the ELF file: not whole pages */
#define IMGSIZE		(6 * PGSZ)		/* the image: file, then junk */
#define TEXT_FILESZ	(PGSZ + PGSZ / 2)	/* the first segment ends mid-page */
#define BSS		(2 * PGSZ)

struct fake {
	u8 img[IMGSIZE];
	int fd;			/* the image as a file */
	int maps;		/* calls of map */
	u64 map_off[4], map_len[4];
	bool refuse;		/* map fails: the loader copies */
};

static ssize_t fake_pread(void *ctx, void *buf, size_t n, u64 off)
{
	struct fake *f = ctx;

	if (off >= FSIZE)
		return 0;
	if (n > FSIZE - off)
		n = FSIZE - off;
	memcpy(buf, f->img + off, n);
	return n;
}

static int fake_map(void *ctx, u64 addr, u64 len, int prot, u64 off)
{
	struct fake *f = ctx;
	int hp = (prot & LBX_PROT_READ ? PROT_READ : 0) |
		 (prot & LBX_PROT_WRITE ? PROT_WRITE : 0);

	if (f->maps < 4) {
		f->map_off[f->maps] = off;
		f->map_len[f->maps] = len;
	}
	f->maps++;
	if (f->refuse)
		return -EOPNOTSUPP;
	if (mmap((void *)(uintptr_t)addr, len, hp, MAP_PRIVATE | MAP_FIXED, f->fd,
		 off) == MAP_FAILED)
		return -errno;
	return 0;
}

/*
 * An ET_DYN file of FSIZE bytes: a read-only segment of the first
 * TEXT_FILESZ bytes with BSS bytes of zeroes after them, and a read-write
 * segment from the third page to the end of the file. Every other byte is
 * a pattern; the image's bytes past the file are 'X'.
 */
static void build(struct fake *f)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f->img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f->img + sizeof(*eh));
	size_t i;

	for (i = 0; i < FSIZE; i++)
		f->img[i] = (u8)(i * 7 + 1);
	memset(f->img + FSIZE, 'X', IMGSIZE - FSIZE);
	memset(eh, 0, sizeof(*eh) + 2 * sizeof(*ph));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R;
	ph[0].p_filesz = TEXT_FILESZ;
	ph[0].p_memsz = TEXT_FILESZ + BSS;
	ph[0].p_align = PGSZ;
	ph[1].p_type = PT_LOAD;
	ph[1].p_flags = PF_R | PF_W;
	ph[1].p_offset = 2 * PGSZ;
	ph[1].p_vaddr = 8 * PGSZ;
	ph[1].p_filesz = FSIZE - 2 * PGSZ;
	ph[1].p_memsz = FSIZE - 2 * PGSZ;
	ph[1].p_align = PGSZ;
	f->fd = memfd_create("lbx-test-image", MFD_CLOEXEC);
	ASSERT_TRUE(f->fd >= 0);
	ASSERT_EQ(write(f->fd, f->img, IMGSIZE), IMGSIZE);
}

/* What a loaded segment must hold: the file's bytes, zeroes after them. */
static void expect_segment(struct fake *f, const struct lbx_elf_info *info, u64 vaddr,
			   u64 off, u64 filesz, u64 span)
{
	const u8 *m = (const u8 *)(uintptr_t)(info->bias + vaddr);
	u64 i, bad = 0;

	EXPECT_EQ(memcmp(m, f->img + off, filesz), 0);
	for (i = filesz; i < span; i++)
		bad += m[i] != 0;
	EXPECT_EQ(bad, 0);
}

static void load_and_check(struct fake *f)
{
	struct lbx_elf_reader r = {
		.pread = fake_pread, .ctx = f, .size = FSIZE,
		.map = fake_map, .map_ctx = f,
	};
	struct lbx_elf_info info;
	u8 before[PGSZ];

	ASSERT_EQ(pread(f->fd, before, PGSZ, PGSZ), PGSZ);
	ASSERT_EQ(lbx_elf_load(&r, &info), 0);
	/* The rest of the first segment's last file page, and its bss. */
	expect_segment(f, &info, 0, 0, TEXT_FILESZ, 4 * PGSZ);
	/* The second segment ends 100 bytes into a page past the junk. */
	expect_segment(f, &info, 8 * PGSZ, 2 * PGSZ, FSIZE - 2 * PGSZ, 2 * PGSZ);
	/* Zeroing the bss wrote a private copy, not the image. */
	{
		u8 after[PGSZ];

		ASSERT_EQ(pread(f->fd, after, PGSZ, PGSZ), PGSZ);
		EXPECT_EQ(memcmp(before, after, PGSZ), 0);
	}
	munmap((void *)(uintptr_t)info.lo, info.hi - info.lo);
}

TEST(elf_maps_whole_file_pages_and_copies_the_last)
{
	static struct fake f;

	memset(&f, 0, sizeof(f));
	build(&f);
	load_and_check(&f);
	/* Segment 1: its two file pages (the second holds the bss start);
	 * segment 2: its first page only (the next holds the file's end). */
	ASSERT_EQ(f.maps, 2);
	EXPECT_EQ(f.map_off[0], 0);
	EXPECT_EQ(f.map_len[0], 2 * PGSZ);
	EXPECT_EQ(f.map_off[1], 2 * PGSZ);
	EXPECT_EQ(f.map_len[1], PGSZ);
	close(f.fd);
}

TEST(elf_copies_what_the_reader_cannot_map)
{
	static struct fake f;

	memset(&f, 0, sizeof(f));
	build(&f);
	f.refuse = true;
	load_and_check(&f);
	EXPECT_EQ(f.maps, 2);
	close(f.fd);
}
