/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The string functions core uses. Hosted builds get them from the host
 * (the kernel's or libc's); the freestanding build gets core/lib/string.c.
 */
#ifndef LITEBOX_STRING_H
#define LITEBOX_STRING_H

#include <litebox/plat_types.h>

#ifndef LBX_HOST_STRING
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and always terminates; returns the length
 * copied, or -E2BIG when src did not fit (as the kernel's strscpy). */
ssize_t lbx_strscpy(char *dst, const char *src, size_t size);

#endif
