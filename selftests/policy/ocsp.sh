#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# OCSP stapling, both ways, against OpenSSL, TLS 1.2 and 1.3; responses
# made at test time by `openssl ocsp` from the test CA's database.
#
#   openssl s_client -status --> ktls-cat listen --ocsp-response good.ocsp
#   ktls-cat connect --require-ocsp --> openssl s_server -status_file F
#       F = good.ocsp: passes, kernel carries the records
#       F = bad.ocsp (revoked):              reason revoked
#       no -status_file:                     reason ocsp-missing
#       F = bad.ocsp for the good cert:      reason ocsp-invalid
#   ktls-cat connect --require-ocsp --> ktls-cat listen --ocsp-response

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl ss
need_cat
. "$(dirname "$0")/pki.bash"

TMO=${TMO:-40}
leaf good good.test
leaf bad bad.test
revoke bad
ocsp_response good
ocsp_response bad

# reason_is LOG NAME: ktls-cat's JSON error has that reason (or, for
# "none", the handshake passed and the kernel carries both directions)
reason_is() {
	if [ "$2" = none ]; then
		grep -q '"event":"info"' "$1" && kernel_both "$1" && return 0
	else
		grep -q "\"reason\":\"$2\"" "$1" && return 0
	fi
	echo "# wanted $2: $(grep -h '"event"' "$1" | head -2)"
	return 1
}

stapled_good() {
	grep -q "OCSP Response Status: successful" "$T/sc.out" &&
		grep -q "Cert Status: good" "$T/sc.out" &&
		grep -qxF "ping $1" "$T/sc.out" && return 0
	echo "# s_client: $(grep -a 'OCSP\|Cert Status\|ping' "$T/sc.out" | head -4)"
	return 1
}

stats_begin
for ver in 1.2 1.3; do
	next_port
	echo "ping $ver" > "$T/ping"
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --tls $ver \
		--cert "$Q/good.crt" --key "$Q/good.key" --ca "$Q/ca.crt" \
		--ocsp-response "$Q/good.ocsp" --json < "$T/ping" \
		> /dev/null 2> "$T/cat.log" &
	wait_listen "$PORT" || fail "ktls-cat did not listen: $(cat "$T/cat.log")"
	# s_client ends at ktls-cat's close_notify after the line; its input
	# stays open until ktls-cat is done (an early end would close it)
	cat_ended "$T/cat.log" $TMO | timeout $TMO openssl s_client \
		-connect "127.0.0.1:$PORT" \
		-status -CAfile "$Q/ca.crt" -verify_return_error \
		> "$T/sc.out" 2>&1
	wait
	CONNS=$((CONNS + 1))
	check "TLS $ver: s_client -status sees our staple, status good" \
		stapled_good "$ver"
	check "TLS $ver: staple server carried by the kernel" \
		reason_is "$T/cat.log" none

	for c in good:good.ocsp:none bad:bad.ocsp:revoked good:-:ocsp-missing \
		 good:bad.ocsp:ocsp-invalid; do
		IFS=: read -r leafn resp want <<< "$c"
		sf=()
		[ "$resp" != - ] && sf=(-status_file "$Q/$resp")
		next_port
		: > "$T/cat.log"
		# s_server's input ends (and so would the connection) only
		# once ktls-cat is done; ktls-cat reads its own only after
		# the handshake, so an empty one is no race
		timeout $TMO openssl s_server -accept "$PORT" -naccept 1 \
			-quiet -cert "$Q/$leafn.crt" -key "$Q/$leafn.key" \
			"${sf[@]}" > /dev/null 2> "$T/peer.err" \
			< <(cat_ended "$T/cat.log" $TMO) &
		wait_listen "$PORT" || fail "s_server did not start"
		timeout $TMO "$CAT" connect "127.0.0.1:$PORT" \
			--tls $ver --sni "$leafn.test" --ca "$Q/ca.crt" \
			--require-ocsp --json > /dev/null 2> "$T/cat.log" \
			< /dev/null
		stop_jobs
		[ "$want" = none ] && CONNS=$((CONNS + 1))
		check "TLS $ver --require-ocsp, $leafn cert, staple $resp: $want" \
			reason_is "$T/cat.log" "$want"
	done

	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --tls $ver \
		--cert "$Q/good.crt" --key "$Q/good.key" --ca "$Q/ca.crt" \
		--ocsp-response "$Q/good.ocsp" --no-stdin --json \
		> /dev/null 2> "$T/srv.log" &
	wait_listen "$PORT" || fail "ktls-cat did not listen"
	timeout $TMO "$CAT" connect "127.0.0.1:$PORT" --sni good.test \
		--ca "$Q/ca.crt" --require-ocsp --json > /dev/null \
		2> "$T/cat.log" < /dev/null
	wait
	CONNS=$((CONNS + 1))
	check "TLS $ver: libktls client requires, libktls server staples" \
		reason_is "$T/cat.log" none
done
stats_check
finish
