#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The diagnostics lane (scripts/check bpf), run inside its own VM: the
# litebox:* tracepoints, the bpftrace scripts (/opt/litebox/bpftrace),
# lbx-top and the debugfs statistics, each checked against a guest with a
# known footprint (diag_guest: exactly N getppid calls, one unimplemented
# syscall, one SIGUSR1, one SIGSEGV). Prints TAP; exits non-zero on any
# failure. vm-run then checks the kernel log and that rmmod works.

V=/opt/litebox/vmtest
BT=/opt/litebox/bpftrace
T=/tmp/lbx-bpf-tests
N=1000
EV=/sys/kernel/tracing/events/litebox
DBG=/sys/kernel/debug/litebox
mkdir -p "$T"
n=0
failed=0
pids=

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# show FILE: a failure's context.
show() { sed 's/^/#   /' "$1" | head -n "${2:-20}"; }
# wait_for PATTERN FILE SECONDS: until grep -q PATTERN FILE succeeds.
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# stop PID: SIGINT (bpftrace prints its maps), then wait for it.
stop() {
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# the value of "KEY VALUE" in a debugfs stats file
stat_of() { awk -v k="$1" '$1 == k && NF == 2 { print $2 }' "$2"; }

# --- the tracepoints and their record layout (lbx-top's BPF side reads
# the fields at these offsets) ---
if [ -d "$EV" ] && [ "$(ls "$EV" | grep -c '^lbx_')" = 8 ]; then
	ok "8 litebox:* tracepoints in tracefs"
else
	not_ok "8 litebox:* tracepoints in tracefs (found: $(ls "$EV" 2>/dev/null | tr '\n' ' '))"
fi
f=$EV/lbx_syscall_exit/format
if grep -q 'field:u32 sb;.*offset:8;' "$f" && grep -q 'field:u32 nr;.*offset:20;' "$f" &&
   grep -q 'field:s64 ret;.*offset:24;' "$f" && grep -q 'field:u64 duration_ns;.*offset:32;' "$f"; then
	ok "lbx_syscall_exit's record layout is the one lbx-top reads"
else
	not_ok "lbx_syscall_exit's record layout is the one lbx-top reads"
	show "$f" 30
fi

# --- every shipped bpftrace script compiles and attaches ---
for s in "$BT"/*.bt; do
	name=${s##*/}
	bpftrace "$s" > "$T/$name.out" 2>&1 &
	p=$!
	# Each script's BEGIN prints a line ending in "..." once attached.
	if wait_for '\.\.\.' "$T/$name.out" 90 && kill -0 $p 2>/dev/null; then
		ok "bpftrace $name attaches"
	else
		not_ok "bpftrace $name attaches"
		show "$T/$name.out"
	fi
	case $name in
	syscall-count.bt | signals.bt | faults.bt | enosys.bt) pids="$pids $name:$p" ;;
	*) stop $p ;;
	esac
done
pid_of() { for x in $pids; do [ "${x%%:*}" = "$1" ] && echo "${x#*:}"; done; }

# --- lbx-top, then the guest; the guest waits on a fifo for us ---
lbx-top --once --interval 8 -v > "$T/top.out" 2> "$T/top.err" &
tpid=$!
if wait_for 'attached' "$T/top.err" 60; then
	ok "lbx-top attaches"
else
	not_ok "lbx-top attaches"
	show "$T/top.err"
fi
mkfifo "$T/fifo"
lbx-launch "$V/diag_guest" $N < "$T/fifo" > "$T/guest.out" 2>&1 &
gpid=$!
exec 3> "$T/fifo"
if wait_for '^ready 1' "$T/guest.out" 60; then
	ok "diag_guest runs under lbx-launch (getppid x $N, syscall 400, SIGUSR1, SIGSEGV)"
else
	not_ok "diag_guest runs under lbx-launch"
	show "$T/guest.out"
fi

# --- debugfs, while the guest lives ---
dirs=$(ls -d "$DBG"/[0-9]* 2>/dev/null)
if [ "$(echo "$dirs" | grep -c .)" = 1 ] && [ -r "$dirs/stats" ]; then
	sb=${dirs##*/}
	ok "debugfs: one live sandbox, $DBG/$sb/stats"
else
	sb=
	not_ok "debugfs: one live sandbox (found: $dirs)"
fi
cat "$DBG/$sb/stats" > "$T/stats" 2>&1
sed 's/^/# stats: /' "$T/stats" | grep -v ' syscall ' | head -n 20
if grep -q "^syscall 110 getppid $N\$" "$T/stats"; then
	ok "debugfs: getppid counted exactly $N times"
else
	not_ok "debugfs: getppid counted exactly $N times"
	grep getppid "$T/stats" | show /dev/stdin
fi
if [ "$(stat_of processes "$T/stats")" = 1 ] && [ "$(stat_of threads "$T/stats")" = 1 ]; then
	ok "debugfs: 1 process, 1 thread"
else
	not_ok "debugfs: 1 process, 1 thread"
fi
calls=$(stat_of syscalls "$T/stats")
fds=$(stat_of fds "$T/stats")
# (static glibc also tries rseq, which LiteBox does not implement)
if [ "${calls:-0}" -gt $N ] && [ "${fds:-0}" -ge 3 ] && [ "$(stat_of enosys "$T/stats")" -ge 1 ] &&
   grep -q '^enosys 400 ' "$T/stats" && [ "$(stat_of errors "$T/stats")" -ge 1 ]; then
	ok "debugfs: $calls calls, $fds fds, the unimplemented syscall 400 seen"
else
	not_ok "debugfs: calls > $N, fds >= 3, ENOSYS from syscall 400"
fi
if [ "$(stat_of fs_mem_limit "$T/stats")" -gt 0 ] 2>/dev/null && [ -n "$(stat_of fs_mem_used "$T/stats")" ]; then
	ok "debugfs: file-system memory used $(stat_of fs_mem_used "$T/stats") of $(stat_of fs_mem_limit "$T/stats")"
else
	not_ok "debugfs: file-system memory figures"
fi

# --- lbx-top's sample covers the guest's calls ---
wait $tpid
trc=$?
sed 's/^/# lbx-top: /' "$T/top.out"
if [ $trc = 0 ] && [ -n "$sb" ] &&
   awk -v sb="$sb" -v n="$N" '$1 == sb && / getppid:/ { for (i = 1; i <= NF; i++) if ($i == "getppid:" n) f = 1 } END { exit !f }' "$T/top.out"; then
	ok "lbx-top --once reports sandbox $sb with getppid:$N"
else
	not_ok "lbx-top --once reports sandbox $sb with getppid:$N (status $trc)"
	show "$T/top.err"
fi
if [ -n "$sb" ] && awk -v sb="$sb" '$1 == sb && $2 == 1 && $3 == 1 && $4 > 0 && $6 > 0 { f = 1 } END { exit !f }' "$T/top.out"; then
	ok "lbx-top: 1 process, 1 thread, a call rate and an ENOSYS rate"
else
	not_ok "lbx-top: 1 process, 1 thread, a call rate and an ENOSYS rate"
fi

# --- the guest ends; its debugfs entry goes with the sandbox ---
exec 3>&-
wait $gpid
grc=$?
if [ $grc = 0 ] && grep -q '^done' "$T/guest.out"; then
	ok "diag_guest exits 0"
else
	not_ok "diag_guest exits 0 (status $grc)"
	show "$T/guest.out"
fi
i=0
while [ -n "$sb" ] && [ -e "$DBG/$sb" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -n "$sb" ] && [ ! -e "$DBG/$sb" ]; then
	ok "debugfs: $DBG/$sb removed with the sandbox"
else
	not_ok "debugfs: $DBG/$sb removed with the sandbox"
fi

# --- the bpftrace scripts' counts ---
p=$(pid_of syscall-count.bt)
stop "$p"
line=$(grep "^@calls\[$sb, 110\]:" "$T/syscall-count.bt.out")
if [ -n "$sb" ] && [ "${line##*: }" = "$N" ]; then
	ok "bpftrace syscall-count.bt counts getppid exactly $N times"
else
	not_ok "bpftrace syscall-count.bt counts getppid exactly $N times (got '$line')"
	grep -v '^@calls' "$T/syscall-count.bt.out" | show /dev/stdin
fi
p=$(pid_of enosys.bt)
stop "$p"
if grep -q "^@enosys\[$sb, 400\]: 1\$" "$T/enosys.bt.out"; then
	ok "bpftrace enosys.bt sees syscall 400 once"
else
	not_ok "bpftrace enosys.bt sees syscall 400 once"
	show "$T/enosys.bt.out"
fi
p=$(pid_of signals.bt)
stop "$p"
if grep -q "^@signals\[$sb, 10\]: 1\$" "$T/signals.bt.out" &&
   grep -q "^@signals\[$sb, 11\]: 1\$" "$T/signals.bt.out"; then
	ok "bpftrace signals.bt sees SIGUSR1 and SIGSEGV delivered once each"
else
	not_ok "bpftrace signals.bt sees SIGUSR1 and SIGSEGV delivered once each"
	show "$T/signals.bt.out"
fi
p=$(pid_of faults.bt)
stop "$p"
if grep -q "sandbox $sb tid [0-9]* (host pid [0-9]*): signal 11 at 0x10\$" "$T/faults.bt.out" &&
   grep -q "^@faults\[$sb, 11\]: 1\$" "$T/faults.bt.out"; then
	ok "bpftrace faults.bt sees the SIGSEGV at 0x10"
else
	not_ok "bpftrace faults.bt sees the SIGSEGV at 0x10"
	show "$T/faults.bt.out"
fi

echo "# bpf lane: $n tests, $failed failed"
[ $failed = 0 ]
