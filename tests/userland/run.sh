#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/userland/run.sh [BUILD_DIR]: command-line tests of lbx-run on the
# host (no VM): options, exit statuses, messages, environment, stdio, --add,
# --rootfs, --mem-limit, a dynamic program, sqlite3 in WAL mode (when
# /usr/bin/sqlite3 exists). Prints TAP ("ok N - ..." /
# "not ok N - ..."), which scripts/check's userland lane counts; exits 1 if
# a test failed. Needs BUILD_DIR/bin/lbx-run, BUILD_DIR/guest/{args_env,hello,
# hello_dyn} and a static /bin/busybox (busybox-static). Takes a few seconds.

set -u
B=${1:-${LBX_BUILD_DIR:-$(dirname "$0")/../../build}}
Bdir=$B
B=$(cd "$Bdir" 2>/dev/null && pwd) || { echo "not ok 1 - the build directory $Bdir exists"; exit 1; }
R=$B/bin/lbx-run
G=$B/guest
BB=/bin/busybox
T=$(mktemp -d "${TMPDIR:-/tmp}/lbx-userland.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# Shows what a failed test saw.
show() {
	echo "#   status $rc"
	sed 's/^/#   stdout: /' "$T/out" | head -n 8
	sed 's/^/#   stderr: /' "$T/err" | head -n 8
}
# run [CMD...]: runs CMD with stdin from /dev/null (unless redirected by the
# caller), stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	timeout 20 "$@" > "$T/out" 2> "$T/err" < "${STDIN:-/dev/null}"
	rc=$?
}
# verdict NAME CONDITION...: ok if the shell test CONDITION holds.
verdict() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; show; fi
}
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
err_lines() { [ "$(wc -l < "$T/err")" -eq "$1" ]; }

if [ ! -x "$R" ]; then
	echo "not ok 1 - lbx-run is built ($R)"
	exit 1
fi

# --- usage, version and usage errors ---
run "$R" --help
verdict "--help prints the usage on stdout and exits 0" \
	eval '[ $rc -eq 0 ] && head -n 1 "$T/out" | grep -q "^Usage: lbx-run " && grep -q -- "--rootfs" "$T/out" && [ ! -s "$T/err" ]'
run "$R" -h
verdict "-h is --help" eval '[ $rc -eq 0 ] && head -n 1 "$T/out" | grep -q "^Usage: lbx-run "'
run "$R" --version
verdict "--version prints 'lbx-run VERSION' and exits 0" \
	eval '[ $rc -eq 0 ] && grep -Eq "^lbx-run [0-9]+\.[0-9]+" "$T/out"'
run "$R" -V
verdict "-V is --version" eval '[ $rc -eq 0 ] && grep -Eq "^lbx-run [0-9]+\.[0-9]+" "$T/out"'
run "$R"
verdict "no PROGRAM: exit 2 and a message" \
	eval '[ $rc -eq 2 ] && grep -q "^lbx-run: " "$T/err" && [ ! -s "$T/out" ]'
run "$R" --no-such-option "$G/hello"
verdict "an unknown option: exit 2 and a message naming it" \
	eval '[ $rc -eq 2 ] && grep -q -- "--no-such-option" "$T/err" && [ ! -s "$T/out" ]'
run "$R" --env NOEQUALS "$G/hello"
verdict "--env without '=': exit 2" eval '[ $rc -eq 2 ] && grep -q "NOEQUALS" "$T/err"'
run "$R" --mem-limit lots "$G/hello"
verdict "--mem-limit with a bad size: exit 2" eval '[ $rc -eq 2 ] && grep -q "lots" "$T/err"'

# --- programs that cannot run ---
run "$R" "$T/no-such-program"
verdict "a missing program: exit 127 and one line naming it" \
	eval '[ $rc -eq 127 ] && err_lines 1 && grep -q "no-such-program" "$T/err"'
printf 'this is not an ELF file\n' > "$T/notelf"
chmod +x "$T/notelf"
run "$R" "$T/notelf"
verdict "a non-ELF file: exit 126 and a message naming it" \
	eval '[ $rc -eq 126 ] && grep -q "notelf" "$T/err"'
head -c 1024 /dev/zero | tr '\0' x > "$T/bad.tar"
run "$R" --rootfs "$T/bad.tar" "$BB" true
verdict "a malformed --rootfs tar (1024 bytes of 'x'): exit 125 and a message" \
	eval '[ $rc -eq 125 ] && grep -q "^lbx-run: " "$T/err"'
run "$R" --rootfs "$T/no-such.tar" "$BB" true
verdict "a missing --rootfs file: exit 125 and a message naming it" \
	eval '[ $rc -eq 125 ] && grep -q "no-such.tar" "$T/err"'

# --- arguments, environment, exit status and stdio ---
GUEST_VAR=from-host run "$R" "$G/args_env" echo one "two three"
verdict "argv and the host environment reach the guest" \
	eval '[ $rc -eq 0 ] && out_is "$(printf "one two three\nGUEST_VAR=from-host")"'
GUEST_VAR=from-host run "$R" --env GUEST_VAR=from-option "$G/args_env" echo a
verdict "--env K=V overrides the host's variable" \
	eval '[ $rc -eq 0 ] && out_is "$(printf "a\nGUEST_VAR=from-option")"'
GUEST_VAR=from-host run "$R" --clear-env "$G/args_env" echo a
verdict "--clear-env drops the host environment" \
	eval '[ $rc -eq 0 ] && out_is "$(printf "a\nGUEST_VAR=(unset)")"'
GUEST_VAR=from-host run "$R" --clear-env --env GUEST_VAR=set "$G/args_env" echo a
verdict "--clear-env with --env K=V" eval '[ $rc -eq 0 ] && out_is "$(printf "a\nGUEST_VAR=set")"'
GUEST_VAR=x run "$R" --clear-env --env A=1 "$BB" env
verdict "--clear-env: the guest sees exactly the --env variables" eval '[ $rc -eq 0 ] && out_is "A=1"'
for st in 0 42 255; do
	run "$R" "$G/args_env" exit $st
	verdict "exit status round trip: args_env exit $st -> $st" eval "[ \$rc -eq $st ]"
done
run "$R" "$BB" sh -c 'kill -9 $$'
verdict "a guest killed by signal 9: exit 137" eval '[ $rc -eq 137 ]'
printf 'line one\nline two\n' > "$T/in"
STDIN=$T/in run "$R" "$G/args_env" cat
verdict "stdin from a file reaches the guest" eval '[ $rc -eq 0 ] && out_is "$(printf "line one\nline two")"'
# shellcheck disable=SC2034 # used in the eval below
got=$(printf 'piped\ntext\n' | timeout 20 "$R" "$G/args_env" cat 2> "$T/err")
rc=$?
verdict "stdin from a pipe reaches the guest" eval '[ $rc -eq 0 ] && [ "$got" = "$(printf "piped\ntext")" ]'
timeout 20 "$R" "$G/hello" > "$T/redirected" 2> "$T/err" < /dev/null
rc=$?
verdict "stdout redirected to a file" \
	eval '[ $rc -eq 0 ] && grep -q "^hello from a LiteBox guest$" "$T/redirected" && grep -q "^PASS hello" "$T/redirected"'
run "$R" "$BB" sh -c 'echo to-out; echo to-err >&2'
verdict "the guest's stderr is the host's stderr" \
	eval '[ $rc -eq 0 ] && out_is to-out && [ "$(cat "$T/err")" = to-err ]'

# --- the sandbox's file system (lbx-run has no fork: shell builtins only) ---
if [ -x "$BB" ] && file -L "$BB" 2>/dev/null | grep -q 'statically linked'; then
	printf 'a host file\n' > "$T/hostfile"
	run "$R" --add "$T/hostfile:/data/guestfile" "$BB" cat /data/guestfile
	verdict "--add HOST:GUEST: the host file is visible at GUEST" \
		eval '[ $rc -eq 0 ] && out_is "a host file"'
	mkdir -p "$T/tree/sub"
	echo leaf > "$T/tree/sub/leaf"
	run "$R" --add "$T/tree:/gtree" "$BB" cat /gtree/sub/leaf
	verdict "--add of a directory copies it recursively" eval '[ $rc -eq 0 ] && out_is leaf'
	run "$R" "$BB" cat "$T/hostfile"
	verdict "a host file not added is not visible" \
		eval '[ $rc -ne 0 ] && [ ! -s "$T/out" ]'
	run "$R" --add "$T/hostfile:/data/f" "$BB" sh -c 'echo changed > /data/f; read l < /data/f; echo "$l"'
	verdict "a guest write to an added file does not reach the host file" \
		eval '[ $rc -eq 0 ] && out_is changed && [ "$(cat "$T/hostfile")" = "a host file" ]'
	run "$R" --cwd /tmp "$BB" pwd
	verdict "--cwd DIR sets the initial working directory" eval '[ $rc -eq 0 ] && out_is /tmp'

	mkdir -p "$T/root/bin" "$T/root/etc"
	cp "$BB" "$T/root/bin/busybox"
	echo from-the-tar > "$T/root/etc/marker"
	tar -C "$T/root" -cf "$T/root.tar" .
	run "$R" --rootfs "$T/root.tar" /bin/busybox ls /
	# LiteBox adds its own /dev, /proc and /tmp; nothing else from the host.
	verdict "--rootfs TAR: / lists only the tar's entries (plus /dev, /proc, /tmp)" \
		eval '[ $rc -eq 0 ] && [ "$(grep -vxE "dev|proc|tmp" "$T/out" | sort | tr "\n" " ")" = "bin etc " ]'
	run "$R" --rootfs "$T/root.tar" /bin/busybox cat /etc/marker
	verdict "--rootfs TAR: files come from the tar" eval '[ $rc -eq 0 ] && out_is from-the-tar'
	run "$R" --rootfs "$T/root.tar" /bin/busybox sh -c 'echo x > /etc/new && read l < /etc/new && echo "$l"'
	verdict "--rootfs TAR: the root is writable through the overlay" eval '[ $rc -eq 0 ] && out_is x'
else
	for t in "--add HOST:GUEST" "--add of a directory" "a host file not added" \
		"a guest write to an added file" "--cwd DIR" "--rootfs TAR: ls /" \
		"--rootfs TAR: files" "--rootfs TAR: overlay"; do
		skip "$t" "no static /bin/busybox (install busybox-static)"
	done
fi

head -c 2097152 /dev/zero > "$T/two-mib"
run "$R" --mem-limit 1M --add "$T/two-mib:/big" "$G/hello"
verdict "--mem-limit 1M with a 2 MiB --add: exit 125 and a message about --mem-limit" \
	eval '[ $rc -eq 125 ] && grep -q -- "--mem-limit" "$T/err" && [ ! -s "$T/out" ]'
run "$R" --mem-limit 8M --add "$T/two-mib:/big" "$BB" wc -c /big
verdict "--mem-limit 8M with a 2 MiB --add fits" \
	eval '[ $rc -eq 0 ] && [ "$(cat "$T/out" | tr -s " " | cut -d" " -f1)" = 2097152 ]'

# --- --user: the guest's identity (docs/creds.md) ---
run "$R" --user 1000:1000 "$BB" id
verdict "--user 1000:1000: id" eval '[ $rc -eq 0 ] && out_is "uid=1000 gid=1000"'
run "$R" --user 1000 "$BB" id
verdict "--user 1000 without a passwd entry: gid 0" eval '[ $rc -eq 0 ] && out_is "uid=1000 gid=0"'
printf 'top secret\n' > "$T/secret"
chmod 600 "$T/secret"
run "$R" --user 1000:1000 --add "$T/secret:/secret" "$BB" cat /secret
verdict "--user 1000:1000: EACCES on a root-only file" \
	eval '[ $rc -eq 1 ] && grep -q "Permission denied" "$T/err"'
printf 'u:x:1000:1000::/:/bin/sh\n' > "$T/passwd"
printf 'g:x:1000:\nfive:x:5:u\nseven:x:7:x,u\n' > "$T/group"
run "$R" --add "$T/passwd:/etc/passwd" --add "$T/group:/etc/group" --user u "$BB" id
verdict "--user NAME: the sandbox's /etc/passwd and /etc/group, with the groups" \
	eval '[ $rc -eq 0 ] && out_is "uid=1000(u) gid=1000(g) groups=5(five),7(seven),1000(g)"'
run "$R" --add "$T/passwd:/etc/passwd" --add "$T/group:/etc/group" --user 1000:five "$BB" id
verdict "--user UID:GROUP: a number and a group name" \
	eval '[ $rc -eq 0 ] && out_is "uid=1000(u) gid=5(five) groups=5(five),7(seven)"'
for bad in "" ":5" "1000:" "12ab" "4294967295" "nobody" "1000:nogroup"; do
	run "$R" --user "$bad" "$BB" true
	verdict "--user '$bad': exit 125 and one line" \
		eval '[ $rc -eq 125 ] && err_lines 1 && grep -q -- "--user" "$T/err"'
done

# --- a dynamically linked program (ld.so and libc from the host) ---
if [ -x "$G/hello_dyn" ]; then
	run "$R" "$G/hello_dyn"
	verdict "a dynamic program (hello_dyn) runs" \
		eval '[ $rc -eq 0 ] && grep -q "^hello from a LiteBox guest$" "$T/out" && grep -q "^PASS hello_dyn" "$T/out"'
else
	skip "a dynamic program (hello_dyn) runs" "$G/hello_dyn is not built"
fi

# --- sqlite3 in WAL mode: its -shm file is mapped MAP_SHARED read-write ---
if [ -x /usr/bin/sqlite3 ]; then
	wal_sql="pragma journal_mode=WAL; create table t(a integer primary key, b text);
insert into t(b) values ('x'), ('y'); select count(*), group_concat(b) from t;
begin; insert into t(b) values ('z'); commit; select * from t where a > 1;
pragma journal_mode; pragma wal_checkpoint(TRUNCATE); pragma integrity_check;"
	rm -f "$T/wal.db" "$T/wal.db-wal" "$T/wal.db-shm"
	/usr/bin/sqlite3 "$T/wal.db" "$wal_sql" > "$T/wal-native" 2>&1
	run "$R" /usr/bin/sqlite3 /tmp/wal.db "$wal_sql"
	verdict "sqlite3 in WAL mode on a database file: the native output" \
		eval '[ $rc -eq 0 ] && cmp -s "$T/out" "$T/wal-native" && grep -q "^wal$" "$T/out"'
else
	skip "sqlite3 in WAL mode on a database file: the native output" "no /usr/bin/sqlite3"
fi

echo "1..$n"
[ $failed -eq 0 ]
