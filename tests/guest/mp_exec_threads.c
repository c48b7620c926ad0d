// SPDX-License-Identifier: GPL-2.0
/*
 * execve from a multithreaded process: the other threads die (blocked in a
 * futex wait, a read, a nanosleep loop, or computing), the exec'ing thread
 * (not the leader) takes over the process's pid, and the parent sees one
 * exit. Also the leader exec'ing over running threads. The new image is
 * this program again, with argv[1] "image2". ("mp_": fork, threads.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

static int tick_fd, block_fd;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static char self_path[256];
static char pid_arg[16], fd_arg[16];

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *futex_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}

static void *reader(void *arg)
{
	char b;

	(void)arg;
	for (;;)
		if (read(block_fd, &b, 1) == 1)
			(void)!write(tick_fd, "R", 1);	/* never: nothing is written */
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		nanosleep(&ts, NULL);
		(void)!write(tick_fd, "s", 1);
	}
	return NULL;
}

static void *spinner(void *arg)
{
	volatile unsigned long x;

	(void)arg;
	for (;;) {
		for (x = 0; x < 100000; x++)
			;
		(void)!write(tick_fd, "p", 1);
	}
	return NULL;
}

static const char *image_mode = "image2";

static void do_exec(void)
{
	char *argv[] = { self_path, (char *)image_mode, pid_arg, fd_arg, NULL };

	execv(self_path, argv);
	_exit(99);
}

static void *execer(void *arg)
{
	(void)arg;
	msleep(100);	/* everybody is blocked or running by now */
	do_exec();
	return NULL;
}

static void start_threads(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, futex_waiter, NULL) ||
	    pthread_create(&th, NULL, reader, NULL) ||
	    pthread_create(&th, NULL, sleeper, NULL) ||
	    pthread_create(&th, NULL, spinner, NULL))
		_exit(98);
}

/* The child: threads, then an exec from a non-leader thread (or the leader). */
static void child(int tick_w, int tick_r, int block_r, int from_leader)
{
	pthread_t th;

	tick_fd = tick_w;
	block_fd = block_r;
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)getpid());
	snprintf(fd_arg, sizeof(fd_arg), "%d", tick_r);
	start_threads();
	if (from_leader) {
		msleep(100);
		do_exec();
	}
	if (pthread_create(&th, NULL, execer, NULL))
		_exit(97);
	pthread_join(th, NULL);	/* the leader waits in a futex */
	_exit(96);
}

/* The new image: the same pid, one thread, the old threads silent. */
static int image2(int argc, char **argv)
{
	int fd, n = 0, i;
	char buf[256];
	pid_t old;
	FILE *f;

	if (argc < 4)
		return 90;
	old = (pid_t)atoi(argv[2]);
	fd = atoi(argv[3]);
	CHECK(getpid() == old, "getpid %d, before the exec %d", (int)getpid(), (int)old);
	CHECK(syscall(SYS_gettid) == old, "gettid %ld == pid %d", syscall(SYS_gettid), (int)old);
	f = fopen("/proc/self/status", "r");
	CHECK(f != NULL, "/proc/self/status");
	if (f) {
		int threads = -1;

		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "Threads:", 8))
				threads = atoi(buf + 8);
		fclose(f);
		CHECK(threads == 1, "Threads: %d", threads);
	}
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0, "non-blocking tick pipe");
	msleep(50);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	msleep(200);
	for (i = 0; i < 10; i++) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0)
			break;
		n += (int)r;
	}
	CHECK(n == 0, "the old threads are gone (%d ticks after the exec)", n);
	/* The new image can make threads of its own. */
	{
		pthread_t th;

		CHECK(pthread_create(&th, NULL, futex_waiter, NULL) == 0, "a new thread");
	}
	printf("image2: %d checks, %d failed\n", gt_checks, gt_failures);
	return gt_failures ? 1 : 0;
}

static void run(int from_leader)
{
	int tick[2], block[2], st = 0, got = 0, k;
	char buf[64];
	pid_t c, w;

	CHECK(pipe(tick) == 0 && pipe(block) == 0, "pipes");
	c = fork();
	if (c == 0)
		child(tick[1], tick[0], block[0], from_leader);
	close(block[0]);
	close(tick[1]);
	/* The threads ticked before the exec (the child's own read end
	 * keeps the pipe open after it). */
	for (k = 0; k < 200 && got < 2; k++) {
		ssize_t r = read(tick[0], buf, 1);

		if (r == 1)
			got++;
	}
	CHECK(got == 2, "ticks before the exec");
	w = waitpid(c, &st, 0);
	CHECK(w == c, "waitpid: %d", (int)w);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: the new image exits 0: %#x",
	      from_leader ? "leader" : "thread", st);
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	close(tick[0]);
	close(block[1]);
}

int main(int argc, char **argv)
{
	ssize_t n;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "image2"))
		return image2(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "image-sleep")) {
		/* The VM lane counts the host threads left meanwhile. */
		printf("image-sleep %d\n", (int)getpid());
		msleep(3000);
		return 0;
	}
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	CHECK(n > 0, "/proc/self/exe");
	if (n <= 0)
		return gt_finish();
	self_path[n] = '\0';
	if (argc > 1 && !strcmp(argv[1], "exec-sleep")) {
		/* This process itself: threads, then a thread execs. */
		int p[2], b[2];

		if (pipe(p) || pipe(b))
			return 1;
		image_mode = "image-sleep";
		child(p[1], p[0], b[0], 0);
	}
	run(0);
	run(1);
	return gt_finish();
}
