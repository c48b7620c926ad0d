#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/net-vm.sh [-t SECONDS_PER_RUN] [-r RUNS] [-m MB]: TCP benchmarks
# INSIDE the test VM, each LiteBox figure next to a native one measured in
# the same run (bench/run.sh starts it after run-vm.sh; see bench/README.md):
#
#   tcp-stream    a guest (lbx-launch --net) writes MB MiB to a host sink over
#                 lbx<N>, against a native writer to the same kind of sink
#                 over the VM's loopback; ns per 64 KiB (and MB/s)
#   tcp-crr       connect, one byte each way, close: a guest client to a
#                 host server over lbx<N>, against a native client to a
#                 native server over the loopback; ns per connection
#   tcp-crr-loop  the same with client and server (a forked child) both
#                 inside one sandbox, over LiteBox's loopback (lwIP),
#                 against both native over the kernel's loopback
#
# TCG: absolute numbers mean little; compare the ratios, within one run.
# POSIX sh (busybox ash).

D=/opt/litebox/bench
NB=$D/net_bench
OUT=/tmp/lbx-bench-net
T=1 R=3 MB=16
while [ $# -gt 0 ]; do
	case $1 in
	-t) T=$2; shift 2 ;;
	-r) R=$2; shift 2 ;;
	-m) MB=$2; shift 2 ;;
	*) echo "Usage: net-vm.sh [-t SECONDS_PER_RUN] [-r RUNS] [-m MB]" >&2; exit 2 ;;
	esac
done
[ -x "$NB" ] || { echo "net-vm.sh: $NB is missing" >&2; exit 1; }
mkdir -p "$OUT"
: > "$OUT/native.out"
: > "$OUT/lbx-launch.out"
status=0

ip link set lo up
"$NB" sink 5001 & sink=$!
"$NB" echo1 5002 & echo=$!

# lbx NAME GUEST_ARGS...: runs net_bench in a sandbox with --net
# 10.99.0.2/24 and gives the host side of its device 10.99.0.1/24.
lbx() {
	lbx-launch -v --net 10.99.0.2/24 "$NB" "$@" >> "$OUT/lbx-launch.out" 2> "$OUT/lbx.err" &
	pg=$!
	dev=
	for i in $(seq 1 100); do
		dev=$(sed -n 's/.*network device \(lbx[0-9]*\) .*/\1/p' "$OUT/lbx.err")
		[ -n "$dev" ] && ip link show "$dev" > /dev/null 2>&1 && break
		sleep 0.1
	done
	if [ -n "$dev" ]; then
		ip addr add 10.99.0.1/24 dev "$dev" && ip link set "$dev" up
	fi
	wait $pg || { status=1; cat "$OUT/lbx.err" >&2; }
}

timeout 600 "$NB" stream tcp-stream 127.0.0.1 5001 "$MB" "$R" >> "$OUT/native.out" 2>&1 || status=1
lbx stream tcp-stream 10.99.0.1 5001 "$MB" "$R"
timeout 600 "$NB" crr tcp-crr 127.0.0.1 5002 "$T" "$R" >> "$OUT/native.out" 2>&1 || status=1
lbx crr tcp-crr 10.99.0.1 5002 "$T" "$R"
timeout 600 "$NB" crr-loop tcp-crr-loop "$T" "$R" >> "$OUT/native.out" 2>&1 || status=1
timeout 600 lbx-launch "$NB" crr-loop tcp-crr-loop "$T" "$R" >> "$OUT/lbx-launch.out" 2>&1 || status=1
kill $sink $echo 2> /dev/null
wait $sink $echo 2> /dev/null

echo "-- native (loopback):"
sed 's/^/   /' "$OUT/native.out"
echo "-- lbx-launch (lbx<N> to the host; tcp-crr-loop: the sandbox's loopback):"
sed 's/^/   /' "$OUT/lbx-launch.out"
echo "== table: VM (TCG), TCP, native vs lbx-launch (ratio = lbx-launch / native, time per operation)"
awk -v a=native -v b=lbx-launch -f "$D/table.awk" "$OUT/native.out" "$OUT/lbx-launch.out"
echo "== end"
[ $status -eq 0 ] || echo "net-vm.sh: a measurement failed (see above)" >&2
exit $status
