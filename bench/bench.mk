# SPDX-License-Identifier: GPL-2.0
#
# The benchmark programs in build/bench/: static, so that they run natively,
# under lbx-run and under lbx-launch alike. Included by the top-level Makefile
# or used on its own: make -f bench/bench.mk bench-bins
O ?= build
BENCH_BINS := $(O)/bench/syscall_bench $(O)/bench/spawn_timer $(O)/bench/net_bench

$(O)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -static -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror $< -lpthread -o $@

.PHONY: bench-bins
bench-bins: $(BENCH_BINS)
