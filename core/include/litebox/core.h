/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common definitions for core/ and shims/: the only headers they include
 * are LiteBox's own and the platform's type header.
 */
#ifndef LITEBOX_CORE_H
#define LITEBOX_CORE_H

#include <litebox/plat_types.h>
#include <litebox/errno.h>
#include <litebox/platform.h>
#include <litebox/string.h>

#define LBX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define lbx_min(a, b) ((a) < (b) ? (a) : (b))
#define lbx_max(a, b) ((a) > (b) ? (a) : (b))
#define LBX_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define LBX_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define LBX_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define lbx_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
/* Marks an intended switch fall-through (the kernel builds with
 * -Wimplicit-fallthrough, which accepts only the attribute). */
#define lbx_fallthrough __attribute__((__fallthrough__))
#define lbx_likely(x) __builtin_expect(!!(x), 1)
#define lbx_unlikely(x) __builtin_expect(!!(x), 0)
/* Checked arithmetic: true on overflow, as the kernel's check_*_overflow. */
#define lbx_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define lbx_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define lbx_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)

#define LBX_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define LBX_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define LBX_NSEC_PER_SEC 1000000000ULL

#define __lbx_printf(a, b) __attribute__((format(printf, a, b)))

/* A bounded formatter (%d %i %u %x %X %o %s %c %p %%, with l/ll/z/h, width,
 * precision, '-', '0'). Returns the length the full output would have. */
int lbx_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int lbx_snprintf(char *buf, size_t size, const char *fmt, ...) __lbx_printf(3, 4);

void lbx_log(int level, const char *fmt, ...) __lbx_printf(2, 3);
#define lbx_err(...) lbx_log(LBX_LOG_ERR, __VA_ARGS__)
#define lbx_warn(...) lbx_log(LBX_LOG_WARN, __VA_ARGS__)
#define lbx_info(...) lbx_log(LBX_LOG_INFO, __VA_ARGS__)
#define lbx_dbg(...) lbx_log(LBX_LOG_DEBUG, __VA_ARGS__)

#endif
