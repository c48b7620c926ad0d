// SPDX-License-Identifier: GPL-2.0
/*
 * Prints a hash of the program's own text as the process sees it (from
 * __executable_start to etext), so that the VM lane can compare what
 * different starts of it map: patched in place, or the patched pages
 * litebox.ko keeps for a name (docs/rewriter.md).
 *
 *   textsum            the hash
 *   textsum sleep      the hash, "sleeping", then waits to be killed
 *   textsum scribble   writes over a page of its own text (one it never
 *                      runs), then prints the hash it sees after that
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern const unsigned char __executable_start[], etext[];

/* A page of text to itself that nothing runs: what "scribble" writes. */
__attribute__((aligned(4096), noinline, used)) void scribble_target(void)
{
	__asm__ volatile(".fill 8192, 1, 0x90");
}

static uint64_t text_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;

	for (p = __executable_start; p < etext; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "scribble")) {
		uintptr_t pg = ((uintptr_t)scribble_target + 4095) & ~(uintptr_t)4095;

		if (mprotect((void *)pg, 4096, PROT_READ | PROT_WRITE | PROT_EXEC)) {
			perror("mprotect");
			return 1;
		}
		memset((void *)pg, 0xcc, 4096);
		printf("scribbled %016llx\n", (unsigned long long)text_hash());
		return 0;
	}
	printf("textsum %016llx\n", (unsigned long long)text_hash());
	if (!strcmp(mode, "sleep")) {
		printf("sleeping\n");
		fflush(stdout);
		pause();
	}
	return 0;
}
