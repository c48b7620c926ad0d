#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the fuzzers (the tar parser, the path walk, the syscall rewriter,
# the ELF loader)
# with clang (libFuzzer + ASan + UBSan) into build/fuzz/ and runs each for a
# bounded time (seconds, default 20) on a copy of its seed corpus. Prints a
# TAP line per fuzzer (make check counts them); exits nonzero when a fuzzer
# finds a crash.
#   tests/unit/fuzz/run.sh [seconds]
set -euo pipefail

secs=${1:-20}
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/build/fuzz
cc=${CLANG:-clang}
cd "$root"
mkdir -p "$out"

# lwIP (fetched by scripts/setup) is part of LiteBox's code.
lwip=$(ls -d third_party/lwip-*/src 2>/dev/null | head -n 1)
if [ -z "$lwip" ]; then
	echo "not ok 1 - fuzz: lwIP sources are missing (run scripts/setup)"
	exit 1
fi
srcs=(core/*/*.c shims/linux/*.c platforms/linux_userland/*.c
      "$lwip"/core/*.c "$lwip"/core/ipv4/*.c "$lwip"/core/ipv6/*.c)
flags=(-g -O1 -std=gnu11 -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -fno-omit-frame-pointer
       -Icore/include -Iuapi -Icore/net/lwip_port/include -I"$lwip"/include
       -Iplatforms/linux_userland/include -Iplatforms/linux_userland)

if ! command -v "$cc" > /dev/null; then
	echo "not ok 1 - fuzz: $cc is not installed (scripts/setup installs clang)"
	exit 1
fi
# LiteBox's code once (coverage-instrumented), then one link per fuzzer.
obj=$out/obj
# A changed header invalidates every object (no per-file dependencies here).
if [ -e "$obj/.stamp" ] && [ -n "$(find core shims platforms uapi -name '*.h' -newer "$obj/.stamp" | head -n 1)" ]; then
	rm -rf "$obj"
fi
mkdir -p "$obj"
echo "# fuzz: building LiteBox's code with $cc"
build_one() {
	local src=$1 o
	o="$obj/$(echo "$src" | tr / _).o"
	[ "$o" -nt "$src" ] && return 0
	"$cc" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$o"
}
fail=0
: > "$out/build_core.log"
for f in "${srcs[@]}"; do
	build_one "$f" >> "$out/build_core.log" 2>&1 &
	# two at a time
	[ "$(jobs -r | wc -l)" -lt 2 ] || wait -n || fail=1
done
while [ "$(jobs -r | wc -l)" -gt 0 ]; do wait -n || fail=1; done
for f in "${srcs[@]}"; do
	[ -e "$obj/$(echo "$f" | tr / _).o" ] || fail=1
done
[ $fail -ne 0 ] || touch "$obj/.stamp"
status=0 n=0
if [ $fail -ne 0 ]; then
	echo "not ok 1 - fuzz: LiteBox's code does not build with $cc"
	tail -n 20 "$out/build_core.log" | sed 's/^/#   /'
	echo "1..1"
	exit 1
fi
for t in tar path x86 elf; do
	n=$((n + 1))
	echo "# fuzz: building fuzz_$t"
	if ! "$cc" "${flags[@]}" -Ishims/linux -fsanitize=fuzzer "tests/unit/fuzz/fuzz_$t.c" "$obj"/*.o \
		-o "$out/fuzz_$t" > "$out/build_$t.log" 2>&1; then
		echo "not ok $n - fuzz_$t does not build"
		sed 's/^/#   /' "$out/build_$t.log" | tail -n 20
		status=1
		continue
	fi
	corpus=$out/corpus_$t
	mkdir -p "$corpus"
	cp -n tests/unit/fuzz/corpus_$t/* "$corpus/" 2>/dev/null || true
	if ! "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crash_${t}_" "$corpus" >"$out/fuzz_$t.log" 2>&1; then
		echo "not ok $n - fuzz_$t found a failure in ${secs}s (see $out/fuzz_$t.log)"
		tail -n 30 "$out/fuzz_$t.log" | sed 's/^/#   /'
		status=1
	else
		runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz_$t.log" | tail -n 1)
		echo "ok $n - fuzz_$t: ${secs}s, ${runs:-no summary}, no failure"
	fi
done
echo "1..$n"
exit $status
