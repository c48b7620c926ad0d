// SPDX-License-Identifier: GPL-2.0
/*
 * Lock tracing (LBX_LOCKTRACE builds only; see litebox/locktrace.h): the
 * wrappers core's lock calls become. A failed try first means contention.
 */
#define LBX_LOCKTRACE_IMPL
#include <litebox/core.h>

#ifdef LBX_LOCKTRACE
static void emit(const void *lock, u8 kind, u8 ev, u64 start, const char *site)
{
	struct lbx_lock_event e = {
		.ns = lbx_plat_now_mono(),
		.lock = lock,
		.site = site,
		.ev = ev,
		.kind = kind,
	};

	if (ev == LBX_LOCKEV_ACQUIRE)
		e.wait_ns = e.ns - start;
	lbx_plat_locktrace_emit(&e);
}

void lbx_locktrace_mutex_lock(struct lbx_plat_mutex *m, int subclass, const char *site)
{
	u64 start = lbx_plat_now_mono();

	if (!lbx_plat_mutex_trylock(m)) {
		emit(m, LBX_LOCK_MUTEX, LBX_LOCKEV_CONTEND, 0, site);
		if (subclass >= 0)
			lbx_plat_mutex_lock_nested(m, (u32)subclass);
		else
			lbx_plat_mutex_lock(m);
	}
	emit(m, LBX_LOCK_MUTEX, LBX_LOCKEV_ACQUIRE, start, site);
}

void lbx_locktrace_mutex_unlock(struct lbx_plat_mutex *m, const char *site)
{
	emit(m, LBX_LOCK_MUTEX, LBX_LOCKEV_RELEASE, 0, site);
	lbx_plat_mutex_unlock(m);
}

void lbx_locktrace_spin_lock(struct lbx_plat_spinlock *l, int subclass, const char *site)
{
	u64 start = lbx_plat_now_mono();

	if (!lbx_plat_spin_trylock(l)) {
		emit(l, LBX_LOCK_SPIN, LBX_LOCKEV_CONTEND, 0, site);
		if (subclass >= 0)
			lbx_plat_spin_lock_nested(l, (u32)subclass);
		else
			lbx_plat_spin_lock(l);
	}
	emit(l, LBX_LOCK_SPIN, LBX_LOCKEV_ACQUIRE, start, site);
}

void lbx_locktrace_spin_unlock(struct lbx_plat_spinlock *l, const char *site)
{
	emit(l, LBX_LOCK_SPIN, LBX_LOCKEV_RELEASE, 0, site);
	lbx_plat_spin_unlock(l);
}
#endif
