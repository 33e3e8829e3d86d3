#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Request smuggling against ktls-serve: a refused method whose
# body is itself a request for a file must never get that file served.
# Each case sends one pipelined stream over one TLS connection (python's
# ssl module, bytes exactly as written) and checks the answers, whether the
# connection then closed, and that the smuggled request never reached the
# access log. Then request lines with quotes, backslashes, high and control
# bytes: every access-log line stays one well-formed line.
#
#   raw_http.py --TLS--> ktls-serve (127.0.0.1)
#     POST /hello.txt  Content-Length: N
#     [GET /secret.txt ...]        <- the body: dropped, never answered
#     GET /hello.txt  Connection: close

. "$(dirname "$0")/serve.bash"
need_serve
need_cmd python3
setup_root
echo "SECRET-CONTENT" > "$R/secret.txt"
start_serve
SMUGGLED=$'GET /secret.txt HTTP/1.1\r\nHost: l\r\n\r\n'
NEXT=$'GET /hello.txt HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n'

# request NAME: the bytes on stdin become case NAME, all sent by one
# raw_http.py below
request()
{
	mkdir -p "$T/cases"
	cat > "$T/cases/$1"
}

# answers NAME: status and Connection per answer, then closed/open
answers()
{
	cut -d' ' -f1,2 "$T/cases/$1.out" | tr '\n' '|'
}

# case_is NAME WANT: the answers are WANT and the secret never left
case_is()
{
	check "$1: answers $2" [ "$(answers "$1")" = "$2" ]
	check "$1: the smuggled request was not served" \
		not grep -q SECRET "$T/cases/$1.out"
}

post()
{
	printf 'POST /hello.txt HTTP/1.1\r\nHost: l\r\n%s\r\n' "$1"
}

# the body is exactly one request for another file
{ post "Content-Length: ${#SMUGGLED}"$'\r\n'; printf %s "$SMUGGLED$NEXT"; } |
	request post
# a body larger than the read buffer (--max-header-bytes 8192), the
# request at its end: dropped over several reads
pad=$(head -c 20000 /dev/zero | tr '\0' x)
{ post "Content-Length: $((20000 + ${#SMUGGLED}))"$'\r\n';
  printf %s "$pad$SMUGGLED$NEXT"; } | request post-20k
# HTTP/1.0 with keep-alive: the same
{ printf 'POST /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n'
  printf 'Content-Length: %d\r\n\r\n%s%s' ${#SMUGGLED} "$SMUGGLED" "$NEXT"; } |
	request post-10
# too large to read and drop: answered, then closed
{ post $'Content-Length: 100000\r\n'; printf %s "$SMUGGLED$NEXT"; } |
	request post-big
# chunked: never read, so closed
{ post $'Transfer-Encoding: chunked\r\n'; printf '0\r\n\r\n%s%s' \
	"$SMUGGLED" "$NEXT"; } | request chunked
# a client waiting for 100 Continue may send its next request instead
{ post "Content-Length: ${#SMUGGLED}"$'\r\nExpect: 100-continue\r\n';
  printf %s "$SMUGGLED$NEXT"; } | request expect
# framings two servers could read differently: 400, then closed
{ post "Content-Length: ${#SMUGGLED}"$'\r\nTransfer-Encoding: chunked\r\n';
  printf %s "$SMUGGLED$NEXT"; } | request cl-te
{ post $'Transfer-Encoding: chunked\r\nContent-Length: 0\r\n';
  printf '0\r\n\r\n%s%s' "$SMUGGLED" "$NEXT"; } | request te-cl
{ post $'Content-Length: 0\r\nContent-Length: '"${#SMUGGLED}"$'\r\n';
  printf %s "$SMUGGLED$NEXT"; } | request cl-cl
{ post "Content-Length: ${#SMUGGLED}, ${#SMUGGLED}"$'\r\n';
  printf %s "$SMUGGLED$NEXT"; } | request cl-list
{ post $'Transfer-Encoding: chunked, identity\r\n';
  printf '0\r\n\r\n%s%s' "$SMUGGLED" "$NEXT"; } | request te-last
# a GET with a body: 400, closed
{ printf 'GET /hello.txt HTTP/1.1\r\nHost: l\r\nContent-Length: %d\r\n\r\n' \
	${#SMUGGLED}; printf %s "$SMUGGLED$NEXT"; } | request get-body

# Hostile request lines for the logs: quotes, backslashes and non-ASCII
# escaped, a request line that does not parse logged as "- -".
printf 'GET /a"b\\c\xff HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n' |
	request log-bytes
printf 'GET /x\r200 FAKE-LINE HTTP/1.1\r\nHost: l\r\n\r\n' | request log-cr
printf 'GET /x\n2026-01-01T00:00:00Z FAKE-LINE "GET / HTTP/1.1" 200\r\n\r\n' |
	request log-lf
printf 'G\x01T /x\x1b[2J HTTP/1.1\r\nHost: l\r\n\r\n' | request log-ctl

python3 "$KTLSKIT_REPO/selftests/serve/raw_http.py" "$PORT" "$CA" 20 \
	"$T"/cases/* 2> "$T/raw_http.err" ||
	fail "raw_http.py: $(tail -n 1 "$T/raw_http.err")"

case_is post "405 keep-alive|200 close|closed|"
case_is post-20k "405 keep-alive|200 close|closed|"
case_is post-10 "405 keep-alive|200 close|closed|"
case_is post-big "405 close|closed|"
case_is chunked "405 close|closed|"
case_is expect "405 close|closed|"
case_is cl-te "400 close|closed|"
case_is te-cl "400 close|closed|"
case_is cl-cl "400 close|closed|"
case_is cl-list "400 close|closed|"
case_is te-last "400 close|closed|"
case_is get-body "400 close|closed|"
check "no request for /secret.txt in the access log" \
	not grep -q secret "$T/access.log"

check "quote, backslash, 0xff: 404" \
	[ "$(answers log-bytes)" = "404 close|closed|" ]
check "quote, backslash, 0xff: escaped in the access log" \
	grep -qF '"GET /a\x22b\x5cc\xff HTTP/1.1" 404' "$T/access.log"
check "CR in the request line: 400" [ "$(answers log-cr)" = "400 close|closed|" ]
check "LF in the request line: 400" [ "$(answers log-lf)" = "400 close|closed|" ]
check "control bytes in the request line: 400" \
	[ "$(answers log-ctl)" = "400 close|closed|" ]
check "no forged line in the access log" not grep -q FAKE-LINE "$T/access.log"
check "no control byte in the access log" \
	not env LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/access.log"
n=$(cat "$T"/cases/*.out | grep -c '^[0-9]')
check "one access-log line per answer ($n)" [ "$(log_lines)" = "$n" ]
check "every access-log line well-formed" \
	not env LC_ALL=C grep -Evq '^[0-9T:-]+Z [0-9.:]+ "[!-~]+ [!-~]+ HTTP/1\.[01]" [0-9]{3} [0-9]+ ' \
	"$T/access.log"
check "no forged line in the error log" not grep -q FAKE-LINE "$T/serve.err"
stop_serve
finish
