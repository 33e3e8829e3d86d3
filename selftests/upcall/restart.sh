#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd dies with a kernel handshake pending: ktlsd is stopped
# (SIGSTOP) while an xprtsec=tls mount connects, then killed (SIGKILL) with
# the request queued to it. The mount must fail on its own within its
# timeouts, nothing may hang, and once ktlsd is started again the next
# mount works and carries data.
#
# ktlskit-timeout: 240

. "$(dirname "$0")/lib.bash"
upcall_setup
need_nfs

mkdir -p "$T/export" "$T/mnt"
kernel_ktlsd_conf
start_kernel_ktlsd
nfs_server_start "$T/export"

nfs_connected()
{
	ss -Htn state established '( dport = :2049 )' | grep -q .
}

kill -STOP $KTLSD_PID
began=$(date +%s.%N)
nfs_mount "xprtsec=tls,soft,timeo=30,retrans=1,retry=0" "$T/mnt" &
mounter=$!
wait_until 60 nfs_connected || fail "the mount never connected to nfsd"
kill -KILL $KTLSD_PID
wait $KTLSD_PID 2>/dev/null
killed=$(date +%s.%N)
mount_over()
{
	! kill -0 $mounter 2>/dev/null
}
wait_until 90 mount_over || fail "the mount still hangs 90 s after ktlsd died"
wait $mounter && fail "mounted with ktlsd stopped and killed"
now=$(date +%s.%N)
pass "ktlsd stopped, then killed with the handshake pending: '$(head -n 1 "$T/mount.err")' $(secs "$now - $killed") s after the kill, $(secs "$now - $began") s after the mount began"

start_kernel_ktlsd
tls_snap
nfs_mount "xprtsec=tls" "$T/mnt" ||
	fail "mount after the restart: $(cat "$T/mount.err"); ktlsd: $(tail -5 "$T/ktlsd.log")"
file_roundtrip "$T/mnt" 1048576 "$T/export"
nfs_umount "$T/mnt"
[ "$(tls_delta TlsTxSw)" -ge 2 ] || fail "no kTLS after the restart: $(tls_deltas)"
pass "ktlsd started again: the next mount works (mount $(secs $MOUNT_SECS) s), 1 MiB round trip over kTLS ($(tls_deltas))"
