// SPDX-License-Identifier: GPL-2.0
/* The thinnest end-to-end path: write to stdout and exit 0. */
#include <unistd.h>
#include "guest_test.h"

int main(void)
{
	static const char msg[] = "hello from a LiteBox guest\n";

	CHECK(write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1, "write");
	return gt_finish();
}
