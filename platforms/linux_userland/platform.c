// SPDX-License-Identifier: GPL-2.0
/*
 * The platform contract over ordinary Linux system calls: lbx-run and the
 * userland unit tests. LiteBox and the guest share one address space here,
 * so guest copies go through the kernel (process_vm_readv/writev and
 * /proc/self/mem) to stay fault-safe without a SIGSEGV handler.
 */
#define _GNU_SOURCE
#define LBX_LOCKTRACE_IMPL	/* implements the lock calls */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <litebox/core.h>
#include "userland.h"

int lbx_userland_log_level = LBX_LOG_WARN;

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
	return calloc(1, size ? size : 1);
}

void lbx_plat_free_large(const void *p)
{
	free((void *)p);
}

void *lbx_plat_page_alloc(void)
{
	void *p = aligned_alloc(LBX_PAGE_SIZE, LBX_PAGE_SIZE);

	if (p)
		memset(p, 0, LBX_PAGE_SIZE);
	return p;
}

void lbx_plat_page_free(void *page)
{
	free(page);
}

/* ---- guest memory ----
 *
 * Two ways to be fault-safe. Where a SIGSEGV/SIGBUS handler of ours runs
 * (lbx-run: the stub's), copies are plain string instructions whose fault
 * the handler turns into an early return (as the kernel's exception table
 * does for copy_from_user): lbx_userland_fault_fixup(). Elsewhere (the unit
 * tests) they go through the kernel: process_vm_readv/writev.
 */
bool lbx_userland_fast_copy;

/* size_t uland_copy(void *dst, const void *src, size_t n): the bytes not
 * copied (0: all). long uland_strncpy(char *dst, const char *src, size_t n):
 * the string's length, n when there is no NUL in n bytes, -1 on a fault.
 * size_t uland_clear(void *dst, size_t n): the bytes not cleared. */
__asm__(".text\n"
	"uland_copy:\n"
	"	mov %rdx, %rcx\n"
	"uland_copy_insn:\n"
	"	rep movsb\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"uland_copy_fixup:\n"
	"	mov %rcx, %rax\n"
	"	ret\n"
	"uland_strncpy:\n"
	"	xor %eax, %eax\n"
	"1:	cmp %rdx, %rax\n"
	"	jae 2f\n"
	"uland_strncpy_insn:\n"
	"	movb (%rsi,%rax), %cl\n"
	"	movb %cl, (%rdi,%rax)\n"
	"	test %cl, %cl\n"
	"	jz 2f\n"
	"	inc %rax\n"
	"	jmp 1b\n"
	"2:	ret\n"
	"uland_strncpy_fixup:\n"
	"	mov $-1, %rax\n"
	"	ret\n"
	"uland_clear:\n"
	"	mov %rsi, %rcx\n"
	"	xor %eax, %eax\n"
	"uland_clear_insn:\n"
	"	rep stosb\n"
	"	ret\n"
	"uland_clear_fixup:\n"
	"	mov %rcx, %rax\n"
	"	ret\n"
	"uland_cmpxchg:\n"
	"	mov %esi, %eax\n"
	"uland_cmpxchg_insn:\n"
	"	lock cmpxchg %edx, (%rdi)\n"
	"	mov %eax, (%rcx)\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"uland_cmpxchg_fixup:\n"
	"	mov $-1, %eax\n"
	"	ret\n");
size_t uland_copy(void *dst, const void *src, size_t n);
long uland_strncpy(char *dst, const char *src, size_t n);
size_t uland_clear(void *dst, size_t n);
/* int uland_cmpxchg(u32 *addr, u32 old, u32 new, u32 *cur): 0, -1 on a fault. */
int uland_cmpxchg(u32 *addr, u32 old, u32 new, u32 *cur);
extern const char uland_copy_insn[], uland_copy_fixup[];
extern const char uland_strncpy_insn[], uland_strncpy_fixup[];
extern const char uland_clear_insn[], uland_clear_fixup[];
extern const char uland_cmpxchg_insn[], uland_cmpxchg_fixup[];

bool lbx_userland_fault_fixup(uint64_t *rip)
{
	static const struct { const char *insn, *fixup; } table[] = {
		{ uland_copy_insn, uland_copy_fixup },
		{ uland_strncpy_insn, uland_strncpy_fixup },
		{ uland_clear_insn, uland_clear_fixup },
		{ uland_cmpxchg_insn, uland_cmpxchg_fixup },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (*rip == (uintptr_t)table[i].insn) {
			*rip = (uintptr_t)table[i].fixup;
			return true;
		}
	}
	return false;
}

static pid_t self_pid;

static int self_vm_copy(void *local, u64 remote, size_t n, bool write)
{
	struct iovec l = { .iov_base = local, .iov_len = n };
	struct iovec r = { .iov_base = (void *)(uintptr_t)remote, .iov_len = n };
	ssize_t done;

	if (!n)
		return 0;
	if (remote + n < remote)
		return -EFAULT;
	if (lbx_userland_fast_copy) {
		if (write)
			return uland_copy((void *)(uintptr_t)remote, local, n) ? -EFAULT : 0;
		return uland_copy(local, (const void *)(uintptr_t)remote, n) ? -EFAULT : 0;
	}
	if (!self_pid)
		self_pid = getpid();
	done = write ? process_vm_writev(self_pid, &l, 1, &r, 1, 0) :
		       process_vm_readv(self_pid, &l, 1, &r, 1, 0);
	return done == (ssize_t)n ? 0 : -EFAULT;
}

int lbx_copy_from_guest(void *dst, u64 src, size_t n)
{
	return self_vm_copy(dst, src, n, false);
}

int lbx_copy_to_guest(u64 dst, const void *src, size_t n)
{
	return self_vm_copy((void *)src, dst, n, true);
}

long lbx_strncpy_from_guest(char *dst, u64 src, size_t n)
{
	size_t done = 0;

	if (lbx_userland_fast_copy) {
		long r;

		if (src + n < src)
			n = -src;
		r = uland_strncpy(dst, (const char *)(uintptr_t)src, n);
		if (r < 0)
			return -EFAULT;
		return (size_t)r < n ? r : -ENAMETOOLONG;
	}
	/* Copy up to the end of each page so a string ending just before an
	 * unmapped page is still read. */
	while (done < n) {
		size_t chunk = LBX_PAGE_SIZE - ((src + done) & (LBX_PAGE_SIZE - 1));
		char *nul;

		chunk = lbx_min(chunk, n - done);
		if (self_vm_copy(dst + done, src + done, chunk, false))
			return -EFAULT;
		nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

int lbx_clear_guest(u64 dst, size_t n)
{
	static const char zeros[4096];

	if (lbx_userland_fast_copy)
		return dst + n < dst || uland_clear((void *)(uintptr_t)dst, n) ? -EFAULT : 0;
	while (n) {
		size_t chunk = lbx_min(n, sizeof(zeros));

		if (lbx_copy_to_guest(dst, zeros, chunk))
			return -EFAULT;
		dst += chunk;
		n -= chunk;
	}
	return 0;
}

int lbx_guest_cmpxchg_u32(u64 addr, u32 old, u32 new, u32 *cur)
{
	int ret;

	if (addr & (sizeof(u32) - 1))
		return -EINVAL;
	if (lbx_userland_fast_copy)
		return uland_cmpxchg((u32 *)(uintptr_t)addr, old, new, cur) ? -EFAULT : 0;
	/* Through the kernel (the unit tests, which run no guest threads):
	 * not atomic against another thread. lbx-run always has the fast
	 * path. */
	ret = self_vm_copy(cur, addr, sizeof(*cur), false);
	if (!ret && *cur == old)
		ret = self_vm_copy(&new, addr, sizeof(new), true);
	return ret;
}

int lbx_poke_guest(u64 dst, const void *src, size_t n)
{
	static int memfd = -1;
	ssize_t done;

	int fd = __atomic_load_n(&memfd, __ATOMIC_ACQUIRE);

	if (fd < 0) {
		int none = -1;

		fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* Another guest thread may have opened it meanwhile. */
		if (!__atomic_compare_exchange_n(&memfd, &none, fd, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			close(fd);
			fd = none;
		}
	}
	done = pwrite(fd, src, n, (off_t)dst);
	return done == (ssize_t)n ? 0 : -EFAULT;
}

/* One pwrite() each: /proc/self/mem takes no vector of scattered pieces. */
int lbx_poke_guest_many(const struct lbx_poke *v, u32 n)
{
	u32 i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lbx_poke_guest(v[i].dst, v[i].src, v[i].len);
		if (ret)
			return ret;
	}
	return 0;
}

static int host_prot(int prot)
{
	return (prot & LBX_PROT_READ ? PROT_READ : 0) |
	       (prot & LBX_PROT_WRITE ? PROT_WRITE : 0) |
	       (prot & LBX_PROT_EXEC ? PROT_EXEC : 0);
}

static int host_placement(int flags)
{
	if (flags & LBX_MAP_FIXED)
		return MAP_FIXED;
	if (flags & LBX_MAP_FIXED_NOREPLACE)
		return MAP_FIXED_NOREPLACE;
	return 0;
}

static int map_fd(int fd, u64 *addr, u64 len, int prot, int hflags, u64 off)
{
	void *p = mmap((void *)(uintptr_t)*addr, len, host_prot(prot), hflags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	*addr = (uintptr_t)p;
	return 0;
}

int lbx_plat_guest_map(u64 *addr, u64 len, int prot, int flags)
{
	int hflags = MAP_ANONYMOUS | host_placement(flags);

	hflags |= flags & LBX_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
	return map_fd(-1, addr, len, prot, hflags, 0);
}

/*
 * mremap() with an old size of 0 duplicates a shared mapping (its pages
 * from src's page on); the part from delta on is then moved into place.
 */
int lbx_plat_guest_map_alias(u64 addr, u64 len, int prot, u64 src, u64 delta)
{
	void *page = (void *)(uintptr_t)(src & ~(u64)(LBX_PAGE_SIZE - 1));
	u64 total;
	char *dup;
	int ret;

	if (lbx_add_overflow(delta, len, &total) || delta % LBX_PAGE_SIZE)
		return -EINVAL;
	dup = mremap(page, 0, total, MREMAP_MAYMOVE);
	if (dup == MAP_FAILED)
		return -errno;
	if (delta)
		munmap(dup, delta);
	if (mremap(dup + delta, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)(uintptr_t)addr) == MAP_FAILED) {
		ret = -errno;
		munmap(dup + delta, len);
		return ret;
	}
	return lbx_plat_guest_protect(addr, len, prot);
}

/* ---- shared memory objects: memfds, with a window into lbx-run's own
 * address space for the core's page accesses ---- */

struct lbx_plat_shm {
	int fd;
	u64 size;
	u8 *win;		/* the object's first win_len bytes */
	u64 win_len;
};

int lbx_plat_shm_create(const char *name, u64 size, struct lbx_plat_shm **out)
{
	struct lbx_plat_shm *shm = calloc(1, sizeof(*shm));
	int ret;

	if (!shm)
		return -ENOMEM;
	shm->fd = memfd_create(name, MFD_CLOEXEC);
	if (shm->fd < 0) {
		ret = -errno;
		free(shm);
		return ret;
	}
	ret = lbx_plat_shm_resize(shm, size);
	if (ret) {
		lbx_plat_shm_destroy(shm);
		return ret;
	}
	*out = shm;
	return 0;
}

void lbx_plat_shm_destroy(struct lbx_plat_shm *shm)
{
	if (!shm)
		return;
	if (shm->win)
		munmap(shm->win, shm->win_len);
	close(shm->fd);
	free(shm);
}

int lbx_plat_shm_resize(struct lbx_plat_shm *shm, u64 size)
{
	if (size > (u64)INT64_MAX)
		return -EFBIG;
	if (ftruncate(shm->fd, (off_t)size))
		return -errno;
	shm->size = size;
	return 0;
}

int lbx_plat_shm_page_get(struct lbx_plat_shm *shm, u64 idx, struct lbx_shm_page *pg)
{
	u64 need = (idx + 1) * LBX_PAGE_SIZE;

	if (idx >= (shm->size + LBX_PAGE_SIZE - 1) / LBX_PAGE_SIZE)
		return -EINVAL;
	if (need > shm->win_len) {
		/* A new window over the whole object (pages the old one
		 * covered stay valid in the new one: it is the same memfd). */
		u64 len = (shm->size + LBX_PAGE_SIZE - 1) & ~(u64)(LBX_PAGE_SIZE - 1);
		void *w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd, 0);

		if (w == MAP_FAILED)
			return -errno;
		if (shm->win)
			munmap(shm->win, shm->win_len);
		shm->win = w;
		shm->win_len = len;
	}
	pg->addr = shm->win + idx * LBX_PAGE_SIZE;
	pg->priv = NULL;
	return 0;
}

void lbx_plat_shm_page_put(struct lbx_shm_page *pg, bool dirty)
{
}

int lbx_plat_shm_map(struct lbx_plat_shm *shm, u64 *addr, u64 len, int prot,
		     int flags, u64 off)
{
	int share = flags & LBX_MAP_COPY ? MAP_PRIVATE : MAP_SHARED;

	return map_fd(shm->fd, addr, len, prot, share | host_placement(flags), off);
}

/* lbx-run's images are buffers of its own: the loader copies. */
int lbx_plat_image_map(struct lbx_sandbox *sb, const void *data, u64 *addr,
		       u64 len, int prot, int flags)
{
	return -EOPNOTSUPP;
}

/* The images are the launcher's memory: nothing to vouch for. */
int lbx_plat_image_ident(struct lbx_sandbox *sb, const void *data, u64 len,
			 struct lbx_plat_ident *id)
{
	return -EOPNOTSUPP;
}

int lbx_plat_guest_unmap(u64 addr, u64 len)
{
	return munmap((void *)(uintptr_t)addr, len) ? -errno : 0;
}

int lbx_plat_guest_protect(u64 addr, u64 len, int prot)
{
	return mprotect((void *)(uintptr_t)addr, len, host_prot(prot)) ? -errno : 0;
}

/* ---- sync ---- */

static long futex(u32 *word, int op, u32 val, const struct timespec *ts,
		  u32 bitset)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, bitset);
}

void lbx_plat_mutex_init(struct lbx_plat_mutex *m)
{
	m->word = 0;
}

void lbx_plat_mutex_lock(struct lbx_plat_mutex *m)
{
	_Atomic u32 *w = (_Atomic u32 *)&m->word;
	u32 c = 0;

	if (atomic_compare_exchange_strong(w, &c, 1))
		return;
	if (c != 2)
		c = atomic_exchange(w, 2);
	while (c != 0) {
		futex(&m->word, FUTEX_WAIT_PRIVATE, 2, NULL, 0);
		c = atomic_exchange(w, 2);
	}
}

void lbx_plat_mutex_lock_nested(struct lbx_plat_mutex *m, u32 subclass)
{
	lbx_plat_mutex_lock(m);
}

void lbx_plat_mutex_unlock(struct lbx_plat_mutex *m)
{
	_Atomic u32 *w = (_Atomic u32 *)&m->word;

	if (atomic_fetch_sub(w, 1) != 1) {
		atomic_store(w, 0);
		futex(&m->word, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
	}
}

bool lbx_plat_mutex_trylock(struct lbx_plat_mutex *m)
{
	u32 c = 0;

	return atomic_compare_exchange_strong((_Atomic u32 *)&m->word, &c, 1);
}

bool lbx_plat_spin_trylock(struct lbx_plat_spinlock *l)
{
	return !atomic_exchange_explicit((_Atomic u32 *)&l->word, 1, memory_order_acquire);
}

void lbx_plat_spin_init(struct lbx_plat_spinlock *l)
{
	l->word = 0;
}

void lbx_plat_spin_lock(struct lbx_plat_spinlock *l)
{
	_Atomic u32 *w = (_Atomic u32 *)&l->word;

	while (atomic_exchange_explicit(w, 1, memory_order_acquire))
		while (atomic_load_explicit(w, memory_order_relaxed))
			__builtin_ia32_pause();
}

void lbx_plat_spin_lock_nested(struct lbx_plat_spinlock *l, u32 subclass)
{
	lbx_plat_spin_lock(l);
}

void lbx_plat_spin_unlock(struct lbx_plat_spinlock *l)
{
	atomic_store_explicit((_Atomic u32 *)&l->word, 0, memory_order_release);
}

int lbx_plat_wait(u32 *word, u32 expected, u64 deadline_ns, bool interruptible)
{
	struct timespec ts, *tsp = NULL;
	long r;

	if (deadline_ns != LBX_NO_DEADLINE) {
		ts.tv_sec = deadline_ns / LBX_NSEC_PER_SEC;
		ts.tv_nsec = deadline_ns % LBX_NSEC_PER_SEC;
		tsp = &ts;
	}
	for (;;) {
		/* Absolute CLOCK_MONOTONIC deadline: FUTEX_WAIT_BITSET. */
		r = futex(word, FUTEX_WAIT_BITSET_PRIVATE, expected, tsp,
			  FUTEX_BITSET_MATCH_ANY);
		if (r == 0)
			return 0;
		if (errno == EAGAIN)
			return -EAGAIN;
		if (errno == ETIMEDOUT)
			return -ETIMEDOUT;
		if (errno == EINTR) {
			if (interruptible)
				return -EINTR;
			continue;
		}
		return -errno;
	}
}

void lbx_plat_wake(u32 *word, int n)
{
	futex(word, FUTEX_WAKE_PRIVATE, n < 0 ? 0x7fffffff : (u32)n, NULL, 0);
}

/* ---- time, random, log ---- */

static u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	/* Not through the vDSO: its fallback syscall instruction lies outside
	 * lbx-run's code, where the seccomp filter traps it. */
	syscall(SYS_clock_gettime, id, &ts);
	return (u64)ts.tv_sec * LBX_NSEC_PER_SEC + ts.tv_nsec;
}

u64 lbx_plat_now_mono(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

u64 lbx_plat_now_real(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void lbx_plat_cputime(bool process, u64 *user_ns, u64 *sys_ns)
{
	/* The host splits user and system time only by rusage, in
	 * microseconds; the clock is exact. Report the clock as user time. */
	*user_ns = clock_ns(process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID);
	*sys_ns = 0;
}

void lbx_plat_rusage(bool process, struct lbx_rusage *ru)
{
	struct rusage hr;

	memset(ru, 0, sizeof(*ru));
	lbx_plat_cputime(process, &ru->utime_ns, &ru->stime_ns);
	/* lbx-run's own figures: the guest and LiteBox are one host process. */
	if (getrusage(process ? RUSAGE_SELF : RUSAGE_THREAD, &hr))
		return;
	ru->maxrss_kb = (u64)hr.ru_maxrss;
	ru->minflt = (u64)hr.ru_minflt;
	ru->majflt = (u64)hr.ru_majflt;
	ru->nvcsw = (u64)hr.ru_nvcsw;
	ru->nivcsw = (u64)hr.ru_nivcsw;
}

void lbx_plat_random(void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			abort();	/* no entropy source: nothing safe to do */
		}
		p += got;
		n -= got;
	}
}

void lbx_plat_log_write(int level, const char *msg)
{
	static const char *const names[] = {
		[LBX_LOG_ERR] = "error", [LBX_LOG_WARN] = "warning",
		[LBX_LOG_INFO] = "info", [LBX_LOG_DEBUG] = "debug",
	};

	if (level > lbx_userland_log_level)
		return;
	dprintf(2, "litebox: %s: %s\n",
		level >= 0 && level <= LBX_LOG_DEBUG && names[level] ?
		names[level] : "log", msg);
}

/* ---- stdio ---- */

long lbx_plat_stdio_write(struct lbx_sandbox *sb, int fd, const void *buf, size_t n)
{
	ssize_t r;

	(void)sb;
	do
		r = write(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

long lbx_plat_stdio_read(struct lbx_sandbox *sb, int fd, void *buf, size_t n)
{
	ssize_t r;

	(void)sb;
	r = read(fd, buf, n);
	return r < 0 ? -errno : r;
}

/* Guest memory is this process's memory: the host call validates it. */
long lbx_plat_stdio_write_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n)
{
	return lbx_plat_stdio_write(sb, fd, (const void *)(uintptr_t)buf, n);
}

long lbx_plat_stdio_read_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n)
{
	return lbx_plat_stdio_read(sb, fd, (void *)(uintptr_t)buf, n);
}

bool lbx_plat_stdio_isatty(struct lbx_sandbox *sb, int fd)
{
	(void)sb;
	return isatty(fd);
}

/* A fatal host signal ends this process (guest and LiteBox) on the spot:
 * nothing here is ever told of one to come. */
bool lbx_plat_fatal_signal_pending(void)
{
	return false;
}
