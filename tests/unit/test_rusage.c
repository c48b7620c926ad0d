// SPDX-License-Identifier: GPL-2.0
/*
 * Children's resource usage in core (core/task/task.c): a child's recorded
 * usage joins its parent's when the parent reaps it (with the children it
 * reaped itself; maxrss: the largest), not before; wait's result carries
 * it; an auto-reaped child (SIGCHLD ignored, SA_NOCLDWAIT) counts for
 * nothing and is not left for wait.
 */
#include <litebox/core.h>
#include <litebox/task.h>
#include "lbx_test.h"
#include "test_task_util.h"

#define SIGCHLD		17
#define SA_NOCLDWAIT	2
#define MS		1000000ULL

static void uf_child_exits(struct task_family *x, const struct lbx_rusage *ru)
{
	lbx_process_record_usage(x->c, ru);
	task_family_child_exit(x);
}

TEST(rusage_child_counts_when_reaped)
{
	struct lbx_rusage ru = { .utime_ns = 150 * MS, .stime_ns = 50 * MS,
				 .maxrss_kb = 300, .minflt = 7, .nvcsw = 2 };
	struct lbx_rusage later = { .utime_ns = 1 * MS, .maxrss_kb = 900 };
	struct lbx_rusage got;
	struct lbx_wait_result r;
	struct task_family x;

	task_family_init(&x);
	/* The child reaped a grandchild of its own: that counts too. */
	x.c->child_usage.utime_ns = 20 * MS;
	x.c->child_usage.maxrss_kb = 500;
	uf_child_exits(&x, &ru);
	/* Only the first record counts. */
	lbx_process_record_usage(x.c, &later);
	lbx_process_child_usage(x.p, &got);
	EXPECT_EQ(got.utime_ns, 0ull);	/* a zombie is nobody's yet */

	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_EXITED | LBX_WAIT_NOWAIT, &r), 0);
	EXPECT_EQ(r.usage.utime_ns, 170 * MS);
	lbx_process_child_usage(x.p, &got);
	EXPECT_EQ(got.utime_ns, 0ull);	/* WNOWAIT reports, adds nothing */

	ASSERT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_EXITED, &r), 0);
	EXPECT_EQ(r.what, (u32)LBX_WAIT_REPORT_EXITED);
	EXPECT_EQ(r.usage.utime_ns, 170 * MS);
	EXPECT_EQ(r.usage.stime_ns, 50 * MS);
	EXPECT_EQ(r.usage.maxrss_kb, 500ull);
	EXPECT_EQ(r.usage.minflt, 7ull);
	lbx_process_child_usage(x.p, &got);
	EXPECT_EQ(got.utime_ns, 170 * MS);
	EXPECT_EQ(got.stime_ns, 50 * MS);
	EXPECT_EQ(got.maxrss_kb, 500ull);
	EXPECT_EQ(got.nvcsw, 2ull);
	task_family_fini(&x);
}

static void autoreap_case(u64 handler, u64 flags)
{
	struct lbx_rusage ru = { .utime_ns = 200 * MS };
	struct lbx_rusage got;
	struct lbx_wait_result r;
	struct task_family x;

	task_family_init(&x);
	x.p->sigactions[SIGCHLD - 1].handler = handler;
	x.p->sigactions[SIGCHLD - 1].flags = flags;
	uf_child_exits(&x, &ru);
	/* Reaped at its exit (and freed: the sanitizer's leak check). */
	EXPECT_EQ(lbx_process_wait(x.tp, -1, LBX_WAIT_EXITED | LBX_WAIT_NOHANG, &r), -ECHILD);
	lbx_process_child_usage(x.p, &got);
	EXPECT_EQ(got.utime_ns, 0ull);
	/* SA_NOCLDWAIT with a handler: the SIGCHLD still comes. */
	EXPECT_EQ(!!(x.tp->sigpending & (1ULL << (SIGCHLD - 1))), handler > 1);
	task_family_fini(&x);
}

TEST(rusage_autoreap_sig_ign)
{
	autoreap_case(1 /* SIG_IGN */, 0);
}

TEST(rusage_autoreap_nocldwait)
{
	autoreap_case(0x1000, SA_NOCLDWAIT);
}
