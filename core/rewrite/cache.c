// SPDX-License-Identifier: GPL-2.0
/*
 * The rewriter's per-sandbox cache of scan results: a program started again
 * (a shell script's commands, a server's workers) is not scanned again.
 * Keyed by the file's inode (held by reference, so the key stays unique),
 * the mapped range, and the inode's size and modification time (a write
 * makes the entry stale). A few slots, least recently used replaced.
 */
#include <litebox/errno.h>
#include <litebox/platform.h>
#include <litebox/rewrite.h>
#include <litebox/string.h>
#include <litebox/vfs.h>

#define SLOTS	32

struct entry {
	struct lbx_inode *inode;	/* a reference; NULL: a free slot */
	u64 off, len, size;
	struct lbx_timespec mtime;
	u64 used;			/* the cache's clock at the last use */
	bool worth;			/* false: not scanned (no wrapper-shaped site) */
	u32 n, found, unsafe;
	struct lbx_rw_site *sites;
	u8 *bytes;			/* each site's original bytes, in order */
	size_t nbytes;
};

struct lbx_rw_cache {
	struct lbx_plat_mutex lock;
	u64 clock;
	struct entry e[SLOTS];
};

int lbx_rw_cache_create(struct lbx_rw_cache **out)
{
	struct lbx_rw_cache *c = lbx_plat_alloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	lbx_plat_mutex_init(&c->lock);
	*out = c;
	return 0;
}

static void drop(struct entry *e)
{
	if (e->inode)
		lbx_inode_put(e->inode);
	lbx_plat_free(e->sites);
	lbx_plat_free(e->bytes);
	memset(e, 0, sizeof(*e));
}

void lbx_rw_cache_destroy(struct lbx_rw_cache *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < SLOTS; i++)
		drop(&c->e[i]);
	lbx_plat_free(c);
}

static bool same(const struct entry *e, struct lbx_inode *inode, u64 off, u64 len)
{
	return e->inode == inode && e->off == off && e->len == len &&
	       e->size == LBX_READ_ONCE(inode->size) &&
	       e->mtime.sec == inode->mtime.sec && e->mtime.nsec == inode->mtime.nsec;
}

int lbx_rw_cache_lookup(struct lbx_rw_cache *c, struct lbx_inode *inode, u64 off, u64 len,
			struct lbx_rw_plan *plan, u8 **bytes)
{
	int i, ret = -ENOENT;

	memset(plan, 0, sizeof(*plan));
	*bytes = NULL;
	if (!c)
		return -ENOENT;
	lbx_plat_mutex_lock(&c->lock);
	for (i = 0; i < SLOTS; i++) {
		struct entry *e = &c->e[i];

		if (!same(e, inode, off, len))
			continue;
		e->used = ++c->clock;
		if (!e->worth) {
			ret = -ESRCH;	/* known: nothing worth a scan */
			break;
		}
		plan->sites = lbx_plat_alloc(lbx_max(e->n, 1u) * sizeof(*plan->sites));
		*bytes = lbx_plat_alloc(lbx_max(e->nbytes, (size_t)1));
		if (!plan->sites || !*bytes) {
			lbx_plat_free(plan->sites);
			lbx_plat_free(*bytes);
			plan->sites = NULL;
			*bytes = NULL;
			ret = -ENOMEM;
			break;
		}
		memcpy(plan->sites, e->sites, e->n * sizeof(*plan->sites));
		memcpy(*bytes, e->bytes, e->nbytes);
		plan->n = plan->cap = e->n;
		plan->found = e->found;
		plan->unsafe = e->unsafe;
		ret = 0;
		break;
	}
	lbx_plat_mutex_unlock(&c->lock);
	return ret;
}

void lbx_rw_cache_store(struct lbx_rw_cache *c, struct lbx_inode *inode, u64 off, u64 len,
			const struct lbx_rw_plan *plan, const u8 *code)
{
	struct entry fresh = { 0 }, *victim;
	int k;

	if (!c)
		return;
	fresh.worth = plan != NULL;
	if (plan) {
		fresh.sites = lbx_plat_alloc(lbx_max(plan->n, 1u) * sizeof(*fresh.sites));
		fresh.bytes = lbx_rw_pack(code, plan, &fresh.nbytes);
		if (!fresh.sites || !fresh.bytes) {
			lbx_plat_free(fresh.sites);
			lbx_plat_free(fresh.bytes);
			return;
		}
		memcpy(fresh.sites, plan->sites, plan->n * sizeof(*fresh.sites));
		fresh.n = plan->n;
		fresh.found = plan->found;
		fresh.unsafe = plan->unsafe;
	}
	fresh.inode = lbx_inode_get(inode);
	fresh.off = off;
	fresh.len = len;
	fresh.size = LBX_READ_ONCE(inode->size);
	fresh.mtime = inode->mtime;

	lbx_plat_mutex_lock(&c->lock);
	victim = &c->e[0];
	for (k = 0; k < SLOTS; k++) {
		struct entry *e = &c->e[k];

		if (!e->inode || (e->inode == inode && e->off == off && e->len == len)) {
			victim = e;
			break;
		}
		if (e->used < victim->used)
			victim = e;
	}
	fresh.used = ++c->clock;
	/* The old entry's references go outside the lock: swap, then drop. */
	{
		struct entry old = *victim;

		*victim = fresh;
		lbx_plat_mutex_unlock(&c->lock);
		drop(&old);
	}
}
