#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TLS 1.3 KeyUpdate in daemon mode. ktlsd keeps the TLS session after the
# handshake (keep_sessions, keep_time); the application reads a KeyUpdate
# from its kTLS socket and hands it back with the socket; ktlsd installs
# the peer's next key for RX and, when asked, sends its own and installs it
# for TX. The application can also ask ktlsd to rekey our side. The kernel
# can change kTLS keys from Linux 6.14: on older kernels ktlsd must say so
# in a sentence.
#
#   openssl s_server ("k"/"K" commands) <--kTLS--> ktlsd-client --fd--> ktlsd
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
need_cmd openssl
ktlsd_setup
write_conf "keep_sessions = 16" "keep_time = 60s"
start_ktlsd

new_kernel=
[ "$(printf '%s\n' 6.14 "$(uname -r | cut -d. -f1,2)" | sort -V | head -1)" = 6.14 ] &&
	new_kernel=1

port=$(free_port)
: > "$T/app"
# feed: s_server's input, once our keys are in the kernel: data, a
# KeyUpdate asking for ours ("K"), more data, then EOF (s_server closes).
# Each line waits for the one before to have arrived: s_server takes "K"
# as a command only when one read() returns it alone, and "two" must go
# under the new key, once ktlsd has taken the update back (or refused it).
feed()
{
	wait_line "$T/app" '^ok' 60 || return
	echo one
	wait_line "$T/out" '^one$' 60 || return
	echo K
	wait_line "$T/app" '^handback type=24 ' 60 || return
	grep -q '^handback type=24 .*error' "$T/app" && return
	echo two
	wait_line "$T/out" '^two$' 60
}
feed 2>/dev/null |
	openssl s_server -accept "$port" -naccept 1 -tls1_3 -no_ign_eof \
	-cert "$P/server-ec.crt" -key "$P/server-ec.key" \
	-cert_chain "$P/intermediates.pem" > /dev/null 2>"$T/peer.err" &
track $!
wait_port "$port"
timeout 60 "$CLIENT" --recv "$T/out" --handback connect "127.0.0.1:$port" \
	> "$T/app" 2>&1
rc=$?
expect_line "$T/app" '^ok version=1.3 .*session=[0-9a-f]{16} keep_ms=60000' \
	"session kept"
if [ -n "$new_kernel" ]; then
	[ $rc = 0 ] || fail "KeyUpdate: $(cat "$T/app")"
	expect_line "$T/app" '^handback type=24 .*ok' "KeyUpdate hand-back"
	[ "$(cat "$T/out")" = "$(printf 'one\ntwo')" ] ||
		fail "data around the KeyUpdate: $(cat "$T/out")"
	pass "peer KeyUpdate (update requested) followed through ktlsd; data before and after it arrives"
else
	expect_line "$T/app" '^handback type=24 .*error: the kernel cannot change kTLS keys \(TLS 1.3 KeyUpdate needs Linux 6.14\)' \
		"KeyUpdate on an old kernel (received: $(cat "$T/out"))"
	pass "old kernel: ktlsd says$(grep "handback type=24" "$T/app" | cut -d: -f3- | head -c 100)"
fi

# our own rekey, asking the peer for its: s_server -rev echoes after it
echo hello > "$T/line"
port=$(free_port)
openssl s_server -accept "$port" -naccept 1 -tls1_3 -rev \
	-cert "$P/server-ec.crt" -key "$P/server-ec.key" \
	-cert_chain "$P/intermediates.pem" > /dev/null 2>"$T/peer.err" &
track $!
wait_port "$port"
timeout 60 "$CLIENT" --rekey --echo --send "$T/line" --handback \
	connect "127.0.0.1:$port" > "$T/app" 2>&1
rc=$?
if [ -n "$new_kernel" ]; then
	[ $rc = 0 ] || fail "rekey: $(cat "$T/app")"
	expect_line "$T/app" '^rekey ok' "rekey"
	expect_line "$T/app" '^handback type=24 .*ok' "peer's answering KeyUpdate"
	grep -q olleh "$T/app" || fail "no echo after the rekey: $(cat "$T/app")"
	pass "our rekey through ktlsd; the peer's answering KeyUpdate handed back; echo arrives"
else
	expect_line "$T/app" '^rekey error .*Linux 6.14' "rekey on an old kernel"
	pass "old kernel: rekey refused with a sentence"
fi

grep -Eq 'keyupdate|rekey' "$T/ktlsd.log" || ! [ -n "$new_kernel" ] ||
	fail "no rekey logged"
ktlsd_alive
