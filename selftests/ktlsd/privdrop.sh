#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Privileges: started as root with "user = nobody", ktlsd reads the keys
# (mode 0600, root's) once, then runs as nobody with only
# CAP_DAC_READ_SEARCH (so a reload can read the keys again) and
# CAP_IPC_LOCK left, memory locked, never dumpable. Handshakes and a reload
# still work.
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
ktlsd_setup
id nobody >/dev/null 2>&1 || skip "no user nobody"
[ "$(id -u)" = 0 ] || skip "needs root"
write_conf "user = nobody" "lock_memory = yes"
start_ktlsd
# the socket is made before the drop; this line comes after it
expect_line "$T/ktlsd.log" 'listening on .* workers' "start"
st=/proc/$KTLSD_PID/status
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' $st)
[ "$uid" = "65534 65534 65534 65534" ] || fail "uids are $uid"
cap=$(awk '/^CapEff:/ { print $2 }' $st)
[ "$cap" = 0000000000004004 ] || fail "effective capabilities $cap"
bnd=$(awk '/^CapBnd:/ { print $2 }' $st)
[ "$bnd" = 0000000000004004 ] || fail "bounding set $bnd"
locked=$(awk '/^VmLck:/ { print $2 }' $st)
[ "${locked:-0}" -gt 0 ] || fail "no memory locked"
stat -c %a "$P/server-ec.key" | grep -q '^600$' || fail "key is not 0600"
pass "runs as nobody, capabilities $cap (dac_read_search, ipc_lock), ${locked} kB locked"
"$CLIENT" pairs 2 > "$T/app" 2>&1 || fail "handshakes as nobody: $(cat "$T/app")"
pass "handshakes work after the drop"
kill -HUP $KTLSD_PID
expect_line "$T/ktlsd.log" 'configuration reloaded' "reload as nobody"
"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "after reload: $(cat "$T/app")"
pass "reload re-reads the root-only key as nobody"
grep -q 'BEGIN\|PRIVATE' "$T/ktlsd.log" && fail "key material in the log"
pass "no key material in the log"
