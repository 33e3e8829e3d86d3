#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The examples (examples/), as make built them against a staged `make
# install` with pkg-config, run from that stage (LD_LIBRARY_PATH): their
# shared libktls must be the staged one.
#
#   curl       --(TLS)-->   https-server      (kTLS TX: sendfile)
#   https-get  --(kTLS)-->  openssl s_server -WWW
#   https-get  --(kTLS)-->  https-server
#
# About 1 MiB each way; SHA-256 equal, /proc/net/tls_stat shows the
# example's side in the kernel; a request outside the folder gets 404, a
# server the client cannot verify is refused with its reason.

. "$(dirname "$0")/interop.bash"
need_cmd curl openssl ss ldd
need_ktls
# the PKI lib/openssl and lib/gnutls keep (its RSA key alone takes seconds
# under emulation)
P=$KTLSKIT_REPO/build/lib-test/pki
find "$P/done" -mtime +365 -delete 2>/dev/null
setup_pki

E=$KTLSKIT_REPO/build/examples
SERVER=$E/bin/https-server
GET=$E/bin/https-get
[ -x "$SERVER" ] && [ -x "$GET" ] ||
	fail "build/examples/bin is not built (make tests builds it)"
export LD_LIBRARY_PATH=$E/stage/usr/lib
TMO=${TMO:-60}

mkdir -p "$T/www"
payload_file www/file.bin $((1024 * 1024 + 4321))

# staged_lib BIN: the loader takes libktls from the stage
staged_lib() {
	ldd "$1" | grep -q "libktls\.so.* => $E/stage/usr/lib/" ||
		{ echo "# $(ldd "$1" | grep libktls)"; return 1; }
}

# grew NAME BEFORE: the tls_stat counter is above BEFORE now
grew() {
	local now

	now=$(tls_stat "$1")
	echo "# $1: $2 -> $now"
	[ "$now" -gt "$2" ]
}

# got FILE: the client ($rc) ended well and FILE holds the payload: a
# body cut short or a missing close_notify must fail, even with every byte
got() {
	[ "$rc" -eq 0 ] || { echo "# client exit $rc"; return 1; }
	same_file "$T/www/file.bin" "$1"
}

check "https-server links the staged libktls" staged_lib "$SERVER"
check "https-get links the staged libktls" staged_lib "$GET"

# curl from https-server: the server's records go through kernel TLS
next_port
SPORT=$PORT
timeout "$TMO" "$SERVER" "$P/server.pem" "$P/server.key" "$T/www" "$SPORT" \
	2>"$T/server.err" &
wait_listen "$SPORT" || fail "https-server did not listen: $(cat "$T/server.err")"
tx=$(tls_stat TlsTxSw)
timeout "$TMO" curl -sS --fail --cacert "$P/ca.pem" -o "$T/curl.out" \
	"https://localhost:$SPORT/file.bin" 2>"$T/curl.err"
rc=$?
[ $rc -eq 0 ] || echo "# curl: $(cat "$T/curl.err")"
check "curl fetches 1 MiB from https-server" got "$T/curl.out"
check "https-server sent through kernel TLS" grew TlsTxSw "$tx"
# status PATH: what https-server answers for PATH, sent as it is
status() {
	timeout "$TMO" curl -sS --path-as-is --cacert "$P/ca.pem" -o /dev/null \
		-w '%{http_code}' "https://localhost:$SPORT$1"
}
echo secret > "$T/secret"
code=$(status /../secret)
check "https-server refuses a path above its folder ($code)" [ "$code" = 404 ]
code=$(status "/$T/secret")
check "https-server refuses an absolute path ($code)" [ "$code" = 404 ]

# get NAME CA PORT: https-get /file.bin into $T/NAME.out, its status in
# $rc and its stderr in $T/NAME.err
get() {
	timeout "$TMO" "$GET" "$2" localhost "$3" /file.bin \
		> "$T/$1.out" 2>"$T/$1.err"
	rc=$?
	[ $rc -eq 0 ] || echo "# https-get exit $rc: $(cat "$T/$1.err")"
}

# https-get from openssl s_server -WWW (files relative to its folder)
next_port
rx=$(tls_stat TlsRxSw)
(cd "$T/www" && exec timeout "$TMO" openssl s_server -accept "$PORT" \
	-naccept 1 -WWW -cert "$P/server.pem" -key "$P/server.key" \
	>/dev/null 2>"$T/s_server.err" </dev/null) &
wait_listen "$PORT" || fail "s_server did not listen: $(cat "$T/s_server.err")"
get ossl "$P/ca.pem" "$PORT"
check "https-get fetches 1 MiB from openssl s_server -WWW" got "$T/ossl.out"
check "https-get received through kernel TLS" grew TlsRxSw "$rx"

# https-get from https-server: both ends ours
rx=$(tls_stat TlsRxSw)
get ours "$P/ca.pem" "$SPORT"
check "https-get fetches 1 MiB from https-server" got "$T/ours.out"
check "kernel TLS received on both ends" grew TlsRxSw "$((rx + 1))"

# a server signed by a CA the client does not trust: refused, and why
get untrusted "$P/other-ca.pem" "$SPORT"
refused() {
	[ $rc -eq 1 ] && [ ! -s "$T/untrusted.out" ] &&
		grep -q "(cert-untrusted)" "$T/untrusted.err"
}
check "https-get refuses an untrusted server with its reason" refused
check "https-server reports the refused handshake" \
	wait_line "$T/server.err" "https-server: .*\(" 10
finish
