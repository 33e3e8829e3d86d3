#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Key logging only when asked for: ktls-cat connect --keylog FILE writes
# the TLS 1.2 NSS key log line, which must equal the one OpenSSL's server
# writes for the same connection (so the master secret is the real one),
# warns, keeps the file private, and the kernel still carries the data.
# TLS 1.3 with --keylog is refused with reason keylog-tls13.
#
#   ktls-cat connect --keylog F --> openssl s_server -keylogfile G

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl ss
need_cat
. "$(dirname "$0")/pki.bash"

TMO=${TMO:-40}
leaf srv srv.test

# peer VERSION: s_server with its own key log, ktls-cat connect to it
peer() {
	rm -f "$T/ours" "$T/theirs"
	next_port
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-cert "$Q/srv.crt" -key "$Q/srv.key" -keylogfile "$T/theirs" \
		> "$T/got" 2> "$T/peer.err" < <(sleep 8) &
	wait_listen "$PORT" || fail "s_server did not start"
	{ sleep 2; echo "secret $1"; } | timeout $TMO "$CAT" connect \
		"127.0.0.1:$PORT" --tls "$1" --sni srv.test --ca "$Q/ca.crt" \
		--keylog "$T/ours" --json > /dev/null 2> "$T/cat.log"
	stop_jobs
}

same_line() {
	local a b
	a=$(grep '^CLIENT_RANDOM ' "$T/ours")
	b=$(grep '^CLIENT_RANDOM ' "$T/theirs")
	[ -n "$a" ] && [ "$a" = "$b" ] && return 0
	echo "# ours: ${a:-none}; OpenSSL's: ${b:-none}"
	return 1
}

stats_begin
peer 1.2
CONNS=1
check "TLS 1.2: our CLIENT_RANDOM line equals OpenSSL's" same_line
check "TLS 1.2: warning printed" grep -q 'WARNING: TLS 1.2 master secret' "$T/cat.log"
check "TLS 1.2: key log is mode 0600" [ "$(stat -c %a "$T/ours")" = 600 ]
check "TLS 1.2: data went through the kernel" \
	eval 'kernel_both "$T/cat.log" && grep -qxF "secret 1.2" "$T/got"'
peer 1.3
check "TLS 1.3 with --keylog: refused, reason keylog-tls13" \
	grep -q '"reason":"keylog-tls13"' "$T/cat.log"
check "TLS 1.3: nothing logged" [ ! -s "$T/ours" ]
stats_check
finish
