// SPDX-License-Identifier: GPL-2.0
/*
 * Job control in core (core/task/jobctl.c): the discard rules at a send,
 * a group stop that completes when the last thread parks (the parent's
 * SIGCHLD and the wait report), SIGCONT continuing parked threads,
 * SA_NOCLDSTOP, a stop cancelled by a SIGCONT sent after its dequeue,
 * SIGKILL ending a park; de_thread on a process with one thread, and
 * with a second thread parked in a stop (killed out of it, as Linux's
 * SIGKILL of de_thread); orphaned process groups (SIGHUP and SIGCONT to a
 * stopped group that an exit orphans).
 */
#include <pthread.h>
#include <time.h>
#include <litebox/core.h>
#include <litebox/task.h>
#include "lbx_test.h"
#include "test_task_util.h"

#define SIGBIT(n)	(1ULL << ((n) - 1))
#define SIGHUP		1
#define SIGKILL		9
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20

static void jf_init(struct task_family *x)
{
	task_family_init(x);
	/* SIGCHLD caught by the parent: not discarded at the send. */
	x->p->sigactions[SIGCHLD - 1].handler = 0x1000;
}

static void jf_fini(struct task_family *x)
{
	struct lbx_wait_result r;

	task_family_child_exit(x);
	lbx_process_wait(x->tp, -1, LBX_WAIT_EXITED | LBX_WAIT_NOHANG, &r);
	task_family_fini(x);
}

static int send(struct lbx_thread *t, int sig)
{
	struct lbx_siginfo info;

	memset(&info, 0, sizeof(info));
	info.signo = sig;
	return lbx_signal_queue(t, &info);
}

/* Takes the parent's pending SIGCHLD: its si_code, or 0 when none. */
static int take_chld(struct task_family *x, int *status)
{
	struct lbx_siginfo info;
	u32 sig;

	lbx_plat_mutex_lock(&x->sb->lock);
	sig = lbx_signal_dequeue_locked(x->tp, SIGBIT(SIGCHLD), &info);
	lbx_plat_mutex_unlock(&x->sb->lock);
	if (!sig)
		return 0;
	*status = info.status;
	return info.code;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct parker {
	struct lbx_thread *t;
	int ret;
	int done;
};

static void *park_thread(void *arg)
{
	struct parker *pk = arg;

	pk->ret = lbx_jobctl_park(pk->t);
	/* As the shim's exit from LiteBox: a killed thread ends. */
	if (LBX_READ_ONCE(pk->t->exec_killed))
		lbx_thread_exit(pk->t);
	__atomic_store_n(&pk->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Polls wait4(WUNTRACED | WCONTINUED | WNOHANG) for up to 2 s. */
static int wait_report(struct task_family *x, struct lbx_wait_result *r)
{
	int i;

	for (i = 0; i < 400; i++) {
		int ret = lbx_process_wait(x->tp, (s32)x->c->pid,
					   LBX_WAIT_STOPPED | LBX_WAIT_CONTINUED |
					   LBX_WAIT_NOHANG, r);

		if (ret || r->pid)
			return ret;
		msleep(5);
	}
	return -ETIMEDOUT;
}

TEST(jobctl_send_discards)
{
	struct task_family x;

	jf_init(&x);
	x.tc->sigmask = ~0ULL;	/* everything stays pending */
	ASSERT_EQ(send(x.tc, SIGTSTP), 0);
	EXPECT_EQ(x.tc->sigpending, SIGBIT(SIGTSTP));
	ASSERT_EQ(send(x.tc, SIGCONT), 0);
	EXPECT_EQ(x.tc->sigpending, SIGBIT(SIGCONT));
	ASSERT_EQ(send(x.tc, SIGSTOP), 0);
	EXPECT_EQ(x.tc->sigpending, SIGBIT(SIGSTOP));
	/* SIGCONT with SIG_IGN still counts (and is sent). */
	x.c->sigactions[SIGCONT - 1].handler = 1;
	EXPECT_FALSE(lbx_signal_ignored(x.c, SIGCONT));
	ASSERT_EQ(send(x.tc, SIGCONT), 0);
	EXPECT_EQ(x.tc->sigpending, SIGBIT(SIGCONT));
	jf_fini(&x);
}

TEST(jobctl_stop_park_continue)
{
	struct lbx_wait_result r;
	struct parker pk = { 0 };
	pthread_t th;
	int status = 0;
	struct task_family x;

	jf_init(&x);
	/* Not stopped: parking returns at once. */
	EXPECT_EQ(lbx_jobctl_park(x.tc), 0);
	lbx_jobctl_stop(x.tc, SIGTSTP, x.c->cont_seq);
	EXPECT_TRUE(x.c->stopped);
	/* Nobody parked yet: no report, no SIGCHLD. */
	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_STOPPED | LBX_WAIT_NOHANG, &r), 0);
	EXPECT_EQ(r.pid, 0);
	EXPECT_EQ(take_chld(&x, &status), 0);

	pk.t = x.tc;
	ASSERT_EQ(pthread_create(&th, NULL, park_thread, &pk), 0);
	ASSERT_EQ(wait_report(&x, &r), 0);
	EXPECT_EQ(r.pid, x.c->pid);
	EXPECT_EQ(r.what, LBX_WAIT_REPORT_STOPPED);
	EXPECT_EQ(r.status, 0x7f | (SIGTSTP << 8));
	EXPECT_EQ(take_chld(&x, &status), LBX_CLD_STOPPED);
	EXPECT_EQ(status, SIGTSTP);
	/* Reported once; WEXITED alone never sees it. */
	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_STOPPED | LBX_WAIT_NOHANG, &r), 0);
	EXPECT_EQ(r.pid, 0);
	msleep(20);
	EXPECT_EQ(__atomic_load_n(&pk.done, __ATOMIC_SEQ_CST), 0);

	/* A non-kill signal does not end the park. */
	ASSERT_EQ(send(x.tc, 10), 0);
	msleep(20);
	EXPECT_EQ(__atomic_load_n(&pk.done, __ATOMIC_SEQ_CST), 0);

	ASSERT_EQ(send(x.tc, SIGCONT), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(pk.ret, 0);
	EXPECT_FALSE(x.c->stopped);
	EXPECT_EQ(x.c->nr_parked, 0);
	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_CONTINUED | LBX_WAIT_NOWAIT |
				   LBX_WAIT_NOHANG, &r), 0);
	EXPECT_EQ(r.what, LBX_WAIT_REPORT_CONTINUED);
	EXPECT_EQ(r.status, 0xffff);
	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_CONTINUED | LBX_WAIT_NOHANG, &r), 0);
	EXPECT_EQ(r.pid, x.c->pid);	/* WNOWAIT left it */
	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_CONTINUED | LBX_WAIT_NOHANG, &r), 0);
	EXPECT_EQ(r.pid, 0);
	EXPECT_EQ(take_chld(&x, &status), LBX_CLD_CONTINUED);
	EXPECT_EQ(status, SIGCONT);
	jf_fini(&x);
}

TEST(jobctl_nocldstop_and_kill)
{
	struct lbx_wait_result r;
	struct parker pk = { 0 };
	pthread_t th;
	int status = 0;
	struct task_family x;

	jf_init(&x);
	x.p->sigactions[SIGCHLD - 1].flags = 1;	/* SA_NOCLDSTOP */
	lbx_jobctl_stop(x.tc, SIGSTOP, x.c->cont_seq);
	pk.t = x.tc;
	ASSERT_EQ(pthread_create(&th, NULL, park_thread, &pk), 0);
	ASSERT_EQ(wait_report(&x, &r), 0);
	EXPECT_EQ(r.status, 0x7f | (SIGSTOP << 8));
	EXPECT_EQ(take_chld(&x, &status), 0);	/* no SIGCHLD */
	/* SIGKILL ends the park; the process stays stopped for the rest. */
	ASSERT_EQ(send(x.tc, SIGKILL), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(pk.ret, 0);
	EXPECT_TRUE(x.tc->sigpending & SIGBIT(SIGKILL));
	jf_fini(&x);
}

TEST(jobctl_stop_cancelled_by_later_cont)
{
	struct task_family x;
	u32 seq;

	jf_init(&x);
	seq = x.c->cont_seq;	/* as read at the stop signal's dequeue */
	ASSERT_EQ(send(x.tc, SIGCONT), 0);
	lbx_jobctl_stop(x.tc, SIGSTOP, seq);
	EXPECT_FALSE(x.c->stopped);
	lbx_jobctl_stop(x.tc, SIGSTOP, x.c->cont_seq);
	EXPECT_TRUE(x.c->stopped);
	/* An exiting process does not park. */
	lbx_process_exit(x.c, 9);
	EXPECT_EQ(lbx_jobctl_park(x.tc), 0);
	jf_fini(&x);
}

TEST(jobctl_de_thread_alone)
{
	struct task_family x;

	jf_init(&x);
	/* One thread: nothing to wait for; the tid is the pid. */
	EXPECT_EQ(lbx_process_de_thread(x.tc), 0);
	EXPECT_EQ(x.tc->tid, x.c->pid);
	EXPECT_FALSE(x.c->in_exec);
	jf_fini(&x);
}

TEST(jobctl_de_thread_kills_a_parked_thread)
{
	struct parker pk = { 0 };
	struct lbx_thread *t2;
	pthread_t th;
	struct task_family x;

	jf_init(&x);
	ASSERT_EQ(lbx_thread_create(x.c, &t2), 0);
	EXPECT_NE(t2->tid, x.c->pid);
	/* A stop decided; the main thread parks, the second one execs. */
	lbx_jobctl_stop(t2, SIGSTOP, x.c->cont_seq);
	pk.t = x.tc;
	ASSERT_EQ(pthread_create(&th, NULL, park_thread, &pk), 0);
	msleep(20);
	EXPECT_EQ(__atomic_load_n(&pk.done, __ATOMIC_SEQ_CST), 0);
	EXPECT_EQ(lbx_process_de_thread(t2), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(pk.ret, 0);
	EXPECT_TRUE(x.tc->exec_killed);
	EXPECT_EQ(x.c->nr_threads, 1);
	/* The survivor takes the process's pid as its tid. */
	EXPECT_EQ(t2->tid, x.c->pid);
	EXPECT_FALSE(x.c->in_exec);
	lbx_thread_exit(t2);
	lbx_thread_put(t2);
	jf_fini(&x);
}

/*
 * C made a session of its own; G, C's child, is in a group of its own in
 * that session. C's exit orphans G's group (G goes to pid 1, in another
 * session): with G stopped, G gets SIGHUP and SIGCONT (and continues).
 */
static void orphan_case(bool stopped)
{
	struct lbx_thread *tg;
	struct lbx_process *g;
	struct lbx_wait_result r;
	struct task_family x;

	jf_init(&x);
	x.c->sid = x.c->pgid = x.c->pid;	/* setsid() */
	ASSERT_EQ(lbx_process_create(x.sb, x.c, &tg), 0);
	g = tg->proc;
	g->pgid = g->pid;			/* setpgid(0, 0) */
	g->stopped = stopped;
	EXPECT_FALSE(lbx_jobctl_pgrp_orphaned(g));	/* C links it */
	EXPECT_TRUE(lbx_jobctl_pgrp_orphaned(x.c));	/* a session leader alone */
	EXPECT_FALSE(lbx_jobctl_pgrp_orphaned(x.p));	/* the first process */

	lbx_process_exit(x.c, 0);
	EXPECT_EQ(g->ppid, 1u);
	EXPECT_TRUE(lbx_jobctl_pgrp_orphaned(g));
	if (stopped) {
		EXPECT_EQ(tg->sigpending, SIGBIT(SIGHUP) | SIGBIT(SIGCONT));
		EXPECT_EQ(tg->siginfo[SIGHUP - 1].code, 0x80);	/* SI_KERNEL */
		EXPECT_FALSE(g->stopped);
	} else {
		EXPECT_EQ(tg->sigpending, 0ull);
	}

	lbx_process_exit(g, 0);
	lbx_thread_exit(tg);
	lbx_thread_put(tg);
	/* The parent reaps C and G (reparented to it, pid 1). */
	ASSERT_EQ(lbx_process_wait(x.tp, (s32)g->pid, LBX_WAIT_EXITED | LBX_WAIT_NOHANG, &r), 0);
	EXPECT_NE(r.pid, 0u);
	jf_fini(&x);
}

TEST(jobctl_orphaned_pgrp_stopped_gets_hup_cont)
{
	orphan_case(true);
}

TEST(jobctl_orphaned_pgrp_running_left_alone)
{
	orphan_case(false);
}
