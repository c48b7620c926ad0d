// SPDX-License-Identifier: GPL-2.0
/*
 * Threads in one process, the way lbx-run runs them (each on a host thread
 * of its own) as well as lbx-launch: 100 threads created and joined
 * (CLONE_CHILD_CLEARTID wakes the joiner), a raw clone3 thread with
 * CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and
 * CLONE_CHILD_CLEARTID, futex ping-pong between two threads, a contended
 * mutex and condition variables, a signal to one thread (pthread_kill),
 * blocked in a system call or computing, per-thread signal masks (a
 * process signal goes to a thread that does not block it, a thread's own
 * waits until it unblocks), a read() on a pipe woken by
 * another thread's write, /proc/self/task (a thread's comm, stat
 * and status; gone after the join), and last exit_group from a thread other than
 * the first while the others are blocked: the verdict is printed by that
 * thread and the process's exit status is its exit_group's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "guest_clone3.h"
#include "guest_test.h"

static pid_t gettid_raw(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static long futex(volatile int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- 100 threads, created and joined ---- */

#define NTHREADS 100

static pid_t tids[NTHREADS];

static void *report(void *arg)
{
	long i = (long)arg;

	tids[i] = gettid_raw();
	return (void *)(i + 1000);
}

static void test_create_join(void)
{
	pthread_t th[NTHREADS];
	int i, j, created = 0, joined = 0, distinct = 1;

	for (i = 0; i < NTHREADS; i++)
		created += pthread_create(&th[i], NULL, report, (void *)(long)i) == 0;
	CHECK(created == NTHREADS, "created %d of %d threads", created, NTHREADS);
	for (i = 0; i < created; i++) {
		void *ret = NULL;

		if (pthread_join(th[i], &ret) == 0 && ret == (void *)(long)(i + 1000))
			joined++;
	}
	CHECK(joined == NTHREADS, "joined %d threads with their results", joined);
	for (i = 0; i < NTHREADS; i++) {
		if (tids[i] <= 0 || tids[i] == getpid())
			distinct = 0;
		for (j = 0; j < i; j++)
			distinct &= tids[i] != tids[j];
	}
	CHECK(distinct, "100 distinct thread ids, none the process's");
}

/* ---- /proc/self/task ---- */

static volatile int task_go;
static volatile pid_t task_tid[2];

static void *named(void *arg)
{
	long i = (long)arg;
	char name[16];

	snprintf(name, sizeof(name), "worker%ld", i);
	prctl(PR_SET_NAME, name);	/* pthread_setname_np on oneself */
	task_tid[i] = gettid_raw();
	while (!task_go)
		sleep_ms(1);
	return NULL;
}

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* open(O_WRONLY | O_TRUNC) and one write, as `echo > FILE` does: the
 * write's result, or -1 when the open failed. */
static ssize_t write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n;
}

/* Lists /proc/self/task: how many entries, and whether want[] are all in. */
static int list_tasks(const pid_t *want, int nwant, int *found)
{
	struct dirent *de;
	int n = 0, i;
	DIR *d = opendir("/proc/self/task");

	*found = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		for (i = 0; i < nwant; i++)
			*found += atoi(de->d_name) == want[i];
	}
	closedir(d);
	return n;
}

static void test_proc_task(void)
{
	char path[64], buf[2048], want[64], name[16];
	pthread_t th[2];
	pid_t all[3];
	int i, n, found;

	task_go = 0;
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, named, (void *)(long)i);
	for (i = 0; i < 2; i++)
		while (!task_tid[i])
			sleep_ms(1);
	all[0] = getpid();
	all[1] = task_tid[0];
	all[2] = task_tid[1];
	n = list_tasks(all, 3, &found);
	CHECK(n == 3 && found == 3, "/proc/self/task lists %d entries, %d of the 3 threads",
	      n, found);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", task_tid[i]);
		snprintf(want, sizeof(want), "worker%d\n", i);
		CHECK(read_text(path, buf, sizeof(buf)) == 0 && !strcmp(buf, want),
		      "%s: '%s'", path, buf);
		/* What pthread_getname_np reads for another thread. */
		CHECK(pthread_getname_np(th[i], name, sizeof(name)) == 0 &&
		      !strncmp(name, want, strlen(want) - 1), "pthread_getname_np: '%s'", name);
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", task_tid[i]);
		snprintf(want, sizeof(want), "\nPid:\t%d\n", task_tid[i]);
		CHECK(read_text(path, buf, sizeof(buf)) == 0 && strstr(buf, want), "%s", path);
		snprintf(want, sizeof(want), "\nTgid:\t%d\n", getpid());
		CHECK(strstr(buf, want) != NULL, "%s: Tgid", path);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", task_tid[i]);
		snprintf(want, sizeof(want), "%d (worker%d) ", task_tid[i], i);
		CHECK(read_text(path, buf, sizeof(buf)) == 0 && !strncmp(buf, want, strlen(want)),
		      "%s: '%.40s'", path, buf);
	}
	/*
	 * Naming another thread goes through its task/<tid>/comm
	 * (pthread_setname_np); a write to comm takes 15 bytes, a newline
	 * included, and counts all of them as written (Linux's comm_write).
	 */
	CHECK(pthread_setname_np(th[1], "renamed1") == 0, "pthread_setname_np of another thread");
	CHECK(pthread_getname_np(th[1], name, sizeof(name)) == 0 && !strcmp(name, "renamed1"),
	      "its name after: '%s'", name);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", task_tid[1]);
	CHECK(read_text(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "renamed1\n"),
	      "%s after: '%s'", path, buf);
	CHECK(write_text(path, "abcdefghijklmnopqrstu") == 21, "a 21-byte write to %s", path);
	CHECK(read_text(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "abcdefghijklmno\n"),
	      "%s: '%s'", path, buf);
	CHECK(prctl(PR_GET_NAME, name) == 0 && write_text("/proc/self/comm", "main-x\n") == 7 &&
	      read_text("/proc/self/comm", buf, sizeof(buf)) == 0 && !strcmp(buf, "main-x\n\n"),
	      "/proc/self/comm written: '%s'", buf);
	{
		char now[16];

		CHECK(prctl(PR_GET_NAME, now) == 0 && !strcmp(now, "main-x\n"),
		      "PR_GET_NAME after: '%s'", now);
		prctl(PR_SET_NAME, name);
	}
	CHECK(chmod("/proc/self/comm", 0600) == -1 && errno == EPERM, "chmod of a /proc file");
	/* The first thread's entry is the process's. */
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", getpid());
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	CHECK(read_text(path, buf, sizeof(buf)) == 0 && strstr(buf, want), "%s", path);
	task_go = 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/*
	 * Gone with their threads. The join returns at the CLONE_CHILD_CLEARTID
	 * wake, which a dying thread does before it leaves its thread group (as
	 * on Linux, where exit_mm() runs before release_task()), so an entry
	 * may outlive the join for a moment: wait for it, up to 5 s.
	 */
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", task_tid[0]);
	for (i = 0; i < 5000; i++) {
		n = list_tasks(all, 1, &found);
		if (n == 1 && read_text(path, buf, sizeof(buf)) == -1)
			break;
		sleep_ms(1);
	}
	CHECK(read_text(path, buf, sizeof(buf)) == -1 && errno == ENOENT,
	      "%s after the join", path);
	CHECK(n == 1 && found == 1, "/proc/self/task after the joins: %d entries", n);
}

/* ---- a raw clone3 thread ---- */

static volatile pid_t raw_ptid, raw_ctid, raw_seen_tid, raw_seen_ctid;
static volatile uint64_t raw_seen_fs;
static uint64_t raw_tls[8];	/* [0] points to itself, as a TCB does */

/* The child: no C library (its FS base is raw_tls), raw system calls. */
static int raw_child(void *arg)
{
	uint64_t fs0;
	long tid;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(fs0));
	__asm__ volatile("syscall" : "=a"(tid) : "a"(SYS_gettid) : "rcx", "r11", "memory");
	raw_seen_fs = fs0;
	raw_seen_tid = (pid_t)tid;
	raw_seen_ctid = raw_ctid;	/* CLONE_CHILD_SETTID: set before it runs */
	return (int)(long)arg;
}

static void test_raw_clone3(void)
{
	size_t sz = 64 * 1024;
	char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct clone_args ca;
	long tid;

	CHECK(stack != MAP_FAILED, "stack");
	if (stack == MAP_FAILED)
		return;
	raw_tls[0] = (uintptr_t)raw_tls;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		   CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
		   CLONE_CHILD_CLEARTID;
	ca.parent_tid = (uintptr_t)&raw_ptid;
	ca.child_tid = (uintptr_t)&raw_ctid;
	ca.stack = (uintptr_t)stack;
	ca.stack_size = sz;
	ca.tls = (uintptr_t)raw_tls;
	raw_ctid = -1;	/* CLONE_CHILD_SETTID makes it the tid, the exit 0 */
	tid = gt_clone3(&ca, sizeof(ca), raw_child, (void *)7L);
	CHECK(tid > 0 && tid != getpid(), "clone3 thread: %ld", tid);
	if (tid <= 0)
		return;
	CHECK(raw_ptid == tid, "CLONE_PARENT_SETTID stored %d (clone3 gave %ld)",
	      (int)raw_ptid, tid);
	/* CLONE_CHILD_CLEARTID: 0 and a futex wake at the thread's exit. */
	for (;;) {
		pid_t v = raw_ctid;

		if (!v)
			break;
		futex(&raw_ctid, FUTEX_WAIT, v);
	}
	CHECK(raw_seen_tid == tid, "gettid in the thread: %d", (int)raw_seen_tid);
	CHECK(raw_seen_ctid == tid, "CLONE_CHILD_SETTID stored %d", (int)raw_seen_ctid);
	CHECK(raw_seen_fs == (uintptr_t)raw_tls, "CLONE_SETTLS: the thread's %%fs:0 is %#llx",
	      (unsigned long long)raw_seen_fs);
	munmap(stack, sz);
}

/* ---- futex ping-pong ---- */

#define PINGPONG 20000

static volatile int turn;
static int pong_rounds;

static void pass_turn(int from, int to)
{
	while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != from)
		futex(&turn, FUTEX_WAIT_PRIVATE, to);
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1);
}

static void *ponger(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < PINGPONG; i++) {
		pass_turn(1, 0);
		pong_rounds++;
	}
	return NULL;
}

static void test_pingpong(void)
{
	pthread_t th;
	int i, pings = 0;

	turn = 0;
	CHECK(pthread_create(&th, NULL, ponger, NULL) == 0, "ponger");
	for (i = 0; i < PINGPONG; i++) {
		pass_turn(0, 1);
		pings++;
	}
	pthread_join(th, NULL);
	CHECK(pings == PINGPONG && pong_rounds == PINGPONG && turn == 0,
	      "futex ping-pong: %d pings, %d pongs", pings, pong_rounds);
}

/* ---- a contended mutex, condition variables ---- */

#define WORKERS 4
#define INCS 20000
#define ITEMS 20000
#define QLEN 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static long counter;
static int queue[QLEN], qhead, qcount;
static long consumed_sum;

static void *incrementer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < INCS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *producer(void *arg)
{
	int i, base = (int)(long)arg;

	for (i = 0; i < ITEMS / 2; i++) {
		pthread_mutex_lock(&mu);
		while (qcount == QLEN)
			pthread_cond_wait(&not_full, &mu);
		queue[(qhead + qcount++) % QLEN] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ITEMS / 2; i++) {
		pthread_mutex_lock(&mu);
		while (!qcount)
			pthread_cond_wait(&not_empty, &mu);
		consumed_sum += queue[qhead];
		qhead = (qhead + 1) % QLEN;
		qcount--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void test_mutex_cond(void)
{
	pthread_t th[WORKERS];
	long want = 0;
	int i;

	for (i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, incrementer, NULL);
	for (i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	CHECK(counter == (long)WORKERS * INCS, "mutex: counter %ld, want %ld", counter,
	      (long)WORKERS * INCS);

	pthread_create(&th[0], NULL, producer, (void *)0L);
	pthread_create(&th[1], NULL, producer, (void *)1000000L);
	pthread_create(&th[2], NULL, consumer, NULL);
	pthread_create(&th[3], NULL, consumer, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < ITEMS / 2; i++)
		want += i + (1000000L + i);
	CHECK(consumed_sum == want && qcount == 0, "condvar queue: sum %ld, want %ld",
	      consumed_sum, want);
}

/* ---- a signal to one thread ---- */

static volatile pid_t usr1_tid;
static volatile pid_t target_tid;
static volatile int target_ready, target_stop;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = gettid_raw();
}

/* Waits for the signal in system calls (nanosleep), or computing. */
static void *target(void *arg)
{
	int spin = (int)(long)arg;

	target_tid = gettid_raw();
	__atomic_store_n(&target_ready, 1, __ATOMIC_RELEASE);
	while (!usr1_tid && !target_stop) {
		if (spin)
			__asm__ volatile("pause" ::: "memory");
		else
			sleep_ms(1);
	}
	return NULL;
}

static void test_pthread_kill(int spin)
{
	struct sigaction sa;
	pthread_t th;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	usr1_tid = 0;
	target_ready = 0;
	target_stop = 0;
	CHECK(pthread_create(&th, NULL, target, (void *)(long)spin) == 0, "target thread");
	while (!__atomic_load_n(&target_ready, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	CHECK(pthread_kill(th, SIGUSR1) == 0, "pthread_kill");
	for (i = 0; i < 5000 && !usr1_tid; i++)
		sleep_ms(1);
	target_stop = 1;
	pthread_join(th, NULL);
	CHECK(usr1_tid == target_tid && usr1_tid != gettid_raw(),
	      "SIGUSR1 ran on the target thread %d (%s), on %d", (int)target_tid,
	      spin ? "computing" : "in nanosleep", (int)usr1_tid);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- per-thread signal masks ---- */

static volatile pid_t usr2_tid;
static volatile int masked_ready, masked_unblock;
static volatile pid_t masked_tid;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_tid = gettid_raw();
}

/* Blocks SIGUSR2 until told, then unblocks it and waits for it. */
static void *masked(void *arg)
{
	sigset_t set;
	int i;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	masked_tid = gettid_raw();
	__atomic_store_n(&masked_ready, 1, __ATOMIC_RELEASE);
	while (!masked_unblock)
		sleep_ms(1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (i = 0; i < 5000 && usr2_tid != masked_tid; i++)
		sleep_ms(1);
	return NULL;
}

static void test_thread_masks(void)
{
	struct sigaction sa;
	sigset_t pending;
	pthread_t th;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	CHECK(pthread_create(&th, NULL, masked, NULL) == 0, "masked thread");
	while (!__atomic_load_n(&masked_ready, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	/* To the process: the thread that does not block it takes it. */
	usr2_tid = 0;
	kill(getpid(), SIGUSR2);
	for (i = 0; i < 5000 && !usr2_tid; i++)
		sleep_ms(1);
	CHECK(usr2_tid == gettid_raw(), "a process SIGUSR2 ran on the thread not blocking it (%d)",
	      (int)usr2_tid);
	/* To the blocking thread: pending there until it unblocks. */
	usr2_tid = 0;
	CHECK(pthread_kill(th, SIGUSR2) == 0, "pthread_kill");
	sleep_ms(50);
	CHECK(usr2_tid == 0, "SIGUSR2 to a thread blocking it stays pending (ran on %d)",
	      (int)usr2_tid);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGUSR2), "not pending for the process nor this thread");
	masked_unblock = 1;
	pthread_join(th, NULL);
	CHECK(usr2_tid == masked_tid, "delivered on the target once it unblocked (%d, want %d)",
	      (int)usr2_tid, (int)masked_tid);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- a read() woken by another thread's write ---- */

static int pipefd[2];
static volatile int reader_started, reader_done;
static volatile long reader_got;
static char reader_buf[8];

static void *reader(void *arg)
{
	(void)arg;
	__atomic_store_n(&reader_started, 1, __ATOMIC_RELEASE);
	reader_got = read(pipefd[0], reader_buf, sizeof(reader_buf));
	__atomic_store_n(&reader_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_pipe_wake(void)
{
	pthread_t th;

	CHECK(pipe(pipefd) == 0, "pipe");
	CHECK(pthread_create(&th, NULL, reader, NULL) == 0, "reader thread");
	while (!__atomic_load_n(&reader_started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(100);
	CHECK(!reader_done, "the reader is blocked in read() on an empty pipe");
	CHECK(write(pipefd[1], "wake", 4) == 4, "write");
	pthread_join(th, NULL);
	CHECK(reader_got == 4 && !memcmp(reader_buf, "wake", 4),
	      "the reader got the other thread's write (%ld bytes)", reader_got);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ---- exit_group from a thread while the others are blocked ---- */

static int block_pipe[2];
static volatile int block_word;
static volatile int blockers_ready;

static void *block_read(void *arg)
{
	char c;

	(void)arg;
	__atomic_fetch_add(&blockers_ready, 1, __ATOMIC_ACQ_REL);
	read(block_pipe[0], &c, 1);	/* nobody writes */
	printf("  check failed: a blocked read() returned\n");
	return NULL;
}

static void *block_futex(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&blockers_ready, 1, __ATOMIC_ACQ_REL);
	for (;;)
		futex(&block_word, FUTEX_WAIT_PRIVATE, 0);
	return NULL;
}

static void *block_spin(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&blockers_ready, 1, __ATOMIC_ACQ_REL);
	for (;;)
		__asm__ volatile("pause" ::: "memory");
	return NULL;
}

static void *exiter(void *arg)
{
	int status;

	(void)arg;
	while (__atomic_load_n(&blockers_ready, __ATOMIC_ACQUIRE) < 3)
		sleep_ms(1);
	sleep_ms(50);
	CHECK(gettid_raw() != getpid(), "exit_group from a thread other than the first");
	status = gt_finish();
	syscall(SYS_exit_group, status);
	return NULL;
}

static void test_exit_group_from_thread(void)
{
	pthread_t th;

	CHECK(pipe(block_pipe) == 0, "pipe");
	pthread_create(&th, NULL, block_read, NULL);
	pthread_create(&th, NULL, block_futex, NULL);
	pthread_create(&th, NULL, block_spin, NULL);
	pthread_create(&th, NULL, exiter, NULL);
	/* The first thread waits for ever: the exiter's exit_group ends it. */
	pthread_join(th, NULL);
	printf("  check failed: the first thread outlived exit_group\n");
	printf("FAIL %s\n", program_invocation_short_name);
	exit(1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_create_join();
	test_proc_task();
	test_raw_clone3();
	test_pingpong();
	test_mutex_cond();
	test_pthread_kill(0);
	test_pthread_kill(1);
	test_thread_masks();
	test_pipe_wake();
	test_exit_group_from_thread();
	return 1;
}
