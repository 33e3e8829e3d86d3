#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make run, as the README says, from an empty data folder: it makes the
# development PKI and the sample files, starts ktlsd and ktls-serve (here
# directly: the guest kernel has kTLS), and prints a curl command. That
# command, run as printed, returns the sample file; stopping make (SIGTERM
# to its process group: a background job here ignores SIGINT, which is
# what Ctrl-C sends) stops ktlsd and ktls-serve. The tree is the one
# already built, not a fresh clone (building under emulation takes too
# long).
#
#   make run -> scripts/run -> ktlsd + ktls-serve --ktlsd (port P)
#   curl line as printed --TLS--> ktls-serve
#
# ktlskit-timeout: 400

. "$(dirname "$0")/serve.bash"
need_serve
command -v ktlsd >/dev/null || skip "ktlsd is not built"
port=$(serve_port)
data=$T/data

XDG_DATA_HOME=$data KTLSKIT_PORT=$port setsid make -C "$KTLSKIT_REPO" \
	--no-print-directory run > "$T/run.out" 2>&1 &
mk=$!
track $mk
line=
for ((i = 0; i < 600; i++)); do
	line=$(grep -m 1 '^  curl --cacert .*/hello.txt$' "$T/run.out")
	[ -n "$line" ] && break
	kill -0 $mk 2>/dev/null || break
	sleep 0.2
done
sed 's/^/# /' "$T/run.out"
check "make run printed a curl line" [ -n "$line" ]
check "the curl line names port $port and the dev CA" \
	grep -q -- "--cacert $data/ktlskit/pki/dev-ca.crt https://localhost:$port/" \
		<<< "$line"
bash -c "$line" > "$T/got" 2> "$T/curl.err"
check "the printed curl command returns the sample file" \
	cmp -s "$T/got" "$data/ktlskit/www/hello.txt"
check "the first curl line printed the file's text" \
	grep -q "Hello from ktls-serve" "$T/got"
sleep 1
check "an access-log line for it says kTLS" \
	grep -q '"GET /hello.txt HTTP/1.1" 200 .* kTLS/sendfile' "$T/run.out"

kill -TERM -- -$mk
for ((i = 0; i < 100; i++)); do
	kill -0 $mk 2>/dev/null || break
	sleep 0.2
done
check "stopped: make run ended" not kill -0 $mk 2>/dev/null
sleep 1
check "stopped: no ktls-serve or ktlsd left" \
	[ -z "$(pgrep -f "$data/ktlskit" || true)" ]
finish
