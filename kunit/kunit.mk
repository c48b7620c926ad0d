# SPDX-License-Identifier: GPL-2.0
#
# kunit/kunit.mk: the KUnit module and the debug-kernel build of litebox.ko.
# Included by the top-level Makefile, or used alone:
#
#   make -f kunit/kunit.mk [KDIR=<kernel object dir>]        (= target kunit)
#   make kunit | debug-module | kunit-module | debug-kernel | kunit-clean
#
#   build/debug/litebox_kunit.ko  the suites (kunit/*_kunit.c) + core areas
#   build/debug/litebox.ko        the module for `scripts/vm-run --kernel debug`
#
# Both build against KDIR when given on the command line (any KUnit-enabled
# kernel's object dir), else against the cached debug kernel, which
# `make debug-kernel` (scripts/build-debug-kernel) builds once. Each module
# builds from its own mirror of the tree (kunit/mirror-tree) under
# build/debug/, so neither shares objects with the in-tree stock build.

ifeq ($(KERNELRELEASE),)

LBX_KUNIT_ROOT := $(patsubst %/kunit/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
LBX_KUNIT_CACHE := $(or $(LBX_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/litebox)
LBX_DEBUG_DIR := $(or $(LBX_BUILD_DIR),$(LBX_KUNIT_ROOT)/build)/debug

ifeq ($(origin KDIR),command line)
LBX_DEBUG_KDIR := $(abspath $(KDIR))
LBX_DEBUG_KERNEL_DEP :=
else
LBX_DEBUG_KDIR := $(LBX_KUNIT_CACHE)/debug-kernel/obj
# Builds the debug kernel if needed; seconds when it is cached.
LBX_DEBUG_KERNEL_DEP := debug-kernel
endif

.PHONY: kunit kunit-module debug-module debug-kernel kunit-clean lbx-kunit-check-kdir

kunit: kunit-module debug-module

debug-kernel:
	$(LBX_KUNIT_ROOT)/scripts/build-debug-kernel

lbx-kunit-check-kdir: $(LBX_DEBUG_KERNEL_DEP)
	@test -f "$(LBX_DEBUG_KDIR)/Module.symvers" || { \
		echo "kunit.mk: no kernel object dir with Module.symvers at $(LBX_DEBUG_KDIR)" >&2; \
		echo "kunit.mk: run 'make debug-kernel' (scripts/build-debug-kernel) or pass KDIR=" >&2; \
		exit 1; }
	@grep -q '^CONFIG_KUNIT=y' "$(LBX_DEBUG_KDIR)/.config" || { \
		echo "kunit.mk: $(LBX_DEBUG_KDIR) is not a KUnit-enabled kernel (CONFIG_KUNIT=y)" >&2; \
		exit 1; }

# lbx_kunit_kbuild MIRROR,KBUILD-FILE,MODULE: mirror the tree, run kbuild in
# it, and copy the module out when it changed.
define lbx_kunit_kbuild
	@$(LBX_KUNIT_ROOT)/kunit/mirror-tree $(LBX_KUNIT_ROOT) $(1) $(2)
	$(MAKE) -C $(LBX_DEBUG_KDIR) M=$(1) modules
	@cmp -s $(1)/$(3) $(LBX_DEBUG_DIR)/$(3) || cp -f $(1)/$(3) $(LBX_DEBUG_DIR)/$(3)
endef

kunit-module: lbx-kunit-check-kdir
	@mkdir -p $(LBX_DEBUG_DIR)
	$(call lbx_kunit_kbuild,$(LBX_DEBUG_DIR)/kunit-src,$(LBX_KUNIT_ROOT)/kunit/Kbuild,litebox_kunit.ko)

debug-module: lbx-kunit-check-kdir
	@mkdir -p $(LBX_DEBUG_DIR)
	$(call lbx_kunit_kbuild,$(LBX_DEBUG_DIR)/src,$(LBX_KUNIT_ROOT)/Kbuild,litebox.ko)

kunit-clean:
	rm -rf $(LBX_DEBUG_DIR)

endif
