#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# HTTP semantics of ktls-serve over kTLS: single ranges (first, middle,
# last, suffix, open-ended, past the end), HEAD, conditional requests
# (304 by ETag and by date, If-Range), content types, folders (index,
# redirect, 403, --list), 100 requests on one keep-alive connection,
# pipelined requests, and HTTP/1.0 clients.
#
#   curl / openssl s_client --TLS--> ktls-serve (127.0.0.1)

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
start_serve
F=$R/ten.bin
SZ=$(stat -c %s "$F")

# range SPEC FIRST COUNT: a 206 with exactly those bytes
range()
{
	local spec=$1 first=$2 count=$3 code

	code=$(curl_c -o "$T/part" -w '%{http_code}' -r "$spec" "$U/ten.bin")
	tail -c +$((first + 1)) "$F" | head -c "$count" > "$T/want"
	[ "$code" = 206 ] && cmp -s "$T/part" "$T/want"
}
check "range first byte 0-0" range 0-0 0 1
check "range first 100 bytes" range 0-99 0 100
check "range middle 1 MiB" range 4194304-5242879 4194304 1048576
check "range last byte" range $((SZ - 1))-$((SZ - 1)) $((SZ - 1)) 1
check "range suffix bytes=-1000" range -1000 $((SZ - 1000)) 1000
check "range open-ended bytes=10000000-" range 10000000- 10000000 \
	$((SZ - 10000000))
check "range end past the size is clipped" range 10485000-99999999 \
	10485000 760
curl_c -D "$T/h" -o /dev/null -r 0-99 "$U/ten.bin"
check "206 has Content-Range bytes 0-99/$SZ" \
	grep -q "^Content-Range: bytes 0-99/$SZ" "$T/h"
check "range past the end is 416" \
	[ "$(status "$U/ten.bin" -r $SZ-)" = 416 ]
curl_c -D "$T/h" -o /dev/null -r $((SZ + 5))- "$U/ten.bin"
check "416 has Content-Range bytes */$SZ" \
	grep -q "^Content-Range: bytes \*/$SZ" "$T/h"
check "range on an empty file is 416" [ "$(status "$U/empty" -r 0-)" = 416 ]
check "several ranges: the whole file (200)" \
	[ "$(status "$U/ten.bin" -r 0-1,5-6)" = 200 ]

# HEAD: the GET headers, no body
curl_c -D "$T/get" -o /dev/null "$U/ten.bin"
check "HEAD: no body" \
	[ "$(curl_c -D "$T/head" -o /dev/null -w '%{size_download}' -I "$U/ten.bin")" = 0 ]
check "HEAD: same Content-Length as GET" \
	[ "$(grep -i ^content-length "$T/head")" = "$(grep -i ^content-length "$T/get")" ]
check "HEAD: same ETag as GET" \
	[ "$(grep -i ^etag "$T/head")" = "$(grep -i ^etag "$T/get")" ]

# conditional requests
etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$T/get")
lm=$(sed -n 's/^Last-Modified: \(.*\)\r$/\1/p' "$T/get")
check "If-None-Match with our ETag: 304" \
	[ "$(status "$U/ten.bin" -H "If-None-Match: $etag")" = 304 ]
check "If-None-Match: * is 304" \
	[ "$(status "$U/ten.bin" -H "If-None-Match: *")" = 304 ]
check "If-None-Match with another ETag: 200" \
	[ "$(status "$U/ten.bin" -H 'If-None-Match: "nope"')" = 200 ]
check "If-Modified-Since Last-Modified: 304" \
	[ "$(status "$U/ten.bin" -H "If-Modified-Since: $lm")" = 304 ]
check "If-Modified-Since long ago: 200" \
	[ "$(status "$U/ten.bin" -H "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT")" = 200 ]
check "If-None-Match wins over If-Modified-Since" \
	[ "$(status "$U/ten.bin" -H 'If-None-Match: "nope"' -H "If-Modified-Since: $lm")" = 200 ]
check "If-Range with our ETag: 206" \
	[ "$(status "$U/ten.bin" -r 0-9 -H "If-Range: $etag")" = 206 ]
check "If-Range with an old ETag: 200" \
	[ "$(status "$U/ten.bin" -r 0-9 -H 'If-Range: "old"')" = 200 ]
curl_c -D "$T/h" -o "$T/b" -H "If-None-Match: $etag" "$U/ten.bin"
check "304 has no body" [ ! -s "$T/b" ]
check "304 carries the ETag" grep -q "^ETag: $etag" "$T/h"

# types and folders
ctype()
{
	curl_c -o /dev/null -w '%{content_type}' "$U/$1"
}
check "Content-Type of .txt" [ "$(ctype hello.txt)" = "text/plain; charset=utf-8" ]
check "Content-Type of .mp4" [ "$(ctype clip.mp4)" = "video/mp4" ]
check "Content-Type of .bin" [ "$(ctype ten.bin)" = "application/octet-stream" ]
check "folder with index.html: 200 and the index" \
	[ "$(curl_c "$U/sub/")" = "<p>index</p>" ]
curl_c -D "$T/h" -o /dev/null "$U/sub"
check "folder without a slash: 301 to the slash" \
	grep -q "^Location: /sub/" "$T/h"
check "folder without index, no --list: 403" [ "$(status "$U/nodx/")" = 403 ]
check "missing file: 404" [ "$(status "$U/nothing-here")" = 404 ]
check "POST: 405" [ "$(status "$U/hello.txt" -X POST)" = 405 ]
curl_c -D "$T/h" -o /dev/null -X DELETE "$U/hello.txt"
check "405 says Allow: GET, HEAD" grep -q "^Allow: GET, HEAD" "$T/h"

# 100 requests on one connection
args=()
for i in $(seq 100); do
	args+=(-o /dev/null "$U/r16k+1")
done
lines0=$(log_lines)
curl_c -w '%{num_connects} %{http_code} %{size_download}\n' "${args[@]}" \
	> "$T/ka"
check "keep-alive: 100 answers of 200 with 16385 bytes" \
	[ "$(grep -c ' 200 16385$' "$T/ka")" = 100 ]
check "keep-alive: one TCP connection for 100 requests" \
	[ "$(awk '{ n += $1 } END { print n }' "$T/ka")" = 1 ]
check "keep-alive: 100 access-log lines from one client port" \
	[ "$(tail -n +$((lines0 + 1)) "$T/access.log" | awk '{ print $2 }' | sort -u | wc -l)" = 1 ]

# pipelining: four requests in one write, answered in order
{
	printf 'GET /hello.txt HTTP/1.1\r\nHost: l\r\n\r\n'
	printf 'HEAD /r16k HTTP/1.1\r\nHost: l\r\n\r\n'
	printf 'GET /nothing HTTP/1.1\r\nHost: l\r\n\r\n'
	printf 'GET /one HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n'
} | openssl s_client -quiet -connect "127.0.0.1:$PORT" -CAfile "$CA" \
	> "$T/pipe" 2>/dev/null
check "pipelining: four answers, in order" \
	[ "$(grep -a '^HTTP/1.1' "$T/pipe" | tr -d '\r' | tr '\n' ,)" = "HTTP/1.1 200 OK,HTTP/1.1 200 OK,HTTP/1.1 404 Not Found,HTTP/1.1 200 OK," ]
check "pipelining: the last answer closes" \
	[ "$(grep -a '^Connection:' "$T/pipe" | tail -n 1 | tr -d '\r')" = "Connection: close" ]

# HTTP/1.0: no Host needed, closed after the answer unless keep-alive
printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
	timeout 20 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		-CAfile "$CA" > "$T/h10" 2>/dev/null
check "HTTP/1.0: answered and closed" \
	grep -aq "^hello from ktls-serve" "$T/h10"
check "HTTP/1.0: Connection: close" grep -aq "^Connection: close" "$T/h10"
check "HTTP/1.0 with curl" [ "$(curl_c --http1.0 "$U/hello.txt")" = "hello from ktls-serve" ]
stop_serve

start_serve --list
curl_c "$U/nodx/" > "$T/list"
check "--list: folder listing links file.txt" \
	grep -q 'href="file.txt"' "$T/list"
stop_serve
finish
