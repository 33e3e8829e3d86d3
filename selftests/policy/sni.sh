#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Several certificates on one server, chosen by the client's SNI, with a
# default for no SNI or a name nothing matches; TLS 1.2 and 1.3, clients
# we did not write, and the kernel carrying the records after each one.
#
#   openssl s_client -servername NAME --> ktls-cat listen --sni-cert ...
#   curl --resolve NAME:PORT:127.0.0.1 --> ktls-serve --inproc --sni-cert ...
#
#   NAME            certificate the client must see (subject CN)
#   a.test          a.test          (exact name)
#   A.TEST          a.test          (names are case-insensitive)
#   x.wild.test     *.wild.test     (one label under a "*." pattern)
#   x.y.wild.test   default.test    (two labels: no match)
#   rsa.test        rsa.test        (RSA key, default is ECDSA)
#   other.test      default.test    (unknown name)
#   (none)          default.test    (no SNI at all)

. "$(dirname "$0")/../lib/interop.bash"
need_cmd openssl curl ss sha256sum
need_cat
SERVE=$KTLSKIT_REPO/build/bin/ktls-serve
[ -x "$SERVE" ] || skip "build/bin/ktls-serve is not built"
. "$(dirname "$0")/pki.bash"

TMO=${TMO:-40}
set -f	# the "*." patterns are not file names
leaf default default.test
leaf a a.test
leaf wild '*.wild.test'
leaf rsa rsa.test rsa
IDS=(--cert "$Q/default.crt" --key "$Q/default.key"
     --sni-cert "a.test:$Q/a.crt:$Q/a.key"
     --sni-cert "*.wild.test:$Q/wild.crt:$Q/wild.key"
     --sni-cert "rsa.test:$Q/rsa.crt:$Q/rsa.key")
CASES="a.test:a.test A.TEST:a.test x.wild.test:*.wild.test
x.y.wild.test:default.test rsa.test:rsa.test other.test:default.test
-:default.test"

# subject_cn FILE CN: the client printed that subject for the server
subject_cn() {
	grep -qF "CN = $2" <(grep -a '^subject=' "$1") && return 0
	echo "# wanted CN = $2, client saw: $(grep -a '^subject=' "$1")"
	return 1
}

got_ping() {
	grep -qxF "$1" "$T/sc.out" ||
		{ echo "# s_client did not get '$1', cat: $(cat "$T/cat.log")"; return 1; }
}

stats_begin
for ver in 1.2 1.3; do
	for c in $CASES; do
		name=${c%%:*} want=${c#*:}
		if [ "$name" = - ]; then sarg=(-noservername); else
			sarg=(-servername "$name"); fi
		next_port
		echo "ping $ver $name" > "$T/ping"
		timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --tls $ver \
			"${IDS[@]}" --json < "$T/ping" > /dev/null \
			2> "$T/cat.log" &
		wait_listen "$PORT" || fail "ktls-cat did not listen: $(cat "$T/cat.log")"
		# ktls-cat sends its line through the kernel, then closes: the
		# input of s_client (which closes when it ends) lasts until then
		cat_ended "$T/cat.log" $TMO | timeout $TMO openssl s_client \
			-connect "127.0.0.1:$PORT" "${sarg[@]}" \
			-CAfile "$Q/ca.crt" -verify_return_error \
			> "$T/sc.out" 2>&1
		wait
		CONNS=$((CONNS + 1))
		check "TLS $ver s_client SNI $name gets $want" \
			subject_cn "$T/sc.out" "$want"
		got_ping "ping $ver $name" && kernel_both "$T/cat.log"
		check "TLS $ver SNI $name: data arrived, kernel TX and RX"
	done
done
stats_check

# ktls-serve --inproc, curl verifying the name it asked for
mkdir -p "$T/root"
make_payload "$T/root/file" 100000
PORT=$(free_port)
"$SERVE" --inproc "${IDS[@]}" --listen "127.0.0.1:$PORT" -q \
	serve "$T/root" > /dev/null 2> "$T/serve.err" &
wait_listen "$PORT" || fail "ktls-serve did not listen: $(cat "$T/serve.err")"
tx0=$(tls_stat TlsTxSw)
n=0
for ver in 1.2 1.3; do
	vopt=(--tlsv$ver --tls-max $ver)
	for c in a.test:a.test x.wild.test:*.wild.test rsa.test:rsa.test \
		 other.test:default.test 127.0.0.1:default.test; do
		name=${c%%:*} want=${c#*:}
		# curl checks the name itself; the default cert is not for
		# other.test, and an address sends no SNI at all
		k=()
		[ "$want" = default.test ] && k=(-k)
		rm -f "$T/out"
		curl -sS -v "${vopt[@]}" "${k[@]}" --cacert "$Q/ca.crt" \
			--resolve "$name:$PORT:127.0.0.1" \
			"https://$name:$PORT/file" -o "$T/out" 2> "$T/curl.err"
		n=$((n + 1))
		grep -qF "CN=$want" <(grep -a "subject:" "$T/curl.err") &&
			      same_file "$T/root/file" "$T/out" ||
			      { grep -a "subject:\|curl:" "$T/curl.err" | sed "s/^/# /"; false; }
		check "TLS $ver curl $name: subject CN=$want, file intact"
	done
done
check "kernel made the records of all $n fetches (TlsTxSw +$(($(tls_stat TlsTxSw) - tx0)))" \
	[ $(($(tls_stat TlsTxSw) - tx0)) -ge $n ]
stop_jobs
finish
