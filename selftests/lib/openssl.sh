#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libktls against OpenSSL, through ktls-cat, for every TLS version x cipher
# the kernel can carry, in both roles and both directions:
#
#   ktls-cat connect  --(kTLS)-->  openssl s_server      (127.0.0.1)
#   ktls-cat listen   <--(kTLS)--  openssl s_client
#
# Payloads of 0, 1, 16383, 16384, 16385 bytes and 1 MiB rotate over the
# matrix; then, in both roles and both directions, 64 MiB (FULL=1; else
# 16) over TLS 1.3 AES-128-GCM and 16 MiB over TLS 1.2 ChaCha20 (64 MiB in
# every cell would take hours under qemu TCG, where kTLS moves about
# 20 MB/s). First, RFC 8446 D.4 middlebox compatibility in both roles,
# seen through OpenSSL's -trace. Every transfer checks SHA-256 on both ends and that our side
# ran TX and RX in the kernel (/proc/net/tls_stat deltas and ktls-cat
# --json).
#
# ktlskit-timeout: 1800

. "$(dirname "$0")/interop.bash"
need_cmd openssl ss
need_cat
# one PKI for lib/openssl and lib/gnutls, made once and kept (its RSA key
# alone takes seconds under emulation; nothing here writes into it),
# made again when a year old: its leaves last 825 days
P=$KTLSKIT_REPO/build/lib-test/pki
find "$P/done" -mtime +365 -delete 2>/dev/null
setup_pki

BIG=${BIG:-16777216}
# 64 MiB only in a full run (make check FULL=1): plain make check (CI)
# moves 16 MiB there, to keep within CI's time
HUGE=${HUGE:-$([ -n "${KTLSKIT_FULL:-}" ] && echo 67108864 || echo 16777216)}
TMO=${TMO:-90}
# stdin that stays open (process substitution: nobody waits for it)
hold() { sleep 300; }

# ossl_opts VER NAME: OpenSSL options selecting one suite
ossl_opts() {
	if [ "$1" = 1.3 ]; then
		echo "-tls1_3 -ciphersuites $2"
	else
		echo "-tls1_2 -cipher $2"
	fi
}

# We send to s_server, which writes what it gets to stdout.
c_send() {
	local ver=$1 ours=$2 iana=$3 ossl=$4 size=$5

	next_port
	payload_file in $size
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-cert "$P/server.pem" -key "$P/server.key" \
		$(ossl_opts "$ver" "$ossl") > "$T/out" 2>"$T/peer.err" \
		< <(hold) &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" --tls "$ver" \
		--cipher "$ours" --json --sendfile "$T/in" \
		> /dev/null 2>"$T/cat.err"
	local rc=$?
	stop_jobs
	check "client TLS $ver $iana sends $size bytes to s_server" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"
}

# s_server's input: the payload, then its end (s_server then closes) only
# once ktls-cat reports its keys in the kernel: a FIN right behind the
# handshake makes libktls refuse the switch (correct, but not what we test)
serve_payload() {
	cat "$T/in"
	wait_line "$T/cat.err" '"event":"info"' "$TMO"
}

# RC: ktls-cat's status, except that s_server (OpenSSL 3.0) closes without
# close_notify when its input is a pipe that ends (with a file it sends
# one), which ktls-cat reports and exits 1 for: that counts as 0, the
# SHA-256 of what arrived still decides.
rc_of_pipe_peer() {
	if [ "$1" -ne 0 ] && grep -q "without close_notify" "$T/cat.err"; then
		echo 0
	else
		echo "$1"
	fi
}

# s_server sends its stdin to us.
c_recv() {
	local ver=$1 ours=$2 iana=$3 ossl=$4 size=$5

	next_port
	: > "$T/cat.err"
	payload_file in $size
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-cert "$P/server.pem" -key "$P/server.key" \
		$(ossl_opts "$ver" "$ossl") < <(serve_payload) > /dev/null \
		2>"$T/peer.err" &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		--tls "$ver" --cipher "$ours" --json > "$T/out" 2>"$T/cat.err" \
		< <(hold)
	local rc=$(rc_of_pipe_peer $?)
	stop_jobs
	check "client TLS $ver $iana receives $size bytes from s_server" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"
}

# We listen and send; s_client writes what it gets to stdout.
s_send() {
	local ver=$1 ours=$2 iana=$3 ossl=$4 size=$5

	next_port
	payload_file in $size
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls "$ver" --cipher "$ours" --json \
		--sendfile "$T/in" > /dev/null 2>"$T/cat.err" &
	local pid=$!
	wait_listen "$PORT"
	timeout $TMO openssl s_client -connect "127.0.0.1:$PORT" -quiet \
		-nocommands -CAfile "$P/ca.pem" $(ossl_opts "$ver" "$ossl") \
		> "$T/out" 2>"$T/peer.err" < <(hold)
	wait $pid
	local rc=$?
	stop_jobs
	check "server TLS $ver $iana sends $size bytes to s_client" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"
}

# s_client sends its stdin, then close_notify at its end.
s_recv() {
	local ver=$1 ours=$2 iana=$3 ossl=$4 size=$5

	next_port
	: > "$T/cat.err"
	payload_file in $size
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls "$ver" --cipher "$ours" --json \
		> "$T/out" 2>"$T/cat.err" < <(hold) &
	local pid=$!
	wait_listen "$PORT"
	# keep stdin open until ktls-cat reports its switch to the kernel:
	# the kernel attaches TLS only to ESTABLISHED sockets, and a FIN right
	# behind the handshake makes libktls refuse the switch (correct, but
	# not what we test here)
	serve_payload | timeout $TMO openssl s_client \
		-connect "127.0.0.1:$PORT" -CAfile "$P/ca.pem" -nocommands \
		$(ossl_opts "$ver" "$ossl") > /dev/null 2>"$T/peer.err"
	wait $pid
	local rc=$?
	stop_jobs
	check "server TLS $ver $iana receives $size bytes from s_client" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"
}

run_matrix() {
	local i=0 ver ours iana ossl gnu size

	while read -r ver ours iana ossl gnu; do
		[ -n "$ver" ] || continue
		case "$ver $ours" in *${ONLY:-}*) ;; *) continue ;; esac
		for f in ${FUNCS:-c_send c_recv s_send s_recv}; do
			set -- $SIZES
			shift $((i % $#))
			size=$1
			i=$((i + 1))
			$f "$ver" "$ours" "$iana" "$ossl" "$size"
		done
	done <<< "$MATRIX"
	[ "$BIG" -gt 0 ] || return 0
	# user-space AES in the peers is slow under TCG: give them time, in
	# proportion to the size
	TMO=$((TMO * 4 * (HUGE > BIG ? HUGE / BIG : 1)))
	for f in c_send c_recv s_send s_recv; do
		$f 1.3 TLS13-AES128-GCM-SHA256 TLS_AES_128_GCM_SHA256 \
			TLS_AES_128_GCM_SHA256 "$HUGE"
		$f 1.2 ECDHE-ECDSA-CHACHA20-POLY1305 \
			TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 \
			ECDHE-ECDSA-CHACHA20-POLY1305 "$BIG"
	done
}

# Content types of the records a -trace file shows as received, in order.
received_types() {
	awk '/^Received Record/ { r = 1; next }
	     r && /Content Type = / { print $4; r = 0 }' "$1" | tr '\n' ' '
}

# RFC 8446 D.4 middlebox compatibility in both roles, with OpenSSL's
# -trace as the witness. Our client offers a 32-byte legacy_session_id and
# sends a change_cipher_spec before its second flight; our server answers
# a client that offered one (OpenSSL's, by default) with a change_cipher_spec
# right after its ServerHello. Both CCS come before the keys move to the
# kernel, so the connection must still be carried there.
compat() {
	local rc pid

	next_port
	: > "$T/cat.err"
	payload_file in 4096
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-tls1_3 -trace -msgfile "$T/trace" -cert "$P/server.pem" \
		-key "$P/server.key" < <(serve_payload) > /dev/null \
		2>"$T/peer.err" &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		--tls 1.3 --cipher TLS13-AES128-GCM-SHA256 --json \
		> "$T/out" 2>"$T/cat.err" < <(hold)
	rc=$(rc_of_pipe_peer $?)
	stop_jobs
	check "compat: our client offers a 32-byte session id" \
		grep -q -m1 'session_id (len=32)' "$T/trace"
	[[ " $(received_types "$T/trace")" == *" ChangeCipherSpec "* ]]
	check "compat: our client sends a CCS in its second flight"
	check "compat: client connection carried by the kernel" \
		ok_transfer $rc "$T/in" "$T/out" TLS_AES_128_GCM_SHA256

	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls 1.3 --cipher TLS13-AES128-GCM-SHA256 \
		--json --sendfile "$T/in" > /dev/null 2>"$T/cat.err" &
	pid=$!
	wait_listen "$PORT"
	timeout $TMO openssl s_client -connect "127.0.0.1:$PORT" -quiet \
		-nocommands -CAfile "$P/ca.pem" -tls1_3 -trace \
		-msgfile "$T/trace" > "$T/out" 2>"$T/peer.err" < <(hold)
	wait $pid
	rc=$?
	stop_jobs
	check "compat: s_client offered a 32-byte session id" \
		grep -q -m1 'session_id (len=32)' "$T/trace"
	[[ "$(received_types "$T/trace")" == "Handshake ChangeCipherSpec "* ]]
	check "compat: our server's CCS comes right after its ServerHello"
	check "compat: server connection carried by the kernel" \
		ok_transfer $rc "$T/in" "$T/out" TLS_AES_128_GCM_SHA256
}

stats_begin
compat
run_matrix
stats_check
finish
