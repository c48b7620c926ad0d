/* SPDX-License-Identifier: GPL-2.0 */
/*
 * litebox:* tracepoints (tracefs events/litebox/, bpftrace
 * tracepoint:litebox:..., BPF SEC("tp/litebox/...")). Defined once, in
 * kmod/trace.c.
 *
 * sb is the sandbox id (as in /sys/kernel/debug/litebox/<id>), pid and tid
 * are the guest's own (LiteBox's pid space); the host task is the one the
 * event fires in. Field layouts are part of the operator interface:
 * scripts/bpftrace and lbx-top read them; add fields at the end only.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM litebox

#if !defined(LBX_KMOD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define LBX_KMOD_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(lbx_sandbox_create,
	TP_PROTO(u32 sb, u64 fs_mem, u32 max_procs, u32 max_threads, u32 max_fds),
	TP_ARGS(sb, fs_mem, max_procs, max_threads, max_fds),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, max_procs)
		__field(u64, fs_mem)
		__field(u32, max_threads)
		__field(u32, max_fds)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->max_procs = max_procs;
		__entry->fs_mem = fs_mem;
		__entry->max_threads = max_threads;
		__entry->max_fds = max_fds;
	),
	TP_printk("sb=%u fs_mem=%llu max_procs=%u max_threads=%u max_fds=%u",
		  __entry->sb, __entry->fs_mem, __entry->max_procs,
		  __entry->max_threads, __entry->max_fds)
);

TRACE_EVENT(lbx_sandbox_destroy,
	TP_PROTO(u32 sb, u64 syscalls, u64 errors),
	TP_ARGS(sb, syscalls, errors),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u64, syscalls)
		__field(u64, errors)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->syscalls = syscalls;
		__entry->errors = errors;
	),
	TP_printk("sb=%u syscalls=%llu errors=%llu",
		  __entry->sb, __entry->syscalls, __entry->errors)
);

TRACE_EVENT(lbx_syscall_enter,
	TP_PROTO(u32 sb, u32 pid, u32 tid, u64 nr),
	TP_ARGS(sb, pid, tid, nr),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, pid)
		__field(u32, tid)
		__field(u32, nr)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->pid = pid;
		__entry->tid = tid;
		__entry->nr = nr;
	),
	TP_printk("sb=%u pid=%u tid=%u nr=%u",
		  __entry->sb, __entry->pid, __entry->tid, __entry->nr)
);

/* ret is rax on the way out (for rt_sigreturn and execve: the restored
 * register, not a result); duration_ns covers the whole service. */
TRACE_EVENT(lbx_syscall_exit,
	TP_PROTO(u32 sb, u32 pid, u32 tid, u64 nr, s64 ret, u64 duration_ns),
	TP_ARGS(sb, pid, tid, nr, ret, duration_ns),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, pid)
		__field(u32, tid)
		__field(u32, nr)
		__field(s64, ret)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->pid = pid;
		__entry->tid = tid;
		__entry->nr = nr;
		__entry->ret = ret;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("sb=%u pid=%u tid=%u nr=%u ret=%lld ns=%llu",
		  __entry->sb, __entry->pid, __entry->tid, __entry->nr,
		  __entry->ret, __entry->duration_ns)
);

TRACE_EVENT(lbx_signal_deliver,
	TP_PROTO(u32 sb, u32 tid, u32 signo, u64 handler),
	TP_ARGS(sb, tid, signo, handler),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, tid)
		__field(u32, signo)
		__field(u64, handler)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->tid = tid;
		__entry->signo = signo;
		__entry->handler = handler;
	),
	TP_printk("sb=%u tid=%u signo=%u handler=0x%llx",
		  __entry->sb, __entry->tid, __entry->signo, __entry->handler)
);

TRACE_EVENT(lbx_guest_fault,
	TP_PROTO(u32 sb, u32 tid, u32 signo, u64 addr),
	TP_ARGS(sb, tid, signo, addr),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, tid)
		__field(u32, signo)
		__field(u64, addr)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->tid = tid;
		__entry->signo = signo;
		__entry->addr = addr;
	),
	TP_printk("sb=%u tid=%u signo=%u addr=0x%llx",
		  __entry->sb, __entry->tid, __entry->signo, __entry->addr)
);

/* A host operation handed to the stub (LBX_HOSTOP_*: 1 exit_group,
 * 2 exit_thread, 3 mprotect, 4 fork, 5 thread). */
TRACE_EVENT(lbx_hostop,
	TP_PROTO(u32 sb, u32 tid, u32 kind, u64 a0, u64 a1, u64 a2),
	TP_ARGS(sb, tid, kind, a0, a1, a2),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, tid)
		__field(u32, kind)
		__field(u64, a0)
		__field(u64, a1)
		__field(u64, a2)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->tid = tid;
		__entry->kind = kind;
		__entry->a0 = a0;
		__entry->a1 = a1;
		__entry->a2 = a2;
	),
	TP_printk("sb=%u tid=%u kind=%u args=0x%llx,0x%llx,0x%llx",
		  __entry->sb, __entry->tid, __entry->kind, __entry->a0,
		  __entry->a1, __entry->a2)
);

/* which: 1 fs_mem, 2 procs, 3 threads, 4 fds (enum lbx_limit_kind). */
TRACE_EVENT(lbx_limit_hit,
	TP_PROTO(u32 sb, u32 which, u64 limit),
	TP_ARGS(sb, which, limit),
	TP_STRUCT__entry(
		__field(u32, sb)
		__field(u32, which)
		__field(u64, limit)
	),
	TP_fast_assign(
		__entry->sb = sb;
		__entry->which = which;
		__entry->limit = limit;
	),
	TP_printk("sb=%u limit=%s value=%llu", __entry->sb,
		  __print_symbolic(__entry->which, { 1, "fs_mem" }, { 2, "procs" },
				   { 3, "threads" }, { 4, "fds" }),
		  __entry->limit)
);

#ifdef LBX_LOCKTRACE
/* Lock tracing builds only (make LBX_LOCKTRACE=1): one JSON object per
 * event in the trace buffer (ev: 0 contend, 1 acquire, 2 release). */
TRACE_EVENT(lbx_lock,
	TP_PROTO(u8 ev, u8 kind, const void *lock, const char *site, u64 wait_ns),
	TP_ARGS(ev, kind, lock, site, wait_ns),
	TP_STRUCT__entry(
		__field(u8, ev)
		__field(u8, kind)
		__field(const void *, lock)
		__string(site, site)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->ev = ev;
		__entry->kind = kind;
		__entry->lock = lock;
		__assign_str(site, site);
		__entry->wait_ns = wait_ns;
	),
	TP_printk("{\"ev\":\"%s\",\"kind\":\"%s\",\"lock\":\"%px\",\"site\":\"%s\",\"wait_ns\":%llu}",
		  __print_symbolic(__entry->ev, { 0, "contend" }, { 1, "acquire" },
				   { 2, "release" }),
		  __entry->kind ? "spin" : "mutex", __entry->lock, __get_str(site),
		  __entry->wait_ns)
);
#endif

#endif /* LBX_KMOD_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
