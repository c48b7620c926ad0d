// SPDX-License-Identifier: GPL-2.0
/*
 * Threads that come and go: a process that creates and joins thousands of
 * threads over its life must not run out of anything (Linux frees a
 * thread's kernel state when it exits). Each thread returns its argument
 * and the joins check it.
 *
 * "mp_thread_churn host": 300 threads, "warm", a pause, 2000 more, "done",
 * a pause: the VM test compares the launcher's host memory at the two
 * pauses (each thread's stub block is 256 KiB: a leak shows as 500 MB).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "guest_test.h"

static void *echo(void *arg)
{
	return arg;
}

static int churn(int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		pthread_t t;
		void *ret = NULL;
		int e = pthread_create(&t, NULL, echo, (void *)(long)(i + 1));

		if (e) {
			CHECK(e == 0, "pthread_create number %d: %s", i, strerror(e));
			return -1;
		}
		if (pthread_join(t, &ret) || ret != (void *)(long)(i + 1))
			bad++;
	}
	CHECK(bad == 0, "%d of %d joins returned the wrong value", bad, n);
	return 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "host")) {
		if (!churn(300)) {
			printf("warm\n");
			fflush(stdout);
			pause_ms(2000);
			if (!churn(2000)) {
				printf("done\n");
				fflush(stdout);
				pause_ms(2000);
			}
		}
		return gt_finish();
	}
	churn(1000);
	return gt_finish();
}
