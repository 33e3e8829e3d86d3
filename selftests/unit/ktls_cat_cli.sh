#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-cat's command line on the host (no kTLS needed): --help documents
# every option it accepts, bad input is answered on stderr with a hint and
# exit status 2, and handshake failures come out as sentences and JSON.

. "$(dirname "$0")/../lib.sh"
CAT=$KTLSKIT_REPO/build/bin/ktls-cat
[ -x "$CAT" ] || skip "build/bin/ktls-cat is not built"
make_tmp
T=$KTLSKIT_TMP
fails=0

"$CAT" --help 2>"$T/help"; rc=$?
LC_ALL=C MANWIDTH=200 man -l "$KTLSKIT_REPO/tools/ktls-cat/ktls-cat.1" \
	2>/dev/null | col -b > "$T/man"
[ $rc -eq 0 ]
ok "--help exits 0"
# every long option in the source must be in --help and the man page
for opt in $(grep -o '{ "[a-z-]*", ' "$KTLSKIT_REPO/tools/ktls-cat/main.c" |
	     cut -d'"' -f2); do
	grep -q -- "--$opt" "$T/help"
	ok "--help documents --$opt"
	if [ -s "$T/man" ]; then
		grep -q -- "--$opt" "$T/man"
		ok "man page documents --$opt"
	fi
done

"$CAT" > "$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'ktls-cat --help' "$T/err" && [ ! -s "$T/out" ]
ok "no command: exit 2 with a hint"
"$CAT" --tls 1.1 connect x:1 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q '1.2 or 1.3' "$T/err"
ok "--tls 1.1 refused"
"$CAT" --bogus connect x:1 2>"$T/err"; rc=$?
[ $rc -eq 2 ]
ok "unknown option refused"
"$CAT" listen 4433 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--cert' "$T/err"
ok "listen without --cert"
"$CAT" frobnicate x 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'unknown command' "$T/err"
ok "unknown command"
"$CAT" --io bogus connect x:1 2>"$T/err"; rc=$?
[ $rc -eq 2 ]
ok "--io bogus refused"
"$CAT" connect nohost 2>"$T/err"; rc=$?
[ $rc -ne 0 ] && grep -q 'HOST:PORT' "$T/err"
ok "connect without port"
"$CAT" listen 4433 --cert /nonexistent --key /nonexistent 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q '/nonexistent' "$T/err"
ok "missing certificate named"

# A handshake between two ktls-cat on the host ends at the switch when
# the kernel has no kTLS: the sentence says what to do.
if ! grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null; then
	"$KTLSKIT_REPO/selftests/lib/mkpki" "$T/pki" >/dev/null
	port=$((30000 + RANDOM % 20000))
	timeout 20 "$CAT" listen "127.0.0.1:$port" --cert "$T/pki/server.pem" \
		--key "$T/pki/server.key" --no-stdin 2>/dev/null &
	for i in $(seq 50); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	timeout 20 "$CAT" connect "localhost:$port" --ca "$T/pki/ca.pem" \
		--json --no-stdin 2>"$T/err"; rc=$?
	wait
	[ $rc -eq 1 ] && grep -q '"reason":"no-kernel-tls"' "$T/err" && grep -q 'load the tls module' "$T/err"
	ok "no kernel TLS: JSON error with reason"
fi
[ $fails -eq 0 ]
