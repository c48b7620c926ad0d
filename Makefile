# SPDX-License-Identifier: GPL-2.0
#
# LiteBox top-level build.
#   make              userland tools (build/bin), litebox.ko (build/), guest tests (build/guest)
#   make check        every test lane; ends with "N passed, N failed"
#   make run          boot a VM, insmod litebox.ko, run a guest (APP="...")
# See README.md.

ifneq ($(KERNELRELEASE),)
# Invoked by Kbuild: everything is in ./Kbuild.
include $(src)/Kbuild
else

SHELL := /bin/bash
.DEFAULT_GOAL := all
O := build
KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$$' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build

CC ?= gcc
# make LBX_LOCKTRACE=1: core's lock calls emit events (docs/diagnostics.md),
# built apart in $(O) = build/locktrace.
ifeq ($(LBX_LOCKTRACE),1)
override O := $(O)/locktrace
LOCKTRACE_DEF := -DLBX_LOCKTRACE
endif
WARN := -Wall -Wextra -Wimplicit-fallthrough=5 -Wvla -Wno-unused-parameter -Wno-sign-compare -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# lwIP (core/net): Debian's sources, fetched into third_party/ by scripts/setup.
LWIP_DIR := $(patsubst %/src/core,%,$(firstword $(wildcard third_party/lwip-*/src/core)))
ifeq ($(LWIP_DIR),)
ifeq ($(filter setup clean help,$(MAKECMDGOALS)),)
$(error lwIP's sources are missing (third_party/lwip-*/src/core): run scripts/setup)
endif
endif
LWIP_SRCS := $(sort $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c \
	$(LWIP_DIR)/src/core/ipv6/*.c))
LWIP_INC := -Icore/net/lwip_port/include -I$(LWIP_DIR)/src/include
LWIP_HDRS := $(wildcard core/net/lwip_port/include/*.h core/net/lwip_port/include/arch/*.h)
# lwIP keeps its own style: the warnings it is clean of.
LWIP_WARN := -Wall -Wno-unused-parameter -Wno-address -Wno-unused-variable -Wno-unused-but-set-variable

CORE_INC := -Icore/include -Iuapi $(LWIP_INC) $(LOCKTRACE_DEF)
U_INC := $(CORE_INC) -Iplatforms/linux_userland/include -Iplatforms/linux_userland
CFLAGS_U := -O2 -g -std=gnu11 $(WARN) -Werror $(U_INC) -fno-strict-aliasing

CORE_SRCS := $(sort $(wildcard core/*/*.c) $(wildcard shims/linux/*.c))
ULAND_SRCS := $(sort $(wildcard platforms/linux_userland/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
GUEST_SRCS := $(sort $(wildcard tests/guest/*.c))
KMOD_SRCS := $(sort $(wildcard kmod/*.c platforms/linux_kernel/*.c))
ALL_HDRS := $(shell find core shims platforms kmod uapi userspace_tools -name '*.h' 2>/dev/null)

# --- the sanitizer build of core + shims + userland platform (unit tests) ---
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ASAN_OBJS := $(patsubst %.c,$(O)/asan/%.o,$(CORE_SRCS) $(ULAND_SRCS)) \
	$(patsubst $(LWIP_DIR)/src/%.c,$(O)/asan/lwip/%.o,$(LWIP_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/unit/%,$(UNIT_SRCS))

# --- userland tools ---
TOOLS :=
include userspace_tools/tools.mk
include kunit/kunit.mk

GUEST_BINS := $(patsubst tests/guest/%.c,$(O)/guest/%,$(GUEST_SRCS))
# Dynamically linked builds of a few guest tests: ld.so, libc.so and mmap.
GUEST_DYN := hello args_env mp_timers
GUEST_BINS += $(patsubst %,$(O)/guest/%_dyn,$(GUEST_DYN))
# dlopen/dlclose cycles of a library the program carries (tests/guest/dl/):
# dynamically linked only.
GUEST_BINS += $(O)/guest/dlcycle_dyn
# Static-PIE builds: no interpreter, relocated by their own start code.
GUEST_SPIE := hello signals
GUEST_BINS += $(patsubst %,$(O)/guest/%_spie,$(GUEST_SPIE))
# Dynamically linked against musl (its ld-musl interpreter), when musl-gcc is
# installed (scripts/setup installs musl-tools).
MUSL_CC := $(shell command -v musl-gcc 2>/dev/null)
GUEST_MUSL := hello args_env signals time memory rewrite inet \
	mp_proc mp_threads mp_signals mp_sockets
ifneq ($(MUSL_CC),)
GUEST_BINS += $(patsubst %,$(O)/guest/%_musl,$(GUEST_MUSL))
endif
VMTEST_SRCS := $(sort $(wildcard tests/vm/*.c))
VMTEST_BINS := $(patsubst tests/vm/%.c,$(O)/vmtest/%,$(VMTEST_SRCS))

.PHONY: all module tools guests unit check check-fast check-unit check-vm check-kunit \
	check-userland check-freestanding check-bpf run setup clean help
all: tools module guests

help:
	@sed -n '3,7p' Makefile

setup:
	scripts/setup

$(O)/asan/%.o: %.c $(ALL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_U) -O1 $(SAN) -c $< -o $@
$(O)/asan/lwip/%.o: $(LWIP_DIR)/src/%.c $(LWIP_HDRS)
	@mkdir -p $(@D)
	$(CC) -O1 -g -std=gnu11 $(LWIP_WARN) -Werror $(U_INC) $(SAN) -c $< -o $@

$(O)/unit/%: tests/unit/%.c tests/unit/lbx_test_main.c tests/unit/lbx_test.h $(ASAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_U) -O1 $(SAN) -Wno-missing-prototypes -Itests/unit $< tests/unit/lbx_test_main.c $(ASAN_OBJS) -o $@

# The sanitizer objects are built by a pattern rule for other pattern rules:
# without this, make deletes them as intermediates after every unit build.
.SECONDARY: $(ASAN_OBJS)

# The image writer's test compiles the tools' tarw.c into itself.
$(O)/unit/test_image_writer: userspace_tools/common/tarw.c userspace_tools/common/tarw.h
$(O)/unit/test_imgcache: userspace_tools/common/tarw.c userspace_tools/common/tarw.h \
	userspace_tools/common/imgcache.c userspace_tools/common/imgcache.h
$(O)/unit/test_run_filter: userspace_tools/lbx-run/filter.c userspace_tools/lbx-run/run.h

unit: $(UNIT_BINS)

# The module: Kbuild compiles in the source tree; the result is copied to build/.
module: $(O)/litebox.ko
$(O)/litebox.ko: $(KMOD_SRCS) $(CORE_SRCS) $(ALL_HDRS) $(LWIP_HDRS) Kbuild
	@test -d "$(KDIR)" || { echo "make: no kernel build tree at KDIR=$(KDIR); run scripts/setup or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) LBX_LOCKTRACE=$(LBX_LOCKTRACE) modules
	@mkdir -p $(O)
	cp litebox.ko $@

# Guest test programs: small static programs, one per area.
guests: $(GUEST_BINS) $(VMTEST_BINS) $(O)/vmtest/lbx-launch-abi2
# Programs the VM tests run natively (ioctl contract tests).
$(O)/vmtest/%: tests/vm/%.c tests/vm/vmtest.h uapi/linux/litebox.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -static -std=gnu11 -Wall -Werror -Iuapi -Itests/vm $< -lpthread -o $@
$(O)/guest/%_spie: tests/guest/%.c tests/guest/guest_test.h tests/guest/guest_clone3.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wno-unused-result -fPIE -static-pie -Itests/guest $< -o $@
$(O)/guest/%_dyn: tests/guest/%.c tests/guest/guest_test.h tests/guest/guest_clone3.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wno-unused-result -Itests/guest $< -o $@
$(O)/guest-data/libdlcycle.so: tests/guest/dl/dlcycle_lib.c
	@mkdir -p $(@D)
	$(CC) -O2 -fPIC -shared -nostdlib -Wall $< -o $@
$(O)/guest/dlcycle_dyn: tests/guest/dl/dlcycle.c tests/guest/guest_test.h $(O)/guest-data/libdlcycle.so
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wno-unused-result -Itests/guest \
		-DDLCYCLE_LIB='"$(abspath $(O)/guest-data/libdlcycle.so)"' $< -ldl -o $@
$(O)/guest/%_musl: tests/guest/%.c tests/guest/guest_test.h tests/guest/guest_clone3.h
	@mkdir -p $(@D)
	$(MUSL_CC) -O2 -g -std=gnu11 -Wall -Wno-unused-result -Itests/guest $< -lpthread -o $@
$(O)/guest/%: tests/guest/%.c tests/guest/guest_test.h tests/guest/guest_clone3.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -static -std=gnu11 -Wall -Wno-unused-result -Itests/guest $< -o $@

check: all unit
	scripts/check all
check-fast: all unit
	scripts/check fast
check-unit: unit tools guests
	scripts/check unit
check-freestanding:
	scripts/check freestanding
check-userland: tools guests
	scripts/check userland
check-vm: all
	scripts/check vm
check-bpf: all
	scripts/check bpf
check-kunit:
	scripts/check kunit

include bench/bench.mk
.PHONY: bench bench-host docs
bench: all bench-bins
	bench/run.sh --no-build $(BENCH_ARGS)
bench-host: tools guests bench-bins
	bench/run.sh --no-build --host-only $(BENCH_ARGS)
docs:
	scripts/gen-syscall-doc

APP ?=
run:
	scripts/setup --no-kunit
	$(MAKE) all
	scripts/run-demo $(APP)

clean:
	rm -rf $(O)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1

endif
