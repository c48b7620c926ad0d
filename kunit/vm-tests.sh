#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel VM (scripts/kunit --vm-tests, through
# scripts/vm-run --kernel debug, which has loaded build/debug/litebox.ko):
# the VM test lane, then a kmemleak scan with litebox loaded and another
# after unloading it (leaks at module exit show as addresses in the
# module's former range), reported for the host to check:
#
#   (the TAP of tests/vm/run-all.sh)
#   @@VMT-STATUS <run-all.sh exit status>
#   @@VMT-MODULE <base address> <size>
#   @@VMT-KMEMLEAK-BEGIN <loaded|unloaded> / @@VMT-KMEMLEAK-END
#   @@VMT-RMMOD <status> [message]
#   @@VMT-KMEMLEAK-NONE <why>
#
# Exits with run-all.sh's status, so vm-run's own status stays meaningful.
KML=/sys/kernel/debug/kmemleak

oneline() { printf '%s' "$1" | tr '\n' ' '; }

# KASAN's quarantine holds freed slab objects: the slab-growth bound of the
# 200-sandbox test is looser here; the kmemleak scans below check for leaks.
# (mp_signals used to be skipped here: its hang was a lost wake-up between
# sigsuspend's mask change and kill, and a SIGCHLD sent after the child was
# reapable; both fixed, 50 of 50 runs pass on this kernel.)
LBX_VM_SLAB_LIMIT_KB=4096 /opt/litebox/tests/vm/run-all.sh
st=$?
echo "@@VMT-STATUS $st"

report() {
	echo scan > "$KML"
	sleep 1
	echo scan > "$KML"
	echo "@@VMT-KMEMLEAK-BEGIN $1"
	cat "$KML"
	echo "@@VMT-KMEMLEAK-END"
}

if [ -r "$KML" ] && echo scan=off > "$KML" 2>/dev/null; then
	# "litebox SIZE REFS DEPS STATE ADDR" (the address needs root).
	# shellcheck disable=SC2046 # split into fields on purpose
	set -- $(grep '^litebox ' /proc/modules)
	[ -n "$6" ] && echo "@@VMT-MODULE $6 $2"
	sleep 6
	report loaded
	if grep -q '^litebox ' /proc/modules; then
		rmmod litebox >/tmp/.vmt-rmmod 2>&1 &
		pid=$!
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 $pid 2>/dev/null; then
			echo "@@VMT-RMMOD 1 rmmod litebox hung for 30 s"
		else
			wait $pid
			echo "@@VMT-RMMOD $? $(oneline "$(cat /tmp/.vmt-rmmod)")"
			# Objects the module's data referenced are unreferenced now.
			sleep 6
			report unloaded
		fi
	fi
else
	echo "@@VMT-KMEMLEAK-NONE kmemleak is not available"
fi
exit $st
