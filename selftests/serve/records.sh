#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record errors after the handoff, answered with the RFCs' alerts: a
# hostile client (selftests/lib/hostile_peer.py: OpenSSL's handshake, then
# records of its own making) sends a valid GET, then altered tags and
# ciphertext, oversized records, unknown and unprotected record types,
# forbidden handshake messages, each followed by another GET. ktls-serve,
# in-process and with ktlsd, must answer the first GET intact, send the
# fatal alert the case calls for (selftests/lib/hostile.bash), never answer
# the second GET, and close. The kernel did the decryption: TlsRxSw counts
# the connections and TlsDecryptError the records that failed. And since
# OpenSSL offers a legacy_session_id, every TLS 1.3 ServerHello must be
# followed by the dummy change_cipher_spec (RFC 8446 D.4).
#
#   hostile_peer.py --TLS 1.2/1.3, crafted records--> ktls-serve (kTLS RX)
#
# ktlskit-timeout: 900

. "$(dirname "$0")/serve.bash"
. "$KTLSKIT_REPO/selftests/lib/hostile.bash"
need_serve
need_cmd python3
python3 -c 'import cryptography' 2>/dev/null ||
	skip "python3-cryptography is not installed (scripts/deps installs it)"
setup_root
HELLO=$(sha256 "$R/hello.txt")

# run_cases MODE [VERSION...]: every case over TLS 1.2 and 1.3 (or the
# versions given) against the running server
run_cases()
{
	local mode=$1 v rx0 bad0 n bad versions=${*:2}

	for v in ${versions:-1.2 1.3}; do
		rx0=$(tls_stat TlsRxSw)
		bad0=$(tls_stat TlsDecryptError)
		timeout 300 python3 "$HOSTILE" client 127.0.0.1 "$PORT" --tls "$v" \
			--app http --before-sha256 "$HELLO" --ca "$CA" \
			--cipher ALL \
			--name localhost --case "$(hostile_cases server)" \
			> "$T/peer.$mode.$v" 2>&1
		sed "s/^/# $mode $v: /" "$T/peer.$mode.$v"
		hostile_check "$v" server "$T/peer.$mode.$v"
		n=$(grep -c '^result ' "$T/peer.$mode.$v")
		[ "$v" = 1.3 ] &&
			check "$mode TLS 1.3: a change_cipher_spec after every ServerHello (middlebox compatibility)" \
				[ "$(grep -c '^handshake records 22,20,' "$T/peer.$mode.$v")" = "$n" ]
		check "$mode TLS $v: the kernel decrypted all $n connections" \
			[ $(($(tls_stat TlsRxSw) - rx0)) -ge "$n" ]
		# at least one per tag-* and ct-* case
		bad=$(($(tls_stat TlsDecryptError) - bad0))
		n=$(echo $HOSTILE_CASES | tr ' ' '\n' | grep -c '^tag-\|^ct-')
		check "$mode TLS $v: the kernel counted the $n altered records (TlsDecryptError +$bad)" \
			[ "$bad" -ge "$n" ]
	done
}

start_serve
run_cases inproc
stop_serve
sed 's/^/# ktls-serve: /' "$T/serve.err"

# The suites above are the server's first choice (TLS 1.3 AES-128-GCM,
# TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384). Every other one the kernel
# carries, with the cases that touch its crypto; with FULL=1 all of them,
# else the ChaCha20 ones. (TLS 1.3 AES-128-CCM is left out: Python's ssl
# cannot offer it.)
ciphers="TLS13-CHACHA20-POLY1305-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305"
[ -n "${KTLSKIT_FULL:-}" ] && ciphers="$ciphers TLS13-AES256-GCM-SHA384
	ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-CCM"
for c in $ciphers; do
	start_serve --cipher "$c"
	v=1.2
	[ "${c#TLS13}" != "$c" ] && v=1.3
	HOSTILE_CASES="valid tag-last ct-mid oversize plain-overflow" \
		run_cases "inproc-$c" "$v"
	check "$c: negotiated" grep -q "handshake done $v" "$T/peer.inproc-$c.$v"
	stop_serve
done
check "in-process: the log names the alert sent for a bad record" \
	grep -q 'bad_record_mac' "$T/serve.err"

if command -v ktlsd >/dev/null; then
	start_web_ktlsd
	start_daemon_serve
	# the record layer is the same library: one case per kind of answer
	# and what daemon mode reads itself, unless FULL=1
	[ -n "${KTLSKIT_FULL:-}" ] || HOSTILE_CASES="valid tag-last oversize
		unknown-type hello-request keyupdate-bad keyupdate-split
		ticket-to-server"
	run_cases daemon
	stop_serve
	sed 's/^/# ktls-serve: /' "$T/serve.err"
else
	echo "# daemon mode not run: ktlsd is not built"
fi
finish
