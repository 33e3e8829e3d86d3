#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What device mode cannot carry falls back to software kTLS: TLS 1.3,
# ChaCha20-Poly1305, a failed tls_dev_add (fault injection), and
# connections made while tls-hw-tx/rx-offload are switched off.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat
tds_setup

# expect_sw WHAT: the last transfer ran in software at both ends
sw_a=0 sw_b=0 dev_a=0
expect_sw()
{
	local sa sb da
	sa=$(tds_stat "$NSA" TlsTxSw)
	sb=$(tds_stat "$NSB" TlsRxSw)
	da=$(tds_stat "$NSA" TlsTxDevice)
	[ "$sa" -gt "$sw_a" ] && [ "$sb" -gt "$sw_b" ] ||
		fail "$1: TlsTxSw/TlsRxSw did not rise ($sa, $sb)"
	[ "$da" = "$dev_a" ] || fail "$1: TlsTxDevice rose"
	sw_a=$sa sw_b=$sb
	echo "ok $1: software kTLS, data intact"
}

tds_transfer TLS13-AES128-GCM-SHA256 300000 300000 --tls 1.3
expect_sw "TLS 1.3 AES-GCM-128"

tds_transfer ECDHE-ECDSA-CHACHA20-POLY1305 300000 300000
expect_sw "TLS 1.2 ChaCha20-Poly1305"

# the next two tls_dev_add calls on each end fail: TX and RX add
echo 2 > "$TDS_DBG/tds0a/fail_add"
echo 2 > "$TDS_DBG/tds0b/fail_add"
tds_transfer "$TDS_C128" 300000 300000
expect_sw "failed tls_dev_add"
[ "$(tds_ethtool "$NSA" tds0a fault_add_fail)" = 2 ] ||
	fail "fault_add_fail counter is not 2"

ip netns exec "$NSA" ethtool -k tds0a | grep -q 'tls-hw-tx-offload: on' ||
	fail "ethtool -k does not show tls-hw-tx-offload on"
ip netns exec "$NSA" ethtool -K tds0a tls-hw-tx-offload off tls-hw-rx-offload off ||
	fail "cannot switch TLS offload off"
ip netns exec "$NSB" ethtool -K tds0b tls-hw-tx-offload off tls-hw-rx-offload off
ip netns exec "$NSA" ethtool -k tds0a | grep -q 'tls-hw-rx-offload: off' ||
	fail "ethtool -k does not show tls-hw-rx-offload off"
tds_transfer "$TDS_C128" 300000 300000
expect_sw "offload switched off with ethtool"

ip netns exec "$NSA" ethtool -K tds0a tls-hw-tx-offload on tls-hw-rx-offload on
ip netns exec "$NSB" ethtool -K tds0b tls-hw-tx-offload on tls-hw-rx-offload on
tds_transfer "$TDS_C128" 300000 300000
[ "$(tds_stat "$NSA" TlsTxDevice)" -gt "$dev_a" ] ||
	fail "offload did not come back after ethtool -K on"
echo "ok offload back after ethtool -K on"
tds_dump_stats
