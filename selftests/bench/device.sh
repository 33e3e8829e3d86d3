#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench's device paths over a tlsdevsim pair: the server in one
# namespace, the client in the other, TLS 1.2 with AES-128-GCM and
# AES-256-GCM. The JSON must show TlsTxDevice (device-tx) and TlsRxDevice
# (device-rx) per connection, the device must have encrypted and decrypted
# records itself, and every byte must arrive intact. Over the same pair,
# TLS 1.3 (no device offload) must show as software kTLS; on loopback the
# device paths must fail with "no device offload", and TLS 1.3 device
# cases must be reported as unsupported.
#
#   netns A: ktls-bench client, tds0a 10.77.0.1  <==>  tds0b 10.77.0.2,
#            ktls-bench server: netns B
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tlsdevsim/tds-lib.bash"

need_cmd ktls-bench python3
tds_setup
T=$KTLSKIT_TMP
CHECK=$(dirname "$0")/check_json.py
NS="--server-netns $NSB --client-netns $NSA --addr $TDS_B"

enc_b=$(tds_ethtool "$NSB" tds0b tx_tls_encrypted_records)
dec_a=$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)
ktls-bench --path device-tx,device-rx --tls 1.2 --cipher aes128gcm,aes256gcm \
	--size 64K --bytes 1M --reps 2 $NS --json > "$T/dev.json" 2> "$T/dev.err" ||
	{ cat "$T/dev.json" "$T/dev.err"; tds_dump_stats; fail "device paths"; }
python3 "$CHECK" "$T/dev.json" --paths device-tx,device-rx \
	--ciphers aes128gcm,aes256gcm --tls 1.2 --reps 2 ||
	{ cat "$T/dev.json"; tds_dump_stats; fail "device JSON"; }
[ "$(tds_ethtool "$NSB" tds0b tx_tls_encrypted_records)" -gt "$enc_b" ] ||
	fail "the server's device encrypted no records"
[ "$(tds_ethtool "$NSA" tds0a rx_tls_decrypted_records)" -gt "$dec_a" ] ||
	fail "the client's device decrypted no records"
tds_dump_stats
echo "ok device-tx and device-rx over tlsdevsim, AES-128/256-GCM, verified"

ktls-bench --path ktls-write,ktls-sendfile --tls 1.3 --size 64K --bytes 512K \
	--reps 1 $NS --json > "$T/sw.json" 2> "$T/sw.err" ||
	{ cat "$T/sw.json" "$T/sw.err"; fail "TLS 1.3 across the pair"; }
python3 "$CHECK" "$T/sw.json" --paths ktls-write,ktls-sendfile --tls 1.3 ||
	{ cat "$T/sw.json"; fail "TLS 1.3 across the pair is not software kTLS"; }
echo "ok TLS 1.3 across the pair: software kTLS, verified"

ktls-bench --path device-tx --tls 1.2 --bytes 256K --size 64K --reps 1 \
	--json > "$T/lo.json" 2>/dev/null &&
	fail "device-tx on loopback did not fail"
python3 "$CHECK" "$T/lo.json" --paths device-tx --tls 1.2 \
	--expect-error "no device offload" || { cat "$T/lo.json"; fail "loopback"; }
ktls-bench --path device-rx --tls 1.3 --bytes 256K --reps 1 $NS \
	--json > "$T/13.json" 2>/dev/null ||
	fail "an unsupported case failed the run"
grep -q '"unsupported":true' "$T/13.json" ||
	{ cat "$T/13.json"; fail "device-rx with TLS 1.3 not reported unsupported"; }
echo "ok device paths: loopback fails, TLS 1.3 unsupported"
