#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-serve never answers in the clear when kernel TLS cannot take the
# connection. The client (Python's ssl, i.e. OpenSSL) sends its Finished,
# an HTTP request for a canary file and its FIN in one segment (TLS 1.3
# allows data right behind Finished), so the socket is in CLOSE_WAIT
# before the tls ULP can attach. Before the fix the in-process server went
# on as if the kernel carried the socket and sent the canary with plain
# sendfile. In-process and with ktlsd, TLS 1.2 (FIN only) and 1.3 (request
# and FIN): the failure is logged by name and tcpdump never sees the canary.
#
#   halfclose_peer.py --Finished+GET+FIN--> ktls-serve [--ktlsd] --> canary.txt
#          '-- tcpdump -i lo (the canary must not appear) --'

. "$(dirname "$0")/serve.bash"
need_serve
need_cmd python3 tcpdump
command -v ktlsd >/dev/null || skip "ktlsd is not built"
setup_root

PEER=$KTLSKIT_REPO/selftests/lib/halfclose_peer.py
make_canary "$R/canary.txt"
start_web_ktlsd

# one_case MODE VERSION: one half-closing client against a fresh server
one_case()
{
	local mode=$1 ver=$2 what="$1, TLS $2" req=

	if [ "$mode" = daemon ]; then
		start_daemon_serve
	else
		start_serve
	fi
	start_capture "$PORT"
	[ "$ver" = 1.3 ] &&
		req='GET /canary.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'
	python3 "$PEER" client 127.0.0.1 "$PORT" --ca "$CA" --name localhost \
		--tls "$ver" ${req:+--data "$req"} > "$T/peer" 2>&1
	check "$what: the client half-closed with its last flight" \
		grep -q '^flight 2 sent with FIN' "$T/peer"
	check "$what: ktls-serve names the failure" \
		wait_line "$T/serve.err" 'peer-closed-early' 60
	stop_capture
	check "$what: no canary byte in the clear on the wire" \
		not grep -aq "$CANARY" "$T/wire.pcap"
	# the server is unharmed: a normal client gets the file
	curl -s --cacert "$CA" --tlsv"$ver" --tls-max "$ver" \
		"https://localhost:$PORT/canary.txt" -o "$T/got"
	check "$what: the next client gets the file intact" \
		same_hash "$R/canary.txt" "$T/got"
	stop_serve
}

for ver in 1.2 1.3; do
	one_case in-process "$ver"
	one_case daemon "$ver"
done
finish
