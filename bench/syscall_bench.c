// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_bench: system call micro-benchmarks for LiteBox, run natively,
 * under lbx-run and under lbx-launch (a static program: gcc -static).
 *
 * Each measurement is a tight loop timed with clock_gettime(CLOCK_MONOTONIC).
 * The iteration count is calibrated so that one run takes about -t seconds
 * (default 0.25); the result is the median over -r runs (default 5), in
 * nanoseconds per operation. Output, one line per measurement:
 *
 *   bench: NAME NS ns          e.g. "bench: getpid 123.4 ns"
 *   bench: NAME n/a            not measurable here (e.g. fork under lbx-run)
 *   bench: NAME error          the operation failed (details on a "#" line)
 *
 * Lines starting with "#" are comments (details, the spread of the runs).
 *
 *   getpid     syscall(SYS_getpid): the null system call, no libc caching
 *   pread4k    pread() of the same 4 KiB of a file in DIR (default /tmp)
 *   pwrite4k   pwrite() of 4 KiB over the same 4 KiB of that file
 *   openclose  open(O_RDONLY) + close() of that file
 *   stat       stat() of that file
 *   pipe4k     4 KiB written into a pipe and read back, in one process
 *   spawn      fork + execve of this program (which exits at once) + waitpid
 *   forkwait   fork + _exit in the child + waitpid
 *   thread     pthread_create + pthread_join of a thread that returns at once
 *   futex      a futex ping-pong between two threads: one round trip
 *   signal     kill(getpid(), SIGUSR1) with a handler: delivery and return
 *
 * Usage: syscall_bench [-d DIR] [-t SECONDS] [-r RUNS] [NAME...]
 * Exit status 0, or 1 if a measurement failed (n/a is not a failure).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_ARG "--bench-exit-now"
#define MAX_RUNS 31

static double target_s = 0.25;
static int runs = 5;
static const char *dir = "/tmp";
static char path[4096];
static const char *self;
static int fd = -1;
static int pfd[2] = { -1, -1 };
static char buf[4096];
static char errmsg[256];

/* One operation; 0 on success, -1 on failure (errmsg set), 1 for n/a. */
typedef int (*op_fn)(void);

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int fail(const char *what)
{
	snprintf(errmsg, sizeof(errmsg), "%s: %s", what, strerror(errno));
	return -1;
}

static int op_getpid(void)
{
	return syscall(SYS_getpid) > 0 ? 0 : fail("getpid");
}

static int op_pread4k(void)
{
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n == (ssize_t)sizeof(buf))
		return 0;
	if (n >= 0)
		errno = EIO;
	return fail("pread");
}

static int op_pwrite4k(void)
{
	ssize_t n = pwrite(fd, buf, sizeof(buf), 0);

	if (n == (ssize_t)sizeof(buf))
		return 0;
	if (n >= 0)
		errno = EIO;
	return fail("pwrite");
}

static int op_openclose(void)
{
	int f = open(path, O_RDONLY);

	if (f < 0)
		return fail("open");
	return close(f) ? fail("close") : 0;
}

static int op_stat(void)
{
	struct stat st;

	if (stat(path, &st))
		return fail("stat");
	if (st.st_size != sizeof(buf)) {
		errno = EIO;
		return fail("stat size");
	}
	return 0;
}

/* 4 KiB through the pipe and back; the pipe is non-blocking so that a pipe
 * buffer smaller than 4 KiB costs more calls instead of a hang. */
static int op_pipe4k(void)
{
	static char in[4096];
	size_t off = 0;

	while (off < sizeof(buf)) {
		ssize_t w = write(pfd[1], buf + off, sizeof(buf) - off);
		ssize_t r, got = 0;

		if (w <= 0)
			return fail("pipe write");
		while (got < w) {
			r = read(pfd[0], in + off + got, w - got);
			if (r <= 0)
				return fail("pipe read");
			got += r;
		}
		off += w;
	}
	return 0;
}

static int op_spawn(void)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		if (errno == ENOSYS) {
			snprintf(errmsg, sizeof(errmsg), "fork: %s", strerror(errno));
			return 1;
		}
		return fail("fork");
	}
	if (pid == 0) {
		char *argv[] = { (char *)self, EXIT_ARG, NULL };

		execv(self, argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(errmsg, sizeof(errmsg), "child %s status 0x%x (exec of %s)",
			 WIFEXITED(st) ? "exit" : "wait", st, self);
		return -1;
	}
	return 0;
}

static int op_forkwait(void)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		if (errno == ENOSYS) {
			snprintf(errmsg, sizeof(errmsg), "fork: %s", strerror(errno));
			return 1;
		}
		return fail("fork");
	}
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	return 0;
}

static void *thread_ret(void *arg)
{
	return arg;
}

static int op_thread(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_ret, NULL);

	if (err) {
		errno = err;
		if (err == ENOSYS || err == EAGAIN) {
			snprintf(errmsg, sizeof(errmsg), "pthread_create: %s", strerror(err));
			return 1;
		}
		return fail("pthread_create");
	}
	errno = pthread_join(t, NULL);
	return errno ? fail("pthread_join") : 0;
}

/* The futex ping-pong: the word goes 0 -> 1 (main) -> 0 (partner). */
static _Atomic int ping;
static _Atomic int partner_stop;
static pthread_t partner;
static int partner_up;

static long futex(_Atomic int *w, int op, int val)
{
	return syscall(SYS_futex, w, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void *partner_fn(void *arg)
{
	while (!partner_stop) {
		while (ping != 1 && !partner_stop)
			futex(&ping, FUTEX_WAIT, 0);
		if (partner_stop)
			break;
		ping = 0;
		futex(&ping, FUTEX_WAKE, 1);
	}
	return arg;
}

static int op_futex(void)
{
	if (!partner_up) {
		int err = pthread_create(&partner, NULL, partner_fn, NULL);

		if (err) {
			errno = err;
			snprintf(errmsg, sizeof(errmsg), "pthread_create: %s", strerror(err));
			return err == ENOSYS || err == EAGAIN ? 1 : -1;
		}
		partner_up = 1;
	}
	ping = 1;
	futex(&ping, FUTEX_WAKE, 1);
	while (ping != 0)
		futex(&ping, FUTEX_WAIT, 1);
	return 0;
}

static void stop_partner(void)
{
	if (!partner_up)
		return;
	partner_stop = 1;
	ping = 2;
	futex(&ping, FUTEX_WAKE, 1);
	pthread_join(partner, NULL);
	partner_up = 0;
}

static volatile sig_atomic_t got_signals;

static void on_usr1(int sig)
{
	got_signals++;
}

static int op_signal(void)
{
	static int installed;
	int before = got_signals;

	if (!installed) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		if (sigaction(SIGUSR1, &sa, NULL))
			return fail("sigaction");
		installed = 1;
	}
	if (kill(getpid(), SIGUSR1))
		return fail("kill");
	if (got_signals != before + 1) {
		snprintf(errmsg, sizeof(errmsg), "the handler did not run at once");
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs fn n times; returns the elapsed ns, or a negative value on error/n/a. */
static double timed(op_fn fn, long n, int *rc)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		*rc = fn();
		if (*rc)
			return -1;
	}
	return now_ns() - t0;
}

static int measure(const char *name, op_fn fn)
{
	double per[MAX_RUNS], el;
	long n = 1;
	int i, rc = 0;

	errmsg[0] = 0;
	/* Calibrate: double n until a run takes 1/8 of the target. */
	for (;;) {
		el = timed(fn, n, &rc);
		if (rc)
			goto out;
		if (el >= target_s * 1e9 / 8 || n >= (1L << 40))
			break;
		n *= 2;
	}
	n = (long)(n * (target_s * 1e9 / (el > 1 ? el : 1)));
	if (n < 1)
		n = 1;
	for (i = 0; i < runs; i++) {
		el = timed(fn, n, &rc);
		if (rc)
			goto out;
		per[i] = el / n;
	}
	qsort(per, runs, sizeof(per[0]), cmp_double);
	printf("# %s: %ld iterations x %d runs, min %.1f median %.1f max %.1f ns\n",
	       name, n, runs, per[0], per[runs / 2], per[runs - 1]);
	printf("bench: %s %.1f ns\n", name, per[runs / 2]);
	fflush(stdout);
	return 0;
out:
	if (rc > 0) {
		printf("# %s: not measurable here (%s)\n", name, errmsg);
		printf("bench: %s n/a\n", name);
		fflush(stdout);
		return 0;
	}
	printf("# %s: failed: %s\n", name, errmsg);
	printf("bench: %s error\n", name);
	fflush(stdout);
	return 1;
}

static const char *fs_name(const char *d)
{
	struct statfs sf;

	if (statfs(d, &sf))
		return "fs type unknown: statfs failed";
	switch ((unsigned long)sf.f_type) {
	case 0x01021994: return "tmpfs";
	case 0xEF53: return "ext2/3/4";
	case 0x794c7630: return "overlayfs";
	case 0x9123683E: return "btrfs";
	case 0x58465342: return "xfs";
	case 0x858458f6: return "ramfs";
	default: return "other";
	}
}

static const struct {
	const char *name;
	op_fn fn;
} ops[] = {
	{ "getpid", op_getpid },
	{ "pread4k", op_pread4k },
	{ "pwrite4k", op_pwrite4k },
	{ "openclose", op_openclose },
	{ "stat", op_stat },
	{ "pipe4k", op_pipe4k },
	{ "spawn", op_spawn },
	{ "forkwait", op_forkwait },
	{ "thread", op_thread },
	{ "futex", op_futex },
	{ "signal", op_signal },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: syscall_bench [-d DIR] [-t SECONDS] [-r RUNS] [NAME...]\n"
		   "  NAME: getpid pread4k pwrite4k openclose stat pipe4k spawn forkwait thread futex signal\n"
		   "        (default: all)\n");
}

int main(int argc, char **argv)
{
	int c, failed = 0;
	unsigned i;
	int want[NOPS];

	if (argc == 2 && !strcmp(argv[1], EXIT_ARG))
		return 0;
	while ((c = getopt(argc, argv, "d:t:r:h")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 't': target_s = atof(optarg); break;
		case 'r': runs = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (target_s <= 0 || runs < 1 || runs > MAX_RUNS) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NOPS; i++)
		want[i] = optind >= argc;
	for (c = optind; c < argc; c++) {
		for (i = 0; i < NOPS && strcmp(argv[c], ops[i].name); i++)
			;
		if (i == NOPS) {
			fprintf(stderr, "syscall_bench: unknown measurement '%s'\n", argv[c]);
			usage(stderr);
			return 2;
		}
		want[i] = 1;
	}

	self = (const char *)getauxval(AT_EXECFN);
	if (!self || !strchr(self, '/'))
		self = argv[0];

	snprintf(path, sizeof(path), "%s/lbx-bench.%ld", dir, (long)getpid());
	memset(buf, 'b', sizeof(buf));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		fprintf(stderr, "syscall_bench: cannot create %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (pipe2(pfd, O_NONBLOCK)) {
		fprintf(stderr, "syscall_bench: pipe2: %s\n", strerror(errno));
		unlink(path);
		return 1;
	}
	printf("# syscall_bench: file %s (%s), %.2f s per run, median of %d runs, exec %s\n",
	       path, fs_name(dir), target_s, runs, self);
	fflush(stdout);
	for (i = 0; i < NOPS; i++)
		if (want[i])
			failed |= measure(ops[i].name, ops[i].fn);
	stop_partner();
	close(fd);
	unlink(path);
	return failed;
}
