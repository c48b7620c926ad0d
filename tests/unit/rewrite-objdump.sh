#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rewriter against a disassembler and against real programs (TAP):
#   - the decoder's instruction boundaries (lbx-rewrite --list) equal
#     objdump's over the executable sections of real binaries;
#   - a static guest test rewritten ahead of time (lbx-rewrite -o) still
#     disassembles without "(bad)", runs natively, and runs under lbx-run.
# Usage: tests/unit/rewrite-objdump.sh BUILD_DIR
set -u
B=${1:-build}
RW=$B/bin/lbx-rewrite
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

echo "TAP version 13"
for bin in /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-musl/libc.so \
	/usr/bin/busybox "$B/bin/lbx-run"; do
	if [ ! -r "$bin" ]; then
		notok "decoder vs objdump: $bin is missing"
		continue
	fi
	"$RW" --list "$bin" | awk '{ print $1 }' | sort -u > "$T/ours"
	# objdump shows fwait (9b) and the x87 instruction after it as one
	# (fstcw = fwait; fnstcw): the CPU, and our decoder, see two.
	objdump -d --no-show-raw-insn -w "$bin" |
		awk -F'\t' -v fw="$T/fwait" '/^ +[0-9a-f]+:\t/ {
			a = $1; gsub(/[ :]/, "", a); print a
			split($2, m, " ")
			if (m[1] ~ /^(fstcw|fstsw|fstenv|finit|fclex|fsave)$/)
				print a > fw
		}' > "$T/objdump.raw"
	touch "$T/fwait"
	while read -r a; do printf '%x\n' $((16#$a + 1)); done < "$T/fwait" >> "$T/objdump.raw"
	rm -f "$T/fwait"
	sort -u "$T/objdump.raw" > "$T/objdump"
	total=$(wc -l < "$T/objdump")
	diff=$(comm -3 "$T/ours" "$T/objdump" | wc -l)
	if [ "$total" -gt 10000 ] && [ "$diff" -eq 0 ]; then
		ok "decoder vs objdump: $bin, $total instructions, same boundaries"
	else
		notok "decoder vs objdump: $bin: $diff of $total boundaries differ"
		comm -3 "$T/ours" "$T/objdump" | head -n 5 | sed 's/^/#   /'
	fi
done

for g in time signals; do
	src=$B/guest/$g
	out=$T/$g.rw
	if ! "$RW" "$src" -o "$out" 2> "$T/rw.err"; then
		notok "lbx-rewrite $g"; sed 's/^/#   /' "$T/rw.err"; continue
	fi
	sites=$("$RW" --stats "$src" | awk '/^syscall sites/ { print $3 }')
	left=$("$RW" --stats "$out" | awk '/^syscall sites/ { print $3 }')
	if [ "$sites" -gt 0 ] && [ "$left" -lt "$sites" ]; then
		ok "lbx-rewrite $g: $sites syscall sites in the input, $left left in the text"
	else
		notok "lbx-rewrite $g: $sites sites before, $left after"
	fi
	bad=$(objdump -d "$out" | grep -c '(bad)')
	[ "$bad" -eq 0 ] && ok "objdump of rewritten $g: no (bad)" ||
		notok "objdump of rewritten $g: $bad (bad) instructions"
	if timeout 60 "$out" > "$T/native.log" 2>&1 && grep -q "^PASS $g" "$T/native.log"; then
		ok "rewritten $g runs natively (through its trampolines' syscalls)"
	else
		notok "rewritten $g natively"; tail -n 5 "$T/native.log" | sed 's/^/#   /'
	fi
	if timeout 60 "$B/bin/lbx-run" "$out" > "$T/run.log" 2>&1 && grep -q "^PASS $g" "$T/run.log"; then
		ok "rewritten $g runs under lbx-run"
	else
		notok "rewritten $g under lbx-run"; tail -n 5 "$T/run.log" | sed 's/^/#   /'
	fi
done
echo "1..$n"
