#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat explains an absent kTLS: with the tls module unloaded it says
# so and how to load it (table, --json, exit status 3), --prometheus
# reports ktls_module_loaded 0 and exits 0, --watch refuses with the same
# sentence; once the module is back, the note is gone and counters return.
#
# ktlskit-timeout: 300

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-stat python3 modinfo
CHECK=$KTLSKIT_REPO/selftests/stat/statcheck.py
make_tmp
T=$KTLSKIT_TMP

[ "$(modinfo -F filename tls 2>/dev/null)" = "(builtin)" ] &&
	skip "tls is built into this kernel: it cannot be unloaded"
trap 'modprobe -q tls; cleanup_tmp' EXIT
rmmod tls 2>"$T/rmmod.err" ||
	skip "the tls module is in use and cannot be unloaded: $(cat "$T/rmmod.err")"
[ ! -e /proc/net/tls_stat ] || fail "/proc/net/tls_stat stays after rmmod tls"

ktls-stat > "$T/table"
rc=$?
cat "$T/table"
[ $rc = 3 ] || fail "ktls-stat exited $rc without the tls module, not 3"
grep -q "^note: kernel TLS is off: the tls module is not loaded (load it with 'modprobe tls'" "$T/table" ||
	fail "the table does not say the tls module is missing"
grep -q "^kTLS counters: none (no /proc/net/tls_stat)" "$T/table" ||
	fail "the table does not say the counters are missing"
ktls-stat --json > "$T/none.json"
[ $? = 3 ] || fail "ktls-stat --json did not exit 3"
ktls-stat -g > /dev/null
[ $? = 3 ] || fail "ktls-stat -g did not exit 3"
ktls-stat --watch 1 --count 1 > "$T/watch"
[ $? = 3 ] || fail "ktls-stat --watch did not exit 3"
grep -q "modprobe tls" "$T/watch" || fail "--watch does not say what to load"
ktls-stat --prometheus > "$T/none.prom" ||
	fail "ktls-stat --prometheus exited $? without the module"
grep -qx "ktls_module_loaded 0" "$T/none.prom" ||
	fail "ktls_module_loaded is not 0"
echo "ok without the tls module: said so, exit 3, ktls_module_loaded 0"

modprobe tls || fail "modprobe tls failed"
ktls-stat > "$T/back" || fail "ktls-stat exited $? with the module back"
grep -q "^note: kernel TLS" "$T/back" && fail "the note stays after modprobe tls"
ktls-stat --json > "$T/back.json"
ktls-stat --prometheus > "$T/back.prom"
grep -qx "ktls_module_loaded 1" "$T/back.prom" ||
	fail "ktls_module_loaded is not 1 after modprobe tls"

python3 - "$T/none.json" "$T/back.json" <<'PY' || fail "--json is wrong"
import json, sys
none = json.load(open(sys.argv[1]))
back = json.load(open(sys.argv[2]))
assert none['tls_module'] is False and none['counters'] is None, none
assert any("modprobe tls" in n for n in none['notes']), none['notes']
assert back['tls_module'] is True and 'TlsCurrTxSw' in back['counters'], back
assert not back['notes'], back['notes']
print('ok: --json without and with the module')
PY
python3 "$CHECK" prom "$T/none.prom" -- prom "$T/back.prom" ||
	fail "--prometheus format"
echo "ok with the module back: counters, no note"
