#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TLS 1.3 KeyUpdate with the keys in the kernel.
#
#   openssl s_server ('k': update, 'K': update + request ours) --> ktls-cat
#   ktls-cat --rekey-every N (ours, requesting the peer's) --> s_server
#
# Linux 6.14+ can take new keys: data must flow across every update. Older
# kernels cannot: ktls-cat must stop by itself with the error naming the
# limitation, and close the connection (with a fatal internal_error when
# the peer can still read it).

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl ss
need_cat
setup_pki

TMO=${TMO:-90}
rekey_kernel() {
	local ma mi
	IFS=. read -r ma mi _ <<< "$(uname -r)"
	[ "$ma" -gt 6 ] || { [ "$ma" -eq 6 ] && [ "${mi%%[!0-9]*}" -ge 14 ]; }
}

# feed CMD: s_server's input, paced from the moment the client connected
feed() {
	local i

	for i in $(seq 300); do
		ss -Htn state established "sport = :$PORT" | grep -q . && break
		sleep 0.1
	done
	sleep 1; echo before; sleep 1; echo "$1"; sleep 1; echo after; sleep 8
}

# peer_update CMD: s_server sends data, the command, then more data
peer_update() {
	local cmd=$1 rc

	next_port
	feed "$cmd" | timeout $TMO openssl s_server -accept "$PORT" \
		-naccept 1 -tls1_3 -cert "$P/server.pem" -key "$P/server.key" \
		> "$T/peer.out" 2>"$T/peer.err" &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		> "$T/out" 2>"$T/cat.err" < <(sleep 6; echo ours-after; sleep 60)
	rc=$?
	stop_jobs
	sed 's/^/# ktls-cat: /' "$T/cat.err"
	if rekey_kernel; then
		# s_server ends without close_notify when its input ends
		grep -q before "$T/out" && grep -q after "$T/out" &&
			grep -q ours-after "$T/peer.out" &&
			{ [ $rc -eq 0 ] ||
			  grep -q "without close_notify" "$T/cat.err"; }
	else
		# ended by itself, having told the peer (its key is unchanged)
		[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
			grep -q "6.14" "$T/cat.err" &&
			grep -q before "$T/out" &&
			grep -qi "alert number 80\|internal error" \
				"$T/peer.out" "$T/peer.err"
	fi
}

self_update() {
	local rc

	next_port
	payload_file in $((2 * 1024 * 1024))
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-tls1_3 -cert "$P/server.pem" -key "$P/server.key" \
		> "$T/peer.out" 2>"$T/peer.err" < <(sleep 300) &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		--rekey-every 300000 --sendfile "$T/in" \
		> "$T/out" 2>"$T/cat.err"
	rc=$?
	stop_jobs
	sed 's/^/# ktls-cat: /' "$T/cat.err"
	if rekey_kernel; then
		[ $rc -eq 0 ] && same_file "$T/in" "$T/peer.out"
	else
		# ended by itself (124: still waiting when timeout killed it)
		[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "6.14" "$T/cat.err"
	fi
}

if rekey_kernel; then
	echo "# $(uname -r): KeyUpdate must work"
else
	echo "# $(uname -r): KeyUpdate must fail with the documented error"
fi
check "peer KeyUpdate (update_not_requested)" peer_update k
check "peer KeyUpdate (update_requested)" peer_update K
check "our KeyUpdate every 300000 bytes, 2 MiB sent" self_update
finish
