#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SIGTERM: ktlsd stops accepting at once, lets handshakes in flight finish
# until drain_timeout, fails what is left with a reason, and exits 0. After
# SIGKILL, applications get a clear error, and a restarted daemon serves.
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
ktlsd_setup
write_conf "drain_timeout = 6s" "handshake_timeout = 60s"
start_ktlsd
"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "pairs: $(cat "$T/app")"

# one_request OUT: a handshake request for a silent TCP peer
one_request()
{
	local port pid rc
	port=$(free_port)
	"$CLIENT" accept "$port" > "$1" 2>&1 &
	pid=$!
	wait_port "$port"
	exec 4<>"/dev/tcp/127.0.0.1/$port"
	wait $pid
	rc=$?
	exec 4>&- 4<&-
	return $rc
}

# a stalled handshake and a batch of good ones in flight at SIGTERM
port=$(free_port)
"$CLIENT" accept "$port" > "$T/stalled" 2>&1 &
stalled=$!
wait_port "$port"
exec 3<>"/dev/tcp/127.0.0.1/$port"
"$CLIENT" pairs 4 > "$T/batch" 2>&1 &
batch=$!
# the signal comes once the batch has handshakes under way too
busy()
{
	ktlsd_stats
	grep -Eq '^ktlsd_in_flight ([2-9]|[1-9][0-9])$' "$T/stats" ||
		! kill -0 $batch 2>/dev/null
}
wait_until 60 busy || fail "the batch never got under way"
start=$(date +%s.%N)
kill -TERM $KTLSD_PID
# draining: the socket is gone, new clients see "not running"
sock_gone()
{
	[ ! -e "$SOCK" ]
}
wait_until 60 sock_gone || fail "ktlsd still has its socket after SIGTERM"
one_request "$T/late" && fail "a new request was taken while draining"
expect_line "$T/late" 'ktlsd is not running' "request while draining"
pass "no new requests once SIGTERM arrived: $(head -1 "$T/late" | cut -d: -f2-)"
wait $batch || fail "handshakes in flight at SIGTERM: $(cat "$T/batch")"
pass "8 handshakes in flight at SIGTERM finished"
wait $stalled && fail "stalled handshake succeeded"
expect_line "$T/stalled" 'reason=shutdown: ktlsd stopped before the handshake finished' \
	"stalled at SIGTERM"
wait $KTLSD_PID
rc=$?
end=$(date +%s.%N)
exec 3>&- 3<&-
[ $rc = 0 ] || fail "ktlsd exited $rc after SIGTERM"
[ -e "$SOCK" ] && fail "socket left behind"
pass "stalled handshake failed with reason shutdown; ktlsd exited 0 after $(echo "$end - $start" | bc | cut -c1-4) s (drain_timeout 6 s)"

start_ktlsd
kill -9 $KTLSD_PID
wait $KTLSD_PID 2>/dev/null
one_request "$T/app" && fail "request succeeded with ktlsd killed"
expect_line "$T/app" 'ktlsd is not running' "after SIGKILL"
pass "after SIGKILL: $(head -1 "$T/app" | cut -d: -f2-)"
start_ktlsd
"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "after restart: $(cat "$T/app")"
pass "restarted over the stale socket, serves again"
