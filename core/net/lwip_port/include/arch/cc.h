/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's compiler and platform port (arch/cc.h) for LiteBox: the same file
 * serves every platform. Types come from <litebox/plat_types.h> (the
 * kernel's, libc's or the freestanding ones), so lwIP includes no C library
 * header of its own; byte order is x86-64's; assertions and diagnostics go
 * to lbx_log; the few libc calls lwIP makes are core's (core/net/lwip_port.c
 * and, for lwIP's own sources, compat/string.h and compat/stdlib.h).
 */
#ifndef LBX_LWIP_ARCH_CC_H
#define LBX_LWIP_ARCH_CC_H

#include <litebox/plat_types.h>

#define LWIP_NO_STDDEF_H	1
#define LWIP_NO_STDINT_H	1
#define LWIP_NO_INTTYPES_H	1
#define LWIP_NO_LIMITS_H	1
#define LWIP_NO_CTYPE_H		1
#define LWIP_NO_UNISTD_H	1

typedef u8 u8_t;
typedef s8 s8_t;
typedef u16 u16_t;
typedef s16 s16_t;
typedef u32 u32_t;
typedef s32 s32_t;
typedef u64 u64_t;
typedef s64 s64_t;
typedef unsigned long mem_ptr_t;
#define LWIP_HAVE_INT64 1

#define X8_F	"02x"
#define U16_F	"hu"
#define S16_F	"hd"
#define X16_F	"hx"
#define U32_F	"u"
#define S32_F	"d"
#define X32_F	"x"
#define SZT_F	"zu"

#ifndef INT_MAX
#define INT_MAX		0x7fffffff
#endif
#ifndef SSIZE_MAX
#define SSIZE_MAX	0x7fffffffffffffffL
#endif

#ifndef LITTLE_ENDIAN
#define LITTLE_ENDIAN	1234
#endif
#ifndef BIG_ENDIAN
#define BIG_ENDIAN	4321
#endif
#ifndef BYTE_ORDER
#define BYTE_ORDER	LITTLE_ENDIAN
#endif

#define lwip_htons(x)	((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x)	((u32_t)__builtin_bswap32((u32_t)(x)))

/* The kernel defines ptrdiff_t; the others get it here. */
#ifndef __KERNEL__
typedef __PTRDIFF_TYPE__ ptrdiff_t;
#endif

void lbx_lwip_assert(const char *msg, const char *file, int line);
void lbx_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
u32 lbx_lwip_rand(void);
int lbx_lwip_atoi(const char *s);

#define LWIP_PLATFORM_ASSERT(x)	lbx_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_PLATFORM_DIAG(x)	do { lbx_lwip_diag x; } while (0)
#define LWIP_RAND()		lbx_lwip_rand()

#endif
