#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Key logging only when asked for (--keylog, a ktlsd profile's
# keylog_file): every role writes NSS key log lines that are the same as
# the ones OpenSSL writes for the same connection, that let tshark decrypt
# a capture of it to exactly the bytes that were sent, with a warning, in
# a file of mode 0600; the kernel carried every connection. TLS 1.3 is
# logged with wolfSSL's secret callback, also across a HelloRetryRequest
# and a resumed handshake; a wolfSSL without it (make WOLFSSL=system)
# refuses TLS 1.3 with reason keylog-tls13 instead.
#
#   ktls-cat connect --keylog ---------> openssl s_server -keylogfile  1.2
#   ktls-cat connect --keylog --count 2 > s_server -groups P-384       1.3
#                                        (HelloRetryRequest, then resumed)
#   openssl s_client -keylogfile ------> ktls-cat listen --keylog      1.3
#                                        (twice, then resumed)
#   s_client GET ----------------------> ktls-serve --inproc --keylog  1.3
#   s_client GET --> ktls-serve --ktlsd --> ktlsd (as nobody), profile
#                                        keylog_file in a root-only folder
#   all of it captured by tcpdump, decrypted by tshark with our lines only

. "$(dirname "$0")/../lib/interop.bash"
. "$(dirname "$0")/../ktlsd/lib.bash"
need_cmd openssl ss tcpdump tshark perl
need_cat
. "$(dirname "$0")/pki.bash"

TMO=${TMO:-40}
SERVE=$KTLSKIT_REPO/build/bin/ktls-serve
[ -x "$SERVE" ] || skip "build/bin/ktls-serve is not built"
command -v ktlsd >/dev/null || skip "ktlsd is not built (make)"
leaf srv srv.test
PAY=$T/pay
make_payload "$PAY" 40000
mkdir -p "$T/root" "$T/private"
chmod 700 "$T/private"
cp "$PAY" "$T/root/pay"
# s_server ends a connection when its input ends: this shell holds the
# input open until the test exits
mkfifo "$T/hold"
exec 3<> "$T/hold"

P12=$((PORT + 1)) P13=$((PORT + 2)) PLS=$((PORT + 3))
PSV=$((PORT + 4)) PKD=$((PORT + 5))

# lines FILE: its key log lines, sorted, without comments
lines() {
	grep -v '^#' "$1" | sort
}

# same_lines OURS THEIRS: the same lines, and at least one
same_lines() {
	[ -s "$1" ] && [ "$(lines "$1")" = "$(lines "$2")" ] && return 0
	echo "# ours:"; sed 's/^/#   /' "$1"
	echo "# OpenSSL's:"; sed 's/^/#   /' "$2"
	return 1
}

# cat_client VERSION PORT [ARGS...]: ktls-cat connect sends $PAY to an
# s_server with its own key log; both end on their own
cat_client() {
	local v=$1 port=$2 srv

	shift 2
	timeout $TMO openssl s_server -accept "$port" -quiet \
		-cert "$Q/srv.crt" -key "$Q/srv.key" \
		-keylogfile "$T/theirs.$port" "$@" \
		> "$T/got.$port" 2> "$T/peer.$port" < "$T/hold" &
	srv=$!
	wait_listen "$port" || fail "s_server did not start"
	timeout $TMO "$CAT" connect "127.0.0.1:$port" --tls "$v" \
		--sni srv.test --ca "$Q/ca.crt" --keylog "$T/ours.$port" \
		--sendfile "$PAY" --count "$COUNT" --json \
		> /dev/null 2> "$T/cat.$port" || kill $srv
	wait $srv
}

# cat_server: s_client with its own key log gets $PAY from ktls-cat listen
# twice, the second time resuming with the first connection's ticket
cat_server() {
	local cat

	timeout $TMO "$CAT" listen "127.0.0.1:$PLS" --tls 1.3 --count 2 \
		--cert "$Q/srv.crt" --key "$Q/srv.key" --keylog "$T/ours.$PLS" \
		--sendfile "$PAY" --json > /dev/null 2> "$T/cat.$PLS" &
	cat=$!
	wait_listen "$PLS" || fail "ktls-cat listen did not start"
	timeout $TMO openssl s_client -connect "127.0.0.1:$PLS" -quiet \
		-servername srv.test -CAfile "$Q/ca.crt" \
		-keylogfile "$T/theirs.$PLS" -sess_out "$T/sess" < /dev/null \
		> "$T/got.$PLS" 2> "$T/peer.$PLS"
	timeout $TMO openssl s_client -connect "127.0.0.1:$PLS" -quiet \
		-servername srv.test -CAfile "$Q/ca.crt" \
		-keylogfile "$T/theirs.$PLS" -sess_in "$T/sess" < /dev/null \
		> "$T/got2.$PLS" 2>> "$T/peer.$PLS"
	wait $cat
}

# get PORT: s_client with its own key log fetches /pay over HTTP/1.0
get() {
	printf 'GET /pay HTTP/1.0\r\nHost: srv.test\r\n\r\n' |
		timeout $TMO openssl s_client -connect "127.0.0.1:$1" -quiet \
			-servername srv.test -CAfile "$Q/ca.crt" \
			-keylogfile "$T/theirs.$1" \
			> "$T/got.$1" 2> "$T/peer.$1"
}

# serve_get PORT ARGS...: ktls-serve with ARGS answers one get, then stops
serve_get() {
	local port=$1 srv

	shift
	"$SERVE" --listen "127.0.0.1:$port" "$@" \
		serve "$T/root" > /dev/null 2> "$T/serve.$port" &
	srv=$!
	wait_listen "$port" || fail "ktls-serve did not start: $(cat "$T/serve.$port")"
	get "$port"
	kill -TERM $srv
	wait $srv
}

# tail_is FILE: FILE ends with $PAY (an HTTP body after its head)
tail_is() {
	[ "$(tail -c 40000 "$1" | sha256sum)" = "$(sha256sum < "$PAY")" ] ||
		{ echo "# $1: $(stat -c %s "$1") bytes, not ending in the payload"; return 1; }
}

is_pay() {
	same_file "$PAY" "$1"
}

mode600() {
	[ "$(stat -c %a "$1")" = 600 ] || { echo "# $1 has mode $(stat -c %a "$1")"; return 1; }
}

# decrypt: every TCP stream of the capture as tshark decrypts it with our
# key log lines alone, in one pass (tshark is slow under emulation):
# $T/dec.STREAM.{0,1}.bin hold what node 0 and node 1 sent,
# $T/dec.STREAM.port node 0's port; $T/fields has a line "STREAM PORT"
# for each connection's SYN and "STREAM PORT 1" for each ClientHello
decrypt() {
	local s z=()

	cat "$T"/ours.* > "$T/keys"
	for ((s = 0; s < 10; s++)); do
		z+=(-z "follow,tls,raw,$s")
	done
	tshark -r "$KTLSKIT_TMP/wire.pcap" -o "tls.keylog_file:$T/keys" \
		-T fields -e tcp.stream -e tcp.dstport -e tls.handshake.type \
		-Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 || tls.handshake.type == 1' \
		"${z[@]}" > "$T/follow" 2> "$T/tshark.err"
	awk -v d="$T/dec" -v f="$T/fields" '
		!body && /^[0-9]+\t/ { print > f; next }
		/^Filter: tcp.stream eq / { s = $NF; body = 0
			printf "" > (d "." s ".0"); printf "" > (d "." s ".1") }
		/^Node 0: / { p = $3; sub(/.*:/, "", p); print p > (d "." s ".port") }
		/^Node 1: / { body = 1; next }
		/^=+$/ { body = 0 }
		body && /^\t/ { sub(/^\t/, ""); print >> (d "." s ".1"); next }
		body { print >> (d "." s ".0") }' "$T/follow"
	perl -e 'for my $f (@ARGV) {
			open(my $in, "<", $f) or die; open(my $out, ">", "$f.bin") or die;
			while (<$in>) { chomp; print $out pack("H*", $_) } }' \
		"$T"/dec.*.[01]
}

# stream PORT N: the Nth connection to PORT (from 1)
stream() {
	awk -v p="$1" '$2 == p && $3 == "" { print $1 }' "$T/fields" |
		sed -n "${2}p"
}

# sent_by server|client PORT N: the decrypted bytes that side sent
sent_by() {
	local s n

	s=$(stream "$2" "$3")
	[ -n "$s" ] && [ -f "$T/dec.$s.port" ] || return 0
	n=1
	[ "$(cat "$T/dec.$s.port")" = "$2" ] && n=0
	[ "$1" = client ] && n=$((1 - n))
	cat "$T/dec.$s.$n.bin"
}

# decrypted_is server|client PORT N: that side sent exactly $PAY
decrypted_is() {
	sent_by "$@" > "$T/dec.out"
	same_file "$PAY" "$T/dec.out"
}

# decrypted_ends server|client PORT N: an HTTP answer whose body is $PAY
decrypted_ends() {
	sent_by "$@" > "$T/dec.out"
	tail_is "$T/dec.out"
}

hellos() {
	local s

	s=$(stream "$1" "$2")
	[ "$(awk -v s="$s" '$1 == s && $3 == 1' "$T/fields" | wc -l)" = "$3" ] ||
		{ echo "# stream $s: ClientHellos: $(cat "$T/fields")"; return 1; }
}

# secret_callback: the wolfSSL we are built with has HAVE_SECRET_CALLBACK
secret_callback() {
	local id

	id=$(cat "$KTLSKIT_REPO/build/wolfssl.id") || fail "no build/wolfssl.id"
	[ "$id" = system ] && id=/usr
	grep -q '^#define HAVE_SECRET_CALLBACK$' "$id/include/wolfssl/options.h"
}

info_n() {
	grep '"event":"info"' "$1" | sed -n "${2}p" | grep -q "$3"
}

start_capture $P12 $P13 $PLS $PSV $PKD
stats_begin
COUNT=1 cat_client 1.2 $P12 -naccept 1
COUNT=2 cat_client 1.3 $P13 -naccept 2 -groups P-384
if ! secret_callback; then
	# make WOLFSSL=system: the documented refusal
	stop_capture
	CONNS=1
	check "TLS 1.2: our CLIENT_RANDOM line equals OpenSSL's" \
		same_lines "$T/ours.$P12" "$T/theirs.$P12"
	grep -q "\"reason\":\"keylog-tls13\"" "$T/cat.$P13" && [ ! -s "$T/ours.$P13" ]
	check "TLS 1.3 without the secret callback: refused, reason keylog-tls13, nothing logged"
	stats_check
	finish
fi
cat_server
serve_get $PSV --tls-version 1.3 --cert "$Q/srv.crt" --key "$Q/srv.key" \
	--keylog "$T/ours.$PSV"

# ktlsd as nobody: the key log lives where only root can write, opened
# before the privileges go; ktls-serve itself cannot ask for key logging
CONF=$T/ktlsd.conf
SOCK=$T/ktlsd.sock
chmod 755 "$T"
cat > "$CONF" <<EOC
[global]
socket = $SOCK
socket_mode = 0666
lock_memory = no
user = nobody

[profile web]
role = server
cert = $Q/srv.crt
key = $Q/srv.key
keylog_file = $T/private/ours.$PKD
allow_uid = 0
EOC
start_ktlsd
"$SERVE" --ktlsd="$SOCK" --profile web --keylog "$T/x" --listen \
	"127.0.0.1:$PKD" serve "$T/root" 2> "$T/serve.refused"
REFUSED=$?
serve_get $PKD --ktlsd="$SOCK" --profile web
cp "$T/private/ours.$PKD" "$T/ours.$PKD"
stop_capture
decrypt
CONNS=7

check "TLS 1.2: our CLIENT_RANDOM line equals OpenSSL's" \
	same_lines "$T/ours.$P12" "$T/theirs.$P12"
check "TLS 1.2: warning printed" \
	grep -q 'WARNING: TLS 1.2 master secret written' "$T/cat.$P12"
check "TLS 1.2: key log is mode 0600" mode600 "$T/ours.$P12"
kernel_both "$T/cat.$P12" && is_pay "$T/got.$P12"
check "TLS 1.2: the kernel carried it, the server got the payload"
check "TLS 1.2: tshark decrypts the client's data with our line" \
	decrypted_is client $P12 1

hellos $P13 1 2 && info_n "$T/cat.$P13" 2 "\"resumed\":true"
check "TLS 1.3 client: HelloRetryRequest (two ClientHellos), then resumed"
check "TLS 1.3 client: our lines equal OpenSSL's, both connections" \
	same_lines "$T/ours.$P13" "$T/theirs.$P13"
grep -q "WARNING: TLS 1.3 traffic secrets written" "$T/cat.$P13" && mode600 "$T/ours.$P13"
check "TLS 1.3 client: warning printed, key log mode 0600"
kernel_both "$T/cat.$P13" && [ "$(grep -c "\"tx\":\"kernel" "$T/cat.$P13")" = 2 ] && cat "$PAY" "$PAY" | cmp -s - "$T/got.$P13"
check "TLS 1.3 client: the kernel carried both, the server got the payload twice"
check "TLS 1.3 client: tshark decrypts the full handshake's data" \
	decrypted_is client $P13 1
check "TLS 1.3 client: tshark decrypts the resumed handshake's data" \
	decrypted_is client $P13 2

check "TLS 1.3 ktls-cat listen: our lines equal s_client's" \
	same_lines "$T/ours.$PLS" "$T/theirs.$PLS"
kernel_both "$T/cat.$PLS" && is_pay "$T/got.$PLS" && is_pay "$T/got2.$PLS"
check "TLS 1.3 ktls-cat listen: kernel carried both, s_client got the payload"
check "TLS 1.3 ktls-cat listen: second connection resumed" \
	info_n "$T/cat.$PLS" 2 '"resumed":true'
check "TLS 1.3 ktls-cat listen: tshark decrypts the server's data" \
	decrypted_is server $PLS 1
check "TLS 1.3 ktls-cat listen: tshark decrypts the resumed connection" \
	decrypted_is server $PLS 2

same_lines "$T/ours.$PSV" "$T/theirs.$PSV" && grep -q "WARNING: TLS 1.3 traffic" "$T/serve.$PSV" && mode600 "$T/ours.$PSV"
check "TLS 1.3 ktls-serve: our lines equal s_client's, warning, mode 0600"
check "TLS 1.3 ktls-serve: s_client got the file" tail_is "$T/got.$PSV"
check "TLS 1.3 ktls-serve: tshark decrypts the answer" \
	decrypted_ends server $PSV 1

[ $REFUSED = 2 ] && grep -q "profile" "$T/serve.refused"
check "ktls-serve --ktlsd --keylog: refused (status 2), a client never asks"
same_lines "$T/ours.$PKD" "$T/theirs.$PKD" && [ "$(stat -c %U:%a "$T/private/ours.$PKD")" = root:600 ] && grep -q "^Uid:.*65534" /proc/$KTLSD_PID/status
check "ktlsd (as nobody): our lines equal s_client's, key log root's, 0600"
grep -q "warning: profile web writes the secrets" "$T/ktlsd.log" && grep -q "WARNING: TLS 1.3 traffic" "$T/ktlsd.log"
check "ktlsd: warns at load and per handshake"
tail_is "$T/got.$PKD" && decrypted_ends server $PKD 1
check "ktlsd: s_client got the file, tshark decrypts the answer"
stats_check
finish
