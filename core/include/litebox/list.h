/* SPDX-License-Identifier: GPL-2.0 */
/* An intrusive doubly linked list, as the kernel's list_head. */
#ifndef LITEBOX_LIST_H
#define LITEBOX_LIST_H

#include <litebox/plat_types.h>

struct lbx_list_head {
	struct lbx_list_head *next, *prev;
};

static inline void lbx_list_init(struct lbx_list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool lbx_list_empty(const struct lbx_list_head *h)
{
	return h->next == h;
}

static inline void lbx_list_add(struct lbx_list_head *n,
				struct lbx_list_head *h)
{
	n->prev = h;
	n->next = h->next;
	h->next->prev = n;
	h->next = n;
}

static inline void lbx_list_add_tail(struct lbx_list_head *n,
				     struct lbx_list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void lbx_list_del(struct lbx_list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	lbx_list_init(n);
}

#define lbx_list_entry(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define lbx_list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

#define lbx_list_for_each_safe(pos, n, head) \
	for (pos = (head)->next, n = pos->next; pos != (head); \
	     pos = n, n = pos->next)

#endif
