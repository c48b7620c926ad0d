// SPDX-License-Identifier: GPL-2.0
/*
 * Real-time signals: sigqueue to self queues each send with its si_value,
 * delivered lowest signal first and in order within a signal, standard
 * signals coalesced; sigwaitinfo and sigtimedwait (poll, timeout, EINTR by
 * a handled signal outside the set); signalfd records of queued signals;
 * the RLIMIT_SIGPENDING bound (EAGAIN for sigqueue, lost siginfo for
 * kill); rt_sigqueueinfo/rt_tgsigqueueinfo argument and EPERM checks.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

#define MAXREC 32

struct rec {
	int sig;
	int code;
	int value;
	pid_t pid;
};

static struct rec recs[MAXREC];
static volatile int nrec;
static volatile sig_atomic_t alarms;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nrec < MAXREC) {
		recs[nrec].sig = sig;
		recs[nrec].code = si->si_code;
		recs[nrec].value = si->si_value.sival_int;
		recs[nrec].pid = si->si_pid;
	}
	nrec++;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void handler_for(int sig, sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sa.sa_mask = *mask;	/* one handler at a time: a clean order */
	sigaction(sig, &sa, NULL);
}

static void test_delivery_order(void)
{
	int r0 = SIGRTMIN, r1 = SIGRTMIN + 1;
	sigset_t block, old;
	union sigval v;

	sigemptyset(&block);
	sigaddset(&block, r0);
	sigaddset(&block, r1);
	sigaddset(&block, SIGUSR1);
	handler_for(r0, &block);
	handler_for(r1, &block);
	handler_for(SIGUSR1, &block);
	sigprocmask(SIG_BLOCK, &block, &old);

	v.sival_int = 10;
	CHECK(sigqueue(getpid(), r1, v) == 0, "sigqueue r1 10");
	v.sival_int = 20;
	CHECK(sigqueue(getpid(), r0, v) == 0, "sigqueue r0 20");
	v.sival_int = 11;
	CHECK(sigqueue(getpid(), r1, v) == 0, "sigqueue r1 11");
	v.sival_int = 21;
	CHECK(sigqueue(getpid(), r0, v) == 0, "sigqueue r0 21");
	CHECK(kill(getpid(), r0) == 0, "kill r0");
	CHECK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0, "raise SIGUSR1 twice");
	CHECK(nrec == 0, "nothing delivered while blocked");
	{
		sigset_t pend;

		sigpending(&pend);
		CHECK(sigismember(&pend, r0) && sigismember(&pend, r1) &&
		      sigismember(&pend, SIGUSR1), "all pending");
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK(nrec == 6, "six deliveries, got %d", nrec);
	if (nrec == 6) {
		static const struct { int dsig, code, value; } want[6] = {
			{ SIGUSR1, SI_TKILL, 0 }, { 0, SI_QUEUE, 20 }, { 0, SI_QUEUE, 21 },
			{ 0, SI_USER, -1 }, { 1, SI_QUEUE, 10 }, { 1, SI_QUEUE, 11 },
		};
		int i;

		for (i = 0; i < 6; i++) {
			int sig = want[i].dsig == SIGUSR1 ? SIGUSR1 : SIGRTMIN + want[i].dsig;

			CHECK(recs[i].sig == sig, "delivery %d: signal %d, want %d", i,
			      recs[i].sig, sig);
			CHECK(recs[i].code == want[i].code, "delivery %d: code %d, want %d",
			      i, recs[i].code, want[i].code);
			if (want[i].value >= 0)
				CHECK(recs[i].value == want[i].value,
				      "delivery %d: value %d, want %d", i, recs[i].value,
				      want[i].value);
			CHECK(recs[i].pid == getpid(), "delivery %d: si_pid", i);
		}
	}
	signal(r0, SIG_DFL);
	signal(r1, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_sigwait(void)
{
	int r2 = SIGRTMIN + 2;
	struct timespec zero = { 0, 0 }, t50 = { 0, 50 * 1000 * 1000 };
	struct itimerval it;
	struct sigaction sa;
	sigset_t set, both;
	siginfo_t si;
	union sigval v;
	double t0;
	int i;

	sigemptyset(&set);
	sigaddset(&set, r2);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* Nothing pending: poll and timeout give EAGAIN. */
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	t0 = now();
	CHECK_ERR(sigtimedwait(&set, &si, &t50), EAGAIN);
	CHECK(now() - t0 >= 0.045, "waited the timeout (%.3f s)", now() - t0);

	for (i = 0; i < 3; i++) {
		v.sival_int = 100 + i;
		CHECK(sigqueue(getpid(), r2, v) == 0, "sigqueue r2 %d", i);
	}
	for (i = 0; i < 3; i++) {
		memset(&si, 0, sizeof(si));
		CHECK(sigwaitinfo(&set, &si) == r2, "sigwaitinfo %d", i);
		CHECK(si.si_signo == r2 && si.si_code == SI_QUEUE &&
		      si.si_value.sival_int == 100 + i && si.si_pid == getpid(),
		      "siginfo %d: signo %d code %d value %d", i, si.si_signo,
		      si.si_code, si.si_value.sival_int);
	}
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);

	/* A timeout that is not a time. */
	{
		struct timespec bad = { 0, 1000000000 };

		CHECK_ERR(sigtimedwait(&set, &si, &bad), EINVAL);
		bad.tv_sec = -1;
		bad.tv_nsec = 0;
		CHECK_ERR(sigtimedwait(&set, &si, &bad), EINVAL);
	}
	CHECK(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4) == -1 && errno == EINVAL,
	      "sigsetsize 4: EINVAL");
	CHECK(syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8) == -1 && errno == EFAULT,
	      "bad set: EFAULT");

	/* A handled signal outside the set interrupts the wait: EINTR even
	 * with SA_RESTART. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50 * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	{
		struct timespec t2 = { 2, 0 };

		t0 = now();
		CHECK_ERR(sigtimedwait(&set, &si, &t2), EINTR);
		CHECK(alarms == 1, "the handler ran (%d)", (int)alarms);
		CHECK(now() - t0 < 1.5, "interrupted early (%.3f s)", now() - t0);
	}

	/* A signal of the set that is not blocked is taken by the wait too. */
	sigemptyset(&both);
	sigaddset(&both, SIGALRM);
	it.it_value.tv_usec = 20 * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	{
		struct timespec t2 = { 2, 0 };
		int n = alarms;

		CHECK(sigtimedwait(&both, &si, &t2) == SIGALRM, "SIGALRM waited for");
		CHECK(si.si_signo == SIGALRM, "siginfo of SIGALRM");
		CHECK(alarms == n, "not handled as well");
	}
	signal(SIGALRM, SIG_DFL);

	/* A thread-directed queued signal (pthread_sigqueue's syscall). */
	memset(&si, 0, sizeof(si));
	si.si_signo = r2;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_value.sival_int = 77;
	CHECK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), r2, &si) == 0,
	      "rt_tgsigqueueinfo to self");
	memset(&si, 0, sizeof(si));
	CHECK(sigtimedwait(&set, &si, &zero) == r2 && si.si_value.sival_int == 77 &&
	      si.si_code == SI_QUEUE, "the thread-directed one");
}

static void test_signalfd(void)
{
	int r2 = SIGRTMIN + 2;
	struct signalfd_siginfo ssi[4];
	union sigval v;
	sigset_t set;
	ssize_t n;
	int fd, i;

	sigemptyset(&set);
	sigaddset(&set, r2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK);
	CHECK(fd >= 0, "signalfd");
	for (i = 0; i < 3; i++) {
		v.sival_int = 200 + i;
		sigqueue(getpid(), r2, v);
	}
	n = read(fd, ssi, sizeof(ssi));
	CHECK(n == 3 * (ssize_t)sizeof(ssi[0]), "three records (%zd bytes)", n);
	for (i = 0; i < 3 && i * (ssize_t)sizeof(ssi[0]) < n; i++) {
		CHECK(ssi[i].ssi_signo == (uint32_t)r2 && ssi[i].ssi_code == SI_QUEUE &&
		      ssi[i].ssi_int == 200 + i && ssi[i].ssi_pid == (uint32_t)getpid(),
		      "record %d: signo %u code %d int %d", i, ssi[i].ssi_signo,
		      ssi[i].ssi_code, ssi[i].ssi_int);
	}
	CHECK_ERR(read(fd, ssi, sizeof(ssi)), EAGAIN);
	close(fd);
}

/*
 * The limit counts every queued signal of the user (natively: of all
 * root's processes, /proc/self/status SigQ): the test probes how many fit
 * under a soft limit of LIMIT, expects at least one and at most LIMIT, and
 * then EAGAIN; under LiteBox, whose sandbox is the user, exactly LIMIT.
 */
#define LIMIT 64

static void test_limit(void)
{
	int r2 = SIGRTMIN + 2, r3 = SIGRTMIN + 3;
	struct timespec zero = { 0, 0 };
	struct rlimit rl, old;
	sigset_t set;
	siginfo_t si;
	union sigval v;
	int i, k;

	sigemptyset(&set);
	sigaddset(&set, r2);
	sigaddset(&set, r3);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(getrlimit(RLIMIT_SIGPENDING, &old) == 0 && old.rlim_cur >= LIMIT,
	      "RLIMIT_SIGPENDING readable");
	rl = old;
	rl.rlim_cur = LIMIT;	/* the soft limit only: it can go back */
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "RLIMIT_SIGPENDING %d", LIMIT);
	for (k = 0; k <= LIMIT; k++) {
		v.sival_int = k;
		if (sigqueue(getpid(), r2, v))
			break;
	}
	CHECK(k >= 1 && k <= LIMIT && errno == EAGAIN,
	      "%d queued under a limit of %d, then EAGAIN", k, LIMIT);
	v.sival_int = 1000;
	CHECK_ERR(sigqueue(getpid(), r2, v), EAGAIN);
	/* kill() still gets through, without its siginfo. */
	CHECK(kill(getpid(), r3) == 0, "kill beyond the limit");
	for (i = 0; i < k; i++) {
		memset(&si, 0, sizeof(si));
		if (sigtimedwait(&set, &si, &zero) != r2 || si.si_value.sival_int != i) {
			CHECK(0, "queued %d back: value %d", i, si.si_value.sival_int);
			break;
		}
	}
	memset(&si, 0x55, sizeof(si));
	CHECK(sigtimedwait(&set, &si, &zero) == r3, "the kill()ed one");
	CHECK(si.si_code == SI_USER && si.si_pid == 0 && si.si_uid == 0,
	      "its siginfo was lost: code %d pid %d", si.si_code, si.si_pid);
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK(setrlimit(RLIMIT_SIGPENDING, &old) == 0, "limit back");
}

static void test_sigqueueinfo_checks(void)
{
	int r2 = SIGRTMIN + 2;
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, r2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	CHECK(syscall(SYS_rt_sigqueueinfo, getpid(), 0, &si) == 0, "signal 0 to self");
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), r2, (void *)8), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, 0x3ffffff0, r2, &si), ESRCH);
	/* Forging a kernel or kill()/tgkill() siginfo: to oneself only. */
	si.si_code = SI_USER;
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, 0x3ffffff0, r2, &si), EPERM);
	si.si_code = SI_KERNEL;
	CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid() + 1, r2, &si), EPERM);
	si.si_code = SI_TKILL;
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0x3ffffff0, r2, &si), EPERM);
	si.si_code = SI_QUEUE;
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, 0, gettid(), r2, &si), EINVAL);
	CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0x3ffffff0, r2, &si), ESRCH);
	si.si_code = SI_KERNEL;
	si.si_signo = 5;	/* replaced by the signal argument */
	CHECK(syscall(SYS_rt_sigqueueinfo, getpid(), r2, &si) == 0, "SI_KERNEL to self");
	memset(&si, 0, sizeof(si));
	CHECK(sigtimedwait(&set, &si, &zero) == r2 && si.si_code == SI_KERNEL &&
	      si.si_signo == r2, "self-sent SI_KERNEL: code %d signo %d", si.si_code,
	      si.si_signo);
}

int main(void)
{
	test_delivery_order();
	test_sigwait();
	test_signalfd();
	test_limit();
	test_sigqueueinfo_checks();
	return gt_finish();
}
