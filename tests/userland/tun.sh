#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/userland/tun.sh [BUILD_DIR]: lbx-run --net tun=NAME,... (a host TUN
# device as the sandbox's network interface), in a network namespace of its
# own so that no test packet leaves it: TCP and UDP both ways between a
# guest under lbx-run and a host program, IPv4 and IPv6, the net thread
# idle without spinning, and the one-line errors (status 2) for bad
# arguments, a missing /dev/net/tun, EPERM, a busy or non-TUN device.
# Prints TAP; scripts/check's userland lane counts it. Needs root (or
# unshare -n, -m) and ip(8); without network namespaces it reports one
# skip, not a pass. Needs BUILD_DIR/bin/lbx-run and BUILD_DIR/vmtest/net_peer.

set -u
B=${1:-${LBX_BUILD_DIR:-$(dirname "$0")/../../build}}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "not ok 1 - the build directory exists"; exit 1; }
R=$B/bin/lbx-run
P=$B/vmtest/net_peer

if [ "${LBX_TUN_INSIDE:-}" != 1 ]; then
	if [ ! -x "$R" ] || [ ! -x "$P" ]; then
		echo "not ok 1 - lbx-run and net_peer are built ($R, $P)"
		exit 1
	fi
	if ! command -v ip > /dev/null || ! unshare -n -m true 2> /dev/null; then
		echo "ok 1 - lbx-run --net tun= # SKIP no network and mount namespaces here (unshare -n -m) or no ip(8)"
		exit 0
	fi
	# A network namespace (and a mount namespace for the missing
	# /dev/net/tun case) that dies with this script.
	LBX_TUN_INSIDE=1 exec unshare -n -m --propagation private "$0" "$B"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/lbx-tun.XXXXXX") || exit 1
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
show() { sed 's/^/#   /' "$@" | head -n 12; }
# Waits (10 s at most) for process $1 to end; returns its status.
reap() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	kill "$1" 2> /dev/null
	wait "$1"
}

ip link set lo up
ip tuntap add dev lbxt0 mode tun || { echo "not ok 1 - ip tuntap add"; exit 1; }
ip addr add 10.98.0.1/24 dev lbxt0
ip -6 addr add fd98::1/64 dev lbxt0 nodad
ip link set lbxt0 up

# --- traffic: a guest under lbx-run, a host peer (net_peer natively) ---
# guest_server PROTO FAMILY PORT NETARG CLIENT_ARGS...: the guest serves,
# the host is the client.
guest_server() {
	local proto=$1 fam=$2 port=$3 net=$4
	shift 4
	timeout 60 "$R" --net "$net" "$P" "$proto-server" "$fam" "$port" > "$T/g.out" 2> "$T/g.err" &
	local pg=$!
	timeout 60 "$P" "$proto-client" "$@" > "$T/h.out" 2> "$T/h.err"
	hrc=$?
	reap $pg
	grc=$?
}
# host_server PROTO FAMILY PORT NETARG CLIENT_ARGS...: the reverse.
host_server() {
	local proto=$1 fam=$2 port=$3 net=$4
	shift 4
	timeout 60 "$P" "$proto-server" "$fam" "$port" > "$T/h.out" 2> "$T/h.err" &
	local ph=$!
	timeout 60 "$R" --net "$net" "$P" "$proto-client" "$@" > "$T/g.out" 2> "$T/g.err"
	grc=$?
	reap $ph
	hrc=$?
}
verdict() {
	local name=$1 gwant=$2 hwant=$3
	if [ $grc -eq 0 ] && [ $hrc -eq 0 ] && [ "$(cat "$T/g.out")" = "$gwant" ] &&
	   [ "$(cat "$T/h.out")" = "$hwant" ]; then
		ok "$name"
	else
		not_ok "$name (guest $grc, host $hrc)"
		show "$T/g.out" "$T/g.err" "$T/h.out" "$T/h.err"
	fi
}
V4=tun=lbxt0,10.98.0.2/24
V6=tun=lbxt0,fd98::2/64

guest_server tcp 4 7000 $V4 10.98.0.2 7000 1000000
verdict "TCP: a host client, a guest server under lbx-run (1 MB echoed, EOF both ways)" \
	"tcp-server: echoed 1000000 bytes from 10.98.0.1" "tcp-client: 1000000 bytes echoed by 10.98.0.2"
host_server tcp 4 7001 $V4 10.98.0.1 7001 300000
verdict "TCP: a guest client under lbx-run, a host server (300 kB echoed)" \
	"tcp-client: 300000 bytes echoed by 10.98.0.1" "tcp-server: echoed 300000 bytes from 10.98.0.2"
guest_server udp 4 7002 $V4 10.98.0.2 7002 to-the-guest
verdict "UDP: a host client, a guest server under lbx-run" \
	"udp-server: got to-the-guest from 10.98.0.1" "udp-client: got TO-THE-GUEST"
host_server udp 4 7003 $V4 10.98.0.1 7003 to-the-host
verdict "UDP: a guest client under lbx-run, a host server" \
	"udp-client: got TO-THE-HOST" "udp-server: got to-the-host from 10.98.0.2"
guest_server tcp 6 7004 $V6 fd98::2 7004 200000
verdict "TCP over IPv6: a host client, a guest server under lbx-run" \
	"tcp-server: echoed 200000 bytes from fd98::1" "tcp-client: 200000 bytes echoed by fd98::2"
host_server udp 6 7005 $V6 fd98::1 7005 six
verdict "UDP over IPv6: a guest client under lbx-run, a host server" \
	"udp-client: got SIX" "udp-server: got six from fd98::2"

# Beyond the prefix without gw=: unreachable, as in kernel mode.
timeout 30 "$R" --net $V4 /bin/busybox nc 10.97.0.1 9 < /dev/null > "$T/g.out" 2> "$T/g.err"
grc=$?
if [ $grc -ne 0 ] && grep -q "Network is unreachable" "$T/g.err"; then
	ok "beyond the prefix without gw=: ENETUNREACH"
else
	not_ok "beyond the prefix (status $grc)"
	show "$T/g.out" "$T/g.err"
fi

# Idle, the net thread sleeps: a guest waiting in accept() for 2 s uses
# (almost) no CPU time. (A spinning thread would use about 2 s.)
"$R" --net $V4 "$P" tcp-server 4 7006 > /dev/null 2>&1 &
pg=$!
sleep 2
ticks=$(awk '{ print $14 + $15 }' /proc/$pg/stat 2> /dev/null)
hz=$(getconf CLK_TCK)
kill $pg 2> /dev/null
wait $pg 2> /dev/null
if [ -n "$ticks" ] && [ "$ticks" -lt $((hz / 5)) ]; then
	ok "an idle guest with a TUN device does not spin ($ticks ticks of CPU in 2 s)"
else
	not_ok "an idle guest with a TUN device used ${ticks:-?} ticks of CPU in 2 s (HZ $hz)"
fi

# --- errors: one line, status 2, before the guest starts ---
# expect_err NAME PATTERN [ENV...] -- lbx-run args...
expect_err() {
	local name=$1 pat=$2
	shift 2
	"$@" > "$T/e.out" 2>&1 < /dev/null
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$T/e.out")" -eq 1 ] && grep -q -- "$pat" "$T/e.out"; then
		ok "$name"
	else
		not_ok "$name (status $rc)"
		show "$T/e.out"
	fi
}
expect_err "--net without tun=: status 2, says a TUN device is needed" "needs a host TUN device" \
	"$R" --net 10.98.0.2/24 /bin/true
for bad in tun= tun=lbxt0 tun=a/b,10.98.0.2/24 tun=abcdefghijklmnop,10.98.0.2/24 \
	   tun=lbxt0,10.98.0.2/33 tun=lbxt0,10.98.0.2/24,mtu=9; do
	expect_err "--net $bad: status 2, one line" "invalid --net '$bad'" "$R" --net "$bad" /bin/true
done
"$R" --net $V4 "$P" tcp-server 4 7007 > /dev/null 2>&1 &
pg=$!
sleep 0.5
expect_err "a TUN device another process holds: status 2, 'in use'" "is in use" \
	"$R" --net $V4 /bin/true
kill $pg 2> /dev/null
wait $pg 2> /dev/null
ip tuntap add dev lbxtap0 mode tap
expect_err "a TAP device: status 2, 'not a TUN device'" "not a TUN device" \
	"$R" --net tun=lbxtap0,10.98.0.2/24 /bin/true
# Unprivileged: creating a device is EPERM; a persistent one the user owns
# attaches.
if command -v setpriv > /dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	expect_err "an unprivileged user creating a device: status 2, 'not permitted'" "not permitted" \
		nobody "$R" --net tun=lbxnew0,10.98.1.2/24 /bin/true
	ip tuntap add dev lbxu0 mode tun user 65534
	ip addr add 10.98.2.1/24 dev lbxu0
	ip link set lbxu0 up
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$R" --net tun=lbxu0,10.98.2.2/24 "$P" udp-server 4 7008 > "$T/g.out" 2> "$T/g.err" &
	pg=$!
	timeout 60 "$P" udp-client 10.98.2.2 7008 owned > "$T/h.out" 2> "$T/h.err"
	hrc=$?
	reap $pg
	grc=$?
	verdict "an unprivileged user attaches a persistent TUN device it owns" \
		"udp-server: got owned from 10.98.2.1" "udp-client: got OWNED"
else
	n=$((n + 1)); echo "ok $n - unprivileged TUN use # SKIP no setpriv"
fi
# No /dev/net/tun (hidden by a tmpfs in this mount namespace).
mount -t tmpfs none /dev/net
expect_err "no /dev/net/tun: status 2, says so" "no /dev/net/tun" \
	"$R" --net $V4 /bin/true
umount /dev/net

[ $failed -eq 0 ]
