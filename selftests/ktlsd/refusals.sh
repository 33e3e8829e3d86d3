#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Requests ktlsd must refuse, each with a reason and a sentence, while it
# goes on serving: a uid not allowed for the profile, an unknown profile, a
# role that does not match the profile, and malformed requests (bad magic,
# version, length, attribute past the end, repeated attribute, no socket,
# two descriptors, a descriptor that is not a connected TCP socket, a
# request that stops half-way). No descriptor may leak.
#
#   ktlsd-client (uid 0 or nobody) --Unix--> ktlsd
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
need_cmd setpriv python3
ktlsd_setup
write_conf "request_timeout = 1s"
start_ktlsd

idle_fds

# app_with_tcp USER ARGS...: ktlsd-client accept as USER, with a plain TCP
# peer that sends nothing (the request is refused before any TLS)
app_with_tcp()
{
	local user=$1 port pid
	shift
	port=$(free_port)
	if [ "$user" = root ]; then
		"$CLIENT" "$@" accept "$port" > "$T/app" 2>&1 &
	else
		setpriv --reuid="$user" --regid="$user" --clear-groups \
			"$CLIENT" "$@" accept "$port" > "$T/app" 2>&1 &
	fi
	pid=$!
	wait_port "$port"
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	wait $pid
	local rc=$?
	exec 3>&-
	return $rc
}

app_with_tcp 65534 && fail "uid 65534 was allowed"
expect_line "$T/app" '^error status=-13 reason=denied: uid 65534 .*may not use profile "server"' \
	"uid not allowed"
pass "uid 65534 refused: $(cut -d: -f2- "$T/app")"

app_with_tcp root --profile nosuch && fail "unknown profile accepted"
expect_line "$T/app" '^error status=-2 reason=no-profile: no profile "nosuch"' \
	"unknown profile"
pass "unknown profile refused"

app_with_tcp root --profile client && fail "role mismatch accepted"
expect_line "$T/app" '^error .*reason=bad-request: profile "client" is for the client role' \
	"role mismatch"
pass "role mismatch refused"

for kind in badmagic badversion biglen attrpastend dupattr nofd twofds \
	    notsock notconn truncated; do
	timeout 20 "$CLIENT" raw "$kind" > "$T/app" 2>&1 ||
		fail "$kind: $(cat "$T/app")"
	expect_line "$T/app" '^error status=-[0-9]+ reason=bad-(request|socket): ' \
		"$kind"
	ktlsd_alive
	pass "malformed request $kind: $(cut -d: -f2- "$T/app" | head -c 100)"
done

# garbage straight into the socket, then hang up
timeout 10 python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(os.urandom(5000))
s.close()' "$SOCK" || true
ktlsd_alive

"$CLIENT" pairs 2 > "$T/app" 2>&1 || fail "after refusals: $(cat "$T/app")"
pass "ktlsd still serves after every refusal"
same_fds
