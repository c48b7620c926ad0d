/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The South contract: everything core/ and shims/ may ask of a host.
 *
 * Each platform directory (platforms/<name>/) implements every function
 * declared here and supplies <litebox/plat_types.h>, which defines the
 * fixed-width integer types and the opaque storage of the sync primitives.
 * Selection is at build time; there is no vtable.
 *
 * Unless said otherwise a function returns 0 or a negative Linux errno.
 */
#ifndef LITEBOX_PLATFORM_H
#define LITEBOX_PLATFORM_H

#include <litebox/plat_types.h>

struct lbx_sandbox;
struct lbx_thread;

/* ---- memory (LiteBox's own objects, never guest memory) ---- */

/* Zeroed, at most a few pages; charged to the sandbox creator. */
void *lbx_plat_alloc(size_t size);
void lbx_plat_free(const void *p);
/* Zeroed, any size (may be virtually contiguous only). */
void *lbx_plat_alloc_large(size_t size);
void lbx_plat_free_large(const void *p);
/* One zeroed page of LBX_PAGE_SIZE bytes. */
void *lbx_plat_page_alloc(void);
void lbx_plat_page_free(void *page);

/* ---- guest memory ----
 * Guest addresses are u64. Every access is fault-safe: a bad pointer
 * gives -EFAULT, never a crash. The calls act on the current guest
 * thread's address space.
 */
/* A copy that faults may have written a prefix of its destination and
 * leaves the rest as it was (no zero fill): file data being written from
 * a partly bad buffer keeps its bytes past the good part. */
int lbx_copy_from_guest(void *dst, u64 src, size_t n);
int lbx_copy_to_guest(u64 dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most n-1 bytes plus NUL. Returns
 * its length, -EFAULT, or -ENAMETOOLONG when no NUL is found in n bytes. */
long lbx_strncpy_from_guest(char *dst, u64 src, size_t n);
int lbx_clear_guest(u64 dst, size_t n);
/*
 * Atomically: if the aligned u32 at guest addr equals old, stores new.
 * *cur is the value found (the store happened iff *cur == old). Atomic
 * against the guest's own locked instructions (futex words). -EFAULT for a
 * bad or read-only address, -EINVAL for an unaligned one.
 */
int lbx_guest_cmpxchg_u32(u64 addr, u32 old, u32 new, u32 *cur);
/* Writes into guest memory whatever the mapping's protection (loader). */
int lbx_poke_guest(u64 dst, const void *src, size_t n);
/*
 * n lbx_poke_guest()s at once, in ascending order of dst: the rewriter's
 * jumps, a few bytes each, a hundred to a program. A platform that pays
 * per call (the kernel's: a page lookup, a copy-on-write check) pays per
 * page instead. Stops at the first piece that cannot be written: -EFAULT,
 * the pieces before it written.
 */
struct lbx_poke {
	u64 dst;
	const void *src;
	size_t len;
};
int lbx_poke_guest_many(const struct lbx_poke *v, u32 n);

/* prot: LBX_PROT_*; flags: LBX_MAP_FIXED, LBX_MAP_FIXED_NOREPLACE, and
 * LBX_MAP_SHARED. On success *addr holds the mapped address. Anonymous and
 * zeroed; private, or with LBX_MAP_SHARED shared with the processes the
 * guest process forks later (Linux's MAP_SHARED | MAP_ANONYMOUS). */
#define LBX_PROT_READ	0x1
#define LBX_PROT_WRITE	0x2
#define LBX_PROT_EXEC	0x4
#define LBX_MAP_SHARED		0x01
#define LBX_MAP_FIXED		0x10
#define LBX_MAP_FIXED_NOREPLACE	0x100000
int lbx_plat_guest_map(u64 *addr, u64 len, int prot, int flags);
/*
 * Maps at addr (replacing what is there, as LBX_MAP_FIXED) len bytes of
 * the shared memory that backs the shared mapping at src, starting delta
 * bytes after src's page: the new range and the old one share their pages
 * (mremap of a shared mapping). Pages past the end of the backing object
 * give SIGBUS when touched, as on Linux. -EINVAL when src is not shared.
 */
int lbx_plat_guest_map_alias(u64 addr, u64 len, int prot, u64 src, u64 delta);
int lbx_plat_guest_unmap(u64 addr, u64 len);
/* May complete later: returns LBX_DEFERRED when the platform has queued
 * the change as a host operation that runs before the guest resumes. */
#define LBX_DEFERRED	1
int lbx_plat_guest_protect(u64 addr, u64 len, int prot);

/* ---- shared memory objects ----
 * Zero-filled pages of a given size that every mapping of the object and
 * the core's own page accesses see alike: the data of a regular file once
 * it is mapped MAP_SHARED. In the kernel a shmem file, in userland a memfd.
 * A mapping holds its own reference to the pages: it outlives the object.
 * Calls on one object other than map are serialised by the caller. Page
 * allocations are charged as lbx_plat_page_alloc()'s are.
 */
struct lbx_plat_shm;
struct lbx_shm_page {
	void *addr;		/* the page, LBX_PAGE_SIZE bytes */
	void *priv;		/* the platform's */
};
/* name: what the host shows for the object (its memfd's or shmem file's). */
int lbx_plat_shm_create(const char *name, u64 size, struct lbx_plat_shm **out);
void lbx_plat_shm_destroy(struct lbx_plat_shm *shm);
/* Shrinking drops the pages past size from every mapping (SIGBUS there). */
int lbx_plat_shm_resize(struct lbx_plat_shm *shm, u64 size);
/* Page idx (below the size): lbx_plat_shm_page_put() when done with it;
 * dirty when it was written. */
int lbx_plat_shm_page_get(struct lbx_plat_shm *shm, u64 idx, struct lbx_shm_page *pg);
void lbx_plat_shm_page_put(struct lbx_shm_page *pg, bool dirty);
/* Maps len bytes of the object from page-aligned off at *addr, shared;
 * flags as lbx_plat_guest_map() (LBX_MAP_SHARED implied), or with
 * LBX_MAP_COPY private: the object's pages until the guest writes one,
 * which then gets a copy of its own (a private file mapping). */
#define LBX_MAP_COPY		0x02
int lbx_plat_shm_map(struct lbx_plat_shm *shm, u64 *addr, u64 len, int prot,
		     int flags, u64 off);

/* ---- the lower image ----
 * The read-only tar image given to lbx_vfs_create() may live in a host
 * file (litebox.ko's images taken from a file descriptor), whose pages can
 * then be mapped into the guest instead of copied, as Linux maps a
 * program's file. Maps len bytes of sb's image from data (a page-aligned
 * address inside the image; the len bytes lie inside it) at *addr, private
 * and copy-on-write; prot and flags as lbx_plat_guest_map(). -EOPNOTSUPP
 * when the image is not in a file (the caller copies instead).
 */
int lbx_plat_image_map(struct lbx_sandbox *sb, const void *data, u64 *addr,
		       u64 len, int prot, int flags);
/*
 * Who len bytes of sb's image at data are, when the platform can vouch for
 * it: equal identities (compared whole) always name equal bytes, in any
 * sandbox, at any time. litebox.ko names a host file that cannot have
 * changed since (kmod/image.c). -EOPNOTSUPP when it cannot vouch (an image
 * in memory, a file system whose times it does not trust), -EINVAL when the
 * bytes are not all in the image.
 */
struct lbx_plat_ident {
	u64 v[8];
};
int lbx_plat_image_ident(struct lbx_sandbox *sb, const void *data, u64 len,
			 struct lbx_plat_ident *id);

/* ---- sync ----
 * struct lbx_plat_mutex and struct lbx_plat_spinlock are defined by
 * plat_types.h. The word wait/wake pair is the one blocking primitive
 * core builds everything else on.
 */
/* A platform may define the init calls as macros in plat_types.h (the
 * kernel does, so that lockdep sees one lock class per init site). */
#ifndef lbx_plat_mutex_init
void lbx_plat_mutex_init(struct lbx_plat_mutex *m);
#endif
void lbx_plat_mutex_lock(struct lbx_plat_mutex *m);
/*
 * The _nested calls take a lock while another lock of the same class (the
 * same init site) is held, in an order the caller guarantees: subclass
 * (below LBX_LOCK_SUBCLASSES) tells the levels apart, as the kernel's
 * mutex_lock_nested() and spin_lock_nested() for lockdep. Elsewhere they
 * are plain locks.
 */
#define LBX_LOCK_SUBCLASSES	8	/* lockdep's MAX_LOCKDEP_SUBCLASSES */
void lbx_plat_mutex_lock_nested(struct lbx_plat_mutex *m, u32 subclass);
void lbx_plat_mutex_unlock(struct lbx_plat_mutex *m);
/* True when taken (lock tracing tells contention by a failed try). */
bool lbx_plat_mutex_trylock(struct lbx_plat_mutex *m);
#ifndef lbx_plat_spin_init
void lbx_plat_spin_init(struct lbx_plat_spinlock *l);
#endif
void lbx_plat_spin_lock(struct lbx_plat_spinlock *l);
void lbx_plat_spin_lock_nested(struct lbx_plat_spinlock *l, u32 subclass);
void lbx_plat_spin_unlock(struct lbx_plat_spinlock *l);
bool lbx_plat_spin_trylock(struct lbx_plat_spinlock *l);

#define LBX_NO_DEADLINE	((u64)-1)
/*
 * Sleeps while *word == expected, until the monotonic clock passes
 * deadline_ns, or (when interruptible) until the host thread is asked to
 * stop. A waker changes *word before lbx_plat_wake(). Returns 0 (the word
 * changed; a platform may also return 0 on a wake alone, so callers re-check
 * their condition), -EAGAIN (the word differed on entry), -ETIMEDOUT, or
 * -EINTR.
 */
int lbx_plat_wait(u32 *word, u32 expected, u64 deadline_ns, bool interruptible);
/* Wakes up to n waiters on word (n < 0: all). */
void lbx_plat_wake(u32 *word, int n);

/* ---- threads and processes ---- */
struct lbx_thread *lbx_plat_current(void);
void lbx_plat_set_current(struct lbx_thread *t);
/*
 * Starts a host process for the forked guest process whose main thread is
 * child (its start_regs set): LBX_DEFERRED when the platform queued it as a
 * host operation (the parent's result arrives when it completes), -ENOSYS
 * when the platform cannot run more than one process.
 */
int lbx_plat_fork(struct lbx_thread *parent, struct lbx_thread *child);
/* Starts a host thread for the new guest thread child (its start_regs set):
 * 0 when it runs (the platform then owns the caller's reference to child,
 * and child may run and exit before this returns), LBX_DEFERRED when queued
 * as a host operation, -ENOSYS when the platform cannot run guest threads. */
int lbx_plat_thread_start(struct lbx_thread *parent, struct lbx_thread *child);
/* Pulls guest thread t out of guest code into LiteBox soon (a signal is
 * pending for it); a no-op when t is already in LiteBox or has exited. */
void lbx_plat_thread_kick(struct lbx_thread *t);
/* Whether the calling host thread is being killed (a fatal host signal):
 * its sibling host threads are then dying too. */
bool lbx_plat_fatal_signal_pending(void);
/*
 * membarrier(2): returns once every CPU that runs guest threads has
 * executed a full memory barrier since the call began (each has passed a
 * quiescent state, as Linux's own MEMBARRIER_CMD_GLOBAL; expedited: sooner,
 * at a cost to other CPUs). No core serialization is promised. 0, or
 * -ENOSYS when the platform cannot.
 */
int lbx_plat_membarrier(bool expedited);

/* ---- time, random, log ---- */
u64 lbx_plat_now_mono(void);	/* ns since an arbitrary epoch */
u64 lbx_plat_now_real(void);	/* ns since 1970 */
/* CPU time (user and system, ns) of the calling guest thread, or of its
 * whole process when process is true. */
void lbx_plat_cputime(bool process, u64 *user_ns, u64 *sys_ns);
/* getrusage(2)'s figures that a platform knows (0 where it knows none). */
struct lbx_rusage {
	u64 utime_ns;
	u64 stime_ns;
	u64 maxrss_kb;		/* the largest resident set, KiB */
	u64 minflt;		/* page faults without I/O */
	u64 majflt;		/* page faults with I/O */
	u64 nvcsw;		/* voluntary context switches */
	u64 nivcsw;		/* involuntary context switches */
};
/* The calling guest thread's usage, or its whole process's when process
 * is true; the times are lbx_plat_cputime()'s. */
void lbx_plat_rusage(bool process, struct lbx_rusage *ru);
/*
 * CPU-time timers (litebox/ptimer.h): while on, the platform kicks the
 * calling guest thread t (as lbx_plat_thread_kick()) about every
 * LBX_CPU_TICK_NS while it runs guest code, so that a thread that computes
 * without system calls still enters LiteBox, where the timers are looked
 * at; off stops it. Called by t itself, outside core's locks; a thread's
 * tick stops at the latest when the platform frees the thread. A platform
 * without a way to do this does nothing (the timers are then looked at on
 * system calls only).
 */
#define LBX_CPU_TICK_NS	(10ULL * 1000 * 1000)
void lbx_plat_cpu_tick(struct lbx_thread *t, bool on);
void lbx_plat_random(void *buf, size_t n);

#define LBX_LOG_ERR	3
#define LBX_LOG_WARN	4
#define LBX_LOG_INFO	6
#define LBX_LOG_DEBUG	7
void lbx_plat_log_write(int level, const char *msg);

/* ---- stdio: the sandbox's console (fd 0, 1, 2 of the launcher) ---- */
long lbx_plat_stdio_write(struct lbx_sandbox *sb, int fd, const void *buf, size_t n);
long lbx_plat_stdio_read(struct lbx_sandbox *sb, int fd, void *buf, size_t n);
/* The same, straight from or into guest memory (no bounce buffer); a bad
 * guest pointer gives -EFAULT. */
long lbx_plat_stdio_write_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n);
long lbx_plat_stdio_read_guest(struct lbx_sandbox *sb, int fd, u64 buf, size_t n);
bool lbx_plat_stdio_isatty(struct lbx_sandbox *sb, int fd);

/* ---- network ----
 * lwIP's timers (core/net/inet.c: retransmission, delayed ACKs, TIME_WAIT,
 * keepalive) must run while TCP connections exist. The platform that has a
 * timer thread calls lbx_inet_poll() (litebox/inet.h) in process context at
 * about monotonic deadline_ns (a later arm replaces the earlier deadline)
 * and returns true; one that has none returns false, and core runs the
 * timers on the way through socket calls and from bounded waits. Never
 * sleeps; may be called with core's sleeping locks held.
 */
bool lbx_plat_net_timer_arm(u64 deadline_ns);

/* ---- diagnostics ----
 * Events for the host's tracing: tracepoints in the kernel (litebox:*),
 * no-ops where the platform has no tracer. They never sleep, may be called
 * with locks held, and cost a call and a not-taken branch when tracing is
 * off (they sit on rare paths: signals, faults, limits).
 */
enum lbx_limit_kind {
	LBX_LIMIT_FS_MEM = 1,	/* file-system (and pipe) memory, bytes */
	LBX_LIMIT_PROCS = 2,
	LBX_LIMIT_THREADS = 3,
	LBX_LIMIT_FDS = 4,	/* per process */
};
/* Guest signal signo acted on for t: handler is the guest's handler
 * address, 0 for the default action. */
void lbx_plat_trace_signal(struct lbx_thread *t, u32 signo, u64 handler);
/* A host fault of guest code became guest signal signo at addr. */
void lbx_plat_trace_fault(struct lbx_thread *t, u32 signo, u64 addr);
/* A request was refused by limit `which` (value: the limit) on behalf of
 * the current guest thread, if any. */
void lbx_plat_trace_limit(u32 which, u64 limit);

/* Lock tracing (a build option): the platform's sink and, in
 * LBX_LOCKTRACE builds, the renaming of the lock calls above. */
#include <litebox/locktrace.h>

#endif /* LITEBOX_PLATFORM_H */
