#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One uid must not starve another in the queue. An attacker (uid 1000)
# runs handshakes against a peer that never answers; a victim (uid 0)
# must still be served while the attacker's requests are still held:
#  1. max_per_uid: the attacker has its handshakes in flight, and more
#     queued behind them;
#  2. round robin: the attacker fills every slot (max_handshakes) and
#     queues more; the victim gets one of the first slots to free, before
#     the attacker's older queued requests.
# Checks are on outcomes and order (what is still pending when the victim
# is done), never on durations. The per-uid caps on connections and kept
# sessions are ktlsd/fair-limits.
#
#   ktlsd-client as uid 1000 --Unix--> ktlsd <--Unix-- ktlsd-client (uid 0)
#        \--TCP--> silent listener (python3)     openssl s_server <--'
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
need_cmd setpriv python3 openssl
ktlsd_setup

ATTACKER=1000

# conf GLOBAL...: the standard configuration plus a client profile for
# the attacker
conf()
{
	write_conf "$@"
	cat >> "$CONF" <<EOC

[profile attacker]
role = client
ca = $P/root.crt
server_name = server.test
allow_uid = $ATTACKER
EOC
}

# A TCP listener that accepts and never says a word.
SILENT=$(free_port)
python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept())' "$SILENT" &
track $!
wait_port "$SILENT"

# attack N: N more client handshakes as the attacker against the silent
# peer
ATTACK_PIDS=
attack()
{
	local i
	for ((i = 0; i < $1; i++)); do
		setpriv --reuid=$ATTACKER --regid=$ATTACKER --clear-groups \
			"$CLIENT" --profile attacker connect "127.0.0.1:$SILENT" \
			> /dev/null 2>&1 &
		ATTACK_PIDS="$ATTACK_PIDS $!"
		track $!
	done
}

attack_alive()
{
	local p n=0
	for p in $ATTACK_PIDS; do
		kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}

victim()
{
	rev_server
	timeout 60 "$CLIENT" connect "127.0.0.1:$SERVER" > "$T/victim" 2>&1 ||
		fail "victim: $(cat "$T/victim")"
	grep -q '^ok ' "$T/victim" || fail "victim: $(cat "$T/victim")"
}

# The attacker's handshakes only end when the test ends them: a victim
# that waits for them gives up (timeout 60) and the test fails.
# 1. max_per_uid = 2: two stalled in flight, two more queued
conf "max_per_uid = 2" "handshake_timeout = 300s" "max_timeout = 300s" \
	"queue_timeout = 300s"
restart_ktlsd
attack 4
wait_stats '^ktlsd_in_flight 2$' '^ktlsd_queued 2$'
victim
ktlsd_stats
n=$(attack_alive)
[ "$n" = 4 ] && grep -q '^ktlsd_queued 2$' "$T/stats" ||
	fail "the victim was served only after the attacker's requests ended ($n of 4 left; $(grep -E '^ktlsd_(queued|in_flight)' "$T/stats"))"
pass "attacker at max_per_uid with 2 queued: victim served while all 4 wait"
kill $ATTACK_PIDS 2>/dev/null
wait $ATTACK_PIDS 2>/dev/null
ATTACK_PIDS=

# 2. every slot is the attacker's: one of the first two to free goes to
# the victim (least recently served), not both to the attacker's older
# queued requests. First come, first served would serve the victim only
# after all three; with round robin at least one of them (of the two the
# attacker gets, one takes the victim's slot when it is done) still waits.
conf "workers = 1" "max_handshakes = 2" "handshake_timeout = 300s" \
	"max_timeout = 300s" "queue_timeout = 300s"
restart_ktlsd
attack 1
wait_stats '^ktlsd_in_flight 1$'
attack 1
wait_stats '^ktlsd_in_flight 2$'
first_two=$ATTACK_PIDS
attack 3
wait_stats '^ktlsd_in_flight 2$' '^ktlsd_queued 3$'
rev_server
timeout 60 "$CLIENT" connect "127.0.0.1:$SERVER" > "$T/victim" 2>&1 &
vpid=$!
wait_stats '^ktlsd_queued 4$'
# the two in flight give up: their slots free at once
kill $first_two
wait $vpid || fail "victim: $(cat "$T/victim")"
ktlsd_stats
grep -Eq '^ktlsd_queued [1-3]$' "$T/stats" ||
	fail "the victim waited behind the attacker's queue: $(grep -E '^ktlsd_(queued|in_flight)' "$T/stats")"
pass "all slots taken: the victim was served with $(sed -n 's/^ktlsd_queued //p' "$T/stats") of the attacker's older requests still queued"
kill $ATTACK_PIDS 2>/dev/null
wait $ATTACK_PIDS 2>/dev/null
ATTACK_PIDS=
