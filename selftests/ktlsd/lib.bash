# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared set-up of the ktlsd tests: a test PKI, a configuration with a
# server and a client profile, a daemon in the foreground, and the test
# application (ktlsd-client). Source it after selftests/lib.sh.
#
#   peer (openssl, gnutls) --TCP-- ktlsd-client --fd over Unix socket--> ktlsd
#                                  plain I/O on kTLS <-- reply -----------'

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

CLIENT=$KTLSKIT_REPO/build/selftests/ktlsd/bin/ktlsd-client

ktlsd_setup()
{
	need_ktls
	need_cmd ss
	[ -x "$CLIENT" ] || skip "ktlsd-client is not built (make tests)"
	command -v ktlsd >/dev/null || skip "ktlsd is not built (make)"
	make_tmp
	T=$KTLSKIT_TMP
	# others (the uid test) must reach the socket inside
	chmod 755 "$T"
	# made once and kept (mkpki is idempotent and locked): RSA keys
	# take minutes under emulation
	P=$KTLSKIT_REPO/build/ktlsd-test/pki
	"$KTLSKIT_REPO/tools/pki/mkpki" --test "$P" >/dev/null ||
		fail "mkpki failed"
	SOCK=$T/ktlsd.sock
	export KTLSD_SOCKET=$SOCK
	CONF=$T/ktlsd.conf
}

# write_conf [GLOBAL LINES...]: the standard configuration; extra
# [global] settings as arguments, extra profiles appended by the caller.
write_conf()
{
	{
		echo "[global]"
		echo "socket = $SOCK"
		echo "socket_mode = 0666"
		echo "lock_memory = no"
		local l
		for l in "$@"; do
			echo "$l"
		done
		cat <<EOC

[profile server]
role = server
cert = $P/server-ec.chain.pem
key = $P/server-ec.key
allow_uid = 0

[profile client]
role = client
ca = $P/root.crt
server_name = server.test
allow_uid = 0
EOC
	} > "$CONF"
}

# start_ktlsd [OPTIONS...]: run the daemon on $CONF until the test ends.
start_ktlsd()
{
	local i
	rm -f "$SOCK"
	ktlsd -f -c "$CONF" "$@" 2>>"$T/ktlsd.log" &
	KTLSD_PID=$!
	track $KTLSD_PID
	for ((i = 0; i < 100; i++)); do
		[ -S "$SOCK" ] && return 0
		kill -0 $KTLSD_PID 2>/dev/null ||
			fail "ktlsd exited: $(tail -5 "$T/ktlsd.log")"
		sleep 0.1
	done
	fail "ktlsd did not listen: $(tail -5 "$T/ktlsd.log")"
}

fd_count()
{
	ls /proc/$1/fd | wc -l
}

# idle_fds: one real handshake pair, then the daemon's descriptor count
# into $FD0, to compare with at the end
idle_fds()
{
	"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "pairs: $(cat "$T/app")"
	sleep 0.3
	FD0=$(fd_count $KTLSD_PID)
}

# fds_back: the daemon's descriptor count is $FD0
fds_back()
{
	[ "$(fd_count $KTLSD_PID)" = "$FD0" ]
}

# same_fds: the count is back to $FD0 (ktlsd closes a handshake's
# descriptors after its answer: give it up to 60 s)
same_fds()
{
	local fd1
	wait_until 60 fds_back
	fd1=$(fd_count $KTLSD_PID)
	[ "$fd1" = "$FD0" ] ||
		fail "ktlsd had $FD0 descriptors, now $fd1: $(ls -l /proc/$KTLSD_PID/fd)"
	pass "no descriptor leaked ($FD0 before and after)"
}

ktlsd_alive()
{
	kill -0 $KTLSD_PID 2>/dev/null || fail "ktlsd died: $(tail -5 "$T/ktlsd.log")"
}

# expect_line FILE REGEX WHAT: the daemon logs asynchronously (a reload
# runs after the signal's handler returns, later still under a loaded
# emulator), so give the line up to 60 s to appear.
expect_line()
{
	wait_line "$1" "$2" 60 ||
		fail "$3: expected /$2/ in (last lines): $(tail -c 1500 "$1")"
}

CHECKS=0
pass()
{
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}
# restart_ktlsd [OPTIONS...]: stop the daemon if it runs, start it on $CONF
restart_ktlsd()
{
	if [ -n "$KTLSD_PID" ]; then
		kill $KTLSD_PID
		wait $KTLSD_PID 2>/dev/null
	fi
	start_ktlsd "$@"
}

# ktlsd_stats: the daemon's counters into $T/stats
ktlsd_stats()
{
	ktlsd --stats -s "$SOCK" > "$T/stats" || fail "stats"
}

# wait_stats REGEX...: until the daemon's counters match every REGEX
wait_stats()
{
	local r ok end=$((SECONDS + 60))
	while ((SECONDS < end)); do
		ktlsd_stats
		ok=1
		for r in "$@"; do
			grep -Eq "$r" "$T/stats" || ok=
		done
		[ -n "$ok" ] && return 0
		sleep 0.1
	done
	fail "counters never matched $*: $(grep -v '^#' "$T/stats" | tail -8)"
}

# rev_server: openssl s_server on port $SERVER for one client handshake
# (-rev: it reads no stdin, answers lines reversed, ends when the client
# goes)
rev_server()
{
	SERVER=$(free_port)
	openssl s_server -accept "$SERVER" -cert "$P/server-ec.crt" \
		-key "$P/server-ec.key" -cert_chain "$P/intermediates.pem" \
		-naccept 1 -rev > /dev/null 2>&1 &
	track $!
	wait_port "$SERVER" 60
}

