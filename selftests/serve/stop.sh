#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Graceful stop: on SIGTERM ktls-serve stops accepting, closes idle
# keep-alive connections at once, lets a download in flight finish intact
# (within --grace), and exits 0.
#
#   curl --limit-rate (downloading) ---\
#   s_client (idle keep-alive) ---------> ktls-serve <-- SIGTERM

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
start_serve --grace 30

# an idle keep-alive connection: one answered request, then silence
(printf 'GET /one HTTP/1.1\r\nHost: l\r\n\r\n'; sleep 60) |
	timeout 70 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		-CAfile "$CA" > "$T/idle.out" 2>/dev/null &
idle=$!
# a download that takes several seconds
curl_c --limit-rate 2M -o "$T/dl" "$U/ten.bin" &
dl=$!
# under emulation starting curl alone can take seconds: wait for bytes
for ((i = 0; i < 300; i++)); do
	[ "$(stat -c %s "$T/dl" 2>/dev/null || echo 0)" -gt 100000 ] && break
	sleep 0.1
done
grep -aq '^HTTP/1.1 200' "$T/idle.out" || sleep 2
t0=$SECONDS
kill -TERM "$SPID"
wait "$SPID"
rc=$?
took=$((SECONDS - t0))
SPID=
check "SIGTERM: exit status 0 (got $rc)" [ "$rc" = 0 ]
# an idle connection left open would hold the stop for the whole grace
check "SIGTERM: the idle connection did not hold the stop (${took}s, grace 30 s)" \
	[ "$took" -lt 10 ]
wait "$dl"
check "the download in flight finished intact" same_hash "$R/ten.bin" "$T/dl"
check "the idle connection got its answer first" \
	grep -aq '^HTTP/1.1 200' "$T/idle.out"
# s_client -quiet stays while its stdin is open, server gone or not
kill "$idle" 2>/dev/null
check "new connections are refused after the stop" \
	not curl_c -o /dev/null --max-time 5 "$U/one" 2>/dev/null
check "the stop was logged" grep -q "stopping" "$T/serve.err"
finish
