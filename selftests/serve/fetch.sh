#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Real clients fetch files from ktls-serve and get them byte for byte:
# curl (OpenSSL), wget (GnuTLS) and openssl s_client, over TLS 1.2 and
# 1.3, in every --io mode (sendfile, uring, write), for 0 B, 1 B,
# 16 KiB - 1, 16 KiB, 16 KiB + 1 and 10 MiB, plus 64 MiB of random data in
# every mode; a 1 GiB sparse file (sendfile, TLS 1.3, curl) only with
# KTLSKIT_SERVE_HUGE=1 (under qemu TCG kTLS moves about 20 MB/s, far less
# on a busy machine). Each block checks that /proc/net/tls_stat counted one
# more kernel TX and RX socket per connection and that every access-log
# line says kTLS.
#
#   curl/wget/s_client --TLS 1.2|1.3--> ktls-serve --io MODE (127.0.0.1)
#
# ktlskit-timeout: 1500

. "$(dirname "$0")/serve.bash"
need_serve
need_cmd wget
setup_root
make_payload "$R/r64m" 67108864

for io in sendfile uring write; do
	start_serve --io "$io"
	tx0=$(tls_stat TlsTxSw)
	rx0=$(tls_stat TlsRxSw)
	conns=0
	for ver in 1.2 1.3; do
		for client in curl wget ossl; do
			for f in $SIZES; do
				out=$T/out.$client
				rm -f "$out"
				fetch_$client "$ver" "$f" "$out"
				check "$io TLS $ver $client $f: SHA-256 matches" \
					same_hash "$R/$f" "$out"
				conns=$((conns + 1))
			done
		done
	done
	fetch_curl 1.3 r64m "$T/out.big"
	check "$io TLS 1.3 curl 64 MiB: SHA-256 matches" \
		same_hash "$R/r64m" "$T/out.big"
	conns=$((conns + 1))
	tx=$(($(tls_stat TlsTxSw) - tx0))
	rx=$(($(tls_stat TlsRxSw) - rx0))
	check "$io: kernel TX on all $conns connections (TlsTxSw +$tx)" \
		[ "$tx" -ge "$conns" ]
	check "$io: kernel RX on all $conns connections (TlsRxSw +$rx)" \
		[ "$rx" -ge "$conns" ]
	check "$io: every access-log line says kTLS/$io" \
		[ "$(grep -vc " kTLS/$io" "$T/access.log")" = 0 ]
	check "$io: $conns lines of status 200 in the access log" \
		[ "$(grep -c '" 200 ' "$T/access.log")" = "$conns" ]
	stop_serve
done

# One large file, sparse, 1 GiB, only with KTLSKIT_SERVE_HUGE=1: on a
# busy build machine the fetch alone took over ten minutes under TCG.
if [ -n "${KTLSKIT_SERVE_HUGE:-}" ]; then
	truncate -s 1G "$R/huge"
	start_serve
	t0=$SECONDS
	sum=$(curl_c --tlsv1.3 "$U/huge" | sha256sum | cut -d' ' -f1)
	took=$((SECONDS - t0))
	check "1 GiB sparse file over TLS 1.3 with sendfile: SHA-256 matches" \
		[ "$sum" = "$(sha256 "$R/huge")" ]
	echo "# 1 GiB in ${took}s: $(tail -n 1 "$T/access.log")"
	stop_serve
fi
finish
