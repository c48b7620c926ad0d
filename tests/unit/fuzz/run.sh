#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the file-system fuzzers with clang (libFuzzer + ASan + UBSan) into
# build/fuzz/ and runs each for a bounded time (seconds, default 20) on a
# copy of its seed corpus. Exits nonzero when a fuzzer finds a crash.
#   tests/unit/fuzz/run.sh [seconds]
set -euo pipefail

secs=${1:-20}
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/build/fuzz
cc=${CLANG:-clang}
cd "$root"
mkdir -p "$out"

srcs=(core/fs/*.c core/lib/*.c platforms/linux_userland/platform.c)
flags=(-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -fno-omit-frame-pointer
       -Icore/include -Iplatforms/linux_userland/include -Iplatforms/linux_userland)

status=0
for t in tar path; do
	echo "fuzz: building fuzz_$t"
	"$cc" "${flags[@]}" "tests/unit/fuzz/fuzz_$t.c" "${srcs[@]}" -o "$out/fuzz_$t"
	corpus=$out/corpus_$t
	mkdir -p "$corpus"
	cp -n tests/unit/fuzz/corpus_$t/* "$corpus/" 2>/dev/null || true
	echo "fuzz: running fuzz_$t for ${secs}s"
	if ! "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crash_${t}_" "$corpus" >"$out/fuzz_$t.log" 2>&1; then
		echo "fuzz: fuzz_$t FAILED (see $out/fuzz_$t.log)"
		tail -n 30 "$out/fuzz_$t.log"
		status=1
	else
		echo "fuzz: fuzz_$t ok ($(grep -c . "$out/fuzz_$t.log") log lines)"
	fi
done
exit $status
