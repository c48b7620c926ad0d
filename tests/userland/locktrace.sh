#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/userland/locktrace.sh BUILD_DIR: the lock-tracing build option
# (make LBX_LOCKTRACE=1) in userland. Builds lbx-run with it (in
# BUILD_DIR/locktrace), runs a guest with LBX_LOCKTRACE=FILE and checks the
# JSON lines; checks that the default build has none of it. Prints TAP.
set -uo pipefail
B=${1:?usage: locktrace.sh BUILD_DIR}
cd "$(dirname "$0")/../.."
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if nm "$B/bin/lbx-run" 2>/dev/null | grep -q lbx_locktrace_mutex_lock; then
	not_ok "the default lbx-run has no lock tracing"
else
	ok "the default lbx-run has no lock tracing"
fi
LBX_LOCKTRACE=$T/default.jsonl "$B/bin/lbx-run" "$B/guest/hello" > /dev/null 2>&1
if [ ! -e "$T/default.jsonl" ]; then
	ok "the default lbx-run writes no lock trace"
else
	not_ok "the default lbx-run writes no lock trace"
fi

if ! make -s LBX_LOCKTRACE=1 O="$B" "$B/locktrace/bin/lbx-run" > "$T/build.log" 2>&1; then
	not_ok "make LBX_LOCKTRACE=1 builds lbx-run"
	sed 's/^/#   /' "$T/build.log" | tail -n 20
	exit 1
fi
ok "make LBX_LOCKTRACE=1 builds lbx-run"
if LBX_LOCKTRACE=$T/trace.jsonl "$B/locktrace/bin/lbx-run" "$B/guest/hello" > "$T/out" 2>&1 &&
   grep -q '^PASS hello' "$T/out"; then
	ok "hello passes under the lock-tracing lbx-run"
else
	not_ok "hello passes under the lock-tracing lbx-run"
fi
if python3 - "$T/trace.jsonl" > "$T/check" 2>&1 <<'PY'
import collections, json, sys
held = collections.Counter()
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["ev"] in ("contend", "acquire", "release"), e
    assert e["kind"] in ("mutex", "spin"), e
    assert e["site"].startswith(("core/", "shims/")) and ":" in e["site"], e
    if e["ev"] == "acquire":
        held[(e["tid"], e["lock"])] += 1
    elif e["ev"] == "release":
        held[(e["tid"], e["lock"])] -= 1
        assert held[(e["tid"], e["lock"])] >= 0, "release without acquire: %s" % e
    n += 1
assert n >= 10, "only %d events" % n
left = [k for k, v in held.items() if v]
assert not left, "still held at exit: %s" % left
print("%d events" % n)
PY
then
	ok "lock trace: valid JSON lines, every acquire released ($(cat "$T/check"))"
else
	not_ok "lock trace: valid JSON lines, every acquire released"
	sed 's/^/#   /' "$T/check" | tail -n 5
fi
