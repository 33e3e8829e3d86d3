#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Peers that misbehave end only their own handshake: silence (timeout),
# garbage (not TLS), a hang-up in the middle of a ClientHello; and an
# application that dies after passing its socket. Meanwhile other
# handshakes go through, and no descriptor leaks. A request's own timeout
# (TIMEOUT_MS) is honoured, within max_timeout.
#
#   bash /dev/tcp peer --TCP--> ktlsd-client accept --fd--> ktlsd
#                               ktlsd-client pairs  --fds-->   (at once)
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
ktlsd_setup
write_conf "handshake_timeout = 3s"
start_ktlsd
idle_fds

# peer CMD [ARG...]: the application accepts; the peer runs CMD, which
# talks on fd 3
peer()
{
	local port pid
	port=$(free_port)
	"$CLIENT" $APP_OPTS accept "$port" > "$T/app" 2>&1 &
	pid=$!
	wait_port "$port"
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	"$@"
	wait $pid
	local rc=$?
	exec 3>&- 3<&-
	return $rc
}

# silence, while 2 pairs (4 handshakes) go through
start=$(date +%s.%N)
"$CLIENT" pairs 2 > "$T/pairs" 2>&1 &
pairs=$!
peer : && fail "silent peer: handshake succeeded"
end=$(date +%s.%N)
expect_line "$T/app" '^error status=-110 reason=timeout: peer stalled: handshake not finished after 3000 ms' \
	"silent peer"
wait $pairs || fail "others during the stall: $(cat "$T/pairs")"
pass "silent peer: timeout after $(echo "$end - $start" | bc | cut -c1-4) s; 4 other handshakes went through meanwhile"

send_http() { printf 'GET / HTTP/1.0\r\n\r\n' >&3; }
peer send_http && fail "garbage peer succeeded"
expect_line "$T/app" '^error .*reason=not-tls: peer does not speak TLS: it sent "GET /' \
	"garbage peer"
pass "garbage peer: $(cut -d: -f2- "$T/app")"

# the first bytes of a ClientHello, then the peer hangs up
half_hello()
{
	printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >&3
	exec 3>&- 3<&-
}
peer half_hello && fail "half ClientHello succeeded"
expect_line "$T/app" '^error .*reason=(peer-closed|io|protocol): ' \
	"peer hang-up"
pass "peer hangs up mid-ClientHello: $(cut -d: -f2- "$T/app")"

# the application dies with its handshake in flight: ktlsd drops it
port=$(free_port)
"$CLIENT" accept "$port" > "$T/app" 2>&1 &
app=$!
wait_port "$port"
exec 3<>"/dev/tcp/127.0.0.1/$port"
# the application has passed the socket: ktlsd runs its handshake
wait_stats '^ktlsd_in_flight 1$'
kill -9 $app
wait $app 2>/dev/null
# the peer stays connected until ktlsd has told why it dropped the
# handshake (a hang-up first would be another reason)
expect_line "$T/ktlsd.log" 'result=client-gone' \
	"ktlsd did not notice the application left"
exec 3>&- 3<&-
pass "application killed mid-handshake: ktlsd drops the handshake"

ktlsd_alive
same_fds

# the request's own timeout, shorter than the configured one; and a
# longer one cut to max_timeout
kill $KTLSD_PID; wait $KTLSD_PID 2>/dev/null
write_conf "handshake_timeout = 60s" "max_timeout = 2s"
start_ktlsd
APP_OPTS="--timeout 1000"
peer : && fail "silent peer, 1 s request timeout: handshake succeeded"
expect_line "$T/app" '^error status=-110 reason=timeout: peer stalled: handshake not finished after 1000 ms' \
	"request timeout 1000 ms"
pass "request's timeout of 1000 ms is honoured (configured 60 s)"
APP_OPTS="--timeout 600000"
peer : && fail "silent peer, 600 s request timeout: handshake succeeded"
expect_line "$T/app" '^error status=-110 reason=timeout: peer stalled: handshake not finished after 2000 ms' \
	"request timeout 600 s, max_timeout 2 s"
pass "request's timeout of 600 s is cut to max_timeout = 2 s"
