#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record errors after the handoff, in ktls-cat's both roles: the hostile
# peer (selftests/lib/hostile_peer.py, OpenSSL's handshake and records of
# its own making) sends a line with a "before" canary, then a crafted
# record and an "after" line. ktls-cat must print the first line, never
# the second, answer with the fatal alert the case calls for
# (selftests/lib/hostile.bash) and exit with a failure naming it. One case
# per kind of answer here; serve/records runs all of them.
#
#   hostile_peer.py client --crafted records--> ktls-cat listen --no-stdin
#   hostile_peer.py server <--TLS-- ktls-cat connect --no-stdin
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib/interop.bash"
. "$KTLSKIT_REPO/selftests/lib/hostile.bash"
need_cat
need_cmd python3 ss
python3 -c 'import cryptography' 2>/dev/null ||
	skip "python3-cryptography is not installed (scripts/deps installs it)"
setup_pki

CASES="valid tag-last oversize unknown-type hello-request keyupdate-bad"
TMO=120

# one CASE ROLE VERSION: a fresh ktls-cat for one connection
one()
{
	local c=$1 role=$2 v=$3 rc want

	next_port
	: > "$T/peer"
	if [ "$role" = server ]; then
		timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --no-stdin \
			--cert "$P/server.pem" --key "$P/server.key" \
			--tls "$v" > "$T/out" 2> "$T/cat.err" &
		wait_listen "$PORT"
		timeout $TMO python3 "$HOSTILE" client 127.0.0.1 "$PORT" \
			--tls "$v" --case "$c" --ca "$P/ca.pem" \
			--name localhost > "$T/peer" 2>&1
		wait $!
		rc=$?
	else
		timeout $TMO python3 "$HOSTILE" server "$PORT" --tls "$v" \
			--case "$c" --cert "$P/server.pem" \
			--key "$P/server.key" > "$T/peer" 2>&1 &
		wait_line "$T/peer" '^listening' 60 ||
			fail "the hostile server did not start: $(cat "$T/peer")"
		timeout $TMO "$CAT" connect "localhost:$PORT" --no-stdin \
			--ca "$P/ca.pem" --tls "$v" > "$T/out" 2> "$T/cat.err"
		rc=$?
		wait
	fi
	sed "s/^/# $role $v $c: /" "$T/peer" "$T/cat.err"
	cat "$T/peer" >> "$T/peer.$role.$v"
	check "$role TLS $v $c: the line before the bad record printed" \
		grep -q "^before-" "$T/out"
	check "$role TLS $v $c: nothing after it printed" \
		not_after "$c" "$v" "$role"
	want=$(hostile_expect "$v" "$c" "$role")
	if [[ $want == *fatal* && $want != *none* ]]; then
		check "$role TLS $v $c: ktls-cat failed (status $rc)" [ "$rc" != 0 ]
		check "$role TLS $v $c: its message names the alert" \
			grep -q "${want#fatal:}" "$T/cat.err"
	else
		check "$role TLS $v $c: ktls-cat succeeded (status $rc)" [ "$rc" = 0 ]
	fi
}

# not_after CASE VERSION ROLE: no "after" line, unless the case is valid
not_after()
{
	case $1 in
	valid) grep -q "^after-" "$T/out" ;;
	hello-request)
		[ "$2$3" = 1.2client ] && grep -q "^after-" "$T/out" ||
			! grep -q "^after-" "$T/out" ;;
	*) ! grep -q "^after-" "$T/out" ;;
	esac
}

stats_begin
for v in 1.2 1.3; do
	for role in server client; do
		: > "$T/peer.$role.$v"
		for c in $CASES; do
			one "$c" "$role" "$v"
		done
		HOSTILE_CASES=$CASES hostile_check "$v" "$role" "$T/peer.$role.$v"
	done
done
check "the kernel decrypted every connection" \
	[ $(($(tls_stat TlsRxSw) - RX0)) -ge $((4 * $(echo $CASES | wc -w))) ]
finish
