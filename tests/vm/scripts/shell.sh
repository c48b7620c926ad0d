#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# A busybox shell workload: the VM tests run it natively and under
# lbx-launch and compare the output byte for byte. Only busybox, only /tmp.
bb=/bin/busybox
w=/tmp/lbx-shell-work
$bb rm -rf $w
$bb mkdir -p $w/src/sub $w/out || exit 1
cd $w || exit 1

# redirections and files
echo alpha > src/a.txt
echo beta >> src/a.txt
printf 'gamma\ndelta\n' > src/sub/b.txt
$bb cat < src/a.txt
echo "lines: $($bb wc -l < src/a.txt)"
echo "to stderr" 1>&2 2>/dev/null
ls_out=$($bb ls src | $bb sort)
echo "ls: $ls_out"

# pipelines, loops, subshells, command substitution, exit statuses
for i in 3 1 2; do echo "n$i"; done | $bb sort
i=0
while [ $i -lt 5 ]; do i=$((i + 1)); done
echo "counted to $i"
(cd src/sub && echo "in $($bb basename $(pwd))"; exit 4)
echo "subshell status $?"
if $bb grep -q beta src/a.txt; then echo "grep found beta"; fi
$bb false || echo "false failed as it should"
x=$(echo nested $(echo deeper))
echo "$x"

# text tools
echo "one two three" | $bb awk '{ print $3, $1 }'
$bb sed -n 's/^a\(.*\)a$/A\1A/p' src/a.txt
$bb seq 1 200 | $bb awk '{ s += $1 } END { print "sum", s }'
$bb seq 1 1000 | $bb sort -rn | $bb head -n 3 | $bb tr '\n' ' '
echo

# find and tar round trip
$bb find src -type f | $bb sort
$bb tar -cf out/src.tar src
$bb mkdir out/x && cd out/x && $bb tar -xf ../src.tar && cd $w
$bb find out/x -type f | $bb sort
$bb cmp src/sub/b.txt out/x/src/sub/b.txt && echo "tar round trip ok"

# many short processes
n=0
for i in $($bb seq 1 30); do n=$(($n + $($bb expr $i % 3))); done
echo "expr total $n"

# rename, links, permissions
$bb mv src/a.txt src/renamed.txt
$bb ln -s renamed.txt src/link
$bb cat src/link | $bb head -n 1
$bb ln src/renamed.txt src/hard
$bb stat -c '%h %s' src/hard
$bb chmod 600 src/hard
$bb stat -c '%a' src/renamed.txt
$bb rm -rf $w
echo done
