#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --tls userspace keeps TLS in wolfSSL for comparison: the same files come
# out byte for byte over TLS 1.2 and 1.3, the access log says user/write,
# and the kernel made no TLS socket for it (TlsTxSw unchanged).
#
#   curl --TLS 1.2|1.3--> ktls-serve --tls userspace (wolfSSL records)

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
start_serve --tls userspace
tx0=$(tls_stat TlsTxSw)
for ver in 1.2 1.3; do
	for f in $SIZES; do
		rm -f "$T/out"
		fetch_curl "$ver" "$f" "$T/out"
		check "userspace TLS $ver curl $f: SHA-256 matches" \
			same_hash "$R/$f" "$T/out"
	done
done
check "no kernel TLS socket was made (TlsTxSw +$(($(tls_stat TlsTxSw) - tx0)))" \
	[ "$(tls_stat TlsTxSw)" = "$tx0" ]
check "every access-log line says user/write" \
	[ "$(grep -vc ' user/write' "$T/access.log")" = 0 ]
check "the banner says user-space TLS" grep -q "user-space TLS" "$T/serve.err"
stop_serve
finish
