/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw clone3 for the guest tests that make threads or processes with it
 * (glibc has no wrapper): gt_clone3(args, size, fn, arg) runs fn(arg) in
 * the child on its new stack, which then exits (that thread only) with
 * fn's result; the parent gets the system call's result. Include once per
 * program.
 */
#ifndef GUEST_CLONE3_H
#define GUEST_CLONE3_H

#include <stddef.h>
#include <linux/sched.h>

long gt_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".globl gt_clone3\n"
	".type gt_clone3,@function\n"
	"gt_clone3:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"		/* exit: this thread only */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n");

#endif
