#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The device's crypto against an independent implementation: a plain
# user-space OpenSSL peer (no kTLS) must decrypt what tlsdevsim encrypted,
# and tlsdevsim must decrypt what OpenSSL encrypted, for TLS 1.2
# AES-GCM-128 and -256.
#
#   netns A: ktls-cat (device offload), tds0a  <==>  tds0b, openssl: netns B
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat
tds_setup
t=$KTLSKIT_TMP
head -c 2000000 /dev/urandom > "$t/pa"
head -c 2000000 /dev/urandom > "$t/pb"

for cipher in "$TDS_C128" "$TDS_C256"; do
	# device TX -> OpenSSL: s_server prints what it decrypts
	enc=$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)
	port=$((4000 + RANDOM % 1000))
	sleep 120 | ip netns exec "$NSB" openssl s_server -quiet -naccept 1 \
		-accept "$port" -cert "$t/cert.pem" -key "$t/key.pem" \
		-tls1_2 -cipher "$cipher" > "$t/got_a" 2> "$t/srv.err" &
	track $!
	tds_wait_port "$NSB" "$port"
	timeout 120 ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" \
		--insecure --tls 1.2 --cipher "$cipher" --info \
		< "$t/pa" > /dev/null 2> "$t/cli.err" ||
		{ cat "$t/cli.err"; fail "$cipher: ktls-cat to s_server failed"; }
	for i in $(seq 100); do
		[ "$(stat -c %s "$t/got_a")" -ge 2000000 ] && break
		sleep 0.1
	done
	cmp -s "$t/pa" "$t/got_a" ||
		{ cat "$t/srv.err"; fail "$cipher: OpenSSL did not get the data the device encrypted"; }
	[ "$(tds_ethtool "$NSA" tds0a tx_tls_encrypted_records)" -gt "$enc" ] ||
		fail "$cipher: the device encrypted nothing"
	echo "ok $cipher: OpenSSL decrypted 2000000 bytes the device encrypted"

	# OpenSSL -> device RX: ktls-cat in A listens, s_client in B sends
	dec=$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)
	rxd=$(tds_stat "$NSA" TlsRxDevice)
	port=$((port + 1))
	sleep 120 | ip netns exec "$NSA" ktls-cat listen "$port" \
		--cert "$t/cert.pem" --key "$t/key.pem" --tls 1.2 \
		--cipher "$cipher" --info > "$t/got_b" 2> "$t/srv.err" &
	track $!
	tds_wait_port "$NSA" "$port"
	timeout 120 ip netns exec "$NSB" openssl s_client \
		-connect "$TDS_A:$port" -tls1_2 -cipher "$cipher" -nocommands \
		< "$t/pb" > "$t/sclient.out" 2>&1 ||
		{ cat "$t/sclient.out"; fail "$cipher: s_client failed"; }
	for i in $(seq 100); do
		[ "$(stat -c %s "$t/got_b")" -ge 2000000 ] && break
		sleep 0.1
	done
	cmp -s "$t/pb" "$t/got_b" ||
		{ cat "$t/srv.err"; fail "$cipher: kTLS over the device did not get what OpenSSL sent"; }
	[ "$(tds_stat "$NSA" TlsRxDevice)" -gt "$rxd" ] ||
		fail "$cipher: RX was not offloaded"
	[ "$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)" -gt "$dec" ] ||
		fail "$cipher: the device decrypted nothing"
	echo "ok $cipher: the device decrypted 2000000 bytes OpenSSL encrypted"
done
tds_dump_stats
