#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-serve in daemon mode: ktlsd holds the key and runs every handshake,
# ktls-serve gets each socket back with kTLS on and serves it. curl and
# openssl s_client over TLS 1.2 and 1.3 fetch files byte for byte, with
# sendfile and with --io uring; keep-alive, a range and a 404 work the
# same as in-process; a client's KeyUpdate is followed through ktlsd on
# 6.14+ (and refused with the reason before), and with ktlsd frozen it
# costs that connection after a timeout, not the worker; a stopped daemon
# means failed handshakes, not a dead server.
#
#   curl --TLS--> ktls-serve --fd over Unix socket--> ktlsd (dev key)
#                     | sendfile on the returned kTLS socket
#
# ktlskit-timeout: 600

. "$(dirname "$0")/serve.bash"
need_serve
command -v ktlsd >/dev/null || skip "ktlsd is not built"
setup_root

start_web_ktlsd
start_daemon_serve
CA=$P/dev-ca.crt

# fetch_every_size IO CLIENT...: every size over TLS 1.2 and 1.3 with each
# client, SHA-256 checked; then every connection had kernel TX and the
# access log names kTLS/IO on every line.
fetch_every_size()
{
	local io=$1 ver f client tx tx0 n=0

	shift
	tx0=$(tls_stat TlsTxSw)
	for ver in 1.2 1.3; do
		for f in $SIZES; do
			for client in "$@"; do
				rm -f "$T/out"
				fetch_$client "$ver" "$f" "$T/out"
				check "ktlsd --io $io TLS $ver $client $f: SHA-256 matches" \
					same_hash "$R/$f" "$T/out"
				n=$((n + 1))
			done
		done
	done
	tx=$(($(tls_stat TlsTxSw) - tx0))
	check "--io $io: kernel TX on all $n connections (TlsTxSw +$tx)" \
		[ "$tx" -ge "$n" ]
	check "--io $io: access log says kTLS/$io on every line" \
		[ "$(grep -vc " kTLS/$io" "$T/access.log")" = 0 ]
}
fetch_every_size sendfile curl ossl

check "range through ktlsd" \
	[ "$(curl_c -r 0-4 "$U/hello.txt")" = "hello" ]
check "404 through ktlsd" [ "$(status "$U/none")" = 404 ]
args=()
for i in $(seq 20); do
	args+=(-o /dev/null "$U/one")
done
check "keep-alive through ktlsd: 20 requests, one connection" \
	[ "$(curl_c -w '%{num_connects}\n' "${args[@]}" | paste -sd+ | bc)" = 1 ]

# io_uring splice into a socket ktlsd handed back (no session here)
stop_serve
start_daemon_serve --io uring
fetch_every_size uring curl

# A client's KeyUpdate (s_client's "k" command) between two requests on
# one connection goes to ktlsd, which follows it from Linux 6.14; before
# that the connection ends and the server says why.
{
	printf 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'
	sleep 2
	echo k
	sleep 2
	printf 'GET /hello.txt?2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
	sleep 3
} | timeout 60 openssl s_client -tls1_3 -connect "127.0.0.1:$PORT" \
	-servername localhost -CAfile "$CA" > "$T/ku.out" 2> "$T/ku.err"
hellos=$(grep -c '^hello from ktls-serve' "$T/ku.out")
if kernel_at_least 6.14; then
	check "client KeyUpdate through ktlsd: both requests answered ($hellos)" \
		[ "$hellos" = 2 ]
else
	check "client KeyUpdate on $(uname -r): first request answered" \
		[ "$hellos" = 1 ]
	check "client KeyUpdate on $(uname -r): ktls-serve names the kernel limit" \
		grep -q "could not follow the client's KeyUpdate: .*6.14" \
		"$T/serve.err"
fi
grep "KeyUpdate" "$T/serve.err" | tail -n 1 | sed 's/^/# /'

# A client's KeyUpdate while ktlsd is frozen (SIGSTOP): the only worker
# waits for ktlsd's answer no longer than --handshake-timeout (plus a
# second), ends that connection with the reason, and serves the next.
stop_serve
start_daemon_serve --workers 1 --handshake-timeout 2
mkfifo "$T/ku.in"
timeout 60 openssl s_client -tls1_3 -connect "127.0.0.1:$PORT" \
	-servername localhost -CAfile "$CA" < "$T/ku.in" > "$T/ku2.out" \
	2> "$T/ku2.err" &
kupid=$!
exec 5> "$T/ku.in"
printf 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n' >&5
for ((i = 0; i < 200; i++)); do
	grep -q '^hello from ktls-serve' "$T/ku2.out" && break
	sleep 0.1
done
kill -STOP "$KPID"
echo k >&5
ku_line="could not follow the client's KeyUpdate: ktlsd did not answer in time"
for ((i = 0; i < 200; i++)); do
	grep -q "$ku_line" "$T/serve.err" && break
	sleep 0.1
done
check "KeyUpdate with ktlsd frozen: the worker gave up in time" \
	grep -q "$ku_line" "$T/serve.err"
kill -CONT "$KPID"
exec 5>&-
wait "$kupid"
check "after that: the only worker serves the next connection" \
	[ "$(curl_c --max-time 20 "$U/hello.txt")" = "hello from ktls-serve" ]

kill "$KPID"
wait "$KPID" 2>/dev/null
check "ktlsd stopped: the request fails" \
	not curl_c -o /dev/null --max-time 20 "$U/one?after" 2>/dev/null
check "ktlsd stopped: ktls-serve says why" \
	grep -Eq "cannot reach ktlsd|ktlsd is not running" "$T/serve.err"
tail -n 3 "$T/serve.err" | sed 's/^/# /'
check "ktlsd stopped: ktls-serve is still running" kill -0 "$SPID"
stop_serve
finish
