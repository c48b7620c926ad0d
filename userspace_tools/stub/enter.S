/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbx_stub_enter_guest(const struct lbx_regs *regs, uint32_t resume_flags):
 * load the guest's FS base (when asked), all general registers, rsp, and
 * jump to rip. Nothing of the launcher's state survives.
 */
	.text
	.globl	lbx_stub_enter_guest
	.type	lbx_stub_enter_guest, @function
lbx_stub_enter_guest:
	mov	%rdi, %r12			/* regs */
	test	$1, %esi			/* LBX_RESUME_SET_FS */
	jz	1f
	mov	$158, %edi			/* SYS_arch_prctl */
	mov	$0x1002, %esi			/* ARCH_SET_FS */
	mov	144(%r12), %rdx			/* regs->fs_base */
	call	lbx_stub_hostcall
1:
	mov	128(%r12), %rsp			/* regs->rsp */
	push	120(%r12)			/* regs->rip */
	mov	0(%r12), %r15
	mov	8(%r12), %r14
	mov	16(%r12), %r13
	mov	32(%r12), %rbp
	mov	40(%r12), %rbx
	mov	48(%r12), %r11
	mov	56(%r12), %r10
	mov	64(%r12), %r9
	mov	72(%r12), %r8
	mov	80(%r12), %rax
	mov	88(%r12), %rcx
	mov	96(%r12), %rdx
	mov	104(%r12), %rsi
	mov	112(%r12), %rdi
	mov	24(%r12), %r12
	ret
	.size	lbx_stub_enter_guest, .-lbx_stub_enter_guest
	.section .note.GNU-stack,"",@progbits

/*
 * long lbx_stub_hostcall(long nr, long a0, long a1, long a2, long a3, long a4):
 * the one syscall instruction from which the stub performs host operations
 * (exit, exit_group, mprotect, arch_prctl, clone). The seccomp filter allows
 * those calls only when they return to lbx_stub_hostcall_ret, so guest code
 * cannot make them behind LiteBox's back (it can jump here, but then it only
 * does what the stub could have done for it).
 */
	.text
	.globl	lbx_stub_hostcall
	.type	lbx_stub_hostcall, @function
lbx_stub_hostcall:
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	xor	%r9d, %r9d
	syscall
	.globl	lbx_stub_hostcall_ret
lbx_stub_hostcall_ret:
	ret
	.size	lbx_stub_hostcall, .-lbx_stub_hostcall
	.section .note.GNU-stack,"",@progbits

/*
 * The restorer of the stub's own signal handlers: the only rt_sigreturn the
 * seccomp filter lets through (it checks that the call returns to
 * lbx_stub_restorer_ret). A guest's rt_sigreturn traps and is LiteBox's.
 */
	.text
	.globl	lbx_stub_restorer
	.type	lbx_stub_restorer, @function
lbx_stub_restorer:
	mov	$15, %eax			/* SYS_rt_sigreturn */
	syscall
	.globl	lbx_stub_restorer_ret
lbx_stub_restorer_ret:
	hlt
	.size	lbx_stub_restorer, .-lbx_stub_restorer
	.section .note.GNU-stack,"",@progbits

/*
 * long lbx_stub_spawn_thread(unsigned long flags, void *stack_top): clone a
 * host thread for a new guest thread (LBX_HOSTOP_THREAD). The child starts
 * on stack_top and runs lbx_stub_thread_main(); the parent returns the host
 * tid or -errno. The seccomp filter allows this clone only when it returns
 * to lbx_stub_spawn_ret.
 */
	.text
	.globl	lbx_stub_spawn_thread
	.type	lbx_stub_spawn_thread, @function
lbx_stub_spawn_thread:
	xor	%edx, %edx			/* parent_tid */
	xor	%r10d, %r10d			/* child_tid */
	xor	%r8d, %r8d			/* tls */
	mov	$56, %eax			/* SYS_clone */
	syscall
	.globl	lbx_stub_spawn_ret
lbx_stub_spawn_ret:
	test	%rax, %rax
	jnz	1f
	xor	%ebp, %ebp			/* the child, on its new stack */
	and	$-16, %rsp
	call	lbx_stub_thread_main
	hlt
1:	ret
	.size	lbx_stub_spawn_thread, .-lbx_stub_spawn_thread
	.section .note.GNU-stack,"",@progbits

/*
 * lbx_stub_direct: the direct entry, called by the trampoline of a rewritten
 * syscall site (core/include/litebox/rewrite.h) with the guest's registers,
 * 128 bytes below the guest's stack pointer. [rsp] is the return address:
 * the trampoline's `lea 128(%rsp), %rsp`, 12 bytes before the guest rip of
 * the call (after the trampoline's own syscall instruction).
 *
 * It builds a struct lbx_syscall (in userland mode on the thread's own
 * direct stack, struct lbx_stub_tls at the GS base; else here), saves the
 * vector state LiteBox's C code may change when the thread has an xsave
 * area (userland mode, where that code runs in this process): xmm0-15 and
 * MXCSR when lbx-run made its C library use its SSE
 * string functions (lbx_stub_xsave_full 0: then nothing in LiteBox touches
 * x87, AVX or AVX-512 state), else all of x87, SSE, AVX and AVX-512 with
 * XSAVEOPT (mask 0xe7; LiteBox never touches PKRU or AMX), and calls
 * lbx_stub_direct_c(). Back in the trampoline: rcx = 0 and rax = the result,
 * or rcx = 1 and rax = the number to trap with. Every other register and
 * the flags are the guest's.
 */
#define SC_SIZE		224
#define SC_R15		8
#define SC_R14		16
#define SC_R13		24
#define SC_R12		32
#define SC_RBP		40
#define SC_RBX		48
#define SC_R11		56
#define SC_R10		64
#define SC_R9		72
#define SC_R8		80
#define SC_RAX		88
#define SC_RCX		96
#define SC_RDX		104
#define SC_RSI		112
#define SC_RDI		120
#define SC_RIP		128
#define SC_RSP		136
#define SC_RFLAGS	144
#define SC_RESUME	168	/* resume_flags, then hostop */
#define SC_IOC		0xc0e0bb11	/* LBX_IOC_SYSCALL (stub.c checks both) */

#include "stub.h"
#ifdef LBX_STUB_USERLAND
/* The calling thread's direct stack (0: none) and xsave area (0: none). */
#define LOAD_DIRECT_STACK(r)	mov %gs:LBX_STUB_TLS_DIRECT_STACK, r
#define LOAD_XSAVE_AREA(r)	mov %gs:LBX_STUB_TLS_XSAVE_AREA, r
#else
#define LOAD_DIRECT_STACK(r)	xor r, r
#define LOAD_XSAVE_AREA(r)	xor r, r
#endif

	.text
	.globl	lbx_stub_direct
	.type	lbx_stub_direct, @function
lbx_stub_direct:
	pushfq
	push	%rbp
	mov	%rsp, %rbp			/* 0: rbp, 8: rflags, 16: return */
	push	%rax
	LOAD_DIRECT_STACK(%rax)
	test	%rax, %rax
	cmovz	%rsp, %rax
	and	$-16, %rax
	sub	$SC_SIZE, %rax
	mov	%rax, %rsp
	movl	$SC_SIZE, 0(%rsp)
	movl	$1, 4(%rsp)			/* LBX_SYSCALL_DIRECT */
	mov	%r15, SC_R15(%rsp)
	mov	%r14, SC_R14(%rsp)
	mov	%r13, SC_R13(%rsp)
	mov	%r12, SC_R12(%rsp)
	mov	%rbx, SC_RBX(%rsp)
	mov	%r11, SC_R11(%rsp)
	mov	%r10, SC_R10(%rsp)
	mov	%r9, SC_R9(%rsp)
	mov	%r8, SC_R8(%rsp)
	mov	%rcx, SC_RCX(%rsp)
	mov	%rdx, SC_RDX(%rsp)
	mov	%rsi, SC_RSI(%rsp)
	mov	%rdi, SC_RDI(%rsp)
	mov	-8(%rbp), %rax
	mov	%rax, SC_RAX(%rsp)
	mov	0(%rbp), %rax
	mov	%rax, SC_RBP(%rsp)
	mov	16(%rbp), %rax
	add	$12, %rax
	mov	%rax, SC_RIP(%rsp)
	lea	(24 + 128)(%rbp), %rax
	mov	%rax, SC_RSP(%rsp)
	mov	8(%rbp), %rax
	mov	%rax, SC_RFLAGS(%rsp)
	xor	%eax, %eax
	mov	$152, %ecx
1:	mov	%rax, (%rsp, %rcx)		/* fs_base to the end: zero */
	add	$8, %rcx
	cmp	$SC_SIZE, %ecx
	jb	1b
	/* Kernel mode: the ioctl right here, and back at once when only rax
	 * changed (the common case); the C half does the rest. */
	cmpb	$0, lbx_stub_direct_ioctl(%rip)
	je	8f
6:	mov	$16, %eax			/* SYS_ioctl */
	mov	$3, %edi			/* LBX_SANDBOX_FD */
	mov	$SC_IOC, %esi			/* LBX_IOC_SYSCALL */
	mov	%rsp, %rdx
	syscall
	cmp	$-4, %rax			/* EINTR: enter again */
	je	6b
	test	%rax, %rax
	jnz	7f
	cmpq	$0, SC_RESUME(%rsp)		/* resume_flags, hostop */
	jne	7f
	xor	%ecx, %ecx			/* served: rcx = 0 */
	jmp	3f
7:	mov	%rax, %rsi			/* the ioctl's own result */
	mov	%rsp, %rdi
	cld
	call	lbx_stub_direct_finish
	mov	%eax, %ecx
	jmp	3f
8:	LOAD_XSAVE_AREA(%r11)
	test	%r11, %r11
	jz	2f
	cmpb	$0, lbx_stub_xsave_full(%rip)
	jne	4f
	movdqu	%xmm0, 0(%r11)
	movdqu	%xmm1, 16(%r11)
	movdqu	%xmm2, 32(%r11)
	movdqu	%xmm3, 48(%r11)
	movdqu	%xmm4, 64(%r11)
	movdqu	%xmm5, 80(%r11)
	movdqu	%xmm6, 96(%r11)
	movdqu	%xmm7, 112(%r11)
	movdqu	%xmm8, 128(%r11)
	movdqu	%xmm9, 144(%r11)
	movdqu	%xmm10, 160(%r11)
	movdqu	%xmm11, 176(%r11)
	movdqu	%xmm12, 192(%r11)
	movdqu	%xmm13, 208(%r11)
	movdqu	%xmm14, 224(%r11)
	movdqu	%xmm15, 240(%r11)
	stmxcsr	256(%r11)
	jmp	2f
4:	mov	$0xe7, %eax
	xor	%edx, %edx
	xsaveopt64	(%r11)
2:	mov	%rsp, %rdi
	cld
	call	lbx_stub_direct_c
	mov	%eax, %ecx
	LOAD_XSAVE_AREA(%r11)
	test	%r11, %r11
	jz	3f
	cmpb	$0, lbx_stub_xsave_full(%rip)
	jne	5f
	movdqu	0(%r11), %xmm0
	movdqu	16(%r11), %xmm1
	movdqu	32(%r11), %xmm2
	movdqu	48(%r11), %xmm3
	movdqu	64(%r11), %xmm4
	movdqu	80(%r11), %xmm5
	movdqu	96(%r11), %xmm6
	movdqu	112(%r11), %xmm7
	movdqu	128(%r11), %xmm8
	movdqu	144(%r11), %xmm9
	movdqu	160(%r11), %xmm10
	movdqu	176(%r11), %xmm11
	movdqu	192(%r11), %xmm12
	movdqu	208(%r11), %xmm13
	movdqu	224(%r11), %xmm14
	movdqu	240(%r11), %xmm15
	ldmxcsr	256(%r11)
	jmp	3f
5:	mov	$0xe7, %eax
	xor	%edx, %edx
	xrstor64 (%r11)
3:	mov	SC_RAX(%rsp), %rax
	mov	SC_RDI(%rsp), %rdi
	mov	SC_RSI(%rsp), %rsi
	mov	SC_RDX(%rsp), %rdx
	mov	SC_R10(%rsp), %r10
	mov	SC_R8(%rsp), %r8
	mov	SC_R9(%rsp), %r9
	mov	%rbp, %rsp
	pop	%rbp
	popfq
	ret
	.size	lbx_stub_direct, .-lbx_stub_direct
	.section .note.GNU-stack,"",@progbits

/* How much extended state the direct entry saves (set by lbx-run), and
 * whether it issues the ioctl itself (set by lbx-launch). */
	.bss
	.globl	lbx_stub_xsave_full
lbx_stub_xsave_full:
	.byte	0
	.globl	lbx_stub_direct_ioctl
lbx_stub_direct_ioctl:
	.byte	0

/*
 * memset and memcpy of the kernel-mode stub (stub.c's objects are renamed
 * to these): plain rep stos/movs, which leave the guest's vector registers
 * alone (the direct entry does not save them there).
 */
	.text
	.globl	lbx_stub_memset
	.type	lbx_stub_memset, @function
lbx_stub_memset:
	mov	%rdi, %r9
	mov	%esi, %eax
	mov	%rdx, %rcx
	rep stosb
	mov	%r9, %rax
	ret
	.size	lbx_stub_memset, .-lbx_stub_memset
	.globl	lbx_stub_memcpy
	.type	lbx_stub_memcpy, @function
lbx_stub_memcpy:
	mov	%rdi, %rax
	mov	%rdx, %rcx
	rep movsb
	ret
	.size	lbx_stub_memcpy, .-lbx_stub_memcpy
	.section .note.GNU-stack,"",@progbits
