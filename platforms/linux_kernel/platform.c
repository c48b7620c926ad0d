// SPDX-License-Identifier: GPL-2.0
/*
 * The platform contract inside litebox.ko. Every call runs in the context of
 * the guest thread that entered through an ioctl, so "the guest's address
 * space" is simply current->mm, and guest copies are the ordinary uaccess
 * helpers (fault-safe by construction).
 */
#define LBX_LOCKTRACE_IMPL	/* implements the lock calls */
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/cputime.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>
#include <asm/futex.h>

#include <litebox/core.h>
#include <litebox/task.h>
#include "kplat.h"
#include "image.h"

/* ---- memory: every allocation is charged to the caller's memory cgroup ---- */

void *lbx_plat_alloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void lbx_plat_free(const void *p)
{
	kfree(p);
}

void *lbx_plat_alloc_large(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

void lbx_plat_free_large(const void *p)
{
	kvfree(p);
}

void *lbx_plat_page_alloc(void)
{
	return (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
}

void lbx_plat_page_free(void *page)
{
	free_page((unsigned long)page);
}

/* ---- guest memory ---- */

static void __user *uptr(u64 addr)
{
	return u64_to_user_ptr(addr);
}

int lbx_copy_from_guest(void *dst, u64 src, size_t n)
{
	/* Not copy_from_user(): it zeroes what it could not copy, and the
	 * contract is to leave that alone (a partial write into file data). */
	if (!access_ok(uptr(src), n))
		return -EFAULT;
	return __copy_from_user(dst, uptr(src), n) ? -EFAULT : 0;
}

int lbx_copy_to_guest(u64 dst, const void *src, size_t n)
{
	return copy_to_user(uptr(dst), src, n) ? -EFAULT : 0;
}

long lbx_strncpy_from_guest(char *dst, u64 src, size_t n)
{
	long len;

	if (!n)
		return -ENAMETOOLONG;
	len = strncpy_from_user(dst, uptr(src), n);
	if (len < 0)
		return -EFAULT;
	if (len == n) {
		dst[n - 1] = '\0';
		return -ENAMETOOLONG;
	}
	return len;
}

int lbx_clear_guest(u64 dst, size_t n)
{
	return clear_user(uptr(dst), n) ? -EFAULT : 0;
}

int lbx_guest_cmpxchg_u32(u64 addr, u32 old, u32 new, u32 *cur)
{
	if (addr & (sizeof(u32) - 1))
		return -EINVAL;
	/* With page faults enabled: a missing page is faulted in, a bad or
	 * read-only address is -EFAULT through the exception table. */
	return futex_atomic_cmpxchg_inatomic(cur, uptr(addr), old, new) ? -EFAULT : 0;
}

int lbx_poke_guest(u64 dst, const void *src, size_t n)
{
	/* As ptrace does: write through a COW of the page whatever its
	 * protection, so that text can be loaded without a writable window. */
	while (n) {
		int chunk = min_t(size_t, n, SZ_1M);
		int done = access_process_vm(current, dst, (void *)src, chunk,
					     FOLL_FORCE | FOLL_WRITE);

		if (done != chunk)
			return -EFAULT;
		dst += chunk;
		src += chunk;
		n -= chunk;
	}
	return 0;
}

/* The page being written by lbx_poke_guest_many(), mapped. */
struct poke_page {
	struct page *page;
	unsigned long addr;
	u8 *kaddr;
};

static void poke_page_put(struct poke_page *pp)
{
	if (!pp->page)
		return;
	kunmap_local(pp->kaddr);
	set_page_dirty_lock(pp->page);
	put_page(pp->page);
	pp->page = NULL;
}

/*
 * What access_process_vm() does for each piece, done once per page: the
 * write goes through a copy-on-write of the page whatever its protection,
 * as ptrace's; the mm lock is taken once for all of them.
 */
int lbx_poke_guest_many(const struct lbx_poke *v, u32 n)
{
	struct mm_struct *mm = current->mm;
	struct poke_page pp = { 0 };
	int ret = 0;
	u32 i;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (i = 0; i < n && !ret; i++) {
		const u8 *src = v[i].src;
		unsigned long dst = v[i].dst;
		size_t len = v[i].len;

		while (len) {
			unsigned long off = offset_in_page(dst);
			size_t chunk = min_t(size_t, len, PAGE_SIZE - off);

			if (!pp.page || pp.addr != (dst & PAGE_MASK)) {
				poke_page_put(&pp);
				if (get_user_pages_remote(mm, dst & PAGE_MASK, 1,
							  FOLL_FORCE | FOLL_WRITE, &pp.page,
							  NULL, NULL) != 1) {
					pp.page = NULL;
					ret = -EFAULT;
					break;
				}
				pp.addr = dst & PAGE_MASK;
				pp.kaddr = kmap_local_page(pp.page);
			}
			memcpy(pp.kaddr + off, src, chunk);
			dst += chunk;
			src += chunk;
			len -= chunk;
		}
	}
	poke_page_put(&pp);
	mmap_read_unlock(mm);
	return ret;
}

static unsigned long host_prot(int prot)
{
	return (prot & LBX_PROT_READ ? PROT_READ : 0) |
	       (prot & LBX_PROT_WRITE ? PROT_WRITE : 0) |
	       (prot & LBX_PROT_EXEC ? PROT_EXEC : 0);
}

static unsigned long host_placement(int flags)
{
	if (flags & LBX_MAP_FIXED)
		return MAP_FIXED;
	if (flags & LBX_MAP_FIXED_NOREPLACE)
		return MAP_FIXED_NOREPLACE;
	return 0;
}

static int map_file(struct file *file, u64 *addr, u64 len, int prot,
		    unsigned long hflags, u64 off)
{
	unsigned long r = vm_mmap(file, *addr, len, host_prot(prot), hflags, off);

	if (IS_ERR_VALUE(r))
		return (int)r;
	*addr = r;
	return 0;
}

/*
 * A shared anonymous mapping is a host one: the host gives it its shmem
 * object, and the host fork of a guest fork keeps it shared.
 */
int lbx_plat_guest_map(u64 *addr, u64 len, int prot, int flags)
{
	unsigned long hflags = MAP_ANONYMOUS | host_placement(flags);

	hflags |= flags & LBX_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
	return map_file(NULL, addr, len, prot, hflags, 0);
}

int lbx_plat_guest_map_alias(u64 addr, u64 len, int prot, u64 src, u64 delta)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct file *file = NULL;
	u64 off = 0;
	int ret;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, src);
	if (vma && (vma->vm_flags & VM_SHARED) && vma->vm_file) {
		file = get_file(vma->vm_file);
		off = ((u64)vma->vm_pgoff << PAGE_SHIFT) + (src - vma->vm_start);
	}
	mmap_read_unlock(mm);
	if (!file)
		return -EINVAL;
	off = (off & PAGE_MASK) + delta;
	ret = map_file(file, &addr, len, prot, MAP_SHARED | MAP_FIXED, off);
	fput(file);
	return ret;
}

int lbx_plat_image_map(struct lbx_sandbox *sb, const void *data, u64 *addr,
		       u64 len, int prot, int flags)
{
	struct lbx_kplat_sandbox *ks = sb->plat;
	const u8 *base = ks->lower_image, *p = data;
	u64 off;

	if (!ks->image)
		return -EOPNOTSUPP;
	/* The image's bytes are the file's from offset 0 (kmod/image.c). */
	if (p < base || p - base > ks->lower_len ||
	    len > ks->lower_len - (p - base) || !PAGE_ALIGNED(p - base))
		return -EINVAL;
	off = p - base;
	return map_file(ks->image->file, addr, len, prot,
			MAP_PRIVATE | host_placement(flags), off);
}

int lbx_plat_image_ident(struct lbx_sandbox *sb, const void *data, u64 len,
			 struct lbx_plat_ident *id)
{
	struct lbx_kplat_sandbox *ks = sb->plat;
	const u8 *base = ks->lower_image, *p = data;

	if (!ks->image || !ks->image->ident_ok)
		return -EOPNOTSUPP;
	if (p < base || p - base > ks->lower_len || len > ks->lower_len - (p - base))
		return -EINVAL;
	BUILD_BUG_ON(sizeof(ks->image->ident) + 2 * sizeof(u64) != sizeof(id->v));
	memcpy(id->v, ks->image->ident, sizeof(ks->image->ident));
	id->v[6] = p - base;
	id->v[7] = len;
	return 0;
}

int lbx_plat_guest_unmap(u64 addr, u64 len)
{
	return vm_munmap(addr, len);
}

int lbx_plat_guest_protect(u64 addr, u64 len, int prot)
{
	/* No exported mprotect: the stub performs it as a host operation. */
	return lbx_kplat_queue_hostop(LBX_HOP_MPROTECT, addr, len,
				      host_prot(prot));
}

/* ---- shared memory objects: shmem files ---- */

struct lbx_plat_shm {
	struct file *file;
};

int lbx_plat_shm_create(const char *name, u64 size, struct lbx_plat_shm **out)
{
	struct lbx_plat_shm *shm;
	struct file *file;

	if (size > MAX_LFS_FILESIZE)
		return -EFBIG;
	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return -ENOMEM;
	/* No up-front commit charge (as tmpfs); its pages are charged to
	 * the memory cgroup of the guest thread that allocates them.
	 * (shmem_kernel_file_setup() is not exported to modules.) */
	file = shmem_file_setup(name, size, VM_NORESERVE);
	if (IS_ERR(file)) {
		kfree(shm);
		return PTR_ERR(file);
	}
	shm->file = file;
	*out = shm;
	return 0;
}

void lbx_plat_shm_destroy(struct lbx_plat_shm *shm)
{
	if (!shm)
		return;
	fput(shm->file);
	kfree(shm);
}

int lbx_plat_shm_resize(struct lbx_plat_shm *shm, u64 size)
{
	if (size > MAX_LFS_FILESIZE)
		return -EFBIG;
	/* shmem_setattr(): a shrink unmaps the pages past size everywhere. */
	return vfs_truncate(&shm->file->f_path, size);
}

int lbx_plat_shm_page_get(struct lbx_plat_shm *shm, u64 idx, struct lbx_shm_page *pg)
{
	struct page *page;

	if (idx > (u64)(MAX_LFS_FILESIZE >> PAGE_SHIFT))
		return -EFBIG;
	page = shmem_read_mapping_page_gfp(shm->file->f_mapping, idx,
					   mapping_gfp_mask(shm->file->f_mapping));
	if (IS_ERR(page))
		return PTR_ERR(page);
	pg->priv = page;
	pg->addr = kmap_local_page(page);
	return 0;
}

void lbx_plat_shm_page_put(struct lbx_shm_page *pg, bool dirty)
{
	struct page *page = pg->priv;

	kunmap_local(pg->addr);
	if (dirty)
		set_page_dirty(page);
	mark_page_accessed(page);
	put_page(page);
}

int lbx_plat_shm_map(struct lbx_plat_shm *shm, u64 *addr, u64 len, int prot,
		     int flags, u64 off)
{
	unsigned long share = flags & LBX_MAP_COPY ? MAP_PRIVATE : MAP_SHARED;

	return map_file(shm->file, addr, len, prot, share | host_placement(flags), off);
}

/* ---- sync ---- */

void lbx_plat_mutex_lock(struct lbx_plat_mutex *m)
{
	mutex_lock(&m->m);
}

void lbx_plat_mutex_lock_nested(struct lbx_plat_mutex *m, u32 subclass)
{
	BUILD_BUG_ON(LBX_LOCK_SUBCLASSES != MAX_LOCKDEP_SUBCLASSES);
	mutex_lock_nested(&m->m, subclass);
}

void lbx_plat_mutex_unlock(struct lbx_plat_mutex *m)
{
	mutex_unlock(&m->m);
}

bool lbx_plat_mutex_trylock(struct lbx_plat_mutex *m)
{
	return mutex_trylock(&m->m);
}

bool lbx_plat_spin_trylock(struct lbx_plat_spinlock *l)
{
	return spin_trylock(&l->l);
}

void lbx_plat_spin_lock(struct lbx_plat_spinlock *l)
{
	spin_lock(&l->l);
}

void lbx_plat_spin_lock_nested(struct lbx_plat_spinlock *l, u32 subclass)
{
	spin_lock_nested(&l->l, subclass);
}

void lbx_plat_spin_unlock(struct lbx_plat_spinlock *l)
{
	spin_unlock(&l->l);
}

int lbx_plat_wait(u32 *word, u32 expected, u64 deadline_ns, bool interruptible)
{
	int state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	ktime_t expires = ns_to_ktime(deadline_ns);
	bool timed_out = false;
	long r;

	if (READ_ONCE(*word) != expected)
		return -EAGAIN;
	if (deadline_ns != LBX_NO_DEADLINE && ktime_get_ns() >= deadline_ns)
		return -ETIMEDOUT;
	r = ___wait_var_event(word, READ_ONCE(*word) != expected || timed_out,
			      state, 0, 0,
			      if (deadline_ns == LBX_NO_DEADLINE)
				      schedule();
			      else if (!schedule_hrtimeout(&expires, HRTIMER_MODE_ABS))
				      timed_out = true);
	if (r)
		return -EINTR;
	if (READ_ONCE(*word) != expected)
		return 0;
	return -ETIMEDOUT;
}

void lbx_plat_wake(u32 *word, int n)
{
	/* Pairs with prepare_to_wait_event(): the waker changed *word first. */
	smp_mb();
	wake_up_var(word);
}

/* ---- threads: the guest thread a host task runs, keyed by global pid ---- */

static DEFINE_XARRAY(lbx_current_map);

struct lbx_thread *lbx_plat_current(void)
{
	struct lbx_thread *t = xa_load(&lbx_current_map, task_pid_nr(current));
	struct lbx_kplat_thread *kt;

	if (!t)
		return NULL;
	/* A stale entry of an exited task whose pid was reused is not ours. */
	kt = t->plat;
	return kt && kt->task == current ? t : NULL;
}

void lbx_plat_set_current(struct lbx_thread *t)
{
	if (t)
		lbx_kplat_bind(t);
	else
		xa_erase(&lbx_current_map, task_pid_nr(current));
}

int lbx_kplat_bind(struct lbx_thread *t)
{
	return xa_err(xa_store(&lbx_current_map, task_pid_nr(current), t,
			       GFP_KERNEL_ACCOUNT));
}

void lbx_kplat_unbind(pid_t pid, struct lbx_thread *t)
{
	xa_cmpxchg(&lbx_current_map, pid, t, NULL, GFP_KERNEL);
}

int lbx_kplat_queue_hostop(u32 op, u64 a0, u64 a1, u64 a2)
{
	struct lbx_thread *t = lbx_plat_current();

	if (WARN_ON_ONCE(!t || !t->resume))
		return -EINVAL;
	t->resume->hostop = op;
	t->resume->arg[0] = a0;
	t->resume->arg[1] = a1;
	t->resume->arg[2] = a2;
	return LBX_DEFERRED;
}

int lbx_plat_fork(struct lbx_thread *parent, struct lbx_thread *child)
{
	struct lbx_kplat_thread *pkt = parent->plat, *ckt;

	if (WARN_ON_ONCE(pkt->fork_child))
		return -EBUSY;
	ckt = lbx_kthread_alloc(pkt->ks, child);
	if (!ckt)
		return -ENOMEM;
	ckt->parent_task = current;
	pkt->fork_child = ckt;
	/* The stub forks; LBX_IOC_HOSTOP_DONE from both sides completes it. */
	return lbx_kplat_queue_hostop(LBX_HOP_FORK, 0, 0, 0);
}

void lbx_plat_thread_kick(struct lbx_thread *t)
{
	struct lbx_kplat_thread *kt;

	/* LiteBox's reserved host signal: the stub's handler enters with
	 * LBX_IOC_EVENT and the pending guest signal is delivered. A thread
	 * asleep in LiteBox was already woken by lbx_thread_interrupt(). */
	rcu_read_lock();
	kt = READ_ONCE(t->plat);
	if (kt && READ_ONCE(kt->task))
		send_sig(LBX_KICK_SIGNAL, kt->task, 1);
	rcu_read_unlock();
}


int lbx_plat_thread_start(struct lbx_thread *parent, struct lbx_thread *child)
{
	struct lbx_kplat_thread *pkt = parent->plat, *ckt;
	unsigned long addr, base;

	if (WARN_ON_ONCE(pkt->fork_child))
		return -EBUSY;
	/* Threads that came and went: their records and blocks go now, so
	 * that a guest creating threads for ever does not run out. */
	lbx_kthread_reap_exited(pkt->ks, parent->proc);
	addr = vm_mmap(NULL, 0, 2 * LBX_STUB_BLOCK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	base = ALIGN(addr, LBX_STUB_BLOCK);
	if (base > addr)
		vm_munmap(addr, base - addr);
	if (addr + 2 * LBX_STUB_BLOCK > base + LBX_STUB_BLOCK)
		vm_munmap(base + LBX_STUB_BLOCK, addr + 2 * LBX_STUB_BLOCK - base - LBX_STUB_BLOCK);
	ckt = lbx_kthread_alloc(pkt->ks, child);
	if (!ckt) {
		vm_munmap(base, LBX_STUB_BLOCK);
		return -ENOMEM;
	}
	ckt->is_thread = true;
	ckt->stub_block = base;
	ckt->parent_task = current->group_leader;
	pkt->fork_child = ckt;
	return lbx_kplat_queue_hostop(LBX_HOP_THREAD,
				      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				      CLONE_THREAD | CLONE_SYSVSEM,
				      base + LBX_STUB_BLOCK, base);
}

bool lbx_plat_fatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}

int lbx_plat_membarrier(bool expedited)
{
	/* What the host's membarrier(MEMBARRIER_CMD_GLOBAL) does: a grace
	 * period, after which every CPU went through a full barrier. */
	if (num_online_cpus() > 1) {
		if (expedited)
			synchronize_rcu_expedited();
		else
			synchronize_rcu();
	}
	return 0;
}

/* ---- time, random, log ---- */

u64 lbx_plat_now_mono(void)
{
	return ktime_get_ns();
}

u64 lbx_plat_now_real(void)
{
	return ktime_get_real_ns();
}

void lbx_plat_cputime(bool process, u64 *user_ns, u64 *sys_ns)
{
	struct signal_struct *sig = current->signal;
	struct task_struct *t;
	u64 ut, st, u, s, rt;

	task_cputime_adjusted(current, &ut, &st);
	if (process) {
		/* A guest process is one host thread group: its other live
		 * threads, and those that exited (their time was added to
		 * the group's signal_struct). */
		rcu_read_lock();
		for_each_thread(current, t) {
			if (t == current)
				continue;
			task_cputime_adjusted(t, &u, &s);
			ut += u;
			st += s;
		}
		rcu_read_unlock();
		/*
		 * The exited threads: their run time as the scheduler counted
		 * it, which their adjusted times (above, while they lived)
		 * added up to, split as their tick samples were. Their raw
		 * samples, which __exit_signal() adds, can be well below it:
		 * the clock would go back when a thread exits.
		 */
		u = READ_ONCE(sig->utime);
		s = READ_ONCE(sig->stime);
		rt = READ_ONCE(sig->sum_sched_runtime);
		if (u + s) {
			u = mul_u64_u64_div_u64(rt, u, u + s);
			s = rt - u;
		} else {
			u = rt;
			s = 0;
		}
		ut += u;
		st += s;
	}
	*user_ns = ut;
	*sys_ns = st;
}

void lbx_plat_rusage(bool process, struct lbx_rusage *ru)
{
	struct signal_struct *sig = current->signal;
	struct mm_struct *mm = current->mm;
	unsigned long maxrss = 0;
	struct task_struct *t;

	memset(ru, 0, sizeof(*ru));
	lbx_plat_cputime(process, &ru->utime_ns, &ru->stime_ns);
	if (!process) {
		ru->minflt = current->min_flt;
		ru->majflt = current->maj_flt;
		ru->nvcsw = current->nvcsw;
		ru->nivcsw = current->nivcsw;
	} else {
		/* As getrusage(RUSAGE_SELF): the live threads' counts and
		 * those the exited ones left in the signal_struct. */
		rcu_read_lock();
		for_each_thread(current, t) {
			ru->minflt += t->min_flt;
			ru->majflt += t->maj_flt;
			ru->nvcsw += t->nvcsw;
			ru->nivcsw += t->nivcsw;
		}
		rcu_read_unlock();
		ru->minflt += READ_ONCE(sig->min_flt);
		ru->majflt += READ_ONCE(sig->maj_flt);
		ru->nvcsw += READ_ONCE(sig->nvcsw);
		ru->nivcsw += READ_ONCE(sig->nivcsw);
	}
	/* Linux's RUSAGE_THREAD reports the process's maxrss too. */
	maxrss = READ_ONCE(sig->maxrss);
	if (mm)
		setmax_mm_hiwater_rss(&maxrss, mm);
	ru->maxrss_kb = (u64)maxrss * (PAGE_SIZE / 1024);
}

static enum hrtimer_restart cpu_tick_fn(struct hrtimer *h)
{
	struct lbx_kplat_thread *kt = container_of(h, struct lbx_kplat_thread, cpu_tick);
	struct task_struct *task = READ_ONCE(kt->task);

	/* A thread asleep (in LiteBox) looks at its timers when it wakes:
	 * only a running or runnable one is pulled in. */
	if (task && READ_ONCE(task->__state) == TASK_RUNNING)
		send_sig(LBX_KICK_SIGNAL, task, 1);
	hrtimer_forward_now(h, ns_to_ktime(LBX_CPU_TICK_NS));
	return HRTIMER_RESTART;
}

void lbx_kplat_cpu_tick_init(struct lbx_kplat_thread *kt)
{
	hrtimer_init(&kt->cpu_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	kt->cpu_tick.function = cpu_tick_fn;
}

void lbx_plat_cpu_tick(struct lbx_thread *t, bool on)
{
	struct lbx_kplat_thread *kt = t->plat;

	if (WARN_ON_ONCE(!kt))
		return;
	if (on)
		hrtimer_start(&kt->cpu_tick, ns_to_ktime(LBX_CPU_TICK_NS),
			      HRTIMER_MODE_REL_SOFT);
	else
		hrtimer_cancel(&kt->cpu_tick);
}

void lbx_plat_random(void *buf, size_t n)
{
	get_random_bytes(buf, n);
}

void lbx_plat_log_write(int level, const char *msg)
{
	switch (level) {
	case LBX_LOG_ERR:
		pr_err("litebox: %s\n", msg);
		break;
	case LBX_LOG_WARN:
		pr_warn("litebox: %s\n", msg);
		break;
	case LBX_LOG_INFO:
		pr_info("litebox: %s\n", msg);
		break;
	default:
		pr_debug("litebox: %s\n", msg);
		break;
	}
}
