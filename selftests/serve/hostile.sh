#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-serve against hostile or broken clients, over kTLS: path traversal
# (plain, percent-encoded, double-encoded, NUL, a symbolic link out of the
# root), oversized request line and headers, too many headers, a slowloris
# client, a client that stops reading mid-file, a client that vanishes
# mid-file, and 1,000 concurrent connections. After each: the right status,
# the server alive, other clients served, and no fd left behind.
#
#   curl / openssl s_client (x1000) --TLS--> ktls-serve (127.0.0.1)
#
# ktlskit-timeout: 900

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
start_serve --request-timeout 3 --send-timeout 4
fds0=$(server_fds)

raw()
{
	# raw PATH: the target exactly as given (curl would normalise it)
	printf 'GET %s HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n' "$1" |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
			-CAfile "$CA" 2>/dev/null | head -n 1 | tr -d '\r'
}
check "/../etc/passwd: 400" [ "$(raw /../etc/passwd)" = "HTTP/1.1 400 Bad Request" ]
check "/sub/../../etc/passwd: 400" \
	[ "$(raw /sub/../../etc/passwd)" = "HTTP/1.1 400 Bad Request" ]
check "/%2e%2e/%2e%2e/etc/passwd: 400" \
	[ "$(raw /%2e%2e/%2e%2e/etc/passwd)" = "HTTP/1.1 400 Bad Request" ]
check "/..%2f..%2fetc%2fpasswd: 400" \
	[ "$(raw /..%2f..%2fetc%2fpasswd)" = "HTTP/1.1 400 Bad Request" ]
check "double-encoded /%252e%252e/etc/passwd: 404 (a literal name)" \
	[ "$(raw /%252e%252e/etc/passwd)" = "HTTP/1.1 404 Not Found" ]
check "NUL /hello.txt%00.png: 400" \
	[ "$(raw /hello.txt%00.png)" = "HTTP/1.1 400 Bad Request" ]
check "/etc/passwd is looked up under the root: 404" \
	[ "$(raw /etc/passwd)" = "HTTP/1.1 404 Not Found" ]
check "symbolic link out of the root: 403" \
	[ "$(status "$U/out-link")" = 403 ]
check "symbolic link inside the root: 200" \
	[ "$(curl_c "$U/in-link")" = "hello from ktls-serve" ]
check "of all those, only the inside link was answered 200" \
	[ "$(grep -c ' 200 ' "$T/access.log")" = 1 ]

big=$(head -c 9000 /dev/zero | tr '\0' a)
check "9000-byte header: 431" [ "$(status "$U/hello.txt" -H "X-Big: $big")" = 431 ]
check "9000-byte path: 414" [ "$(status "$U/$big")" = 414 ]
hdrs=()
for i in $(seq 120); do
	hdrs+=(-H "X-H$i: v")
done
check "120 header lines: 431" [ "$(status "$U/hello.txt" "${hdrs[@]}")" = 431 ]
check "garbage request line: 400" [ "$(raw 'x y z')" = "HTTP/1.1 400 Bad Request" ]

# s_client holds a connection (the checks' own clients are curl)
s_client_connected()
{
	ss -Htnp state established "dport = :$PORT" | grep -q '"openssl"'
}

# slowloris: half a request, then silence until the test is done with it;
# the request timeout answers 408 and closes, which ends s_client
(printf 'GET /hello.txt HTTP/1.1\r\nHost: l\r\n'
 wait_until 60 [ -e "$T/slow.done" ]) |
	timeout 60 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		-CAfile "$CA" > "$T/slow" 2>/dev/null &
slow=$!
wait_until 60 s_client_connected ||
	fail "the slowloris client did not connect"
check "during slowloris: others served" \
	[ "$(curl_c "$U/hello.txt")" = "hello from ktls-serve" ]
wait $slow
touch "$T/slow.done"
check "slowloris: 408 after the request timeout" \
	grep -aq "^HTTP/1.1 408" "$T/slow"

# A client that stops reading mid-file: the send timeout ends it. It is
# stalled once the server's send queue holds data it does not take (it is
# the only client then).
server_queued()
{
	ss -Htn state established "sport = :$PORT" |
		awk '$2 > 0 { n++ } END { exit !n }'
}
(printf 'GET /ten.bin HTTP/1.1\r\nHost: l\r\n\r\n'
 wait_until 60 [ -e "$T/stuck.done" ]) |
	timeout 60 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		-CAfile "$CA" 2>/dev/null |
	wait_until 60 [ -e "$T/stuck.done" ] &
stuck=$!
wait_until 60 server_queued || fail "the stalling client got no data"
check "while a client stalls mid-file: others get 10 MiB intact" \
	bash -c "curl -sS --cacert '$CA' '$U/ten.bin' | cmp -s - '$R/ten.bin'"
check "stalled client: closed by the send timeout, logged aborted" \
	wait_line "$T/access.log" \
		'"GET /ten.bin HTTP/1.1" 200 [0-9]* .* aborted$' 60
touch "$T/stuck.done"
wait $stuck 2>/dev/null

# a client that vanishes after 100 KB
aborted()
{
	[ "$(grep -c 'aborted$' "$T/access.log")" -ge "$1" ]
}
curl_c "$U/ten.bin" 2>/dev/null | head -c 100000 > /dev/null
check "vanished client: logged aborted" wait_until 60 aborted 2
check "after the vanished client: served" \
	[ "$(curl_c "$U/hello.txt")" = "hello from ktls-serve" ]

# 1,000 concurrent connections. Under emulation the server
# completes about 15 handshakes a second, so the last ones wait a minute:
# a server with a long handshake timeout takes them.
stop_serve
start_serve --handshake-timeout 300
fds0=$(server_fds)
# curl runs at most 300 transfers at once: four curls of 250 each
for k in 1 2 3 4; do
	for i in $(seq 250); do
		echo "url = \"$U/r16k+1?$k-$i\""
		echo "output = \"/dev/null\""
	done > "$T/many$k.cfg"
done
t0=$SECONDS
pids=
for k in 1 2 3 4; do
	curl -sS --cacert "$CA" --parallel --parallel-immediate \
		--parallel-max 250 -w '%{http_code} %{size_download}\n' \
		-K "$T/many$k.cfg" > "$T/many$k" 2> "$T/many$k.err" &
	pids="$pids $!"
done
alive()
{
	local p

	for p in $pids; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}
peak=0
while alive; do
	n=$(ss -Htn state established "sport = :$PORT" | wc -l)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.5
done
# shellcheck disable=SC2086
wait $pids
cat "$T"/many[1-4] > "$T/many"
cat "$T"/many[1-4].err > "$T/many.err"
echo "# 1000 parallel fetches in $((SECONDS - t0)) s, at most $peak connections open at once"
check "1,000 concurrent: at least 900 connections open at once ($peak)" \
	[ "$peak" -ge 900 ]
check "1,000 concurrent: all 200 with 16385 bytes" \
	[ "$(grep -c '^200 16385$' "$T/many")" = 1000 ]
sort "$T/many" | uniq -c | sed 's/^/# /'
sort "$T/many.err" | uniq -c | head -n 5 | cut -c1-200 | sed 's/^/# /'
check "1,000 concurrent: server alive, others served" \
	[ "$(curl_c "$U/hello.txt")" = "hello from ktls-serve" ]
# the last connections close after curl's exit: wait for them to go
fds_back() { [ "$(server_fds)" = "$fds0" ]; }
wait_until 60 fds_back
fds1=$(server_fds)
check "no fd left behind (before $fds0, after $fds1)" [ "$fds1" = "$fds0" ]
check "no crash or error message from the server" \
	[ -z "$(grep -v -e 'serving' -e 'TLS handshake failed' "$T/serve.err")" ]
stop_serve
finish
