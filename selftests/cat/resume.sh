#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TLS 1.3 tickets from an OpenSSL server arrive after the switch to kTLS:
# ktls-cat consumes them (libktls feeds them to wolfSSL) and its second
# connection resumes.
#
#   ktls-cat connect --count 2 --(kTLS)--> openssl s_server -naccept 2

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl ss
need_cat
setup_pki

TMO=${TMO:-60}
next_port
timeout $TMO openssl s_server -accept "$PORT" -naccept 2 -quiet -tls1_3 \
	-cert "$P/server.pem" -key "$P/server.key" > /dev/null \
	2>"$T/peer.err" < <(sleep 300) &
wait_listen "$PORT"
timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" --count 2 \
	--no-stdin --json > /dev/null 2>"$T/cat.err"
cat_rc=$?
stop_jobs
cat "$T/cat.err" | sed 's/^/# /'

first_full() {
	[ "$cat_rc" -eq 0 ] &&
		grep '"event":"info"' "$T/cat.err" | head -1 | grep -q '"resumed":false'
}
second_resumed() {
	grep '"event":"info"' "$T/cat.err" | sed -n 2p | grep -q '"resumed":true'
}
check "first connection: full handshake, tickets consumed" first_full
check "second connection resumed with the ticket" second_resumed
finish
