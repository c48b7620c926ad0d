#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh [--host-only | --vm-only] [--icount] [--no-build] [-t S] [-r RUNS] [-n HELLO_RUNS]
#              [--only LIST] [--copy-image] [--no-cache]
#
# Builds what the benchmarks need (make), runs them on the host (native vs
# lbx-run: bench/run-host.sh) and in the test VM (native vs lbx-launch:
# bench/run-vm.sh through scripts/vm-run), and prints both tables. Speed
# targets are reported as ratios against native measured in the same run;
# nothing here passes or fails on a time. See bench/README.md.
#
#   -t S          seconds per timed run of one measurement (default 0.25)
#   -r RUNS       runs per measurement; the median is reported (default 5)
#   -n N          start-to-exit runs of a static hello (default 50)
#   --host-only   skip the VM; --vm-only skips the host
#   --icount      run the VM with qemu's instruction counting (-icount
#                 shift=0): its "ns" are executed guest instructions, the
#                 same in every run whatever the host's load; see README
#   --no-build    do not run make (the binaries must exist)
#   --only LIST   VM: only the measurements named in the comma-separated
#                 LIST (e.g. start-exit,spawn,python3-start)
#   --copy-image  VM: lbx-launch --copy-image (the root image copied into
#                 the kernel, as before ABI 1.4), to compare with
#   --no-cache    VM: lbx-launch --no-cache (every default root built at
#                 every start, as before the image cache), to compare with
#
# Logs: build/bench/host.log, build/bench/vm.log.

set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
B=${LBX_BUILD_DIR:-$ROOT/build}
host=1 vm=1 build=1 icount=0
args=()
vmargs=()
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) vm=0; shift ;;
	--vm-only) host=0; shift ;;
	--no-build) build=0; shift ;;
	--icount) icount=1; shift ;;
	-t|-r|-n)
		[ $# -ge 2 ] || { echo "bench/run.sh: $1 needs a value" >&2; exit 2; }
		args+=("$1" "$2"); shift 2 ;;
	--only)
		[ $# -ge 2 ] || { echo "bench/run.sh: $1 needs a value" >&2; exit 2; }
		vmargs+=(-m "$2"); shift 2 ;;
	--copy-image) vmargs+=(-c); shift ;;
	--no-cache) vmargs+=(-k); shift ;;
	-h|--help) sed -n '4,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

if [ $build = 1 ]; then
	# The VM needs the module too; the host only the tools and guests.
	if [ $vm = 1 ]; then targets=(all); else targets=(tools guests); fi
	mk_o=()
	[ -z "${LBX_BUILD_DIR:-}" ] || mk_o=(O="$B")
	make -s "${mk_o[@]}" "${targets[@]}" || { echo "bench/run.sh: make ${targets[*]} failed" >&2; exit 1; }
	make -s -f bench/bench.mk "${mk_o[@]}" bench-bins ||
		{ echo "bench/run.sh: building the benchmark programs failed" >&2; exit 1; }
fi
mkdir -p "$B/bench"

status=0
if [ $host = 1 ]; then
	echo "=== host benchmarks (native vs lbx-run)"
	LBX_BUILD_DIR=$B bench/run-host.sh "${args[@]}" 2>&1 | tee "$B/bench/host.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
if [ $vm = 1 ]; then
	echo "=== VM benchmarks (native vs lbx-launch; booting the VM, TCG)"
	# python3 and its stdlib, when the host has them (python3-start).
	py=$(readlink -f /usr/bin/python3 2>/dev/null || true)
	pyadds=()
	if [ -x "$py" ] && [ -d "/usr/lib/${py##*/}" ]; then
		pyadds=(--add "/usr/bin/python3:/usr/bin/python3" --add "$py:$py"
			--add "/usr/lib/${py##*/}:/usr/lib/${py##*/}")
	fi
	LBX_VM_ICOUNT=$icount LBX_VM_HOSTLIBS=auto LBX_BUILD_DIR=$B scripts/vm-run --timeout "${LBX_BENCH_VM_TIMEOUT:-1800}" \
		--mem 1G "${pyadds[@]}" \
		--add "$B/bench/syscall_bench:/opt/litebox/bench/syscall_bench" \
		--add "$B/bench/spawn_timer:/opt/litebox/bench/spawn_timer" \
		--add "$B/bench/net_bench:/opt/litebox/bench/net_bench" \
		--add "$ROOT/bench/net-vm.sh:/opt/litebox/bench/net-vm.sh" \
		--add "$ROOT/bench/run-vm.sh:/opt/litebox/bench/run-vm.sh" \
		--add "$ROOT/bench/table.awk:/opt/litebox/bench/table.awk" \
		-- sh /opt/litebox/bench/run-vm.sh "${args[@]}" "${vmargs[@]}" 2>&1 | tee "$B/bench/vm.log"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "bench/run.sh: the VM run exited with status $rc" >&2; status=1; }
fi

echo
echo "=== summary (ratio = LiteBox / native, same run; targets are ceilings on the ratio)"
for f in host vm; do
	[ -f "$B/bench/$f.log" ] || continue
	{ [ $f = host ] && [ $host = 1 ]; } || { [ $f = vm ] && [ $vm = 1 ]; } || continue
	sed -n '/^== table/,/^== end/p' "$B/bench/$f.log" | grep -v '^== end'
	echo
done
exit $status
