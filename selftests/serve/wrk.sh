#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A short wrk load against ktls-serve over kTLS: 16 keep-alive connections
# on two threads, first a 16 KiB file, then 1 MiB. No socket error, no
# status other than 200, and the server still well afterwards. The rates
# are printed for the record; under qemu TCG they say little about native
# speed.
#
#   wrk (OpenSSL, 2 threads, 16 connections) --TLS--> ktls-serve

. "$(dirname "$0")/serve.bash"
need_serve
need_cmd wrk
setup_root
make_payload "$R/m1" 1048576
start_serve --access-log none
fds0=$(server_fds)

for f in r16k m1; do
	wrk -t 2 -c 16 -d 8s --timeout 10s "$U/$f" > "$T/wrk.$f" 2>&1
	rc=$?
	sed 's/^/# /' "$T/wrk.$f"
	check "wrk $f: ran (status $rc)" [ "$rc" = 0 ]
	check "wrk $f: requests were made" \
		grep -Eq '^ +[1-9][0-9]* requests in' "$T/wrk.$f"
	check "wrk $f: no socket errors" not grep -q 'Socket errors' "$T/wrk.$f"
	check "wrk $f: no non-2xx answers" not grep -q 'Non-2xx' "$T/wrk.$f"
done
check "after wrk: served" [ "$(curl_c "$U/hello.txt")" = "hello from ktls-serve" ]
sleep 3
check "after wrk: no fd left behind" [ "$(server_fds)" = "$fds0" ]
stop_serve
finish
