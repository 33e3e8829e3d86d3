#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unload the module in the middle of offloaded transfers, reload, again:
# the connections lose their device (the core moves them to software),
# the kernel stays healthy (the runner checks dmesg), and the reloaded
# module offloads again.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat
tds_setup
t=$KTLSKIT_TMP
head -c $((16 << 20)) /dev/urandom > "$t/big"

# offloading: A has an offloaded connection whose records its device
# encrypted since $enc0
offloading()
{
	[ "$(tds_stat "$NSA" TlsCurrTxDevice)" -ge 1 ] &&
		[ "$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)" -gt "$enc0" ]
}

for i in 1 2 3; do
	port=$((5000 + i))
	enc0=$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)
	ip netns exec "$NSB" ktls-cat listen "$port" --cert "$t/cert.pem" \
		--key "$t/key.pem" --tls 1.2 --cipher "$TDS_C128" \
		< "$t/big" > /dev/null 2>&1 &
	srv=$!
	tds_wait_port "$NSB" "$port"
	ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" --insecure \
		--tls 1.2 --cipher "$TDS_C128" < "$t/big" > /dev/null 2>&1 &
	cli=$!
	# the transfer is under way once the device has encrypted records
	wait_until 60 offloading
	[ "$(tds_stat "$NSA" TlsCurrTxDevice)" -ge 1 ] ||
		fail "round $i: no offloaded connection before the unload"
	rmmod tlsdevsim || fail "round $i: rmmod with connections open failed"
	[ "$(tds_stat "$NSA" TlsCurrTxDevice)" = 0 ] ||
		echo "# round $i: TlsCurrTxDevice $(tds_stat "$NSA" TlsCurrTxDevice) after unload"
	kill "$srv" "$cli" 2>/dev/null
	wait "$srv" "$cli" 2>/dev/null
	insmod "$TDS_KO" || fail "round $i: reload failed"
	tds_place_pair
	echo "ok round $i: unloaded with offloaded connections open, reloaded"
done

dev=$(tds_stat "$NSA" TlsTxDevice)
tds_transfer "$TDS_C128" 1000000 1000000
[ "$(tds_stat "$NSA" TlsTxDevice)" -gt "$dev" ] ||
	fail "no offload after the reloads"
echo "ok offload works after three reloads"
