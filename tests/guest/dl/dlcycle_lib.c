// SPDX-License-Identifier: GPL-2.0
/*
 * The library tests/guest/dl/dlcycle.c opens and closes again and again:
 * no C library, one wrapper-shaped system call for the rewriter to patch.
 */
long dlcycle_getpid(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(39L) : "rcx", "r11", "memory");
	return ret;
}
