#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hand-back (REKEY, POST_HANDSHAKE) must never freeze ktlsd:
#  - a socket that is not the kept session's own kTLS connection (a plain
#    TCP socket, another kTLS connection) is refused with bad-socket;
#  - on a connection whose peer never reads (send buffer full), as many
#    rekeys as ktlsd has workers each hold a worker only until their
#    deadline, fail with reason timeout, and a handshake from another
#    client still goes through;
#  - SIGTERM while every worker is in such a request ends ktlsd within
#    drain_timeout, with exit status 0.
#
#   ktlsd-client stuck 1 (x2): pair A <--kTLS--> pair B (never read)
#        |  rekey on A's full send buffer, session of A
#        '--fd over Unix socket--> ktlsd (workers = 2)
#   ktlsd-client pairs 1: a normal handshake meanwhile
#
# On 6.14+ the same is done with a KeyUpdate that asks for ours (the
# answer cannot be sent); older kernels refuse that before any send.
#
# ktlskit-timeout: 400

. "$(dirname "$0")/lib.bash"
need_cmd timeout
ktlsd_setup
DRAIN=8
write_conf "workers = 2" "handshake_timeout = 20s" "drain_timeout = ${DRAIN}s"
start_ktlsd

new_kernel=
[ "$(printf '%s\n' 6.14 "$(uname -r | cut -d. -f1,2)" | sort -V | head -1)" = 6.14 ] &&
	new_kernel=1

# busy_workers: ktlsd's threads (not the main one) blocked in a request:
# in poll, ppoll or sendmsg (x86-64 system calls 7, 271, 46) rather than
# in their epoll loop
busy_workers()
{
	local t c n=0
	for t in /proc/$KTLSD_PID/task/*; do
		[ "${t##*/}" = "$KTLSD_PID" ] && continue
		read -r c _ < "$t/syscall" 2>/dev/null
		case $c in
		7 | 271 | 46) n=$((n + 1)) ;;
		esac
	done
	echo $n
}

# stuck_round NAME [OPTIONS]: one stuck request per worker, started one at
# a time so that each lands on a free worker; their pids in $STUCK
stuck_round()
{
	local name=$1 i k
	shift
	STUCK=
	for i in 1 2; do
		timeout 60 "$CLIENT" "$@" stuck 1 > "$T/$name.$i" 2>&1 &
		STUCK="$STUCK $!"
		track $!
		expect_line "$T/$name.$i" '^filled' "$name $i: buffers filled"
		for ((k = 0; k < 300; k++)); do
			[ "$(busy_workers)" -ge $i ] && break
			sleep 0.1
		done
		[ "$(busy_workers)" -ge $i ] ||
			fail "$name $i: the request did not reach a worker: $(cat "$T/$name.$i")"
	done
}

# (a) and (b): foreign sockets refused; two rekeys stuck on full buffers
stuck_round rekey

# well before the stuck clients' own 60 s limit would free the workers
start=$(date +%s%N)
timeout 30 "$CLIENT" pairs 1 > "$T/pairs" 2>&1 ||
	fail "a handshake while both workers were stuck: $(cat "$T/pairs")"
pass "handshake from another client went through in $((($(date +%s%N) - start) / 1000000)) ms while both workers held a stuck rekey"
# timed_out NAME KIND: both requests of a round ended with reason timeout
timed_out()
{
	local p i
	for p in $STUCK; do
		wait $p
		[ $? = 124 ] && fail "a stuck $2 never returned (ktlsd hung)"
	done
	for i in 1 2; do
		expect_line "$T/$1.$i" "^stuck-$2 0 error status=-110 reason=timeout .*peer does not read" \
			"stuck $2 $i fails with reason timeout"
	done
}

timed_out rekey rekey
pass "stuck rekeys failed with a timeout: $(grep -h '^stuck-rekey' "$T/rekey.1" | cut -d' ' -f3-6)"

if [ -n "$new_kernel" ]; then
	stuck_round keyupdate --handback
	timed_out keyupdate keyupdate
	pass "KeyUpdates whose answer cannot be sent failed with a timeout"
fi
ktlsd_alive

# (c) SIGTERM while both workers are stuck
stuck_round term
start=$(date +%s%N)
kill -TERM $KTLSD_PID
for ((k = 0; k < 300; k++)); do
	kill -0 $KTLSD_PID 2>/dev/null || break
	sleep 0.1
done
kill -0 $KTLSD_PID 2>/dev/null && fail "ktlsd still runs 30 s after SIGTERM"
ms=$((($(date +%s%N) - start) / 1000000))
wait $KTLSD_PID
rc=$?
[ $rc = 0 ] || fail "ktlsd exited $rc after SIGTERM"
# drain_timeout plus time for the emulator to schedule the exit
[ $ms -le $((DRAIN * 1000 + 3000)) ] ||
	fail "ktlsd took $ms ms to stop (drain_timeout ${DRAIN}s)"
pass "SIGTERM with both workers stuck: ktlsd exited 0 after $ms ms (drain_timeout ${DRAIN}s)"
for p in $STUCK; do
	wait $p
	[ $? = 124 ] && fail "a request stuck at SIGTERM never returned"
done
grep -hq '^stuck-rekey 0 error' "$T/term.1" "$T/term.2" ||
	fail "requests stuck at SIGTERM got no error: $(cat "$T/term.1")"
pass "requests stuck at SIGTERM failed: $(grep -h '^stuck-rekey' "$T/term.1" | cut -d' ' -f3-5)"

# (a), checked last so that the hangs above show first on a broken ktlsd
for k in plain-rekey plain-keyupdate other-rekey; do
	expect_line "$T/rekey.1" "^$k error .*reason=bad-socket" \
		"$k refused as bad-socket"
done
pass "plain TCP socket and another kTLS connection refused: $(grep -h '^plain-rekey' "$T/rekey.1" | cut -d: -f2-)"
