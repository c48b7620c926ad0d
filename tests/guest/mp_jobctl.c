// SPDX-License-Identifier: GPL-2.0
/*
 * Job control: SIGSTOP/SIGTSTP stop a whole process (every thread, whether
 * in guest code, in a futex wait, a read or a nanosleep), SIGCONT continues
 * it (and runs its handler), SIGKILL kills a stopped process, a stopped
 * process keeps other signals pending; wait4 WUNTRACED/WCONTINUED and
 * waitid WSTOPPED/WCONTINUED (WNOWAIT) reports, SIGCHLD with CLD_STOPPED /
 * CLD_CONTINUED unless SA_NOCLDSTOP, kill(-pgid). ("mp_": fork, threads.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

static volatile sig_atomic_t chld_code[16];
static volatile sig_atomic_t chld_status[16];
static volatile sig_atomic_t nchld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nchld < 16) {
		chld_code[nchld] = si->si_code;
		chld_status[nchld] = si->si_status;
		nchld++;
	}
}

static void set_chld_handler(int flags)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	nchld = 0;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Bytes waiting in a non-blocking pipe, consumed; tally of c in *nc. */
static int drain(int fd, char c, int *nc)
{
	char buf[256];
	int total = 0;
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			if (nc && buf[i] == c)
				(*nc)++;
		total += (int)n;
	}
	return total;
}

/* Waits up to ms for at least one byte c to arrive. */
static int await_byte(int fd, char c, int ms)
{
	int nc = 0, i;

	for (i = 0; i < ms && !nc; i += 5) {
		drain(fd, c, &nc);
		if (!nc)
			msleep(5);
	}
	return nc;
}

static void wait_for_chld(int n)
{
	int i;

	for (i = 0; i < 200 && nchld < n; i++)
		msleep(5);
}

/* A child that computes, writing a tick now and then: stops in guest code. */
static void ticker(int wfd)
{
	volatile unsigned long x = 0;

	for (;;) {
		for (x = 0; x < 200000; x++)
			;
		if (write(wfd, "t", 1) < 0)
			_exit(3);
	}
}

static void test_stop_cont_kill(void)
{
	int p[2], st = 0, n;
	pid_t c;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	set_chld_handler(0);
	c = fork();
	if (c == 0) {
		close(p[0]);
		ticker(p[1]);
	}
	close(p[1]);
	CHECK(await_byte(p[0], 't', 3000) > 0, "the child ticks");
	CHECK(kill(c, SIGSTOP) == 0, "kill SIGSTOP");
	CHECK(waitpid(c, &st, WUNTRACED) == c, "waitpid WUNTRACED");
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "stopped by SIGSTOP: %#x", st);
	CHECK((st & 0xffff) == ((SIGSTOP << 8) | 0x7f), "raw status %#x", st);
	wait_for_chld(1);
	CHECK(nchld == 1 && chld_code[0] == CLD_STOPPED && chld_status[0] == SIGSTOP,
	      "SIGCHLD CLD_STOPPED: n %d code %d status %d", (int)nchld,
	      (int)chld_code[0], (int)chld_status[0]);
	/* Stopped: no ticks (one may have been on its way). */
	msleep(50);
	drain(p[0], 0, NULL);
	msleep(150);
	CHECK(drain(p[0], 0, NULL) == 0, "no ticks while stopped");
	CHECK(waitpid(c, &st, WNOHANG | WUNTRACED) == 0, "the stop is reported once");
	/* A second stop of a stopped process: nothing new. */
	CHECK(kill(c, SIGTSTP) == 0, "SIGTSTP to a stopped child");
	msleep(50);
	CHECK(waitpid(c, &st, WNOHANG | WUNTRACED) == 0, "no second report");

	CHECK(kill(c, SIGCONT) == 0, "kill SIGCONT");
	CHECK(waitpid(c, &st, WCONTINUED) == c, "waitpid WCONTINUED");
	CHECK(WIFCONTINUED(st) && st == 0xffff, "continued: %#x", st);
	wait_for_chld(2);
	CHECK(nchld == 2 && chld_code[1] == CLD_CONTINUED && chld_status[1] == SIGCONT,
	      "SIGCHLD CLD_CONTINUED: n %d code %d status %d", (int)nchld,
	      (int)chld_code[1], (int)chld_status[1]);
	CHECK(await_byte(p[0], 't', 3000) > 0, "ticks again");

	/* Stopped, then SIGKILL. */
	CHECK(kill(c, SIGSTOP) == 0, "SIGSTOP again");
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), "stopped again %#x", st);
	CHECK(kill(c, SIGKILL) == 0, "SIGKILL");
	n = waitpid(c, &st, 0);
	CHECK(n == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "killed while stopped: %d %#x", n, st);
	close(p[0]);
}

static void on_cont(int sig)
{
	(void)sig;
	if (write(3, "C", 1) < 0)
		_exit(4);
}

/* SIGTSTP stops by default; SIGCONT runs the child's handler; a SIGTERM
 * sent while stopped waits for the continuation; waitid reports. */
static void test_tstp_handler_waitid(void)
{
	int p[2], st = 0;
	siginfo_t si;
	pid_t c;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	set_chld_handler(0);
	c = fork();
	if (c == 0) {
		/* A group of its own with the parent outside: not orphaned,
		 * so SIGTSTP is not discarded (Linux's rule). */
		setpgid(0, 0);
		close(p[0]);
		if (dup2(p[1], 3) != 3)
			_exit(5);
		signal(SIGCONT, on_cont);
		ticker(3);
	}
	setpgid(c, c);
	close(p[1]);
	CHECK(await_byte(p[0], 't', 3000) > 0, "the child ticks");
	CHECK(kill(c, SIGTSTP) == 0, "SIGTSTP");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT) == 0, "waitid WSTOPPED|WNOWAIT");
	CHECK(si.si_pid == c && si.si_code == CLD_STOPPED && si.si_status == SIGTSTP &&
	      si.si_signo == SIGCHLD, "pid %d code %d status %d", si.si_pid, si.si_code,
	      si.si_status);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WSTOPPED) == 0, "waitid again (WNOWAIT kept it)");
	CHECK(si.si_pid == c && si.si_code == CLD_STOPPED, "code %d", si.si_code);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WSTOPPED | WNOHANG) == 0 && si.si_pid == 0,
	      "consumed: pid %d", si.si_pid);
	/* Not an exit: WEXITED alone does not see a stop. */
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
	      "WEXITED: pid %d", si.si_pid);
	drain(p[0], 0, NULL);

	/* SIGCONT: continued, and its handler runs. */
	CHECK(kill(c, SIGCONT) == 0, "SIGCONT");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WCONTINUED) == 0, "waitid WCONTINUED");
	CHECK(si.si_pid == c && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT,
	      "code %d status %d", si.si_code, si.si_status);
	CHECK(await_byte(p[0], 'C', 3000) == 1, "the SIGCONT handler ran once");
	CHECK(kill(c, SIGSTOP) == 0, "SIGSTOP");
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), "stopped again %#x", st);
	drain(p[0], 0, NULL);

	/* SIGTERM while stopped: pending, not acted on. */
	CHECK(kill(c, SIGTERM) == 0, "SIGTERM to the stopped child");
	msleep(100);
	CHECK(waitpid(c, &st, WNOHANG) == 0, "still there, stopped");
	CHECK(drain(p[0], 0, NULL) == 0, "and silent");
	/* SIGCONT: the pending SIGTERM (a lower number) acts first. */
	CHECK(kill(c, SIGCONT) == 0, "SIGCONT");
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "then SIGTERM: %#x", st);
	close(p[0]);
}

/* SA_NOCLDSTOP: no SIGCHLD for stops and continuations, wait4 still sees
 * them; a child that stops itself (raise). */
static void test_nocldstop_self_stop(void)
{
	int st = 0, n;
	pid_t c;

	set_chld_handler(SA_NOCLDSTOP);
	c = fork();
	if (c == 0) {
		raise(SIGSTOP);
		_exit(42);
	}
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "self-stopped %#x", st);
	msleep(50);
	CHECK(nchld == 0, "no SIGCHLD for the stop: %d", (int)nchld);
	CHECK(kill(c, SIGCONT) == 0, "SIGCONT");
	n = waitpid(c, &st, 0);
	CHECK(n == c && WIFEXITED(st) && WEXITSTATUS(st) == 42, "then exits 42: %d %#x",
	      n, st);
	wait_for_chld(1);
	CHECK(nchld == 1 && chld_code[0] == CLD_EXITED, "only the exit's SIGCHLD: n %d code %d",
	      (int)nchld, (int)chld_code[0]);
	set_chld_handler(0);
}

/* SIGCONT discards a pending (blocked) SIGTSTP; a stop signal discards a
 * pending SIGCONT. The child reports sigpending through a pipe. */
static void test_discard(void)
{
	int go[2], rep[2], st = 0;
	char r[2] = { 0, 0 };
	pid_t c;

	CHECK(pipe(go) == 0 && pipe(rep) == 0, "pipes");
	c = fork();
	if (c == 0) {
		sigset_t set, pend;
		char b;

		sigemptyset(&set);
		sigaddset(&set, SIGTSTP);
		sigaddset(&set, SIGCONT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(rep[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(6);
		sigpending(&pend);
		b = sigismember(&pend, SIGTSTP) ? 'T' : sigismember(&pend, SIGCONT) ? 'C' : '-';
		if (write(rep[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(7);
		sigpending(&pend);
		b = sigismember(&pend, SIGTSTP) ? 'T' : sigismember(&pend, SIGCONT) ? 'C' : '-';
		if (write(rep[1], &b, 1) != 1)
			_exit(8);
		_exit(0);
	}
	CHECK(read(rep[0], r, 1) == 1 && r[0] == 'r', "child ready");
	CHECK(kill(c, SIGTSTP) == 0 && kill(c, SIGCONT) == 0, "TSTP then CONT");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(read(rep[0], r, 1) == 1 && r[0] == 'C', "SIGCONT discarded the TSTP: %c", r[0]);
	CHECK(kill(c, SIGTSTP) == 0, "TSTP");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(read(rep[0], r, 1) == 1 && r[0] == 'T', "TSTP discarded the CONT: %c", r[0]);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child exits 0: %#x", st);
	close(go[0]);
	close(go[1]);
	close(rep[0]);
	close(rep[1]);
}

/* kill(-pgid): two children in their own group stop and continue together. */
static void test_group(void)
{
	int p[2], st = 0, i, nt;
	pid_t c[2], pg = 0;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	for (i = 0; i < 2; i++) {
		c[i] = fork();
		if (c[i] == 0) {
			close(p[0]);
			ticker(p[1]);
		}
		if (!pg)
			pg = c[i];
		CHECK(setpgid(c[i], pg) == 0, "setpgid %d", i);
	}
	close(p[1]);
	CHECK(await_byte(p[0], 't', 3000) > 0, "ticks");
	CHECK(kill(-pg, SIGSTOP) == 0, "kill(-pgid, SIGSTOP)");
	for (i = 0; i < 2; i++)
		CHECK(waitpid(c[i], &st, WUNTRACED) == c[i] && WIFSTOPPED(st),
		      "child %d stopped: %#x", i, st);
	msleep(50);
	drain(p[0], 0, NULL);
	msleep(150);
	CHECK(drain(p[0], 0, NULL) == 0, "the group is silent");
	CHECK(kill(-pg, SIGCONT) == 0, "kill(-pgid, SIGCONT)");
	for (i = 0; i < 2; i++)
		CHECK(waitpid(c[i], &st, WCONTINUED) == c[i] && WIFCONTINUED(st),
		      "child %d continued: %#x", i, st);
	nt = await_byte(p[0], 't', 3000);
	CHECK(nt > 0, "ticks again");
	CHECK(kill(-pg, SIGKILL) == 0, "kill(-pgid, SIGKILL)");
	for (i = 0; i < 2; i++)
		CHECK(waitpid(c[i], &st, 0) == c[i] && WIFSIGNALED(st) &&
		      WTERMSIG(st) == SIGKILL, "child %d killed: %#x", i, st);
	close(p[0]);
}

/* ---- a multithreaded child: every thread stops, wherever it is ---- */

static int mt_out, mt_in;
static pthread_mutex_t mt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mt_cond = PTHREAD_COND_INITIALIZER;

static void out(char c)
{
	if (write(mt_out, &c, 1) != 1)
		_exit(9);
}

static void *mt_sleeper(void *arg)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		if (nanosleep(&ts, NULL))
			out('E');
		out('s');
	}
	return NULL;
}

static void *mt_reader(void *arg)
{
	char b;

	(void)arg;
	for (;;) {
		ssize_t n = read(mt_in, &b, 1);

		out(n == 1 ? 'r' : 'E');
	}
	return NULL;
}

static void *mt_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mt_lock);
	for (;;) {
		struct timespec ts;
		int r;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 3 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		r = pthread_cond_timedwait(&mt_cond, &mt_lock, &ts);
		out(r == 0 || r == ETIMEDOUT ? 'w' : 'E');
	}
	return NULL;
}

static void test_threads(void)
{
	int o[2], in[2], st = 0, ns = 0, nr = 0, nw = 0, ne = 0, nt = 0;
	char seen[4096];
	int got, i;
	pid_t c;

	CHECK(pipe2(o, O_NONBLOCK) == 0 && pipe(in) == 0, "pipes");
	c = fork();
	if (c == 0) {
		pthread_t th;

		close(o[0]);
		close(in[1]);
		mt_out = o[1];
		mt_in = in[0];
		if (pthread_create(&th, NULL, mt_sleeper, NULL) ||
		    pthread_create(&th, NULL, mt_reader, NULL) ||
		    pthread_create(&th, NULL, mt_waiter, NULL))
			_exit(10);
		ticker(o[1]);
	}
	close(o[1]);
	close(in[0]);
	CHECK(await_byte(o[0], 's', 3000) > 0, "the sleeper runs");
	CHECK(await_byte(o[0], 'w', 3000) > 0, "the cond waiter runs");
	CHECK(await_byte(o[0], 't', 3000) > 0, "the main thread ticks");
	CHECK(kill(c, SIGSTOP) == 0, "SIGSTOP to the process");
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st), "stopped: %#x", st);
	msleep(50);
	drain(o[0], 0, NULL);
	/* Data for the reader while stopped: read stays stopped too. */
	CHECK(write(in[1], "x", 1) == 1, "write to the reader");
	msleep(200);
	CHECK(drain(o[0], 0, NULL) == 0, "no thread runs while stopped");
	CHECK(kill(c, SIGCONT) == 0, "SIGCONT");
	CHECK(waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st), "continued: %#x", st);
	for (i = 0; i < 100 && !(ns && nr && nw && nt); i++) {
		msleep(10);
		got = (int)read(o[0], seen, sizeof(seen));
		while (got > 0) {
			int k;

			for (k = 0; k < got; k++) {
				ns += seen[k] == 's';
				nr += seen[k] == 'r';
				nw += seen[k] == 'w';
				ne += seen[k] == 'E';
				nt += seen[k] == 't';
			}
			got = (int)read(o[0], seen, sizeof(seen));
		}
	}
	CHECK(ns > 0 && nw > 0 && nt > 0, "all threads go on: s %d w %d t %d", ns, nw, nt);
	CHECK(nr == 1, "the reader got its byte once: %d", nr);
	CHECK(ne == 0, "no call failed with EINTR across the stop: %d", ne);
	CHECK(kill(c, SIGKILL) == 0, "SIGKILL");
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "killed: %#x", st);
	close(o[0]);
	close(in[1]);
}

/*
 * A child stopped in the middle of a 400 ms nanosleep and continued 100 ms
 * later: the sleep goes on to its first deadline (Linux's restart block),
 * not 400 ms more after the continuation.
 */
static void test_stop_during_sleep(void)
{
	int p[2], st = -1;
	long long ms = -1;
	pid_t c;

	CHECK(pipe(p) == 0, "pipe");
	c = fork();
	if (c == 0) {
		struct timespec a, b, req = { 0, 400 * 1000000L };
		long long d;

		close(p[0]);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (write(p[1], "s", 1) != 1 || nanosleep(&req, NULL))
			_exit(1);
		clock_gettime(CLOCK_MONOTONIC, &b);
		d = ((b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec) / 1000000;
		_exit(write(p[1], &d, sizeof(d)) == sizeof(d) ? 0 : 2);
	}
	close(p[1]);
	CHECK(read(p[0], &ms, 1) == 1, "the child sleeps");
	msleep(50);
	CHECK(kill(c, SIGSTOP) == 0 && waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st),
	      "stopped in its sleep (%#x)", st);
	msleep(100);
	CHECK(kill(c, SIGCONT) == 0, "SIGCONT");
	ms = -1;
	CHECK(read(p[0], &ms, sizeof(ms)) == sizeof(ms), "the child's time");
	CHECK(ms >= 400 && ms < 480, "a 400 ms sleep, stopped for 100 ms, took %lld ms", ms);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "status %#x", st);
	close(p[0]);
}

/* ---- orphaned process groups ---- */

#define READY_FD	20	/* above the pipes' fds */

/*
 * A grandchild G in a group of its own, in a session its parent C made:
 * when C exits, G's group has no parent in another group of the session
 * any more (its new parent is in another session): it is orphaned.
 * Returns G's pid (in the caller: C is reaped); G runs child_fn.
 */
static pid_t orphan_grandchild(void (*child_fn)(void), bool stop_first)
{
	int q[2], r[2], st = -1;
	pid_t c, g = 0;

	if (pipe(q) || pipe(r))
		return -1;
	c = fork();
	if (c == 0) {
		pid_t gg;
		char b;

		/* G reports its readiness to C on READY_FD. */
		if (setsid() < 0 || dup2(r[1], READY_FD) != READY_FD)
			_exit(2);
		close(q[0]);
		gg = fork();
		if (gg == 0) {
			setpgid(0, 0);
			child_fn();	/* writes 'r' to READY_FD when ready */
			_exit(0);
		}
		setpgid(gg, gg);
		if (read(r[0], &b, 1) != 1)
			_exit(3);
		if (stop_first) {
			/* Not orphaned yet (C is G's link): SIGSTOP, and a
			 * stopped member when C's exit orphans the group. */
			if (kill(gg, SIGSTOP) || waitpid(gg, &st, WUNTRACED) != gg ||
			    !WIFSTOPPED(st))
				_exit(4);
		}
		if (write(q[1], &gg, sizeof(gg)) != sizeof(gg))
			_exit(5);
		_exit(0);
	}
	close(q[1]);
	close(r[0]);
	close(r[1]);
	if (read(q[0], &g, sizeof(g)) != sizeof(g))
		g = -1;
	close(q[0]);
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the middle child (status %#x)", st);
	return g;
}

static int tick_fd = -1;

static void ticking_child(void)
{
	if (dup2(tick_fd, 3) != 3 || write(READY_FD, "r", 1) != 1)
		_exit(6);
	ticker(3);
}

/* SIGTSTP, SIGTTIN and SIGTTOU by their default action do nothing to a
 * process of an orphaned group; SIGSTOP still stops it. */
static void test_orphaned_discard(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	int p[2], n = 0;
	unsigned i;
	pid_t g;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	tick_fd = p[1];
	g = orphan_grandchild(ticking_child, false);
	close(p[1]);
	CHECK(g > 0, "the grandchild's pid");
	if (g <= 0)
		return;
	CHECK(await_byte(p[0], 't', 3000) > 0, "the orphaned grandchild ticks");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		CHECK(kill(g, sigs[i]) == 0, "kill %d", sigs[i]);
		msleep(50);
		drain(p[0], 't', NULL);
		CHECK(await_byte(p[0], 't', 3000) > 0,
		      "signal %d stopped a process of an orphaned group", sigs[i]);
	}
	CHECK(kill(g, SIGSTOP) == 0, "SIGSTOP");
	msleep(100);
	drain(p[0], 't', NULL);
	msleep(300);
	drain(p[0], 't', &n);
	CHECK(n == 0, "SIGSTOP stops it all the same (%d ticks while stopped)", n);
	CHECK(kill(g, SIGCONT) == 0 && await_byte(p[0], 't', 3000) > 0, "SIGCONT");
	kill(g, SIGKILL);
	close(p[0]);
}

static volatile sig_atomic_t got_hup, got_cont;

static void on_hup_cont(int sig, siginfo_t *si, void *uc)
{
	char b;

	(void)uc;
	if (sig == SIGHUP) {
		b = si->si_code == SI_KERNEL ? 'H' : 'h';
		got_hup = 1;
	} else {
		b = si->si_code == SI_KERNEL ? 'C' : 'c';
		got_cont = 1;
	}
	if (write(3, &b, 1) < 0)
		_exit(7);
}

static void hup_child(void)
{
	struct sigaction sa = { 0 };
	int i;

	sa.sa_sigaction = on_hup_cont;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (dup2(tick_fd, 3) != 3 || sigaction(SIGHUP, &sa, NULL) ||
	    sigaction(SIGCONT, &sa, NULL) || write(READY_FD, "r", 1) != 1)
		_exit(6);
	for (i = 0; i < 1000 && !(got_hup && got_cont); i++)
		msleep(10);
	_exit(0);
}

/* A group that an exit orphans while a member is stopped: every member
 * gets SIGHUP, then SIGCONT (si_code SI_KERNEL), and goes on. */
static void test_orphaned_hangup(void)
{
	int p[2], nh = 0, nc = 0, i;
	char buf[16];
	ssize_t n;
	pid_t g;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	tick_fd = p[1];
	g = orphan_grandchild(hup_child, true);
	close(p[1]);
	CHECK(g > 0, "the grandchild's pid");
	for (i = 0; i < 600 && !(nh && nc); i++) {
		while ((n = read(p[0], buf, sizeof(buf))) > 0) {
			for (ssize_t j = 0; j < n; j++) {
				nh += buf[j] == 'H';
				nc += buf[j] == 'C';
				CHECK(buf[j] == 'H' || buf[j] == 'C',
				      "SIGHUP/SIGCONT with si_code %s",
				      buf[j] == 'h' || buf[j] == 'c' ? "not SI_KERNEL" : "?");
			}
		}
		if (!(nh && nc))
			msleep(5);
	}
	CHECK(nh == 1 && nc == 1, "the stopped member of the orphaned group got %d SIGHUP, %d SIGCONT",
	      nh, nc);
	close(p[0]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_stop_cont_kill();
	test_tstp_handler_waitid();
	test_nocldstop_self_stop();
	test_discard();
	test_group();
	test_threads();
	test_stop_during_sleep();
	/* Last: their grandchildren end up children of the sandbox's pid 1. */
	test_orphaned_discard();
	test_orphaned_hangup();
	return gt_finish();
}
