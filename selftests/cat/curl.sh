#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# curl fetches a 17 MiB file from ktls-cat listen --http, once per data
# path (write, sendfile, splice, io_uring send, send_zc, splice) and TLS
# version; SHA-256 equal, both directions in the kernel.
#
#   curl --(TLS, OpenSSL or GnuTLS in curl)--> ktls-cat listen --http --io X
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib/interop.bash"
need_cmd curl ss
need_cat
setup_pki

TMO=${TMO:-120}
payload_file big $((17 * 1024 * 1024 + 4321))

fetch() {
	local ver=$1 io=$2 rc

	next_port
	timeout $TMO "$CAT" listen "127.0.0.1:$PORT" --cert "$P/server.pem" \
		--key "$P/server.key" --tls "$ver" --json --http --io "$io" \
		--sendfile "$T/big" > /dev/null 2>"$T/cat.err" &
	local pid=$!
	wait_listen "$PORT"
	timeout $TMO curl -sS --cacert "$P/ca.pem" --tlsv"$ver" \
		-w '%{speed_download}' -o "$T/out" "https://localhost:$PORT/" \
		> "$T/speed" 2>"$T/peer.err"
	rc=$?
	echo "# TLS $ver --io $io: $(awk '{ printf "%.1f", $1 / 1e6 }' \
		"$T/speed") MB/s as curl measured it (under emulation)"
	wait $pid
	[ $rc -eq 0 ] && rc=$?
	stop_jobs
	check "curl TLS $ver fetches 17 MiB via --io $io" \
		ok_transfer $rc "$T/big" "$T/out" "TLS_"
}

stats_begin
for io in write sendfile splice uring uring-zc uring-splice; do
	fetch 1.3 "$io"
done
fetch 1.2 sendfile
fetch 1.2 uring-splice
stats_check
finish
