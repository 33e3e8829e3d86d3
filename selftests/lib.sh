# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for shell tests; source it with
#   . "$(dirname "$0")/../lib.sh"
# Tests exit 0 on pass, 4 on skip (after printing "SKIP: reason"), and
# anything else on failure.

KTLSKIT_REPO=${KTLSKIT_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PATH=$KTLSKIT_REPO/build/bin:$PATH
KSFT_SKIP=4

skip()
{
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

need_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c is not installed"
	done
}

# Tests that need kTLS run only in a guest of tools/vm/run.
need_ktls()
{
	grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null ||
		modprobe -q tls 2>/dev/null
	grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null ||
		skip "this kernel has no kTLS (run the test through tools/vm/run)"
}

# count_ok DESC [CMD [ARG...]]: ok(), counted for ok_totals
count_ok()
{
	local rc=$?

	checks=$((${checks:-0} + 1))
	report_check "$rc" "$@"
}

# ok_totals: the harness's totals line for the count_ok()s so far; 0 when
# none failed
ok_totals()
{
	echo "# Totals: pass:$((${checks:-0} - ${fails:-0})) fail:${fails:-0} xfail:0 xpass:0 skip:0 error:0"
	[ "${fails:-0}" = 0 ]
}

# hold_open FILE: open FILE for writing until the test exits, so that a
# program reading it as a FIFO never sees its end
hold_open()
{
	local fd

	exec {fd}>"$1"
}

# ok DESC [CMD [ARG...]]: one check that lets the script go on after a
# failure (host tests that report every case); it counts failures in
# $fails. The check is CMD's status, or without CMD the status of the
# command just before, so that a compound test is written as code:
#	[ $rc -eq 2 ] && grep -q 'usage' "$T/err"
#	ok "bad input: exit 2 and a usage hint"
ok()
{
	report_check $? "$@"
}

# report_check STATUS DESC [CMD [ARG...]]: ok() and count_ok()
report_check()
{
	local rc=$1 desc=$2

	shift 2
	if [ $# -gt 0 ]; then
		"$@"
		rc=$?
	fi
	if [ "$rc" = 0 ]; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		fails=$((fails + 1))
	fi
}

# A scratch folder removed when the test exits.

make_tmp()
{
	KTLSKIT_TMP=$(mktemp -d)
	trap 'cleanup_tmp' EXIT
}

cleanup_tmp()
{
	local p
	for p in $KTLSKIT_PIDS; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$KTLSKIT_TMP" ] && rm -rf "$KTLSKIT_TMP"
}

# Remember a background process so cleanup_tmp stops it.
track()
{
	KTLSKIT_PIDS="$KTLSKIT_PIDS $1"
}

# One counter from /proc/net/tls_stat (0 when absent).
tls_stat()
{
	awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/net/tls_stat 2>/dev/null
}

sha256()
{
	sha256sum "$1" | cut -d' ' -f1
}

# make_payload FILE BYTES: random content of an exact size.
make_payload()
{
	head -c "$2" /dev/urandom > "$1"
}

# wait_port PORT [SECONDS]: until something listens on TCP PORT.
wait_port()
{
	local port=$1 limit=${2:-20} i
	for ((i = 0; i < limit * 10; i++)); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $port after $limit s"
}

# wait_line FILE REGEX [SECONDS]: until FILE has a matching line (status 1
# when it has none after SECONDS, 60 by default)
wait_line()
{
	local limit=${3:-60} i
	for ((i = 0; i < limit * 10; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_until SECONDS CMD [ARG...]: until CMD succeeds (status 1 when it
# still fails after SECONDS). The arguments are expanded once, by the
# caller: a condition on changing state must be a function.
wait_until()
{
	local limit=$1 i

	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# make_canary FILE: a file of one random marker line repeated, whose
# marker ($CANARY) must never be seen in clear on the wire
make_canary()
{
	local i
	CANARY=KTLSKIT-CLEARTEXT-CANARY-$RANDOM$RANDOM
	for ((i = 0; i < 200; i++)); do
		echo "$CANARY"
	done > "$1"
}

# start_capture PORT...: tcpdump on loopback for those ports into
# $KTLSKIT_TMP/wire.pcap, until stop_capture
start_capture()
{
	local filter="tcp port $1" p

	shift
	for p in "$@"; do
		filter="$filter or tcp port $p"
	done
	# and the marker of stop_capture
	filter="$filter or udp dst port 9"
	tcpdump -i lo -U -n -s 0 -w "$KTLSKIT_TMP/wire.pcap" "$filter" \
		2>"$KTLSKIT_TMP/tcpdump.err" &
	DUMP=$!
	track $DUMP
	wait_line "$KTLSKIT_TMP/tcpdump.err" 'listening on' 30 ||
		fail "tcpdump did not start: $(cat "$KTLSKIT_TMP/tcpdump.err")"
}

# stop_capture: end tcpdump once it wrote every packet sent so far (it
# drops what it has not read yet when interrupted): a datagram to the
# discard port marks the end; it must have captured something
stop_capture()
{
	local i

	echo end > /dev/udp/127.0.0.1/9
	for ((i = 0; i < 300; i++)); do
		tcpdump -r "$KTLSKIT_TMP/wire.pcap" -n 'udp dst port 9' \
			2>/dev/null | grep -q . && break
		sleep 0.1
	done
	kill -INT $DUMP 2>/dev/null
	wait $DUMP 2>/dev/null
	[ -s "$KTLSKIT_TMP/wire.pcap" ] || fail "tcpdump captured nothing"
}

# A free TCP port on loopback.
free_port()
{
	local p
	for p in $(shuf -i 20000-40000 -n 50); do
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
	fail "no free port"
}

# cat_ended LOG [SECONDS]: until ktls-cat's --json LOG shows it done or
# failed (60 s at most by default). It writes nothing: as a peer's input
# it keeps the peer from closing on its end of input until then.
cat_ended()
{
	wait_line "$1" '"event":"(done|error)"' "${2:-60}"
}
