#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Client role through ktlsd against openssl s_server: the application
# connects, hands the socket to ktlsd (profile "client": trust anchor,
# server name server.test), and moves data on the returned kTLS socket.
# Then the failures a person must be able to act on: untrusted, wrong host,
# expired certificates, each with its reason and sentence. Then resumption
# with the tickets ktlsd keeps per profile and server name (TLS 1.2: from
# the handshake; TLS 1.3: the application hands the ticket back).
#
#   ktlsd-client connect --TCP--> openssl s_server
#        | fd
#        v
#      ktlsd
#
# The receive case feeds s_server's stdin only after the handoff. s_server
# serves stdin and the socket from one select() loop with a blocking
# socket: when its first select() finds both readable (our ClientHello
# already queued, stdin already full), its SSL_write() runs the whole
# handshake and sends one 16 KiB record, and then the same pass calls
# SSL_read(), which waits for data from a client that only receives. That
# stalled this case under host load (the ClientHello then beats s_server
# to its first select()); the test now forces that order every time by
# holding s_server stopped until the ClientHello is queued.
#
# ktlskit-timeout: 600

. "$(dirname "$0")/lib.bash"
need_cmd openssl sha256sum
ktlsd_setup
write_conf
cat >> "$CONF" <<EOC

[profile client12]
role = client
ca = $P/root.crt
server_name = server.test
max_version = 1.2
allow_uid = 0
EOC
start_ktlsd
make_payload "$T/in" 300000
# stdin for an s_server that must send nothing yet never see its input
# end: a FIFO nobody writes to, held open on fd 8. (A `sleep 120 |
# s_server &` pipeline did the same, but cleanup_tmp's final wait then
# lasted until the last sleep ended: two minutes of this test's time.)
mkfifo "$T/idle"
exec 8<>"$T/idle"

# s_server [ARGS...]: openssl s_server on $port serving $cert; callers
# run it in the background, then wait_port
s_server()
{
	exec openssl s_server -accept "$port" -cert "$P/$cert.crt" \
		-key "$P/$cert.key" -cert_chain "$P/intermediates.pem" "$@"
}

# wait_queued PORT: print the bytes waiting at the accepting end of the
# connection to PORT once there are any (nothing after 60 s)
wait_queued()
{
	local i q
	for ((i = 0; i < 600; i++)); do
		q=$(ss -Htn state established "sport = :$1" | awk '{ print $1 }')
		[ "${q:-0}" -gt 0 ] && { echo "$q"; return; }
		sleep 0.1
	done
}

cert=server-ec
for ver in 1.2 1.3; do
	# receive: s_server sends its stdin, then closes at its end. Its
	# stdin gets the file only once ktlsd handed the socket back (see the
	# top): s_server's first pass must see the socket alone. That also
	# keeps the end after the handoff: kTLS attaches only to an
	# established connection, and a FIN before that is refused by name
	# (ktlsd/early-fin).
	port=$(free_port)
	rm -f "$T/ssin"
	mkfifo "$T/ssin"
	s_server -naccept 1 -quiet -no_ign_eof -tls${ver/./_} < "$T/ssin" \
		> /dev/null 2>"$T/peer.err" &
	srv=$!
	track $srv
	exec 7>"$T/ssin"
	wait_port "$port"
	kill -STOP $srv
	# (without 7>&- the client would hold s_server's stdin open itself)
	timeout 120 "$CLIENT" --recv "$T/out" connect "127.0.0.1:$port" > "$T/app" \
		2>"$T/app.err" 7>&- &
	app=$!
	queued=$(wait_queued "$port")
	kill -CONT $srv
	[ "$queued" ] || fail "TLS $ver receive: no ClientHello reached s_server"
	wait_line "$T/app" '^(ok|error) ' 120 || fail "TLS $ver receive: no handshake result"
	cat "$T/in" >&7 &
	feeder=$!
	track $feeder
	exec 7>&-
	wait $app ||
		fail "TLS $ver receive: status $?, got $(stat -c %s "$T/out") bytes: $(cat "$T/app" "$T/app.err" "$T/peer.err")"
	expect_line "$T/app" "^ok version=$ver .*sni=server.test peer=.*CN=server.test.* tx=kernel-sw rx=kernel-sw" \
		"TLS $ver client"
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "TLS $ver: received $(stat -c %s "$T/out") bytes, not the file: $(cat "$T/app" "$T/app.err" "$T/peer.err")"
	pass "client TLS $ver: 300000 bytes from s_server through kTLS"

	# send: s_server prints what it gets
	port=$(free_port)
	s_server -naccept 1 -quiet -tls${ver/./_} <&8 > "$T/out" \
		2>"$T/peer.err" &
	track $!
	wait_port "$port"
	timeout 120 "$CLIENT" --send "$T/in" connect "127.0.0.1:$port" > "$T/app" \
		2>"$T/app.err" || fail "TLS $ver send: $(cat "$T/app" "$T/app.err")"
	for ((i = 0; i < 100; i++)); do
		[ "$(stat -c %s "$T/out")" -ge 300000 ] && break
		sleep 0.2
	done
	[ "$(sha256 "$T/in")" = "$(sha256 "$T/out")" ] ||
		fail "TLS $ver: s_server got $(stat -c %s "$T/out") bytes, not the file"
	pass "client TLS $ver: 300000 bytes to s_server through kTLS"
done

# certificates that must be refused, with a sentence naming the problem
while read -r cert reason words; do
	port=$(free_port)
	s_server -naccept 1 -quiet <&8 > /dev/null 2>&1 &
	track $!
	wait_port "$port"
	timeout 120 "$CLIENT" connect "127.0.0.1:$port" > "$T/app" 2>&1 &&
		fail "$cert: handshake succeeded"
	expect_line "$T/app" "^error status=-[0-9]+ reason=$reason: .*$words" \
		"$cert"
	pass "client refuses $cert: $(cut -d: -f2- "$T/app")"
done <<EOL
untrusted cert-untrusted not signed by a trusted CA
wrong-host hostname-mismatch does not match host
expired cert-expired expired on
EOL

# TLS 1.2 resumption: the ticket comes inside the handshake; ktlsd keeps
# it only for a profile limited to TLS 1.2 (resuming pins the version)
cert=server-ec
port=$(free_port)
s_server -naccept 2 -quiet -tls1_2 <&8 > /dev/null 2>"$T/peer.err" &
track $!
wait_port "$port"
timeout 120 "$CLIENT" --profile client12 --count 2 connect "127.0.0.1:$port" \
	> "$T/app" 2>&1 || fail "TLS 1.2 resumption: $(cat "$T/app")"
[ "$(sed -n 2p "$T/app" | grep -c 'resumed=1')" = 1 ] ||
	fail "TLS 1.2: second handshake was not resumed: $(cat "$T/app")"
pass "client TLS 1.2: second connection resumed with the ticket ktlsd kept"

# TLS 1.3: the ticket arrives on the kTLS socket; the application hands it
# back to ktlsd (which keeps the session for that), and the next handshake
# to the same profile and name resumes. s_server -rev answers each line
# reversed and closes after our close_notify.
echo hello > "$T/line"
port=$(free_port)
s_server -naccept 2 -rev -tls1_3 > /dev/null 2>"$T/peer.err" &
track $!
wait_port "$port"
timeout 120 "$CLIENT" --count 2 --send "$T/line" --recv - --handback \
	connect "127.0.0.1:$port" > "$T/app" 2>&1 ||
	fail "TLS 1.3 resumption: $(cat "$T/app")"
expect_line "$T/app" "^handback type=4 .*ok" "TLS 1.3 ticket hand-back"
[ "$(grep '^ok' "$T/app" | sed -n 2p | grep -c 'resumed=1')" = 1 ] ||
	fail "TLS 1.3: second handshake was not resumed: $(cat "$T/app")"
pass "client TLS 1.3: ticket handed back, second connection resumed"
ktlsd_alive
