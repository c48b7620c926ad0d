# Included by the top-level Makefile: the userland tools in build/bin/.
#
# lbx-launch is static-pie so that it loads high and leaves the classic
# ET_EXEC range (0x400000) free for the guest it becomes. The stub runs on
# the guest's FS base: no stack protector there.

TOOL_CFLAGS := -O2 -g -std=gnu11 $(WARN) -Werror -Iuapi -Iuserspace_tools/common \
	-Iuserspace_tools/stub -D_FORTIFY_SOURCE=2
COMMON_SRCS := $(wildcard userspace_tools/common/*.c)
COMMON_HDRS := $(wildcard userspace_tools/common/*.h userspace_tools/stub/*.h) uapi/linux/litebox.h

# The kernel-mode stub runs with the guest's vector registers live (the
# direct entry does not save them): general registers only, and its memset
# and memcpy are enter.S's rep-string ones.
$(O)/tools/stub-kernel.o: userspace_tools/stub/stub.c $(COMMON_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -fPIE -fno-stack-protector -U_FORTIFY_SOURCE -mgeneral-regs-only \
		-fno-tree-loop-distribute-patterns -c $< -o $@.tmp
	objcopy --redefine-sym memset=lbx_stub_memset --redefine-sym memcpy=lbx_stub_memcpy $@.tmp $@
	@rm -f $@.tmp
	@if nm -u $@ | grep -vwE 'lbx_[a-z_0-9]+|_GLOBAL_OFFSET_TABLE_|sigaltstack|sigaction|mmap|__errno_location|__executable_start|etext'; then \
		echo "stub-kernel.o calls code that may use vector registers (above)"; rm -f $@; exit 1; fi
$(O)/tools/enter.o: userspace_tools/stub/enter.S
	@mkdir -p $(@D)
	$(CC) -fPIE -c $< -o $@

LAUNCH_SRCS := $(wildcard userspace_tools/lbx-launch/*.c) $(COMMON_SRCS)
$(O)/bin/lbx-launch: $(LAUNCH_SRCS) $(COMMON_HDRS) userspace_tools/lbx-launch/launch.h \
		$(O)/tools/stub-kernel.o $(O)/tools/enter.o
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -fPIE -static-pie $(LAUNCH_SRCS) $(O)/tools/stub-kernel.o \
		$(O)/tools/enter.o -o $@

TOOLS += $(O)/bin/lbx-launch

# lbx-run: the stub, the core, the shim and the userland platform in one
# static-pie process.
RUN_CFLAGS := $(TOOL_CFLAGS) $(U_INC) -Ishims/linux -Iuserspace_tools/lbx-run -fPIE
RUN_CORE_OBJS := $(patsubst %.c,$(O)/run/%.o,$(CORE_SRCS) $(ULAND_SRCS))
$(O)/run/%.o: %.c $(ALL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) -c $< -o $@
$(O)/tools/stub-userland.o: userspace_tools/stub/stub.c $(COMMON_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -DLBX_STUB_USERLAND -fPIE -fno-stack-protector -U_FORTIFY_SOURCE -c $< -o $@
RUN_SRCS := $(wildcard userspace_tools/lbx-run/*.c) $(COMMON_SRCS)
$(O)/bin/lbx-run: $(RUN_SRCS) $(COMMON_HDRS) userspace_tools/lbx-run/run.h \
		$(RUN_CORE_OBJS) $(O)/tools/stub-userland.o $(O)/tools/enter.o
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) -static-pie $(RUN_SRCS) $(RUN_CORE_OBJS) \
		$(O)/tools/stub-userland.o $(O)/tools/enter.o -o $@

TOOLS += $(O)/bin/lbx-run

# lbx-rewrite: core's rewriter ahead of time.
REWRITE_CORE := $(sort $(wildcard core/rewrite/*.c))
$(O)/bin/lbx-rewrite: userspace_tools/lbx-rewrite/main.c $(REWRITE_CORE) $(ALL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) $(U_INC) -fPIE -static-pie userspace_tools/lbx-rewrite/main.c $(REWRITE_CORE) -o $@

TOOLS += $(O)/bin/lbx-rewrite

tools: $(TOOLS)
