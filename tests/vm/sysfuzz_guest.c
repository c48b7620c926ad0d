// SPDX-License-Identifier: GPL-2.0
/*
 * Random system calls from inside a sandbox: whatever a guest passes,
 * litebox.ko must answer with an error or a result and never crash, warn
 * or leak (tests/vm/run-all.sh runs this under lbx-launch, on the stock
 * kernel and on the debug kernel with KASAN, lockdep and kmemleak, and
 * fails on any report in the kernel log).
 *
 *   sysfuzz_guest [SEED [CHILDREN [CALLS [THREADS [FORKS]]]]]
 *
 * The parent forks CHILDREN children, one after another; in child i, each
 * of THREADS threads (default 1) calls CALLS system calls chosen by a PRNG
 * seeded from SEED + i and its index, at the same time (with FORKS 1, a
 * fork among them makes a process that makes 300 calls of its own and
 * exits), with arguments
 * drawn from small numbers, its own descriptors, pointers into a scratch
 * area (valid, straddling a guard page, read-only), NULL, kernel addresses
 * and other junk. Calls that would end or wreck the child itself (exit,
 * execve, rt_sigreturn, munmap, mprotect, arch_prctl, signal masks) are
 * not made; MAP_FIXED is taken out of mmap's flags; signals sent are ones
 * that end or stop nobody, and SIGALRM keeps its handler. A
 * SIGALRM every 20 ms to each thread (its own timer, SIGEV_THREAD_ID),
 * without SA_RESTART, ends any call that blocks.
 *
 * A child may die of a signal (it may well read into its own stack); that
 * is no failure. The parent prints one line per child and then the
 * verdict, "PASS sysfuzz" when every child ended within its deadline
 * (a call that a signal cannot interrupt is a hang: FAIL). The last call
 * of each thread is kept in a shared page, to name in a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
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
#define THREADS_MAX	8

struct last_call {
	unsigned long calls;
	long nr;
	unsigned long arg[6];
	long ret;
};

static __thread uint64_t rng;
static unsigned char *scratch, *ro_page;
static int fds[16], nfds;
static volatile struct last_call *last;	/* one per thread */
static unsigned long calls_each;
static uint64_t child_seed;
static int threads_done;		/* atomic */
static int threads_armed;		/* atomic */
static int nthreads;
static size_t str_off[16];		/* where stir() put strings */
static bool forks;			/* SYS_fork makes processes */

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
	case SYS_execve: case SYS_execveat: case SYS_vfork:
	case SYS_clone: case SYS_clone3: case SYS_munmap: case SYS_mremap:
	case SYS_mprotect: case SYS_pkey_mprotect: case SYS_madvise:
	case SYS_arch_prctl: case SYS_set_thread_area: case SYS_modify_ldt:
	case SYS_rt_sigprocmask: case SYS_rt_sigsuspend:
	case SYS_setitimer: case SYS_alarm:
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

	switch (rnd() % 21) {
	case 0: case 1: case 2: case 3: case 4:
		return rnd() % 17;
	case 5: case 6: case 7:
		return nfds ? (unsigned long)fds[rnd() % nfds] : 0;
	case 8: case 9: case 10: case 11:
		return (unsigned long)(scratch + rnd() % SCRATCH);
	case 19:	/* a string stir() put there (a path, most likely) */
		return (unsigned long)(scratch + str_off[rnd() % 16]);
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
		str_off[i] = off;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A SIGALRM every 20 ms to the calling thread. */
static void arm_alarm(void)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	struct sigevent ev;
	timer_t tm;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGALRM;
	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &tm) || timer_settime(tm, 0, &its, NULL))
		_exit(4);
}

static void setup_child(void)
{
	struct sigaction sa;
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
}

/*
 * Keeps a call from wrecking the fuzzer itself. Signals go anywhere (the
 * parent too), but only ones that end or stop nobody; handlers may be
 * junk, but SIGALRM keeps the one that ends blocked calls. mmap: no huge
 * maps, nothing fixed or populated.
 */
static void shape_args(long nr, unsigned long *a)
{
	static const unsigned long harmless[] = { 0, SIGURG, SIGWINCH, SIGCHLD, SIGCONT };
	unsigned long sig = harmless[rnd() % 5];

	switch (nr) {
	case SYS_kill: case SYS_tkill: case SYS_rt_sigqueueinfo: case SYS_pidfd_send_signal:
		a[1] = sig;
		break;
	case SYS_tgkill: case SYS_rt_tgsigqueueinfo:
		a[2] = sig;
		break;
	case SYS_rt_sigaction:
		if ((int)a[0] == SIGALRM)
			a[0] = SIGUSR2;
		break;
	case SYS_mmap:
		a[1] %= 16UL << 20;
		a[3] &= ~(unsigned long)(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE |
					 MAP_LOCKED);
		break;
	}
}

static void *fuzz(void *idx)
{
	volatile struct last_call *me = &last[(uintptr_t)idx];
	struct last_call own;
	unsigned long i, a[6];
	long nr, ret;
	int k;

	rng = (child_seed * THREADS_MAX + (uintptr_t)idx) * 0x9e3779b97f4a7c15ULL | 1;
	arm_alarm();
	/* Every thread has its timer before any call can change the limits
	 * (RLIMIT_SIGPENDING) a timer needs. */
	__atomic_add_fetch(&threads_armed, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&threads_armed, __ATOMIC_ACQUIRE) < nthreads)
		sched_yield();
	for (i = 0; i < calls_each; i++) {
		if (!(i % 64))
			stir();
		do
			nr = rnd() % NR_MAX;
		while (denied(nr));
		for (k = 0; k < 6; k++)
			a[k] = arg();
		if (nr == SYS_fork) {
			/* A process of its own: a few hundred calls, then gone
			 * (pid 1 reaps it; fork fails once the limit is hit). */
			if (!forks || syscall(SYS_fork) != 0)
				continue;
			rng ^= (uint64_t)getpid() << 17;
			arm_alarm();
			me = &own;	/* the shared slots are the child's */
			for (k = 0; k < 300; k++) {
				do
					nr = rnd() % NR_MAX;
				while (denied(nr) || nr == SYS_fork);
				for (int j = 0; j < 6; j++)
					a[j] = arg();
				shape_args(nr, a);
				syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			}
			_exit(0);
		}
		shape_args(nr, a);
		me->nr = nr;
		for (k = 0; k < 6; k++)
			me->arg[k] = a[k];
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		me->ret = ret;
		me->calls = i + 1;
	}
	__atomic_add_fetch(&threads_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The child: THREADS fuzzing threads at once (the main one among them).
 * It does not join them: a thread's random set_tid_address may have moved
 * the word a join waits on. Once all are done (a thread that never ends is
 * a hang: the parent's deadline tells), exit_group ends what is left.
 */
static void run_child(int threads)
{
	pthread_t tid;
	int k;

	setup_child();
	nthreads = threads;
	for (k = 1; k < threads; k++)
		if (pthread_create(&tid, NULL, fuzz, (void *)(uintptr_t)k))
			_exit(5);
	fuzz((void *)0);
	while (__atomic_load_n(&threads_done, __ATOMIC_ACQUIRE) < threads)
		usleep(10000);
	_exit(0);
}

static unsigned long total_calls(int threads)
{
	unsigned long n = 0;
	int k;

	for (k = 0; k < threads; k++)
		n += last[k].calls;
	return n;
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	int children = argc > 2 ? atoi(argv[2]) : 8;
	int threads = argc > 4 ? atoi(argv[4]) : 1;

	forks = argc > 5 && atoi(argv[5]);
	int i, hung = 0, st;

	calls_each = argc > 3 ? strtoul(argv[3], NULL, 0) : 3000;
	if (threads < 1 || threads > THREADS_MAX) {
		printf("FAIL sysfuzz: THREADS must be 1 to %d\n", THREADS_MAX);
		return 1;
	}

	setvbuf(stdout, NULL, _IONBF, 0);
	last = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (last == MAP_FAILED) {
		printf("FAIL sysfuzz: mmap\n");
		return 1;
	}
	for (i = 0; i < children; i++) {
		time_t t0 = time(NULL);
		pid_t pid;

		memset((void *)last, 0, THREADS_MAX * sizeof(*last));
		printf("seed %lu: ", seed + i);
		/* At the process limit (the last children's forks live on as
		 * orphans of this pid 1 a while): reap one and try again. */
		while ((pid = fork()) < 0 && errno == EAGAIN && time(NULL) - t0 < DEADLINE_S)
			waitpid(-1, &st, 0);
		if (pid < 0) {
			printf("FAIL sysfuzz: fork: %s\n", strerror(errno));
			return 1;
		}
		if (!pid) {
			child_seed = seed + i;
			run_child(threads);
		}
		for (;;) {
			/* Orphans of the child's forks come to this pid 1:
			 * reaped as they come, or they fill the process limit. */
			pid_t r = waitpid(-1, &st, WNOHANG);

			if (r == pid)
				break;
			if (r > 0)
				continue;
			if (time(NULL) - t0 > DEADLINE_S) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				hung++;
				printf("HUNG after %lu calls; last calls:", total_calls(threads));
				for (int k = 0; k < threads; k++)
					printf(" [%d] nr %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", k,
					       last[k].nr, last[k].arg[0], last[k].arg[1],
					       last[k].arg[2], last[k].arg[3], last[k].arg[4],
					       last[k].arg[5]);
				printf("; ");
				break;
			}
			usleep(20000);
		}
		if (WIFSIGNALED(st))
			printf("%lu calls, killed by signal %d (last nr of thread 0 %ld, ret %ld)\n",
			       total_calls(threads), WTERMSIG(st), last[0].nr, last[0].ret);
		else
			printf("%lu calls, exit %d\n", total_calls(threads), WEXITSTATUS(st));
	}
	printf("%s sysfuzz (%d children of %d threads, %d hung)\n", hung ? "FAIL" : "PASS",
	       children, threads, hung);
	return hung ? 1 : 0;
}
