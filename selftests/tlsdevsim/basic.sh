#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Device offload both ways with kTLS at both ends (ktls-cat), TLS 1.2
# AES-GCM-128 and AES-GCM-256: data intact, the kernel's device counters
# and the device's own record counters rise.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat
tds_setup

for cipher in "$TDS_C128" "$TDS_C256"; do
	txd_a=$(tds_stat "$NSA" TlsTxDevice)
	rxd_b=$(tds_stat "$NSB" TlsRxDevice)
	txd_b=$(tds_stat "$NSB" TlsTxDevice)
	rxd_a=$(tds_stat "$NSA" TlsRxDevice)
	enc_a=$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)
	dec_b=$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)
	enc_b=$(tds_ethtool "$NSB" tds0b tx_tls_encrypted_records)
	dec_a=$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)

	tds_transfer "$cipher" 3000000 2000000
	tds_dump_stats

	[ "$(tds_stat "$NSA" TlsTxDevice)" -gt "$txd_a" ] &&
	[ "$(tds_stat "$NSB" TlsTxDevice)" -gt "$txd_b" ] ||
		fail "$cipher: TlsTxDevice did not rise"
	[ "$(tds_stat "$NSA" TlsRxDevice)" -gt "$rxd_a" ] &&
	[ "$(tds_stat "$NSB" TlsRxDevice)" -gt "$rxd_b" ] ||
		fail "$cipher: TlsRxDevice did not rise"
	[ "$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)" -gt "$enc_a" ] &&
	[ "$(tds_ethtool "$NSB" tds0b tx_tls_encrypted_records)" -gt "$enc_b" ] ||
		fail "$cipher: the device encrypted no records"
	[ "$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)" -gt "$dec_b" ] &&
	[ "$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)" -gt "$dec_a" ] ||
		fail "$cipher: the device decrypted no records"
	echo "ok $cipher: 3000000 bytes A->B, 2000000 B->A intact, device crypto both ways"
done

# TlsCurrTxDevice counts open offloaded connections: hold one open (both
# peers read stdin from a FIFO we keep open) and poll, as handshakes are
# slow under emulation; closing the FIFOs ends it with close_notify.
port=4999
mkfifo "$KTLSKIT_TMP/in_b" "$KTLSKIT_TMP/in_a"
ip netns exec "$NSB" ktls-cat listen "$port" \
	--cert "$KTLSKIT_TMP/cert.pem" --key "$KTLSKIT_TMP/key.pem" --tls 1.2 \
	--cipher "$TDS_C128" < "$KTLSKIT_TMP/in_b" > /dev/null 2>&1 &
track $!
exec 7> "$KTLSKIT_TMP/in_b"
tds_wait_port "$NSB" "$port"
ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" \
	--insecure --tls 1.2 --cipher "$TDS_C128" \
	< "$KTLSKIT_TMP/in_a" > /dev/null 2>&1 &
track $!
exec 8> "$KTLSKIT_TMP/in_a"
end=$((SECONDS + 90))
while [ $SECONDS -lt $end ]; do
	cur_a=$(tds_stat "$NSA" TlsCurrTxDevice)
	cur_b=$(tds_stat "$NSB" TlsCurrRxDevice)
	[ "$cur_a" -ge 1 ] && [ "$cur_b" -ge 1 ] && break
	sleep 0.2
done
exec 7>&- 8>&-
[ "$cur_a" -ge 1 ] && [ "$cur_b" -ge 1 ] ||
	fail "TlsCurrTxDevice/TlsCurrRxDevice were $cur_a/$cur_b with a connection open"
wait
[ "$(tds_stat "$NSA" TlsCurrTxDevice)" = 0 ] ||
	fail "TlsCurrTxDevice stays up after the connection closed"
echo "ok TlsCurrTxDevice $cur_a, TlsCurrRxDevice $cur_b while open, 0 after"
