// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials are per thread at the system-call level, as in Linux:
 * - a raw setresuid in one thread changes that thread only: the other
 *   keeps uid 0 and its capabilities, /proc/self/status shows the leader's
 *   ids, files the threads create belong to each one's fs ids, a root-only
 *   file is closed to the dropped thread and open to the other, and kill
 *   permission is each thread's own;
 * - glibc's setgroups/setgid/setuid change every thread (glibc makes each
 *   thread issue the call, with SIGSETXID sent by tgkill to threads that
 *   wait in a futex, in read and in a loop).
 * Starts as root; each part runs in a child process. ("mp_": fork, threads.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest_test.h"

#define USER	1000
#define GROUP	100

/* In a child: counts its failed checks into its exit status. */
static int fails;
#define CHILD_CHECK(cond, ...) do { if (!(cond)) { \
	printf("  child check failed at line %d: %s: ", __LINE__, #cond); \
	printf(__VA_ARGS__); printf(" (errno %d)\n", errno); fails++; } } while (0)

static bool ids(uid_t r, uid_t e, uid_t s)
{
	uid_t a, b, c;

	return syscall(SYS_getresuid, &a, &b, &c) == 0 && a == r && b == e && c == s;
}

/* The Uid: line of /proc/self/status ("r e s fs"), or "" */
static void status_uids(char *out, size_t len)
{
	char buf[4096], *l;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	out[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	l = strstr(buf, "\nUid:\t");
	if (!l)
		return;
	l += 6;
	snprintf(out, len, "%.*s", (int)strcspn(l, "\n"), l);
}

static uid_t owner(const char *path)
{
	struct stat st;

	return stat(path, &st) ? (uid_t)-2 : st.st_uid;
}

/* ---- a raw setresuid in one thread ---- */

static pthread_barrier_t bar;
static char dropped_uids[64];
static uid_t dropped_owner;
static int dropped_open_err, dropped_kill_err, dropped_regain_err;

static void *dropper(void *arg)
{
	int fd;

	(void)arg;
	/* The raw call: this thread only. */
	if (syscall(SYS_setresuid, USER, USER, USER))
		return (void *)1;
	/* What it sees of itself and of the process. */
	status_uids(dropped_uids, sizeof(dropped_uids));
	fd = open("/tmp/mp_thread_creds.t", O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	dropped_owner = owner("/tmp/mp_thread_creds.t");
	pthread_barrier_wait(&bar);	/* 1: main made its own file */
	errno = 0;
	fd = open("/tmp/mp_thread_creds.root", O_RDONLY);
	dropped_open_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	/* The parent of this test process is root's. */
	errno = 0;
	dropped_kill_err = kill(getppid(), 0) ? errno : 0;
	errno = 0;
	dropped_regain_err = syscall(SYS_setresuid, 0, 0, 0) ? errno : 0;
	pthread_barrier_wait(&bar);	/* 2: done */
	return (void *)(long)(ids(USER, USER, USER) ? 0 : 2);
}

static int raw_child(void)
{
	char uids[64];
	pthread_t th;
	void *ret;
	int fd;

	unlink("/tmp/mp_thread_creds.t");
	unlink("/tmp/mp_thread_creds.root");
	pthread_barrier_init(&bar, NULL, 2);
	CHILD_CHECK(pthread_create(&th, NULL, dropper, NULL) == 0, "pthread_create");
	fd = open("/tmp/mp_thread_creds.root", O_CREAT | O_EXCL | O_WRONLY, 0600);
	CHILD_CHECK(fd >= 0, "root's file");
	if (fd >= 0)
		close(fd);
	pthread_barrier_wait(&bar);	/* 1 */
	pthread_barrier_wait(&bar);	/* 2 */
	CHILD_CHECK(pthread_join(th, &ret) == 0 && ret == NULL,
		    "the dropping thread's own ids are %d, %d, %d", USER, USER, USER);
	/* This thread: unchanged, still capable. */
	CHILD_CHECK(getuid() == 0 && geteuid() == 0 && ids(0, 0, 0),
		    "main thread uid %u euid %u", getuid(), geteuid());
	CHILD_CHECK(owner("/tmp/mp_thread_creds.root") == 0, "root's file owner %u",
		    owner("/tmp/mp_thread_creds.root"));
	CHILD_CHECK(dropped_owner == USER, "the dropped thread's file owner %u",
		    dropped_owner);
	CHILD_CHECK(dropped_open_err == EACCES,
		    "the dropped thread opening a 0600 root file: errno %d", dropped_open_err);
	fd = open("/tmp/mp_thread_creds.root", O_RDONLY);
	CHILD_CHECK(fd >= 0, "the root thread opens it");
	if (fd >= 0)
		close(fd);
	CHILD_CHECK(dropped_kill_err == EPERM,
		    "the dropped thread may not signal a root process: errno %d", dropped_kill_err);
	CHILD_CHECK(kill(getppid(), 0) == 0, "the root thread may");
	CHILD_CHECK(dropped_regain_err == EPERM,
		    "the dropped thread cannot regain uid 0: errno %d", dropped_regain_err);
	/* /proc/self is the process: its leader's ids, from either thread. */
	CHILD_CHECK(strcmp(dropped_uids, "0\t0\t0\t0") == 0,
		    "/proc/self/status Uid in the dropped thread: '%s'", dropped_uids);
	status_uids(uids, sizeof(uids));
	CHILD_CHECK(strcmp(uids, "0\t0\t0\t0") == 0, "/proc/self/status Uid: '%s'", uids);
	/* Still privileged: a raw setresgid here works. */
	CHILD_CHECK(syscall(SYS_setresgid, 5, 5, 5) == 0 && getgid() == 5,
		    "setresgid by the root thread");
	unlink("/tmp/mp_thread_creds.t");
	unlink("/tmp/mp_thread_creds.root");
	return fails;
}

/* ---- glibc's broadcast ---- */

#define NWAITERS 3
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool go;
static volatile bool spin_stop;
static int pfd[2];

struct seen {
	uid_t uid, euid;
	gid_t gid;
	int ngroups;
	gid_t group0;
};

static void look(struct seen *s)
{
	gid_t g[4];

	s->uid = getuid();
	s->euid = geteuid();
	s->gid = getgid();
	s->ngroups = getgroups(4, g);
	s->group0 = s->ngroups > 0 ? g[0] : (gid_t)-1;
}

static void *wait_futex(void *arg)
{
	pthread_mutex_lock(&mu);
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	look(arg);
	return NULL;
}

static void *wait_read(void *arg)
{
	char c;

	while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
		;
	look(arg);
	return NULL;
}

static void *spin(void *arg)
{
	while (!spin_stop)
		;
	look(arg);
	return NULL;
}

static int glibc_child(void)
{
	void *(*fn[NWAITERS])(void *) = { wait_futex, wait_read, spin };
	static const gid_t groups[] = { 7 };
	struct seen seen[NWAITERS];
	char uids[64];
	pthread_t th[NWAITERS];
	int i;

	CHILD_CHECK(pipe(pfd) == 0, "pipe");
	for (i = 0; i < NWAITERS; i++)
		CHILD_CHECK(pthread_create(&th[i], NULL, fn[i], &seen[i]) == 0, "pthread_create");
	usleep(50000);	/* they wait */
	CHILD_CHECK(setgroups(1, groups) == 0, "setgroups");
	CHILD_CHECK(setgid(GROUP) == 0, "setgid");
	CHILD_CHECK(setuid(USER) == 0, "setuid");
	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	CHILD_CHECK(write(pfd[1], "x", 1) == 1, "write");
	spin_stop = true;
	for (i = 0; i < NWAITERS; i++) {
		pthread_join(th[i], NULL);
		CHILD_CHECK(seen[i].uid == USER && seen[i].euid == USER &&
			    seen[i].gid == GROUP && seen[i].ngroups == 1 && seen[i].group0 == 7,
			    "thread %d sees uid %u euid %u gid %u groups %d (%u)", i,
			    seen[i].uid, seen[i].euid, seen[i].gid, seen[i].ngroups, seen[i].group0);
	}
	CHILD_CHECK(ids(USER, USER, USER), "main thread ids");
	status_uids(uids, sizeof(uids));
	CHILD_CHECK(strcmp(uids, "1000\t1000\t1000\t1000") == 0, "/proc/self/status Uid: '%s'", uids);
	return fails;
}

static void run(const char *what, int (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "%s: fork and wait", what);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %#x", what, status);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (getuid() != 0) {
		printf("mp_thread_creds: must start as root (uid %u)\n", getuid());
		CHECK(0, "started as root");
		return gt_finish();
	}
	run("raw setresuid in one thread", raw_child);
	run("glibc setuid in every thread", glibc_child);
	return gt_finish();
}
