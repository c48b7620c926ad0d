// SPDX-License-Identifier: GPL-2.0
/*
 * What the syscall rewriter must keep true, checked against Linux itself:
 * system calls from code the program maps and makes executable, register
 * and flag preservation across a syscall, vector registers kept across one,
 * a signal handler interrupting a blocking call made from patched code, and
 * restart. Under LiteBox (visible as "[lbx-rewrite]" mappings) it also
 * checks that code made executable by mprotect is patched at its first trap.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

/*
 * The pages of "[lbx-rewrite]" mappings in /proc/self/maps (pages, not
 * lines: a new region placed right next to an old one shows as one line).
 */
static long rewrite_pages(void)
{
	char buf[65536], *line, *nl;
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t len, off = 0;
	unsigned long a, b;
	long n = 0;

	if (fd < 0)
		return -1;
	while ((len = read(fd, buf + off, sizeof(buf) - 1 - off)) > 0)
		off += len;
	close(fd);
	buf[off] = 0;
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (strstr(line, "[lbx-rewrite]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			n += (b - a) / 4096;
	}
	return n;
}

/*
 * Under LiteBox with rewriting (before > 0: the program's own regions),
 * patching the new code mapped one more trampoline region page; natively,
 * and with --no-rewrite, there are none.
 */
static void expect_patched(long before, long after, const char *what)
{
	if (before > 0)
		CHECK(after > before, "%s: %ld region pages before, %ld after",
		      what, before, after);
	else
		CHECK(after == 0, "no rewrite regions natively (%ld)", after);
}

/* Code written to a file, mapped read-only, then made executable. */
static void test_mprotected_code(void)
{
	/* f0: mov $39,%eax; syscall; ret (getpid)
	 * f1: mov $110,%eax; syscall; cmp $-4095,%rax; ret (getppid) */
	static const unsigned char code[] = {
		0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xc3,
		0xb8, 110, 0, 0, 0, 0x0f, 0x05, 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, 0xc3,
	};
	const char *path = "/tmp/rewrite-code.bin";
	long (*f0)(void), (*f1)(void), before, after = 0;
	int fd, i;
	void *m;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0700);
	CHECK(fd >= 0, "create %s", path);
	if (fd < 0)
		return;
	CHECK(write(fd, code, sizeof(code)) == (ssize_t)sizeof(code), "write code");
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	CHECK(m != MAP_FAILED, "mmap code");
	if (m == MAP_FAILED)
		return;
	before = rewrite_pages();
	CHECK(mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0, "mprotect exec");
	f0 = (long (*)(void))m;
	f1 = (long (*)(void))((char *)m + 8);
	for (i = 0; i < 5; i++) {
		CHECK(f0() == getpid(), "getpid from mapped code, call %d", i);
		CHECK(f1() == getppid(), "getppid from mapped code, call %d", i);
		if (i == 0)
			after = rewrite_pages();
	}
	/* The mprotect (or, failing that, the first trap from the mapping)
	 * patched it. */
	expect_patched(before, after, "mprotect'd code");
	munmap(m, 4096);
	unlink(path);
}

/*
 * Code mapped executable at once, but with no syscall in the shape of a
 * wrapper (mov %rdi,%rax; syscall; ret): not scanned at mmap; its first
 * trapped syscall patches it (the lazy pass).
 */
static void test_lazy_code(void)
{
	static const unsigned char code[] = { 0x48, 0x89, 0xf8, 0x0f, 0x05, 0xc3 };
	const char *path = "/tmp/rewrite-lazy.bin";
	long (*f)(long), before, after = 0;
	int fd, i;
	void *m;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0700);
	CHECK(fd >= 0, "create %s", path);
	if (fd < 0)
		return;
	CHECK(write(fd, code, sizeof(code)) == (ssize_t)sizeof(code), "write code");
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	CHECK(m != MAP_FAILED, "mmap code");
	if (m == MAP_FAILED)
		return;
	f = (long (*)(long))m;
	before = rewrite_pages();
	for (i = 0; i < 5; i++) {
		CHECK(f(39) == getpid(), "getpid through mov %%rdi,%%rax, call %d", i);
		if (i == 0)
			after = rewrite_pages();
	}
	expect_patched(before, after, "code patched at its first trap");
	munmap(m, 4096);
	unlink(path);
}

/* Every register but rax, rcx and r11 (and the flags) survives a syscall,
 * including the vector registers. The syscall is inline in a function with
 * values live in all registers. */
static void test_registers_survive(void)
{
	uint64_t in[12], out[13];
	unsigned char xin[16], xout[16];
	uintptr_t pin = (uintptr_t)in, pout = (uintptr_t)out;
	int i;

	for (i = 0; i < 12; i++)
		in[i] = 0x1111111111111111ULL * (i + 1);
	for (i = 0; i < 16; i++)
		xin[i] = 0xa0 + i;
	__asm__ volatile(
		"movdqu %[xin], %%xmm7\n"
		"push %%rcx\n"
		"mov 0(%%rax), %%rbx\n"
		"mov 8(%%rax), %%rbp\n"
		"mov 16(%%rax), %%r12\n"
		"mov 24(%%rax), %%r13\n"
		"mov 32(%%rax), %%r14\n"
		"mov 40(%%rax), %%r15\n"
		"mov 48(%%rax), %%rdi\n"
		"mov 56(%%rax), %%rsi\n"
		"mov 64(%%rax), %%rdx\n"
		"mov 72(%%rax), %%r10\n"
		"mov 80(%%rax), %%r8\n"
		"mov 88(%%rax), %%r9\n"
		"mov $39, %%eax\n"
		"syscall\n"
		"pop %%rcx\n"
		"mov %%rax, 96(%%rcx)\n"
		"mov %%rbx, 0(%%rcx)\n"
		"mov %%rbp, 8(%%rcx)\n"
		"mov %%r12, 16(%%rcx)\n"
		"mov %%r13, 24(%%rcx)\n"
		"mov %%r14, 32(%%rcx)\n"
		"mov %%r15, 40(%%rcx)\n"
		"mov %%rdi, 48(%%rcx)\n"
		"mov %%rsi, 56(%%rcx)\n"
		"mov %%rdx, 64(%%rcx)\n"
		"mov %%r10, 72(%%rcx)\n"
		"mov %%r8, 80(%%rcx)\n"
		"mov %%r9, 88(%%rcx)\n"
		"movdqu %%xmm7, %[xout]\n"
		: "+a"(pin), "+c"(pout), [xout] "=m"(xout)
		: [xin] "m"(xin)
		: "rbx", "rbp", "r12", "r13", "r14", "r15", "rdi", "rsi", "rdx",
		  "r8", "r9", "r10", "r11", "xmm7", "memory");
	CHECK((long)out[12] == getpid(), "getpid result %ld", (long)out[12]);
	for (i = 0; i < 12; i++)
		CHECK(out[i] == in[i], "register %d: %llx, expected %llx", i,
		      (unsigned long long)out[i], (unsigned long long)in[i]);
	CHECK(!memcmp(xin, xout, 16), "xmm7 changed across a syscall");
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A blocking read from a pipe, interrupted by a handler: with SA_RESTART it
 * goes on (and gets the data written later), without it fails with EINTR. */
static void test_signal_in_blocking_call(void)
{
	struct sigaction sa;
	int p[2];
	pid_t child;
	char c = 0;
	ssize_t r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	CHECK(pipe(p) == 0, "pipe");
	child = fork();
	if (child < 0 && errno == ENOSYS) {
		/* lbx-run: one host process, nothing to send the signal */
		printf("# no fork here: the blocking-call checks are not run\n");
		return;
	}
	if (child == 0) {
		struct timespec d = { 0, 50 * 1000 * 1000 };

		nanosleep(&d, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK(child > 0, "fork");
	if (child < 0)
		return;
	errno = 0;
	r = read(p[0], &c, 1);
	CHECK(r == -1 && errno == EINTR, "read interrupted: %zd", r);
	CHECK(alarms == 1, "handler ran %d times", (int)alarms);
	waitpid(child, NULL, 0);

	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SA_RESTART");
	child = fork();
	if (child == 0) {
		struct timespec d = { 0, 50 * 1000 * 1000 };

		nanosleep(&d, NULL);
		kill(getppid(), SIGUSR1);
		nanosleep(&d, NULL);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	CHECK(child > 0, "fork");
	if (child < 0)
		return;
	r = read(p[0], &c, 1);
	CHECK(r == 1 && c == 'x', "restarted read: %zd '%c'", r, c);
	CHECK(alarms == 2, "handler ran %d times", (int)alarms);
	waitpid(child, NULL, 0);
	close(p[0]);
	close(p[1]);
}

/* Many syscalls in a row from a handful of sites: results stay right. */
static void test_many_calls(void)
{
	long pid = getpid(), bad = 0, i;

	for (i = 0; i < 20000; i++)
		if (syscall(SYS_getpid) != pid)
			bad++;
	CHECK(bad == 0, "%ld of 20000 getpid calls wrong", bad);
}

int main(void)
{
	test_registers_survive();
	test_many_calls();
	test_mprotected_code();
	test_lazy_code();
	test_signal_in_blocking_call();
	return gt_finish();
}
