#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every case of the test PKI's manifest (tools/pki/mkpki --test) against
# real OpenSSL peers, with the kernel taking over after each handshake:
#
#   role server:  ktls-cat connect --(verifies)--> openssl s_server -cert CASE
#   role client:  openssl s_client -cert CASE --> ktls-cat listen --verify-client
#   our identity: openssl s_client -verify_return_error --> ktls-cat listen
#                 (DER, PKCS#12, key-readable: how we load our own key)
#
# then mutual TLS without a client certificate, and the anonymous mode:
# refused by default, working with --insecure-anonymous, warning logged.
# A case passes when the handshake succeeds (and the kernel carries the
# records) or fails with the manifest's reason in ktls-cat's JSON error.
#
# ktlskit-timeout: 1200

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl ss
need_cat

TMO=${TMO:-40}
# the test PKI the ktlsd tests share (ktlsd/lib.bash), made once and kept:
# mkpki's RSA keys take minutes under emulation, and it is idempotent and
# locked; nothing here writes into it
M=$KTLSKIT_REPO/build/ktlsd-test/pki
"$KTLSKIT_REPO/tools/pki/mkpki" --test "$M" >/dev/null || fail "mkpki failed"
cat "$M/root.crt" "$M/intermediates.pem" > "$T/crl-anchors.pem"

reason_of() {
	case $1 in
	ok) echo none ;;
	expired) echo cert-expired ;;
	not-yet-valid) echo cert-not-yet-valid ;;
	host-mismatch) echo hostname-mismatch ;;
	# a lone leaf cannot be told from one of an untrusted root
	untrusted|missing-intermediate) echo cert-untrusted ;;
	*) echo "$1" ;;
	esac
}

# intermediates of a chain file: everything after the first certificate
tail_of() {
	awk 'f; /END CERTIFICATE/ && !f { f = 1 }' "$1" > "$2"
}

# expect_result EXPECT LOG [any]: the JSON output shows that outcome; with
# "any" the records may stay in user space (a peer that closes right after
# the handshake makes libktls keep them there, by design)
expect_result() {
	local want=$1 log=$2

	if [ "$want" = none ]; then
		grep -q '"event":"info"' "$log" &&
			{ [ "${3:-}" = any ] || kernel_both "$log"; } && return 0
	else
		grep -q "\"reason\":\"$want\"" "$log" && return 0
	fi
	echo "# expected $want, got: $(grep -h '"event"' "$log" | head -3)"
	return 1
}

show() {
	grep -h '"event":"error"\|"event":"peer"' "$1" | head -2 |
		sed 's/^/# /'
}

server_case() {	# ktls-cat verifies an OpenSSL server
	local name=$1 want=$2 host=$3 opts=$4 cert=$5 key=$6 chain=$7 crl=$8
	local args=() sargs=()

	[ "$chain" != "$cert" ] && tail_of "$M/$chain" "$T/ints.pem" &&
		[ -s "$T/ints.pem" ] && sargs+=(-cert_chain "$T/ints.pem")
	case $opts in *wildcards*) args+=(--allow-wildcards) ;; esac
	case $opts in *no-cn-fallback*) args+=(--no-cn-fallback) ;; esac
	[ "$crl" != - ] && args+=(--crl "$M/$crl" --ca "$T/crl-anchors.pem")
	next_port
	# security level 0: OpenSSL 3 itself refuses to serve SHA-1, MD5 and
	# RSA-1024 certificates otherwise, and those are what we must refuse
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet \
		-cipher 'DEFAULT:@SECLEVEL=0' \
		-cert "$M/$cert" -key "$M/$key" "${sargs[@]}" \
		> /dev/null 2>"$T/peer.err" < <(sleep $TMO) &
	wait_listen "$PORT" || { echo "# s_server did not start"; return 1; }
	echo | timeout $TMO "$CAT" connect "127.0.0.1:$PORT" --sni "$host" \
		--ca "$M/root.crt" "${args[@]}" --json --peer-cert \
		> /dev/null 2>"$T/$name.log"
	stop_jobs
	show "$T/$name.log"
	expect_result "$want" "$T/$name.log"
}

client_case() {	# ktls-cat (server) verifies an OpenSSL client's certificate
	local name=$1 want=$2 cert=$3 key=$4 chain=$5
	local cargs=()

	if [ "$cert" != - ]; then
		cargs+=(-cert "$M/$cert" -key "$M/$key")
		[ "$chain" != "$cert" ] && tail_of "$M/$chain" "$T/ints.pem" &&
			[ -s "$T/ints.pem" ] && cargs+=(-cert_chain "$T/ints.pem")
	fi
	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --verify-client \
		--ca "$M/root.crt" --cert "$M/server-ec.chain.pem" \
		--key "$M/server-ec.key" --json --peer-cert --no-stdin \
		> /dev/null 2>"$T/$name.log" &
	wait_listen "$PORT" || { echo "# ktls-cat did not listen"; return 1; }
	cat_ended "$T/$name.log" $TMO |
		timeout $TMO openssl s_client -connect "127.0.0.1:$PORT" \
		-quiet -no_ign_eof "${cargs[@]}" > /dev/null 2>"$T/peer.err"
	wait
	show "$T/$name.log"
	expect_result "$want" "$T/$name.log" any
}

identity_case() {	# an OpenSSL client verifies how ktls-cat loaded its key
	local name=$1 want=$2 opts=$3 cert=$4 key=$5 chain=$6
	local args=()

	case $opts in
	p12pass=*)
		args+=(--p12 "$M/$cert" --p12-pass-file "$M/${opts#p12pass=}") ;;
	*)
		[ "$cert" = "${cert%.der}" ] && cert=$chain
		args+=(--cert "$M/$cert" --key "$M/$key")
		[ "$cert" != "$chain" ] && args+=(--chain "$M/intermediate.crt")
		;;
	esac
	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" "${args[@]}" --json \
		--no-stdin > /dev/null 2>"$T/$name.log" &
	if [ "$want" = key-readable ]; then
		wait
		grep -h 'readable by group or others' "$T/$name.log" | sed 's/^/# /'
		grep -q 'readable by group or others' "$T/$name.log"
		return
	fi
	wait_listen "$PORT" || { echo "# ktls-cat did not listen"; cat "$T/$name.log"; return 1; }
	cat_ended "$T/$name.log" $TMO |
		timeout $TMO openssl s_client -connect "127.0.0.1:$PORT" \
		-quiet -no_ign_eof -verify_return_error -CAfile "$M/root.crt" \
		-verify_hostname server.test > /dev/null 2>"$T/peer.err"
	local rc=$?
	wait
	[ $rc -eq 0 ] && expect_result none "$T/$name.log" any ||
		{ echo "# s_client: $(tail -2 "$T/peer.err")"; return 1; }
}

while read -r name expect role host opts cert key chain crl; do
	case $name in ''|'#'*|name) continue ;; esac
	want=$(reason_of "$expect")
	case $name in
	server-der|server-p12*|key-readable)
		check "$name: we load our own identity ($expect)" \
			identity_case "$name" "$expect" "$opts" "$cert" "$key" "$chain"
		[ "$name" = key-readable ] && continue
		;;
	esac
	case $role in
	server)
		case $cert in *.p12|*.der) continue ;; esac
		check "$name: server certificate, expect $want" \
			server_case "$name" "$want" "$host" "$opts" "$cert" \
			"$key" "$chain" "$crl" ;;
	client)
		check "$name: client certificate, expect $want" \
			client_case "$name" "$want" "$cert" "$key" "$chain" ;;
	esac
done < "$M/manifest"

check "mutual TLS without a client certificate: no-peer-cert" \
	client_case no-client-cert no-peer-cert - - -

# Anonymous: refused by default, works when enabled, with a warning
anon_server() {
	next_port
	timeout $TMO openssl s_server -accept "$PORT" -naccept 1 -quiet -nocert \
		-tls1_2 -cipher 'ADH-AES256-GCM-SHA384@SECLEVEL=0' \
		> /dev/null 2>"$T/peer.err" < <(sleep $TMO) &
	wait_listen "$PORT"
}
anon_refused() {
	anon_server
	echo | timeout $TMO "$CAT" connect "127.0.0.1:$PORT" --tls 1.2 \
		--ca "$M/root.crt" --json > /dev/null 2>"$T/anon1.log"
	local rc=$?
	stop_jobs
	show "$T/anon1.log"
	[ $rc -ne 0 ] && ! grep -q '"event":"info"' "$T/anon1.log"
}
anon_client() {
	anon_server
	echo | timeout $TMO "$CAT" connect "127.0.0.1:$PORT" --tls 1.2 \
		--insecure-anonymous --json > /dev/null 2>"$T/anon2.log"
	stop_jobs
	grep -h 'WARNING' "$T/anon2.log" | sed 's/^/# /'
	cipher_is "$T/anon2.log" TLS_DH_anon && kernel_both "$T/anon2.log" &&
		grep -q 'WARNING: insecure anonymous' "$T/anon2.log"
}
anon_listen() {
	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --tls 1.2 \
		--insecure-anonymous --json --no-stdin \
		> /dev/null 2>"$T/anon3.log" &
	wait_listen "$PORT"
	cat_ended "$T/anon3.log" $TMO |
		timeout $TMO openssl s_client -connect "127.0.0.1:$PORT" \
		-quiet -no_ign_eof -tls1_2 -cipher 'ADH-AES256-GCM-SHA384@SECLEVEL=0' \
		> /dev/null 2>"$T/peer.err"
	wait
	cipher_is "$T/anon3.log" TLS_DH_anon &&
		grep -q 'WARNING: insecure anonymous' "$T/anon3.log"
}
check "anonymous server refused by default" anon_refused
check "anonymous client with --insecure-anonymous, warning logged" anon_client
check "anonymous server with --insecure-anonymous, warning logged" anon_listen
finish
