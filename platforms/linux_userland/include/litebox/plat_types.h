/* SPDX-License-Identifier: GPL-2.0 */
/* Types for core/ when it is built into a Linux userland process. */
#ifndef LITEBOX_PLAT_TYPES_H
#define LITEBOX_PLAT_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define LBX_HOST_STRING 1

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define LBX_PAGE_SIZE 4096UL

/* A futex word: 0 unlocked, 1 locked, 2 locked with waiters. */
struct lbx_plat_mutex {
	u32 word;
};

struct lbx_plat_spinlock {
	u32 word;
};

#endif
