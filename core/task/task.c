// SPDX-License-Identifier: GPL-2.0
/* Sandbox, process and thread lifetimes. */
#include <litebox/rewrite.h>
#include <litebox/task.h>
#include <litebox/flock.h>
#include <litebox/futex.h>
#include <litebox/refcount.h>
#include "task_hooks.h"

static u32 next_sandbox_id = 1;

int lbx_sandbox_create(const struct lbx_limits *limits, void *plat,
		       struct lbx_sandbox **out)
{
	struct lbx_sandbox *sb;
	int ret;

	sb = lbx_plat_alloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	ret = lbx_futex_table_create(&sb->futex);
	if (ret) {
		lbx_plat_free(sb);
		return ret;
	}
	ret = lbx_flock_table_create(&sb->flocks);
	if (!ret)
		ret = lbx_rw_cache_create(&sb->rw_cache);
	if (ret) {
		lbx_flock_table_destroy(sb->flocks);
		lbx_futex_table_destroy(sb->futex);
		lbx_plat_free(sb);
		return ret;
	}
	lbx_ref_init(&sb->refs);
	sb->id = __atomic_fetch_add(&next_sandbox_id, 1, __ATOMIC_RELAXED);
	sb->plat = plat;
	sb->limits = *limits;
	if (!sb->limits.fs_mem)
		sb->limits.fs_mem = LBX_DEFAULT_FS_MEM;
	if (!sb->limits.max_procs)
		sb->limits.max_procs = LBX_DEFAULT_MAX_PROCS;
	if (!sb->limits.max_threads)
		sb->limits.max_threads = LBX_DEFAULT_MAX_THREADS;
	if (!sb->limits.max_fds)
		sb->limits.max_fds = LBX_DEFAULT_MAX_FDS;
	lbx_memacct_init(&sb->fs_mem, sb->limits.fs_mem);
	lbx_plat_mutex_init(&sb->lock);
	lbx_list_init(&sb->procs);
	lbx_waitqueue_init(&sb->child_wq);
	lbx_waitqueue_init(&sb->sig_wq);
	sb->next_pid = 1;
	*out = sb;
	return 0;
}

void lbx_sandbox_get(struct lbx_sandbox *sb)
{
	lbx_ref_get(&sb->refs);
}

void lbx_sandbox_kill(struct lbx_sandbox *sb)
{
	struct lbx_list_head *pos;

	lbx_plat_mutex_lock(&sb->lock);
	sb->dying = true;
	/* Stopped threads go on, to their end. */
	lbx_list_for_each(pos, &sb->procs)
		lbx_jobctl_wake(lbx_list_entry(pos, struct lbx_process, sb_node));
	lbx_plat_mutex_unlock(&sb->lock);
}

void lbx_sandbox_put(struct lbx_sandbox *sb)
{
	if (!lbx_ref_put(&sb->refs))
		return;
	/* Processes hold references on the sandbox: none is left here. */
	lbx_task_hook_sandbox_release(sb);
	lbx_plat_free(sb);
}

static void thread_free(struct lbx_thread *t)
{
	struct lbx_process *p = t->proc;

	lbx_signal_flush(t);
	lbx_plat_free(t);
	lbx_process_put(p);
}

void lbx_thread_get(struct lbx_thread *t)
{
	lbx_ref_get(&t->refs);
}

void lbx_thread_put(struct lbx_thread *t)
{
	if (lbx_ref_put(&t->refs))
		thread_free(t);
}

void lbx_process_get(struct lbx_process *p)
{
	lbx_ref_get(&p->refs);
}

void lbx_process_put(struct lbx_process *p)
{
	struct lbx_sandbox *sb = p->sb;

	if (!lbx_ref_put(&p->refs))
		return;
	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_del(&p->sb_node);
	sb->nr_procs--;
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_task_hook_process_release(p);
	lbx_plat_free_large(p->environ);
	lbx_plat_free_large(p->cmdline);
	lbx_plat_free(p->exe_path);
	lbx_plat_free(p);
	lbx_sandbox_put(sb);
}

int lbx_process_create(struct lbx_sandbox *sb, struct lbx_process *parent,
		       struct lbx_thread **main_thread)
{
	struct lbx_process *p;
	struct lbx_thread *t;
	int ret = 0;

	p = lbx_plat_alloc(sizeof(*p));
	t = lbx_plat_alloc(sizeof(*t));
	if (!p || !t) {
		ret = -ENOMEM;
		goto err_free;
	}
	/*
	 * Whole before it is published in sb->procs: whoever walks the list
	 * under sb->lock (kill, tgkill, wait, /proc) may meet it at once.
	 * (A half-made process there, its thread list not yet initialized,
	 * crashed lbx_thread_find(): found by tests/vm/sysfuzz_guest.c.)
	 */
	lbx_ref_init(&p->refs);	/* held by the main thread */
	p->sb = sb;
	if (parent) {
		/* The parent's reference, dropped when it reaps the child. */
		lbx_ref_get(&p->refs);
		p->parent_ref = true;
		p->exit_signal = 17;	/* SIGCHLD; clone may choose another */
	}
	lbx_list_init(&p->threads);
	p->nr_threads = 1;
	lbx_waitqueue_init(&p->stop_wq);
	lbx_waitqueue_init(&p->thread_wq);
	lbx_ref_init(&t->refs);
	t->proc = p;
	lbx_list_add_tail(&t->proc_node, &p->threads);

	lbx_sandbox_get(sb);
	lbx_plat_mutex_lock(&sb->lock);
	if (sb->dying) {
		ret = -ESRCH;
	} else if (sb->nr_procs >= sb->limits.max_procs) {
		ret = -EAGAIN;
		lbx_plat_trace_limit(LBX_LIMIT_PROCS, sb->limits.max_procs);
	} else if (sb->nr_threads >= sb->limits.max_threads) {
		ret = -EAGAIN;
		lbx_plat_trace_limit(LBX_LIMIT_THREADS, sb->limits.max_threads);
	}
	if (!ret) {
		/* A child has its parent's credentials; a first process is
		 * root until its starter says otherwise. */
		if (parent)
			p->cred = parent->cred;
		else
			lbx_cred_init_root(&p->cred);
		/* The main thread's too; a fork child's are then the
		 * forking thread's, which the caller installs. */
		t->cred = p->cred;
		p->pid = sb->next_pid++;
		t->tid = p->pid;
		p->ppid = parent ? parent->pid : 0;
		p->pgid = parent ? parent->pgid : p->pid;
		p->sid = parent ? parent->sid : p->pid;
		sb->nr_procs++;
		sb->nr_threads++;
		lbx_list_add_tail(&p->sb_node, &sb->procs);
	}
	lbx_plat_mutex_unlock(&sb->lock);
	if (ret) {
		lbx_sandbox_put(sb);
		goto err_free;
	}
	*main_thread = t;
	return 0;

err_free:
	lbx_plat_free(t);
	lbx_plat_free(p);
	return ret;
}

/*
 * Under sb->lock: child c's parent thread (of process `from`, with
 * credentials uid) is gone: c owes itself the PR_SET_PDEATHSIG signals
 * its threads asked for, sent by pdeath_send(). As Linux's
 * forget_original_parent(), which sends them for every child of an
 * exiting thread, whether the child goes to another thread of the same
 * process or to a reaper.
 */
static void pdeath_mark_locked(struct lbx_process *c, u32 from, u32 uid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &c->threads) {
		struct lbx_thread *ct = lbx_list_entry(pos, struct lbx_thread, proc_node);
		u32 sig = LBX_READ_ONCE(ct->pdeath_sig);

		if (sig && sig <= LBX_NSIG) {
			c->pdeath_pending |= 1ULL << (sig - 1);
			c->pdeath_pid = from;
			c->pdeath_uid = uid;
		}
	}
}

/* Sends the PR_SET_PDEATHSIG signals marked by pdeath_mark_locked(), one
 * process at a time, as lbx_jobctl_orphan_hangup(). */
static void pdeath_send(struct lbx_sandbox *sb)
{
	for (;;) {
		struct lbx_process *victim = NULL;
		struct lbx_list_head *pos;
		struct lbx_siginfo info;
		u64 sigs = 0;
		u32 n;

		lbx_plat_mutex_lock(&sb->lock);
		lbx_list_for_each(pos, &sb->procs) {
			struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

			if (c->pdeath_pending) {
				sigs = c->pdeath_pending;
				c->pdeath_pending = 0;
				if (!c->exiting) {
					lbx_process_get(c);
					victim = c;
					break;
				}
			}
		}
		if (victim) {
			/* Linux's SEND_SIG_NOINFO from the dying parent. */
			memset(&info, 0, sizeof(info));
			info.code = 0;	/* SI_USER */
			info.pid = (s32)victim->pdeath_pid;
			info.uid = victim->pdeath_uid;
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (!victim)
			return;
		for (n = 1; n <= LBX_NSIG; n++) {
			if (!(sigs & (1ULL << (n - 1))))
				continue;
			info.signo = (s32)n;
			lbx_signal_process(victim, &info);
		}
		lbx_process_put(victim);
	}
}

void lbx_thread_exit(struct lbx_thread *t)
{
	struct lbx_process *p = t->proc;
	struct lbx_sandbox *sb = p->sb;
	bool stopped = false, pdeath = false;
	u32 sig = 0;

	lbx_plat_mutex_lock(&sb->lock);
	if (!lbx_list_empty(&t->proc_node)) {
		lbx_list_del(&t->proc_node);
		p->nr_threads--;
		sb->nr_threads--;
		/* The last thread not parked in a group stop: it is complete. */
		stopped = lbx_jobctl_stop_complete_locked(p, &sig);
		/* Its children go to another thread of the process (Linux's
		 * find_alive_thread()); the last one's go with the process
		 * (lbx_process_exit()). */
		if (!p->exiting && !lbx_list_empty(&p->threads)) {
			struct lbx_thread *heir = lbx_list_entry(p->threads.next,
								 struct lbx_thread, proc_node);
			struct lbx_list_head *pos;

			lbx_list_for_each(pos, &sb->procs) {
				struct lbx_process *c = lbx_list_entry(pos, struct lbx_process,
								       sb_node);

				if (c->ppid != p->pid || c == p || c->parent_tid != t->tid)
					continue;
				c->parent_tid = heir->tid;
				pdeath_mark_locked(c, p->pid, t->cred.uid);
				pdeath = true;
			}
		}
	}
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_wake_up_all(&p->thread_wq);
	if (stopped)
		lbx_jobctl_notify_parent(p, LBX_CLD_STOPPED, sig);
	if (pdeath)
		pdeath_send(sb);
}

/* How often de_thread kicks the threads it waits for again: a kick that
 * reached a thread inside the stub (between two entries) is not acted on. */
#define DE_THREAD_REKICK_NS	(10ULL * 1000 * 1000)

/* Under sb->lock: pulls every thread of p but self into LiteBox. */
static void kick_others_locked(struct lbx_process *p, struct lbx_thread *self)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &p->threads) {
		struct lbx_thread *t = lbx_list_entry(pos, struct lbx_thread, proc_node);

		if (t == self)
			continue;
		LBX_WRITE_ONCE(t->exec_killed, true);
		lbx_thread_interrupt(t);
		lbx_plat_thread_kick(t);
	}
	/* Killed threads parked in a group stop go, as Linux's SIGKILL. */
	lbx_jobctl_wake(p);
}

int lbx_process_de_thread(struct lbx_thread *self)
{
	struct lbx_process *p = self->proc;
	struct lbx_sandbox *sb = p->sb;
	bool alone;
	int ret;

	for (;;) {
		lbx_plat_mutex_lock(&sb->lock);
		if (self->exec_killed) {
			/* Another thread's exit or execve came first. */
			lbx_plat_mutex_unlock(&sb->lock);
			return -EAGAIN;
		}
		alone = p->nr_threads <= 1;
		if (!alone) {
			p->in_exec = true;
			kick_others_locked(p, self);
		} else {
			struct lbx_list_head *pos;

			p->in_exec = false;
			/* Its children (and those the dead threads left it)
			 * follow it to its new tid. */
			lbx_list_for_each(pos, &sb->procs) {
				struct lbx_process *c = lbx_list_entry(pos, struct lbx_process,
								       sb_node);

				if (c->ppid == p->pid && c->parent_tid == self->tid)
					c->parent_tid = p->pid;
			}
			/* The thread group leader's pid is the survivor's. */
			self->tid = p->pid;
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (alone)
			return 0;
		/* Not the thread's interruptible sleep: its own guest signals
		 * wait for the exec; a host signal ends the sleep. */
		ret = lbx_wait_event(&p->thread_wq, LBX_READ_ONCE(p->nr_threads) <= 1,
				     lbx_plat_now_mono() + DE_THREAD_REKICK_NS, NULL,
				     LBX_WQ_INTERRUPTIBLE);
		if (ret == -EINTR)
			return ret;
	}
}

enum lbx_zap lbx_process_zap_others(struct lbx_thread *self)
{
	struct lbx_process *p = self->proc;
	struct lbx_sandbox *sb = p->sb;
	bool alone;

	for (;;) {
		lbx_plat_mutex_lock(&sb->lock);
		if (self->exec_killed) {
			lbx_plat_mutex_unlock(&sb->lock);
			return LBX_ZAP_KILLED;
		}
		alone = p->nr_threads <= 1;
		if (!alone) {
			p->in_exec = true;
			kick_others_locked(p, self);
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (alone)
			return LBX_ZAP_ALONE;
		/* The others are dead already, or soon, on the host's side; only
		 * their host deaths take them off the list. */
		if (lbx_plat_fatal_signal_pending())
			return LBX_ZAP_HOST_DEATH;
		/* Not interruptible: a host signal that is nothing to the guest
		 * must not end the wait (it stays pending until this entry
		 * returns); the deadline re-kicks and looks again. */
		lbx_wait_event(&p->thread_wq, LBX_READ_ONCE(p->nr_threads) <= 1,
			       lbx_plat_now_mono() + DE_THREAD_REKICK_NS, NULL, 0);
	}
}

static struct lbx_process *find_locked(struct lbx_sandbox *sb, u32 pid)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (p->pid == pid && !p->exiting)
			return p;
	}
	return NULL;
}

struct lbx_process *lbx_process_parent_get(struct lbx_process *p)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_process *parent;

	lbx_plat_mutex_lock(&sb->lock);
	parent = find_locked(sb, p->ppid);
	if (parent)
		lbx_process_get(parent);
	lbx_plat_mutex_unlock(&sb->lock);
	return parent;
}

void lbx_process_record_usage(struct lbx_process *p, const struct lbx_rusage *ru)
{
	struct lbx_sandbox *sb = p->sb;

	lbx_plat_mutex_lock(&sb->lock);
	if (!p->usage_recorded) {
		p->usage_recorded = true;
		p->usage = *ru;
	}
	lbx_plat_mutex_unlock(&sb->lock);
}

void lbx_process_child_usage(struct lbx_process *p, struct lbx_rusage *ru)
{
	lbx_plat_mutex_lock(&p->sb->lock);
	*ru = p->child_usage;
	lbx_plat_mutex_unlock(&p->sb->lock);
}

/* dst += src; maxrss: the larger, as Linux's cmaxrss. */
static void rusage_add(struct lbx_rusage *dst, const struct lbx_rusage *src)
{
	dst->utime_ns += src->utime_ns;
	dst->stime_ns += src->stime_ns;
	if (dst->maxrss_kb < src->maxrss_kb)
		dst->maxrss_kb = src->maxrss_kb;
	dst->minflt += src->minflt;
	dst->majflt += src->majflt;
	dst->nvcsw += src->nvcsw;
	dst->nivcsw += src->nivcsw;
}

#define LX_SIGCHLD		17
#define LX_SIG_IGN		1
#define LX_SA_NOCLDWAIT		0x00000002
#define LX_USER_HZ		100

/*
 * Under sb->lock: whether parent reaps a child that exits with exit
 * signal esig at once, as Linux's do_notify_parent(): SIGCHLD ignored, or
 * SA_NOCLDWAIT. Such a child's usage is not added to the parent's (Linux
 * since 2.6.9, as POSIX asks).
 */
static bool autoreap_locked(const struct lbx_process *parent, u32 esig)
{
	const struct lbx_sigaction *sa = &parent->sigactions[LX_SIGCHLD - 1];

	return esig == LX_SIGCHLD &&
	       (sa->handler == LX_SIG_IGN || (sa->flags & LX_SA_NOCLDWAIT));
}

/* The SIGCHLD of p's exit, as Linux's do_notify_parent() fills it in. */
static void exit_siginfo(const struct lbx_process *p, u32 esig, struct lbx_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	info->signo = (s32)esig;	/* SIGCHLD, usually */
	info->pid = (s32)p->pid;
	info->uid = p->cred.uid;
	info->status = p->exit_code & 0x7f ? p->exit_code & 0x7f :
		       (p->exit_code >> 8) & 0xff;
	info->code = p->exit_code & 0x7f ? (p->exit_code & 0x80 ? 3 : 2) : 1;
	/* Clock ticks, as Linux's si_utime and si_stime. */
	info->utime = p->usage.utime_ns / (LBX_NSEC_PER_SEC / LX_USER_HZ);
	info->stime = p->usage.stime_ns / (LBX_NSEC_PER_SEC / LX_USER_HZ);
}

/*
 * Zombies whose parent exited (->renotify) now belong to a subreaper or
 * pid 1: as Linux's reparent_leader(), each one's exit is reported to it
 * again (SIGCHLD), and one whose new parent ignores SIGCHLD or set
 * SA_NOCLDWAIT is reaped at once. One at a time, as lbx_jobctl_orphan_hangup().
 */
static void notify_reparented_zombies(struct lbx_sandbox *sb)
{
	for (;;) {
		struct lbx_process *z = NULL, *parent = NULL;
		struct lbx_list_head *pos;
		struct lbx_siginfo info;
		bool autoreap = false, drop = false;

		lbx_plat_mutex_lock(&sb->lock);
		lbx_list_for_each(pos, &sb->procs) {
			struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

			if (c->renotify) {
				c->renotify = false;
				if (c->waitable && !c->reaped) {
					z = c;
					break;
				}
			}
		}
		if (!z) {
			lbx_plat_mutex_unlock(&sb->lock);
			return;
		}
		lbx_process_get(z);
		parent = find_locked(sb, z->ppid);
		if (parent) {
			lbx_process_get(parent);
			autoreap = autoreap_locked(parent, z->exit_signal);
			exit_siginfo(z, z->exit_signal, &info);
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (parent) {
			lbx_signal_process(parent, &info);
			lbx_process_put(parent);
		}
		lbx_plat_mutex_lock(&sb->lock);
		if (autoreap && z->waitable && !z->reaped) {
			z->reaped = true;
			drop = z->parent_ref;
			z->parent_ref = false;
		}
		__atomic_fetch_add(&sb->child_events, 1, __ATOMIC_RELEASE);
		lbx_plat_mutex_unlock(&sb->lock);
		lbx_wake_up_all(&sb->child_wq);
		if (drop)
			lbx_process_put(z);	/* the parent's reference */
		lbx_process_put(z);
	}
}

/*
 * Under sb->lock: where p's children go when p exits, as Linux's
 * find_new_reaper(): the nearest live ancestor that is a child subreaper,
 * else pid 1 (the sandbox's init).
 */
static u32 new_reaper_locked(struct lbx_process *p)
{
	struct lbx_sandbox *sb = p->sb;
	u32 pid = p->ppid, n;

	/* At most every process once: a chain of parents has no cycle, the
	 * bound only keeps a bug from looping. */
	for (n = 0; pid > 1 && n < sb->nr_procs; n++) {
		struct lbx_process *a = find_locked(sb, pid);

		if (!a)
			break;	/* gone: its own orphans went up already */
		if (a->child_subreaper)
			return a->pid;
		pid = a->ppid;
	}
	return 1;
}

void lbx_process_exit(struct lbx_process *p, int status)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_process *parent;
	struct lbx_list_head *pos;
	bool first = false, autoreap = false, drop = false;
	u32 esig, notified = 0, reaper;

	lbx_plat_mutex_lock(&sb->lock);
	if (!p->exiting) {
		p->exiting = true;
		p->exit_code = status;
	}
	if (!p->exited) {
		p->exited = true;
		first = true;
	}
	/* Parked threads of a stopped process go on, to their end. */
	lbx_jobctl_wake(p);
	/* Orphans go to the nearest subreaper, else to pid 1, as to init in
	 * a pid namespace. */
	reaper = new_reaper_locked(p);
	lbx_list_for_each(pos, &sb->procs) {
		struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

		if (c->ppid == p->pid && c != p) {
			c->ppid = reaper;
			c->parent_tid = reaper;	/* its leader */
			pdeath_mark_locked(c, p->pid, p->cred.uid);
			c->exit_signal = 17;	/* as Linux's reparenting */
			c->reparented = first;
			/* A zombie: the reaper hears of its exit (below). */
			if (c->waitable && !c->reaped)
				c->renotify = true;
		}
	}
	if (first)
		lbx_jobctl_exit_orphans_locked(p);
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_jobctl_orphan_hangup(sb);
	pdeath_send(sb);
	/* Before p's own exit is reported, as Linux's exit_notify(): a
	 * parent that reaps p finds p's zombie children reaped already. */
	notify_reparented_zombies(sb);
	/*
	 * What a dead process holds goes now, not when it is reaped: the
	 * write end of a pipe its parent reads to EOF before waiting, say.
	 */
	if (first)
		lbx_task_hook_process_release(p);
	lbx_plat_mutex_lock(&sb->lock);
	esig = p->exit_signal;
	parent = first && esig && esig <= LBX_NSIG ? find_locked(sb, p->ppid) : NULL;
	if (parent) {
		lbx_process_get(parent);
		autoreap = autoreap_locked(parent, esig);
		notified = parent->pid;
	}
	if (first)
		p->notifying = true;
	lbx_plat_mutex_unlock(&sb->lock);
	/*
	 * SIGCHLD first, then the waiters, as Linux's exit_notify(): a parent
	 * that reaps this child and then installs a SIGCHLD handler must not
	 * see this child's signal arrive late, under the new disposition.
	 */
	if (parent) {
		struct lbx_siginfo info;

		exit_siginfo(p, esig, &info);
		lbx_signal_process(parent, &info);
		lbx_process_put(parent);
	}
	/*
	 * Only now a zombie for wait4: the signal is already pending. Or
	 * reaped at once, and a wait4 that has no other child to wait for
	 * returns ECHILD.
	 */
	lbx_plat_mutex_lock(&sb->lock);
	if (first && autoreap) {
		p->reaped = true;
		drop = p->parent_ref;
		p->parent_ref = false;
	} else if (first) {
		p->waitable = true;
		/*
		 * Its parent exited while the signal was on its way, or was
		 * exiting already (Linux decides both under tasklist_lock):
		 * the new parent hears of it, here or in that parent's
		 * reparenting, whichever comes second.
		 */
		if (esig && esig <= LBX_NSIG && p->ppid != notified)
			p->renotify = true;
	}
	__atomic_fetch_add(&sb->child_events, 1, __ATOMIC_RELEASE);
	lbx_plat_mutex_unlock(&sb->lock);
	lbx_wake_up_all(&sb->child_wq);
	notify_reparented_zombies(sb);
	if (drop)
		lbx_process_put(p);	/* the caller still holds one */
}

void lbx_sandbox_release_zombies(struct lbx_sandbox *sb)
{
	for (;;) {
		struct lbx_process *victim = NULL;
		struct lbx_list_head *pos;

		lbx_plat_mutex_lock(&sb->lock);
		lbx_list_for_each(pos, &sb->procs) {
			struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

			if (c->parent_ref) {
				c->parent_ref = false;
				victim = c;
				break;
			}
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (!victim)
			return;
		lbx_process_put(victim);
	}
}

static bool wait_matches(const struct lbx_process *me, const struct lbx_process *c, s32 pid)
{
	if (c->ppid != me->pid || c == me)
		return false;
	if (pid == -1)
		return true;
	if (pid > 0)
		return c->pid == (u32)pid;
	if (pid == 0)
		return c->pgid == me->pgid;
	return c->pgid == (u32)-pid;
}

/* A stop or continuation of live child c that the waiter asks for. */
static bool report_matches(const struct lbx_process *c, u32 flags)
{
	if (c->exiting)
		return false;
	return (c->wait_report == LBX_WAIT_REPORT_STOPPED && (flags & LBX_WAIT_STOPPED)) ||
	       (c->wait_report == LBX_WAIT_REPORT_CONTINUED && (flags & LBX_WAIT_CONTINUED));
}

int lbx_process_wait(struct lbx_thread *self, s32 pid, u32 flags,
		     struct lbx_wait_result *res)
{
	struct lbx_process *me = self->proc;
	struct lbx_sandbox *sb = me->sb;
	bool intr = false;

	for (;;) {
		struct lbx_process *zombie = NULL;
		struct lbx_list_head *pos;
		bool any = false, soon = false;
		u32 seen;
		int ret;

		res->pid = 0;
		res->status = 0;
		res->what = LBX_WAIT_REPORT_NONE;
		res->uid = 0;
		memset(&res->usage, 0, sizeof(res->usage));
		lbx_plat_mutex_lock(&sb->lock);
		seen = __atomic_load_n(&sb->child_events, __ATOMIC_ACQUIRE);
		lbx_list_for_each(pos, &sb->procs) {
			struct lbx_process *c = lbx_list_entry(pos, struct lbx_process, sb_node);

			if (!wait_matches(me, c, pid) || c->reaped)
				continue;
			any = true;
			if (c->waitable) {
				if (!(flags & LBX_WAIT_EXITED))
					continue;
				zombie = c;
				break;
			}
			if (report_matches(c, flags)) {
				res->pid = c->pid;
				res->uid = c->cred.uid;
				res->what = c->wait_report;
				res->status = c->wait_report == LBX_WAIT_REPORT_STOPPED ?
					      0x7f | (int)(c->stop_sig << 8) : 0xffff;
				if (!(flags & LBX_WAIT_NOWAIT))
					c->wait_report = LBX_WAIT_REPORT_NONE;
				break;
			}
			if (flags & LBX_WAIT_EXITED)
				soon |= c->notifying;	/* its SIGCHLD is on the way */
		}
		if (zombie) {
			res->pid = zombie->pid;
			res->what = LBX_WAIT_REPORT_EXITED;
			res->status = zombie->exit_code;
			res->uid = zombie->cred.uid;
			res->usage = zombie->usage;
			rusage_add(&res->usage, &zombie->child_usage);
			if (!(flags & LBX_WAIT_NOWAIT)) {
				/* Linux's wait_task_zombie(): its time is
				 * the parent's children's from now on. */
				rusage_add(&me->child_usage, &res->usage);
				zombie->reaped = true;
				if (zombie->parent_ref)
					zombie->parent_ref = false;
				else
					zombie = NULL;	/* no reference to drop */
			} else {
				zombie = NULL;
			}
		}
		lbx_plat_mutex_unlock(&sb->lock);
		if (res->pid) {
			if (zombie)
				lbx_process_put(zombie);
			return 0;
		}
		if (!any)
			return -ECHILD;
		if ((flags & LBX_WAIT_NOHANG) || intr) {
			/*
			 * WNOHANG, or interrupted: as Linux, a child that
			 * became waitable wins over the signal. One whose
			 * exit signal is being sent is waited for, not
			 * interruptibly: it is waitable in a moment. (In
			 * Linux the signal and the zombie state are one step
			 * under tasklist_lock: a parent whose SIGCHLD handler
			 * ran finds the zombie with WNOHANG.)
			 */
			if (!soon)
				return flags & LBX_WAIT_NOHANG ? 0 : -EINTR;
			lbx_wait_event(&sb->child_wq,
				       __atomic_load_n(&sb->child_events, __ATOMIC_ACQUIRE) != seen,
				       LBX_NO_DEADLINE, self, 0);
			continue;
		}
		ret = lbx_wait_event(&sb->child_wq,
				     __atomic_load_n(&sb->child_events, __ATOMIC_ACQUIRE) != seen,
				     LBX_NO_DEADLINE, self, LBX_WQ_INTERRUPTIBLE);
		if (ret == -EINTR)
			intr = true;	/* one more look first */
	}
}

int lbx_thread_create(struct lbx_process *p, struct lbx_thread **out)
{
	struct lbx_sandbox *sb = p->sb;
	struct lbx_thread *t;
	int ret = 0;

	t = lbx_plat_alloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	lbx_plat_mutex_lock(&sb->lock);
	if (sb->dying || p->exiting || p->in_exec) {
		ret = -ESRCH;
	} else if (sb->nr_threads >= sb->limits.max_threads) {
		ret = -EAGAIN;
		lbx_plat_trace_limit(LBX_LIMIT_THREADS, sb->limits.max_threads);
	}
	if (!ret) {
		struct lbx_thread *cur = lbx_current();

		t->tid = sb->next_pid++;
		/* The creating thread's credentials, as Linux's
		 * copy_creds(); without one (tests), the process's. */
		t->cred = cur && cur->proc == p ? cur->cred : p->cred;
		sb->nr_threads++;
		p->nr_threads++;
		lbx_list_add_tail(&t->proc_node, &p->threads);
	}
	lbx_plat_mutex_unlock(&sb->lock);
	if (ret) {
		lbx_plat_free(t);
		return ret;
	}
	lbx_ref_init(&t->refs);
	lbx_process_get(p);	/* held by the thread */
	t->proc = p;
	*out = t;
	return 0;
}

struct lbx_thread *lbx_thread_find(struct lbx_sandbox *sb, u32 tid)
{
	struct lbx_list_head *pp, *tp;
	struct lbx_thread *found = NULL;

	lbx_plat_mutex_lock(&sb->lock);
	lbx_list_for_each(pp, &sb->procs) {
		struct lbx_process *p = lbx_list_entry(pp, struct lbx_process, sb_node);

		if (p->exiting)
			continue;
		lbx_list_for_each(tp, &p->threads) {
			struct lbx_thread *t = lbx_list_entry(tp, struct lbx_thread, proc_node);

			if (t->tid == tid) {
				lbx_thread_get(t);
				found = t;
				goto out;
			}
		}
	}
out:
	lbx_plat_mutex_unlock(&sb->lock);
	return found;
}
