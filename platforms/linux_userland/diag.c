// SPDX-License-Identifier: GPL-2.0
/*
 * The platform contract's diagnostics in userland: no tracer (the event
 * hooks are no-ops), and the lock-tracing sink of LBX_LOCKTRACE builds:
 * JSON lines appended to the file named by $LBX_LOCKTRACE, one write(2)
 * per event (O_APPEND keeps concurrent lines whole).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <litebox/task.h>
#include "userland.h"

void lbx_plat_trace_signal(struct lbx_thread *t, u32 signo, u64 handler)
{
}

void lbx_plat_trace_fault(struct lbx_thread *t, u32 signo, u64 addr)
{
}

void lbx_plat_trace_limit(u32 which, u64 limit)
{
}

/* -2: not opened yet; -1: no $LBX_LOCKTRACE (or it cannot be opened). */
static _Atomic int locktrace_fd = -2;

static int locktrace_open(void)
{
	const char *path = getenv("LBX_LOCKTRACE");
	int fd = -1, expected = -2;

	if (path && *path)
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = -1;
	if (!atomic_compare_exchange_strong(&locktrace_fd, &expected, fd)) {
		/* Another thread opened it first. */
		if (fd >= 0)
			close(fd);
		fd = expected;
	}
	return fd;
}

void lbx_plat_locktrace_emit(const struct lbx_lock_event *ev)
{
	static const char *const evs[] = { "contend", "acquire", "release" };
	static const char *const kinds[] = { "mutex", "spin" };
	int fd = atomic_load(&locktrace_fd);
	char line[320];
	int n;

	if (fd == -2)
		fd = locktrace_open();
	if (fd < 0 || ev->ev > 2 || ev->kind > 1)
		return;
	n = snprintf(line, sizeof(line),
		     "{\"ns\":%llu,\"tid\":%d,\"ev\":\"%s\",\"kind\":\"%s\",\"lock\":\"%p\","
		     "\"site\":\"%s\",\"wait_ns\":%llu}\n",
		     (unsigned long long)ev->ns, (int)gettid(), evs[ev->ev], kinds[ev->kind],
		     ev->lock, ev->site, (unsigned long long)ev->wait_ns);
	if (n > 0 && n < (int)sizeof(line))
		(void)!write(fd, line, n);
}
