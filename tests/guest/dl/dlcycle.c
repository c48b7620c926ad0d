// SPDX-License-Identifier: GPL-2.0
/*
 * dlopen and dlclose of one library, 300 times: every dlclose unmaps the
 * library, and nothing of it stays behind (natively; in LiteBox, also the
 * trampoline region the rewriter mapped for its system call goes with the
 * code it served). The library (dlcycle_lib.c, built without a C library)
 * is carried in this program and written to /tmp first, so the test needs
 * no file from outside.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest_test.h"

#define CYCLES		300
#define SLACK		(64 * 1024)	/* the C library's own allocations */

extern const unsigned char dl_lib[], dl_lib_end[];
__asm__(".section .rodata\n"
	".balign 16\n"
	"dl_lib:\n"
	".incbin \"" DLCYCLE_LIB "\"\n"
	"dl_lib_end:\n"
	".previous\n");

struct maps {
	unsigned long bytes;	/* mapped in all */
	int tramp;		/* "[lbx-rewrite]" ranges */
	int lib;		/* ranges of the library */
};

static void read_maps(struct maps *m)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			m->bytes += hi - lo;
		if (strstr(line, "[lbx-rewrite]"))
			m->tramp++;
		if (strstr(line, "lbx-dlcycle"))
			m->lib++;
	}
	fclose(f);
}

/* One open, call and close; true when all went as on Linux. */
static int cycle(const char *path)
{
	long (*fn)(void);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int good;

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 0;
	}
	fn = (long (*)(void))dlsym(h, "dlcycle_getpid");
	good = fn && fn() == getpid();
	return dlclose(h) == 0 && good;
}

int main(void)
{
	char path[64];
	struct maps m0, m1, m2;
	size_t len = dl_lib_end - dl_lib;
	int fd, i, bad = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(path, sizeof(path), "/tmp/lbx-dlcycle-%d.so", (int)getpid());
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0755);
	CHECK(fd >= 0, "create %s", path);
	if (fd < 0)
		return gt_finish();
	CHECK(write(fd, dl_lib, len) == (ssize_t)len, "write the library");
	close(fd);

	read_maps(&m0);
	CHECK(cycle(path), "first open, call, close");
	read_maps(&m1);
	CHECK(m1.lib == 0, "dlclose unmapped the library (%d ranges left)", m1.lib);
	for (i = 0; i < CYCLES; i++)
		bad += !cycle(path);
	CHECK(bad == 0, "%d of %d cycles failed", bad, CYCLES);
	read_maps(&m2);
	CHECK(m2.lib == 0, "no range of the library left (%d)", m2.lib);
	CHECK(m2.tramp <= m1.tramp && m1.tramp <= m0.tramp,
	      "trampoline regions %d before, %d after one cycle, %d after %d more",
	      m0.tramp, m1.tramp, m2.tramp, CYCLES);
	CHECK(m2.bytes <= m1.bytes + SLACK,
	      "mapped %lu KiB after one cycle, %lu KiB after %d more",
	      m1.bytes >> 10, m2.bytes >> 10, CYCLES);
	CHECK(unlink(path) == 0, "unlink");
	return gt_finish();
}
