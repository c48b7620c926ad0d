#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/run-vm.sh [-t SECONDS_PER_RUN] [-r RUNS] [-n HELLO_RUNS] [-m LIST] [-c] [-k]:
# the syscall benchmarks INSIDE the test VM, natively and under lbx-launch
# (kernel mode), with a table of the ratios. -m runs only the measurements
# named in the comma-separated LIST; -c gives lbx-launch --copy-image (the
# root image copied into the kernel, as before ABI 1.4); -k gives
# lbx-launch --no-cache (the default root built at every start, as before
# the image cache). The image cache is a new directory in /tmp (tmpfs):
# the first start of each program stores its root, the others hit.
# bench/run.sh starts it:
#
#   scripts/vm-run --add build/bench:/opt/litebox/bench \
#       --add bench/run-vm.sh:/opt/litebox/bench/run-vm.sh \
#       --add bench/table.awk:/opt/litebox/bench/table.awk \
#       -- sh /opt/litebox/bench/run-vm.sh
#
# The VM runs under TCG: absolute times mean little (a guest getpid costs
# about 1 us, a seccomp SIGSYS round trip 50-80 us with -cpu max); compare
# the ratios, which are within one run. The two sides alternate measurement
# by measurement. POSIX sh (busybox ash).

D=/opt/litebox/bench
G=/opt/litebox/guest
OUT=/tmp/lbx-bench
T=0.25 R=5 N=50 ONLY= COPY=
usage() { echo "Usage: run-vm.sh [-t SECONDS_PER_RUN] [-r RUNS] [-n HELLO_RUNS] [-m LIST] [-c] [-k]"; }
while [ $# -gt 0 ]; do
	case $1 in
	-t) T=$2; shift 2 ;;
	-r) R=$2; shift 2 ;;
	-n) N=$2; shift 2 ;;
	-m) ONLY=$2; shift 2 ;;
	-c) COPY="$COPY --copy-image"; shift ;;
	-k) COPY="$COPY --no-cache"; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for f in "$D/syscall_bench" "$D/spawn_timer" "$G/hello"; do
	[ -x "$f" ] || { echo "run-vm.sh: $f is missing" >&2; exit 1; }
done
command -v lbx-launch > /dev/null || { echo "run-vm.sh: lbx-launch is not on PATH" >&2; exit 1; }
[ -c /dev/litebox ] || { echo "run-vm.sh: /dev/litebox is missing (litebox.ko not loaded?)" >&2; exit 1; }
mkdir -p "$OUT"
rm -rf "$OUT/imgcache"
export LBX_CACHE_DIR="$OUT/imgcache"
: > "$OUT/native.out"
: > "$OUT/lbx-launch.out"
: > "$OUT/lbx-launch-trap.out"

echo "== vm: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "   native file in /tmp ($(stat -f -c %T /tmp 2>/dev/null)); lbx-launch file in the sandbox's /tmp (memfs)"
case $COPY in *--copy-image*) echo "   lbx-launch --copy-image: the root image is copied into the kernel" ;; esac
case $COPY in
*--no-cache*) echo "   lbx-launch --no-cache: every default root is built at every start" ;;
*) echo "   lbx-launch: image cache in $LBX_CACHE_DIR (the first start of a program stores, the others hit)" ;;
esac
status=0
# want NAME: NAME is to be measured (every one without -m).
want() {
	case ",${ONLY:-$1}," in *",$1,"*) return 0 ;; esac
	return 1
}
# spawn3 LABEL RUNS PROGRAM [ARGS...]: start-to-exit of the same command
# natively, under lbx-launch and under lbx-launch --no-rewrite.
spawn3() {
	label=$1 runs=$2
	shift 2
	want "$label" || return 0
	timeout 600 "$D/spawn_timer" -n "$runs" -l "$label" "$@" >> "$OUT/native.out" 2>&1 || status=1
	timeout 600 "$D/spawn_timer" -n "$runs" -l "$label" lbx-launch $COPY "$@" >> "$OUT/lbx-launch.out" 2>&1 || status=1
	timeout 600 "$D/spawn_timer" -n "$runs" -l "$label" lbx-launch $COPY --no-rewrite "$@" >> "$OUT/lbx-launch-trap.out" 2>&1 || status=1
}
# Three sides, alternating: native, lbx-launch (syscall sites rewritten: the
# default) and lbx-launch --no-rewrite (every syscall through the SIGSYS trap).
for m in getpid pread4k pwrite4k openclose stat pipe4k spawn forkwait thread futex signal; do
	want "$m" || continue
	timeout 600 "$D/syscall_bench" -t "$T" -r "$R" "$m" >> "$OUT/native.out" 2>&1 || status=1
	timeout 600 lbx-launch $COPY "$D/syscall_bench" -t "$T" -r "$R" "$m" >> "$OUT/lbx-launch.out" 2>&1 || status=1
	timeout 600 lbx-launch $COPY --no-rewrite "$D/syscall_bench" -t "$T" -r "$R" "$m" >> "$OUT/lbx-launch-trap.out" 2>&1 || status=1
done
# Start to exit of a static hello, the whole command: the launcher included.
spawn3 start-exit "$N" "$G/hello"
# The same with address-space randomization off, for both sides. TCG caches
# translated code by virtual address, so code at a randomized address (the
# static-PIE lbx-launch and its stub, a static-PIE hello) is translated
# again at every start: a static-PIE hello starts 4-6x slower than the
# same hello linked static under TCG, and as fast with randomization off.
# Hardware has no such cost; this row takes it out of the comparison.
if want start-exit-noaslr && [ -w /proc/sys/kernel/randomize_va_space ]; then
	aslr=$(cat /proc/sys/kernel/randomize_va_space)
	echo 0 > /proc/sys/kernel/randomize_va_space
	spawn3 start-exit-noaslr "$N" "$G/hello"
	echo "$aslr" > /proc/sys/kernel/randomize_va_space
fi
# Syscall-heavy real work: busybox find over a tree of 300 directories and
# 3000 files (the sandbox's root image; natively a directory in /tmp).
TREE=/tmp/lbx-bench-tree
FN=$((N / 5 + 1))
if want find-tree; then
	rm -rf "$TREE" && mkdir -p "$TREE/bin" && cp /bin/busybox "$TREE/bin/"
	i=0
	while [ $i -lt 300 ]; do
		mkdir -p "$TREE/d$i" && (cd "$TREE/d$i" && touch f0 f1 f2 f3 f4 f5 f6 f7 f8 f9)
		i=$((i + 1))
	done
	tar -C "$TREE" -cf "$OUT/tree.tar" .
	timeout 600 "$D/spawn_timer" -n "$FN" -l find-tree "$TREE/bin/busybox" find "$TREE" -name f5 >> "$OUT/native.out" 2>&1 || status=1
	timeout 600 "$D/spawn_timer" -n "$FN" -l find-tree lbx-launch $COPY --rootfs "$OUT/tree.tar" /bin/busybox find / -name f5 >> "$OUT/lbx-launch.out" 2>&1 || status=1
	timeout 600 "$D/spawn_timer" -n "$FN" -l find-tree lbx-launch $COPY --no-rewrite --rootfs "$OUT/tree.tar" /bin/busybox find / -name f5 >> "$OUT/lbx-launch-trap.out" 2>&1 || status=1
	rm -rf "$TREE"
fi
if [ -x /usr/bin/python3 ]; then
	spawn3 python3-start "$FN" /usr/bin/python3 -c pass
fi

# TCP over the sandbox's device and its loopback (bench/net-vm.sh): its
# details go with the others, its table after the others.
: > "$OUT/net.log"
if want tcp && [ -x "$D/net_bench" ] && [ -f "$D/net-vm.sh" ]; then
	sh "$D/net-vm.sh" -r "$R" > "$OUT/net.log" 2>&1 || status=1
fi

detail() { awk '!/^# syscall_bench:/ || !h++ { print "   " $0 }' "$1"; }
echo "-- native:"
detail "$OUT/native.out"
echo "-- lbx-launch:"
detail "$OUT/lbx-launch.out"
echo "-- lbx-launch --no-rewrite:"
detail "$OUT/lbx-launch-trap.out"
sed '/^== table/,$d' "$OUT/net.log"
echo "== table: VM (TCG), native vs lbx-launch (ratio = lbx-launch / native)"
awk -v a=native -v b=lbx-launch -v targets="getpid=2.5 start-exit=3" \
	-f "$D/table.awk" "$OUT/native.out" "$OUT/lbx-launch.out"
echo "== table: VM (TCG), native vs lbx-launch --no-rewrite (every syscall traps)"
awk -v a=native -v b=trap -f "$D/table.awk" "$OUT/native.out" "$OUT/lbx-launch-trap.out"
sed -n '/^== table/,/^== end/p' "$OUT/net.log" | sed '/^== end/d'
echo "== end"
[ $status -eq 0 ] || echo "run-vm.sh: a measurement failed (see above)" >&2
exit $status
