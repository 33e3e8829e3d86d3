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

# feed CMD: s_server's input, from when ktls-cat's keys are in the kernel
# (s_server then waits in select(): input any sooner may find it about to
# block in SSL_read), each line once the one before has arrived at
# ktls-cat; it ends (and so does s_server) once our answer has arrived
# there. s_server takes a line as its k/K command only when one read()
# returns that line alone, so "after" follows only once our side took the
# new key (the kernel counts it; s_server's own KEYUPDATE line sits in its
# stdio buffer) or, on a kernel without rekey, ktls-cat gave up; the
# test's stop_jobs then ends the feed.
feed() {
	local rekeyed

	rekeyed=$(tls_stat TlsRxRekeyOk)
	wait_line "$T/cat.err" '"event":"info"' "$TMO" || return
	echo before
	wait_line "$T/out" '^before$' "$TMO" || return
	echo "$1"
	took_key() {
		[ "$(tls_stat TlsRxRekeyOk)" -gt "$rekeyed" ] ||
			grep -q '"event":"error"' "$T/cat.err"
	}
	wait_until "$TMO" took_key || return
	echo after
	wait_line "$T/peer.out" ours-after "$TMO"
}

# ours: ktls-cat's input, sent once the peer's update went through
ours() {
	wait_line "$T/out" '^after$' "$TMO" || return
	echo ours-after
	wait_line "$T/peer.out" ours-after "$TMO"
}

# peer_update CMD: s_server sends data, the command, then more data
peer_update() {
	local cmd=$1 rc

	next_port
	: > "$T/out"
	: > "$T/peer.out"
	: > "$T/cat.err"
	feed "$cmd" | timeout $TMO openssl s_server -accept "$PORT" \
		-naccept 1 -tls1_3 -cert "$P/server.pem" -key "$P/server.key" \
		> "$T/peer.out" 2>"$T/peer.err" &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		--json > "$T/out" 2>"$T/cat.err" < <(ours)
	rc=$?
	# $!: the process substitution, still waiting when ktls-cat stopped
	kill $! 2>/dev/null
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
