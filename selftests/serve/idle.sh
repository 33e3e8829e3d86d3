#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 10,000 idle keep-alive connections on one ktls-serve worker: each made a
# TLS handshake and one request, then stays open and idle. The server
# keeps answering others promptly, each idle connection still answers a
# new request afterwards, and when they close every fd comes back. The
# server's memory per idle connection is printed. Handshakes are bounded
# to 64 in flight; on a busy machine under TCG they run at 5 to 70 a
# second, so this takes 3 to 30 minutes (KTLSKIT_SERVE_IDLE=N for fewer).
#
#   idle_clients.py (10,000 TLS connections) --kTLS--> ktls-serve --workers 1
#
# ktlskit-timeout: 3000

. "$(dirname "$0")/serve.bash"
need_serve
[ -x /usr/bin/python3 ] || skip "python3 is not installed"
N=${KTLSKIT_SERVE_IDLE:-10000}
ulimit -n 65536 2>/dev/null || skip "cannot raise the fd limit to 65536"
setup_root
start_serve --workers 1 --idle-timeout 1200 --handshake-timeout 300 \
	--access-log none
fds0=$(server_fds)
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$SPID/status")

coproc CL { /usr/bin/python3 "$(dirname "$0")/idle_clients.py" \
	127.0.0.1 "$PORT" "$N" "$CA" 2>&1; }
track "$CL_PID"
t0=$SECONDS
got=
while read -r -t 2800 line <&"${CL[0]}"; do
	echo "# $((SECONDS - t0)) s: $line"
	case "$line" in
	ready*) got=${line#ready }; break ;;
	error*) break ;;
	esac
done
check "$N connections made, each answered once, now idle (${got:-0})" \
	[ "$got" = "$N" ]
[ "$got" = "$N" ] || finish
fds=$(server_fds)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SPID/status")
echo "# server: $fds fds, RSS $rss kB ($(( (rss - rss0) * 1024 / N )) bytes per idle connection)"
check "the server holds them all ($fds fds)" [ "$fds" -ge $((fds0 + N)) ]
t1=$(date +%s%N)
check "with $N idle: a new client is served" \
	[ "$(curl_c "$U/hello.txt")" = "hello from ktls-serve" ]
echo "# new client served in $(( ($(date +%s%N) - t1) / 1000000 )) ms"
echo "probe 100" >&"${CL[1]}"
read -r -t 300 line <&"${CL[0]}"
check "100 of the idle connections answer a second request ($line)" \
	[ "$line" = "probed 100" ]
echo "quit" >&"${CL[1]}"
read -r -t 300 line <&"${CL[0]}"
wait "$CL_PID" 2>/dev/null
sleep 5
check "all closed: fds back to $fds0 ($(server_fds))" [ "$(server_fds)" = "$fds0" ]
stop_serve
finish
