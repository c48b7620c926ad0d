// SPDX-License-Identifier: GPL-2.0
/*
 * Event notification: epoll (level- and edge-triggered, one-shot, HUP,
 * errors, timeouts, interruption by a signal, nesting: readiness through
 * chains of 2 to 5 epolls, ELOOP for cycles and deeper chains), timerfd (one-shot,
 * periodic, absolute, non-blocking), signalfd, and alarm/setitimer SIGALRM.
 * Timers are short (10-50 ms) so that the test stays fast under TCG.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define MS 1000000LL

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void test_epoll_errors(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep, ep2, efd, reg;

	CHECK_ERR(epoll_create(0), EINVAL);
	CHECK_ERR(epoll_create1(0x1234), EINVAL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0, "epoll_create1");
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
	ep2 = epoll_create(10);
	CHECK(ep2 >= 0 && fcntl(ep2, F_GETFD) == 0, "epoll_create");
	efd = eventfd(0, EFD_NONBLOCK);
	reg = open("/tmp/events-reg", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(reg >= 0, "open regular file");

	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR(epoll_ctl(efd, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 9999, &ev), EBADF);
	CHECK_ERR(epoll_ctl(9999, EPOLL_CTL_ADD, efd, &ev), EBADF);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
	CHECK_ERR(epoll_ctl(ep, 77, efd, &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, (void *)8), EFAULT);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "add");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == 0, "del");
	/* A loop of epolls. */
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev) == 0, "epoll in epoll");
	CHECK_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), ELOOP);
	CHECK_ERR(epoll_wait(ep, &ev, 0, 0), EINVAL);
	CHECK_ERR(epoll_wait(efd, &ev, 1, 0), EINVAL);
	CHECK_ERR(epoll_wait(9999, &ev, 1, 0), EBADF);
	close(reg);
	unlink("/tmp/events-reg");
	close(efd);
	close(ep2);
	close(ep);
}

static void test_epoll_pipe_lt_et(void)
{
	struct epoll_event ev[4];
	int ep, p[2], n;
	char buf[16];

	ep = epoll_create1(0);
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	CHECK(add(ep, p[0], EPOLLIN, 100) == 0, "add read end LT");
	CHECK(add(ep, p[1], EPOLLOUT | EPOLLET, 101) == 0, "add write end ET");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 101 && ev[0].events == EPOLLOUT,
	      "only the write end is ready (%d, %llx)", n, (unsigned long long)ev[0].data.u64);
	CHECK(epoll_wait(ep, ev, 4, 0) == 0, "ET write end: no new edge");
	CHECK(write(p[1], "hello", 5) == 5, "write");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n >= 1 && ev[0].data.u64 == 100 && ev[0].events == EPOLLIN, "read end ready (%d)", n);
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 100, "LT: ready again (%d)", n);
	CHECK(read(p[0], buf, sizeof(buf)) == 5, "drain");
	/* (Whether the read is an edge for the ET write end is the pipe's
	 * business: Linux wakes writers only when the pipe was full.) */
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 0 || (n == 1 && ev[0].data.u64 == 101), "drained: read end not ready (%d)", n);

	/* Edge-triggered read end: one report per write. */
	CHECK(mod(ep, p[0], EPOLLIN | EPOLLET | EPOLLRDHUP, 102) == 0, "mod to ET");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0, "del write end");
	CHECK(write(p[1], "a", 1) == 1, "write");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 102, "ET edge (%d)", n);
	CHECK(epoll_wait(ep, ev, 4, 0) == 0, "ET: not again without a new write");
	CHECK(write(p[1], "b", 1) == 1, "write");
	CHECK(epoll_wait(ep, ev, 4, 0) == 1, "ET: a new write is a new edge");

	/* The writer's close: EPOLLHUP (with the data still there, EPOLLIN). */
	close(p[1]);
	n = epoll_wait(ep, ev, 4, 100);
	CHECK(n == 1 && (ev[0].events & EPOLLHUP) && (ev[0].events & EPOLLIN),
	      "HUP after the writer's close (%d, events %x)", n, n > 0 ? ev[0].events : 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 2, "read the rest");
	CHECK(mod(ep, p[0], EPOLLIN, 103) == 0, "mod LT");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].events == EPOLLHUP, "HUP only at EOF (events %x)",
	      n > 0 ? ev[0].events : 0);
	close(p[0]);
	close(ep);
}

static void test_epoll_eventfd_oneshot_and_close(void)
{
	struct epoll_event ev[4];
	uint64_t v = 1;
	int ep, efd, dupfd, n;

	ep = epoll_create1(0);
	efd = eventfd(0, EFD_NONBLOCK);
	CHECK(add(ep, efd, EPOLLIN | EPOLLONESHOT, 7) == 0, "add oneshot");
	CHECK(epoll_wait(ep, ev, 4, 0) == 0, "not ready");
	CHECK(write(efd, &v, 8) == 8, "signal");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 7, "oneshot fires (%d)", n);
	CHECK(write(efd, &v, 8) == 8, "signal again");
	CHECK(epoll_wait(ep, ev, 4, 0) == 0, "oneshot disarmed");
	CHECK(mod(ep, efd, EPOLLIN | EPOLLONESHOT, 8) == 0, "rearm");
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 8, "rearmed fires (%d)", n);

	/* The watch belongs to the open file: a dup keeps it alive... */
	CHECK(mod(ep, efd, EPOLLIN, 9) == 0, "back to LT");
	dupfd = dup(efd);
	close(efd);
	n = epoll_wait(ep, ev, 4, 0);
	CHECK(n == 1 && ev[0].data.u64 == 9, "still watched through the dup (%d)", n);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), EBADF);
	/* ...and closing the last descriptor removes it. */
	close(dupfd);
	CHECK(epoll_wait(ep, ev, 4, 0) == 0, "gone with the last close");
	close(ep);
}

/*
 * A chain of levels epolls, ep[0] watching a pipe's read end and ep[i]
 * watching ep[i - 1]: a write is seen at the top (epoll_wait and poll), and
 * once the pipe is drained the top is not readable any more: polling an
 * epoll re-polls what it watches.
 */
static void test_epoll_nested_chain(int levels)
{
	struct epoll_event ev[2];
	struct pollfd pfd;
	int ep[5], p[2], i, n;
	char c;

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	for (i = 0; i < levels; i++) {
		ep[i] = epoll_create1(0);
		CHECK(add(ep[i], i ? ep[i - 1] : p[0], EPOLLIN, 100 + i) == 0,
		      "level %d watches the one below", i);
	}
	pfd.fd = ep[levels - 1];
	pfd.events = POLLIN;
	CHECK(epoll_wait(ep[levels - 1], ev, 2, 0) == 0, "%d levels: nothing yet", levels);
	CHECK(write(p[1], "x", 1) == 1, "write");
	n = epoll_wait(ep[levels - 1], ev, 2, 0);
	CHECK(n == 1 && ev[0].events == EPOLLIN && ev[0].data.u64 == (uint64_t)(100 + levels - 1),
	      "%d levels: the write is seen at the top (%d)", levels, n);
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN,
	      "%d levels: poll on the top epoll", levels);
	n = epoll_wait(ep[levels - 1], ev, 2, 0);
	CHECK(n == 1, "%d levels: level-triggered, again (%d)", levels, n);
	CHECK(read(p[0], &c, 1) == 1, "drain");
	n = epoll_wait(ep[levels - 1], ev, 2, 0);
	CHECK(n == 0, "%d levels: drained, nothing at the top (%d)", levels, n);
	pfd.revents = 0;
	CHECK(poll(&pfd, 1, 0) == 0 && pfd.revents == 0,
	      "%d levels: drained, poll on the top epoll (revents %x)", levels, pfd.revents);
	/* Once more through every level, with a wait that blocks briefly. */
	CHECK(write(p[1], "y", 1) == 1, "write");
	n = epoll_wait(ep[levels - 1], ev, 2, 1000);
	CHECK(n == 1, "%d levels: the second write (%d)", levels, n);
	for (i = levels - 1; i >= 0; i--)
		close(ep[i]);
	close(p[0]);
	close(p[1]);
}

/* ELOOP (Linux since "eventpoll: Fix semi-unbounded recursion", 2025, also
 * in Debian's 6.1.0-56): cycles, and chains of more than 5 epolls however
 * they are built. */
static void test_epoll_eloop(void)
{
	int ep[7], i;

	for (i = 0; i < 7; i++)
		ep[i] = epoll_create1(0);
	CHECK(add(ep[0], ep[1], EPOLLIN, 0) == 0, "0 watches 1");
	CHECK_ERR(add(ep[1], ep[0], EPOLLIN, 0), ELOOP);
	CHECK(add(ep[1], ep[2], EPOLLIN, 0) == 0, "1 watches 2");
	CHECK_ERR(add(ep[2], ep[0], EPOLLIN, 0), ELOOP);
	CHECK(add(ep[0], ep[2], EPOLLIN, 0) == 0, "a second path to 2 is no cycle");
	/* Top down: the fifth watch in a chain is one too many. */
	CHECK(add(ep[2], ep[3], EPOLLIN, 0) == 0, "2 watches 3");
	CHECK(add(ep[3], ep[4], EPOLLIN, 0) == 0, "3 watches 4: 5 epolls");
	CHECK_ERR(add(ep[4], ep[5], EPOLLIN, 0), ELOOP);
	/* Bottom up, and joining two chains. */
	CHECK(add(ep[5], ep[6], EPOLLIN, 0) == 0, "5 watches 6");
	CHECK_ERR(add(ep[4], ep[5], EPOLLIN, 0), ELOOP);
	CHECK(epoll_ctl(ep[0], EPOLL_CTL_DEL, ep[1], NULL) == 0, "del");
	CHECK(epoll_ctl(ep[0], EPOLL_CTL_DEL, ep[2], NULL) == 0, "del");
	CHECK(epoll_ctl(ep[1], EPOLL_CTL_DEL, ep[2], NULL) == 0, "del");
	CHECK(add(ep[4], ep[5], EPOLLIN, 0) == 0, "2 -> 3 -> 4 -> 5 -> 6");
	CHECK_ERR(add(ep[1], ep[2], EPOLLIN, 0), ELOOP);
	/* A closed epoll leaves the graph. */
	close(ep[6]);
	CHECK(add(ep[1], ep[2], EPOLLIN, 0) == 0, "1 -> 2 -> 3 -> 4 -> 5");
	for (i = 0; i < 6; i++)
		close(ep[i]);
}

static void test_epoll_timeouts(void)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 20 * MS };
	long long t0, dt;
	int ep = epoll_create1(0);

	t0 = now_ns();
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "timeout 0");
	t0 = now_ns();
	CHECK(epoll_wait(ep, &ev, 1, 30) == 0, "timeout 30 ms");
	dt = now_ns() - t0;
	CHECK(dt >= 30 * MS && dt < 3000 * MS, "waited %lld ms", dt / MS);
	t0 = now_ns();
	CHECK(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8) == 0, "epoll_pwait2");
	dt = now_ns() - t0;
	CHECK(dt >= 20 * MS && dt < 3000 * MS, "pwait2 waited %lld ms", dt / MS);
	close(ep);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void test_epoll_eintr(void)
{
	struct itimerval it = { .it_value = { 0, 30000 } }, cur;
	struct epoll_event ev;
	struct sigaction sa;
	sigset_t block, old;
	long long t0;
	int ep = epoll_create1(0), r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;	/* epoll_wait is never restarted */
	sigaction(SIGALRM, &sa, NULL);

	alarms = 0;
	/* From before arming: a delay between arming and the wait (a busy
	 * emulated VM) cannot make a timely signal look early. */
	t0 = now_ns();
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_usec > 0 &&
	      cur.it_value.tv_sec == 0, "getitimer");
	errno = 0;
	r = epoll_wait(ep, &ev, 1, 5000);
	CHECK(r == -1 && errno == EINTR, "epoll_wait interrupted by SIGALRM (%d)", r);
	CHECK(alarms == 1, "the handler ran (%d)", (int)alarms);
	CHECK(now_ns() - t0 >= 25 * MS, "not before the timer");

	/* epoll_pwait: SIGALRM blocked outside, let through during the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	alarms = 0;
	CHECK(alarm(1) == 0, "alarm");
	CHECK(alarm(0) == 1, "alarm cancels and reports the time left");
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	errno = 0;
	r = epoll_pwait(ep, &ev, 1, 5000, &old);
	CHECK(r == -1 && errno == EINTR && alarms == 1, "epoll_pwait lets SIGALRM in (%d, %d)",
	      r, (int)alarms);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* A periodic timer keeps firing. */
	alarms = 0;
	it.it_interval.tv_usec = 10000;
	it.it_value.tv_usec = 10000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "periodic setitimer");
	t0 = now_ns();
	while (alarms < 3 && now_ns() - t0 < 3000 * MS)
		epoll_wait(ep, &ev, 1, 100);
	CHECK(alarms >= 3, "periodic SIGALRM (%d)", (int)alarms);
	memset(&it, 0, sizeof(it));
	CHECK(setitimer(ITIMER_REAL, &it, &cur) == 0 && cur.it_interval.tv_usec == 10000,
	      "disarm returns the old interval");
	CHECK_ERR(setitimer(7, &it, NULL), EINVAL);
	signal(SIGALRM, SIG_DFL);
	close(ep);
}

static void test_timerfd(void)
{
	struct itimerspec its = { .it_value = { 0, 20 * MS } }, cur;
	struct epoll_event ev;
	struct timespec abs;
	uint64_t n = 0;
	long long t0, dt;
	int tfd, ep;
	char small[4];

	CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x40), EINVAL);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	CHECK(tfd >= 0 && fcntl(tfd, F_GETFD) == FD_CLOEXEC, "timerfd_create");
	CHECK_ERR(read(tfd, small, sizeof(small)), EINVAL);
	CHECK_ERR(timerfd_settime(tfd, 0x80, &its, NULL), EINVAL);
	CHECK_ERR(timerfd_gettime(0, &cur), EINVAL);

	/* One-shot: a blocking read waits for it. */
	t0 = now_ns();
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0, "settime");
	CHECK(timerfd_gettime(tfd, &cur) == 0 && cur.it_value.tv_nsec > 0 &&
	      cur.it_value.tv_nsec <= 20 * MS, "gettime");
	CHECK(read(tfd, &n, 8) == 8 && n == 1, "one expiration (%llu)", (unsigned long long)n);
	dt = now_ns() - t0;
	CHECK(dt >= 20 * MS, "not early (%lld ms)", dt / MS);
	CHECK(timerfd_gettime(tfd, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	      cur.it_value.tv_nsec == 0, "disarmed after firing");

	/* Periodic: counts accumulate. */
	its.it_value.tv_nsec = 10 * MS;
	its.it_interval.tv_nsec = 10 * MS;
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0, "periodic");
	usleep(55000);
	CHECK(read(tfd, &n, 8) == 8 && n >= 5 && n < 100, "periodic count %llu",
	      (unsigned long long)n);

	/* Non-blocking: EAGAIN until the next expiry. */
	CHECK(fcntl(tfd, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	its.it_value.tv_nsec = 40 * MS;
	its.it_interval.tv_nsec = 0;
	CHECK(timerfd_settime(tfd, 0, &its, &cur) == 0 && cur.it_interval.tv_nsec == 10 * MS,
	      "old value");
	CHECK_ERR(read(tfd, &n, 8), EAGAIN);

	/* Absolute on CLOCK_MONOTONIC, through epoll. */
	ep = epoll_create1(0);
	CHECK(add(ep, tfd, EPOLLIN, 55) == 0, "add timerfd");
	clock_gettime(CLOCK_MONOTONIC, &abs);
	t0 = now_ns();
	abs.tv_nsec += 25 * MS;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	its.it_value = abs;
	CHECK(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0, "abstime");
	CHECK(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u64 == 55, "epoll sees the timer");
	/* Against the deadline itself: a delay between reading the clock and
	 * t0 (a busy VM) must not make a timely expiry look early. */
	dt = now_ns() - (abs.tv_sec * 1000000000LL + abs.tv_nsec);
	CHECK(dt >= 0 && now_ns() - t0 < 3000 * MS, "on time (%lld ms after the deadline)",
	      dt / MS);
	CHECK(read(tfd, &n, 8) == 8 && n == 1, "read after epoll");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "consumed");
	close(ep);
	close(tfd);

	/* CLOCK_REALTIME, absolute in the past: expires at once; poll(2). */
	tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec -= 1;
	its.it_value = abs;
	its.it_interval.tv_nsec = 0;
	CHECK(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0, "realtime abstime");
	{
		struct pollfd pfd = { .fd = tfd, .events = POLLIN };

		CHECK(poll(&pfd, 1, 1000) == 1 && pfd.revents == POLLIN, "poll on timerfd");
	}
	CHECK(read(tfd, &n, 8) == 8 && n == 1, "past expiry counted");
	close(tfd);
	/* CLOCK_BOOTTIME exists too. */
	tfd = timerfd_create(CLOCK_BOOTTIME, 0);
	CHECK(tfd >= 0, "CLOCK_BOOTTIME");
	close(tfd);
}

static void test_signalfd(void)
{
	struct itimerval it = { .it_value = { 0, 20000 } };
	struct signalfd_siginfo si[2];
	struct epoll_event ev;
	sigset_t set, old;
	int sfd, ep, n;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
	CHECK_ERR(signalfd(-1, &set, 0x7), EINVAL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(sfd >= 0 && fcntl(sfd, F_GETFD) == FD_CLOEXEC, "signalfd");
	CHECK_ERR(read(sfd, si, 8), EINVAL);
	CHECK_ERR(read(sfd, si, sizeof(si)), EAGAIN);

	/* Two pending signals come out in one read, lowest first. */
	raise(SIGUSR2);
	raise(SIGUSR1);
	n = read(sfd, si, sizeof(si));
	CHECK(n == 2 * (int)sizeof(si[0]), "read two records (%d)", n);
	CHECK(si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2, "signals %u %u",
	      si[0].ssi_signo, si[1].ssi_signo);
	CHECK(si[0].ssi_code == SI_TKILL && si[0].ssi_pid == (uint32_t)getpid(),
	      "code %d pid %u", si[0].ssi_code, si[0].ssi_pid);
	{
		sigset_t pend;

		sigpending(&pend);
		CHECK(!sigismember(&pend, SIGUSR1), "dequeued: no longer pending");
	}

	/* Through epoll, then a blocking read woken by SIGALRM. */
	ep = epoll_create1(0);
	CHECK(add(ep, sfd, EPOLLIN, 5) == 0, "add signalfd");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "nothing pending");
	kill(getpid(), SIGUSR2);
	CHECK(epoll_wait(ep, &ev, 1, 1000) == 1 && ev.data.u64 == 5, "epoll sees the signal");
	CHECK(read(sfd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR2 &&
	      si[0].ssi_code == SI_USER, "SIGUSR2 from kill");
	CHECK(fcntl(sfd, F_SETFL, 0) == 0, "blocking");
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	CHECK(read(sfd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGALRM,
	      "blocking read gets SIGALRM (%u)", si[0].ssi_signo);
	/* signalfd(fd, ...) replaces the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(signalfd(sfd, &set, 0) == sfd, "new mask");
	raise(SIGUSR2);
	CHECK(fcntl(sfd, F_SETFL, O_NONBLOCK) == 0, "nonblocking");
	CHECK_ERR(read(sfd, si, sizeof(si[0])), EAGAIN);
	sigaddset(&set, SIGUSR2);
	CHECK(signalfd(sfd, &set, 0) == sfd, "mask with SIGUSR2 again");
	CHECK(read(sfd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR2,
	      "SIGUSR2 was kept pending");
	CHECK_ERR(read(sfd, si, sizeof(si[0])), EAGAIN);
	CHECK_ERR(signalfd(ep, &set, 0), EINVAL);
	close(ep);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	test_epoll_errors();
	test_epoll_pipe_lt_et();
	test_epoll_eventfd_oneshot_and_close();
	test_epoll_nested_chain(2);
	test_epoll_nested_chain(3);
	test_epoll_nested_chain(4);
	test_epoll_nested_chain(5);
	test_epoll_eloop();
	test_epoll_timeouts();
	test_epoll_eintr();
	test_timerfd();
	test_signalfd();
	return gt_finish();
}
