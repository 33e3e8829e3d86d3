#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Many handshakes at once through one daemon: N loopback TCP pairs, both
# ends handed to ktlsd together (2N handshakes submitted before any
# completes, through the non-blocking submit/poll/complete calls), then
# data both ways on every pair. The daemon's descriptor count must come
# back to its idle level. Then back-pressure: with max_handshakes and
# max_per_uid low, requests queue; with no queue they are refused with a
# reason.
#
#   ktlsd-client pairs N --2N fds--> ktlsd (workers, epoll, one per CPU)
#
# ktlskit-timeout: 900

. "$(dirname "$0")/lib.bash"
ktlsd_setup
# 100 pairs (200 handshakes) in plain make check; 500 pairs, 1,000
# handshakes in flight at once, with FULL=1
N=${KTLSD_PAIRS:-$([ -n "${KTLSKIT_FULL:-}" ] && echo 500 || echo 100)}
# the client holds both ends of every pair
ulimit -n 4096
write_conf "handshake_timeout = 120s" "max_timeout = 300s"
start_ktlsd
idle_fds
tx0=$(tls_stat TlsTxSw)

start=$(date +%s.%N)
"$CLIENT" --timeout 300000 pairs "$N" > "$T/app" 2>&1 ||
	fail "$N pairs: $(tail -5 "$T/app")"
end=$(date +%s.%N)
expect_line "$T/app" "^pairs ok=$N failed=0" "$N pairs"
secs=$(echo "$end - $start" | bc)
rate=$(echo "scale=1; 2 * $N / $secs" | bc)
[ $(($(tls_stat TlsTxSw) - tx0)) -ge $((2 * N)) ] ||
	fail "tls_stat TlsTxSw rose by less than $((2 * N))"
pass "$((2 * N)) concurrent handshakes through ktlsd in ${secs:0:5} s ($rate/s under this kernel's emulation), data both ways on each"
same_fds
ktlsd --stats -s "$SOCK" > "$T/stats" || fail "stats"
expect_line "$T/stats" '^ktlsd_in_flight 0$' "in flight after"
expect_line "$T/stats" "^ktlsd_handshakes_total\\{result=\"ok\"\\} $((2 * N + 2))\$" "ok count"
pass "stats: in flight 0, $((2 * N + 2)) handshakes ok"

# back-pressure: 2 slots and a queue of 4 for 20 handshakes at once
kill $KTLSD_PID; wait $KTLSD_PID 2>/dev/null
write_conf "max_handshakes = 2" "queue = 4" "queue_timeout = 120s"
start_ktlsd
"$CLIENT" pairs 10 > "$T/app" 2>&1 && fail "every handshake passed a full queue"
busy=$(grep -c 'reason=busy: ktlsd runs max_handshakes = 2 handshakes and the queue is full' "$T/app")
[ "$busy" -ge 1 ] || fail "no busy refusal: $(head -5 "$T/app")"
pass "max_handshakes = 2, queue = 4: $busy of 20 refused with reason busy"

kill $KTLSD_PID; wait $KTLSD_PID 2>/dev/null
# one worker, so the queue is served in the order the pairs were submitted:
# with two slots, both ends of a pair must run together
write_conf "workers = 1" "max_handshakes = 2" "queue = 100" \
	"queue_timeout = 300s" "handshake_timeout = 60s"
start_ktlsd
"$CLIENT" pairs 10 > "$T/app" 2>&1 || fail "queued: $(head -5 "$T/app")"
pass "max_handshakes = 2, queue = 100: all 20 queued and served in turn"

kill $KTLSD_PID; wait $KTLSD_PID 2>/dev/null
write_conf "max_per_uid = 3" "queue = 0"
start_ktlsd
"$CLIENT" pairs 10 > "$T/app" 2>&1 && fail "max_per_uid not enforced"
expect_line "$T/app" 'reason=busy: uid 0 already has max_per_uid = 3 handshakes in flight' \
	"per-uid limit"
pass "max_per_uid = 3 without queue: refused with reason busy"
