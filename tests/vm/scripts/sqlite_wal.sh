# SPDX-License-Identifier: GPL-2.0
# Run by busybox sh, natively and in a sandbox (tests/vm/run-all.sh):
# sqlite3 in WAL mode on an on-disk database. Every connection maps the
# -shm file (the WAL index) MAP_SHARED read-write; here several processes
# use it one after the other and two at once (a reader while a writer's
# transaction is open). The output must be the same both ways. $1: a
# scratch directory.
dir=${1:-/tmp/lbx-wal}
db=$dir/wal.db
sq=/usr/bin/sqlite3
bb=/bin/busybox
$bb rm -rf "$dir"
$bb mkdir -p "$dir"
$sq "$db" "pragma journal_mode=WAL;
create table t(a integer primary key, b text);
insert into t(b) values ('x'), ('y'), ('z');
select count(*), group_concat(b) from t;"
$sq "$db" "pragma journal_mode; insert into t(b) values ('w'); select a, b from t where a > 2;"
# A writer holds a transaction open while another process reads.
(
	echo "begin; insert into t(b) values ('uncommitted'); select 'inserted';"
	while [ ! -f "$dir/go" ]; do $bb sleep 0.1; done
	echo "commit;"
) | $sq "$db" > "$dir/writer.out" &
i=0
until $bb grep -q inserted "$dir/writer.out" 2> /dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "the writer did not start"; break; }
	$bb sleep 0.1
done
$sq "$db" "select 'reader sees', count(*) from t;"
$bb touch "$dir/go"
wait
$bb cat "$dir/writer.out"
$sq "$db" "select 'after commit', count(*), group_concat(b) from t;
pragma wal_checkpoint(TRUNCATE); pragma integrity_check;"
$bb rm -rf "$dir"
