// SPDX-License-Identifier: GPL-2.0
/*
 * The rewriter's scan results shared between sandboxes: every lbx-launch
 * builds a new sandbox whose per-sandbox cache (cache.c) starts empty, so
 * without this each start of a program scans it and its libraries again
 * (a static glibc hello: about 117,000 instructions to decode, 15 million
 * host instructions; most of its start-to-exit time in the VM).
 *
 * Keyed by content, compared exactly: an entry holds a copy of the code it
 * planned, and a lookup matches only a byte-identical copy of the same
 * length. A hash of a few sampled windows only picks the candidates. No
 * identity the launcher could claim (a host path, an inode, a hash it
 * sends) is trusted, so one sandbox cannot make another patch its code
 * from a plan made for different bytes.
 *
 * The one shortcut is an identity the platform itself vouches for
 * (lbx_plat_image_ident(): in litebox.ko, a host image file that cannot
 * have changed since), never one the launcher claims: an entry learns it
 * when its bytes are scanned or compared equal, and a later lookup with the
 * same identity takes the entry without the compare (a text-sized memcmp,
 * about half a million instructions for a static glibc program).
 *
 * Entries are shared only within a domain (the platform's choice; in
 * litebox.ko the creating host user), so that a hit, which makes an exec
 * faster, tells a sandbox nothing about the programs of other users.
 *
 * Bounded by bytes of code held (max_bytes), least recently used evicted.
 * Plans are kept for scans with sites.
 *
 * An entry known by a name may also hold the code's patched pages
 * (struct lbx_rw_text, rewrite.h), made when the name is used a second
 * time; they count against the same budget.
 *
 * Code found not worth a scan is remembered by name only (no copy of it,
 * which only a compare would need): the look that decides it reads the
 * whole code (python3's 2.6 MB of text: millions of instructions at every
 * start). Such an entry is charged NONE_COST bytes.
 */
#include <litebox/errno.h>
#include <litebox/list.h>
#include <litebox/platform.h>
#include <litebox/refcount.h>
#include <litebox/rewrite.h>
#include <litebox/string.h>

struct shared_entry {
	struct lbx_list_head lru;	/* most recently used first */
	u64 domain;
	size_t len;
	size_t charge;			/* bytes of the budget it takes */
	u64 sample;
	u8 *code;			/* the key: the code as scanned; NULL:
					 * known by name to need no scan */
	bool has_id;
	struct lbx_plat_ident id;	/* a name of the same bytes, if known */
	struct lbx_rw_site *sites;
	u32 n, found, unsafe, undecodable;
	struct lbx_rw_text *text;	/* its patched pages, or NULL */
};

struct lbx_rw_shared {
	struct lbx_plat_mutex lock;
	struct lbx_list_head lru;
	size_t bytes;			/* code held by the entries */
	size_t max_bytes;
	struct lbx_rw_shared_stats stats;
};

#define NONE_COST	256
#define SAMPLE_WINDOWS	8
#define SAMPLE_BYTES	64

/*
 * FNV-1a over the length and up to eight 64-byte windows spread over the
 * code: a cheap filter, not a proof (the proof is the memcmp).
 */
static u64 sample_hash(const u8 *code, size_t len)
{
	u64 h = 0xcbf29ce484222325ULL ^ len;
	size_t w, i, at, n;

	for (w = 0; w < SAMPLE_WINDOWS; w++) {
		at = len <= SAMPLE_BYTES ? 0 : (len - SAMPLE_BYTES) / (SAMPLE_WINDOWS - 1) * w;
		n = lbx_min(len - at, (size_t)SAMPLE_BYTES);
		for (i = 0; i < n; i++) {
			h ^= code[at + i];
			h *= 0x100000001b3ULL;
		}
		if (len <= SAMPLE_BYTES)
			break;
	}
	return h;
}

int lbx_rw_shared_create(size_t max_bytes, struct lbx_rw_shared **out)
{
	struct lbx_rw_shared *sh = lbx_plat_alloc(sizeof(*sh));

	if (!sh)
		return -ENOMEM;
	lbx_plat_mutex_init(&sh->lock);
	lbx_list_init(&sh->lru);
	sh->max_bytes = max_bytes;
	*out = sh;
	return 0;
}

/* ---- patched text ---- */

int lbx_rw_text_create(const u8 *pages, u64 size, u64 base, const struct lbx_poke *pokes,
		       u32 n, s64 delta, u32 done, const struct lbx_plat_ident *id,
		       struct lbx_rw_text **out)
{
	struct lbx_rw_text *t;
	u64 idx, pg_addr;
	u32 i = 0;
	int ret;

	if (!size || size % LBX_PAGE_SIZE || base % LBX_PAGE_SIZE)
		return -EINVAL;
	t = lbx_plat_alloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	ret = lbx_plat_shm_create("litebox-text", size, &t->shm);
	if (ret) {
		lbx_plat_free(t);
		return ret;
	}
	lbx_ref_init(&t->refs);
	t->size = size;
	t->delta = delta;
	t->done = done;
	t->id = *id;
	/* Page by page: its bytes, then the pieces of the writes on it (the
	 * writes are in address order; one may span two pages). */
	for (idx = 0, pg_addr = base; idx < size / LBX_PAGE_SIZE; idx++, pg_addr += LBX_PAGE_SIZE) {
		u64 pg_end = pg_addr + LBX_PAGE_SIZE;
		struct lbx_shm_page pg;

		ret = lbx_plat_shm_page_get(t->shm, idx, &pg);
		if (ret) {
			lbx_rw_text_put(t);
			return ret;
		}
		memcpy(pg.addr, pages + idx * LBX_PAGE_SIZE, LBX_PAGE_SIZE);
		for (; i < n && pokes[i].dst < pg_end; i++) {
			u64 s = lbx_max(pokes[i].dst, pg_addr);
			u64 e = lbx_min(pokes[i].dst + pokes[i].len, pg_end);

			if (e > s)
				memcpy((u8 *)pg.addr + (s - pg_addr),
				       (const u8 *)pokes[i].src + (s - pokes[i].dst), e - s);
			if (pokes[i].dst + pokes[i].len > pg_end)
				break;	/* its rest is on the next page */
		}
		lbx_plat_shm_page_put(&pg, true);
	}
	*out = t;
	return 0;
}

void lbx_rw_text_put(struct lbx_rw_text *t)
{
	if (!t || !lbx_ref_put(&t->refs))
		return;
	lbx_plat_shm_destroy(t->shm);
	lbx_plat_free(t);
}

static void entry_free(struct shared_entry *e)
{
	lbx_rw_text_put(e->text);
	lbx_plat_free(e->sites);
	lbx_plat_free_large(e->code);
	lbx_plat_free(e);
}

/* Takes e out of sh's list (sh->lock held); the caller frees it. */
static void entry_unlink(struct lbx_rw_shared *sh, struct shared_entry *e)
{
	lbx_list_del(&e->lru);
	sh->bytes -= e->charge;
	sh->stats.entries--;
	if (e->text) {
		sh->bytes -= e->text->size;
		sh->stats.texts--;
	}
}

void lbx_rw_shared_destroy(struct lbx_rw_shared *sh)
{
	struct lbx_list_head *pos, *next;

	if (!sh)
		return;
	lbx_list_for_each_safe(pos, next, &sh->lru) {
		struct shared_entry *e = lbx_list_entry(pos, struct shared_entry, lru);

		entry_unlink(sh, e);
		entry_free(e);
	}
	lbx_plat_free(sh);
}

/* e was just used: most recently used first (sh->lock held). */
static void touch(struct lbx_rw_shared *sh, struct shared_entry *e)
{
	lbx_list_del(&e->lru);
	lbx_list_add_tail(&e->lru, sh->lru.next);
}

static struct shared_entry *find(struct lbx_rw_shared *sh, u64 domain,
				 const u8 *code, size_t len, u64 sample)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sh->lru) {
		struct shared_entry *e = lbx_list_entry(pos, struct shared_entry, lru);

		if (e->code && e->domain == domain && e->len == len && e->sample == sample &&
		    !memcmp(e->code, code, len))
			return e;
	}
	return NULL;
}

static struct shared_entry *find_id(struct lbx_rw_shared *sh, u64 domain,
				    const struct lbx_plat_ident *id, size_t len)
{
	struct lbx_list_head *pos;

	lbx_list_for_each(pos, &sh->lru) {
		struct shared_entry *e = lbx_list_entry(pos, struct shared_entry, lru);

		if (e->domain == domain && e->len == len && e->has_id &&
		    !memcmp(&e->id, id, sizeof(*id)))
			return e;
	}
	return NULL;
}

int lbx_rw_shared_lookup(struct lbx_rw_shared *sh, u64 domain,
			 const struct lbx_plat_ident *id, const u8 *code,
			 size_t len, struct lbx_rw_plan *plan)
{
	struct lbx_rw_text *dead = NULL;
	struct shared_entry *e = NULL;
	u64 sample;
	int ret = -ENOENT;

	memset(plan, 0, sizeof(*plan));
	if (!sh || !len || len > sh->max_bytes)
		return -ENOENT;
	lbx_plat_mutex_lock(&sh->lock);
	if (id) {
		e = find_id(sh, domain, id, len);
		if (e && !e->code) {
			/* Known not to be worth a scan. */
			touch(sh, e);
			sh->stats.none_hits++;
			ret = -ESRCH;
			goto out;
		}
		if (e)
			sh->stats.ident_hits++;
	}
	if (!e) {
		/* The sample is cheap, but not free: hashed under the lock
		 * only when the identity did not do. */
		sample = sample_hash(code, len);
		e = find(sh, domain, code, len, sample);
		if (e && id) {
			e->id = *id;
			e->has_id = true;
			/* Its patched pages served the old name only. */
			if (e->text) {
				dead = e->text;
				e->text = NULL;
				sh->bytes -= dead->size;
				sh->stats.texts--;
			}
		}
	}
	if (!e) {
		sh->stats.misses++;
		goto out;
	}
	touch(sh, e);
	plan->sites = lbx_plat_alloc(lbx_max(e->n, 1u) * sizeof(*plan->sites));
	if (!plan->sites) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(plan->sites, e->sites, e->n * sizeof(*plan->sites));
	plan->n = plan->cap = e->n;
	plan->found = e->found;
	plan->unsafe = e->unsafe;
	plan->undecodable = e->undecodable;
	sh->stats.hits++;
	ret = 0;
out:
	lbx_plat_mutex_unlock(&sh->lock);
	lbx_rw_text_put(dead);
	return ret;
}

/* Evicts from the least recently used end until the budget holds, frees
 * the victims outside the lock; sh->lock held, released. */
static void evict_and_unlock(struct lbx_rw_shared *sh)
{
	struct lbx_list_head victims, *pos, *prev;

	lbx_list_init(&victims);
	for (pos = sh->lru.prev; sh->bytes > sh->max_bytes; pos = prev) {
		struct shared_entry *old = lbx_list_entry(pos, struct shared_entry, lru);

		prev = pos->prev;
		entry_unlink(sh, old);
		lbx_list_add_tail(&old->lru, &victims);
		sh->stats.evictions++;
	}
	lbx_plat_mutex_unlock(&sh->lock);
	lbx_list_for_each_safe(pos, prev, &victims)
		entry_free(lbx_list_entry(pos, struct shared_entry, lru));
}

void lbx_rw_shared_store(struct lbx_rw_shared *sh, u64 domain,
			 const struct lbx_plat_ident *id, const u8 *code,
			 size_t len, const struct lbx_rw_plan *plan)
{
	struct shared_entry *e;

	/* An entry may take at most a quarter of the budget. */
	if (!sh || !len || len > sh->max_bytes / 4)
		return;
	e = lbx_plat_alloc(sizeof(*e));
	if (!e)
		return;
	e->code = lbx_plat_alloc_large(len);
	e->sites = lbx_plat_alloc(lbx_max(plan->n, 1u) * sizeof(*e->sites));
	if (!e->code || !e->sites) {
		entry_free(e);
		return;
	}
	memcpy(e->code, code, len);
	memcpy(e->sites, plan->sites, plan->n * sizeof(*e->sites));
	e->domain = domain;
	e->len = len;
	e->charge = len;
	e->sample = sample_hash(code, len);
	e->n = plan->n;
	e->found = plan->found;
	e->unsafe = plan->unsafe;
	e->undecodable = plan->undecodable;
	if (id) {
		e->id = *id;
		e->has_id = true;
	}

	lbx_plat_mutex_lock(&sh->lock);
	/* Two sandboxes scanned the same code at once: keep the first. */
	if (find(sh, domain, code, len, e->sample)) {
		lbx_plat_mutex_unlock(&sh->lock);
		entry_free(e);
		return;
	}
	lbx_list_add_tail(&e->lru, sh->lru.next);
	sh->bytes += len;
	sh->stats.entries++;
	sh->stats.stores++;
	evict_and_unlock(sh);
}

void lbx_rw_shared_store_none(struct lbx_rw_shared *sh, u64 domain,
			      const struct lbx_plat_ident *id, size_t len)
{
	struct shared_entry *e;

	if (!sh || !id || !len || NONE_COST > sh->max_bytes / 4)
		return;
	e = lbx_plat_alloc(sizeof(*e));
	if (!e)
		return;
	e->domain = domain;
	e->len = len;
	e->charge = NONE_COST;
	e->id = *id;
	e->has_id = true;
	lbx_plat_mutex_lock(&sh->lock);
	if (find_id(sh, domain, id, len)) {
		lbx_plat_mutex_unlock(&sh->lock);
		entry_free(e);
		return;
	}
	lbx_list_add_tail(&e->lru, sh->lru.next);
	sh->bytes += e->charge;
	sh->stats.entries++;
	sh->stats.stores++;
	evict_and_unlock(sh);
}

int lbx_rw_shared_text(struct lbx_rw_shared *sh, u64 domain, const struct lbx_plat_ident *id,
		       size_t len, struct lbx_rw_text **t)
{
	struct shared_entry *e;
	int ret = -ENOENT;

	*t = NULL;
	if (!sh || !id)
		return -ENOENT;
	lbx_plat_mutex_lock(&sh->lock);
	e = find_id(sh, domain, id, len);
	if (e && !e->code)
		e = NULL;	/* no plan, so no text */
	if (e && e->text && !memcmp(&e->text->id, id, sizeof(*id))) {
		*t = e->text;
		lbx_ref_get(&e->text->refs);
		sh->stats.text_maps++;
		ret = 0;
	} else if (e) {
		ret = -ENODATA;
	}
	lbx_plat_mutex_unlock(&sh->lock);
	return ret;
}

bool lbx_rw_shared_set_text(struct lbx_rw_shared *sh, u64 domain,
			    const struct lbx_plat_ident *id, size_t len,
			    struct lbx_rw_text *t)
{
	struct shared_entry *e;

	if (!sh || !id || memcmp(&t->id, id, sizeof(*id)))
		return false;
	lbx_plat_mutex_lock(&sh->lock);
	e = find_id(sh, domain, id, len);
	/* Within the budget with its code, as an entry's code alone is. */
	if (!e || !e->code || e->text || e->len + t->size > sh->max_bytes / 4) {
		lbx_plat_mutex_unlock(&sh->lock);
		return false;
	}
	e->text = t;
	sh->bytes += t->size;
	sh->stats.texts++;
	/* Not evicted by the room it takes: it was just used. */
	touch(sh, e);
	evict_and_unlock(sh);
	return true;
}

void lbx_rw_shared_get_stats(struct lbx_rw_shared *sh, struct lbx_rw_shared_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!sh)
		return;
	lbx_plat_mutex_lock(&sh->lock);
	*st = sh->stats;
	st->bytes = sh->bytes;
	lbx_plat_mutex_unlock(&sh->lock);
}
