#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Server role through ktlsd: the application accepts a TCP connection from
# a real TLS client, hands the socket to ktlsd, gets it back with kernel TLS
# in both directions, and moves data with plain read/write. SHA-256 on both
# ends; /proc/net/tls_stat must show the kernel took over.
#
#   openssl s_client / gnutls-cli / curl --TCP--> ktlsd-client accept
#                                                   | fd (SCM_RIGHTS)
#                                                   v
#                                                 ktlsd (keys, wolfSSL)
#
# ktlskit-timeout: 600

. "$(dirname "$0")/lib.bash"
need_cmd openssl sha256sum
ktlsd_setup
write_conf
start_ktlsd
make_payload "$T/in" 300000

# receive from a client: openssl sends its stdin, then close_notify
for ver in 1.2 1.3; do
	port=$(free_port)
	tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
	"$CLIENT" --recv "$T/out" accept "$port" > "$T/app" 2>"$T/app.err" &
	app=$!
	wait_port "$port"
	openssl s_client -connect "127.0.0.1:$port" -CAfile "$P/root.crt" \
		-servername server.test -tls${ver/./_} -nocommands < "$T/in" \
		> /dev/null 2>"$T/peer.err"
	wait $app || fail "TLS $ver receive: $(cat "$T/app" "$T/app.err")"
	expect_line "$T/app" "^ok version=$ver .*tx=kernel-sw rx=kernel-sw" \
		"TLS $ver receive"
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "TLS $ver: received data differs"
	[ "$(tls_stat TlsTxSw)" -gt "$tx0" ] && [ "$(tls_stat TlsRxSw)" -gt "$rx0" ] ||
		fail "TLS $ver: tls_stat TlsTxSw/TlsRxSw did not rise"
	pass "server TLS $ver: s_client sends 300000 bytes through kTLS ($(sed -n 's/.*cipher=\([^ ]*\).*/\1/p' "$T/app"))"
done

# send to a client: s_client prints what it gets until we close
for ver in 1.2 1.3; do
	port=$(free_port)
	"$CLIENT" --send "$T/in" accept "$port" > "$T/app" 2>"$T/app.err" &
	app=$!
	wait_port "$port"
	timeout 60 openssl s_client -connect "127.0.0.1:$port" \
		-CAfile "$P/root.crt" -servername server.test \
		-tls${ver/./_} -quiet -ign_eof < /dev/null \
		> "$T/out" 2>"$T/peer.err"
	wait $app || fail "TLS $ver send: $(cat "$T/app" "$T/app.err")"
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "TLS $ver: s_client got $(stat -c %s "$T/out") bytes, not the file"
	pass "server TLS $ver: 300000 bytes to s_client through kTLS"
done

# GnuTLS sends to us
if command -v gnutls-cli >/dev/null; then
	port=$(free_port)
	"$CLIENT" --recv "$T/out" accept "$port" > "$T/app" 2>"$T/app.err" &
	app=$!
	wait_port "$port"
	timeout 60 gnutls-cli --x509cafile "$P/root.crt" \
		--verify-hostname server.test -p "$port" 127.0.0.1 \
		< "$T/in" > /dev/null 2>"$T/peer.err"
	wait $app || fail "gnutls: $(cat "$T/app" "$T/app.err" "$T/peer.err")"
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "gnutls: received data differs"
	pass "server: gnutls-cli sends 300000 bytes ($(sed -n 's/.*\(version=[^ ]*\).*/\1/p' "$T/app"))"
fi

# curl fetches over HTTP/1.1, ALPN from the request
if command -v curl >/dev/null; then
	port=$(free_port)
	"$CLIENT" --alpn http/1.1 --http --send "$T/in" accept "$port" \
		> "$T/app" 2>"$T/app.err" &
	app=$!
	wait_port "$port"
	timeout 60 curl -sS --cacert "$P/root.crt" \
		--resolve "server.test:$port:127.0.0.1" \
		-o "$T/out" "https://server.test:$port/file" 2>"$T/peer.err" ||
		fail "curl: $(cat "$T/peer.err" "$T/app" "$T/app.err")"
	wait $app || fail "curl app: $(cat "$T/app" "$T/app.err")"
	expect_line "$T/app" "alpn=http/1.1 sni=server.test" "curl ALPN and SNI"
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "curl: downloaded data differs"
	pass "server: curl downloads 300000 bytes, ALPN http/1.1, SNI server.test"
fi
ktlsd_alive
echo "# $(grep -c 'result=ok' "$T/ktlsd.log") handshakes logged ok"
