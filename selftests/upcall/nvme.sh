#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# NVMe/TCP with a TLS PSK on loopback, ktlsd as the kernel's handshake
# agent for the host and the nvmet target: the PSK in .nvme,
# 4 MiB written and read back with equal SHA-256 over kernel TLS, both
# handshakes in ktlsd's log; a host holding a different PSK under the same
# identity (in a keyring of its own) fails with a named reason.
#
# ktlskit-timeout: 240

. "$(dirname "$0")/lib.bash"
upcall_setup
need_nvmet

SIZE=$((4 * 1048576))
hex32()
{
	head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'
}
kernel_ktlsd_conf
start_kernel_ktlsd
nvmet_subsystem $((8 * 1048576))
nvmet_port 2 4421 tls
psk=$(nvme_psk_add "$(hex32)")

lines=$(wc -l < "$T/ktlsd.log")
tls_snap
nvme_connect 4421 tls ||
	fail "TLS connect: $(connect_errno); ktlsd: $(tail -5 "$T/ktlsd.log")"
nvme_roundtrip $SIZE
tx=$(tls_delta TlsTxSw) rx=$(tls_delta TlsRxSw)
nvme_disconnect
[ "$tx" -ge 2 ] && [ "$rx" -ge 2 ] || fail "kTLS counters: $(tls_deltas)"
tail -n +$((lines + 1)) "$T/ktlsd.log" > "$T/new.log"
id="NVMe0R01 $UPCALL_HOST $UPCALL_SUB"
grep -q "kernel-handshake .*consumer=[a-z]* role=client auth=psk result=ok .*tx=kernel-sw rx=kernel-sw .*identity=\"\\?$id" "$T/new.log" ||
	fail "no PSK client handshake in ktlsd's log: $(cat "$T/new.log")"
grep -q "kernel-handshake .*consumer=[a-z]* role=server auth=psk result=ok .*tx=kernel-sw rx=kernel-sw" "$T/new.log" ||
	fail "no PSK server handshake in ktlsd's log: $(cat "$T/new.log")"
grep 'kernel-handshake' "$T/new.log" | head -n 2 | sed 's/^/# /'
pass "NVMe/TCP with PSK $psk: connect $(secs $CONNECT_SECS) s, 4 MiB written in $(secs $WRITE_SECS) s and read back in $(secs $READ_SECS) s with equal SHA-256; kTLS both ways ($(tls_deltas)); ktlsd did both ends"

# the host's own keyring holds another PSK under the same identity
ring=$(keyctl newring ktlskit-wrong-psk @u) || fail "keyctl newring"
wrong=$(echo -n "$(hex32)" | sed 's/../\\x&/g' | xargs -0 printf '%b' |
	keyctl padd psk "$id" "$ring") || fail "keyctl padd (wrong PSK)"
lines=$(wc -l < "$T/ktlsd.log")
nvme_connect 4421 "tls,keyring=$ring,tls_key=$wrong" &&
	fail "connected with a PSK the target does not have"
keyctl unlink "$ring" @u > /dev/null
tail -n +$((lines + 1)) "$T/ktlsd.log" > "$T/new.log"
grep -Eq 'kernel-handshake .*consumer=[a-z]* .*result=[a-z-]+ ' "$T/new.log" ||
	fail "no handshake in ktlsd's log for the wrong PSK: $(cat "$T/new.log")"
grep -q 'kernel-handshake .*consumer=[a-z]* .*result=ok' "$T/new.log" &&
	fail "a side reported success with the wrong PSK: $(cat "$T/new.log")"
grep 'kernel-handshake' "$T/new.log" | sed 's/^/# /'
reason=$(grep -m1 -o 'role=server .*result=[a-z-]*' "$T/new.log")
pass "wrong PSK on the host: '$(connect_errno)' after $(secs $CONNECT_SECS) s; ktlsd: ${reason##*result=}"
