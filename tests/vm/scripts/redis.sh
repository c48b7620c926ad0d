# SPDX-License-Identifier: GPL-2.0
# Run by busybox sh, natively and in a sandbox (tests/vm/run-all.sh): a
# redis-server on loopback driven by redis-cli, then a clean SHUTDOWN. The
# output must be the same both ways. $1: the port.
port=${1:-6390}
cli() { /usr/bin/redis-cli -p "$port" "$@"; }
/usr/bin/redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir /tmp --daemonize no --logfile /tmp/redis-"$port".log &
srv=$!
i=0
until cli PING > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "redis-server did not answer"; break; }
	/bin/busybox sleep 0.1
done
cli PING
cli SET greeting "hello from redis"
cli GET greeting
cli INCR counter
cli INCRBY counter 41
cli LPUSH list a b c
cli RPUSH list z
cli LRANGE list 0 -1
cli LLEN list
cli EXISTS greeting nothing
cli DEL greeting
cli GET greeting
cli DBSIZE
cli SHUTDOWN
wait $srv
echo "redis-server exited with status $?"
/bin/busybox grep -c "ready to exit, bye bye" /tmp/redis-"$port".log
