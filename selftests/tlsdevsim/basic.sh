#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Device offload both ways with kTLS at both ends (ktls-cat), TLS 1.2
# AES-GCM-128 and AES-GCM-256: data intact, the kernel's device counters
# and the device's own record counters rise.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# ktlskit-timeout: 400

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

# TlsCurrTxDevice counts open offloaded connections: hold one open (the
# peers wait on stdin) and poll, as handshakes are slow under emulation.
port=4999
sleep 60 | ip netns exec "$NSB" ktls-cat listen "$port" \
	--cert "$KTLSKIT_TMP/cert.pem" --key "$KTLSKIT_TMP/key.pem" --tls 1.2 \
	--cipher "$TDS_C128" > /dev/null 2>&1 &
srv=$!
track $srv
tds_wait_port "$NSB" "$port"
sleep 60 | ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" \
	--insecure --tls 1.2 --cipher "$TDS_C128" > /dev/null 2>&1 &
cli=$!
track $cli
for i in $(seq 300); do
	cur_a=$(tds_stat "$NSA" TlsCurrTxDevice)
	cur_b=$(tds_stat "$NSB" TlsCurrRxDevice)
	[ "$cur_a" -ge 1 ] && [ "$cur_b" -ge 1 ] && break
	sleep 0.1
done
[ "$cur_a" -ge 1 ] && [ "$cur_b" -ge 1 ] ||
	fail "TlsCurrTxDevice/TlsCurrRxDevice were $cur_a/$cur_b with a connection open"
pkill -P "$cli" 2>/dev/null
pkill -P "$srv" 2>/dev/null
kill "$cli" "$srv" 2>/dev/null
ip netns pids "$NSA" | xargs -r kill 2>/dev/null
ip netns pids "$NSB" | xargs -r kill 2>/dev/null
pkill -P $$ -x sleep
for i in $(seq 100); do
	[ "$(tds_stat "$NSA" TlsCurrTxDevice)" = 0 ] && break
	sleep 0.1
done
[ "$(tds_stat "$NSA" TlsCurrTxDevice)" = 0 ] ||
	fail "TlsCurrTxDevice stays up after the connection closed"
echo "ok TlsCurrTxDevice $cur_a, TlsCurrRxDevice $cur_b while open, 0 after"
