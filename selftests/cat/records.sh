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
#   hostile_peer.py client --crafted records--> ktls-cat listen
#   hostile_peer.py server <--TLS-- ktls-cat connect
#
# ktls-cat's input is a fifo nobody writes to: it must not send
# close_notify first (--no-stdin would), or no alert could follow it.
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib/interop.bash"
. "$KTLSKIT_REPO/selftests/lib/hostile.bash"
need_cat
need_cmd python3 ss
python3 -c 'import cryptography' 2>/dev/null ||
	skip "python3-cryptography is not installed (scripts/deps installs it)"
setup_pki
mkfifo "$T/in"
exec 4<> "$T/in"

CASES="valid tag-last oversize unknown-type hello-request keyupdate-bad"
TMO=120

# cat_checks CASE ROLE VERSION RC: what ktls-cat printed and its status
cat_checks()
{
	local c=$1 role=$2 v=$3 rc=$4 want

	sed "s/^/# $role $v $c: /" "$T/cat.err"
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

# as_server VERSION: ktls-cat listen, a fresh one per case; the peer
# connects when told to on its input (a fifo this shell holds open)
as_server()
{
	local v=$1 c rc peer

	next_port
	rm -f "$T/go"
	mkfifo "$T/go"
	exec 3<> "$T/go"
	timeout 600 python3 "$HOSTILE" client 127.0.0.1 "$PORT" --tls "$v" \
		--step --case "$(HOSTILE_CASES=$CASES hostile_cases server)" \
		--ca "$P/ca.pem" --name localhost < "$T/go" > "$T/peer" 2>&1 &
	peer=$!
	for c in $CASES; do
		timeout $TMO "$CAT" listen "127.0.0.1:$PORT" \
			--cert "$P/server.pem" --key "$P/server.key" \
			--tls "$v" < "$T/in" > "$T/out" 2> "$T/cat.err" &
		wait_listen "$PORT"
		echo go >&3
		wait $!
		rc=$?
		wait_line "$T/peer" "^result case=$c " 60 ||
			fail "the peer gave no result for $c: $(cat "$T/peer")"
		cat_checks "$c" server "$v" "$rc"
	done
	exec 3>&-
	wait $peer
}

# as_client VERSION: the peer listens once; a fresh ktls-cat connect per case
as_client()
{
	local v=$1 c rc peer

	next_port
	timeout 600 python3 "$HOSTILE" server "$PORT" --tls "$v" \
		--case "$(HOSTILE_CASES=$CASES hostile_cases client)" \
		--cert "$P/server.pem" --key "$P/server.key" > "$T/peer" 2>&1 &
	peer=$!
	wait_line "$T/peer" '^listening' 120 ||
		fail "the hostile server did not start: $(cat "$T/peer")"
	for c in $CASES; do
		timeout $TMO "$CAT" connect "localhost:$PORT" \
			--ca "$P/ca.pem" --tls "$v" < "$T/in" > "$T/out" \
			2> "$T/cat.err"
		rc=$?
		wait_line "$T/peer" "^result case=$c " 60 ||
			fail "the peer gave no result for $c: $(cat "$T/peer")"
		cat_checks "$c" client "$v" "$rc"
	done
	wait $peer
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
	as_server "$v"
	sed "s/^/# peer, server $v: /" "$T/peer"
	HOSTILE_CASES=$CASES hostile_check "$v" server "$T/peer"
	as_client "$v"
	sed "s/^/# peer, client $v: /" "$T/peer"
	HOSTILE_CASES=$CASES hostile_check "$v" client "$T/peer"
done
check "the kernel decrypted every connection" \
	[ $(($(tls_stat TlsRxSw) - RX0)) -ge $((4 * $(echo $CASES | wc -w))) ]
finish
