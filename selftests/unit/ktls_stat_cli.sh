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
ok "--help exits 0" "[ $rc -eq 0 ] && grep -q '^usage: ktls-stat' '$T/help'"
"$STAT" help > "$T/help2"; rc=$?
ok "help command exits 0" "[ $rc -eq 0 ] && cmp -s '$T/help' '$T/help2'"
LC_ALL=C MANWIDTH=200 man -l "$KTLSKIT_REPO/tools/ktls-stat/ktls-stat.8" \
	2>/dev/null | col -b > "$T/man"
for opt in $(grep -o '{ "[a-z-]*", ' "$KTLSKIT_REPO/tools/ktls-stat/main.c" |
	     cut -d'"' -f2); do
	ok "--help documents --$opt" "grep -q -- '--$opt' '$T/help'"
	[ -s "$T/man" ] &&
		ok "man page documents --$opt" "grep -q -- '--$opt' '$T/man'"
done

bad() {
	local what=$1 want=$2
	shift 2
	"$STAT" "$@" > "$T/out" 2> "$T/err"; rc=$?
	ok "$what: exit 2 with a hint" \
		"[ $rc -eq 2 ] && grep -q -- '$want' '$T/err' && grep -q 'ktls-stat --help' '$T/err' && [ ! -s '$T/out' ]"
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
ok "--addr [::1] accepted" "[ $rc -ne 2 ]"
"$STAT" --watch 1 --count 1 > /dev/null 2> "$T/err"; rc=$?
ok "--watch 1 --count 1 accepted" "[ $rc -ne 2 ]"

# This kernel's kTLS state, said the same way in every format.
"$STAT" > "$T/table"; rc_table=$?
"$STAT" --json > "$T/json"; rc_json=$?
"$STAT" --prometheus > "$T/prom"; rc_prom=$?
ok "--prometheus exits 0" "[ $rc_prom -eq 0 ]"
ok "--prometheus is strict exposition format" \
	"python3 '$CHECK' prom '$T/prom' '$T/samples' > /dev/null"
if [ -e /proc/net/tls_stat ]; then
	ok "with kTLS: exit 0" "[ $rc_table -eq 0 ] && [ $rc_json -eq 0 ]"
	ok "ktls_module_loaded 1" "grep -qx 'ktls_module_loaded 1' '$T/samples'"
else
	ok "without kTLS: exit 3" "[ $rc_table -eq 3 ] && [ $rc_json -eq 3 ]"
	ok "without kTLS: the table says what to check" \
		"grep -q '^note: kernel TLS is \(off\|missing\)' '$T/table'"
	ok "ktls_module_loaded 0" "grep -qx 'ktls_module_loaded 0' '$T/samples'"
	ok "without kTLS: --json says so" "python3 -c '
import json
d = json.load(open(\"$T/json\"))
assert d[\"tls_module\"] is False and d[\"counters\"] is None, d
assert isinstance(d[\"connections\"], list), d
assert any(\"kernel TLS\" in n for n in d[\"notes\"]), d
'"
fi
[ $fails -eq 0 ]
