#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The AEAD usage limit (RFC 8446 5.5) on sockets ktlsd hands back: with
# --rekey-records 64, ktls-serve counts every record it sends and, before
# the limit, has ktlsd send our KeyUpdate and install the next TX key
# (TLS 1.3 on Linux 6.14+: a 2 MiB file, 128 records and more, arrives
# whole and the kernel counts TX rekeys). Where the key cannot change
# (TLS 1.2, or a kernel before 6.14) the connection ends before the
# limit: curl gets at most 64 records' worth and an error, and the server
# names the limit. The same through io_uring, and in-process (sendfile and
# io_uring), where libktls counts.
#
#   curl --TLS--> ktls-serve --rekey-records 64 --fd--> ktlsd (REKEY)
#                    | sendfile / io_uring on the returned kTLS socket
#
# ktlskit-timeout: 300

. "$(dirname "$0")/serve.bash"
need_serve
command -v ktlsd >/dev/null || skip "ktlsd is not built"
setup_root
LIMIT=64
make_payload "$R/big" $((2 << 20))
start_web_ktlsd

# fetch_big WHAT VER: /big over TLS VER, then what the limit should do
fetch_big()
{
	local what="$1, TLS $2" ver=$2 rc got rk0 rk n0 line

	rm -f "$T/out"
	rk0=$(tls_stat TlsTxRekeyOk)
	n0=$(grep -c "usage limit of $LIMIT records" "$T/serve.err")
	curl_c --tlsv"$ver" --tls-max "$ver" --max-time 60 -o "$T/out" \
		"$U/big" 2> "$T/curl.err"
	rc=$?
	got=$(stat -c %s "$T/out" 2>/dev/null || echo 0)
	rk=$(($(tls_stat TlsTxRekeyOk) - rk0))
	if [ "$ver" = 1.3 ] && kernel_at_least 6.14; then
		check "$what: 2 MiB past a $LIMIT-record key arrived whole (curl $rc)" \
			same_hash "$R/big" "$T/out"
		# 128 records under keys of at most 64: two changes at least
		check "$what: the kernel changed TX keys (TlsTxRekeyOk +$rk)" \
			[ "$rk" -ge 2 ]
		return
	fi
	check "$what: curl saw the connection end early (status $rc)" \
		[ "$rc" != 0 ]
	check "$what: at most $LIMIT records' bytes arrived ($got)" \
		[ "$got" -le $((LIMIT * 16384)) ]
	wait_line "$T/serve.err" "usage limit of $LIMIT records" 20
	check "$what: the server names the limit" \
		[ "$(grep -c "usage limit of $LIMIT records" "$T/serve.err")" -gt "$n0" ]
	line=$(grep "usage limit of $LIMIT records" "$T/serve.err" | tail -n 1)
	[ -n "$line" ] || line=$(tail -n 1 "$T/serve.err")
	echo "# ${line:0:300}"
}

start_daemon_serve --rekey-records $LIMIT
fetch_big "ktlsd, sendfile" 1.3
fetch_big "ktlsd, sendfile" 1.2
check "after that: a small file on a new connection" \
	[ "$(curl_c --max-time 20 "$U/hello.txt")" = "hello from ktls-serve" ]
stop_serve

start_daemon_serve --rekey-records $LIMIT --io uring
fetch_big "ktlsd, io_uring" 1.3
stop_serve

start_serve --rekey-records $LIMIT
fetch_big "in-process, sendfile" 1.3
stop_serve

# libktls charges io_uring sends when the SQE is prepared (ktls_prep_splice)
start_serve --rekey-records $LIMIT --io uring
fetch_big "in-process, io_uring" 1.3
fetch_big "in-process, io_uring" 1.2
stop_serve
finish
