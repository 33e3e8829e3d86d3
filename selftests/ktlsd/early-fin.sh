#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Never cleartext after a "successful" handshake. The peer (Python's ssl,
# i.e. OpenSSL) sends its last handshake flight and its FIN in one segment,
# as one injected FIN from an on-path attacker would make it look. The tls
# ULP attaches only to an ESTABLISHED socket, so kernel TLS cannot take the
# connection: ktlsd must fail the request by name and the application's
# data must never cross the wire. Both roles, TLS 1.2 and 1.3; tcpdump
# records the loopback traffic and the canary the application would send
# must not be in it.
#
#   halfclose_peer.py --TCP (flight+FIN)-- ktlsd-client --fd--> ktlsd
#            ^                                  | --send canary (must not leave)
#            '-- tcpdump -i lo ------------------'

. "$(dirname "$0")/lib.bash"
need_cmd python3 tcpdump
ktlsd_setup
write_conf
start_ktlsd

PEER=$KTLSKIT_REPO/selftests/lib/halfclose_peer.py
make_canary "$T/canary"

# check ROLE VERSION: the request failed by name, nothing in the clear
check()
{
	local what="ktlsd as $1, TLS $2"

	wait $APP && fail "$what: the application got a socket: $(cat "$T/app")"
	expect_line "$T/app" \
		'^error status=-[0-9]+ reason=peer-closed-early: the peer closed its side .* nothing is sent in the clear' \
		"$what: application's reason"
	expect_line "$T/ktlsd.log" \
		"handshake peer=.* role=$1 result=peer-closed-early" \
		"$what: ktlsd's log line"
	wait $PEER_PID
	grep -q "^flight [0-9] sent with FIN" "$T/peer" ||
		fail "$what: the peer did not half-close: $(cat "$T/peer")"
	grep -q "^handshake done" "$T/peer" ||
		fail "$what: the peer's handshake did not finish: $(cat "$T/peer")"
	stop_capture
	grep -aq "$CANARY" "$T/wire.pcap" &&
		fail "$what: the application's data crossed the wire in clear"
	pass "$what: FIN with the last flight refused by name, no cleartext on the wire"
}

for ver in 1.2 1.3; do
	# ktlsd as server: the client's Finished comes with its FIN
	port=$(free_port)
	start_capture "$port"
	"$CLIENT" --send "$T/canary" accept "$port" > "$T/app" 2>&1 &
	APP=$!
	track $APP
	wait_port "$port"
	python3 "$PEER" client 127.0.0.1 "$port" --ca "$P/root.crt" \
		--name server.test --tls "$ver" > "$T/peer" 2>&1 &
	PEER_PID=$!
	track $PEER_PID
	check server "$ver"

	# ktlsd as client: the server's last flight comes with its FIN
	port=$(free_port)
	start_capture "$port"
	python3 "$PEER" server "$port" --cert "$P/server-ec.chain.pem" \
		--key "$P/server-ec.key" --tls "$ver" > "$T/peer" 2>&1 &
	PEER_PID=$!
	track $PEER_PID
	wait_line "$T/peer" '^listening' 60 || fail "peer: $(cat "$T/peer")"
	"$CLIENT" --send "$T/canary" connect "127.0.0.1:$port" \
		> "$T/app" 2>&1 &
	APP=$!
	track $APP
	check client "$ver"
done

# the daemon is still fine: a normal handshake pair works
"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "pairs after the refusals: $(cat "$T/app")"
pass "ktlsd serves normal handshakes afterwards"
ktlsd_alive
echo "$CHECKS checks passed"
