#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat's command line on the host (no kTLS needed): --help and the man
# page document every option, bad input is answered on stderr with a hint
# and exit status 2, and on a kernel without kTLS (the build machine's) it
# says so in every format: table and --json with exit status 3, strict
# Prometheus format with ktls_module_loaded 0.

. "$(dirname "$0")/../lib.sh"
STAT=$KTLSKIT_REPO/build/bin/ktls-stat
CHECK=$KTLSKIT_REPO/selftests/stat/statcheck.py
[ -x "$STAT" ] || skip "build/bin/ktls-stat is not built"
need_cmd python3
make_tmp
T=$KTLSKIT_TMP
fails=0

"$STAT" --help > "$T/help"; rc=$?
[ $rc -eq 0 ] && grep -q '^usage: ktls-stat' "$T/help"
ok "--help exits 0"
"$STAT" help > "$T/help2"; rc=$?
[ $rc -eq 0 ] && cmp -s "$T/help" "$T/help2"
ok "help command exits 0"
LC_ALL=C MANWIDTH=200 man -l "$KTLSKIT_REPO/tools/ktls-stat/ktls-stat.8" \
	2>/dev/null | col -b > "$T/man"
for opt in $(grep -o '{ "[a-z-]*", ' "$KTLSKIT_REPO/tools/ktls-stat/main.c" |
	     cut -d'"' -f2); do
	grep -q -- "--$opt" "$T/help"
	ok "--help documents --$opt"
	if [ -s "$T/man" ]; then
		grep -q -- "--$opt" "$T/man"
		ok "man page documents --$opt"
	fi
done

bad() {
	local what=$1 want=$2
	shift 2
	"$STAT" "$@" > "$T/out" 2> "$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q -- "$want" "$T/err" && grep -q 'ktls-stat --help' "$T/err" && [ ! -s "$T/out" ]
	ok "$what: exit 2 with a hint"
}
bad "unknown option" "unknown option" --bogus
bad "--port 0" "port from 1 to 65535" --port 0
bad "--port 70000" "port from 1 to 65535" --port 70000
bad "--port abc" "port from 1 to 65535" -p abc
bad "--addr bogus" "IPv4 or IPv6 address" --addr 10.0.0.300
bad "--watch 0" "whole seconds" --watch=0
bad "--watch with --prometheus" "a scraper computes rates" --watch --prometheus
bad "--watch with -c" "does not go with --connections" -c --watch 2
bad "--count without --watch" "goes with --watch" --count 3
bad "stray argument" "unexpected argument" frob

# --addr takes bracketed IPv6 and --watch a separate SECS word
"$STAT" -c --addr '[::1]' --port 1 > /dev/null 2> "$T/err"; rc=$?
[ $rc -ne 2 ]
ok "--addr [::1] accepted"
"$STAT" --watch 1 --count 1 > /dev/null 2> "$T/err"; rc=$?
[ $rc -ne 2 ]
ok "--watch 1 --count 1 accepted"

# This kernel's kTLS state, said the same way in every format.
"$STAT" > "$T/table"; rc_table=$?
"$STAT" --json > "$T/json"; rc_json=$?
"$STAT" --prometheus > "$T/prom"; rc_prom=$?
[ $rc_prom -eq 0 ]
ok "--prometheus exits 0"
python3 "$CHECK" prom "$T/prom" "$T/samples" > /dev/null
ok "--prometheus is strict exposition format"
if [ -e /proc/net/tls_stat ]; then
	[ $rc_table -eq 0 ] && [ $rc_json -eq 0 ]
	ok "with kTLS: exit 0"
	grep -qx 'ktls_module_loaded 1' "$T/samples"
	ok "ktls_module_loaded 1"
else
	[ $rc_table -eq 3 ] && [ $rc_json -eq 3 ]
	ok "without kTLS: exit 3"
	grep -q '^note: kernel TLS is \(off\|missing\)' "$T/table"
	ok "without kTLS: the table says what to check"
	grep -qx 'ktls_module_loaded 0' "$T/samples"
	ok "ktls_module_loaded 0"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tls_module"] is False and d["counters"] is None, d
assert isinstance(d["connections"], list), d
assert any("kernel TLS" in n for n in d["notes"]), d
' "$T/json"
	ok "without kTLS: --json says so"
fi
[ $fails -eq 0 ]
