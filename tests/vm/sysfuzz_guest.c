// SPDX-License-Identifier: GPL-2.0
/*
 * Random system calls from inside a sandbox: whatever a guest passes,
 * litebox.ko must answer with an error or a result and never crash, warn
 * or leak (tests/vm/run-all.sh runs this under lbx-launch, on the stock
 * kernel and on the debug kernel with KASAN, lockdep and kmemleak, and
 * fails on any report in the kernel log).
 *
 *   sysfuzz_guest [SEED [CHILDREN [CALLS]]]
 *
 * The parent forks CHILDREN children, one after another; child i calls
 * CALLS system calls chosen by a PRNG seeded with SEED + i, with arguments
 * drawn from small numbers, its own descriptors, pointers into a scratch
 * area (valid, straddling a guard page, read-only), NULL, kernel addresses
 * and other junk. Calls that would end or wreck the child itself (exit,
 * execve, rt_sigreturn, munmap, mprotect, arch_prctl, signals to itself,
 * signal masks) are not made; MAP_FIXED is taken out of mmap's flags. A
 * SIGALRM every 20 ms without SA_RESTART ends any call that blocks.
 *
 * A child may die of a signal (it may well read into its own stack); that
 * is no failure. The parent prints one line per child and then the
 * verdict, "PASS sysfuzz" when every child ended within its deadline
 * (a call that a signal cannot interrupt is a hang: FAIL). The last call
 * of each child is kept in a shared page, to name in a failure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_MAX		463
#define SCRATCH		(256 * 1024)
#define DEADLINE_S	60

struct last_call {
	unsigned long calls;
	long nr;
	unsigned long arg[6];
	long ret;
};

static uint64_t rng;
static unsigned char *scratch, *ro_page;
static int fds[16], nfds;
static volatile struct last_call *last;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long pick(const unsigned long *v, size_t n)
{
	return v[rnd() % n];
}

static bool denied(long nr)
{
	switch (nr) {
	case SYS_rt_sigreturn: case SYS_exit: case SYS_exit_group:
	case SYS_execve: case SYS_execveat: case SYS_fork: case SYS_vfork:
	case SYS_clone: case SYS_clone3: case SYS_munmap: case SYS_mremap:
	case SYS_mprotect: case SYS_pkey_mprotect: case SYS_madvise:
	case SYS_arch_prctl: case SYS_set_thread_area: case SYS_modify_ldt:
	case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
	case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_rt_sigsuspend:
	case SYS_sigaltstack: case SYS_setitimer: case SYS_alarm:
	case SYS_timer_create: case SYS_timer_settime: case SYS_timer_delete:
	case SYS_ppoll: case SYS_pselect6: case SYS_epoll_pwait: case SYS_epoll_pwait2:
	case SYS_shmat: case SYS_remap_file_pages: case SYS_process_vm_writev:
	case SYS_mlockall: case SYS_io_uring_setup:
		return true;
	}
	return false;
}

static unsigned long arg(void)
{
	static const unsigned long edge[] = {
		0x7fffffffUL, 0x80000000UL, 0xffffffffUL, 0x100000000UL,
		(unsigned long)LONG_MAX, (unsigned long)LONG_MIN, 4096, 65536, 1UL << 20,
	};
	static const unsigned long kaddr[] = {
		0xffffffff81000000UL, 0xffff888000000000UL, 0xffffffffff600000UL,
		0x0000800000000000UL, 0x00007ffffffff000UL,
	};

	switch (rnd() % 20) {
	case 0: case 1: case 2: case 3: case 4:
		return rnd() % 17;
	case 5: case 6: case 7:
		return nfds ? (unsigned long)fds[rnd() % nfds] : 0;
	case 8: case 9: case 10: case 11:
		return (unsigned long)(scratch + rnd() % SCRATCH);
	case 12:	/* up against the guard page */
		return (unsigned long)(scratch + SCRATCH - 1 - rnd() % 64);
	case 13:
		return 0;
	case 14:
		return (unsigned long)(ro_page + rnd() % 4096);
	case 15:
		return pick(kaddr, sizeof(kaddr) / sizeof(kaddr[0]));
	case 16:
		return (unsigned long)-1L - rnd() % 4;
	case 17:
		return rnd();
	default:
		return pick(edge, sizeof(edge) / sizeof(edge[0])) - rnd() % 2;
	}
}

/* Scratch holds random bytes, with strings some calls will take as paths. */
static void stir(void)
{
	static const char *const paths[] = {
		"/tmp/fz", "/tmp", "/", "/dev/null", "/proc/self/maps", "/tmp/fz/../fz",
		"", "/proc/self/fd/0", "/dev/zero", "/tmp/fzdir", "fz", ".",
	};
	size_t i, off;

	for (i = 0; i < 256; i++)
		((uint64_t *)scratch)[rnd() % (SCRATCH / 8)] = rnd();
	for (i = 0; i < 16; i++) {
		const char *p = paths[rnd() % (sizeof(paths) / sizeof(paths[0]))];

		off = rnd() % (SCRATCH - 64);
		memcpy(scratch + off, p, strlen(p) + 1);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void setup_child(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	int p[2], null;

	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	scratch = mmap(NULL, SCRATCH + 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		_exit(3);
	ro_page = scratch + SCRATCH + 4096;
	mprotect(scratch + SCRATCH, 4096, PROT_NONE);
	mprotect(ro_page, 4096, PROT_READ);
	fds[nfds++] = null;
	fds[nfds++] = open("/tmp/fz", O_RDWR | O_CREAT, 0644);
	fds[nfds++] = open("/tmp", O_RDONLY | O_DIRECTORY);
	if (!pipe(p)) {
		fds[nfds++] = p[0];
		fds[nfds++] = p[1];
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM, 0, p)) {
		fds[nfds++] = p[0];
		fds[nfds++] = p[1];
	}
	fds[nfds++] = eventfd(0, EFD_NONBLOCK);
	fds[nfds++] = epoll_create1(0);
	fds[nfds++] = socket(AF_INET, SOCK_STREAM, 0);
	fds[nfds++] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[nfds++] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: blocked calls end */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void fuzz(unsigned long calls)
{
	unsigned long i, a[6];
	long nr, ret;
	int k;

	for (i = 0; i < calls; i++) {
		if (!(i % 64))
			stir();
		do
			nr = rnd() % NR_MAX;
		while (denied(nr));
		for (k = 0; k < 6; k++)
			a[k] = arg();
		if (nr == SYS_mmap) {
			a[1] %= 16UL << 20;	/* no huge maps, nothing fixed or populated */
			a[3] &= ~(unsigned long)(MAP_FIXED | MAP_FIXED_NOREPLACE |
						 MAP_POPULATE | MAP_LOCKED);
		}
		last->nr = nr;
		for (k = 0; k < 6; k++)
			last->arg[k] = a[k];
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		last->ret = ret;
		last->calls = i + 1;
	}
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	int children = argc > 2 ? atoi(argv[2]) : 8;
	unsigned long calls = argc > 3 ? strtoul(argv[3], NULL, 0) : 3000;
	int i, hung = 0, st;

	setvbuf(stdout, NULL, _IONBF, 0);
	last = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (last == MAP_FAILED) {
		printf("FAIL sysfuzz: mmap\n");
		return 1;
	}
	for (i = 0; i < children; i++) {
		time_t t0 = time(NULL);
		pid_t pid;

		memset((void *)last, 0, sizeof(*last));
		printf("seed %lu: ", seed + i);
		pid = fork();
		if (pid < 0) {
			printf("FAIL sysfuzz: fork\n");
			return 1;
		}
		if (!pid) {
			rng = (seed + i) * 0x9e3779b97f4a7c15ULL | 1;
			setup_child();
			fuzz(calls);
			_exit(0);
		}
		while (waitpid(pid, &st, WNOHANG) == 0) {
			if (time(NULL) - t0 > DEADLINE_S) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				hung++;
				printf("HUNG after %lu calls in nr %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx); ",
				       last->calls, last->nr, last->arg[0], last->arg[1],
				       last->arg[2], last->arg[3], last->arg[4], last->arg[5]);
				break;
			}
			usleep(20000);
		}
		if (WIFSIGNALED(st))
			printf("%lu calls, killed by signal %d (last nr %ld, ret %ld)\n",
			       last->calls, WTERMSIG(st), last->nr, last->ret);
		else
			printf("%lu calls, exit %d\n", last->calls, WEXITSTATUS(st));
	}
	printf("%s sysfuzz (%d children, %d hung)\n", hung ? "FAIL" : "PASS", children, hung);
	return hung ? 1 : 0;
}
