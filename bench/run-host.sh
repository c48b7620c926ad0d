#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/run-host.sh [-t SECONDS_PER_RUN] [-r RUNS] [-n HELLO_RUNS]: the syscall benchmarks on the host,
# natively, under lbx-run (userland mode) and under lbx-run --no-rewrite,
# with tables of the ratios.
# Needs build/bin/lbx-run, build/guest/hello and build/bench/* (bench/run.sh
# builds them). POSIX sh.
#
# The two sides alternate measurement by measurement (native getpid, lbx-run
# getpid, native pread4k, ...) so that a change in the machine's load hits
# both sides of a ratio alike. Natively the file lives on tmpfs (/tmp if it is
# tmpfs, else /dev/shm), the reference of the userland target "memfs within
# 2x of tmpfs"; under lbx-run it is in the sandbox's /tmp (memfs).

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${LBX_BUILD_DIR:-$ROOT/build}
T=0.25 R=5 N=50
usage() { echo "Usage: bench/run-host.sh [-t SECONDS_PER_RUN] [-r RUNS] [-n HELLO_RUNS]"; }
while [ $# -gt 0 ]; do
	case $1 in
	-t) T=$2; shift 2 ;;
	-r) R=$2; shift 2 ;;
	-n) N=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

SB=$B/bench/syscall_bench
ST=$B/bench/spawn_timer
RUN=$B/bin/lbx-run
HELLO=$B/guest/hello
for f in "$SB" "$ST" "$RUN" "$HELLO"; do
	[ -x "$f" ] || { echo "run-host.sh: $f is not built (run bench/run.sh)" >&2; exit 1; }
done
OUT=$B/bench/host
mkdir -p "$OUT"
: > "$OUT/native.out"
: > "$OUT/lbx-run.out"
: > "$OUT/lbx-run-trap.out"
: > "$OUT/lbx-run.err"

fstype() { stat -f -c %T "$1" 2>/dev/null; }
NDIR=/tmp
if [ "$(fstype /tmp)" != tmpfs ] && [ "$(fstype /dev/shm)" = tmpfs ]; then
	NDIR=/dev/shm
fi

echo "== host: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   native file in $NDIR ($(fstype "$NDIR")); lbx-run file in the sandbox's /tmp (memfs)"
status=0
# Three sides, alternating: native, lbx-run (syscall sites rewritten: the
# default) and lbx-run --no-rewrite (every syscall through the SIGSYS trap).
for m in getpid pread4k pwrite4k openclose stat pipe4k spawn forkwait thread futex signal; do
	timeout 300 "$SB" -t "$T" -r "$R" -d "$NDIR" "$m" >> "$OUT/native.out" 2>&1 || status=1
	timeout 300 "$RUN" "$SB" -t "$T" -r "$R" "$m" >> "$OUT/lbx-run.out" 2>> "$OUT/lbx-run.err" || status=1
	timeout 300 "$RUN" --no-rewrite "$SB" -t "$T" -r "$R" "$m" >> "$OUT/lbx-run-trap.out" 2>> "$OUT/lbx-run.err" || status=1
done
# Start to exit of a static hello, the whole command: the launcher included.
timeout 300 "$ST" -n "$N" -l start-exit "$HELLO" >> "$OUT/native.out" 2>&1 || status=1
timeout 300 "$ST" -n "$N" -l start-exit "$RUN" "$HELLO" >> "$OUT/lbx-run.out" 2>&1 || status=1
timeout 300 "$ST" -n "$N" -l start-exit "$RUN" --no-rewrite "$HELLO" >> "$OUT/lbx-run-trap.out" 2>&1 || status=1
# Syscall-heavy real work: busybox find over a tree of 300 directories and
# 3000 files (the sandbox gets it as its root image, natively it is a
# directory on tmpfs), and python3's start (python3 -c pass).
TREE=$NDIR/lbx-bench-tree.$$
rm -rf "$TREE" && mkdir -p "$TREE/bin" && cp /bin/busybox "$TREE/bin/"
i=0
while [ $i -lt 300 ]; do
	mkdir -p "$TREE/d$i" && (cd "$TREE/d$i" && touch f0 f1 f2 f3 f4 f5 f6 f7 f8 f9)
	i=$((i + 1))
done
tar -C "$TREE" -cf "$OUT/tree.tar" .
FN=$((N / 5 + 1))
timeout 300 "$ST" -n "$FN" -l find-tree "$TREE/bin/busybox" find "$TREE" -name f5 >> "$OUT/native.out" 2>&1 || status=1
timeout 300 "$ST" -n "$FN" -l find-tree "$RUN" --rootfs "$OUT/tree.tar" /bin/busybox find / -name f5 >> "$OUT/lbx-run.out" 2>&1 || status=1
timeout 300 "$ST" -n "$FN" -l find-tree "$RUN" --no-rewrite --rootfs "$OUT/tree.tar" /bin/busybox find / -name f5 >> "$OUT/lbx-run-trap.out" 2>&1 || status=1
rm -rf "$TREE"
if [ -x /usr/bin/python3 ]; then
	timeout 300 "$ST" -n "$FN" -l python3-start /usr/bin/python3 -c pass >> "$OUT/native.out" 2>&1 || status=1
	timeout 300 "$ST" -n "$FN" -l python3-start "$RUN" /usr/bin/python3 -c pass >> "$OUT/lbx-run.out" 2>&1 || status=1
	timeout 300 "$ST" -n "$FN" -l python3-start "$RUN" --no-rewrite /usr/bin/python3 -c pass >> "$OUT/lbx-run-trap.out" 2>&1 || status=1
fi

# The details, with the repeated "# syscall_bench:" header shown once.
detail() { awk '!/^# syscall_bench:/ || !h++ { print "   " $0 }' "$1"; }
echo "-- native:"
detail "$OUT/native.out"
echo "-- lbx-run:"
detail "$OUT/lbx-run.out"
echo "-- lbx-run --no-rewrite:"
detail "$OUT/lbx-run-trap.out"
echo "== table: host, native vs lbx-run (ratio = lbx-run / native; $(date -u +%Y-%m-%dT%H:%MZ))"
awk -v a=native -v b=lbx-run -v targets="getpid=1 pread4k=2 stat=2 pipe4k=2" \
	-f "$ROOT/bench/table.awk" "$OUT/native.out" "$OUT/lbx-run.out"
echo "== table: host, native vs lbx-run --no-rewrite (every syscall traps)"
awk -v a=native -v b=trap -f "$ROOT/bench/table.awk" "$OUT/native.out" "$OUT/lbx-run-trap.out"
echo "== end"
[ $status -eq 0 ] || echo "run-host.sh: a measurement failed (see above)" >&2
exit $status
