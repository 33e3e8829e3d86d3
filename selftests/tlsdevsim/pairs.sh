#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Module surface: pairs=N at load, pairs created and removed at run time
# through debugfs, modinfo describing every parameter, ethtool showing the
# driver, its counters and switchable TLS offload features.
#
#   init netns: tds0a <==> tds0b, tds1a <==> tds1b, tds7a <==> tds7b

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

tds_need_module pairs=2 resync_mode=1
trap 'grep -q "^tlsdevsim " /proc/modules && rmmod tlsdevsim' EXIT

for p in pairs resync_mode; do
	modinfo -F parm "$TDS_KO" | grep -q "^$p:.\{20,\}" ||
		fail "modinfo does not describe parameter $p"
done
n=$(modinfo -F parm "$TDS_KO" | wc -l)
echo "ok modinfo describes all $n parameters"

for d in tds0a tds0b tds1a tds1b; do
	ip link show "$d" > /dev/null 2>&1 || fail "$d missing with pairs=2"
done
[ "$(cat "$TDS_DBG/tds1b/resync_mode")" = 1 ] ||
	fail "resync_mode=1 did not reach the devices"
echo "ok pairs=2 made tds0a tds0b tds1a tds1b"

echo 7 > "$TDS_DBG/new_pair" || fail "new_pair failed"
ip link show tds7a > /dev/null && ip link show tds7b > /dev/null ||
	fail "new_pair did not make tds7a/tds7b"
echo 7 > "$TDS_DBG/new_pair" 2>/dev/null && fail "a second pair 7 was made"
ip link set tds7a up && ip link set tds7b up
echo 7 > "$TDS_DBG/del_pair" || fail "del_pair failed"
ip link show tds7a > /dev/null 2>&1 && fail "tds7a still there after del_pair"
[ -d "$TDS_DBG/tds7a" ] && fail "tds7a's debugfs folder stayed"
echo "ok debugfs new_pair/del_pair"

ethtool -i tds0a | grep -q '^driver: tlsdevsim' || fail "ethtool -i"
for c in tx_tls_encrypted_records rx_tls_decrypted_records fault_drop \
	 fault_reorder fault_corrupt_tag fault_force_resync fault_add_fail \
	 fault_down rx_tls_resync; do
	ethtool -S tds0a | grep -q "^ *$c: " || fail "ethtool -S lacks $c"
done
for f in tx rx; do
	ethtool -k tds0a | grep -q "^tls-hw-$f-offload: on$" ||
		fail "tls-hw-$f-offload is not on"
	ethtool -K tds0a "tls-hw-$f-offload" off || fail "cannot switch $f off"
	ethtool -k tds0a | grep -q "^tls-hw-$f-offload: off$" ||
		fail "tls-hw-$f-offload did not switch off"
done
echo "ok ethtool -i, -S counters, -k/-K tls-hw-tx/rx-offload"
