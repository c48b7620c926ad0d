// SPDX-License-Identifier: GPL-2.0
/* brk, mmap, munmap, mprotect, mremap, madvise, msync. Shared mappings:
 * docs/mm.md. */
#include <litebox/file.h>
#include <litebox/fsabi.h>
#include <litebox/futex.h>
#include <litebox/mm.h>
#include <litebox/vfs.h>
#include "shim.h"

#define LX_PROT_READ		0x1
#define LX_PROT_WRITE		0x2
#define LX_PROT_EXEC		0x4
#define LX_PROT_GROWSDOWN	0x01000000
#define LX_PROT_GROWSUP		0x02000000

#define LX_MAP_SHARED		0x01
#define LX_MAP_PRIVATE		0x02
#define LX_MAP_SHARED_VALIDATE	0x03
#define LX_MAP_TYPE		0x0f
#define LX_MAP_FIXED		0x10
#define LX_MAP_ANONYMOUS	0x20
#define LX_MAP_GROWSDOWN	0x100
#define LX_MAP_FIXED_NOREPLACE	0x100000

#define LX_USER_TOP		0x7ffffffff000ULL
#define PG			LBX_PAGE_SIZE

static int to_lbx_prot(u64 prot)
{
	return (prot & LX_PROT_READ ? LBX_PROT_READ : 0) |
	       (prot & LX_PROT_WRITE ? LBX_PROT_WRITE : 0) |
	       (prot & LX_PROT_EXEC ? LBX_PROT_EXEC : 0);
}

/* Validates a page range [addr, addr + len) of the user address space. */
static int check_range(u64 addr, u64 len, u64 *alen)
{
	u64 end;

	if (!LBX_IS_ALIGNED(addr, PG))
		return -EINVAL;
	if (!len || lbx_add_overflow(len, PG - 1, &end))
		return -EINVAL;
	*alen = LBX_ALIGN_DOWN(end, PG);
	if (lbx_add_overflow(addr, *alen, &end) || end > LX_USER_TOP)
		return -EINVAL;
	return 0;
}

/*
 * A non-fixed range the core chose may still hold host memory the guest's
 * map does not know (the launcher's image, the stub, lbx-run's own
 * allocations, or a racing thread's new mapping): the host refuses it, and
 * the search goes on beyond it (below, in the top-down layout), a few
 * times; then the host chooses.
 */
#define LBX_PLACE_TRIES	8

int lbx_linux_place(struct lbx_sys *s, u64 *addr, u64 len, int prot, int lflags)
{
	struct lbx_mm *mm = s->p->mm;
	int share = lflags & LBX_MAP_SHARED;
	u64 at;
	int i, ret;

	ret = lbx_mm_get_unmapped_area(mm, *addr, len, lflags, &at);
	if (ret)
		return ret;
	if (lflags & (LBX_MAP_FIXED | LBX_MAP_FIXED_NOREPLACE))
		goto map;
	for (i = 0; i < LBX_PLACE_TRIES; i++) {
		ret = lbx_plat_guest_map(&at, len, prot, LBX_MAP_FIXED_NOREPLACE | share);
		if (ret != -EEXIST)
			goto out;
		if (mm->bottom_up)
			ret = lbx_mm_find_free(mm, len, at + len, LBX_MM_TASK_SIZE, true, &at);
		else
			ret = lbx_mm_find_free(mm, len, LBX_MM_MIN_ADDR, at, false, &at);
		if (ret)
			break;
	}
	at = 0;
map:
	ret = lbx_plat_guest_map(&at, len, prot, lflags);
out:
	if (!ret)
		*addr = at;
	return ret;
}

/* Maps guest memory and records it in the process's memory map. */
int lbx_linux_map(struct lbx_sys *s, u64 *addr, u64 len, int prot, int lflags,
		  u32 vflags, u64 offset, const char *name)
{
	int ret = lbx_linux_place(s, addr, len, prot, lflags);

	if (ret)
		return ret;
	ret = lbx_mm_insert(s->p->mm, *addr, *addr + len, prot, vflags, offset, name);
	if (ret)
		lbx_plat_guest_unmap(*addr, len);
	return ret;
}

int lbx_linux_unmap(struct lbx_sys *s, u64 addr, u64 len)
{
	int ret = lbx_plat_guest_unmap(addr, len);

	if (!ret)
		ret = lbx_mm_remove(s->p->mm, addr, addr + len);
	if (!ret)
		lbx_linux_rewrite_reclaim(s->p);
	return ret;
}

LBX_SYSCALL(brk)
{
	struct lbx_process *p = s->p;
	u64 want = a0, new_end;
	int ret;

	if (!p->brk_start || want < p->brk_start)
		return p->brk_cur;
	if (want > LX_USER_TOP)
		return p->brk_cur;
	new_end = LBX_ALIGN_UP(want, PG);
	if (new_end > p->brk_mapped_end) {
		u64 at = p->brk_mapped_end;
		/* Linux keeps the heap writable and refuses to grow into a mapping. */
		ret = lbx_linux_map(s, &at, new_end - p->brk_mapped_end,
				    LBX_PROT_READ | LBX_PROT_WRITE,
				    LBX_MAP_FIXED_NOREPLACE, 0, 0, "[heap]");
		if (ret)
			return p->brk_cur;
	} else if (new_end < p->brk_mapped_end) {
		ret = lbx_linux_unmap(s, new_end, p->brk_mapped_end - new_end);
		if (ret)
			return p->brk_cur;
	}
	p->brk_mapped_end = new_end;
	p->brk_cur = want;
	return want;
}

#define LBX_MMAP_CHUNK (64 * 1024)

int lbx_linux_fill_from_file(struct lbx_file *f, u64 addr, u64 len, u64 off)
{
	u8 *buf = lbx_plat_alloc_large(LBX_MMAP_CHUNK);
	u64 done = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		ssize_t n = lbx_file_pread(f, buf, lbx_min(len - done, (u64)LBX_MMAP_CHUNK),
					   off + done);

		if (n <= 0) {
			ret = (int)n;
			break;
		}
		ret = lbx_poke_guest(addr + done, buf, n);
		if (ret)
			break;
		done += n;
	}
	lbx_plat_free_large(buf);
	return ret;
}

u64 lbx_linux_map_image(struct lbx_process *p, struct lbx_file *f, u64 addr,
			u64 len, int prot, u64 off)
{
	const u8 *data;
	u64 size, n;
	int ret;

	if (!f->ops->image_data || f->ops->image_data(f, (const void **)&data, &size))
		return 0;
	size = LBX_ALIGN_DOWN(size, PG);
	if (!LBX_IS_ALIGNED(off, PG) || off >= size)
		return 0;
	n = LBX_ALIGN_DOWN(lbx_min(len, size - off), PG);
	if (!n)
		return 0;
	ret = lbx_plat_image_map(p->sb, data + off, &addr, n, prot, LBX_MAP_FIXED);
	if (ret) {
		/* A fixed mapping that failed may have left a hole. */
		if (ret != -EOPNOTSUPP)
			lbx_plat_guest_map(&addr, n, prot, LBX_MAP_FIXED);
		return 0;
	}
	return n;
}

/* Linux names a shared anonymous mapping by its shmem file. */
#define LBX_SHARED_ANON_NAME	"/dev/zero (deleted)"

/* /dev/zero: its mappings are anonymous memory, private or shared. */
static bool is_dev_zero(const struct lbx_file *f)
{
	return LX_S_ISCHR(f->inode->mode) && f->inode->rdev == LBX_MKDEV(1, 5);
}

static long mmap_anon(struct lbx_sys *s, u64 addr, u64 len, int prot, int lflags,
		      bool shared, u32 vflags)
{
	int ret;

	if (!shared) {
		ret = lbx_linux_map(s, &addr, len, prot, lflags, vflags, 0, "");
		return ret ? ret : (long)addr;
	}
	/* Its own object (shared with the children forked later), offset 0. */
	ret = lbx_linux_place(s, &addr, len, prot, lflags | LBX_MAP_SHARED);
	if (ret)
		return ret;
	ret = lbx_mm_insert_shared(s->p->mm, addr, addr + len, prot, vflags | LBX_VMA_SHARED,
				   0, lbx_mm_new_obj_id(), LBX_SHARED_ANON_NAME);
	if (ret) {
		lbx_plat_guest_unmap(addr, len);
		return ret;
	}
	return (long)addr;
}

/*
 * A shared file mapping: the file's own pages (its shared memory object).
 * Anonymous pages reserve the range first (the search and its retries are
 * lbx_linux_place()'s); the object's mapping then replaces them.
 */
static long mmap_shm(struct lbx_sys *s, struct lbx_plat_shm *shm, u64 id, u64 addr,
		     u64 len, int prot, int lflags, u32 vflags, u64 off)
{
	u64 at;
	int ret;

	ret = lbx_linux_place(s, &addr, len, prot, lflags);
	if (ret)
		return ret;
	at = addr;
	ret = lbx_plat_shm_map(shm, &at, len, prot, LBX_MAP_FIXED, off);
	if (!ret)
		ret = lbx_mm_insert_shared(s->p->mm, addr, addr + len, prot,
					   vflags | LBX_VMA_SHARED | LBX_VMA_FILE, off, id, "");
	if (ret) {
		lbx_linux_unmap(s, addr, len);
		return ret;
	}
	return (long)addr;
}

/*
 * A file mapping. Private: anonymous memory filled with the file's contents
 * (what a private mapping holds until it is written), or where the file is
 * served from litebox.ko's lower image file, that file's pages mapped
 * private (copy-on-write), as Linux maps a file. Shared: the file's
 * pages, coherent with read/write and with every other shared mapping of
 * it, in any process; a file that has no pages to share (a read-only tar
 * image's) is served as a private copy when the mapping cannot be written
 * (nobody can write the file).
 */
static long mmap_file(struct lbx_sys *s, u64 addr, u64 len, u64 prot, u64 flags,
		      int fd, u64 off)
{
	bool shared = (flags & LX_MAP_TYPE) != LX_MAP_PRIVATE;
	struct lbx_plat_shm *shm;
	struct lbx_file *f;
	u32 vflags = 0;
	int lflags = 0;
	u64 end, id, done;
	long ret;

	ret = lbx_linux_fd_file(s, fd, &f);
	if (ret)
		return ret;
	ret = -EACCES;
	if (!(f->fmode & LBX_FMODE_READ))
		goto out;
	if (shared && (prot & LX_PROT_WRITE) && !(f->fmode & LBX_FMODE_WRITE))
		goto out;
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		ret = -EINVAL;
		if (check_range(addr, len, &len))
			goto out;
		lflags = flags & LX_MAP_FIXED ? LBX_MAP_FIXED : LBX_MAP_FIXED_NOREPLACE;
	}
	if (is_dev_zero(f)) {
		ret = mmap_anon(s, addr, len, to_lbx_prot(prot), lflags, shared, 0);
		goto out;
	}
	ret = -ENODEV;
	if (!LX_S_ISREG(f->inode->mode))
		goto out;
	ret = -EOVERFLOW;
	if (lbx_add_overflow(off, len, &end))
		goto out;
	if (shared) {
		/* Linux's missing VM_MAYWRITE: mprotect cannot add PROT_WRITE. */
		if (!(f->fmode & LBX_FMODE_WRITE))
			vflags |= LBX_VMA_NOMAYWRITE;
		ret = f->ops->shm ? f->ops->shm(f, &shm, &id) : -ENODEV;
		if (!ret) {
			ret = mmap_shm(s, shm, id, addr, len, to_lbx_prot(prot), lflags,
				       vflags, off);
			goto out;
		}
		if (ret != -ENODEV || (prot & LX_PROT_WRITE))
			goto out;
	}
	/* File-backed: its offset is the file's, and the lazy rewriter may
	 * patch it once it is made executable. */
	ret = lbx_linux_map(s, &addr, len, to_lbx_prot(prot), lflags,
			    vflags | LBX_VMA_FILE, off, "");
	if (ret)
		goto out;
	/* The lower image's whole pages are mapped from it, the rest copied. */
	done = lbx_linux_map_image(s->p, f, addr, len, to_lbx_prot(prot), off);
	ret = lbx_linux_fill_from_file(f, addr + done, len - done, off + done);
	if (ret) {
		lbx_linux_unmap(s, addr, len);
		goto out;
	}
	if (prot & LX_PROT_EXEC)
		lbx_linux_rewrite_file(s->p, f, addr, len, off);
	ret = (long)addr;
out:
	lbx_file_put(f);
	return ret;
}

LBX_SYSCALL(mmap)
{
	u64 addr = a0, len, prot = a2, flags = a3, off = a5;
	int lflags = 0;

	if (!a1 || a1 > LX_USER_TOP)
		return -EINVAL;
	len = LBX_ALIGN_UP(a1, PG);
	if (!LBX_IS_ALIGNED(off, PG))
		return -EINVAL;
	switch (flags & LX_MAP_TYPE) {
	case LX_MAP_PRIVATE:
	case LX_MAP_SHARED:
	case LX_MAP_SHARED_VALIDATE:
		break;
	default:
		return -EINVAL;
	}
	if (prot & ~(u64)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC |
			  LX_PROT_GROWSDOWN | LX_PROT_GROWSUP))
		return -EINVAL;
	if (!(flags & LX_MAP_ANONYMOUS))
		return mmap_file(s, addr, len, prot, flags, (int)a4, off);
	if (flags & LX_MAP_FIXED) {
		if (check_range(addr, len, &len))
			return -EINVAL;
		lflags = LBX_MAP_FIXED;
	} else if (flags & LX_MAP_FIXED_NOREPLACE) {
		if (check_range(addr, len, &len))
			return -EINVAL;
		lflags = LBX_MAP_FIXED_NOREPLACE;
	}
	/* A MAP_GROWSDOWN mapping does not grow here, but keeps its guard gap
	 * free of other non-fixed mappings, as Linux's stacks do. */
	return mmap_anon(s, addr, len, to_lbx_prot(prot), lflags,
			 (flags & LX_MAP_TYPE) != LX_MAP_PRIVATE,
			 flags & LX_MAP_GROWSDOWN ? LBX_VMA_GROWSDOWN : 0);
}

LBX_SYSCALL(munmap)
{
	u64 len;

	if (check_range(a0, a1, &len))
		return -EINVAL;
	return lbx_linux_unmap(s, a0, len);
}

/* May [start, end) be made writable? Not a shared mapping of a file that
 * is not open for writing (EACCES, as Linux). Holes are mprotect's ENOMEM. */
static bool may_write(struct lbx_mm *mm, u64 start, u64 end)
{
	struct lbx_vma v;
	u64 pos;

	for (pos = start; pos < end && !lbx_mm_lookup(mm, pos, &v); pos = v.end)
		if (v.flags & LBX_VMA_NOMAYWRITE)
			return false;
	return true;
}

LBX_SYSCALL(mprotect)
{
	u64 len;
	int ret;

	if (!LBX_IS_ALIGNED(a0, PG))
		return -EINVAL;
	if (!a1)
		return 0;
	if (check_range(a0, a1, &len))
		return -ENOMEM;
	if (a2 & ~(u64)(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC |
			LX_PROT_GROWSDOWN | LX_PROT_GROWSUP))
		return -EINVAL;
	if ((a2 & LX_PROT_WRITE) && !may_write(s->p->mm, a0, a0 + len))
		return -EACCES;
	/* Code about to become executable is patched first (no one runs it). */
	if (a2 & LX_PROT_EXEC)
		lbx_linux_rewrite_mprotect(s->p, a0, a0 + len);
	ret = lbx_mm_protect(s->p->mm, a0, a0 + len, to_lbx_prot(a2));
	if (ret)
		return ret;
	ret = lbx_plat_guest_protect(a0, len, to_lbx_prot(a2));
	/* Deferred: the host operation's result becomes the syscall's. */
	return ret == LBX_DEFERRED ? 0 : ret;
}

#define LX_MREMAP_MAYMOVE	1
#define LX_MREMAP_FIXED		2
#define LX_MREMAP_DONTUNMAP	4

/* Copies len bytes of guest memory from src to dst (mappings of ours),
 * whatever dst's protection (src must be readable). */
static int move_bytes(u64 dst, u64 src, u64 len)
{
	u8 *buf = lbx_plat_alloc_large(LBX_MMAP_CHUNK);
	u64 done = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len && !ret) {
		size_t n = lbx_min(len - done, (u64)LBX_MMAP_CHUNK);

		ret = lbx_copy_from_guest(buf, src + done, n);
		if (!ret)
			ret = lbx_poke_guest(dst + done, buf, n);
		done += n;
	}
	lbx_plat_free_large(buf);
	return ret;
}

/*
 * mremap of a shared mapping (v, holding [old, old + old_len)): its pages
 * are not copied but mapped again, from the same object at the same offset
 * (lbx_plat_guest_map_alias): grown in place with the object's next pages,
 * or moved whole. Past the object's end the new pages give SIGBUS, as
 * Linux's (a shared anonymous object keeps the size it was created with).
 */
static long mremap_shared(struct lbx_sys *s, const struct lbx_vma *v, u64 old,
			  u64 old_len, u64 new_len, u64 flags, u64 new_addr)
{
	u64 off = v->offset + (old - v->start), end = old + old_len, at;
	int ret;

	if (!(flags & LX_MREMAP_FIXED)) {
		/* Growing (the caller shrinks in place): in place if free. */
		at = end;
		if (!lbx_linux_place(s, &at, new_len - old_len, v->prot,
				     LBX_MAP_FIXED_NOREPLACE)) {
			ret = lbx_plat_guest_map_alias(end, new_len - old_len, v->prot,
						       old, old_len);
			if (!ret)
				ret = lbx_mm_insert_shared(s->p->mm, end, old + new_len,
							   v->prot, v->flags, off + old_len,
							   v->obj, v->name);
			if (ret) {
				lbx_linux_unmap(s, end, new_len - old_len);
				return ret;
			}
			return (long)old;
		}
		if (!(flags & LX_MREMAP_MAYMOVE))
			return -ENOMEM;
		new_addr = 0;
	}
	ret = lbx_linux_place(s, &new_addr, new_len, v->prot,
			      flags & LX_MREMAP_FIXED ? LBX_MAP_FIXED : 0);
	if (ret)
		return ret;
	ret = lbx_plat_guest_map_alias(new_addr, new_len, v->prot, old, 0);
	if (!ret)
		ret = lbx_mm_insert_shared(s->p->mm, new_addr, new_addr + new_len, v->prot,
					   v->flags, off, v->obj, v->name);
	if (ret) {
		lbx_linux_unmap(s, new_addr, new_len);
		return ret;
	}
	lbx_linux_unmap(s, old, old_len);
	return (long)new_addr;
}

/*
 * mremap: shrink in place, grow in place when the pages after the mapping
 * are free, else (MREMAP_MAYMOVE) move: a new mapping, the contents copied,
 * the old one unmapped. A private file mapping keeps its pages but grows
 * only with zeroes, so it may shrink or move but not grow (-EINVAL here,
 * where Linux would map more of the file). Shared mappings: above.
 */
LBX_SYSCALL(mremap)
{
	u64 old = a0, old_len, new_len, flags = a3, new_addr = a4, end;
	struct lbx_vma v;
	int ret;

	if (!LBX_IS_ALIGNED(old, PG) || (flags & ~(u64)(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED |
							LX_MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & LX_MREMAP_FIXED) && !(flags & LX_MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & LX_MREMAP_DONTUNMAP)
		return -EINVAL;		/* not provided */
	if (!a2 || a2 > LX_USER_TOP || a1 > LX_USER_TOP)
		return -EINVAL;
	old_len = LBX_ALIGN_UP(a1, PG);
	new_len = LBX_ALIGN_UP(a2, PG);
	if (!old_len)
		return -EINVAL;		/* duplicating a shared mapping: none here */
	if (lbx_add_overflow(old, old_len, &end) || end > LX_USER_TOP)
		return -EINVAL;
	/* The old range must lie in one mapping. */
	if (lbx_mm_lookup(s->p->mm, old, &v) || end > v.end)
		return -EFAULT;
	if (flags & LX_MREMAP_FIXED) {
		u64 nend;

		if (!LBX_IS_ALIGNED(new_addr, PG) ||
		    lbx_add_overflow(new_addr, new_len, &nend) || nend > LX_USER_TOP)
			return -EINVAL;
		if (new_addr < end && old < nend)
			return -EINVAL;	/* overlapping ranges */
	}
	/* Shrink in place (shared or private): the tail goes. */
	if (!(flags & LX_MREMAP_FIXED) && new_len <= old_len) {
		if (new_len < old_len) {
			ret = lbx_linux_unmap(s, old + new_len, old_len - new_len);
			if (ret)
				return ret;
		}
		return (long)old;
	}
	if (v.obj)
		return mremap_shared(s, &v, old, old_len, new_len, flags, new_addr);
	if (new_len > old_len && (v.flags & LBX_VMA_FILE))
		return -EINVAL;
	/* A trampoline region moved or grown is plain memory: it serves no
	 * code where it goes. */
	v.flags &= ~LBX_VMA_TRAMP;
	if (!(flags & LX_MREMAP_FIXED)) {
		u64 at = end;

		/* Grow in place when the pages after it are free. */
		if (!lbx_linux_map(s, &at, new_len - old_len, v.prot,
				   LBX_MAP_FIXED_NOREPLACE, v.flags,
				   v.offset + (end - v.start), v.name))
			return (long)old;
		if (!(flags & LX_MREMAP_MAYMOVE))
			return -ENOMEM;
		new_addr = 0;
	}
	/* Move: the destination (fixed or anywhere), the bytes, then the old. */
	ret = lbx_linux_map(s, &new_addr, new_len, v.prot,
			    flags & LX_MREMAP_FIXED ? LBX_MAP_FIXED : 0, v.flags,
			    v.offset + (old - v.start), v.name);
	if (ret)
		return ret;
	ret = move_bytes(new_addr, old, lbx_min(old_len, new_len));
	if (ret) {
		lbx_linux_unmap(s, new_addr, new_len);
		return ret;
	}
	/* Patched code that moves still jumps to its trampolines. */
	if (v.flags & LBX_VMA_SCANNED)
		lbx_mm_pin_tramps(s->p->mm);
	lbx_linux_unmap(s, old, old_len);
	return (long)new_addr;
}

#define LX_MADV_NORMAL		0
#define LX_MADV_RANDOM		1
#define LX_MADV_SEQUENTIAL	2
#define LX_MADV_WILLNEED	3
#define LX_MADV_DONTNEED	4
#define LX_MADV_FREE		8
#define LX_MADV_REMOVE		9
#define LX_MADV_DONTFORK	10
#define LX_MADV_DOFORK		11
#define LX_MADV_MERGEABLE	12
#define LX_MADV_UNMERGEABLE	13
#define LX_MADV_HUGEPAGE	14
#define LX_MADV_NOHUGEPAGE	15
#define LX_MADV_DONTDUMP	16
#define LX_MADV_DODUMP		17
#define LX_MADV_COLD		20
#define LX_MADV_PAGEOUT		21

/*
 * madvise: hints are accepted (memory here is ordinary host memory).
 * MADV_DONTNEED and MADV_FREE drop the pages of private anonymous mappings
 * (they read back as zeroes; the memory goes back to the host); on a
 * private file mapping the pages keep what they hold (Linux would reread
 * the file); a shared mapping's pages are its object's, and stay.
 */
LBX_SYSCALL(madvise)
{
	u64 addr = a0, len, pos;
	int ret;

	if (!LBX_IS_ALIGNED(addr, PG))
		return -EINVAL;
	if (!a1)
		return 0;
	if (check_range(addr, a1, &len))
		return -EINVAL;
	switch (a2) {
	case LX_MADV_NORMAL: case LX_MADV_RANDOM: case LX_MADV_SEQUENTIAL:
	case LX_MADV_WILLNEED: case LX_MADV_DONTFORK: case LX_MADV_DOFORK:
	case LX_MADV_MERGEABLE: case LX_MADV_UNMERGEABLE: case LX_MADV_HUGEPAGE:
	case LX_MADV_NOHUGEPAGE: case LX_MADV_DONTDUMP: case LX_MADV_DODUMP:
	case LX_MADV_COLD: case LX_MADV_PAGEOUT:
	case LX_MADV_DONTNEED: case LX_MADV_FREE:
		break;
	case LX_MADV_REMOVE:
		return -EINVAL;		/* not provided: a hole in a shared object */
	default:
		return -EINVAL;
	}
	/* Every page of the range must be mapped (Linux: ENOMEM). */
	for (pos = addr; pos < addr + len;) {
		struct lbx_vma v;

		if (lbx_mm_lookup(s->p->mm, pos, &v))
			return -ENOMEM;
		pos = v.end;
	}
	if (a2 != LX_MADV_DONTNEED && a2 != LX_MADV_FREE)
		return 0;
	for (pos = addr; pos < addr + len;) {
		struct lbx_vma v;
		u64 lo, hi;

		if (lbx_mm_lookup(s->p->mm, pos, &v))
			return -ENOMEM;
		lo = pos;
		hi = lbx_min(v.end, addr + len);
		if (!(v.flags & (LBX_VMA_FILE | LBX_VMA_SHARED))) {
			u64 at = lo;

			/* Fresh zero pages in place: the old ones go to the host. */
			ret = lbx_plat_guest_map(&at, hi - lo, v.prot, LBX_MAP_FIXED);
			if (ret)
				return ret;
		}
		pos = hi;
	}
	return 0;
}

#define LX_MS_ASYNC		1
#define LX_MS_INVALIDATE	2
#define LX_MS_SYNC		4

/*
 * msync: a shared mapping is the file's own pages (there is no other copy
 * to write back or to reread), so a valid call has nothing to do. Linux's
 * checks: EINVAL for unknown flags, MS_ASYNC with MS_SYNC, an unaligned
 * address; ENOMEM when a part of the range is not mapped.
 */
LBX_SYSCALL(msync)
{
	u64 start = a0, len, end, pos;
	struct lbx_vma v;

	if (a2 & ~(u64)(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
		return -EINVAL;
	if (!LBX_IS_ALIGNED(start, PG))
		return -EINVAL;
	if ((a2 & LX_MS_ASYNC) && (a2 & LX_MS_SYNC))
		return -EINVAL;
	if (lbx_add_overflow(a1, PG - 1, &len))
		return -ENOMEM;
	len = LBX_ALIGN_DOWN(len, PG);
	if (lbx_add_overflow(start, len, &end))
		return -ENOMEM;
	for (pos = start; pos < end; pos = v.end)
		if (lbx_mm_lookup(s->p->mm, pos, &v))
			return -ENOMEM;
	return 0;
}

void lbx_linux_futex_key(struct lbx_process *p, u64 uaddr, bool private,
			 struct lbx_futex_key *k)
{
	struct lbx_vma v;

	k->owner = p->mm;
	k->addr = uaddr;
	if (private || lbx_mm_lookup(p->mm, uaddr, &v) || !v.obj)
		return;
	/* Shared memory: (the object, the offset in it), wherever it is
	 * mapped. An odd owner: never the address of a process's map. */
	k->owner = (void *)(uintptr_t)((v.obj << 1) | 1);
	k->addr = v.offset + (uaddr - v.start);
}
