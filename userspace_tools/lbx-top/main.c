// SPDX-License-Identifier: GPL-2.0
/*
 * lbx-top: live per-sandbox syscall rates, error rates and latency
 * percentiles of litebox.ko's guests, refreshed like top(1).
 *
 * The BPF program (lbx_top.bpf.c, loaded from the skeleton bpftool
 * generated) counts each served syscall from the litebox:lbx_syscall_exit
 * tracepoint; this side reads its per-CPU maps every interval and shows the
 * difference. Processes and threads come from debugfs
 * (/sys/kernel/debug/litebox/<id>/stats) when it is mounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lbx_top.h"
#include "lbx_top.skel.h"
#include "syscall_names.h"

#define MAX_SB		1024
#define TOP_NR		3
#define DEBUGFS_DIR	"/sys/kernel/debug/litebox"

static const char *const syscall_names[512] = {
#define X(nr, name) [nr] = #name,
	LBX_SYSCALL_NAME_LIST
#undef X
};

struct nr_count {
	__u32 nr;
	__u64 count;
};

/* One sandbox as last sampled. */
struct sb_row {
	__u32 sb;
	bool seen;
	struct lbx_top_sb cur;
	struct lbx_top_sb prev;
	struct nr_count top[TOP_NR];	/* since lbx-top attached */
};

static struct sb_row rows[MAX_SB];
static int nrows;
static int verbose;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && verbose < 2)
		return 0;
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lbx-top [OPTIONS]\n"
		"\n"
		"Live per-sandbox statistics of LiteBox guests (litebox.ko): syscall and\n"
		"error rates, ENOSYS (unimplemented) rate, latency p50/p99, the busiest\n"
		"syscalls, processes and threads. Needs root (BPF) and litebox.ko loaded.\n"
		"\n"
		"Options:\n"
		"  -i, --interval SECONDS  refresh interval (default 1; fractions allowed)\n"
		"      --once              print one sample after one interval and exit\n"
		"  -v, --verbose           progress on stderr (twice: libbpf's debug log)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Columns: SANDBOX id (as in " DEBUGFS_DIR "/<id>), PROCS and THREADS\n"
		"(debugfs; '-' without it), CALLS/s, ERR/s (results -4095..-1), ENOSYS/s,\n"
		"P50 and P99 service time over the interval (upper bound of a log2\n"
		"bucket), TOTAL calls since lbx-top attached, TOP the busiest syscalls\n"
		"since then as name:count.\n");
}

static struct sb_row *row_get(__u32 sb)
{
	int i;

	for (i = 0; i < nrows; i++)
		if (rows[i].sb == sb)
			return &rows[i];
	if (nrows == MAX_SB)
		return NULL;
	memset(&rows[nrows], 0, sizeof(rows[nrows]));
	rows[nrows].sb = sb;
	return &rows[nrows++];
}

static int cmp_row(const void *a, const void *b)
{
	const struct sb_row *x = a, *y = b;

	return x->sb < y->sb ? -1 : x->sb > y->sb;
}

/* Sums the per-CPU values of every sandbox into rows[].cur. */
static int sample(struct lbx_top *skel, int ncpu)
{
	int fd = bpf_map__fd(skel->maps.sb_stats);
	struct lbx_top_sb *vals;
	__u32 key, next, *prev = NULL;
	int i, j, ret = 0;

	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < nrows; i++) {
		rows[i].prev = rows[i].cur;
		rows[i].seen = false;
	}
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct sb_row *r;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		r = row_get(key);
		if (!r)
			break;
		memset(&r->cur, 0, sizeof(r->cur));
		r->seen = true;
		for (i = 0; i < ncpu; i++) {
			r->cur.calls += vals[i].calls;
			r->cur.errors += vals[i].errors;
			r->cur.enosys += vals[i].enosys;
			r->cur.ns_sum += vals[i].ns_sum;
			for (j = 0; j < LBX_TOP_SLOTS; j++)
				r->cur.hist[j] += vals[i].hist[j];
		}
	}
	free(vals);
	return ret;
}

/* The TOP_NR busiest syscall numbers of each sandbox, since attach. */
static void sample_top(struct lbx_top *skel, int ncpu)
{
	int fd = bpf_map__fd(skel->maps.nr_counts);
	struct lbx_top_nr_key key, next, *prev = NULL;
	__u64 *vals = calloc(ncpu, sizeof(*vals));
	int i, k;

	if (!vals)
		return;
	for (i = 0; i < nrows; i++)
		memset(rows[i].top, 0, sizeof(rows[i].top));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct sb_row *r;
		__u64 sum = 0;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
		r = row_get(key.sb);
		if (!r)
			continue;
		for (k = 0; k < TOP_NR; k++) {
			if (sum > r->top[k].count) {
				memmove(&r->top[k + 1], &r->top[k],
					(TOP_NR - k - 1) * sizeof(r->top[0]));
				r->top[k].nr = key.nr;
				r->top[k].count = sum;
				break;
			}
		}
	}
	free(vals);
}

/* The upper bound (ns) of the bucket holding quantile q of the difference
 * between two histograms; 0 when it is empty. */
static double percentile(const struct lbx_top_sb *cur, const struct lbx_top_sb *prev,
			 double q)
{
	__u64 total = 0, acc = 0, d[LBX_TOP_SLOTS];
	int s;

	for (s = 0; s < LBX_TOP_SLOTS; s++) {
		d[s] = cur->hist[s] - prev->hist[s];
		total += d[s];
	}
	if (!total)
		return 0;
	for (s = 0; s < LBX_TOP_SLOTS; s++) {
		acc += d[s];
		if ((double)acc >= q * (double)total)
			return s ? ldexp(1.0, s) : 1.0;
	}
	return ldexp(1.0, LBX_TOP_SLOTS);
}

static const char *fmt_ns(char *buf, size_t n, double ns)
{
	if (ns <= 0)
		snprintf(buf, n, "-");
	else if (ns < 1e3)
		snprintf(buf, n, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, n, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, n, "%.1fms", ns / 1e6);
	else
		snprintf(buf, n, "%.1fs", ns / 1e9);
	return buf;
}

/* "processes N" and "threads N" of a sandbox's debugfs stats; false if absent. */
static bool debugfs_counts(__u32 sb, unsigned int *procs, unsigned int *threads)
{
	char path[128], line[256];
	bool got_p = false, got_t = false;
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%u/stats", sb);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "processes %u", procs) == 1)
			got_p = true;
		else if (sscanf(line, "threads %u", threads) == 1)
			got_t = true;
	}
	fclose(f);
	return got_p && got_t;
}

static void print_rows(double secs, bool clear)
{
	char p50[16], p99[16], pb[16], tb[16];
	int i, k;

	qsort(rows, nrows, sizeof(rows[0]), cmp_row);
	if (clear)
		printf("\033[H\033[2J");
	printf("lbx-top: interval %.2f s, %d sandbox%s\n", secs, nrows,
	       nrows == 1 ? "" : "es");
	printf("%7s %5s %7s %10s %8s %8s %8s %8s %10s  %s\n", "SANDBOX", "PROCS",
	       "THREADS", "CALLS/s", "ERR/s", "ENOSYS/s", "P50", "P99", "TOTAL", "TOP");
	for (i = 0; i < nrows; i++) {
		struct sb_row *r = &rows[i];
		unsigned int procs, threads;

		if (debugfs_counts(r->sb, &procs, &threads)) {
			snprintf(pb, sizeof(pb), "%u", procs);
			snprintf(tb, sizeof(tb), "%u", threads);
		} else {
			snprintf(pb, sizeof(pb), "-");
			snprintf(tb, sizeof(tb), "-");
		}
		printf("%7u %5s %7s %10.1f %8.1f %8.1f %8s %8s %10llu ", r->sb, pb, tb,
		       (r->cur.calls - r->prev.calls) / secs,
		       (r->cur.errors - r->prev.errors) / secs,
		       (r->cur.enosys - r->prev.enosys) / secs,
		       fmt_ns(p50, sizeof(p50), percentile(&r->cur, &r->prev, 0.50)),
		       fmt_ns(p99, sizeof(p99), percentile(&r->cur, &r->prev, 0.99)),
		       (unsigned long long)r->cur.calls);
		for (k = 0; k < TOP_NR && r->top[k].count; k++) {
			const char *name = r->top[k].nr < 512 ? syscall_names[r->top[k].nr] : NULL;

			if (name)
				printf(" %s:%llu", name, (unsigned long long)r->top[k].count);
			else
				printf(" %u:%llu", r->top[k].nr, (unsigned long long)r->top[k].count);
		}
		printf("\n");
	}
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s,
			       .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double interval = 1.0, t0, t1;
	struct lbx_top *skel;
	bool once = false;
	char *end;
	int c, ncpu, err;

	while ((c = getopt_long(argc, argv, "i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.01 && interval <= 3600)) {
				fprintf(stderr, "lbx-top: bad interval '%s' (seconds, 0.01 to 3600)\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			once = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lbx-top: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	libbpf_set_print(libbpf_print);
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		fprintf(stderr, "lbx-top: cannot count CPUs: %s\n", strerror(-ncpu));
		return 1;
	}
	skel = lbx_top__open_and_load();
	if (!skel) {
		fprintf(stderr, "lbx-top: cannot load the BPF program: %s (root? BPF enabled?)\n",
			strerror(errno));
		return 1;
	}
	err = lbx_top__attach(skel);
	if (err) {
		fprintf(stderr, "lbx-top: cannot attach to litebox:lbx_syscall_exit: %s "
			"(is litebox.ko loaded and tracefs mounted?)\n", strerror(-err));
		lbx_top__destroy(skel);
		return 1;
	}
	if (verbose)
		fprintf(stderr, "lbx-top: attached to litebox:lbx_syscall_exit (%d CPUs)\n", ncpu);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	t0 = now_s();
	while (!stop) {
		sleep_s(interval);
		t1 = now_s();
		if (sample(skel, ncpu)) {
			fprintf(stderr, "lbx-top: out of memory\n");
			break;
		}
		sample_top(skel, ncpu);
		print_rows(t1 - t0 > 0 ? t1 - t0 : interval, !once && isatty(1));
		t0 = t1;
		if (once)
			break;
	}
	lbx_top__destroy(skel);
	return 0;
}
