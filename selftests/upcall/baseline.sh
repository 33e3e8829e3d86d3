#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel consumers' plumbing without a handshake agent: an
# NFSv4.2 mount and an NVMe/TCP connection on loopback carry data in the
# clear; asked for TLS with nobody listening on the handshake family's
# "tlshd" group, each fails at once with ESRCH (the upcall finds no agent)
# instead of waiting out a handshake timeout, and a TLS-only nvmet port
# resets a host that comes without TLS.
#
# ktlskit-timeout: 180

. "$(dirname "$0")/lib.bash"
upcall_setup
need_nfs
need_nvmet

SIZE=$((4 * 1048576))

# NFS in the clear
mkdir -p "$T/export" "$T/mnt"
nfs_server_start "$T/export"
tls_snap
nfs_mount "" "$T/mnt" || fail "plain NFSv4.2 mount: $(cat "$T/mount.err")"
file_roundtrip "$T/mnt" $SIZE "$T/export"
nfs_umount "$T/mnt"
[ "$(tls_delta TlsTxSw)" = 0 ] && [ "$(tls_delta TlsRxSw)" = 0 ] ||
	fail "kTLS counters moved on a plain mount: $(tls_deltas)"
pass "NFSv4.2 over TCP in the clear: mount $(secs $MOUNT_SECS) s, 4 MiB written ($(secs $WRITE_SECS) s) and read back ($(secs $READ_SECS) s) with equal SHA-256"

# xprtsec with no agent: the upcall's submit finds no listener (-ESRCH)
for sec in tls mtls; do
	nfs_mount "xprtsec=$sec" "$T/mnt" && fail "xprtsec=$sec mounted without an agent"
	grep -q 'No such process' "$T/mount.err" ||
		fail "xprtsec=$sec without an agent: expected ESRCH, got: $(cat "$T/mount.err")"
	(($(echo "$MOUNT_SECS < 5" | bc))) ||
		fail "xprtsec=$sec without an agent took $MOUNT_SECS s to fail"
	pass "xprtsec=$sec without an agent: '$(head -n 1 "$T/mount.err")' after $(secs $MOUNT_SECS) s"
done
nfs_server_stop

# NVMe/TCP in the clear, then a TLS port
nvmet_subsystem $((8 * 1048576))
nvmet_port 1 4420
nvme_connect 4420 || fail "plain NVMe/TCP connect: $(connect_errno)"
nvme_roundtrip $SIZE
nvme_disconnect
pass "NVMe/TCP in the clear: connect $(secs $CONNECT_SECS) s, 4 MiB written ($(secs $WRITE_SECS) s) and read back ($(secs $READ_SECS) s) with equal SHA-256"

nvmet_port 2 4421 tls
nvme_psk_add "$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')" > /dev/null
dmesg -C
nvme_connect 4421 tls && fail "TLS connect succeeded without an agent"
[ "$(connect_errno)" = "No such process" ] ||
	fail "TLS connect without an agent: expected ESRCH, got: $(cat "$T/connect.err")"
dmesg | grep -q 'failed to start TLS: -3' ||
	fail "no 'failed to start TLS: -3' from nvme_tcp: $(dmesg | tail -5)"
pass "NVMe/TCP host with tls, PSK in .nvme, no agent: '$(connect_errno)' after $(secs $CONNECT_SECS) s"

dmesg -C
nvme_connect 4421 && fail "a host without TLS got through a TLS-only port"
[ "$(connect_errno)" = "Connection reset by peer" ] ||
	fail "host without TLS on a TLS port: expected ECONNRESET, got: $(cat "$T/connect.err")"
dmesg | grep -q 'nvmet_tcp: failed to start TLS, err=-3' ||
	fail "no 'failed to start TLS, err=-3' from nvmet_tcp: $(dmesg | tail -5)"
pass "NVMe/TCP target with tls1.3, no agent: it resets every connection ('$(connect_errno)')"
echo "# tls_stat: $(tls_deltas)"
