/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for a freestanding build with no C library and no host headers
 * (SEV-SNP, LVBS, and the `make check` portability lane, which compiles
 * core/ and shims/ with -ffreestanding -nostdinc against this file).
 */
#ifndef LITEBOX_PLAT_TYPES_H
#define LITEBOX_PLAT_TYPES_H

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;
typedef __SIZE_TYPE__ size_t;
typedef __INTPTR_TYPE__ ssize_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __INTPTR_TYPE__ intptr_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_copy(d, s) __builtin_va_copy(d, s)
#define offsetof(t, m) __builtin_offsetof(t, m)

#define LBX_PAGE_SIZE 4096UL

struct lbx_plat_mutex {
	u32 word;
};

struct lbx_plat_spinlock {
	u32 word;
};

#endif
