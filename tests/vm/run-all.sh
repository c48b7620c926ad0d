#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VM test lane, run inside the test VM by `scripts/check vm` (one boot
# runs everything): litebox.ko is loaded; lbx-launch is on PATH; guest test
# programs are in /opt/litebox/guest; VM-only test programs (ioctl contract
# tests and the like) in /opt/litebox/vmtest. Prints TAP; exits non-zero on
# any failure. vm-run then checks the kernel log and that rmmod works.

G=/opt/litebox/guest
V=/opt/litebox/vmtest
T=/tmp/lbx-vm-tests
mkdir -p "$T"
# lbx-launch's root image cache has its own tests below; everywhere else the
# lane builds every root afresh, as it did before the cache (deterministic,
# and no image files piling up in the VM's memory): HOME=/ turns it off.
unset LBX_CACHE_DIR XDG_CACHE_HOME
export HOME=/
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# wait_for PATTERN FILE [TENTHS]: until FILE holds PATTERN, at most TENTHS
# tenths of a second (default 100); the check that follows tells. FILE must
# be new or emptied before its writer is started in the background: the
# job's own "> FILE" truncates only when the job gets to run.
wait_for() {
	_w=0
	while ! grep -q "$1" "$2" 2>/dev/null && [ $_w -lt "${3:-100}" ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
}
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@" > "$T/out" 2>&1; then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/#   /' "$T/out" | head -n 20
	fi
}

# --- the module and the device ---
check "litebox is loaded" grep -q '^litebox ' /proc/modules
check "/dev/litebox is a 0600 character device" \
	sh -c '[ -c /dev/litebox ] && ls -l /dev/litebox | grep -q "^crw-------"'

# The module cannot go while a descriptor of it is open.
if sh -c 'exec 3<>/dev/litebox; rmmod litebox' 2>/dev/null; then
	not_ok "rmmod fails while /dev/litebox is open"
	insmod /lib/litebox/litebox.ko
else
	ok "rmmod fails while /dev/litebox is open"
fi

# --- guest test programs under lbx-launch: the last line is the verdict ---
for p in "$G"/*; do
	[ -x "$p" ] || continue
	name=${p##*/}
	case " ${LBX_VM_SKIP_GUESTS:-} " in
	*" $name "*)
		n=$((n + 1))
		echo "ok $n - guest $name under lbx-launch # SKIP on this kernel (see kunit/vm-tests.sh)"
		continue ;;
	esac
	# Limits a test needs beyond the defaults (64 processes).
	case "$name" in
	mp_killpg) opts="--max-procs 128" ;;
	*) opts= ;;
	esac
	# Rewritten (the default) and with every syscall trapping: the same verdict.
	for mode in "" --no-rewrite; do
		label="guest $name under lbx-launch${mode:+ $mode}"
		if timeout 120 lbx-launch $opts $mode "$p" > "$T/$name.out" 2>&1 < /dev/null &&
		   grep -q "^PASS $name" "$T/$name.out"; then
			ok "$label"
		else
			not_ok "$label"
			tail -n 15 "$T/$name.out" | sed 's/^/#   /'
		fi
	done
done

# --- the rewriter: trampolines are mapped, and only when rewriting ---
nr=$(lbx-launch /bin/busybox cat /proc/self/maps 2>&1 | grep -c '\[lbx-rewrite\]')
nn=$(lbx-launch --no-rewrite /bin/busybox cat /proc/self/maps 2>&1 | grep -c '\[lbx-rewrite\]')
if [ "$nr" -ge 1 ] && [ "$nn" -eq 0 ]; then
	ok "rewriter: $nr trampoline regions in a rewritten busybox, none with --no-rewrite"
else
	not_ok "rewriter: $nr trampoline regions rewritten, $nn with --no-rewrite"
fi
# ...and the patched sites are the ones taken: almost every call of a
# rewritten busybox shell loop enters directly (the sandbox's `direct`
# counter), none without rewriting.
direct_share() {
	: > "$T/direct.out"
	rm -f "$T/direct.fifo" && mkfifo "$T/direct.fifo"
	exec 8<> "$T/direct.fifo"	# a reader that blocks: nobody writes
	lbx-launch $1 /bin/busybox sh -c 'i=0; while [ $i -lt 300 ]; do i=$((i + 1)); echo $i > /dev/null; done; echo ready; read x' \
		< "$T/direct.fifo" > "$T/direct.out" 2>&1 &
	pid=$!
	wait_for ready "$T/direct.out" 300
	st=$(ls -d /sys/kernel/debug/litebox/[0-9]* | tail -n 1)/stats
	awk '$1 == "syscalls" { s = $2 } $1 == "direct" { d = $2 } $1 == "rewrite_patched" { p = $2 }
	     END { print s + 0, d + 0, p + 0 }' "$st"
	kill -9 $pid
	wait $pid 2>/dev/null
	exec 8>&-
}
set -- $(direct_share)
dr_s=$1 dr_d=$2 dr_p=$3
set -- $(direct_share --no-rewrite)
nr_s=$1 nr_d=$2 nr_p=$3
if [ "$dr_s" -ge 1200 ] && [ $((dr_d * 10)) -ge $((dr_s * 9)) ] && [ "$dr_p" -ge 1 ] &&
   [ "$nr_s" -ge 1200 ] && [ "$nr_d" -eq 0 ] && [ "$nr_p" -eq 0 ]; then
	ok "rewriter: $dr_d of $dr_s calls entered directly ($dr_p sites patched), 0 of $nr_s without"
else
	not_ok "rewriter: direct $dr_d of $dr_s ($dr_p patched); --no-rewrite direct $nr_d of $nr_s ($nr_p)"
fi
# Rewrite plans are shared between the sandboxes of one host user (the
# module's rewrite_cache, docs/rewriter.md): a second start of the same
# program scans nothing; another user's first start does not use them.
RC=/sys/kernel/debug/litebox/rewrite_cache
rc() { awk -v k="$1" '$1 == k { print $2 }' "$RC" 2>/dev/null; }
if [ "$(rc enabled)" = 1 ]; then
	lbx-launch "$G/hello" > /dev/null 2>&1
	h0=$(rc hits) s0=$(rc stores)
	out=$(lbx-launch "$G/hello" 2>&1)
	h1=$(rc hits) s1=$(rc stores)
	if [ "$(echo "$out" | tail -n 1)" = "PASS hello (1 checks, 0 failed)" ] && [ "$h1" -gt "$h0" ] && [ "$s1" -eq "$s0" ]; then
		ok "rewrite cache: a second start of hello hits ($((h1 - h0))), stores nothing"
	else
		not_ok "rewrite cache: second start: hits $h0 -> $h1, stores $s0 -> $s1, output '$out'"
	fi
	# Another host user: its own domain, so a miss and a store first.
	mode=$(stat -c %a /dev/litebox)
	chmod 0666 /dev/litebox
	as_user() { "$V/runas" 1000 1000 lbx-launch "$G/hello" 2>&1; }
	u1=$(as_user) ; h2=$(rc hits) s2=$(rc stores)
	u2=$(as_user) ; h3=$(rc hits) s3=$(rc stores)
	chmod "$mode" /dev/litebox
	if [ "$(printf "%s\n%s\n" "$u1" "$u2" | grep -c "^PASS hello")" = 2 ] &&
	   [ "$h2" -eq "$h1" ] && [ "$s2" -gt "$s1" ] && [ "$h3" -gt "$h2" ] && [ "$s3" -eq "$s2" ]; then
		ok "rewrite cache: uid 1000 does not see root's plans, then hits its own"
	else
		not_ok "rewrite cache: uid 1000: hits $h1 -> $h2 -> $h3, stores $s1 -> $s2 -> $s3, output '$u1' '$u2'"
	fi
	# An image file on tmpfs is named by the kernel (device, inode,
	# generation, ctime, size): the second start takes the plan by that
	# name without comparing the code; a rewrite of the file in place
	# (same bytes, new ctime) is compared again, then named anew.
	mkdir -p "$T/idfs" && mount -t tmpfs none "$T/idfs" &&
		mkdir -p "$T/idfs/r/bin" && cp "$G/hello" "$T/idfs/r/bin/" &&
		tar -C "$T/idfs/r" -cf "$T/idfs/h.tar" . && sleep 0.1
	# idrun prints the ident_hits after the run, then the run's last line.
	idrun() {
		o=$(lbx-launch --rootfs "$T/idfs/h.tar" /bin/hello 2>&1 | tail -n 1)
		echo "$(rc ident_hits) $o"
	}
	r1=$(idrun) ; r2=$(idrun)
	cat "$T/idfs/h.tar" > "$T/idfs/h2.tar" && cat "$T/idfs/h2.tar" > "$T/idfs/h.tar" && sleep 0.1
	hb=$(rc hits); r3=$(idrun); ha=$(rc hits); r4=$(idrun)
	umount "$T/idfs"
	i1=${r1%% *} i2=${r2%% *} i3=${r3%% *} i4=${r4%% *}
	if [ "$(printf "%s\n" "${r1#* }" "${r2#* }" "${r3#* }" "${r4#* }" | grep -c "^PASS hello")" = 4 ] &&
	   [ "$i2" -eq $((i1 + 1)) ] && [ "$i3" -eq "$i2" ] && [ "$ha" -eq $((hb + 1)) ] &&
	   [ "$i4" -eq $((i3 + 1)) ]; then
		ok "rewrite cache: an unchanged image file is known by name; rewritten in place, compared again"
	else
		not_ok "rewrite cache by name: ident_hits $i1 $i2 $i3 $i4, hits $hb -> $ha; '$r1' '$r2' '$r3' '$r4'"
	fi
	# The second start of a name keeps its patched pages; later starts
	# map them copy-on-write instead of patching copies of their own.
	# Every start sees the same text (the pages are right), different
	# from an unpatched one; a guest writing over its text changes only
	# its own copy.
	mkdir -p "$T/txfs" && mount -t tmpfs none "$T/txfs" &&
		mkdir -p "$T/txfs/r/bin" && cp "$V/textsum" "$T/txfs/r/bin/" &&
		tar -C "$T/txfs/r" -cf "$T/txfs/t.tar" . && sleep 0.1
	ts() { lbx-launch --rootfs "$T/txfs/t.tar" "$@" 2>&1 | head -n 1; }
	m0=$(rc text_maps)
	s1=$(ts /bin/textsum) ; s2=$(ts /bin/textsum) ; s3=$(ts /bin/textsum)
	m1=$(rc text_maps)
	sc=$(ts /bin/textsum scribble)
	s4=$(ts /bin/textsum)
	sn=$(ts --no-rewrite /bin/textsum)
	: > "$T/ts.out"
	lbx-launch --rootfs "$T/txfs/t.tar" /bin/textsum sleep > "$T/ts.out" 2>&1 &
	pid=$!
	wait_for sleeping "$T/ts.out"
	nt=$(grep -c 'r-xp .*litebox-text' /proc/$pid/maps)
	kill -9 $pid
	wait $pid 2>/dev/null
	umount "$T/txfs"
	case "$s1" in "textsum "*) good=1 ;; *) good=0 ;; esac
	if [ $good = 1 ] && [ "$s2" = "$s1" ] && [ "$s3" = "$s1" ] && [ "$s4" = "$s1" ] &&
	   [ "$sn" != "$s1" ] && [ "${sn%% *}" = textsum ] && [ "$m1" -gt "$m0" ] &&
	   [ "${sc%% *}" = scribbled ] && [ "${sc#* }" != "${s1#* }" ] &&
	   [ "$(head -n 1 "$T/ts.out")" = "$s1" ] && [ "$nt" -ge 1 ]; then
		ok "rewrite cache: patched pages kept for a name, mapped by later starts ($((m1 - m0)) maps, $nt r-xp in the host's view): same text, a guest's write stays its own"
	else
		not_ok "patched text: '$s1' '$s2' '$s3' '$s4', --no-rewrite '$sn', scribble '$sc', text_maps $m0 -> $m1, host r-xp $nt"
	fi
else
	not_ok "rewrite cache: $RC missing or disabled"
fi
# Connection churn: lwIP's TIME_WAIT list, shared by every sandbox, stays
# bounded (the oldest dropped, as Linux's tcp_max_tw_buckets does).
NETD=/sys/kernel/debug/litebox/net
if timeout 300 lbx-launch "$G/tcp_churn" 3000 > "$T/tcp-churn.out" 2>&1 &&
   grep -q '^PASS tcp_churn' "$T/tcp-churn.out"; then
	tw=$(awk '$1 == "tcp_time_wait" { print $2 }' "$NETD" 2>/dev/null)
	twmax=$(awk '$1 == "tcp_time_wait_max" { print $2 }' "$NETD" 2>/dev/null)
	if [ -n "$tw" ] && [ -n "$twmax" ] && [ "$tw" -ge 1 ] && [ "$tw" -le "$twmax" ]; then
		ok "TCP churn: 3000 connections, $tw in TIME_WAIT afterwards (bound $twmax)"
	else
		not_ok "TCP churn: TIME_WAIT '$tw' not within 1..'$twmax'"
	fi
else
	not_ok "TCP churn: 3000 connections in one sandbox"
	tail -n 5 "$T/tcp-churn.out" | sed 's/^/#   /'
fi
# A robust mutex's owner killed from the host (SIGKILL to the guest child's
# host process): the next locker gets EOWNERDEAD, natively and in the
# sandbox (litebox.ko walks the dead process's robust list).
# Each mode has its own output file, emptied before the start: the background
# job's redirection truncates only once that job runs, and the wait must not
# see the previous mode's "locked".
for mode in native lbx-launch; do
	rk=$T/rk-$mode.out
	: > "$rk"
	if [ $mode = native ]; then
		"$V/robust_kill_guest" > "$rk" 2>&1 &
	else
		lbx-launch "$V/robust_kill_guest" > "$rk" 2>&1 &
	fi
	lp=$!
	wait_for '^locked' "$rk" 600
	# The child's host process: the one whose parent is $lp. One file at a
	# time: a process that ends between the glob and the read must not
	# end the search (busybox awk gives up at a file it cannot open).
	cpid=
	for sf in /proc/[0-9]*/stat; do
		read -r spid scomm sstate sppid srest < "$sf" 2>/dev/null || continue
		if [ "$sppid" = "$lp" ]; then
			cpid=$spid
			break
		fi
	done
	if [ -n "$cpid" ]; then kill -KILL "$cpid"; else kill -KILL $lp; fi
	wait $lp
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^PASS robust_kill' "$rk"; then
		ok "robust mutex whose owner's host process is SIGKILLed: EOWNERDEAD ($mode)"
	else
		not_ok "robust mutex, owner SIGKILLed from the host ($mode): status $rc, child '$cpid'"
		tail -n 3 "$rk" | sed 's/^/#   /'
	fi
done
# Random system calls with junk arguments from inside a sandbox
# (tests/vm/sysfuzz_guest.c: 16 children of 4 threads calling at once,
# 4,000 calls a thread, fixed seeds): each gets an answer, none hangs, and
# vm-run fails the lane on any oops, BUG, WARNING or KASAN report (on the
# debug kernel, kmemleak follows).
if timeout 900 lbx-launch "$V/sysfuzz_guest" 1 16 4000 4 > "$T/sysfuzz.out" 2>&1 &&
   grep -q '^PASS sysfuzz' "$T/sysfuzz.out"; then
	ok "sysfuzz: 256,000 random system calls from 4 threads at once, every child ended"
else
	not_ok "sysfuzz: random system calls in a sandbox"
	tail -n 5 "$T/sysfuzz.out" | sed 's/^/#   /'
fi
# The same with forks: each thread also forks now and then, and the child
# makes random calls of its own (tgkill across a fork found a process
# published half-made). Then no sandbox is left and the module is free.
if timeout 900 lbx-launch --max-procs 256 "$V/sysfuzz_guest" 2 8 3000 4 1 > "$T/sysfuzz.out" 2>&1 &&
   grep -q '^PASS sysfuzz' "$T/sysfuzz.out"; then
	_w=0
	while [ "$(awk '$1 == "litebox" { print $3 }' /proc/modules)" != 0 ] && [ $_w -lt 50 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
	if [ $_w -lt 50 ]; then
		ok "sysfuzz with forks: 96,000 random system calls, every child ended, the module free"
	else
		not_ok "sysfuzz with forks: module still referenced 5 s after ($(awk '$1 == "litebox" { print $3 }' /proc/modules))"
	fi
else
	not_ok "sysfuzz with forks: random system calls in a sandbox"
	tail -n 5 "$T/sysfuzz.out" | sed 's/^/#   /'
fi
# Ahead of time: a rewritten static guest runs under lbx-launch and natively.
if lbx-rewrite "$G/signals" -o "$T/signals.rw" 2> "$T/rw.err" &&
   lbx-launch "$T/signals.rw" > "$T/rw.out" 2>&1 && grep -q '^PASS signals' "$T/rw.out" &&
   "$T/signals.rw" > "$T/rwn.out" 2>&1 && grep -q '^PASS signals' "$T/rwn.out"; then
	ok "lbx-rewrite output runs under lbx-launch and natively"
else
	not_ok "lbx-rewrite output: $(cat "$T/rw.err" "$T/rw.out" "$T/rwn.out" 2>/dev/null | tail -n 5)"
fi

# --- exit status, argv, environment and stdio round trips ---
expect_status() {
	want=$1
	shift
	"$@" > "$T/out" 2>&1 < /dev/null
	got=$?
	if [ "$got" = "$want" ]; then
		ok "exit status $want: $*"
	else
		not_ok "exit status $want: $* (got $got)"
		sed 's/^/#   /' "$T/out" | head -n 10
	fi
}
expect_status 0 lbx-launch "$G/args_env" exit 0
expect_status 42 lbx-launch "$G/args_env" exit 42
expect_status 255 lbx-launch "$G/args_env" exit 255

out=$(GUEST_VAR=from-host lbx-launch "$G/args_env" echo one "two three" 2>&1)
if [ "$out" = "$(printf 'one two three\nGUEST_VAR=from-host')" ]; then
	ok "argv and environment reach the guest"
else
	not_ok "argv and environment reach the guest (got: $out)"
fi
out=$(lbx-launch --clear-env --env GUEST_VAR=set "$G/args_env" echo x 2>&1)
if [ "$out" = "$(printf 'x\nGUEST_VAR=set')" ]; then
	ok "--clear-env and --env"
else
	not_ok "--clear-env and --env (got: $out)"
fi
if lbx-launch "$G/hello" | grep -q '^hello from a LiteBox guest$'; then
	ok "guest stdout goes through a pipe"
else
	not_ok "guest stdout goes through a pipe"
fi
lbx-launch "$G/hello" > "$T/redirected" 2>&1
if grep -q '^PASS hello' "$T/redirected"; then
	ok "guest stdout redirected to a file"
else
	not_ok "guest stdout redirected to a file"
fi

# --- clear errors from the launcher ---
expect_status 127 lbx-launch /nonexistent/program
printf 'not an ELF file\n' > "$T/bad.bin"
chmod +x "$T/bad.bin"
expect_status 126 lbx-launch "$T/bad.bin"
expect_status 2 lbx-launch --bogus-option "$G/hello"
expect_status 2 lbx-launch
if lbx-launch --help | grep -q '^Usage: lbx-launch'; then
	ok "lbx-launch --help"
else
	not_ok "lbx-launch --help"
fi

# --- --user: the guest's identity (docs/creds.md) ---
out=$(lbx-launch --user 1000:1000 /bin/busybox id 2>&1)
if [ "$out" = "uid=1000 gid=1000" ]; then
	ok "--user 1000:1000: id"
else
	not_ok "--user 1000:1000: id (got: $out)"
fi
out=$(lbx-launch --user 1000:1000 /bin/busybox grep -E '^(Uid|Gid|Groups|CapEff):' /proc/self/status 2>&1)
if [ "$out" = "$(printf 'Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t \nCapEff:\t0000000000000000')" ]; then
	ok "--user 1000:1000: /proc/self/status Uid, Gid, Groups, CapEff"
else
	not_ok "--user 1000:1000: /proc/self/status (got: $out)"
fi
printf 'top secret\n' > "$T/secret"
chmod 600 "$T/secret"
out=$(lbx-launch --user 1000:1000 --add "$T/secret:/secret" /bin/busybox cat /secret 2>&1)
st=$?
rout=$(lbx-launch --add "$T/secret:/secret" /bin/busybox cat /secret 2>&1)
if [ $st -eq 1 ] && echo "$out" | grep -q "Permission denied" && [ "$rout" = "top secret" ]; then
	ok "--user 1000:1000: EACCES on a root-only (0600) file that root reads"
else
	not_ok "--user 1000:1000: a root-only file (status $st, got: $out; as root: $rout)"
fi
out=$(lbx-launch --user 1000:1000 /bin/busybox sh -c 'echo x > /tmp/f && stat -c "%u:%g %a" /tmp/f; echo y > /f' 2>&1)
if [ "$(echo "$out" | head -n 1)" = "1000:1000 644" ] && echo "$out" | grep -q "Permission denied"; then
	ok "--user 1000:1000: new files are 1000:1000; / is not writable"
else
	not_ok "--user 1000:1000: file creation (got: $out)"
fi
printf 'root:x:0:0::/root:/bin/sh\nu:x:1000:1000::/:/bin/sh\n' > "$T/passwd"
printf 'root:x:0:\ng:x:1000:\nfive:x:5:u\nseven:x:7:x,u\n' > "$T/group"
out=$(lbx-launch --add "$T/passwd:/etc/passwd" --add "$T/group:/etc/group" --user u /bin/busybox id 2>&1)
out2=$(lbx-launch --add "$T/passwd:/etc/passwd" --add "$T/group:/etc/group" --user u:five /bin/busybox id 2>&1)
if [ "$out" = "uid=1000(u) gid=1000(g) groups=5(five),7(seven),1000(g)" ] &&
   [ "$out2" = "uid=1000(u) gid=5(five) groups=5(five),7(seven)" ]; then
	ok "--user NAME[:GROUP] from the sandbox's /etc/passwd and /etc/group, with its groups"
else
	not_ok "--user by name (got: $out / $out2)"
fi
for bad in "" ":5" "1000:" "12ab" "4294967295" "1000:4294967295" "nobody" "1000:nogroup"; do
	lbx-launch --user "$bad" /bin/busybox true > "$T/out" 2> "$T/err" < /dev/null
	st=$?
	if [ $st -eq 125 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q -- "--user" "$T/err"; then
		ok "--user '$bad': exit 125 and one line"
	else
		not_ok "--user '$bad': status $st, stderr: $(cat "$T/err")"
	fi
done

# --- stdin passes through ---
out=$(printf 'line one\nline two\n' | lbx-launch "$G/args_env" cat 2>&1)
if [ "$out" = "$(printf 'line one\nline two')" ]; then
	ok "guest stdin from a pipe"
else
	not_ok "guest stdin from a pipe (got: $out)"
fi

# --- real programs: output compared with a native run ---
S=/opt/litebox/tests/vm/scripts
compare_native() {
	name=$1
	shift
	"$@" > "$T/native.out" 2>&1
	nst=$?
	for mode in "" --no-rewrite; do
		lbx-launch $mode --add "$S:$S" "$@" > "$T/lbx.out" 2>&1
		lst=$?
		if [ "$nst" = "$lst" ] && cmp -s "$T/native.out" "$T/lbx.out"; then
			ok "$name${mode:+ ($mode)}: same output and status as natively ($(wc -l < "$T/lbx.out") lines)"
		else
			not_ok "$name${mode:+ ($mode)}: differs from the native run (status $nst vs $lst)"
			diff "$T/native.out" "$T/lbx.out" | head -n 20 | sed 's/^/#   /'
		fi
	done
}
# compare_script NAME WANT_RE TIMEOUT "PROG..." SCRIPT NATIVE_ARG SANDBOX_ARG:
# a busybox sh script (in $S) that runs dynamic programs, natively and in a
# sandbox (rewritten and not), with one argument each (a port, a path).
# The default root holds only the launched program's libraries, so each
# PROG, ld.so and their libraries are added, resolved, under the names
# ld.so looks for. Passes when the outputs are the same and match WANT_RE.
compare_script() {
	name=$1 want=$2 limit=$3 progs=$4 script=$5
	ld=/lib64/ld-linux-x86-64.so.2
	adds="--add $(readlink -f $ld):$ld --add $S/$script:/$script"
	for prog in $progs; do
		adds="$adds --add $prog:$prog"
		for lib in $($ld --list "$prog"); do
			case "$lib" in
			/*.so*) [ "$lib" != $ld ] && adds="$adds --add $(readlink -f "$lib"):$lib" ;;
			esac
		done
	done
	/bin/busybox sh "$S/$script" "$6" > "$T/script-native.out" 2>&1
	for mode in "" --no-rewrite; do
		# shellcheck disable=SC2086 # adds is a list of options
		timeout "$limit" lbx-launch $mode $adds /bin/busybox sh "/$script" "$7" \
			> "$T/script-lbx.out" 2>&1 < /dev/null
		if cmp -s "$T/script-native.out" "$T/script-lbx.out" &&
		   grep -q "$want" "$T/script-lbx.out"; then
			ok "$name${mode:+ ($mode)}: as natively ($(wc -l < "$T/script-lbx.out") lines)"
		else
			not_ok "$name${mode:+ ($mode)}: differs from the native run"
			diff "$T/script-native.out" "$T/script-lbx.out" | head -n 20 | sed 's/^/#   /'
		fi
	done
}
compare_native "busybox sh script" /bin/busybox sh "$S/shell.sh"
if [ -x /usr/bin/python3 ]; then
	compare_native "python3 (os, json, subprocess, threading)" /usr/bin/python3 -c '
import json, os, subprocess, sys
print(6 * 7)
print(json.dumps({"k": [1, 2, 3], "s": "x"}, sort_keys=True))
r = subprocess.run([sys.executable, "-c", "import sys; print(sys.argv[1:]); sys.exit(3)", "a", "b"],
                   capture_output=True, text=True)
print(r.returncode, r.stdout.strip())
p = subprocess.Popen([sys.executable, "-c", "print(input().upper())"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
print(p.communicate("hello")[0].strip(), p.returncode)
os.makedirs("/tmp/pyt/a/b", exist_ok=True)
with open("/tmp/pyt/a/b/f.txt", "w") as f:
    f.write("data\n" * 3)
print(sorted(os.walk("/tmp/pyt"))[-1], os.path.getsize("/tmp/pyt/a/b/f.txt"))
import queue, threading
q = queue.Queue()
def work(n):
    q.put(sum(range(n * 1000)))
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(q.get() for _ in range(4)), threading.active_count())
'
	compare_native "python3 (selectors/epoll, ET, SIGALRM during epoll.poll)" /usr/bin/python3 -c '
import os, select, selectors, signal, time
sel = selectors.DefaultSelector()
print(type(sel).__name__)
r, w = os.pipe()
sel.register(r, selectors.EVENT_READ, "pipe")
print(sel.select(0))
os.write(w, b"x")
print([(k.data, ev) for k, ev in sel.select(1)])
os.read(r, 1)
t0 = time.monotonic()
print(sel.select(0.05), time.monotonic() - t0 >= 0.05)
hits = []
signal.signal(signal.SIGALRM, lambda s, f: hits.append(s))
signal.setitimer(signal.ITIMER_REAL, 0.02)
ep = select.epoll()
ep.register(r, select.EPOLLIN | select.EPOLLET)
print(ep.poll(0.2), hits)
os.close(w)
print(ep.poll(1))
'
	compare_native "python3 asyncio (socketpair streams, sleep, subprocess, unix server)" /usr/bin/python3 -c '
import asyncio, os, socket, sys
async def echo(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line.upper())
        await writer.drain()
    writer.close()
async def ticker(n, log):
    for i in range(n):
        await asyncio.sleep(0.01)
        log.append(i)
async def main():
    loop = asyncio.get_running_loop()
    print(type(loop).__name__)
    a, b = socket.socketpair()
    r1, w1 = await asyncio.open_connection(sock=a)
    r2, w2 = await asyncio.open_connection(sock=b)
    log = []
    t = asyncio.create_task(ticker(5, log))
    for word in ["alpha", "beta", "gamma"]:
        w1.write(word.encode() + b"\n")
        await w1.drain()
        print((await r2.readline()).decode().strip())
    w1.close()
    print(await r2.read(), await t, log)
    srv = await asyncio.start_unix_server(echo, path="/tmp/lbx-asyncio.sock")
    rs, ws = await asyncio.open_unix_connection("/tmp/lbx-asyncio.sock")
    ws.write(b"over unix\n")
    print((await rs.readline()).decode().strip())
    ws.close()
    srv.close()
    await srv.wait_closed()
    os.unlink("/tmp/lbx-asyncio.sock")
    p = await asyncio.create_subprocess_exec(sys.executable, "-c", "print(input()[::-1])",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    out, _ = await p.communicate(b"desserts\n")
    print(out.decode().strip(), p.returncode)
    res = await asyncio.gather(*(asyncio.sleep(0.01 * i, result=i) for i in range(4)))
    print(res)
asyncio.run(main())
'
	# mmap.mmap(fd, n) is MAP_SHARED: stores reach the file and a forked
	# child's stores reach the parent; resize() is ftruncate plus mremap.
	rm -f /tmp/lbx-pymmap.bin
	compare_native "python3 mmap.mmap (MAP_SHARED: file coherence, resize, fork)" /usr/bin/python3 -c '
import mmap, os
path = "/tmp/lbx-pymmap.bin"
with open(path, "w+b") as f:
    f.write(bytes(8192))
    f.flush()
    m = mmap.mmap(f.fileno(), 8192)
    m[0:5] = b"hello"
    m[4096:4101] = b"world"
    m.flush()
    f.seek(0)
    print(f.read(5), os.pread(f.fileno(), 5, 4096))
    os.pwrite(f.fileno(), b"XY", 10)
    print(m[10:12], m.size(), len(m))
    m.resize(16384)
    m[12288:12291] = b"end"
    print(os.fstat(f.fileno()).st_size, os.pread(f.fileno(), 3, 12288), m[0:5])
    pid = os.fork()
    if pid == 0:
        m[100:104] = b"kid!"
        os._exit(0)
    os.waitpid(pid, 0)
    print(m[100:104])
    m.close()
with open(path, "rb") as f:
    d = f.read()
print(len(d), d[0:5], d[100:104], d[4096:4101], d[12288:12291])
os.unlink(path)
'
	rm -f /tmp/lbx-pymmap.bin
else
	echo "# python3 is not in this VM: skipped"
fi

if [ -x /usr/bin/lua5.4 ]; then
	compare_native "lua5.4" /usr/bin/lua5.4 -e '
local t = {}
for i = 1, 20 do t[#t + 1] = string.format("%d:%d", i, i * i) end
print(table.concat(t, " "))
local f = assert(io.open("/tmp/lua.txt", "w")); f:write("x\ny\n"); f:close()
local n = 0; for _ in io.lines("/tmp/lua.txt") do n = n + 1 end
print(n, os.getenv("HOME") ~= nil, math.floor(2^40), ("abc"):rep(3):upper())
print(pcall(error, "boom"))'
else
	echo "# lua5.4 is not in this VM: skipped"
fi
if [ -x /usr/bin/sqlite3 ]; then
	sql='create table t(a integer primary key, b text);
insert into t(b) values ("x"), ("y"), ("z");
create index tb on t(b);
select count(*), max(a), group_concat(b) from t;
update t set b = upper(b) where a > 1;
select * from t order by a;
pragma integrity_check;'
	compare_native "sqlite3 in memory" /usr/bin/sqlite3 :memory: "$sql"
	rm -f /tmp/lbx-test.db
	compare_native "sqlite3 on disk (record locks, journal)" /usr/bin/sqlite3 /tmp/lbx-test.db \
		"$sql begin; insert into t(b) values ('w'); commit; select count(*) from t; pragma journal_mode;"
	# WAL mode: every connection maps the -shm file MAP_SHARED read-write;
	# several sqlite3 processes in one sandbox, one after the other and a
	# reader during a writer's open transaction (scripts/sqlite_wal.sh).
	compare_script "sqlite3 in WAL mode on disk, several processes" "^reader sees|4$" 120 \
		/usr/bin/sqlite3 sqlite_wal.sh /tmp/lbx-wal /tmp/lbx-wal
else
	echo "# sqlite3 is not in this VM: skipped"
fi

# --- TCP over LiteBox's lwIP loopback, with real programs ---
# busybox httpd and wget in one sandbox: a forked server, a client, HTTP.
out=$(timeout 60 lbx-launch /bin/busybox sh -c '
	/bin/busybox mkdir -p /tmp/www && echo hello-over-lwip > /tmp/www/x
	/bin/busybox httpd -f -p 127.0.0.1:8080 -h /tmp/www & pid=$!
	i=0; while [ $i -lt 50 ]; do
		/bin/busybox wget -q -O - http://127.0.0.1:8080/x 2>/dev/null && break
		/bin/busybox usleep 100000; i=$((i + 1))
	done
	/bin/busybox wget -q -O - http://127.0.0.1:8080/missing 2>/dev/null || echo "404 ok"
	kill $pid' 2>&1)
if [ "$out" = "$(printf 'hello-over-lwip\n404 ok')" ]; then
	ok "busybox httpd and wget over 127.0.0.1 in one sandbox"
else
	not_ok "busybox httpd and wget over 127.0.0.1 (got: $(echo "$out" | head -n 5 | tr '\n' '|'))"
fi
# busybox nc: a listener and a client process, both half-closing as soon
# as their stdin ends (the listener's is /dev/null): the data gets through
# and the listener sees EOF and exits, 30 times over (ports 9200-9229; a
# listener not gone 10 s after its client is counted as hung).
out=$(timeout 300 lbx-launch /bin/busybox sh -c '
	good=0; hung=0; lost=0; r=0
	while [ $r -lt 30 ]; do
		port=$((9200 + r)); r=$((r + 1))
		/bin/busybox rm -f /tmp/nc.out
		/bin/busybox nc -l -p $port > /tmp/nc.out & pid=$!
		# Until the listener listens (a slow debug kernel takes a while).
		i=0; while [ $i -lt 100 ]; do
			echo "through nc" | /bin/busybox nc 127.0.0.1 $port 2>/dev/null && break
			/bin/busybox usleep 100000; i=$((i + 1))
		done
		i=0; while [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do
			/bin/busybox usleep 100000; i=$((i + 1))
		done
		if kill -0 $pid 2>/dev/null; then
			hung=$((hung + 1)); kill $pid; wait $pid
		elif wait $pid && [ "$(/bin/busybox cat /tmp/nc.out)" = "through nc" ]; then
			good=$((good + 1))
		else
			lost=$((lost + 1))
		fi
	done
	echo "good $good hung $hung lost $lost"' 2>&1)
if [ "$out" = "good 30 hung 0 lost 0" ]; then
	ok "busybox nc over 127.0.0.1, 30 times: the data through, the listener at EOF exits 0"
else
	not_ok "busybox nc over 127.0.0.1, 30 times (got: $(echo "$out" | head -n 5 | tr '\n' '|'))"
fi
# Sandboxes share one stack but do not talk to each other: another
# sandbox's listener is "connection refused".
lbx-launch /bin/busybox nc -l -p 9100 > "$T/nc-a.out" 2>&1 &
pa=$!
sleep 1
# The port is taken (the listener is up: the port space is shared), and
# connecting to it is refused.
out=$(timeout 30 lbx-launch /bin/busybox sh -c '
	/bin/busybox nc -l -p 9100 < /dev/null 2>&1 | /bin/busybox grep -q "in use" && echo in-use
	echo x | /bin/busybox nc 127.0.0.1 9100 && echo connected || echo refused' 2>&1)
kill $pa 2>/dev/null; wait $pa 2>/dev/null
case "$out" in
*in-use*refused*) ok "another sandbox's 127.0.0.1 listener is refused" ;;
*) not_ok "cross-sandbox loopback connection not refused (got: $(echo "$out" | tr '\n' '|'))" ;;
esac
if [ -x /usr/bin/python3 ]; then
	out=$(timeout 60 lbx-launch /usr/bin/python3 -c '
import socket, socketserver, threading, urllib.request, http.server
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline().upper())
srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
threading.Thread(target=srv.serve_forever, daemon=True).start()
for i in range(3):
    with socket.create_connection(srv.server_address, timeout=5) as c:
        c.sendall(b"line %d\n" % i)
        print(c.makefile().readline().strip())
srv.shutdown()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.bind(("::1", 0))
v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v.sendto(b"v6 datagram", u.getsockname())
print(u.recvfrom(100)[0].decode())
' 2>&1)
	if [ "$out" = "$(printf 'LINE 0\nLINE 1\nLINE 2\nv6 datagram')" ]; then
		ok "python3 socketserver (threads) and IPv6 UDP over LiteBox's loopback"
	else
		not_ok "python3 sockets (got: $(echo "$out" | tail -n 5 | tr '\n' '|'))"
	fi
fi

# --- the sandbox's network device lbx<N> (--net): host <-> guest over it ---
# Waits for "network device lbxN" in a launcher's -v output; sets $netdev.
wait_netdev() {
	netdev=
	for i in $(seq 1 100); do
		netdev=$(sed -n 's/.*network device \(lbx[0-9]*\) .*/\1/p' "$1")
		[ -n "$netdev" ] && ip link show "$netdev" > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
# A guest TCP server, a host client.
lbx-launch -v --net 10.99.0.2/24 /bin/busybox nc -l -p 7000 > "$T/gnc.out" 2> "$T/gnc.err" &
pg=$!
if wait_netdev "$T/gnc.err"; then
	ok "--net: lbx-launch -v names the device ($netdev)"
	ip addr add 10.99.0.1/24 dev "$netdev" && ip link set "$netdev" up
	sent=
	for i in $(seq 1 30); do
		echo "host to guest over $netdev" | timeout 10 nc 10.99.0.2 7000 2> /dev/null && { sent=1; break; }
		sleep 0.3
	done
	timeout 20 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
	if [ -n "$sent" ] && grep -q "host to guest over $netdev" "$T/gnc.out"; then
		ok "--net: a host TCP client reaches a guest server through $netdev"
	else
		not_ok "--net: host to guest TCP (sent=$sent, guest got: $(cat "$T/gnc.out" "$T/gnc.err" | tr '\n' '|'))"
	fi
	kill $pg 2>/dev/null; wait $pg 2>/dev/null
	if ip link show "$netdev" > /dev/null 2>&1; then
		not_ok "--net: $netdev still exists after its sandbox ended"
	else
		ok "--net: $netdev is gone with its sandbox"
	fi
else
	not_ok "--net: no device named by lbx-launch -v ($(cat "$T/gnc.err" | tr '\n' '|'))"
	kill $pg 2>/dev/null; wait $pg 2>/dev/null
fi
# A guest client (busybox wget) and a host server (busybox httpd).
mkdir -p "$T/www" && echo "hello from the host" > "$T/www/h"
httpd -f -p 8088 -h "$T/www" & ph=$!
lbx-launch -v --net 10.99.0.2/24 /bin/busybox sh -c '
	i=0
	while [ $i -lt 40 ]; do
		/bin/busybox wget -q -O - http://10.99.0.1:8088/h 2>/dev/null && break
		/bin/busybox usleep 300000; i=$((i + 1))
	done
	/bin/busybox wget -q -O - http://10.99.0.1:8088/missing 2>/dev/null || echo "404 ok"
	echo x | /bin/busybox nc 10.98.7.7 80 2>&1 | /bin/busybox head -n 1' > "$T/gw.out" 2> "$T/gw.err" &
pg=$!
if wait_netdev "$T/gw.err"; then
	ip addr add 10.99.0.1/24 dev "$netdev" && ip link set "$netdev" up
fi
timeout 90 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
kill $pg 2>/dev/null; wait $pg 2>/dev/null
kill $ph 2>/dev/null; wait $ph 2>/dev/null
if [ "$(head -n 2 "$T/gw.out")" = "$(printf 'hello from the host\n404 ok')" ]; then
	ok "--net: a guest wget fetches from a host httpd through $netdev"
else
	not_ok "--net: guest to host HTTP (got: $(cat "$T/gw.out" "$T/gw.err" | tr '\n' '|'))"
fi
case "$(sed -n 3p "$T/gw.out")" in
*"unreachable"*) ok "--net without gw=: beyond the prefix is unreachable" ;;
*) not_ok "--net without gw=: beyond the prefix (got: $(sed -n 3p "$T/gw.out"))" ;;
esac
# UDP both ways: a guest server and a host client, then the reverse.
lbx-launch -v --net 10.99.0.2/24 "$V/udp_echo" server 7001 > "$T/gu.out" 2> "$T/gu.err" &
pg=$!
out=
if wait_netdev "$T/gu.err"; then
	ip addr add 10.99.0.1/24 dev "$netdev" && ip link set "$netdev" up
	out=$(timeout 60 "$V/udp_echo" client 10.99.0.2 7001 "to the guest" 2>&1)
fi
timeout 20 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
kill $pg 2>/dev/null; wait $pg 2>/dev/null
if [ "$out" = "client got TO THE GUEST" ] &&
   grep -q "server got to the guest from 10.99.0.1" "$T/gu.out"; then
	ok "--net: UDP host client, guest server through $netdev"
else
	not_ok "--net: UDP to a guest server (host got '$out', guest: $(cat "$T/gu.out" "$T/gu.err" | tr '\n' '|'))"
fi
timeout 60 "$V/udp_echo" server 7002 > "$T/hu.out" 2>&1 & ph=$!
lbx-launch -v --net 10.99.0.2/24 "$V/udp_echo" client 10.99.0.1 7002 "to the host" > "$T/gu.out" 2> "$T/gu.err" &
pg=$!
wait_netdev "$T/gu.err" && ip addr add 10.99.0.1/24 dev "$netdev" && ip link set "$netdev" up
timeout 60 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
kill $pg $ph 2>/dev/null; wait $pg $ph 2>/dev/null
if grep -q "client got TO THE HOST" "$T/gu.out" &&
   grep -q "server got to the host from 10.99.0.2" "$T/hu.out"; then
	ok "--net: UDP guest client, host server through $netdev"
else
	not_ok "--net: UDP from a guest client (guest: $(cat "$T/gu.out" "$T/gu.err" | tr '\n' '|'), host: $(cat "$T/hu.out"))"
fi
# net_peer over lbx<N>: a guest (lbx-launch) and a host peer, each way.
# peer_guest_server NAME NETARG HOSTADDR/PREFIX PROTO FAMILY PORT CLIENT_ARGS...
# peer_host_server  NAME NETARG HOSTADDR/PREFIX PROTO FAMILY PORT CLIENT_ARGS...
# Then peer_verdict NAME GUEST_LINE HOST_LINE.
peer_up() {
	wait_netdev "$1" || return 1
	ip addr add "$2" dev "$netdev" nodad 2> /dev/null || ip addr add "$2" dev "$netdev"
	ip link set "$netdev" up
}
peer_guest_server() {
	local net=$1 haddr=$2 proto=$3 fam=$4 port=$5
	shift 5
	lbx-launch -v --net "$net" "$V/net_peer" "$proto-server" "$fam" "$port" > "$T/pg.out" 2> "$T/pg.err" &
	local pg=$!
	prc=1
	if peer_up "$T/pg.err" "$haddr"; then
		timeout 60 "$V/net_peer" "$proto-client" "$@" > "$T/ph.out" 2> "$T/ph.err"
		prc=$?
	fi
	timeout 20 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
	kill $pg 2> /dev/null; wait $pg 2> /dev/null
	grc=$?
}
peer_host_server() {
	local net=$1 haddr=$2 proto=$3 fam=$4 port=$5
	shift 5
	timeout 90 "$V/net_peer" "$proto-server" "$fam" "$port" > "$T/ph.out" 2> "$T/ph.err" &
	local ph=$!
	lbx-launch -v --net "$net" "$V/net_peer" "$proto-client" "$@" > "$T/pg.out" 2> "$T/pg.err" &
	local pg=$!
	peer_up "$T/pg.err" "$haddr"
	timeout 90 sh -c "while kill -0 $pg 2>/dev/null; do sleep 0.2; done"
	kill $pg 2> /dev/null; wait $pg 2> /dev/null
	grc=$?
	timeout 20 sh -c "while kill -0 $ph 2>/dev/null; do sleep 0.2; done"
	kill $ph 2> /dev/null; wait $ph 2> /dev/null
	prc=$?
}
peer_verdict() {
	if [ $grc -eq 0 ] && [ $prc -eq 0 ] && [ "$(cat "$T/pg.out")" = "$2" ] &&
	   [ "$(cat "$T/ph.out")" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (guest $grc, host $prc; guest: $(cat "$T/pg.out" "$T/pg.err" | tr '\n' '|') host: $(cat "$T/ph.out" "$T/ph.err" | tr '\n' '|'))"
	fi
}
# Bulk TCP (more than a send buffer of small segments) over IPv4.
peer_guest_server 10.99.0.2/24 10.99.0.1/24 tcp 4 7010 10.99.0.2 7010 1000000
peer_verdict "--net: 1 MB TCP echo, host client, guest server, EOF both ways" \
	"tcp-server: echoed 1000000 bytes from 10.99.0.1" "tcp-client: 1000000 bytes echoed by 10.99.0.2"
# IPv6: the guest's one address is fd99::2 (no link-local, no neighbour
# discovery on the point-to-point device). The host side needs IPv6 in the
# VM's kernel (the debug kernel of the kunit lane has none): else skipped.
if [ -d /proc/sys/net/ipv6 ]; then
	peer_guest_server fd99::2/64 fd99::1/64 tcp 6 7011 fd99::2 7011 300000
	peer_verdict "--net IPv6: TCP host client, guest server (300 kB echoed, EOF both ways)" \
		"tcp-server: echoed 300000 bytes from fd99::1" "tcp-client: 300000 bytes echoed by fd99::2"
	peer_host_server fd99::2/64 fd99::1/64 tcp 6 7012 fd99::1 7012 300000
	peer_verdict "--net IPv6: TCP guest client, host server (300 kB echoed, EOF both ways)" \
		"tcp-client: 300000 bytes echoed by fd99::1" "tcp-server: echoed 300000 bytes from fd99::2"
	peer_guest_server fd99::2/64 fd99::1/64 udp 6 7013 fd99::2 7013 to-the-guest
	peer_verdict "--net IPv6: UDP host client, guest server" \
		"udp-server: got to-the-guest from fd99::1" "udp-client: got TO-THE-GUEST"
	peer_host_server fd99::2/64 fd99::1/64 udp 6 7014 fd99::1 7014 to-the-host
	peer_verdict "--net IPv6: UDP guest client, host server" \
		"udp-client: got TO-THE-HOST" "udp-server: got to-the-host from fd99::2"
else
	for what in "TCP both ways" "UDP both ways"; do
		n=$((n + 1))
		echo "ok $n - --net IPv6: $what # SKIP this kernel has no IPv6 for the host side"
	done
fi
# Bad --net arguments: one line, status 2, before anything starts.
for bad in 10.99.0.2 10.99.0.2/33 10.99.0.0/24 300.1.1.1/24 fe80::1/64 \
	   10.99.0.2/24,gw=fd00::1 10.99.0.2/24,mtu=100 tun=tap0; do
	lbx-launch --net "$bad" /bin/busybox true > "$T/bad.out" 2>&1
	st=$?
	if [ $st -ne 2 ] || [ "$(wc -l < "$T/bad.out")" -ne 1 ] ||
	   ! grep -q "invalid --net '$bad'" "$T/bad.out"; then
		not_ok "--net $bad: status $st, $(cat "$T/bad.out")"
		badfail=1
	fi
done
[ -z "$badfail" ] && ok "bad --net arguments: one line, status 2"
if command -v lbx-run > /dev/null; then
	lbx-run --net 10.99.0.2/24 /bin/busybox true > "$T/bad.out" 2>&1
	st=$?
	if [ $st -eq 2 ] && grep -q "needs a host TUN device" "$T/bad.out"; then
		ok "lbx-run --net without tun=: needs a host TUN device, status 2"
	else
		not_ok "lbx-run --net: status $st, $(cat "$T/bad.out")"
	fi
fi

# --- redis-server (Debian 12): on the sandbox's loopback, and over --net ---
if [ -x /usr/bin/redis-server ] && [ -x /usr/bin/redis-cli ]; then
	compare_script "redis-server and redis-cli in one sandbox, SET/GET/INCR/LPUSH/LRANGE and SHUTDOWN" \
		"^redis-server exited with status 0$" 300 "/usr/bin/redis-server /usr/bin/redis-cli" \
		redis.sh 6390 6391
	# The server in a sandbox with --net, the client on the host.
	lbx-launch -v --net 10.99.0.2/24 /usr/bin/redis-server --port 6379 --bind 10.99.0.2 \
		--protected-mode no --save '' --appendonly no --dir /tmp \
		> "$T/redis-net.out" 2> "$T/redis-net.err" < /dev/null &
	pr=$!
	if wait_netdev "$T/redis-net.err"; then
		ip addr add 10.99.0.1/24 dev "$netdev" && ip link set "$netdev" up
		for i in $(seq 1 100); do
			[ "$(timeout 5 redis-cli -h 10.99.0.2 PING 2> /dev/null)" = PONG ] && break
			sleep 0.2
		done
		{
			redis-cli -h 10.99.0.2 SET k "over $netdev"
			redis-cli -h 10.99.0.2 GET k
			redis-cli -h 10.99.0.2 INCR n
			redis-cli -h 10.99.0.2 LPUSH l x y
			redis-cli -h 10.99.0.2 LRANGE l 0 -1
			redis-cli -h 10.99.0.2 SHUTDOWN
		} > "$T/redis-host.out" 2>&1
		timeout 30 sh -c "while kill -0 $pr 2>/dev/null; do sleep 0.2; done"
		wait $pr
		st=$?
		if [ "$(cat "$T/redis-host.out")" = "$(printf 'OK\nover %s\n1\n2\ny\nx' "$netdev")" ] &&
		   [ $st -eq 0 ] && grep -q "ready to exit, bye bye" "$T/redis-net.out"; then
			ok "--net: a host redis-cli drives a sandboxed redis-server through $netdev; SHUTDOWN ends it (status 0)"
		else
			not_ok "--net: host redis-cli to a sandboxed redis-server (status $st; got: $(tr '\n' '|' < "$T/redis-host.out"); server: $(tail -n 5 "$T/redis-net.out" "$T/redis-net.err" | tr '\n' '|'))"
		fi
	else
		not_ok "--net: redis-server's sandbox has no device ($(tr '\n' '|' < "$T/redis-net.err"))"
	fi
	kill $pr 2> /dev/null; wait $pr 2> /dev/null
else
	echo "# redis-server or redis-cli is not in this VM: skipped"
fi

# --- a guest that tries to leave ---
rm -f /tmp/lbx-escaped
if lbx-launch "$V/escape_guest" > "$T/escape.out" 2>&1 && grep -q '^PASS escape_guest' "$T/escape.out"; then
	ok "escape attempts see only the sandbox or an error"
else
	not_ok "escape attempts see only the sandbox or an error"
	sed 's/^/#   /' "$T/escape.out" | head -n 20
fi
if [ ! -e /tmp/lbx-escaped ] && [ -s /etc/passwd ]; then
	ok "the host is unchanged after the escape attempts"
else
	not_ok "the host is unchanged after the escape attempts"
fi
expect_status 159 lbx-launch "$V/escape_guest" int80

# --- teardown: SIGKILL mid-run, and many sandboxes in a row ---
refcount() { awk '$1 == "litebox" { print $3 }' /proc/modules; }
lbx-launch "$G/args_env" sleep 30 > "$T/sleeper.out" 2>&1 &
pid=$!
wait_for sleeping "$T/sleeper.out"
busy=$(refcount)
kill -9 $pid
wait $pid 2>/dev/null
st=$?
if [ "$busy" -ge 1 ] && [ "$st" = 137 ] && [ "$(refcount)" = 0 ]; then
	ok "a guest killed with SIGKILL mid-run releases its sandbox (refcount $busy -> 0)"
else
	not_ok "SIGKILL mid-run (refcount while running $busy, after $(refcount), status $st)"
fi

# --- the root image as a file (ABI 1.4, docs/uapi.md) ---
# lbx-launch hands its image over as a sealed memfd: the program's pages
# are mapped from it (the host's view of the guest's process shows the
# memfd; text pages the rewriter patched are private copies), and with
# --copy-image (the buffer the kernel copies, as before 1.4) nothing is.
memfd_maps() {	# label, launcher options...
	label=$1
	shift
	: > "$T/zc.out"
	lbx-launch "$@" "$G/args_env" sleep 30 > "$T/zc.out" 2>&1 &
	pid=$!
	wait_for sleeping "$T/zc.out"
	grep -c 'r-xp .*memfd:lbx-root' /proc/$pid/maps > "$T/zc.maps"
	kill -9 $pid
	wait $pid 2>/dev/null
	cat "$T/zc.maps"
}
nx=$(memfd_maps file)
nc=$(memfd_maps copy --copy-image)
if [ "$nx" -ge 1 ] && [ "$nc" = 0 ]; then
	ok "the program's text is mapped from the sealed image memfd ($nx r-xp ranges; --copy-image: none)"
else
	not_ok "image mappings: $nx r-xp ranges of the memfd, $nc with --copy-image"
fi
# The guest's own view is the same either way.
lbx-launch /bin/busybox cat /proc/self/maps 2>&1 | grep ' /bin/busybox$' > "$T/maps.file"
lbx-launch --copy-image /bin/busybox cat /proc/self/maps 2>&1 | grep ' /bin/busybox$' > "$T/maps.copy"
if [ -s "$T/maps.file" ] && grep -q ' r-xp ' "$T/maps.file" && cmp -s "$T/maps.file" "$T/maps.copy"; then
	ok "the guest's /proc/self/maps is the same with a mapped and a copied image ($(wc -l < "$T/maps.file") lines)"
else
	not_ok "guest /proc/self/maps: mapped image $(tr '\n' '|' < "$T/maps.file"), copied $(tr '\n' '|' < "$T/maps.copy")"
fi
# Killed mid-run: the sandbox lets go of its image (the memfd's pages go
# back: Shmem returns to where it was).
shmem() { awk '/^Shmem:/ { print $2 }' /proc/meminfo; }
s0=$(shmem)
: > "$T/zc.out"
lbx-launch "$G/args_env" sleep 30 > "$T/zc.out" 2>&1 &
pid=$!
wait_for sleeping "$T/zc.out"
s1=$(shmem)
kill -9 $pid
wait $pid 2>/dev/null
s2=$(shmem)
if [ $((s1 - s0)) -ge 256 ] && [ $((s2 - s0)) -lt 64 ] && [ "$(refcount)" = 0 ]; then
	ok "a launcher killed mid-run frees its image memfd (Shmem $s0 -> $s1 -> $s2 kB)"
else
	not_ok "image memfd after SIGKILL: Shmem $s0 -> $s1 -> $s2 kB, refcount $(refcount)"
fi
# --rootfs hands the file itself: writers get ETXTBSY while a sandbox
# holds it, and it is writable again once the sandbox is gone, however
# that happened.
rm -rf "$T/zcroot" && mkdir -p "$T/zcroot/bin" && cp /bin/busybox "$T/zcroot/bin/" &&
	tar -C "$T/zcroot" -cf "$T/zcroot.tar" .
: > "$T/zc.out"
lbx-launch --rootfs "$T/zcroot.tar" /bin/busybox sh -c 'echo ready; exec /bin/busybox sleep 30' \
	> "$T/zc.out" 2>&1 &
pid=$!
wait_for ready "$T/zc.out"
if (: >> "$T/zcroot.tar") 2>/dev/null; then busy=writable; else busy=denied; fi
kill -9 $pid
wait $pid 2>/dev/null
if (: >> "$T/zcroot.tar") 2>/dev/null; then after=writable; else after=denied; fi
if grep -q ready "$T/zc.out" && [ $busy = denied ] && [ $after = writable ]; then
	ok "--rootfs: the image file is write-denied while the sandbox holds it, released on SIGKILL"
else
	not_ok "--rootfs image file: $busy while running, $after after SIGKILL; output: $(cat "$T/zc.out")"
fi
# A --rootfs image someone is writing is copied instead (the launcher
# falls back), and the guest still runs.
exec 7>> "$T/zcroot.tar"
if lbx-launch --rootfs "$T/zcroot.tar" /bin/busybox echo copied > "$T/zc.out" 2>&1 &&
   grep -q '^copied$' "$T/zc.out"; then
	ok "--rootfs open for writing elsewhere: the launcher falls back to a copy"
else
	not_ok "--rootfs open for writing: $(cat "$T/zc.out")"
fi
exec 7>&-
# Another user's --rootfs image, which that user may only read, is not
# theirs to keep from its writers: the launcher falls back to a copy, and
# root can write the file while the guest runs.
chmod 0644 "$T/zcroot.tar"
mode=$(stat -c %a /dev/litebox)
chmod 0666 /dev/litebox
: > "$T/zc.out"
"$V/runas" 1000 1000 lbx-launch -v --rootfs "$T/zcroot.tar" /bin/busybox sh -c \
	'echo ready; exec /bin/busybox sleep 30' > "$T/zc.out" 2>&1 &
pid=$!
wait_for ready "$T/zc.out"
if (: >> "$T/zcroot.tar") 2>/dev/null; then busy=writable; else busy=denied; fi
kill -9 $pid
wait $pid 2>/dev/null
chmod "$mode" /dev/litebox
if grep -q ready "$T/zc.out" && grep -q "neither ours nor writable" "$T/zc.out" &&
   [ $busy = writable ]; then
	ok "--rootfs of another user's file: copied, its owner may still write it"
else
	not_ok "--rootfs of another user's file: $busy while running; output: $(cat "$T/zc.out")"
fi

# --- lbx-launch's root image cache (docs/imgcache.md) ---
# The rest of the lane runs without it (HOME=/ above); here it lives in a
# directory of its own on /tmp's tmpfs, removed at the end.
C=$T/imgcache
rm -rf "$C"
cache_run() {	# lbx-launch with the cache at $C and -v; stdout to $T/ic.out, stderr $T/ic.err
	LBX_CACHE_DIR=$C lbx-launch -v "$@" > "$T/ic.out" 2> "$T/ic.err" < /dev/null
}
said() { grep -q "root image cache: $1" "$T/ic.err"; }
cache_run "$G/hello"; st1=$?
cp "$T/ic.out" "$T/ic.first"
s1=$(said stored && echo stored)
cache_run "$G/hello"; st2=$?
h2=$(said hit && ! said stored && echo hit)
if [ $st1 = 0 ] && [ $st2 = 0 ] && [ "$s1" = stored ] && [ "$h2" = hit ] &&
   grep -q '^PASS hello' "$T/ic.out" && cmp -s "$T/ic.first" "$T/ic.out" &&
   [ "$(stat -c %a "$C")" = 700 ] && [ "$(ls "$C" | grep -c '\.tar$')" = 1 ]; then
	ok "image cache: hello's first start stores its root (mode 700 dir), the second hits, same output"
else
	not_ok "image cache: first start $st1 '$s1', second $st2 '$h2', dir mode $(stat -c %a "$C" 2>&1)"
	sed 's/^/#   /' "$T/ic.err" | head -n 10
fi
# On a hit the program's text is mapped from the cached tar itself (or,
# from the third start of a name on, from the patched pages litebox.ko
# keeps for it, docs/rewriter.md; without rewriting, from the tar).
: > "$T/ic.out"
LBX_CACHE_DIR=$C lbx-launch "$G/args_env" sleep 30 > "$T/ic.out" 2>&1 &
pid=$!
wait_for sleeping "$T/ic.out"
LBX_CACHE_DIR=$C lbx-launch "$G/args_env" true > /dev/null 2>&1	# stored by now: a hit
nmap=$(grep -c "r-xp .*$C/[0-9a-f]*\.tar" /proc/$pid/maps)
kill -9 $pid
wait $pid 2>/dev/null
: > "$T/ic.out"
LBX_CACHE_DIR=$C lbx-launch "$G/args_env" sleep 30 > "$T/ic.out" 2>&1 &
pid=$!
wait_for sleeping "$T/ic.out"
nhit=$(grep -c -E "r-xp .*($C/[0-9a-f]*\.tar|/litebox-text)" /proc/$pid/maps)
kill -9 $pid
wait $pid 2>/dev/null
: > "$T/ic.out"
LBX_CACHE_DIR=$C lbx-launch --no-rewrite "$G/args_env" sleep 30 > "$T/ic.out" 2>&1 &
pid=$!
wait_for sleeping "$T/ic.out"
nnr=$(grep -c "r-xp .*$C/[0-9a-f]*\.tar" /proc/$pid/maps)
kill -9 $pid
wait $pid 2>/dev/null
if [ "$nmap" -ge 1 ] && [ "$nhit" -ge 1 ] && [ "$nnr" -ge 1 ]; then
	ok "image cache: the program's text is mapped from the cached tar (stored: $nmap r-xp ranges, hit: $nhit with its kept patched pages, $nnr unpatched)"
else
	not_ok "image cache: r-xp ranges of the cached tar: $nmap when stored, $nhit on a hit (or its patched pages), $nnr on a --no-rewrite hit"
fi
# A changed program is a miss, and the guest sees its new bytes: a copy
# of busybox, grown, then changed in place (same size, new mtime).
rm -rf "$T/icbin" && mkdir "$T/icbin" && cp /bin/busybox "$T/icbin/busybox"
P=$T/icbin/busybox
sum_ok() {	# the guest's md5 of the program equals the host's
	cache_run "$P" md5sum "$P" && [ "$(cut -d' ' -f1 "$T/ic.out")" = "$(md5sum "$P" | cut -d' ' -f1)" ]
}
r1=$(sum_ok && said stored && echo stored)
r2=$(sum_ok && said hit && echo hit)
printf 'appended bytes\n' >> "$P"
r3=$(sum_ok && said stored && echo stored)
printf 'CHANGED' | dd of="$P" bs=1 seek=$(($(stat -c %s "$P") - 10)) conv=notrunc 2>/dev/null
r4=$(sum_ok && said stored && echo stored)
r5=$(sum_ok && said hit && echo hit)
if [ "$r1 $r2 $r3 $r4 $r5" = "stored hit stored stored hit" ]; then
	ok "image cache: a program grown, then changed in place, is a miss each time and the guest reads its new bytes"
else
	not_ok "image cache: changed program: '$r1 $r2 $r3 $r4 $r5', want 'stored hit stored stored hit'"
	sed 's/^/#   /' "$T/ic.err" | head -n 10
fi
# --no-cache: built afresh, the cache neither read nor written.
# (Entries made old first: a hit or a store would make one new.)
touch -d '2001-01-01 00:00:00' "$T/ic.ref" "$C"/*
nf=$(ls "$C" | wc -l)
if cache_run --no-cache "$G/hello" && grep -q '^PASS hello' "$T/ic.out" &&
   said 'not used (--no-cache)' && ! said hit && ! said stored &&
   [ "$(ls "$C" | wc -l)" = "$nf" ] && [ -z "$(find "$C" -type f -newer "$T/ic.ref")" ] &&
   LBX_CACHE_DIR=$C lbx-launch "$G/hello" > /dev/null 2>&1 && [ -n "$(find "$C" -type f -newer "$T/ic.ref")" ]; then
	ok "image cache: --no-cache builds afresh and leaves the cache alone"
else
	not_ok "image cache: --no-cache: $(tr '\n' '|' < "$T/ic.err")"
fi
# A truncated cache file is a miss, rebuilt, and the guest runs.
tar=$(ls "$C"/*.tar | head -n 1)
for f in "$C"/*.tar; do
	head -c 1024 "$f" > "$T/ic.trunc" && cat "$T/ic.trunc" > "$f"
done
r1=$(cache_run "$G/hello" && grep -q '^PASS hello' "$T/ic.out" && said 'miss (the entry differs)' && said stored && echo rebuilt)
r2=$(cache_run "$G/hello" && grep -q '^PASS hello' "$T/ic.out" && said hit && echo hit)
if [ "$r1 $r2" = "rebuilt hit" ]; then
	ok "image cache: a truncated cache file is a miss, rebuilt and replaced; the guest runs"
else
	not_ok "image cache: truncated cache file: '$r1 $r2'"
	sed 's/^/#   /' "$T/ic.err" | head -n 10
fi
# A cached image someone holds open for writing: the kernel refuses the
# file (ETXTBSY) and the launcher copies it instead.
htar=$(sed -n 's/.*root image cache: hit \(.*\.tar\)$/\1/p' "$T/ic.err")
exec 7>> "$htar"
r=$(cache_run "$G/hello" && grep -q '^PASS hello' "$T/ic.out" && said hit &&
    grep -q 'open for writing: the root image is copied' "$T/ic.err" && echo copied)
exec 7>&-
if [ "$r" = copied ]; then
	ok "image cache: a cached image open for writing elsewhere is copied instead (ETXTBSY fallback)"
else
	not_ok "image cache: ETXTBSY fallback: $(tr '\n' '|' < "$T/ic.err")"
fi
# Two launchers racing on one new key: both run.
rm -rf "$C"
LBX_CACHE_DIR=$C lbx-launch "$G/hello" > "$T/ic.a" 2>&1 &
pa=$!
LBX_CACHE_DIR=$C lbx-launch "$G/hello" > "$T/ic.b" 2>&1
sb=$?
wait $pa
sa=$?
if [ $sa = 0 ] && [ $sb = 0 ] && grep -q '^PASS hello' "$T/ic.a" && grep -q '^PASS hello' "$T/ic.b" &&
   cache_run "$G/hello" && said hit; then
	ok "image cache: two launchers storing one key at once both run; the next start hits"
else
	not_ok "image cache: racing stores: status $sa and $sb; $(tail -n 2 "$T/ic.a" "$T/ic.b" | tr '\n' '|')"
fi
# A directory others may write to is not used, and the guest still runs.
chmod 0777 "$C"
if cache_run "$G/hello" && grep -q '^PASS hello' "$T/ic.out" &&
   said "$C not used: others may write to it (mode 0777)" && ! said hit && ! said stored; then
	ok "image cache: a directory others may write to is not used"
else
	not_ok "image cache: mode 0777 directory: $(tr '\n' '|' < "$T/ic.err")"
fi
chmod 0700 "$C"
# python3's root (its standard library, over 60 MB): stored, then a hit.
if [ -x /usr/bin/python3 ]; then
	r1=$(cache_run /usr/bin/python3 -c 'print(6*7)' && [ "$(cat "$T/ic.out")" = 42 ] && said stored && echo stored)
	r2=$(cache_run /usr/bin/python3 -c 'print(6*7)' && [ "$(cat "$T/ic.out")" = 42 ] && said hit && echo hit)
	if [ "$r1 $r2" = "stored hit" ]; then
		ok "image cache: python3 -c 'print(6*7)' gives 42 when its root is stored and when it hits"
	else
		not_ok "image cache: python3: '$r1 $r2'; $(tail -n 3 "$T/ic.err" | tr '\n' '|')"
	fi
else
	echo "# python3 is not in this VM: its image cache test is not run"
fi
rm -rf "$C" "$T/icbin"

# Signals sent to the launcher are the guest's: default action, and a handler.
lbx-launch "$G/args_env" sleep 30 > "$T/term.out" 2>&1 &
pid=$!
wait_for sleeping "$T/term.out"
kill -TERM $pid
wait $pid
st=$?
if [ "$st" = 143 ]; then
	ok "SIGTERM to lbx-launch ends the guest by its default action (status 143)"
else
	not_ok "SIGTERM to lbx-launch: status $st, expected 143"
fi
lbx-launch /bin/busybox sh -c 'trap "echo got INT; exit 7" INT; echo ready; while :; do /bin/busybox sleep 1; done' > "$T/int.out" 2>&1 &
pid=$!
wait_for ready "$T/int.out"
kill -INT $pid
wait $pid
st=$?
if [ "$st" = 7 ] && grep -q "got INT" "$T/int.out"; then
	ok "SIGINT to lbx-launch runs the guest's handler"
else
	not_ok "SIGINT to lbx-launch: status $st, output: $(cat "$T/int.out")"
fi

# Host signals that are nothing to the guest (SIGWINCH, ignored by default)
# interrupt a sigsuspend's host wait: it must wait on with the caller's mask
# kept, and return only after the SIGUSR1 handler (natively first).
sigsuspend_host() {
	: > "$T/susp.out"	# the previous mode's "suspending" must not count
	"$@" "$G/mp_sigsuspend" host > "$T/susp.out" 2>&1 &
	pid=$!
	wait_for suspending "$T/susp.out"
	for i in 1 2 3; do
		kill -WINCH $pid
		sleep 0.2
	done
	kill -USR1 $pid
	wait $pid
}
for mode in native rewritten no-rewrite; do
	case $mode in
	native) sigsuspend_host env ;;
	rewritten) sigsuspend_host lbx-launch ;;
	no-rewrite) sigsuspend_host lbx-launch --no-rewrite ;;
	esac
	st=$?
	if [ "$st" = 0 ] && grep -q '^PASS' "$T/susp.out"; then
		ok "sigsuspend interrupted by host signals keeps its mask ($mode)"
	else
		not_ok "sigsuspend and host signals ($mode): status $st"
		sed 's/^/#   /' "$T/susp.out" | head -n 10
	fi
done

# --- job control (docs/jobctl.md) ---
# A guest shell stops, continues and kills a background job.
t0=$(date +%s)
out=$(timeout 30 lbx-launch /bin/busybox sh -c 'sleep 100 & p=$!; kill -STOP $p; kill -CONT $p; kill $p; wait $p; echo "status $?"' 2>&1)
t1=$(date +%s)
if echo "$out" | grep -qx "status 143" && [ $((t1 - t0)) -lt 10 ]; then
	ok "busybox sh: a background job stopped, continued and killed (status 143)"
else
	not_ok "busybox sh job control ($((t1 - t0)) s): $out"
fi
# Host CPU time (utime + stime, ticks) of every thread of host process $1.
cputicks() { cat /proc/$1/task/*/stat 2>/dev/null | awk '{ t += $14 + $15 } END { print t + 0 }'; }
# A guest that stops itself sleeps in the kernel; a host SIGCONT continues it.
lbx-launch /bin/busybox sh -c 'echo ready; kill -STOP $$; echo resumed' > "$T/stop.out" 2>&1 &
pid=$!
wait_for ready "$T/stop.out"
sleep 0.5
c0=$(cputicks $pid)
sleep 1
c1=$(cputicks $pid)
resumed_early=$(grep -c resumed "$T/stop.out")
kill -CONT $pid
wait $pid
st=$?
if [ "$resumed_early" = 0 ] && [ $((c1 - c0)) -le 2 ] && [ "$st" = 0 ] && grep -q resumed "$T/stop.out"; then
	ok "a stopped guest sleeps (CPU $((c1 - c0)) ticks in 1 s); SIGCONT to lbx-launch continues it"
else
	not_ok "self-stop: resumed early $resumed_early, CPU ticks $((c1 - c0)), status $st, output: $(cat "$T/stop.out" | tr '\n' '|')"
fi
# SIGTSTP to lbx-launch stops the guest (its default action), SIGCONT
# continues it; SIGKILL to the launcher of a stopped guest tears down.
lbx-launch /bin/busybox sh -c 'echo ready; while :; do echo tick; /bin/busybox sleep 0.1; done' > "$T/tstp.out" 2>&1 &
pid=$!
wait_for tick "$T/tstp.out"
kill -TSTP $pid
sleep 0.5
n0=$(grep -c tick "$T/tstp.out")
sleep 1
n1=$(grep -c tick "$T/tstp.out")
kill -CONT $pid
sleep 1
n2=$(grep -c tick "$T/tstp.out")
kill -TSTP $pid
sleep 0.5
busy=$(refcount)
kill -9 $pid
wait $pid 2>/dev/null
st=$?
if [ "$n0" = "$n1" ] && [ "$n2" -gt "$n1" ] && [ "$st" = 137 ] && [ "$(refcount)" = 0 ]; then
	ok "SIGTSTP/SIGCONT to lbx-launch stop and continue the guest; SIGKILL while stopped tears down (refcount $busy -> 0)"
else
	not_ok "SIGTSTP: ticks $n0 -> $n1 stopped, $n2 continued; status $st; refcount $(refcount)"
fi

# execve from a non-leader thread: the other host threads are gone (the
# zombie leader aside), the guest goes on.
lbx-launch "$G/mp_exec_threads" exec-sleep > "$T/execth.out" 2>&1 &
pid=$!
wait_for image-sleep "$T/execth.out"
live=$(for f in /proc/$pid/task/*/stat; do awk '{ print $3 }' "$f"; done 2>/dev/null | grep -vc Z)
wait $pid
st=$?
if grep -q "image-sleep 1" "$T/execth.out" && [ "$live" = 1 ] && [ "$st" = 0 ]; then
	ok "execve from a thread: the new image runs as pid 1 on one live host thread"
else
	not_ok "execve from a thread: live host threads $live, status $st, output: $(cat "$T/execth.out" | tr '\n' '|')"
fi

# Threads that come and go: an exited thread's host task, record and stub
# block (256 KiB) are freed, so the launcher's address space stays flat
# over 2000 more threads (kB of VmSize at "warm" and at "done").
vmsize() { awk '/^VmSize:/ { print $2 }' /proc/$1/status 2>/dev/null; }
lbx-launch "$G/mp_thread_churn" host > "$T/churn.out" 2>&1 &
pid=$!
wait_for warm "$T/churn.out" 300
v0=$(vmsize $pid)
wait_for done "$T/churn.out" 1200
v1=$(vmsize $pid)
wait $pid
st=$?
if [ "$st" = 0 ] && grep -q '^PASS' "$T/churn.out" && [ -n "$v0" ] && [ -n "$v1" ] &&
   [ $((v1 - v0)) -lt 65536 ]; then
	ok "2000 threads come and go: the launcher's VmSize moved $((v1 - v0)) kB"
else
	not_ok "thread churn: status $st, VmSize $v0 -> $v1 kB, output: $(tail -n 3 "$T/churn.out" | tr '\n' '|')"
fi

slab() { sync; echo 3 > /proc/sys/vm/drop_caches; awk '/^Slab:/ { print $2 }' /proc/meminfo; }
i=0
while [ $i -lt 10 ]; do lbx-launch "$G/hello" > /dev/null 2>&1; i=$((i + 1)); done
before=$(slab)
i=0
fails=0
while [ $i -lt 200 ]; do
	lbx-launch "$G/hello" > /dev/null 2>&1 || fails=$((fails + 1))
	i=$((i + 1))
done
after=$(slab)
growth=$((after - before))
echo "# slab before ${before} kB, after 200 sandboxes ${after} kB, growth ${growth} kB"
# A debug kernel's KASAN quarantine keeps freed objects a while, so slab
# size there says little (kmemleak checks leaks instead): a looser bound.
slab_limit=${LBX_VM_SLAB_LIMIT_KB:-512}
if [ $fails -eq 0 ] && [ $growth -lt $slab_limit ] && [ "$(refcount)" = 0 ]; then
	ok "200 sandbox create/run/destroy cycles: no failures, slab growth ${growth} kB"
else
	not_ok "200 sandbox cycles: $fails failures, slab growth ${growth} kB (limit ${slab_limit}), refcount $(refcount)"
fi

# --- the ioctl contract (kselftest-style programs) ---
for p in "$V"/*; do
	[ -x "$p" ] || continue
	case ${p##*/} in *_guest|lbx-launch-*|udp_echo|net_peer|runas) continue ;; esac
	"$p" > "$T/vm.out" 2>&1
	rc=$?
	name=${p##*/}
	# These print TAP of their own: renumber into ours.
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "$name: ${line#ok * - }" ;;
		"not ok "*) not_ok "$name: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$T/vm.out"
	[ $rc -eq 0 ] || { not_ok "$name exited with status $rc"; tail -n 5 "$T/vm.out" | sed 's/^/#   /'; }
done

# --- setup errors: one line naming the problem, status 125 ---
setup_error() {	# label, expected text, command...
	label=$1 want=$2
	shift 2
	"$@" > "$T/setup.out" 2>&1
	st=$?
	if [ $st -eq 125 ] && [ "$(wc -l < "$T/setup.out")" -eq 1 ] && grep -q "$want" "$T/setup.out"; then
		ok "$label: status 125, \"$(cat "$T/setup.out")\""
	else
		not_ok "$label: status $st, output: $(cat "$T/setup.out")"
	fi
}
setup_error "ABI mismatch" "ABI mismatch: litebox.ko speaks 1\.[0-9]*, this lbx-launch 2\." \
	"$V/lbx-launch-abi2" "$G/hello"
if rmmod litebox 2> "$T/rmmod.err"; then
	setup_error "no module loaded" "/dev/litebox does not exist: is litebox.ko loaded?" \
		lbx-launch "$G/hello"
	mknod /dev/litebox c 1 3	# /dev/null's numbers: a device that is not LiteBox's
	setup_error "a /dev/litebox that is not LiteBox's" "does not answer the version query" \
		lbx-launch "$G/hello"
	rm -f /dev/litebox
	if insmod /lib/litebox/litebox.ko && lbx-launch "$G/hello" > /dev/null 2>&1; then
		ok "litebox.ko loads again and serves a guest"
	else
		not_ok "litebox.ko reload"
	fi
else
	not_ok "rmmod litebox for the no-module test: $(cat "$T/rmmod.err")"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
