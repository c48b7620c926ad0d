// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling and system information, as properties that hold natively and
 * under LiteBox: sysinfo agrees with /proc/meminfo and /proc/uptime;
 * getcpu and the affinity mask name CPUs /proc/cpuinfo lists; policies,
 * priority ranges and nice values round-trip; membarrier does what its
 * QUERY reports and refuses the rest.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <linux/membarrier.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include "guest_test.h"

/* A "Name: value" number of a /proc file; -1 if missing. */
static long long proc_field(const char *path, const char *name)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(name);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int cpuinfo_processors(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "processor", 9);
	fclose(f);
	return n;
}

static void test_sysinfo(void)
{
	struct sysinfo si;
	long long total_kb = proc_field("/proc/meminfo", "MemTotal");
	long long free_kb = proc_field("/proc/meminfo", "MemFree");
	double up = -1;
	FILE *f;

	CHECK(sysinfo(&si) == 0, "sysinfo");
	CHECK(si.mem_unit >= 1, "mem_unit %u", si.mem_unit);
	CHECK(total_kb > 0 && (long long)((unsigned long long)si.totalram * si.mem_unit >> 10) ==
	      total_kb, "totalram %lu x %u vs MemTotal %lld kB", si.totalram, si.mem_unit,
	      total_kb);
	CHECK(si.freeram <= si.totalram, "freeram <= totalram");
	{
		long long fkb = (long long)((unsigned long long)si.freeram * si.mem_unit >> 10);
		long long d = fkb > free_kb ? fkb - free_kb : free_kb - fkb;

		CHECK(free_kb >= 0 && d <= total_kb / 20, "freeram %lld kB vs MemFree %lld kB",
		      fkb, free_kb);
	}
	CHECK(si.procs >= 1, "procs %u", si.procs);
	f = fopen("/proc/uptime", "r");
	CHECK(f && fscanf(f, "%lf", &up) == 1, "/proc/uptime");
	if (f)
		fclose(f);
	CHECK(si.uptime >= 0 && si.uptime - up >= -1 && si.uptime - up <= 2,
	      "uptime %ld vs /proc/uptime %.2f", si.uptime, up);
	CHECK_ERR(syscall(SYS_sysinfo, (void *)8), EFAULT);
}

static void test_cpu(void)
{
	int ncpu = cpuinfo_processors(), i, count = 0, max = -1;
	unsigned cpu = ~0U, node = ~0U;
	cpu_set_t set;
	long r;

	CHECK(ncpu >= 1, "/proc/cpuinfo lists %d processors", ncpu);
	CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0, "getcpu");
	CHECK((int)cpu >= 0 && (int)cpu < ncpu && node != ~0U, "cpu %u node %u", cpu, node);
	CHECK(syscall(SYS_getcpu, NULL, NULL, NULL) == 0, "getcpu without pointers");
	CHECK_ERR(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT);

	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0, "sched_getaffinity");
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (CPU_ISSET(i, &set)) {
			count++;
			max = i;
		}
	}
	CHECK(count >= 1 && max < ncpu, "%d CPUs in the mask, highest %d, %d listed",
	      count, max, ncpu);
	CHECK(CPU_ISSET(cpu, &set) || ncpu > 1, "getcpu's CPU is in the mask");
	r = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	CHECK(r >= 8 && r <= (long)sizeof(set) && r % 8 == 0, "raw getaffinity: %ld bytes", r);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 7, &set), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof(set), (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof(set), &set), ESRCH);

	/* Setting the mask it has is fine; none, or only CPUs that do not
	 * exist, is EINVAL. */
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0, "setaffinity, same mask");
	{
		cpu_set_t none;

		CPU_ZERO(&none);
		CHECK_ERR(sched_setaffinity(0, sizeof(none), &none), EINVAL);
		CPU_SET(CPU_SETSIZE - 1, &none);
		CHECK_ERR(sched_setaffinity(0, sizeof(none), &none), EINVAL);
		CHECK_ERR(syscall(SYS_sched_setaffinity, 0, 0, &set), EINVAL);
		CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof(set), (void *)8), EFAULT);
		CHECK_ERR(sched_setaffinity(0x3ffffff0, sizeof(set), &set), ESRCH);
	}
}

static void test_policy(void)
{
	struct sched_param p0 = { 0 }, p1 = { 1 }, p100 = { 100 }, got;
	struct timespec ts;
	int r;

	CHECK(sched_getscheduler(0) == SCHED_OTHER, "SCHED_OTHER to start with");
	CHECK(sched_setscheduler(0, SCHED_BATCH, &p0) == 0, "SCHED_BATCH");
	CHECK(sched_getscheduler(0) == SCHED_BATCH, "is SCHED_BATCH");
	CHECK(sched_setscheduler(0, SCHED_IDLE, &p0) == 0, "SCHED_IDLE");
	CHECK(sched_getscheduler(getpid()) == SCHED_IDLE, "is SCHED_IDLE");
	CHECK(sched_setscheduler(0, SCHED_OTHER, &p0) == 0, "back to SCHED_OTHER");
	CHECK(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p0) == 0,
	      "SCHED_RESET_ON_FORK");
	CHECK(sched_getscheduler(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK),
	      "reported with SCHED_RESET_ON_FORK");
	CHECK(sched_setscheduler(0, SCHED_OTHER, &p0) == 0, "and off again");
	CHECK(sched_getscheduler(0) == SCHED_OTHER, "is SCHED_OTHER");

	CHECK_ERR(sched_setscheduler(0, SCHED_BATCH, &p1), EINVAL);
	CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &p0), EINVAL);
	CHECK_ERR(sched_setscheduler(0, SCHED_RR, &p100), EINVAL);
	CHECK_ERR(sched_setscheduler(0, 4, &p0), EINVAL);
	CHECK_ERR(sched_setscheduler(0, -1, &p0), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8), EFAULT);
	CHECK_ERR(sched_setscheduler(0x3ffffff0, SCHED_OTHER, &p0), ESRCH);
	/* Real-time: granted (privileged, natively) or EPERM (LiteBox), and
	 * getscheduler agrees either way. */
	errno = 0;
	r = sched_setscheduler(0, SCHED_FIFO, &p1);
	CHECK(r == 0 || errno == EPERM, "SCHED_FIFO: 0 or EPERM");
	CHECK(sched_getscheduler(0) == (r == 0 ? SCHED_FIFO : SCHED_OTHER),
	      "getscheduler agrees");
	if (r == 0)
		sched_setscheduler(0, SCHED_OTHER, &p0);

	memset(&got, 0x55, sizeof(got));
	CHECK(sched_getparam(0, &got) == 0 && got.sched_priority == 0, "getparam: 0");
	CHECK(sched_setparam(0, &p0) == 0, "setparam 0");
	CHECK_ERR(sched_setparam(0, &p1), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getparam, -1, &got), EINVAL);
	CHECK_ERR(sched_getscheduler(-1), EINVAL);
	CHECK_ERR(sched_getscheduler(0x3ffffff0), ESRCH);

	CHECK(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1,
	      "FIFO range");
	CHECK(sched_get_priority_max(SCHED_RR) == 99 && sched_get_priority_min(SCHED_RR) == 1,
	      "RR range");
	CHECK(sched_get_priority_max(SCHED_OTHER) == 0 && sched_get_priority_min(SCHED_OTHER) == 0,
	      "OTHER range");
	CHECK(sched_get_priority_max(SCHED_BATCH) == 0 && sched_get_priority_min(SCHED_IDLE) == 0,
	      "BATCH/IDLE range");
	CHECK_ERR(sched_get_priority_max(42), EINVAL);
	CHECK_ERR(sched_get_priority_min(-1), EINVAL);

	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec >= 0 && ts.tv_nsec >= 0 &&
	      ts.tv_nsec < 1000000000, "rr interval");
	CHECK_ERR(sched_rr_get_interval(-1, &ts), EINVAL);
	CHECK(sched_yield() == 0, "sched_yield");
}

static void test_nice(void)
{
	int n0, n;

	errno = 0;
	n0 = getpriority(PRIO_PROCESS, 0);
	CHECK(errno == 0 && n0 >= -20 && n0 <= 19, "nice %d", n0);
	n = n0 < 15 ? n0 + 3 : n0 - 3;
	CHECK(setpriority(PRIO_PROCESS, 0, n) == 0, "setpriority %d", n);
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0) == n && errno == 0, "reads back");
	CHECK(getpriority(PRIO_PROCESS, gettid()) == n, "by tid");
	CHECK(setpriority(PRIO_PROCESS, 0, 100) == 0, "setpriority 100");
	CHECK(getpriority(PRIO_PROCESS, 0) == 19, "clamped to 19");
	errno = 0;
	n = getpriority(PRIO_PGRP, 0);
	CHECK(errno == 0 && n <= 19, "PRIO_PGRP: the best of the group");
	errno = 0;
	n = getpriority(PRIO_USER, 0);
	CHECK(errno == 0 && n <= 19, "PRIO_USER: the best of the user");
	CHECK_ERR(getpriority(7, 0), EINVAL);
	CHECK_ERR(setpriority(7, 0, 0), EINVAL);
	CHECK_ERR(getpriority(PRIO_PROCESS, 0x3ffffff0), ESRCH);
	CHECK_ERR(setpriority(PRIO_PROCESS, 0x3ffffff0, 0), ESRCH);
	setpriority(PRIO_PROCESS, 0, n0);	/* back (root may raise it) */
	CHECK(nice(0) == n0 || n0 < 19, "nice(0) reads the value back");
}

static void test_membarrier(void)
{
	long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	int bit;

	CHECK(q >= 0 && !(q & ~0x3ffL), "QUERY: %#lx", q);
	if (q < 0)
		return;
	if (q & MEMBARRIER_CMD_GLOBAL)
		CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0, "GLOBAL");
	if (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
		CHECK(q & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, "its registration too");
		CHECK_ERR(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), EPERM);
		CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0,
		      "REGISTER_PRIVATE_EXPEDITED");
		CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0,
		      "PRIVATE_EXPEDITED once registered");
	}
	if (q & MEMBARRIER_CMD_GLOBAL_EXPEDITED) {
		CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0,
		      "REGISTER_GLOBAL_EXPEDITED");
		CHECK(syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) == 0,
		      "GLOBAL_EXPEDITED");
	}
	/* What it does not report, it refuses. */
	for (bit = 0; bit < 12; bit++) {
		if (q & (1L << bit))
			continue;
		CHECK_ERR(syscall(SYS_membarrier, 1L << bit, 0, 0), EINVAL);
	}
	CHECK_ERR(syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 1, 0), EINVAL);
	CHECK_ERR(syscall(SYS_membarrier, 3, 0, 0), EINVAL);
}

int main(void)
{
	test_sysinfo();
	test_cpu();
	test_policy();
	test_nice();
	test_membarrier();
	return gt_finish();
}
