/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock tracing, a build option (make LBX_LOCKTRACE=1; compiled out by
 * default): every platform mutex and spinlock operation in core/, shims/
 * and kmod/ goes through core/lib/locktrace.c, which hands "contend",
 * "acquire" and "release" events, with the call site, to the platform:
 * userland writes them as JSON lines to the file named by $LBX_LOCKTRACE,
 * the kernel emits the litebox:lbx_lock tracepoint (docs/diagnostics.md).
 *
 * The platform files that implement the lock calls define
 * LBX_LOCKTRACE_IMPL before any include, which keeps the real names.
 */
#ifndef LITEBOX_LOCKTRACE_H
#define LITEBOX_LOCKTRACE_H

enum {
	LBX_LOCKEV_CONTEND = 0,		/* the lock was held: about to wait */
	LBX_LOCKEV_ACQUIRE = 1,		/* taken; wait_ns: since the request */
	LBX_LOCKEV_RELEASE = 2,
};
enum {
	LBX_LOCK_MUTEX = 0,
	LBX_LOCK_SPIN = 1,
};

struct lbx_lock_event {
	u64 ns;				/* monotonic */
	u64 wait_ns;
	const void *lock;
	const char *site;		/* "file.c:line" */
	u8 ev;
	u8 kind;
};

/* Platform: records one event. Must take no traced lock. */
void lbx_plat_locktrace_emit(const struct lbx_lock_event *ev);

#ifdef LBX_LOCKTRACE
/* subclass < 0: a plain lock; otherwise the _nested call's subclass. */
void lbx_locktrace_mutex_lock(struct lbx_plat_mutex *m, int subclass, const char *site);
void lbx_locktrace_mutex_unlock(struct lbx_plat_mutex *m, const char *site);
void lbx_locktrace_spin_lock(struct lbx_plat_spinlock *l, int subclass, const char *site);
void lbx_locktrace_spin_unlock(struct lbx_plat_spinlock *l, const char *site);

#ifndef LBX_LOCKTRACE_IMPL
#define __lbx_str2(x) #x
#define __lbx_str(x) __lbx_str2(x)
#define LBX_SITE __FILE__ ":" __lbx_str(__LINE__)
#define lbx_plat_mutex_lock(m) lbx_locktrace_mutex_lock((m), -1, LBX_SITE)
#define lbx_plat_mutex_lock_nested(m, s) \
	lbx_locktrace_mutex_lock((m), (int)(s), LBX_SITE)
#define lbx_plat_mutex_unlock(m) lbx_locktrace_mutex_unlock((m), LBX_SITE)
#define lbx_plat_spin_lock(l) lbx_locktrace_spin_lock((l), -1, LBX_SITE)
#define lbx_plat_spin_lock_nested(l, s) \
	lbx_locktrace_spin_lock((l), (int)(s), LBX_SITE)
#define lbx_plat_spin_unlock(l) lbx_locktrace_spin_unlock((l), LBX_SITE)
#endif
#endif /* LBX_LOCKTRACE */

#endif
