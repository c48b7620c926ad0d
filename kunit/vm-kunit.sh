#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel VM (scripts/kunit, through scripts/vm-run
# --no-module): loads litebox_kunit.ko, whose KUnit suites run during the
# load and print KTAP to the kernel log, then reports for the host to
# parse (scripts/kunit does the counting):
#
#   @@KUNIT-INSMOD <status> [message]
#   @@KUNIT-DMESG-BEGIN / -END      the kernel log after the load
#   @@KUNIT-KMEMLEAK-BEGIN / -END   kmemleak's report (or @@KUNIT-KMEMLEAK-NONE)
#   @@KUNIT-RMMOD <status> [message]
#
# Exits 0 whatever the tests say, so that vm-run's exit status speaks only
# for the kernel log (125: KASAN, lockdep, UBSAN, WARNING, BUG, ...).
KO=${1:-/root/litebox_kunit.ko}
KML=/sys/kernel/debug/kmemleak

oneline() { printf '%s' "$1" | tr '\n' ' '; }

out=$(insmod "$KO" 2>&1)
echo "@@KUNIT-INSMOD $? $(oneline "$out")"

echo "@@KUNIT-DMESG-BEGIN"
dmesg
echo "@@KUNIT-DMESG-END"

# Leaks of the suites (and of the core code they drive) while the module
# is still loaded, so that backtraces name its functions. kmemleak reports
# only objects older than 5 s and unreferenced in a scan; the second scan
# drops transient false positives.
if [ -r "$KML" ] && echo scan=off > "$KML" 2>/dev/null; then
	sleep 6
	echo scan > "$KML"
	sleep 1
	echo scan > "$KML"
	echo "@@KUNIT-KMEMLEAK-BEGIN"
	cat "$KML"
	echo "@@KUNIT-KMEMLEAK-END"
else
	echo "@@KUNIT-KMEMLEAK-NONE kmemleak is not available"
fi

out=$(rmmod litebox_kunit 2>&1)
echo "@@KUNIT-RMMOD $? $(oneline "$out")"
exit 0
