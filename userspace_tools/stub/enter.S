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
