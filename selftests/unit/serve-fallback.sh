#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# On a kernel without kTLS (the build machines'), ktls-serve says so once,
# loudly, and serves through user-space TLS; with --require-ktls it
# refuses to start. Skipped where the kernel has kTLS.
#
#   curl --TLS--> ktls-serve (no kTLS: wolfSSL records)

. "$(dirname "$0")/../lib.sh"
SERVE=$KTLSKIT_REPO/build/bin/ktls-serve
[ -x "$SERVE" ] || skip "build/bin/ktls-serve is not built"
need_cmd curl ss
grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null &&
	skip "this kernel has kTLS: the fallback is not reachable here"
make_tmp
T=$KTLSKIT_TMP
"$KTLSKIT_REPO/tools/pki/mkpki" --dev "$T/pki" >/dev/null || fail "mkpki"
mkdir "$T/root"
head -c 1048576 /dev/urandom > "$T/root/f"
opts=(--cert "$T/pki/localhost.crt" --key "$T/pki/localhost.key")

port=$(free_port)
"$SERVE" "${opts[@]}" --listen "127.0.0.1:$port" --require-ktls \
	serve "$T/root" > /dev/null 2> "$T/req.err"
rc=$?
[ "$rc" = 1 ] || fail "--require-ktls without kTLS: status $rc, not 1"
grep -q "KERNEL TLS IS NOT AVAILABLE" "$T/req.err" ||
	fail "--require-ktls: no loud message: $(cat "$T/req.err")"
echo "ok --require-ktls refuses to start"

"$SERVE" "${opts[@]}" --listen "127.0.0.1:$port" serve "$T/root" \
	> "$T/access.log" 2> "$T/serve.err" &
track $!
wait_port "$port"
curl -sS --cacert "$T/pki/dev-ca.crt" -o "$T/out" "https://localhost:$port/f" ||
	fail "fetch through user-space TLS failed"
cmp -s "$T/out" "$T/root/f" || fail "fetched file differs"
echo "ok served through user-space TLS"
[ "$(grep -c "KERNEL TLS IS NOT AVAILABLE" "$T/serve.err")" = 1 ] ||
	fail "the message is not said exactly once: $(cat "$T/serve.err")"
echo "ok said once, loudly"
grep -q ' user/write' "$T/access.log" || fail "access log: $(cat "$T/access.log")"
echo "ok access log says user/write"
echo "# Totals: pass:4 fail:0 xfail:0 xpass:0 skip:0 error:0"
