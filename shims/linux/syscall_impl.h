/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The implemented system calls, one LBX_IMPL(name) each, by area. This list
 * is the syscall table: syscall.c builds the dispatch array from it and
 * scripts/gen-syscall-doc builds docs/syscalls.md from it.
 */

/* sys_proc.c: process identity and lifetime */
LBX_IMPL(exit)
LBX_IMPL(exit_group)
LBX_IMPL(getpid)
LBX_IMPL(getppid)
LBX_IMPL(gettid)
LBX_IMPL(getuid)
LBX_IMPL(geteuid)
LBX_IMPL(getgid)
LBX_IMPL(getegid)
LBX_IMPL(arch_prctl)
LBX_IMPL(set_tid_address)
LBX_IMPL(set_robust_list)
LBX_IMPL(uname)
LBX_IMPL(prlimit64)
LBX_IMPL(getrlimit)
LBX_IMPL(sched_yield)
LBX_IMPL(getrandom)

/* sys_mm.c: memory */
LBX_IMPL(brk)
LBX_IMPL(mmap)
LBX_IMPL(munmap)
LBX_IMPL(mprotect)

/* sys_time.c: clocks */
LBX_IMPL(clock_gettime)
LBX_IMPL(clock_getres)
LBX_IMPL(gettimeofday)
LBX_IMPL(time)
LBX_IMPL(nanosleep)
LBX_IMPL(clock_nanosleep)
