// SPDX-License-Identifier: GPL-2.0
/*
 * lwIP's system layer for LiteBox (NO_SYS): the clock, random numbers,
 * memory, assertions and the libc calls lwIP's sources make. See
 * lwip_port/include/arch/cc.h and lwipopts.h.
 */
#include <litebox/core.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

u32_t sys_now(void)
{
	return (u32_t)(lbx_plat_now_mono() / 1000000ULL);
}

u32 lbx_lwip_rand(void)
{
	u32 r;

	lbx_plat_random(&r, sizeof(r));
	return r;
}

/*
 * lwIP's heap. Its largest blocks are whole datagrams (64 KiB): small
 * ones come from the object allocator, the others from the large one, and
 * a header records which.
 */
#define LWIP_HDR	16
#define LWIP_SMALL_MAX	(4 * LBX_PAGE_SIZE - LWIP_HDR)

void *lbx_lwip_malloc(unsigned long size)
{
	u8 *p;

	if (size > 0x10000000UL)
		return NULL;
	if (size <= LWIP_SMALL_MAX)
		p = lbx_plat_alloc(size + LWIP_HDR);
	else
		p = lbx_plat_alloc_large(size + LWIP_HDR);
	if (!p)
		return NULL;
	*(unsigned long *)p = size;
	return p + LWIP_HDR;
}

void *lbx_lwip_calloc(unsigned long n, unsigned long size)
{
	unsigned long total;

	if (lbx_mul_overflow(n, size, &total))
		return NULL;
	return lbx_lwip_malloc(total);	/* zeroed by the platform */
}

void lbx_lwip_free(void *p)
{
	u8 *h;

	if (!p)
		return;
	h = (u8 *)p - LWIP_HDR;
	if (*(unsigned long *)h <= LWIP_SMALL_MAX)
		lbx_plat_free(h);
	else
		lbx_plat_free_large(h);
}

void lbx_lwip_assert(const char *msg, const char *file, int line)
{
	lbx_err("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

void lbx_lwip_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	lbx_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lbx_plat_log_write(LBX_LOG_DEBUG, buf);
}

int lbx_lwip_atoi(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9' && n < 100000000)
		n = n * 10 + (*s++ - '0');
	return n;
}
