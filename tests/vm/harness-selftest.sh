#!/bin/sh
# tests/vm/harness-selftest.sh: check the guest environment that scripts/vm-run
# sets up. Runs INSIDE the guest:
#
#   scripts/vm-run -- sh /opt/litebox/tests/vm/harness-selftest.sh
#
# Prints TAP-like "ok - ..." / "not ok - ..." lines; exits 1 if any check
# failed. POSIX sh (busybox ash).

failures=0
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $*"
}
# check DESCRIPTION COMMAND...: run COMMAND; ok if it succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

check "running as root" test "$(id -u)" = 0
check "/proc is mounted" test -r /proc/self/status
check "/sys is mounted" test -d /sys/kernel
check "/tmp is writable" sh -c ': >/tmp/.harness-selftest && rm /tmp/.harness-selftest'
# shellcheck disable=SC2016 # $PATH is expanded by the inner shell
check "PATH includes /usr/local/bin" sh -c 'case ":$PATH:" in *:/usr/local/bin:*) ;; *) exit 1 ;; esac'

# The module: loaded, and /dev/litebox is a root-only character device.
check "litebox is listed in /proc/modules" grep -q '^litebox ' /proc/modules

if [ -c /dev/litebox ]; then
	ok "/dev/litebox is a character device"
	mode=$(stat -c %A /dev/litebox)
	if [ "$mode" = "crw-------" ]; then
		ok "/dev/litebox has mode crw-------"
	else
		not_ok "/dev/litebox has mode crw------- (it is $mode)"
	fi
else
	if [ -e /dev/litebox ]; then
		not_ok "/dev/litebox is a character device (it exists but is not one)"
	else
		not_ok "/dev/litebox is a character device (it does not exist)"
	fi
	not_ok "/dev/litebox has mode crw------- (no device)"
fi

echo "1..$n"
if [ "$failures" -ne 0 ]; then
	echo "# $failures of $n checks failed"
	exit 1
fi
echo "# all $n checks passed"
exit 0
