// SPDX-License-Identifier: GPL-2.0
/*
 * argv, envp and auxv round-trip; with "exit N" as arguments, exits with N
 * (the runner checks the status).
 */
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>
#include "guest_test.h"

int main(int argc, char **argv, char **envp)
{
	const unsigned char *rnd;
	int i, n = 0;

	if (argc == 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "sleep")) {
		struct timespec ts = { .tv_sec = atoi(argv[2]) };

		printf("sleeping\n");
		fflush(stdout);
		return nanosleep(&ts, NULL) ? 3 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "cat")) {
		char buf[4096];
		ssize_t n;

		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (write(1, buf, n) != n)
				return 4;
		return n < 0 ? 5 : 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "echo")) {
		for (i = 2; i < argc; i++)
			printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
		printf("GUEST_VAR=%s\n", getenv("GUEST_VAR") ? getenv("GUEST_VAR") : "(unset)");
		return 0;
	}
	CHECK(argc >= 1, "argc %d", argc);
	CHECK(argv[argc] == NULL, "argv not NULL-terminated");
	for (i = 0; envp[i]; i++)
		n++;
	CHECK(n >= 0, "envp");
	CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ %lu", getauxval(AT_PAGESZ));
	CHECK(getauxval(AT_ENTRY) != 0, "AT_ENTRY");
	CHECK(getauxval(AT_PHDR) != 0, "AT_PHDR");
	CHECK(getauxval(AT_PHENT) == 56, "AT_PHENT %lu", getauxval(AT_PHENT));
	rnd = (const unsigned char *)getauxval(AT_RANDOM);
	CHECK(rnd != NULL, "AT_RANDOM");
	CHECK(getauxval(AT_EXECFN) != 0 &&
	      strstr((const char *)getauxval(AT_EXECFN), "args_env") != NULL, "AT_EXECFN");
	CHECK(getauxval(AT_PLATFORM) != 0 &&
	      !strcmp((const char *)getauxval(AT_PLATFORM), "x86_64"), "AT_PLATFORM");
	CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE");
	CHECK(getauxval(AT_UID) == getuid(), "AT_UID matches getuid");
	CHECK(getauxval(AT_MINSIGSTKSZ) >= 1024 || getauxval(AT_MINSIGSTKSZ) == 0, "AT_MINSIGSTKSZ");
	CHECK(getpid() > 0, "getpid");
	CHECK(getppid() >= 0, "getppid");
	return gt_finish();
}
