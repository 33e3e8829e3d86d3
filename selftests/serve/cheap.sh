#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What makes ktls-serve cheap per request and per connection, seen from
# outside:
# - a head and a small body leave as ONE TLS record (MSG_MORE keeps the
#   kernel's record open), a 16 KiB + 1 body as two, counted on the wire by
#   OpenSSL's message trace, bodies intact, for TLS 1.2 and 1.3 in-process
#   and TLS 1.3 through ktlsd (a socket handed back, no session here);
#   answers without a body (HEAD, 304) still arrive;
# - the open-file cache keeps a file's fd between requests, never serves
#   a replaced, truncated, rewritten, grown or deleted file stale (bytes and
#   ETag checked after each change), holds at most --file-cache files and
#   closes what it drops;
# - TLS 1.3 connections have TLS_RX_EXPECT_NO_PAD set (ktls-stat);
# - TLS 1.3 and 1.2 clients resume with a ticket, in-process and with ktlsd.
#
#   openssl s_client -msgfile / curl --TLS--> ktls-serve (127.0.0.1)
#                                               \--- ktlsd (handshakes)
#
# ktlskit-timeout: 600

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
make_payload "$R/f4k" 4096
STAT=$KTLSKIT_REPO/build/bin/ktls-stat

# data_records VER REQUEST_FILE OUT: send the request, keep the answer's
# bytes in OUT, print how many application-data records the server sent
# after its Finished (a record is data when OpenSSL's trace shows no
# message in it: TLS 1.3 adds only an InnerContent line)
data_records()
{
	timeout 60 openssl s_client -quiet -ign_eof -tls"${1/./_}" \
		-connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" \
		-verify_return_error -msg -msgfile "$3.msg" < "$2" > "$3" \
		2> "$3.err"
	awk '/^<<< / {
		if (/RecordHeader/) {
			if (open && !other && fin)
				n++
			open = 1
			other = 0
			next
		}
		if (/Finished/)
			fin = 1
		if (!/InnerContent/)
			other = 1
	}
	END {
		if (open && !other && fin)
			n++
		print n + 0
	}' "$3.msg"
}

# request FILE METHOD PATH [HEADER]: a one-shot request (Connection: close)
request()
{
	printf '%s %s HTTP/1.1\r\nHost: localhost\r\n%sConnection: close\r\n\r\n' \
		"$2" "$3" "${4:+$4$'\r\n'}" > "$1"
}

# one_record MODE VER: the record counts and bodies of small answers
one_record()
{
	local m=$1 v=$2 n f

	for f in one hello.txt f4k r16k+1; do
		request "$T/req" GET "/$f"
		n=$(data_records "$v" "$T/req" "$T/got")
		body_of "$T/got" "$T/body"
		check "$m TLS $v: /$f arrives intact" same_hash "$T/body" "$R/$f"
		if [ "$f" = r16k+1 ]; then
			check "$m TLS $v: head and 16385 bytes in 2 records (got $n)" \
				[ "$n" = 2 ]
		else
			check "$m TLS $v: head and body of /$f in one record (got $n)" \
				[ "$n" = 1 ]
		fi
	done
	request "$T/req" HEAD /f4k
	n=$(data_records "$v" "$T/req" "$T/got")
	h=$(grep -ac '^Content-Length: 4096' "$T/got")
	check "$m TLS $v: a HEAD answer arrives, one record (got $n)" \
		[ "$n" = 1 -a "$h" = 1 ]
	etag=$(tr -d '\r' < "$T/got" | sed -n 's/^ETag: //p')
	request "$T/req" GET /f4k "If-None-Match: $etag"
	n=$(data_records "$v" "$T/req" "$T/got")
	h=$(grep -ac '^HTTP/1.1 304' "$T/got")
	check "$m TLS $v: a 304 arrives, one record (got $n)" \
		[ "$n" = 1 -a "$h" = 1 ]
}

# resumes MODE VER: a second handshake with the first one's ticket resumes
resumes()
{
	rm -f "$T/sess"
	# a TLS 1.3 ticket comes after the handshake: read an answer first
	request "$T/req" GET /hello.txt
	openssl s_client -tls"${2/./_}" -connect "127.0.0.1:$PORT" \
		-servername localhost -CAfile "$CA" -sess_out "$T/sess" \
		-ign_eof < "$T/req" > "$T/s1" 2>&1
	openssl s_client -tls"${2/./_}" -connect "127.0.0.1:$PORT" \
		-servername localhost -CAfile "$CA" -sess_in "$T/sess" \
		< /dev/null > "$T/s2" 2>&1
	check "$1 TLS $2: the second handshake resumes ($(grep -m1 -E '^(New|Reused),' "$T/s2"))" \
		grep -q "^Reused, TLSv$2" "$T/s2"
}

# no_pad VER: whether the server ends of live TLS VER connections have
# TLS_RX_EXPECT_NO_PAD, by ktls-stat: "true" (all), "false", or "none"
no_pad()
{
	local fd pid

	rm -f "$T/np.in"
	mkfifo "$T/np.in"
	openssl s_client -quiet -no_ign_eof -tls"${1/./_}" \
		-connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" \
		< "$T/np.in" > "$T/np.out" 2>/dev/null &
	pid=$!
	track $pid
	exec {fd}> "$T/np.in"
	printf 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n' >&$fd
	# an answer means the server's end is in the kernel (checked below)
	wait_line "$T/np.out" "hello from ktls-serve" 30 || :
	"$STAT" -c -j -p "$PORT" > "$T/np.json"
	exec {fd}>&-
	wait $pid
	python3 -c '
import json, sys
port, ver = int(sys.argv[1]), sys.argv[2]
def walk(o):
	if isinstance(o, dict):
		if (o.get("local_port") == port and o.get("state") == "ESTAB" and
		    o.get("tls_version") == ver):
			yield o
		for v in o.values():
			yield from walk(v)
	elif isinstance(o, list):
		for v in o:
			yield from walk(v)
c = list(walk(json.load(open(sys.argv[3]))))
print("none" if not c else
      "true" if all(x.get("rx_no_pad") is True for x in c) else "false")
' "$PORT" "$1" "$T/np.json"
}

# every_version MODE VERSIONS: records, resumption and RX options of the
# running server (records for each of VERSIONS; each check costs handshakes,
# some 15 s each under emulation)
every_version()
{
	local v np

	for v in $2; do
		one_record "$1" "$v"
	done
	for v in 1.3 1.2; do
		resumes "$1" "$v"
	done
	np=$(no_pad 1.3)
	check "$1 TLS 1.3: the server's socket has TLS_RX_EXPECT_NO_PAD (got $np)" \
		[ "$np" = true ]
	np=$(no_pad 1.2)
	check "$1 TLS 1.2: no TLS_RX_EXPECT_NO_PAD, a TLS 1.3 option (got $np)" \
		[ "$np" = false ]
}

# --- in-process ------------------------------------------------------------
start_serve --workers 1 --file-cache 4 --access-log none
every_version inproc "1.3 1.2"

# --- the open-file cache ---------------------------------------------------
mkdir -p "$R/c" "$R/many"
# fds of the server open on PATH (and "(deleted)" ones)
fds_on()
{
	ls -l "/proc/$SPID/fd" 2>/dev/null | grep -c -- "-> $1" || :
}
# get PATH OUT: body in OUT, ETag printed
get()
{
	curl_c -s -D "$2.h" -o "$2" "$U$1"
	tr -d '\r' < "$2.h" | sed -n 's/^ETag: //p'
}
make_payload "$R/c/a" 1000
cp "$R/c/a" "$T/a1"
e1=$(get /c/a "$T/b")
check "cache: first answer intact" same_hash "$T/b" "$T/a1"
check "cache: the file stays open between requests" [ "$(fds_on "$R/c/a")" = 1 ]
e=$(get /c/a "$T/b")
check "cache: a hit is intact, same ETag" same_hash "$T/b" "$T/a1"
check "cache: a hit has the same ETag" [ "$e" = "$e1" ]

make_payload "$T/a2" 1000
cp "$T/a2" "$R/c/.new" && mv "$R/c/.new" "$R/c/a"
e2=$(get /c/a "$T/b")
check "cache: a file replaced by rename (same size) is served new" \
	same_hash "$T/b" "$T/a2"
check "cache: ... with a new ETag" [ -n "$e2" -a "$e2" != "$e1" ]
check "cache: ... and the replaced file's fd is closed" \
	[ "$(ls -l "/proc/$SPID/fd" | grep -c '(deleted)')" = 0 ]

truncate -s 10 "$R/c/a"
head -c 10 "$T/a2" > "$T/a3"
e3=$(get /c/a "$T/b")
check "cache: a truncated file is served at its new length" \
	same_hash "$T/b" "$T/a3"
check "cache: ... with a new ETag" [ "$e3" != "$e2" ]

printf 'rewritten!' | dd of="$R/c/a" conv=notrunc status=none
printf 'rewritten!' > "$T/a4"
get /c/a "$T/b" > /dev/null
check "cache: a file rewritten in place (same size) is served new" \
	same_hash "$T/b" "$T/a4"

make_payload "$T/more" 5000
cat "$T/more" >> "$R/c/a"
cat "$T/a4" "$T/more" > "$T/a5"
get /c/a "$T/b" > /dev/null
check "cache: a grown file is served whole" same_hash "$T/b" "$T/a5"

rm "$R/c/a"
check "cache: a deleted file is 404" [ "$(status "$U/c/a")" = 404 ]
check "cache: ... and its fd is closed" \
	[ "$(ls -l "/proc/$SPID/fd" | grep -c '(deleted)')" = 0 ]
ln -s /etc/passwd "$R/c/a"
check "cache: a symbolic link out of the root in its place is 403" \
	[ "$(status "$U/c/a")" = 403 ]
rm "$R/c/a"
mkdir "$R/c/a"
check "cache: a folder in its place redirects (301)" \
	[ "$(status "$U/c/a")" = 301 ]

urls=()
for i in $(seq 10); do
	make_payload "$R/many/$i" $((100 + i))
	urls+=(-o "$T/m$i" "$U/many/$i")
done
curl_c -s "${urls[@]}"
ok_all=1
for i in $(seq 10); do
	same_hash "$T/m$i" "$R/many/$i" || ok_all=0
done
check "cache: ten files through a cache of four arrive intact" [ "$ok_all" = 1 ]
n=$(fds_on "$R/many/")
check "cache: --file-cache 4 keeps at most 4 files open (got $n)" \
	[ "$n" -ge 1 -a "$n" -le 4 ]
stop_serve

start_serve --workers 1 --file-cache 0 --access-log none
get /hello.txt "$T/b" > /dev/null
check "--file-cache 0: answers intact" same_hash "$T/b" "$R/hello.txt"
check "--file-cache 0: no file kept open" [ "$(fds_on "$R/hello.txt")" = 0 ]
stop_serve

# --- ktlsd -----------------------------------------------------------------
need_cmd ktlsd
start_web_ktlsd
start_daemon_serve --workers 1 --access-log none
every_version ktlsd 1.3
stop_serve
sed 's/^/# ktls-serve: /' "$T/serve.err"
finish
