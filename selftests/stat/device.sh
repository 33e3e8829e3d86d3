#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat over tlsdevsim: a TLS 1.2 AES-GCM-128 connection with device
# offload both ways and zero-copy sendfile must show as device/device with
# ZC_TX at the sender, in each namespace; then the cases where it must say
# why a connection runs in software: tls-hw-*-offload switched off with
# ethtool, and TLS 1.3 (which the kernel does not offload).
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tlsdevsim/tds-lib.bash"

need_cmd ktls-cat ktls-stat python3
tds_setup
CHECK=$KTLSKIT_REPO/selftests/stat/statcheck.py
T=$KTLSKIT_TMP

# conn NAME PORT KTLS-CAT-OPTIONS...: a connection from A to B held open
# (both ends read FIFOs we keep open); $CLIENT_ONLY adds client options.
conn()
{
	local name=$1 port=$2
	shift 2
	mkfifo "$T/$name.sin" "$T/$name.cin"
	ip netns exec "$NSB" ktls-cat listen "$port" --cert "$T/cert.pem" \
		--key "$T/key.pem" "$@" < "$T/$name.sin" > "$T/$name.got" \
		2> "$T/$name.serr" &
	track $!
	hold_open "$T/$name.sin"
	tds_wait_port "$NSB" "$port"
	ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" --insecure "$@" \
		$CLIENT_ONLY < "$T/$name.cin" > /dev/null 2> "$T/$name.cerr" &
	track $!
	hold_open "$T/$name.cin"
}

# row_until NS PORT REGEX: ktls-stat's table in NS until the connection on
# PORT has a row matching REGEX (handshakes are slow under emulation);
# then keep its table in $T/NS-PORT.table and JSON in $T/NS-PORT.json.
row_until()
{
	local ns=$1 port=$2 re=$3 out=$T/$1-$2 i
	for i in $(seq 300); do
		ip netns exec "$ns" ktls-stat -c --port "$port" > "$out.table"
		grep -Eq "$re" "$out.table" && break
		sleep 0.4
	done
	grep -Eq "$re" "$out.table" || {
		cat "$out.table" "$T"/*.serr "$T"/*.cerr
		tds_dump_stats
		fail "$ns port $port: no row matches $re"
	}
	ip netns exec "$ns" ktls-stat -c --json --port "$port" > "$out.json"
}

head -c 300000 /dev/urandom > "$T/file"
A=$NSA
B=$NSB

# 1. Offloaded both ways.
CLIENT_ONLY=--info conn dev 4801 --tls 1.2 --cipher "$TDS_C128"
row_until "$B" 4801 " tls  *1.2  *aes-gcm-128  *device  *device "
row_until "$A" 4801 " tls  *1.2  *aes-gcm-128  *device  *device "
ip netns exec "$A" ktls-stat | tee "$T/a.table"
ip netns exec "$A" ktls-stat --prometheus > "$T/a.prom"
# libktls asks sock_diag the same way (userspace/lib/sockdiag.c)
grep -q "tx kernel-device, rx kernel-device" "$T/dev.cerr" ||
	{ cat "$T/dev.cerr"; fail "ktls-cat --info does not say kernel-device"; }
echo "ok device offload both ways in the table of both namespaces"

# Zero-copy sendfile (ktls-cat --zerocopy sets TLS_TX_ZEROCOPY_RO): the
# kernel reports TLS_INFO_ZC_RO_TX for device TX only.
CLIENT_ONLY=--zerocopy conn zc 4802 --tls 1.2 --cipher "$TDS_C128"
row_until "$A" 4802 " tls  *1.2  *aes-gcm-128  *device  *device  *yes "
row_until "$B" 4802 " tls  *1.2  *aes-gcm-128  *device  *device  *no "
echo "ok zero-copy sendfile (TLS_TX_ZEROCOPY_RO) shown at the sender"

# 2. Offload switched off in A: software there, and ktls-stat says why.
ip netns exec "$A" ethtool -K tds0a tls-hw-tx-offload off \
	tls-hw-rx-offload off || fail "cannot switch TLS offload off"
conn off 4803 --tls 1.2 --cipher "$TDS_C128"
row_until "$A" 4803 "why rx is sw: tds0a offers TLS offload but tls-hw-rx-offload is off"
grep -q "why tx is sw: tds0a offers TLS offload but tls-hw-tx-offload is off (ethtool -K tds0a tls-hw-tx-offload on" "$T/$A-4803.table" ||
	fail "the table does not say why TX is in software"
row_until "$B" 4803 " tls  *1.2  *aes-gcm-128  *device  *device "
# the connection made while offload was on stays in the device
row_until "$A" 4801 " tls  *1.2  *aes-gcm-128  *device  *device "
ip netns exec "$A" ethtool -K tds0a tls-hw-tx-offload on tls-hw-rx-offload on
cat "$T/$A-4803.table"
echo "ok offload off with ethtool: software, and said why"

# 3. TLS 1.3 goes to software: the kernel offloads TLS 1.2 only.
conn v13 4804 --tls 1.3 --cipher TLS13-AES128-GCM-SHA256
row_until "$A" 4804 "why tx is sw: TLS 1.3: the kernel offloads only TLS 1.2"
echo "ok TLS 1.3 over the device: software, and said why"

# 4. ChaCha20-Poly1305 over TLS 1.2: the cipher is the reason.
conn cc 4805 --tls 1.2 --cipher ECDHE-ECDSA-CHACHA20-POLY1305
row_until "$A" 4805 "why tx is sw: cipher chacha20-poly1305: the kernel offloads only AES-GCM"
echo "ok ChaCha20-Poly1305 over the device: software, and said why"

# One Python run for every JSON and Prometheus check.
python3 "$CHECK" count "$T/$B-4801.json" 1 tls_version=1.2 \
		cipher=aes-gcm-128 tx=device rx=device interface=tds0b \
		why_tx_sw=null why_rx_sw=null zerocopy_sendfile=false \
	-- count "$T/$A-4801.json" 1 tx=device rx=device interface=tds0a \
	-- count "$T/$A-4802.json" 1 tx=device zerocopy_sendfile=true \
	-- count "$T/$B-4802.json" 1 rx=device zerocopy_sendfile=false \
	-- count "$T/$A-4803.json" 1 tx=sw rx=sw \
		"why_tx_sw=~tls-hw-tx-offload is off" \
		"why_rx_sw=~tls-hw-rx-offload is off" \
	-- count "$T/$B-4803.json" 1 tx=device rx=device \
	-- count "$T/$A-4804.json" 1 tls_version=1.3 tx=sw rx=sw \
		"why_tx_sw=~TLS 1.3" "why_rx_sw=~TLS 1.3" \
	-- count "$T/$A-4805.json" 1 cipher=chacha20-poly1305 tx=sw \
		"why_tx_sw=~cipher chacha20-poly1305" \
	-- prom "$T/a.prom" "$T/a.samples" ||
	fail "ktls-stat's JSON or Prometheus output is wrong (see above)"
grep -qx 'ktls_connections{version="1.2",cipher="aes-gcm-128",tx="device",rx="device"} 1' "$T/a.samples" ||
	fail "no device/device ktls_connections series in A"
echo "ok --json and --prometheus agree"

# Data sent on the zero-copy connection arrives intact.
cat "$T/file" >&$c_zc
exec {c_zc}>&-
for i in $(seq 300); do
	[ "$(stat -c %s "$T/zc.got")" -ge 300000 ] && break
	sleep 0.2
done
cmp -s "$T/file" "$T/zc.got" || fail "the data sent with zero-copy on differs"
echo "ok data intact on the zero-copy connection"
