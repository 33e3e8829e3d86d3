#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# libktls against GnuTLS, through ktls-cat, for every TLS version x cipher
# the kernel can carry, both roles, both directions in each connection:
#
#   ktls-cat connect --sendfile A  --(kTLS)-->  gnutls-serv --echo  (A back)
#   ktls-cat listen --sendfile A   <--(kTLS)--  gnutls-cli       (A)
#   ktls-cat listen                <--(kTLS)--  gnutls-cli < B   (B)
#
# gnutls-serv's echo mode reads lines and treats some as commands, so its
# payloads are base64 text cut to the exact size; gnutls-cli gets binary.
# Payloads rotate over 0, 1, 16383, 16384, 16385 bytes and 1 MiB, plus
# 64 MiB (FULL=1; else 16) both ways with us as the server (TLS 1.2 AES-256-GCM) and 16 MiB
# echoed with us as the client (TLS 1.3 ChaCha20; see openssl.sh for why
# not 64 MiB everywhere).
#
# ktlskit-timeout: 1800

. "$(dirname "$0")/interop.bash"
need_cmd gnutls-serv gnutls-cli ss base64
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
hold() { sleep 300; }

prio() {
	echo "NORMAL:-VERS-ALL:+VERS-TLS$1:-CIPHER-ALL:+$2"
}

# text_file NAME BYTES: base64 text of exactly BYTES bytes, ending in a
# newline (the echo server holds back a last line without one)
text_file() {
	: > "$T/$1"
	[ "$2" -gt 0 ] || return 0
	head -c $(($2 * 3 / 4 + 16)) /dev/urandom | base64 -w 76 |
		head -c $(($2 - 1)) > "$T/$1"
	echo >> "$T/$1"
}

client_echo() {
	local ver=$1 ours=$2 iana=$3 gnu=$4 size=$5

	next_port
	text_file in "$size"
	timeout $TMO gnutls-serv --echo -p "$PORT" \
		--x509certfile "$P/server.pem" --x509keyfile "$P/server.key" \
		--priority "$(prio "$ver" "$gnu")" > "$T/peer.err" 2>&1 &
	wait_listen "$PORT"
	timeout $TMO "$CAT" connect "localhost:$PORT" --ca "$P/ca.pem" \
		--tls "$ver" --cipher "$ours" --json --sendfile "$T/in" \
		> "$T/out" 2>"$T/cat.err"
	local rc=$?
	stop_jobs
	check "client TLS $ver $iana: $size bytes echoed by gnutls-serv" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"
}

# Two connections: gnutls-cli leaves as soon as it has our close_notify,
# even with input still unsent, so each direction gets its own.
server_both() {
	local ver=$1 ours=$2 iana=$3 gnu=$4 size=$5 rc pid

	next_port
	payload_file in "$size"
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls "$ver" --cipher "$ours" --json \
		--sendfile "$T/in" > /dev/null 2>"$T/cat.err" &
	pid=$!
	wait_listen "$PORT"
	timeout $TMO gnutls-cli -p "$PORT" --x509cafile "$P/ca.pem" \
		--priority "$(prio "$ver" "$gnu")" --logfile "$T/peer.err" \
		localhost > "$T/out" 2>>"$T/peer.err" < <(hold)
	wait $pid
	rc=$?
	stop_jobs
	check "server TLS $ver $iana: $size bytes to gnutls-cli" \
		ok_transfer $rc "$T/in" "$T/out" "$iana"

	next_port
	payload_file back "$((size / 2 + 1))"
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls "$ver" --cipher "$ours" --json \
		> "$T/got" 2>"$T/cat.err" < <(hold) &
	pid=$!
	wait_listen "$PORT"
	# no FIN right behind the handshake (see openssl.sh s_recv): the
	# input ends only once ktls-cat's keys are in the kernel
	{ cat "$T/back"; wait_line "$T/cat.err" '"event":"(info|error)"' "$TMO"; } |
		timeout $TMO gnutls-cli -p "$PORT" \
		--x509cafile "$P/ca.pem" --priority "$(prio "$ver" "$gnu")" \
		--logfile "$T/peer.err" localhost > /dev/null 2>>"$T/peer.err"
	wait $pid
	rc=$?
	stop_jobs
	check "server TLS $ver $iana: $((size / 2 + 1)) bytes from gnutls-cli" \
		ok_transfer $rc "$T/back" "$T/got" "$iana"
}

run_matrix() {
	local i=0 ver ours iana ossl gnu

	while read -r ver ours iana ossl gnu; do
		[ -n "$ver" ] || continue
		case "$ver $ours" in *${ONLY:-}*) ;; *) continue ;; esac
		for f in client_echo server_both; do
			set -- $SIZES
			shift $((i % $#))
			i=$((i + 1))
			$f "$ver" "$ours" "$iana" "$gnu" "$1"
		done
	done <<< "$MATRIX"
	[ "$BIG" -gt 0 ] || return 0
	# user-space AES in the peers is slow under TCG: give them time, in
	# proportion to the size
	TMO=$((TMO * 4 * (HUGE > BIG ? HUGE / BIG : 1)))
	client_echo 1.3 TLS13-CHACHA20-POLY1305-SHA256 \
		TLS_CHACHA20_POLY1305_SHA256 CHACHA20-POLY1305 "$BIG"
	server_both 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 \
		TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 AES-256-GCM "$HUGE"
}

stats_begin
run_matrix
stats_check
finish
