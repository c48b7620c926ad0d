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
	mov	$158, %eax			/* SYS_arch_prctl */
	mov	$0x1002, %edi			/* ARCH_SET_FS */
	mov	144(%r12), %rsi			/* regs->fs_base */
	syscall
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
